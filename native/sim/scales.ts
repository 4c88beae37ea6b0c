/**
 * Scale simulators, one class per protocol, all speaking the real bytes (encoders from
 * native/protocols/scales). Shared API on top of `Simulator` (see simulator.ts):
 *
 *   const scale = await new ToledoSimulator({ state: { weightKg: 12.345 } }).start();
 *   scale.set({ weightKg: 3.2, stable: false })   state: { weightKg, stable, overload, underload, tareKg }
 *   scale.state                                   a copy of the state
 *   scale.corruptNext()                           the next weight frame has a wrong checksum/LRC/CRC
 *                                                 (MT-SICS and CAS have none: a mangled value instead)
 *   scale.sendFrame()                             Toledo/CAS: one frame now (with `intervalMs: 0`, the only ones)
 *
 * `weightKg` is what the display shows: the net weight while a tare is set. Zero and tare succeed only
 * on a stable, in-range weight; tare moves the displayed weight into `tareKg`.
 *
 *   MtSicsSimulator   answers S, SI, SIR (streams every `intervalMs` until @), Z, T, @; others → ES
 *   ToledoSimulator   streams continuous-output frames every `intervalMs` (option `checksum`, default on)
 *   CasSimulator      streams 22-byte frames every `intervalMs` (no underload flag: the frame carries the negative weight)
 *   MassaKSimulator   answers 0x23 get weight, 0x72 zero, 0xA3 tare; unknown → 0xF0 NACK; bad CRC → silence
 *   ShtrihSimulator   POS2: ENQ → NAK (ready) or ACK + the unacknowledged answer; frames ACK-ed (bad LRC → NAK)
 *                     then answered; 0x3A, 0x30, 0x31 with the password checked (`password`, default 0030)
 */
import {
  MASSA_K_CMD,
  MASSA_K_DIVISION_GRAMS,
  MASSA_K_MAX_BODY,
  SHTRIH,
  SHTRIH_CMD,
  SHTRIH_STATUS,
  encodeCasFrame,
  encodeMassaKFrame,
  encodeMassaKWeightReply,
  encodeShtrihFrame,
  encodeShtrihWeightReply,
  encodeToledoFrame,
  massaKCrc,
  shtrihLrc,
} from '../protocols/scales/index.js';
import { ascii, Simulator, type SimulatorOptions } from './simulator.js';

export interface ScaleState {
  weightKg: number;
  stable: boolean;
  overload: boolean;
  underload: boolean;
  tareKg: number;
}

export interface ScaleSimulatorOptions extends SimulatorOptions {
  state?: Partial<ScaleState>;
  /** Streaming interval (Toledo, CAS, MT-SICS SIR); default 100 ms; Toledo/CAS: 0 = only `sendFrame()`. */
  intervalMs?: number;
}

export const DEFAULT_STREAM_MS = 100;
/** Longest command line / frame the simulators buffer from the app before dropping it as noise. */
const MAX_INPUT = 512;

export abstract class ScaleSimulator extends Simulator {
  protected current: ScaleState;
  protected readonly intervalMs: number;
  private corrupt = false;

  constructor(kind: string, options: ScaleSimulatorOptions = {}) {
    super(kind, options);
    this.current = { weightKg: 0, stable: true, overload: false, underload: false, tareKg: 0, ...options.state };
    this.intervalMs = options.intervalMs ?? DEFAULT_STREAM_MS;
  }

  get state(): ScaleState {
    return { ...this.current };
  }

  set(patch: Partial<ScaleState>): void {
    this.current = { ...this.current, ...patch };
  }

  corruptNext(): void {
    this.corrupt = true;
  }

  /** Whether the frame being built now is the one to corrupt (the flag is used up). */
  protected takeCorrupt(): boolean {
    const c = this.corrupt;
    this.corrupt = false;
    return c;
  }

  protected get inRange(): boolean {
    return !this.current.overload && !this.current.underload;
  }

  /** Zero key: only a stable, in-range weight can be zeroed. */
  protected zero(): boolean {
    if (!this.current.stable || !this.inRange) return false;
    this.current.weightKg = 0;
    return true;
  }

  /** Tare key: the displayed weight becomes tare, the display shows net zero. */
  protected tare(): boolean {
    if (!this.current.stable || !this.inRange || this.current.weightKg <= 0) return false;
    this.current.tareKg = round3(this.current.tareKg + this.current.weightKg);
    this.current.weightKg = 0;
    return true;
  }
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** A scale that sends frames by itself every `intervalMs` (0: only when `sendFrame()` is called). */
abstract class StreamingScaleSimulator extends ScaleSimulator {
  /** The frame the scale sends now (corrupted if `corruptNext()` asked for it). */
  protected abstract frame(): Uint8Array;

  /** Sends one frame now, besides the stream. */
  sendFrame(): Promise<void> {
    return this.transmit(this.frame());
  }

