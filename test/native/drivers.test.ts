// Device drivers over real pseudo-terminals and real TCP sockets: the device side is played with
// the protocol encoders, the app side is the driver with a real SerialTransport / TcpTransport.
import { createHook } from 'node:async_hooks';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LAB_LINE_PRESETS } from '../../main/contract/device-presets.js';
import {
  deviceConfig,
  type Connection,
  type ConnectionInput,
  type DeviceFault,
  type DeviceProtocol,
  type PrintJob,
  type ScaleProtocol,
  type ScanEvent,
  type SensorSampleEvent,
  type WeightEvent,
} from '../../main/contract/devices.js';
import { createDriver, type DeviceDriver, type DriverListeners, type LabMessage } from '../../native/drivers/index.js';
import { AstmSender, buildHeader } from '../../native/protocols/astm/index.js';
import { GS } from '../../native/protocols/gs1.js';
import { buildExceptionResponse, buildReadResponse, crc16 } from '../../native/protocols/modbus-registers.js';
import {
  SHTRIH,
  SHTRIH_STATUS,
  encodeCasFrame,
  encodeMassaKFrame,
  encodeMassaKWeightReply,
  encodeShtrihFrame,
  encodeShtrihWeightReply,
  encodeToledoFrame,
} from '../../native/protocols/scales/index.js';
import { PrinterDriver } from '../../native/drivers/printer.js';
import { openPty, type PtyPair } from '../../native/sim/pty.js';
import { LpTransport } from '../../native/transports/lp.js';
import { SerialTransport } from '../../native/transports/serial.js';
import { TcpTransport } from '../../native/transports/tcp.js';
import type { Transport } from '../../native/transports/transport.js';

// ── harness ─────────────────────────────────────────────────────────────────────────────────

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

