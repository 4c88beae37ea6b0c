// Scales. Polled protocols (MT-SICS `SI`, Massa-K 0x23) are asked every pollMs; streaming ones
// (Toledo, CAS, MT-SICS after `SIR`) just talk; Shtrih needs its ENQ/NAK/ACK exchange for every
// request. Every reading becomes a weight event (the manager throttles what reaches the screen);
// a scale that stops answering raises one TIMEOUT fault until readings come back; zero and tare
// resolve only on the scale's own confirmation.
import type { DeviceConfig, DeviceFault, ScaleOptions, ScaleProtocol, WeightEvent } from '../../main/contract/devices.js';
import {
  CasDecoder,
  MassaKDecoder,
  MtSicsDecoder,
  SHTRIH,
  ShtrihDecoder,
  ToledoDecoder,
  encodeMassaKGetWeight,
  encodeMassaKSetTare,
  encodeMassaKSetZero,
  encodeMtSics,
  encodeShtrihGetWeight,
  encodeShtrihTare,
  encodeShtrihZero,
  GRAMS_PER_UNIT,
  round6,
  toGrams,
  type Reading,
  type ScaleDecoder,
  type ScaleReply,
} from '../protocols/scales/index.js';
import { deviceFault, timeoutFault } from '../transports/faults.js';
import { DeviceFaultError } from '../transports/transport.js';
import { TransportDriver, Watchdog, notOpenFault, type DriverContext } from './driver.js';

type Command = 'zero' | 'tare';

/** A poll unanswered for this long (or a streaming scale silent for it) is a TIMEOUT fault. */
export const answerTimeoutMs = (pollMs: number): number => Math.max(1_000, 4 * pollMs);
/** Zero and tare wait for the scale to settle first, so they get longer. */
export const commandTimeoutMs = (pollMs: number): number => Math.max(3_000, 4 * pollMs);
/** Shtrih: one step of the exchange (ENQ → NAK, frame → ACK, → reply) that takes longer is abandoned. */
export const SHTRIH_STEP_MS = 500;

export function weightEvent(device: string, at: number, r: Reading): WeightEvent {
  return {
    device,
    at,
    weight: r.weight,
    unit: r.unit,
    grams: r.grams,
    stable: r.stable,
    status: r.status,
    ...(r.net === undefined ? {} : { net: r.net }),
    tareGrams: r.tare === undefined ? null : toGrams(r.tare, r.unit),
    ...(r.error === undefined ? {} : { error: r.error }),
  };
}

const ACTION = { zero: { ru: 'обнулиться', en: 'zero' }, tare: { ru: 'взять тару', en: 'tare' } } as const;

function refusedFault(where: string, reply: ScaleReply): DeviceFault {
  const detail = reply.error ?? reply.raw;
  return deviceFault(
    'DEVICE_ERROR',
    {
      ru: `${where}: весы не смогли ${ACTION[reply.command].ru} (${detail})`,
      en: `${where}: the scale could not ${ACTION[reply.command].en} (${detail})`,
    },
    {
      ru: 'Дождитесь, пока вес успокоится; обнулить можно только пустые весы около нуля',
      en: 'Wait until the weight is steady; only an empty scale near zero can be zeroed',
    },
    reply.raw,
  );
}

function unsupportedFault(where: string, protocol: ScaleProtocol, command: Command): DeviceFault {
  return deviceFault(
    'UNSUPPORTED',
    {
      ru: `${where}: протокол ${protocol} только передаёт вес, команду «${ACTION[command].ru}» ему не послать`,
      en: `${where}: protocol ${protocol} only sends weights; it cannot be told to ${ACTION[command].en}`,
    },
    { ru: 'Воспользуйтесь кнопкой на весах', en: 'Use the key on the scale' },
  );
}