  protected handle(): void {
    // continuous output: the scale does not listen
  }

  protected override started(): void {
    if (this.intervalMs > 0) this.repeat(this.intervalMs, () => void this.sendFrame());
  }
}

/** Replaces the first digit with `?`: a frame whose value no decoder accepts. */
function mangleDigit(frame: Uint8Array, from = 0): Uint8Array {
  const out = Uint8Array.from(frame);
  const i = out.findIndex((b, at) => at >= from && b >= 0x30 && b <= 0x39);
  if (i >= 0) out[i] = 0x3f;
  return out;
}

/** Flips the low bit of the last byte: a wrong checksum, LRC or CRC (still 7-bit for Toledo). */
function flipLastByte(frame: Uint8Array): Uint8Array {
  const out = Uint8Array.from(frame);
  out[out.length - 1] = (out[out.length - 1] ?? 0) ^ 0x01;
  return out;
}

/** Splits received text into complete lines (CR, LF or CR LF), keeping the unfinished tail. */
class LineBuffer {
  private text = '';
  push(bytes: Uint8Array): string[] {
    this.text += String.fromCharCode(...bytes);
    const parts = this.text.split(/\r\n|\r|\n/);
    this.text = (parts.pop() ?? '').slice(-MAX_INPUT);
    return parts;
  }
  clear(): void {
    this.text = '';
  }
}

// ── MT-SICS ─────────────────────────────────────────────────────────────────────────────────

export class MtSicsSimulator extends ScaleSimulator {
  private readonly lines = new LineBuffer();
  private stopStream: (() => void) | null = null;

  constructor(options: ScaleSimulatorOptions = {}) {
    super('mt-sics', options);
  }

  /** Whether an SIR stream is running. */
  get streaming(): boolean {
    return this.stopStream !== null;
  }

  protected handle(bytes: Uint8Array): void {
    for (const line of this.lines.push(bytes)) {
      const command = line.trim();
      if (command) this.command(command);
    }
  }

  protected override replugged(): void {
    this.lines.clear();
  }

  private command(command: string): void {
    switch (command) {
      case 'S':
        void this.reply(this.inRange && !this.current.stable ? 'S I' : this.weightLine());
        return;
      case 'SI':
        void this.reply(this.weightLine());
        return;
      case 'SIR':
        this.stopStream?.();
        this.stopStream = this.repeat(this.intervalMs || DEFAULT_STREAM_MS, () => void this.reply(this.weightLine()));
        void this.reply(this.weightLine());
        return;
      case 'Z':
        void this.reply(this.zero() ? 'Z A' : 'Z I');
        return;
      case 'T':
        void this.reply(this.tare() ? `T S ${this.value(this.current.tareKg)} kg` : 'T I');
        return;
      case '@':
        // Reset: stops repeated output, clears the tare, answers with the serial number.
        this.stopStream?.();
        this.stopStream = null;
        this.current.weightKg = round3(this.current.weightKg + this.current.tareKg);
        this.current.tareKg = 0;
        void this.reply('I4 A "0123456789"');
        return;
      default:
        void this.reply('ES');
    }
  }

  private weightLine(): string {
    if (this.current.overload) return 'S +';
    if (this.current.underload) return 'S -';
    return `S ${this.current.stable ? 'S' : 'D'} ${this.value(this.current.weightKg)} kg`;
  }

  /** Right-aligned in a 10-character field, as the balances print it. */
  private value(kg: number): string {
    return kg.toFixed(3).padStart(10);
  }

  private reply(line: string): Promise<void> {
    const bytes = ascii(`${line}\r\n`);
    const carriesWeight = /\d/.test(line) && !line.startsWith('I4');
    return this.transmit(carriesWeight && this.takeCorrupt() ? mangleDigit(bytes) : bytes);
  }
}

// ── Toledo continuous output ────────────────────────────────────────────────────────────────

export interface ToledoSimulatorOptions extends ScaleSimulatorOptions {
  /** Append the checksum byte (default true). */
  checksum?: boolean;
  /** Digits after the decimal point, 0..3 (default 3: 12.345 kg). */
  decimals?: 0 | 1 | 2 | 3;
}

export class ToledoSimulator extends StreamingScaleSimulator {
  private readonly checksum: boolean;
  private readonly decimals: number;

  constructor(options: ToledoSimulatorOptions = {}) {
    super('toledo', options);
    this.checksum = options.checksum ?? true;
    this.decimals = options.decimals ?? 3;
  }