async function until<T>(what: string, probe: () => T | null | undefined | false, ms = 4_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Counts the timers created from now on that are still alive (polls, watchdogs, timeouts): after a
 * driver closed or lost its device there must be none of its own left.
 */
function watchTimers(): { alive: () => Promise<number> } {
  const alive = new Set<number>();
  const hook = createHook({
    init: (id, type) => void (type === 'Timeout' && alive.add(id)),
    destroy: (id) => void alive.delete(id),
  }).enable();
  cleanups.push(() => hook.disable());
  return {
    // Destroy hooks run after the timer callbacks, and a loaded machine runs them late: give a
    // second for the count to reach zero (a leaked poll interval never does). No timers here —
    // they would count themselves.
    alive: async () => {
      const end = Date.now() + 1_000;
      do await new Promise((resolve) => setImmediate(resolve));
      while (alive.size > 0 && Date.now() < end);
      return alive.size;
    },
  };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The device end of a pty: what the app sent, and writing to the app, as raw bytes. */
class DeviceEnd {
  private readonly log: number[] = [];
  private readonly handlers = new Set<(bytes: Uint8Array) => void>();

  constructor(readonly pty: PtyPair) {
    pty.master.on('error', () => undefined); // EIO when the pair goes away
    pty.master.on('data', (chunk: Buffer) => {
      const bytes = Uint8Array.from(chunk);
      this.log.push(...bytes);
      for (const handler of this.handlers) handler(bytes);
    });
  }

  /** Everything the app sent so far, as text. */
  text(): string {
    return latin1(Uint8Array.from(this.log));
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.log);
  }

  on(handler: (bytes: Uint8Array) => void): void {
    this.handlers.add(handler);
  }

  write(bytes: Uint8Array | string): void {
    this.pty.master.write(Buffer.from(typeof bytes === 'string' ? ascii(bytes) : bytes));
  }

  /** Two writes with a pause between: the app reads the frame in two pieces. */
  async writeSplit(bytes: Uint8Array): Promise<void> {
    const half = Math.max(1, Math.floor(bytes.length / 2));
    this.write(bytes.subarray(0, half));
    await sleep(25);
    this.write(bytes.subarray(half));
  }
}

interface Heard {
  weights: { event: WeightEvent; raw: string }[];
  scans: ScanEvent[];
  labs: { message: LabMessage; at: number }[];
  samples: SensorSampleEvent[];
  lines: string[];
  jobs: PrintJob[];
  faults: DeviceFault[];
  closed: DeviceFault[];
}

function listen(): { heard: Heard; listeners: DriverListeners } {
  const heard: Heard = { weights: [], scans: [], labs: [], samples: [], lines: [], jobs: [], faults: [], closed: [] };
  const listeners: DriverListeners = {
    weight: (event, raw) => heard.weights.push({ event, raw }),
    scan: (event) => heard.scans.push(event),
    lab: (message, at) => heard.labs.push({ message, at }),
    sample: (event) => heard.samples.push(event),
    line: (text) => heard.lines.push(text),
    job: (job) => heard.jobs.push(job),
    fault: (fault) => heard.faults.push(fault),
    closed: (fault) => heard.closed.push(fault),
  };
  return { heard, listeners };
}

function transportFor(connection: Connection): Transport {
  if (connection.type === 'serial') return new SerialTransport(connection);
  if (connection.type === 'tcp') return new TcpTransport(connection);
  if (connection.type === 'lp') return new LpTransport(connection);
  throw new Error(`no ${connection.type} transport in these tests`);
}

function makeDriver(protocol: DeviceProtocol, connection: ConnectionInput, options: object = {}): { driver: DeviceDriver; heard: Heard } {
  const config = deviceConfig.parse({ code: 'DEV-1', name: 'Стенд', protocol, connection, options });
  const { heard, listeners } = listen();
  const driver = createDriver(config, { now: () => Date.now(), listeners, openTransport: transportFor });
  cleanups.push(() => driver.close());
  return { driver, heard };
}

interface Rig {
  pty: PtyPair;
  device: DeviceEnd;
  driver: DeviceDriver;
  heard: Heard;
}

async function onPty(protocol: DeviceProtocol, options: object = {}): Promise<Rig> {
  const pty = await openPty();
  cleanups.push(() => pty.close());
  const device = new DeviceEnd(pty);
  return { pty, device, ...makeDriver(protocol, { type: 'serial', path: pty.path }, options) };
}

/** Splits what the app sends into CR/LF-terminated commands. */
function onCommands(device: DeviceEnd, handle: (command: string) => void): void {
  let pending = '';
  device.on((bytes) => {
    pending += latin1(bytes);
    for (let i = pending.search(/[\r\n]/); i >= 0; i = pending.search(/[\r\n]/)) {
      const command = pending.slice(0, i);
      pending = pending.slice(i + 1);
      if (command !== '') handle(command);
    }
  });
}

// ── scales ──────────────────────────────────────────────────────────────────────────────────

/** What the simulated scale does; the test changes it as it goes. */
interface ScaleState {
  /** Polled scales: the answer to a poll; null = the scale is silent. */
  answer: Uint8Array | null;
  split: boolean;
  /** Zero/tare are refused. */
  refuse: boolean;
  /** Zero/tare get no answer at all. */
  ignoreCommands: boolean;
  /** Shtrih: an answer the scale still holds from before (sent on the next ENQ). */
  held: Uint8Array | null;
}

interface ScaleKit {
  protocol: ScaleProtocol;
  /** 12.345 kg stable and moving, 2.5 kg stable. */
  stable: Uint8Array;
  unstable: Uint8Array;
  other: Uint8Array;
  overload: Uint8Array;
  underload: Uint8Array | null;
  /** The same frame with a byte damaged so that its check fails. */
  corrupt(frame: Uint8Array): Uint8Array;
  /** Polled scales answer polls and commands; streaming ones are written to by the test. */
  serve?(device: DeviceEnd, state: ScaleState): void;
}

const damaged = (frame: Uint8Array, at: number, value: (b: number) => number): Uint8Array => {
  const copy = frame.slice();
  copy[at] = value(copy[at] ?? 0);
  return copy;
};

async function reply(device: DeviceEnd, state: ScaleState, bytes: Uint8Array | null): Promise<void> {
  if (!bytes) return;
  if (state.split) await device.writeSplit(bytes);
  else device.write(bytes);
}

const shtrihWeight = (status: number, grams: number): Uint8Array =>
  encodeShtrihWeightReply({ status: SHTRIH_STATUS.channelOn | status, grams });

const KITS: ScaleKit[] = [
  {
    protocol: 'mt-sics',
    stable: ascii('S S     12.345 kg\r\n'),
    unstable: ascii('S D     12.345 kg\r\n'),
    other: ascii('S S      2.500 kg\r\n'),
    overload: ascii('S +\r\n'),
    underload: ascii('S -\r\n'),
    corrupt: (f) => damaged(f, 4, () => 0x00), // a line noise byte: the line cannot be read
    serve(device, state) {
      onCommands(device, (command) => {
        if (command === 'SI') void reply(device, state, state.answer);
        else if (!state.ignoreCommands && command === 'Z') void reply(device, state, ascii(state.refuse ? 'Z I\r\n' : 'Z A\r\n'));
        else if (!state.ignoreCommands && command === 'T')
          void reply(device, state, ascii(state.refuse ? 'T I\r\n' : 'T S      0.500 kg\r\n'));
      });
    },
  },
  {
    protocol: 'toledo',
    stable: encodeToledoFrame({ weight: 12.345, tare: 0, decimalCode: 5 }),
    unstable: encodeToledoFrame({ weight: 12.345, tare: 0, decimalCode: 5, motion: true }),
    other: encodeToledoFrame({ weight: 2.5, tare: 0, decimalCode: 5 }),
    overload: encodeToledoFrame({ weight: 999.999, tare: 0, decimalCode: 5, outOfRange: true }),
    underload: encodeToledoFrame({ weight: 1, tare: 0, decimalCode: 5, outOfRange: true, negative: true }),
    corrupt: (f) => damaged(f, 8, (b) => b ^ 0x01), // a digit changed: the checksum fails
  },
  {
    protocol: 'cas',
    stable: encodeCasFrame({ header: 'ST', weight: '12.345' }),
    unstable: encodeCasFrame({ header: 'US', weight: '12.345' }),
    other: encodeCasFrame({ header: 'ST', weight: '2.500' }),
    overload: encodeCasFrame({ header: 'OL', weight: '999.999' }),
    underload: null, // the 22-byte format has no underload
    corrupt: (f) => damaged(f, 5, () => 0x3b), // a separator lost
  },
  {
    protocol: 'massa-k',
    stable: encodeMassaKWeightReply({ divisions: 12_345, divisionCode: 1, stable: true }),
    unstable: encodeMassaKWeightReply({ divisions: 12_345, divisionCode: 1, stable: false }),
    other: encodeMassaKWeightReply({ divisions: 2_500, divisionCode: 1, stable: true }),
    overload: encodeMassaKFrame(Uint8Array.of(0x28, 0x08)),
    underload: null, // reported as an error code, not as a weight below zero
    corrupt: (f) => damaged(f, 7, (b) => b ^ 0x01), // the CRC fails
    serve(device, state) {
      let pending: number[] = [];
      device.on((bytes) => {
        pending.push(...bytes);
        for (;;) {
          const start = pending.indexOf(0xf8);
          if (start < 0 || pending.length < start + 5) break;
          const len = (pending[start + 3] ?? 0) | ((pending[start + 4] ?? 0) << 8);
          if (pending.length < start + 5 + len + 2) break;
          const command = pending[start + 5];
          pending = pending.slice(start + 5 + len + 2);
          if (command === 0x23) void reply(device, state, state.answer);
          else if (state.ignoreCommands) continue;
          else if (command === 0x72) void reply(device, state, encodeMassaKFrame(Uint8Array.from(state.refuse ? [0x28, 0x15] : [0x27])));
          else if (command === 0xa3) void reply(device, state, encodeMassaKFrame(Uint8Array.of(state.refuse ? 0x15 : 0x12)));
        }
      });
    },
  },
  {
    protocol: 'shtrih',
    stable: shtrihWeight(SHTRIH_STATUS.stable, 12_345),
    unstable: shtrihWeight(0, 12_345),
    other: shtrihWeight(SHTRIH_STATUS.stable, 2_500),
    overload: shtrihWeight(SHTRIH_STATUS.overload, 0),
    underload: shtrihWeight(SHTRIH_STATUS.underload, 0),
    corrupt: (f) => damaged(f, 6, (b) => b ^ 0x01), // the LRC fails
    serve(device, state) {
      let pending: number[] = [];
      device.on((bytes) => {
        pending.push(...bytes);
        while (pending.length > 0) {
          const first = pending[0];
          if (first === SHTRIH.ENQ) {
            pending.shift();
            if (state.answer === null) continue; // switched off
            // ACK: "I hold an answer" (and here it is); NAK: "ready for a command"
            if (state.held) void reply(device, state, cat(Uint8Array.of(SHTRIH.ACK), state.held));
            else device.write(Uint8Array.of(SHTRIH.NAK));
          } else if (first === SHTRIH.ACK) {
            pending.shift();
            state.held = null; // the host took the answer
          } else if (first === SHTRIH.STX) {
            const len = pending[1];
            if (len === undefined || pending.length < len + 3) break;
            const command = pending[2];
            pending = pending.slice(len + 3);
            if (state.answer === null) continue;
            let answer: Uint8Array | null = null;
            if (command === 0x3a) answer = state.answer;
            else if (!state.ignoreCommands) answer = encodeShtrihFrame(command ?? 0, Uint8Array.of(state.refuse ? 0x58 : 0));
            if (!answer) continue;
            state.held = answer;
            void reply(device, state, cat(Uint8Array.of(SHTRIH.ACK), answer));
          } else pending.shift();
        }
      });
    },
  },
];

const POLL_MS = 100;

async function openScale(kit: ScaleKit, options: object = {}) {
  const rig = await onPty(kit.protocol, { pollMs: POLL_MS, ...options });
  const state: ScaleState = { answer: null, split: false, refuse: false, ignoreCommands: false, held: null };
  kit.serve?.(rig.device, state);
  await rig.driver.open();
  /** A polled scale answers with `frame` from now on; a streaming one sends it once. */
  const feed = async (frame: Uint8Array, split = false): Promise<void> => {
    if (kit.serve) {
      state.answer = frame;
      state.split = split;
    } else if (split) await rig.device.writeSplit(frame);
    else rig.device.write(frame);
  };
  return { ...rig, state, feed };
}

const withGrams = (heard: Heard, grams: number) => heard.weights.find((w) => w.event.grams === grams);

describe.each(KITS)('$protocol scale', (kit) => {
  it('a stable reading reaches the weight listener with the right grams and the raw frame', async () => {
    const { heard, feed } = await openScale(kit);
    await feed(kit.stable);
    const w = await until('a stable weight', () => heard.weights.find((x) => x.event.stable));
    expect(w.event).toMatchObject({ device: 'DEV-1', weight: 12.345, unit: 'kg', grams: 12_345, stable: true, status: 'ok' });
    expect(w.raw).not.toBe('');
    expect(Math.abs(w.event.at - Date.now())).toBeLessThan(5_000);
  });

  it('a moving weight is reported, but not as stable', async () => {
    const { heard, feed } = await openScale(kit);
    await feed(kit.unstable);
    const w = await until('a weight', () => heard.weights[0]);
    expect(w.event).toMatchObject({ grams: 12_345, stable: false, status: 'ok' });
  });

  it('overload and underload carry no grams', async () => {
    const { heard, feed } = await openScale(kit);
    await feed(kit.overload);
    const over = await until('overload', () => heard.weights.find((w) => w.event.status === 'overload'));
    expect(over.event).toMatchObject({ grams: null, stable: false });
    if (!kit.underload) return;
    await feed(kit.underload);
    const under = await until('underload', () => heard.weights.find((w) => w.event.status === 'underload'));
    expect(under.event).toMatchObject({ grams: null, stable: false });
  });

  it('reads a frame that arrives in two pieces', async () => {
    const { heard, feed } = await openScale(kit);
    await feed(kit.stable, true);
    await until('the split frame', () => withGrams(heard, 12_345));
  });

  it('reads two frames that arrive in one write, in order', async () => {
    const { heard, feed } = await openScale(kit);
    await feed(cat(kit.stable, kit.other));
    await until('both frames', () => withGrams(heard, 2_500));
    const grams = heard.weights.map((w) => w.event.grams);
    expect(grams.slice(0, 2)).toEqual([12_345, 2_500]);
  });

  it('a corrupted frame gives no reading and garbage is skipped', async () => {
    const { heard, feed } = await openScale(kit);
    const garbage = Uint8Array.of(0x00, 0xfe, 0x41, 0x7f, 0x01, 0x99, 0x0d, 0x0a);
    await feed(cat(kit.corrupt(kit.stable), garbage, kit.other));
    await until('the good frame after the bad one', () => withGrams(heard, 2_500));
    expect(heard.weights.every((w) => w.event.grams === 2_500)).toBe(true);
    expect(heard.closed).toEqual([]);
  });

  it('unplugging closes once with DISCONNECTED and leaves no timer running', async () => {
    const timers = watchTimers();
    const { heard, feed, pty } = await openScale(kit);
    await feed(kit.stable);
    await until('a reading', () => heard.weights[0]);
    pty.close();
    await until('the close', () => heard.closed[0]);
    await sleep(200);
    expect(heard.closed.map((f) => f.code)).toEqual(['DISCONNECTED']);
    expect(await timers.alive()).toBe(0);
  });

  it('a silent scale raises a TIMEOUT fault, and the link stays open', async () => {
    const { heard } = await openScale(kit);
    const fault = await until('the timeout fault', () => heard.faults.find((f) => f.code === 'TIMEOUT'), 3_000);
    expect(fault.message.en).toMatch(/no answer within 1000 ms/);
    expect(heard.closed).toEqual([]);
  });

  if (kit.serve) {
    it('zero and tare resolve when the scale confirms and reject when it refuses', async () => {
      const { driver, feed, state } = await openScale(kit);
      await feed(kit.stable);
      await driver.zero?.();
      await driver.tare?.();
      state.refuse = true;
      await expect(driver.zero?.()).rejects.toMatchObject({ fault: { code: 'DEVICE_ERROR' } });
      await expect(driver.tare?.()).rejects.toMatchObject({ fault: { code: 'DEVICE_ERROR' } });
    });
  } else {
    it('zero and tare are refused as UNSUPPORTED (the scale only talks)', async () => {
      const { driver } = await openScale(kit);
      await expect(driver.zero?.()).rejects.toMatchObject({ fault: { code: 'UNSUPPORTED' } });
      await expect(driver.tare?.()).rejects.toMatchObject({ fault: { code: 'UNSUPPORTED' } });
    });
  }
});

describe('scale details', () => {
  const mtSics = KITS[0]!;
  const shtrih = KITS[4]!;

  it('MT-SICS polls SI and sends Z and T for zero and tare', async () => {
    const { device, driver, feed } = await openScale(mtSics);
    await feed(mtSics.stable);
    await until('a few polls', () => device.text().split('SI\r\n').length > 3);
    await driver.zero?.();
    await driver.tare?.();
    expect(device.text()).toContain('Z\r\n');
    expect(device.text()).toContain('T\r\n');
  });

  it('the TIMEOUT fault comes once per silence, and again after readings came back and stopped', async () => {
    const { heard, feed, state } = await openScale(mtSics);
    const timeouts = (): number => heard.faults.filter((f) => f.code === 'TIMEOUT').length;
    await until('the first timeout', () => timeouts() === 1, 3_000);
    await sleep(1_300); // a whole further timeout period of silence
    expect(timeouts()).toBe(1);
    await feed(mtSics.stable);
    await until('readings again', () => heard.weights.length > 0);
    state.answer = null;
    await until('the second timeout', () => timeouts() === 2, 3_000);
  });

  it('a driver opened again after a close still notices a silent scale', async () => {
    const { driver, heard, feed, state } = await openScale(mtSics);
    await feed(mtSics.stable);
    await until('readings', () => heard.weights.length > 0);
    await driver.close();
    await driver.open();
    state.answer = null;
    await until('the timeout on the reopened link', () => heard.faults.find((f) => f.code === 'TIMEOUT'), 3_000);
  });

  it('a zero the scale never answers rejects with TIMEOUT', async () => {
    const { driver, feed, state } = await openScale(mtSics);
    await feed(mtSics.stable);
    state.ignoreCommands = true;
    await expect(driver.zero?.()).rejects.toMatchObject({ fault: { code: 'TIMEOUT' } });
  });

  it('MT-SICS: after a tare the scale confirmed, readings are net with that tare until a zero or a reopen', async () => {
    const { driver, heard, feed } = await openScale(mtSics);
    await feed(mtSics.stable);
    await until('a gross reading', () => heard.weights[0]);
    expect(heard.weights[0]!.event).toMatchObject({ grams: 12_345, tareGrams: null });
    expect(heard.weights[0]!.event.net).toBeUndefined();
    const next = async (what: string) => {
      const from = heard.weights.length;
      return (await until(what, () => heard.weights[from])).event;
    };
    await driver.tare?.(); // the scale answers T S 0.500 kg
    expect(await next('a net reading')).toMatchObject({ grams: 12_345, net: true, tareGrams: 500 });
    await driver.zero?.();
    expect((await next('a reading after the zero')).net).toBeUndefined();
    await driver.tare?.();
    await driver.close();
    await driver.open();
    expect((await next('a reading after the reopen')).net).toBeUndefined();
  });

  it('MT-SICS: a tare reply between two readings of one chunk counts for the later one only', async () => {
    const { device, heard } = await openScale(mtSics, { stream: true });
    device.write('S S     12.345 kg\r\nT S      0.500 kg\r\nS S     11.845 kg\r\n');
    await until('both readings', () => heard.weights.length === 2);
    expect(heard.weights.map((w) => [w.event.grams, w.event.net === true, w.event.tareGrams])).toEqual([
      [12_345, false, null],
      [11_845, true, 500],
    ]);
  });

  it('MT-SICS in stream mode asks once with SIR and takes every reading', async () => {
    const { device, heard } = await openScale(mtSics, { stream: true });
    await until('SIR', () => device.text().includes('SIR\r\n'));
    for (let i = 1; i <= 5; i++) device.write(`S D      ${i}.000 kg\r\n`);
    await until('five readings', () => heard.weights.length === 5);
    expect(heard.weights.map((w) => w.event.grams)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(device.text()).not.toContain('SI\r\n');
  });

  it('Shtrih: an answer the scale still held (ACK to ENQ) is taken and acknowledged, never used', async () => {
    const rig = await onPty('shtrih', { pollMs: POLL_MS, password: '0030' });
    const state: ScaleState = {
      answer: shtrih.stable,
      split: false,
      refuse: false,
      ignoreCommands: false,
      held: shtrihWeight(SHTRIH_STATUS.stable, 99_999),
    };
    shtrih.serve?.(rig.device, state);
    await rig.driver.open();
    await until('a fresh reading', () => withGrams(rig.heard, 12_345));
    expect(withGrams(rig.heard, 99_999)).toBeUndefined();
    expect(state.held === null || latin1(state.held) === latin1(shtrih.stable)).toBe(true);
    // the password goes with every command: STX 05 3A '0' '0' '3' '0' LRC
    expect(rig.device.text()).toContain(latin1(Uint8Array.of(0x02, 0x05, 0x3a, 0x30, 0x30, 0x33, 0x30)));
  });

  it('closing on purpose tells nobody and stops every timer', async () => {
    const timers = watchTimers();
    const { driver, heard, feed } = await openScale(mtSics);
    await feed(mtSics.stable);
    await until('a reading', () => heard.weights[0]);
    await driver.close();
    expect(await timers.alive()).toBe(0);
    expect(heard.closed).toEqual([]);
    await expect(driver.zero?.()).rejects.toMatchObject({ fault: { code: 'DISCONNECTED' } });
  });

  it('a listener that throws costs only its own event: a fault, and readings go on', async () => {
    const pty = await openPty();
    cleanups.push(() => pty.close());
    const device = new DeviceEnd(pty);
    const { heard, listeners } = listen();
    let calls = 0;
    const config = deviceConfig.parse({ code: 'DEV-1', name: 'Стенд', protocol: 'cas', connection: { type: 'serial', path: pty.path } });
    const driver = createDriver(config, {
      now: () => Date.now(),
      listeners: {
        ...listeners,
        weight: (event, raw) => {
          if (++calls === 1) throw new Error('listener bug');
          listeners.weight?.(event, raw);
        },
      },
      openTransport: transportFor,
    });
    cleanups.push(() => driver.close());
    await driver.open();
    device.write(cat(KITS[2]!.stable, KITS[2]!.other));
    await until('the second reading', () => heard.weights[0]);
    expect(heard.weights.map((w) => w.event.grams)).toEqual([2_500]);
    expect(heard.faults[0]?.cause).toBe('listener bug');
    expect(heard.closed).toEqual([]);
  });

  it('a second driver cannot open a port that is already open', async () => {
    const { pty } = await openScale(mtSics);
    const other = makeDriver('mt-sics', { type: 'serial', path: pty.path });
    // serialport locks the port: the second open is refused with a fault the user can read
    await expect(other.driver.open()).rejects.toMatchObject({ fault: { code: 'BUSY' } });
  });

  it('opening a port that does not exist rejects with NOT_FOUND', async () => {
    const { driver } = makeDriver('cas', { type: 'serial', path: '/dev/plantdesk-no-such-port' });
    await expect(driver.open()).rejects.toMatchObject({ fault: { code: 'NOT_FOUND' } });
  });
});

// ── scanners ────────────────────────────────────────────────────────────────────────────────

describe('serial scanner', () => {
  const GTIN = '04607001000013';
  const LABEL = `]C101${GTIN}10BFP-7${GS}17261127`;

  it('turns a GS1 label into a scan with its fields and dates, whatever the line end', async () => {
    const { device, driver, heard } = await onPty('scanner-serial');
    await driver.open();
    device.write(`${LABEL}\r`);
    device.write(`${LABEL}\n`);
    device.write(`${LABEL}\r\n\r\n`);
    await until('three scans', () => heard.scans.length === 3);
    for (const scan of heard.scans) {
      expect(scan).toMatchObject({ device: 'DEV-1', raw: LABEL, symbology: 'gs1-128', aim: ']C1', gs1: true, errors: [] });
      expect(scan.fields).toEqual([
        { ai: '01', name: 'GTIN', value: GTIN },
        { ai: '10', name: 'BATCH/LOT', value: 'BFP-7' },
        { ai: '17', name: 'USE BY OR EXPIRY', value: '261127', date: '2026-11-27' },
      ]);
    }
  });

  it('reports a bad check digit as an error of the scan', async () => {
    const { device, driver, heard } = await onPty('scanner-serial');
    await driver.open();
    device.write(`]C10104607001000014\r`);
    const scan = await until('the scan', () => heard.scans[0]);
    expect(scan.errors).toEqual([
      expect.objectContaining({ code: 'CHECK_DIGIT', ai: '01', ru: expect.stringContaining('контрольная цифра'), en: expect.stringContaining('check digit') }),
    ]);
    expect(scan.fields).toEqual([]);
  });

  it('drops a runaway line with a fault and goes on with the next scan', async () => {
    const { device, driver, heard } = await onPty('scanner-serial');
    await driver.open();
    device.write('9'.repeat(5_000));
    device.write(`\r${LABEL}\r`);
    await until('the next scan', () => heard.scans[0]);
    expect(heard.scans.map((s) => s.raw)).toEqual([LABEL]);
    expect(heard.faults.map((f) => f.code)).toEqual(['PROTOCOL']);
  });

  it('has no settings: none are needed, and an unknown one (like a line ending) is refused', () => {
    const scanner = { code: 'SCAN-1', name: 'Сканер', protocol: 'scanner-serial', connection: { type: 'serial', path: '/dev/ttyACM0' } };
    expect(deviceConfig.parse({ ...scanner, options: {} }).options).toEqual({});
    const refused = deviceConfig.safeParse({ ...scanner, options: { suffix: 'cr' } });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(['options']);
  });
});

// ── lab instruments ─────────────────────────────────────────────────────────────────────────

/** Plays an ASTM instrument: sends the records, answering the app's ACK/NAK; `tamper` may damage a frame. */
function sendAstm(device: DeviceEnd, records: string[], tamper?: (frame: Uint8Array, index: number) => Uint8Array): Promise<string> {
  const sender = new AstmSender(records);
  let sent = 0;
  return new Promise((resolve) => {
    device.on((bytes) => {
      const step = sender.push(bytes);
      if (step.send) device.write(tamper && step.send.length > 1 ? tamper(step.send, sent++) : step.send);
      if (step.state === 'done' || step.state === 'failed') resolve(step.state);
    });
    const start = sender.start();
    if (start.send) device.write(start.send);
  });
}

const TWO_SAMPLES = [
  buildHeader('MOIST-LAB^1.2', '20240611093000'),
  'P|1|LOT-2024-117',
  'O|1|SMP-1||^^^MOIST',
  'R|1|^^^MOIST^Moisture|62.4|%|55.0-65.0|||F',
  'O|2|SMP-2||^^^PH\\^^^SALT',
  'R|1|^^^PH^pH|6,45||6.0-6.8|||F',
  'R|2|^^^SALT^Salt|3.9|%|2.5-3.5|H||F',
  'L|1|N',
];

describe('ASTM analyser', () => {
  it('a message with two samples gives one lab event per sample', async () => {
    const { device, driver, heard } = await onPty('astm');
    await driver.open();
    expect(await sendAstm(device, TWO_SAMPLES)).toBe('done');
    await until('two lab events', () => heard.labs.length === 2);
    expect(heard.labs.map((l) => l.message)).toEqual([
      { sampleId: 'SMP-1', results: [{ testCode: 'MOIST', value: '62.4', numeric: 62.4, unit: '%' }] },
      {
        sampleId: 'SMP-2',
        results: [
          { testCode: 'PH', value: '6,45', numeric: 6.45, unit: '' },
          { testCode: 'SALT', value: '3.9', numeric: 3.9, unit: '%' },
        ],
      },
    ]);
    expect(heard.faults).toEqual([]);
  });

  it('a corrupted frame is NAKed and its retransmission accepted', async () => {
    const { device, driver, heard } = await onPty('astm');
    await driver.open();
    let damagedOnce = false;
    const result = await sendAstm(device, TWO_SAMPLES, (frame, index) => {
      if (index !== 2 || damagedOnce) return frame;
      damagedOnce = true;
      const copy = frame.slice();
      copy[4] = (copy[4] ?? 0) ^ 0x01; // a bit flipped on the line: the checksum fails
      return copy;
    });
    expect(result).toBe('done');
    expect(damagedOnce).toBe(true);
    expect(Array.from(device.bytes())).toContain(0x15); // NAK
    await until('two lab events', () => heard.labs.length === 2);
    expect(heard.labs.map((l) => l.message.sampleId)).toEqual(['SMP-1', 'SMP-2']);
  });

  it('a message that is not ASTM records is a PROTOCOL fault, never a lab event', async () => {
    const { device, driver, heard } = await onPty('astm');
    await driver.open();
    await sendAstm(device, ['X|garbage', 'R|1|^^^PH|7.0', 'L|1']);
    await until('the fault', () => heard.faults[0]);
    expect(heard.faults.map((f) => f.code)).toEqual(['PROTOCOL']);
    expect(heard.labs).toEqual([]);
  });
});

describe('line-output lab instrument', () => {
  const ohaus = { ...LAB_LINE_PRESETS['ohaus-mb'].profile, intervalMs: 200 };

  async function openOhaus() {
    const rig = await onPty('lab-line', { profile: ohaus });
    onCommands(rig.device, (command) => {
      if (command === 'P') rig.device.write('  5:30    12,34 %MC\r\n');
    });
    await rig.driver.open();
    return rig;
  }

  it('asks with the profile command on every interval', async () => {
    const { device } = await openOhaus();
    await until('three requests', () => device.text().split('P\r\n').length - 1 >= 3);
  });

  it('with no sample chosen a reading is shown as a line with a fault, and never recorded', async () => {
    const { heard } = await openOhaus();
    await until('a line', () => heard.lines[0]);
    expect(heard.lines[0]).toBe('  5:30    12,34 %MC');
    expect(heard.faults[0]).toMatchObject({ code: 'DEVICE_ERROR' });
    expect(heard.faults[0]?.message.en).toMatch(/no sample is chosen/);
    expect(heard.labs).toEqual([]);
  });

  it('readings go to the chosen sample with the profile test code and unit', async () => {
    const { driver, heard } = await openOhaus();
    driver.setSample?.('LOT-7');
    const lab = await until('a lab event', () => heard.labs[0]);
    expect(lab.message).toEqual({ sampleId: 'LOT-7', results: [{ testCode: 'moisture', value: '12.34', numeric: 12.34, unit: '%' }] });
    driver.setSample?.(null);
    const faults = heard.faults.length;
    const lines = heard.lines.length;
    await until('a fault for the unassigned reading', () => heard.faults.length > faults);
    expect(heard.faults.at(-1)?.message.en).toMatch(/no sample is chosen/);
    expect(heard.lines.length).toBeGreaterThan(lines);
  });

  it('lines that do not match the profile are passed on as lines', async () => {
    const rig = await onPty('lab-line', { profile: LAB_LINE_PRESETS['sartorius-ma'].profile });
    await rig.driver.open();
    rig.driver.setSample?.('INS-1');
    rig.device.write('Standby        Off \r\nMoist +       22 %M \r\n');
    await until('the reading', () => rig.heard.labs[0]);
    expect(rig.heard.lines).toEqual(['Standby        Off ']);
    expect(rig.heard.labs[0]?.message.results[0]).toMatchObject({ value: '22', numeric: 22, testCode: 'moisture' });
    expect(rig.device.text()).toBe(''); // the Sartorius prints by itself: nothing is sent
  });
});

// ── Modbus sensors ──────────────────────────────────────────────────────────────────────────

interface Slave {
  /** Input registers by address. */
  registers: Map<number, number>;
  mode: 'answer' | 'silent' | 'exception';
  requests: number;
  /** The most requests that were waiting for an answer at once. */
  maxInFlight: number;
}

/** A Modbus RTU slave on the device end: answers read requests after a short think. */
function modbusSlave(device: DeviceEnd): Slave {
  const slave: Slave = { registers: new Map(), mode: 'answer', requests: 0, maxInFlight: 0 };
  let pending: number[] = [];
  let inFlight = 0;
  device.on((bytes) => {
    pending.push(...bytes);
    while (pending.length >= 8) {
      const frame = pending.slice(0, 8);
      pending = pending.slice(8);
      const crc = crc16(frame, 0, 6);
      if (frame[6] !== (crc & 0xff) || frame[7] !== crc >> 8) continue;
      const [unit = 0, fn = 0, ah = 0, al = 0, , count = 0] = frame;
      slave.requests++;
      if (slave.mode === 'silent') continue;
      inFlight++;
      slave.maxInFlight = Math.max(slave.maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        const address = (ah << 8) | al;
        if (slave.mode === 'exception') device.write(buildExceptionResponse(unit, fn, 2));
        else {
          const values = Array.from({ length: count }, (_, i) => slave.registers.get(address + i) ?? 0);
          device.write(buildReadResponse(unit, fn as 3 | 4, values));
        }
      }, 20);
    }
  });
  return slave;
}

const SENSOR = {
  pollMs: 200,
  timeoutMs: 200,
  channels: [
    { quantity: 'temperature', address: 1 },
    { quantity: 'humidity', address: 2, type: 'uint16' },
  ],
};

async function openSensor() {
  const rig = await onPty('modbus', SENSOR);
  const slave = modbusSlave(rig.device);
  return { ...rig, slave };
}

describe('Modbus temperature sensor', () => {
  it('reads every channel, one request on the bus at a time', async () => {
    const { driver, heard, slave } = await openSensor();
    slave.registers.set(1, 0xff38).set(2, 456);
    await driver.open();
    await until('two cycles', () => heard.samples.length >= 4);
    expect(heard.samples.slice(0, 2)).toMatchObject([
      { device: 'DEV-1', quantity: 'temperature', value: -20 },
      { device: 'DEV-1', quantity: 'humidity', value: 45.6 },
    ]);
    expect(slave.maxInFlight).toBe(1);
    expect(heard.faults).toEqual([]);
  });

  it('a silent sensor gives samples without a value and TIMEOUT faults', async () => {
    const { driver, heard, slave } = await openSensor();
    slave.mode = 'silent';
    await driver.open();
    await until('two samples', () => heard.samples.length >= 2);
    expect(heard.samples[0]).toMatchObject({ quantity: 'temperature', value: null, error: 'no answer within 200 ms' });
    expect(heard.faults[0]).toMatchObject({ code: 'TIMEOUT' });
    expect(heard.closed).toEqual([]);
  });

  it('an exception reply is a sample without a value and a DEVICE_ERROR fault', async () => {
    const { driver, heard, slave } = await openSensor();
    slave.mode = 'exception';
    await driver.open();
    const sample = await until('a sample', () => heard.samples[0]);
    expect(sample).toMatchObject({ value: null, error: 'Modbus exception 2: illegal data address' });
    expect(heard.faults[0]).toMatchObject({ code: 'DEVICE_ERROR' });
  });

  it('the "no sensor" sentinel is an error, never a temperature', async () => {
    const { driver, heard, slave } = await openSensor();
    slave.registers.set(1, 0x7fff).set(2, 500);
    await driver.open();
    await until('both channels', () => heard.samples.length >= 2);
    expect(heard.samples[0]).toMatchObject({ quantity: 'temperature', value: null });
    expect(heard.samples[0]?.error).toMatch(/sensor error/);
    expect(heard.samples[1]).toMatchObject({ quantity: 'humidity', value: 50 });
    expect(heard.faults.map((f) => f.code)).toContain('DEVICE_ERROR');
  });

  it('a bus where no sensor answered three polls in a row is taken for an unplugged adapter; opened again, it reads', async () => {
    const { driver, heard, slave } = await openSensor();
    slave.registers.set(1, 31).set(2, 400);
    slave.mode = 'silent';
    await driver.open();
    const closed = await until('the close', () => heard.closed[0], 5_000);
    expect(closed.code).toBe('DISCONNECTED');
    expect(closed.message.en).toMatch(/no sensor answered 3 polls in a row/);
    expect(heard.samples.map((s) => s.value)).toEqual([null, null, null, null, null, null]); // 3 polls × 2 channels
    slave.mode = 'answer';
    await driver.open();
    await until('a value again', () => heard.samples.find((s) => s.value === 3.1));
  });

  it('an unplugged adapter whose port never hangs up is noticed by its device file; plugged back, it reads', async () => {
    // The first pty stays open and silent, as a hung-up USB tty may: only the device file tells.
    const [first, second] = [await openPty(), await openPty()];
    cleanups.push(() => first.close(), () => second.close());
    const dir = mkdtempSync(join(tmpdir(), 'plantdesk-presence-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const link = join(dir, 'ttyUSB0');
    symlinkSync(first.path, link);
    modbusSlave(new DeviceEnd(first)).registers.set(1, 25).set(2, 500);
    const { driver, heard } = makeDriver('modbus', { type: 'serial', path: link }, { ...SENSOR, timeoutMs: 5_000 });
    await driver.open();
    await until('a sample', () => heard.samples[0]);

    rmSync(link);
    const closed = await until('the close', () => heard.closed[0]);
    expect(closed).toMatchObject({ code: 'DISCONNECTED', cause: 'the device file is gone' });

    symlinkSync(second.path, link);
    modbusSlave(new DeviceEnd(second)).registers.set(1, 31).set(2, 400);
    await driver.open();
    await until('a sample from the adapter plugged back', () => heard.samples.find((s) => s.value === 3.1));
    expect(heard.closed).toHaveLength(1);
  });

  it('unplugging closes once with DISCONNECTED and leaves no timer running, not even the reply timeout', async () => {
    const timers = watchTimers();
    const rig = await onPty('modbus', { ...SENSOR, timeoutMs: 5_000 });
    const slave = modbusSlave(rig.device);
    slave.mode = 'silent';
    await rig.driver.open();
    await until('a request waiting for its answer', () => slave.requests > 0);
    rig.pty.close();
    await until('the close', () => rig.heard.closed[0]);
    expect(await timers.alive()).toBe(0);
    await sleep(300);
    expect(rig.heard.closed.map((f) => f.code)).toEqual(['DISCONNECTED']);
    expect(rig.heard.samples).toEqual([]); // the unanswered request is dropped, not reported as a timeout
  });
});

// ── label printers ──────────────────────────────────────────────────────────────────────────

interface TcpPrinter {
  port: number;
  jobs: () => string[];
  /** Bytes read so far, over all connections. */
  read: () => number;
  /** Connections from now on are not read for `ms` (null: never), like a printer that is paused or out of paper. */
  stall: (ms: number | null) => void;
  close: () => Promise<void>;
}

/** A raw-9100 printer: every connection's bytes, kept per connection. */
async function tcpPrinter(port = 0): Promise<TcpPrinter> {
  const received: Buffer[][] = [];
  const sockets = new Set<net.Socket>();
  let stalled: { ms: number | null } | null = null;
  const server = net.createServer((socket) => {
    const chunks: Buffer[] = [];
    received.push(chunks);
    sockets.add(socket);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined); // reset by a driver that gave up
    socket.on('close', () => sockets.delete(socket));
    if (stalled) {
      socket.pause();
      if (stalled.ms !== null) {
        const timer = setTimeout(() => socket.resume(), stalled.ms);
        socket.on('close', () => clearTimeout(timer));
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  cleanups.push(() => (server.listening ? close() : undefined));
  return {
    port: address.port,
    // the connection made when the driver opens carries nothing
    jobs: () => received.map((c) => Buffer.concat(c).toString('latin1')).filter((t) => t !== ''),
    read: () => received.flat().reduce((sum, chunk) => sum + chunk.length, 0),
    stall: (ms) => void (stalled = { ms }),
    close,
  };
}

/** A ZPL printer driver that gives every job `timeoutMs` to go through (instead of 15 s and more). */
function makePrinter(connection: ConnectionInput, timeoutMs: number, onJob?: (job: PrintJob) => void): { driver: PrinterDriver; heard: Heard } {
  const config = deviceConfig.parse({ code: 'DEV-1', name: 'Стенд', protocol: 'zpl', connection });
  const { heard, listeners } = listen();
  const job = (j: PrintJob): void => {
    heard.jobs.push(j);
    onJob?.(j);
  };
  const driver = new PrinterDriver(config, { now: () => Date.now(), listeners: { ...listeners, job }, openTransport: transportFor }, () => timeoutMs);
  cleanups.push(() => driver.close());
  return { driver, heard };
}

/** A label of about `size` bytes. */
const bigLabel = (size: number): Uint8Array => ascii(`^XA^FO20,20^FD${'x'.repeat(size)}^FS^XZ`);

const jobStates = (heard: Heard, id: string): string[] => heard.jobs.filter((j) => j.id === id).map((j) => j.state);

describe('label printer over TCP 9100', () => {
  it('prints jobs one after another, a connection each, copies repeated', async () => {
    const printer = await tcpPrinter();
    const { driver, heard } = makeDriver('zpl', { type: 'tcp', host: '127.0.0.1', port: printer.port });
    await driver.open();
    const first = driver.print!('Pallet 1', ascii('^XA^FDone^FS^XZ'));
    const second = driver.print!('Pallet 2', ascii('^XA^FDtwo^FS^XZ'), 2);
    expect(second).toMatchObject({ state: 'queued', copies: 2, bytes: 30, device: 'DEV-1', title: 'Pallet 2' });
    await until('both printed', () => printer.jobs().length === 2 && heard.jobs.filter((j) => j.state === 'done').length === 2);
    expect(printer.jobs()).toEqual(['^XA^FDone^FS^XZ', '^XA^FDtwo^FS^XZ^XA^FDtwo^FS^XZ']);
    expect(jobStates(heard, first.id)).toEqual(['queued', 'sending', 'done']);
    expect(jobStates(heard, second.id)).toEqual(['queued', 'sending', 'done']);
    expect(driver.jobs!().map((j) => j.id)).toEqual([second.id, first.id]);
  });

  it('a job that cannot reach the printer fails with its fault, and the next one prints', async () => {
    const printer = await tcpPrinter();
    const { driver, heard } = makeDriver('zpl', { type: 'tcp', host: '127.0.0.1', port: printer.port });
    await driver.open();
    await printer.close();
    const lost = driver.print!('Lost', ascii('^XA^XZ'));
    await until('the failure', () => heard.jobs.find((j) => j.id === lost.id && j.state === 'failed'));
    expect(driver.jobs!()[0]).toMatchObject({ id: lost.id, state: 'failed', fault: { code: 'REFUSED' } });
    expect(heard.faults.map((f) => f.code)).toEqual(['REFUSED']);
    const again = await tcpPrinter(printer.port);
    const next = driver.print!('Next', ascii('^XA^FDok^FS^XZ'));
    await until('the next job', () => heard.jobs.find((j) => j.id === next.id && j.state === 'done'));
    expect(again.jobs()).toEqual(['^XA^FDok^FS^XZ']);
  });

  it('cancels a queued job, but not the one being sent', async () => {
    const printer = await tcpPrinter();
    const { driver, heard } = makeDriver('tspl', { type: 'tcp', host: '127.0.0.1', port: printer.port });
    await driver.open();
    const a = driver.print!('A', ascii('PRINT 1,1\r\n'));
    const b = driver.print!('B', ascii('CLS\r\n'));
    const c = driver.print!('C', ascii('SIZE 100 mm,150 mm\r\n'));
    expect(driver.cancel!(a.id)?.state).toBe('sending');
    expect(driver.cancel!(c.id)).toMatchObject({ state: 'cancelled' });
    expect(driver.cancel!('no-such-job')).toBeNull();
    await until('A and B printed', () => [a, b].every((j) => jobStates(heard, j.id).includes('done')));
    expect(printer.jobs()).toEqual(['PRINT 1,1\r\n', 'CLS\r\n']);
    expect(driver.jobs!().find((j) => j.id === c.id)).toMatchObject({ state: 'cancelled' });
  });

  it('opening fails with REFUSED when nothing listens', async () => {
    const printer = await tcpPrinter();
    await printer.close();
    const { driver } = makeDriver('zpl', { type: 'tcp', host: '127.0.0.1', port: printer.port });
    await expect(driver.open()).rejects.toMatchObject({ fault: { code: 'REFUSED' } });
  });
});

describe('label printer on a serial port', () => {
  it('keeps the port open and sends the jobs in order', async () => {
    const { device, driver, heard } = await onPty('zpl');
    await driver.open();
    driver.print!('One', ascii('^XA^FD1^FS^XZ'));
    const two = driver.print!('Two', ascii('^XA^FD2^FS^XZ'));
    await until('both sent', () => jobStates(heard, two.id).includes('done'));
    await until('the bytes', () => device.text() === '^XA^FD1^FS^XZ^XA^FD2^FS^XZ');
  });

  it('unplugging closes once; jobs printed later wait in the queue for the next open', async () => {
    const timers = watchTimers();
    const { driver, heard, pty } = await onPty('zpl');
    await driver.open();
    pty.close();
    await until('the close', () => heard.closed[0]);
    expect(heard.closed.map((f) => f.code)).toEqual(['DISCONNECTED']);
    const waiting = driver.print!('Later', ascii('^XA^XZ'));
    await sleep(100);
    expect(driver.jobs!()[0]).toMatchObject({ id: waiting.id, state: 'queued' });
    expect(await timers.alive()).toBe(0);
  });
});

describe('label printer that stops taking data', () => {
  it('network: a job is done only once the printer has read all of it', async () => {
    const printer = await tcpPrinter();
    let readWhenDone = -1;
    const { driver, heard } = makePrinter({ type: 'tcp', host: '127.0.0.1', port: printer.port }, 10_000, (j) => {
      if (j.state === 'done') readWhenDone = printer.read();
    });
    await driver.open();
    printer.stall(1_500); // busy for a while: the label sits in the socket buffers meanwhile
    const label = bigLabel(200_000);
    const job = driver.print('Pallet', label);
    await until('done', () => jobStates(heard, job.id).includes('done'));
    expect(jobStates(heard, job.id)).toEqual(['queued', 'sending', 'done']);
    expect(readWhenDone).toBe(label.length);
  });

  it('network: a printer that does not read the job fails it — not done — and the next job prints', async () => {
    const printer = await tcpPrinter();
    const { driver, heard } = makePrinter({ type: 'tcp', host: '127.0.0.1', port: printer.port }, 300);
    await driver.open();
    printer.stall(null);
    const stuck = driver.print('Stuck', bigLabel(200_000));
    await until('the failure', () => jobStates(heard, stuck.id).includes('failed'));
    expect(jobStates(heard, stuck.id)).toEqual(['queued', 'sending', 'failed']);
    const failed = driver.jobs().find((j) => j.id === stuck.id);
    expect(failed?.fault).toMatchObject({ code: 'TIMEOUT', message: { en: 'Стенд: the printer did not take the label within 1 s' } });
    expect(failed?.fault?.message.ru).toContain('принтер не принял этикетку');
    expect(failed?.fault?.hint?.en).toMatch(/paper, ribbon.*paused.*print the label again/);
    expect(heard.faults.map((f) => f.code)).toEqual(['TIMEOUT']);
    expect(printer.read()).toBe(0);

    printer.stall(0); // back in order
    const next = driver.print('Next', ascii('^XA^FDok^FS^XZ'));
    await until('the next job', () => jobStates(heard, next.id).includes('done'));
    expect(printer.jobs()).toEqual(['^XA^FDok^FS^XZ']);
  });

  it.each([
    ['USB (lp)', 'lp'],
    ['serial', 'serial'],
  ] as const)('%s: a job not taken in time fails saying it may still print; later ones fail at once until it has gone through', async (_, type) => {
    const pty = await openPty();
    cleanups.push(() => pty.close());
    pty.master.on('error', () => undefined);
    pty.master.pause(); // a tty stops taking data when nobody reads it
    const { driver, heard } = makePrinter({ type, path: pty.path }, 300);
    await driver.open();
    const label = bigLabel(100_000);
    const first = driver.print('First', label);
    const second = driver.print('Second', ascii('^XA^FD2^FS^XZ'));
    await until('both failed', () => [first, second].every((j) => jobStates(heard, j.id).includes('failed')));
    const [failedSecond, failedFirst] = driver.jobs();
    expect(failedFirst?.fault).toMatchObject({ code: 'TIMEOUT', message: { en: expect.stringContaining('it may still print when the printer resumes') } });
    expect(failedFirst?.fault?.hint?.en).toContain('check whether the label came out');
    expect(failedSecond?.fault).toMatchObject({ code: 'DEVICE_ERROR', message: { en: 'Стенд: the printer has not taken the previous label yet — this one was not sent' } });
    expect(jobStates(heard, second.id)).toEqual(['queued', 'sending', 'failed']);

    // The printer takes data again: the first label comes out after all, and printing goes on. Its
    // write ends just after its last byte is taken; a job tried before that still fails at once.
    const received: Buffer[] = [];
    pty.master.on('data', (chunk: Buffer) => received.push(chunk));
    pty.master.resume();
    let third: PrintJob | null = null;
    await until('a job printed after the printer resumed', () => {
      if (!third || jobStates(heard, third.id).includes('failed')) third = driver.print('Third', ascii('^XA^FD3^FS^XZ'));
      return jobStates(heard, third.id).includes('done');
    });
    await until('every byte', () => Buffer.concat(received).length === label.length + 13);
    // what failed at once sent nothing
    expect(Buffer.concat(received).toString('latin1')).toBe(`${latin1(label)}^XA^FD3^FS^XZ`);
  });

  it('USB (lp): closing while the printer takes no data returns, and the job being sent fails', async () => {
    const pty = await openPty();
    cleanups.push(() => pty.close());
    pty.master.on('error', () => undefined);
    pty.master.pause();
    const { driver, heard } = makePrinter({ type: 'lp', path: pty.path }, 10_000);
    await driver.open();
    const job = driver.print('Stuck', bigLabel(100_000));
    await until('sending', () => jobStates(heard, job.id).includes('sending'));
    await sleep(100);
    await driver.close(); // a blocking write would hold the device file, and this close, for ever
    expect(driver.jobs()[0]).toMatchObject({ id: job.id, state: 'failed', fault: { code: 'DISCONNECTED' } });
  });
});

describe('label printer retired (settings changed, app closing)', () => {
  it('jobs still waiting fail, saying why; finished ones keep their state', async () => {
    const { driver, heard, pty } = await onPty('zpl');
    await driver.open();
    const printed = driver.print!('Printed', ascii('^XA^FD1^FS^XZ'));
    await until('printed', () => jobStates(heard, printed.id).includes('done'));
    pty.close(); // unplugged: new jobs wait for the printer
    await until('the close', () => heard.closed[0]);
    const waiting = [driver.print!('A', ascii('^XA^XZ')), driver.print!('B', ascii('^XA^XZ'))];
    driver.retire!('settings');
    for (const job of waiting) {
      expect(jobStates(heard, job.id)).toEqual(['queued', 'failed']);
      expect(driver.cancel!(job.id)).toMatchObject({
        state: 'failed',
        fault: { message: { en: 'Стенд: the label was not printed — the printer settings were changed', ru: 'Стенд: этикетка не напечатана — настройки принтера изменены' }, hint: { en: 'Print it again' } },
      });
    }
    expect(driver.jobs!().find((j) => j.id === printed.id)?.state).toBe('done');
    const later = driver.print!('C', ascii('^XA^XZ'));
    driver.retire!('closing');
    expect(driver.cancel!(later.id)?.fault?.message.en).toBe('Стенд: the label was not printed — the app is closing');
  });
});