/** What every scale shares: readings → events, the silence watchdog, zero/tare one at a time. */
abstract class ScaleDriver extends TransportDriver {
  protected readonly options: ScaleOptions;
  private readonly silence: Watchdog;
  private pending: { command: Command; settle(fault: DeviceFault | null): void } | null = null;
  private commands: Promise<void> = Promise.resolve();

  constructor(
    config: DeviceConfig,
    context: DriverContext,
    protected readonly decoder: ScaleDecoder,
    /** False for protocols the host cannot talk to (Toledo, CAS). */
    private readonly acceptsCommands: boolean,
  ) {
    super(config, context);
    this.options = config.options as ScaleOptions;
    this.silence = new Watchdog(this.timers, answerTimeoutMs(this.options.pollMs), (first) => this.silent(first));
  }

  zero(): Promise<void> {
    return this.command('zero');
  }

  tare(): Promise<void> {
    return this.command('tare');
  }

  /** Writes zero/tare the protocol's way. */
  protected abstract sendCommand(command: Command): void;

  protected override started(): void {
    this.decoder.reset();
    this.silence.feed();
  }

  protected override stopped(fault: DeviceFault | null): void {
    this.pending?.settle(fault ?? notOpenFault(this.where));
  }

  /** The scale has said nothing for a while; `first` once per silence. */
  protected silent(first: boolean): void {
    if (first) this.fault(timeoutFault(this.where, this.silence.ms));
  }

  protected received(bytes: Uint8Array): void {
    this.accept(this.decoder.push(bytes), this.decoder.takeReplies());
  }

  protected accept(readings: readonly Reading[], replies: readonly ScaleReply[]): void {
    for (const reading of readings) {
      this.silence.feed();
      const event = weightEvent(this.config.code, this.context.now(), reading);
      this.emit((l) => l.weight?.(event, reading.raw));
    }
    for (const reply of replies) {
      // a reply nobody waits for (after a timeout) is dropped: it cannot settle a later command
      if (this.pending?.command === reply.command) this.pending.settle(reply.ok ? null : refusedFault(this.where, reply));
    }
  }

  private command(command: Command): Promise<void> {
    if (!this.acceptsCommands) {
      return Promise.reject(new DeviceFaultError(unsupportedFault(this.where, this.config.protocol as ScaleProtocol, command)));
    }
    // one at a time: a reply names only its command, so two zeros in flight could not be told apart
    const run = (): Promise<void> => this.run(command);
    const done = this.commands.then(run, run);
    this.commands = done.catch(() => undefined);
    return done;
  }

  private run(command: Command): Promise<void> {
    if (!this.isOpen) return Promise.reject(new DeviceFaultError(notOpenFault(this.where)));
    return new Promise((resolve, reject) => {
      const ms = commandTimeoutMs(this.options.pollMs);
      const entry = {
        command,
        settle: (fault: DeviceFault | null): void => {
          if (this.pending !== entry) return;
          this.pending = null;
          this.timers.clear(timer);
          if (fault) reject(new DeviceFaultError(fault));
          else resolve();
        },
      };
      const timer = this.timers.after(ms, () => entry.settle(timeoutFault(this.where, ms)));
      this.pending = entry;
      this.sendCommand(command);
    });
  }
}

interface Dialect {
  decoder: ScaleDecoder;
  /** Asked every pollMs. */
  poll?: Uint8Array;
  /** Sent on opening to make the scale stream, and again while it is silent (it may have restarted). */
  stream?: Uint8Array;
  commands?: Record<Command, Uint8Array>;
}

function dialect(protocol: Exclude<ScaleProtocol, 'shtrih'>, options: ScaleOptions): Dialect {
  switch (protocol) {
    case 'mt-sics': {
      const commands = { zero: encodeMtSics('Z'), tare: encodeMtSics('T') };
      return options.stream
        ? { decoder: new MtSicsDecoder(), stream: encodeMtSics('SIR'), commands }
        : { decoder: new MtSicsDecoder(), poll: encodeMtSics('SI'), commands };
    }
    case 'toledo':
      return { decoder: new ToledoDecoder({ checksum: options.checksum }) };
    case 'cas':
      return { decoder: new CasDecoder() };
    case 'massa-k':
      return {
        decoder: new MassaKDecoder(),
        poll: encodeMassaKGetWeight(),
        commands: { zero: encodeMassaKSetZero(), tare: encodeMassaKSetTare() },
      };
  }
}