  protected frame(): Uint8Array {
    const { weightKg, stable, overload, underload, tareKg } = this.current;
    const frame = encodeToledoFrame({
      weight: Math.abs(weightKg),
      tare: tareKg,
      decimalCode: 2 + this.decimals, // 2 = XX, 3 = X.X, 4 = X.XX, 5 = X.XXX
      net: tareKg > 0,
      negative: weightKg < 0 || underload,
      outOfRange: overload || underload,
      motion: !stable,
      unit: 'kg',
      checksum: this.checksum,
    });
    if (!this.takeCorrupt()) return frame;
    return this.checksum ? flipLastByte(frame) : mangleDigit(frame, 4);
  }
}

// ── CAS 22-byte ─────────────────────────────────────────────────────────────────────────────

export class CasSimulator extends StreamingScaleSimulator {
  constructor(options: ScaleSimulatorOptions = {}) {
    super('cas', options);
  }

  protected frame(): Uint8Array {
    const { weightKg, stable, overload, tareKg } = this.current;
    const frame = encodeCasFrame({
      header: overload ? 'OL' : stable ? 'ST' : 'US',
      net: tareKg > 0,
      weight: weightKg.toFixed(3).padStart(8),
      unit: 'kg',
    });
    return this.takeCorrupt() ? mangleDigit(frame, 9) : frame;
  }
}

// ── Massa-K Protocol 100 ────────────────────────────────────────────────────────────────────

export interface MassaKSimulatorOptions extends ScaleSimulatorOptions {
  /** Division code 0..4 (0.1 g, 1 g, 10 g, 100 g, 1 kg); default 1 (1 g). */
  divisionCode?: 0 | 1 | 2 | 3 | 4;
}

const MASSA_K_ERROR = { overload: 0x08, cannotZero: 0x15 } as const;

export class MassaKSimulator extends ScaleSimulator {
  private readonly divisionCode: number;
  private input: number[] = [];

  constructor(options: MassaKSimulatorOptions = {}) {
    super('massa-k', options);
    this.divisionCode = options.divisionCode ?? 1;
  }

  protected override replugged(): void {
    this.input = [];
  }

  protected handle(bytes: Uint8Array): void {
    this.input.push(...bytes);
    if (this.input.length > MAX_INPUT) this.input = this.input.slice(-MAX_INPUT);
    for (;;) {
      const start = this.input.indexOf(0xf8);
      if (start < 0) {
        this.input = [];
        return;
      }
      if (start > 0) this.input = this.input.slice(start);
      const n = this.input.length;
      if ((n > 1 && this.input[1] !== 0x55) || (n > 2 && this.input[2] !== 0xce)) {
        this.input.shift();
        continue;
      }
      if (n < 5) return;
      const len = (this.input[3] ?? 0) | ((this.input[4] ?? 0) << 8);
      if (len === 0 || len > MASSA_K_MAX_BODY) {
        this.input.shift();
        continue;
      }
      if (this.input.length < 5 + len + 2) return;
      const body = Uint8Array.from(this.input.slice(5, 5 + len));
      const crc = (this.input[5 + len] ?? 0) | ((this.input[6 + len] ?? 0) << 8);
      if (massaKCrc(body) !== crc) {
        this.input.shift(); // a frame the scale cannot trust gets no answer at all
        continue;
      }
      this.input = this.input.slice(5 + len + 2);
      void this.transmit(this.command(body));
    }
  }

  /** The answer to one good frame. */
  private command(body: Uint8Array): Uint8Array {
    switch (body[0]) {
      case MASSA_K_CMD.getWeight: {
        if (this.current.overload) return this.error(MASSA_K_ERROR.overload);
        const frame = encodeMassaKWeightReply({
          divisions: this.divisions(this.current.weightKg),
          divisionCode: this.divisionCode,
          stable: this.current.stable,
          net: this.current.tareKg > 0,
          zero: this.current.weightKg === 0,
          tareDivisions: this.divisions(this.current.tareKg),
        });
        return this.takeCorrupt() ? flipLastByte(frame) : frame;
      }
      case MASSA_K_CMD.setZero:
        return this.zero() ? encodeMassaKFrame(Uint8Array.of(MASSA_K_CMD.zeroOk)) : this.error(MASSA_K_ERROR.cannotZero);
      case MASSA_K_CMD.setTare: {
        let ok: boolean;
        if (body.length >= 5) {
          // a tare value (in divisions) instead of "take the current weight"
          const tareKg = this.kg(new DataView(body.buffer, body.byteOffset).getInt32(1, true));
          ok = tareKg >= 0 && this.inRange;
          if (ok) this.set({ weightKg: round3(this.current.weightKg + this.current.tareKg - tareKg), tareKg });
        } else ok = this.tare();
        return encodeMassaKFrame(Uint8Array.of(ok ? MASSA_K_CMD.tareOk : MASSA_K_CMD.tareRefused));
      }
      default:
        return encodeMassaKFrame(Uint8Array.of(MASSA_K_CMD.nack));
    }
  }

  private get gramsPerDivision(): number {
    return MASSA_K_DIVISION_GRAMS[this.divisionCode as 0];
  }

