// Device figures for `npm run bench`, over a real pseudo-terminal pair (no baud rate: the pty
// moves bytes as fast as the kernel does, so these are the software's costs, not the line's).
//
//   scale-event-latency p50/p99: a Toledo frame written by the device side → the scale driver's
//     weight event in the app, one frame every few milliseconds, each with its own weight so every
//     event is matched to its frame. Baseline: the same frames read as plain bytes by the same
//     serial transport (the last byte of the frame arriving), no protocol.
//   scale-parse-frames-per-s: a long stream of frames, written in 4 KB chunks as fast as they are
//     taken, counted as weight events by the driver vs counted as bytes by a plain read of the
//     same stream.
// The manager adds at most its UI throttle (100 ms for an unchanged reading, none for a change of
// stability) before the event reaches a window; that is a choice, not a cost, and is not included.
import { deviceConfig, type DeviceConfig, type WeightEvent } from '../main/contract/devices.js';
import { createDriver } from '../native/drivers/index.js';
import { encodeToledoFrame } from '../native/protocols/scales/toledo.js';
import { openPty, type PtyPair } from '../native/sim/pty.js';
import { SerialTransport } from '../native/transports/serial.js';

type Figure = (name: string, value: number, unit: string, baseline: number, ratio: number) => void;
type Note = (text: string) => void;

const LATENCY_FRAMES = Number(process.env.BENCH_DEVICE_FRAMES) || 1_000;
const LATENCY_GAP_MS = 3;
const STREAM_FRAMES = Number(process.env.BENCH_DEVICE_STREAM) || 100_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Frame i weighs i grams (1 g resolution: decimal code 101 = X.XXX kg), stable, gross. */
const frameFor = (i: number) => encodeToledoFrame({ weight: i / 1000, tare: 0, decimalCode: 5 });
const FRAME_BYTES = frameFor(1).length;

function scaleConfig(path: string): DeviceConfig {
  return deviceConfig.parse({ code: 'BENCH', name: 'bench scale', protocol: 'toledo', connection: { type: 'serial', path } });
}

function serial(path: string): SerialTransport {
  return new SerialTransport({ type: 'serial', path, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** Opens the Toledo driver on the pty; `onWeight` hears every reading. */
async function openDriver(pty: PtyPair, onWeight: (event: WeightEvent) => void) {
  const driver = createDriver(scaleConfig(pty.path), {
    now: () => Date.now(),
    listeners: { weight: onWeight, closed: () => undefined, fault: () => undefined },
    openTransport: (c) => serial(c.type === 'serial' ? c.path : ''),
  });
  await driver.open();
  return driver;
}

/** Writes frames one by one, `gap` ms apart; returns the per-frame latencies (ms) as `arrived` reports them. */
async function paced(pty: PtyPair, arrivals: Map<number, number>): Promise<number[]> {
  const sent = new Map<number, number>();
  for (let i = 1; i <= LATENCY_FRAMES; i++) {
    sent.set(i, performance.now());
    pty.master.write(frameFor(i));
    await sleep(LATENCY_GAP_MS);
  }
  await sleep(200);
  const latencies: number[] = [];
  for (const [i, t0] of sent) {
    const t1 = arrivals.get(i);
    if (t1 !== undefined) latencies.push(t1 - t0);
  }
  return latencies.sort((a, b) => a - b);
}

async function latencyViaDriver(): Promise<number[]> {
  const pty = await openPty();
  const arrivals = new Map<number, number>();
  const driver = await openDriver(pty, (event) => {
    if (event.grams !== null) arrivals.set(Math.round(event.grams), performance.now());
  });
  try {
    return await paced(pty, arrivals);
  } finally {
    await driver.close();
    pty.close();
  }
}

async function latencyRaw(): Promise<number[]> {
  const pty = await openPty();
  const transport = serial(pty.path);
  const arrivals = new Map<number, number>();
  let bytes = 0;
  transport.onData((chunk) => {
    bytes += chunk.length;
    // frames are numbered from 1 and all the same size: frame i is complete at i × FRAME_BYTES
    while (bytes >= (arrivals.size + 1) * FRAME_BYTES) arrivals.set(arrivals.size + 1, performance.now());
  });
  await transport.open();
  try {
    return await paced(pty, arrivals);
  } finally {
    await transport.close();
    pty.close();
  }
}

function stream(): Buffer {
  const out = Buffer.alloc(STREAM_FRAMES * FRAME_BYTES);
  for (let i = 0; i < STREAM_FRAMES; i++) out.set(frameFor((i % 999_999) + 1), i * FRAME_BYTES);
  return out;
}

/**
 * Seconds to push the whole stream through, in chunks of whole frames that each must be taken
 * (`consumed()` bytes) before the next is written: node-pty's device side is a blocking fd, and a
 * write bigger than the pty's buffer would stall this process, the reader included.
 */
async function timeStream(pty: PtyPair, data: Buffer, consumed: () => number): Promise<number> {
  const chunk = Math.floor(4096 / FRAME_BYTES) * FRAME_BYTES;
  const deadline = Date.now() + 120_000;
  const t0 = performance.now();
  for (let written = 0; written < data.length; ) {
    const end = Math.min(written + chunk, data.length);
    pty.master.write(data.subarray(written, end));
    written = end;
    while (consumed() < written) {
      if (Date.now() > deadline) throw new Error('the stream did not arrive within 2 minutes');
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return (performance.now() - t0) / 1000;
}

async function throughputViaDriver(data: Buffer): Promise<number> {
  const pty = await openPty();
  let events = 0;
  const driver = await openDriver(pty, () => void events++);
  try {
    const seconds = await timeStream(pty, data, () => events * FRAME_BYTES);
    return STREAM_FRAMES / seconds;
  } finally {
    await driver.close();
    pty.close();
  }
}

async function throughputRaw(data: Buffer): Promise<number> {
  const pty = await openPty();
  const transport = serial(pty.path);
  let bytes = 0;
  transport.onData((chunk) => void (bytes += chunk.length));
  await transport.open();
  try {
    const seconds = await timeStream(pty, data, () => bytes);
    return STREAM_FRAMES / seconds;
  } finally {
    await transport.close();
    pty.close();
  }
}

export async function benchDevices(figure: Figure, note: Note): Promise<void> {
  note(`devices: Toledo continuous frames (${FRAME_BYTES} bytes) over a pty; ${LATENCY_FRAMES} frames ${LATENCY_GAP_MS} ms apart, then a stream of ${STREAM_FRAMES}`);
  const raw = await latencyRaw();
  const driver = await latencyViaDriver();
  if (driver.length < LATENCY_FRAMES) note(`devices: only ${driver.length} of ${LATENCY_FRAMES} frames became events`);
  for (const p of [50, 99]) {
    const value = percentile(driver, p);
    const base = percentile(raw, p);
    figure(`scale-event-latency-p${p}`, value, 'ms', base, value / base);
  }
  note(`devices: scale event latency max ${percentile(driver, 100).toFixed(2)} ms (target p99 < 20 ms)`);

  const data = stream();
  await throughputRaw(data); // warm up the pty and the JIT on the same bytes
  const plain = await throughputRaw(data);
  const parsed = await throughputViaDriver(data);
  figure('scale-parse-frames-per-s', parsed, 'frames/s', plain, parsed / plain);
}