/** Scales whose requests are simply written: MT-SICS, Massa-K, and the streaming Toledo and CAS. */
class PlainScaleDriver extends ScaleDriver {
  constructor(
    config: DeviceConfig,
    context: DriverContext,
    private readonly dialect: Dialect,
  ) {
    super(config, context, dialect.decoder, dialect.commands !== undefined);
  }

  protected override started(): void {
    super.started();
    if (this.dialect.stream) this.send(this.dialect.stream);
    const poll = this.dialect.poll;
    if (poll) {
      this.send(poll);
      this.timers.every(this.options.pollMs, () => this.send(poll));
    }
  }

  protected override silent(first: boolean): void {
    super.silent(first);
    if (this.dialect.stream) this.send(this.dialect.stream);
  }

  protected sendCommand(command: Command): void {
    const bytes = this.dialect.commands?.[command];
    if (bytes) this.send(bytes);
  }
}

type ShtrihStage =
  /** ENQ sent: NAK means "ready for a command", ACK "I still hold an answer". */
  | 'enq'
  /** The scale holds an answer to an earlier request: take it, drop it, ask again. */
  | 'stale'
  /** Our frame sent: ACK, then the reply frame. */
  | 'sent'
  | 'reply';

interface ShtrihExchange {
  frame: Uint8Array;
  stage: ShtrihStage;
  /** Times our frame was NAKed. */
  naks: number;
}

/**
 * Shtrih-M POS2: every request is an exchange — ENQ; NAK (ready) → our frame; ACK → the reply
 * frame, which we ACK. An ACK to the ENQ means the scale still holds an answer to an earlier
 * request (ours timed out, or another program's): it is taken, acknowledged and not used. One
 * exchange at a time; a poll is only queued when nothing waits, so zero/tare wait at most for the
 * exchange under way. A stalled step is abandoned and the next poll starts over with ENQ.
 */
class ShtrihScaleDriver extends ScaleDriver {
  private readonly shtrih: ShtrihDecoder;
  /** Frames waiting for the line: commands in order, at most one poll. */
  private waiting: Uint8Array[] = [];
  private exchange: ShtrihExchange | null = null;
  private stepTimer: NodeJS.Timeout | null = null;

  constructor(config: DeviceConfig, context: DriverContext) {
    const decoder = new ShtrihDecoder();
    super(config, context, decoder, true);
    this.shtrih = decoder;
  }

  protected override started(): void {
    super.started();
    this.waiting = [];
    this.exchange = null;
    this.poll();
    this.timers.every(this.options.pollMs, () => this.poll());
  }

  protected sendCommand(command: Command): void {
    const pw = this.options.password;
    this.waiting.push(command === 'zero' ? encodeShtrihZero(pw) : encodeShtrihTare(pw));
    this.next();
  }

  private poll(): void {
    if (this.exchange || this.waiting.length > 0) return; // the scale is busy; polls never pile up
    this.waiting.push(encodeShtrihGetWeight(this.options.password));
    this.next();
  }