  private divisions(kg: number): number {
    return Math.round((kg * 1000) / this.gramsPerDivision);
  }

  private kg(divisions: number): number {
    return round3((divisions * this.gramsPerDivision) / 1000);
  }

  private error(code: number): Uint8Array {
    return encodeMassaKFrame(Uint8Array.of(MASSA_K_CMD.error, code));
  }
}

// ── Shtrih-M POS2 ───────────────────────────────────────────────────────────────────────────

export interface ShtrihSimulatorOptions extends ScaleSimulatorOptions {
  /** 4 ASCII digits; default 0030. */
  password?: string;
}

/** Error codes from the manufacturer's driver (decimal): any non-zero code is an error to the host. */
export const SHTRIH_ERROR = {
  unknownCommand: 120,
  wrongLength: 121,
  wrongPassword: 122,
  cannotZero: 150,
  cannotTare: 151,
  notFixed: 152,
} as const;

/** An answer the host did not acknowledge is sent again at most this many times. */
const SHTRIH_MAX_RESENDS = 10;

export class ShtrihSimulator extends ScaleSimulator {
  private readonly password: string;
  private input: number[] = [];
  /** The last answer, until the host ACKs it. */
  private pending: Uint8Array | null = null;
  private resends = 0;

  constructor(options: ShtrihSimulatorOptions = {}) {
    super('shtrih', options);
    this.password = options.password ?? '0030';
  }

  protected override replugged(): void {
    this.input = [];
    this.pending = null;
  }

  protected handle(bytes: Uint8Array): void {
    this.input.push(...bytes);
    if (this.input.length > MAX_INPUT) this.input = this.input.slice(-MAX_INPUT);
    while (this.input.length > 0) {
      const first = this.input[0];
      if (first === SHTRIH.ENQ) {
        this.input.shift();
        if (this.pending) void this.transmit(Uint8Array.of(SHTRIH.ACK), this.pending);
        else void this.transmit(Uint8Array.of(SHTRIH.NAK));
      } else if (first === SHTRIH.ACK) {
        this.input.shift();
        this.pending = null;
      } else if (first === SHTRIH.NAK) {
        this.input.shift();
        if (this.pending && this.resends++ < SHTRIH_MAX_RESENDS) void this.transmit(this.pending);
      } else if (first === SHTRIH.STX) {
        if (this.input.length < 2) return;
        const size = (this.input[1] ?? 0) + 3;
        if (this.input.length < size) return;
        const frame = Uint8Array.from(this.input.splice(0, size));
        if (frame[1] === 0 || shtrihLrc(frame.subarray(1, size - 1)) !== frame[size - 1]) {
          void this.transmit(Uint8Array.of(SHTRIH.NAK));
          continue;
        }
        const answer = this.command(frame[2] ?? 0, frame.subarray(3, size - 1));
        this.pending = answer;
        this.resends = 0;
        // A corrupted answer is a transmission error: the host's NAK gets the good one.
        void this.transmit(Uint8Array.of(SHTRIH.ACK), this.takeCorrupt() ? flipLastByte(answer) : answer);
      } else {
        this.input.shift(); // noise between frames
      }
    }
  }

  private command(cmd: number, data: Uint8Array): Uint8Array {
    const result = (code: number): Uint8Array => encodeShtrihFrame(cmd, Uint8Array.of(code));
    if (cmd !== SHTRIH_CMD.weightState && cmd !== SHTRIH_CMD.zero && cmd !== SHTRIH_CMD.tare) return result(SHTRIH_ERROR.unknownCommand);
    if (data.length !== 4) return result(SHTRIH_ERROR.wrongLength);
    if (String.fromCharCode(...data) !== this.password) return result(SHTRIH_ERROR.wrongPassword);
    if (cmd === SHTRIH_CMD.zero) return result(this.zero() ? 0 : this.current.stable ? SHTRIH_ERROR.cannotZero : SHTRIH_ERROR.notFixed);
    if (cmd === SHTRIH_CMD.tare) return result(this.tare() ? 0 : this.current.stable ? SHTRIH_ERROR.cannotTare : SHTRIH_ERROR.notFixed);
    const { weightKg, stable, overload, underload, tareKg } = this.current;
    const status =
      SHTRIH_STATUS.channelOn |
      (stable ? SHTRIH_STATUS.stable | SHTRIH_STATUS.fixed : 0) |
      (tareKg > 0 ? SHTRIH_STATUS.tareSet : 0) |
      (overload ? SHTRIH_STATUS.overload : 0) |
      (underload ? SHTRIH_STATUS.underload : 0);
    return encodeShtrihWeightReply({
      status,
      grams: Math.round(weightKg * 1000),
      tareGrams: Math.min(0xffff, Math.round(tareKg * 1000)),
    });
  }
}