  protected override received(bytes: Uint8Array): void {
    const readings = this.shtrih.push(bytes);
    const control = this.shtrih.takeControl();
    const replies = this.shtrih.takeReplies();
    const ex = this.exchange;
    for (const c of control) {
      if (!ex) break;
      if (ex.stage === 'enq') {
        if (c === 'NAK') this.step(ex, 'sent', ex.frame);
        else this.step(ex, 'stale', null);
      } else if (ex.stage === 'sent') {
        if (c === 'ACK') this.step(ex, 'reply', null);
        else if (++ex.naks < 3) this.step(ex, 'sent', ex.frame); // our frame arrived damaged
        else this.abandon();
      }
    }
    if (readings.length + replies.length === 0) return;
    this.send(Uint8Array.of(SHTRIH.ACK)); // every frame is acknowledged, wanted or not
    if (!ex || this.exchange !== ex) return; // nobody asked: not ours to use
    if (ex.stage === 'stale' || ex.stage === 'enq') {
      // an answer to an earlier request, not to this one: ask again
      this.step(ex, 'enq', Uint8Array.of(SHTRIH.ENQ));
      return;
    }
    this.finish();
    this.accept(readings, replies);
    this.next();
  }

  private next(): void {
    if (this.exchange || !this.isOpen) return;
    const frame = this.waiting.shift();
    if (!frame) return;
    const ex: ShtrihExchange = { frame, stage: 'enq', naks: 0 };
    this.exchange = ex;
    this.step(ex, 'enq', Uint8Array.of(SHTRIH.ENQ));
  }

  private step(ex: ShtrihExchange, stage: ShtrihStage, bytes: Uint8Array | null): void {
    ex.stage = stage;
    if (bytes) this.send(bytes);
    this.timers.clear(this.stepTimer);
    this.stepTimer = this.timers.after(SHTRIH_STEP_MS, () => this.abandon());
  }

  /** A step got no answer: give up this request (a command then times out; polls are asked again). */
  private abandon(): void {
    this.finish();
    this.next();
  }

  private finish(): void {
    this.exchange = null;
    this.timers.clear(this.stepTimer);
    this.stepTimer = null;
  }
}

/**
 * MT-SICS weighs net after a `T` without saying so in its weight lines: the tare the scale
 * confirmed (`T S <tare>`) is kept and every later reading is reported as net with that tare, so a
 * capture records gross = net + tare. `Z A` clears it, and so does a reopen (a tare set on the
 * scale's own key, or while the port was closed, cannot be seen by the host).
 */
class MtSicsScaleDriver extends PlainScaleDriver {
  private tareGrams: number | null = null;

  protected override started(): void {
    this.tareGrams = null;
    super.started();
  }

  /** Line by line: a tare reply changes the readings after it, not those before it in the same chunk. */
  protected override received(bytes: Uint8Array): void {
    let from = 0;
    for (let lf = bytes.indexOf(0x0a); lf >= 0; lf = bytes.indexOf(0x0a, from)) {
      this.line(bytes.subarray(from, lf + 1));
      from = lf + 1;
    }
    if (from < bytes.length) this.line(bytes.subarray(from));
  }

  private line(bytes: Uint8Array): void {
    const readings = this.decoder.push(bytes);
    const replies = this.decoder.takeReplies();
    for (const reply of replies) {
      if (!reply.ok) continue;
      // a late reply still tells what the scale did, whoever waited for it
      if (reply.command === 'zero') this.tareGrams = null;
      else if (reply.tare !== undefined && reply.unit !== undefined) {
        const grams = toGrams(reply.tare, reply.unit);
        this.tareGrams = grams > 0 ? grams : null;
      }
    }
    const tare = this.tareGrams;
    const shown = tare === null ? readings : readings.map((r) => ({ ...r, net: true, tare: round6(tare / GRAMS_PER_UNIT[r.unit]) }));
    this.accept(shown, replies);
  }
}

export function createScaleDriver(config: DeviceConfig, context: DriverContext): TransportDriver {
  const protocol = config.protocol as ScaleProtocol;
  if (protocol === 'shtrih') return new ShtrihScaleDriver(config, context);
  const options = config.options as ScaleOptions;
  if (protocol === 'mt-sics') return new MtSicsScaleDriver(config, context, dialect(protocol, options));
  return new PlainScaleDriver(config, context, dialect(protocol, options));
}
