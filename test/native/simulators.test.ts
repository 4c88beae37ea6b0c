// Device simulators against a host side made of the real transports and the pure protocol code,
// over real pseudo-terminals and sockets: what a driver will see from each simulated device.
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LAB_LINE_PRESETS } from '../../main/contract/device-presets.js';
import { serialConnection, type DeviceFault } from '../../main/contract/devices.js';
import { AstmReceiver, parseMessage } from '../../native/protocols/astm/index.js';
import { parseScan } from '../../native/protocols/gs1.js';
import { commandBytes, matchLine } from '../../native/protocols/lab-line.js';
import { toTspl, toZpl, type Label } from '../../native/protocols/labels.js';
import {
  buildReadRequest,
  decodeRegisters,
  owenMv210Preset,
  parseReadResponse,
  xyMd02Preset,
} from '../../native/protocols/modbus-registers.js';
import {
  CasDecoder,
  MassaKDecoder,
  MtSicsDecoder,
  ShtrihDecoder,
  ToledoDecoder,
  encodeMassaKFrame,
  encodeMassaKGetWeight,
  encodeMassaKSetTare,
  encodeMassaKSetZero,
  encodeMtSics,
  encodeShtrihAck,
  encodeShtrihEnq,
  encodeShtrihFrame,
  encodeShtrihGetWeight,
  encodeShtrihNak,
  encodeShtrihTare,
  type MtSicsCommand,
  type Reading,
  type ScaleDecoder,
  type ScaleReply,
} from '../../native/protocols/scales/index.js';
import {
  AstmSimulator,
  CasSimulator,
  LabLineSimulator,
  MassaKSimulator,
  ModbusSimulator,
  MtSicsSimulator,
  ScannerSimulator,
  ScriptError,
  SerialPrinterSimulator,
  ShtrihSimulator,
  SIMULATED_PROTOCOLS,
  TcpPrinterSimulator,
  defaultSimDir,
  ToledoSimulator,
  parseScript,
  runScript,
  startSimulator,
  type AnySimulator,
  type LabLineModel,
  type Simulator,
} from '../../native/sim/index.js';
import { SerialTransport } from '../../native/transports/serial.js';
import { TcpTransport } from '../../native/transports/tcp.js';
import { DeviceFaultError } from '../../native/transports/transport.js';

const dir = mkdtempSync(join(tmpdir(), 'plantdesk-sim-test-'));
const sims: AnySimulator[] = [];
const hosts: (SerialTransport | TcpTransport)[] = [];

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start<S extends AnySimulator>(sim: S): Promise<S> {
  sims.push(sim);
  return sim.start() as Promise<S>;
}

const opts = { dir };

/** The app's side of a serial device: a transport on the simulator's stable path. */
async function open(sim: Simulator): Promise<SerialTransport> {
  const host = new SerialTransport(serialConnection.parse({ type: 'serial', path: sim.path }));
  hosts.push(host);
  await host.open();
  return host;
}

/** Waits until `check` holds (polling), failing with `what` after `ms`. */
async function until(check: () => boolean, what: string, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
/** A copy with one byte (default: the last, a checksum) changed. */
function flipped(bytes: Uint8Array, at = bytes.length - 1): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0xff;
  return copy;
}

/** A host that feeds everything it receives to a decoder; `chunks` keeps the readings per data chunk. */
function listen(host: SerialTransport, decoder: ScaleDecoder): { readings: Reading[]; chunks: Reading[][]; replies: ScaleReply[] } {
  const readings: Reading[] = [];
  const chunks: Reading[][] = [];
  const replies: ScaleReply[] = [];
  host.onData((bytes) => {
    const got = decoder.push(bytes);
    chunks.push(got);
    readings.push(...got);
    replies.push(...decoder.takeReplies());
  });
  return { readings, chunks, replies };
}

const weights = (rs: Reading[]): number[] => rs.map((r) => r.weight);

describe('MT-SICS simulator', () => {
  async function setup() {
    const sim = await start(new MtSicsSimulator({ ...opts, state: { weightKg: 12.345 }, intervalMs: 30 }));
    const host = await open(sim);
    const ask = (c: MtSicsCommand): Promise<void> => host.write(encodeMtSics(c));
    return { sim, host, ask, ...listen(host, new MtSicsDecoder()) };
  }

  it('answers SI with stable, dynamic, overload and underload readings', async () => {
    const { sim, ask, readings } = await setup();
    await ask('SI');
    await until(() => readings.length === 1, 'stable reading');
    expect(readings[0]).toMatchObject({ weight: 12.345, unit: 'kg', grams: 12345, stable: true, status: 'ok' });
    // change the scale only once it has answered: the sim reads the command after the host's write resolves
    for (const [i, state] of [{ stable: false, weightKg: 3.5 }, { overload: true }, { overload: false, underload: true }].entries()) {
      sim.set(state);
      await ask('SI');
      await until(() => readings.length === i + 2, `reading ${i + 2}`);
    }
    expect(readings.slice(1).map((r) => [r.status, r.stable, r.weight])).toEqual([
      ['ok', false, 3.5],
      ['overload', false, 0],
      ['underload', false, 0],
    ]);
    expect(sim.receivedText()).toBe('SI\r\nSI\r\nSI\r\nSI\r\n');
  });

  it('S waits for stability (S I while moving); zero and tare answer like the balance', async () => {
    const { sim, ask, readings, replies } = await setup();
    sim.set({ stable: false });
    await ask('S');
    await ask('T'); // not while moving
    await until(() => readings.length === 1 && replies.length === 1, 'S I and T I');
    expect(readings[0]).toMatchObject({ status: 'error', error: 'command not executable now' });
    sim.set({ stable: true });
    await ask('T');
    await ask('Z');
    await ask('S');
    await until(() => readings.length === 2, 'stable reading after tare and zero');
    expect(readings[1]).toMatchObject({ weight: 0, stable: true });
    expect(replies.map((r) => [r.command, r.ok, r.tare])).toEqual([
      ['tare', false, undefined],
      ['tare', true, 12.345],
      ['zero', true, undefined],
    ]);
    expect(sim.state).toMatchObject({ weightKg: 0, tareKg: 12.345 });
  });

  it('SIR streams until @; unknown commands get ES', async () => {
    const { sim, host, ask, readings } = await setup();
    await ask('SIR');
    await until(() => readings.length >= 3, 'streamed readings');
    expect(sim.streaming).toBe(true);
    await ask('@');
    await sim.waitForReceived('@\r\n');
    await pause(50);
    const stopped = readings.length;
    await pause(120);
    expect(readings.length).toBe(stopped);
    expect(sim.streaming).toBe(false);
    await host.write(text('XYZ\r\n'));
    await until(() => readings.length === stopped + 1, 'ES');
    expect(readings.at(-1)).toMatchObject({ status: 'error', error: 'syntax error' });
  });

  it('a corrupted reply gives no reading; the next one is fine', async () => {
    const { sim, ask, readings } = await setup();
    sim.corruptNext();
    await ask('SI');
    await ask('SI');
    await until(() => readings.length === 1, 'the good reply');
    await pause(50);
    expect(readings).toHaveLength(1);
    expect(readings[0]?.weight).toBe(12.345);
  });
});

describe('Toledo continuous simulator', () => {
  async function setup(extra: Partial<ConstructorParameters<typeof ToledoSimulator>[0]> = {}) {
    const sim = await start(new ToledoSimulator({ ...opts, intervalMs: 0, state: { weightKg: 1.5 }, ...extra }));
    const host = await open(sim);
    return { sim, host, ...listen(host, new ToledoDecoder()) };
  }

  it('streams by itself every intervalMs', async () => {
    const sim = await start(new ToledoSimulator({ ...opts, intervalMs: 20, state: { weightKg: 12.345, tareKg: 0.5 } }));
    const host = await open(sim);
    const { readings } = listen(host, new ToledoDecoder());
    await until(() => readings.length >= 3, 'three streamed frames');
    expect(readings[0]).toMatchObject({ weight: 12.345, unit: 'kg', stable: true, net: true, tare: 0.5, status: 'ok' });
  });

  it('reports motion, overload, underload and negative weights', async () => {
    const { sim, readings } = await setup();
    sim.set({ stable: false });
    await sim.sendFrame();
    sim.set({ stable: true, overload: true });
    await sim.sendFrame();
    sim.set({ overload: false, underload: true });
    await sim.sendFrame();
    sim.set({ underload: false, weightKg: -0.25 });
    await sim.sendFrame();
    await until(() => readings.length === 4, 'four readings');
    expect(readings.map((r) => [r.status, r.stable, r.weight])).toEqual([
      ['ok', false, 1.5],
      ['overload', false, 1.5],
      ['underload', false, -1.5],
      ['ok', true, -0.25],
    ]);
  });

  it('a frame with a wrong checksum gives no reading; garbage is skipped', async () => {
    const { sim, readings } = await setup();
    await sim.sendFrame();
    sim.set({ weightKg: 2 });
    sim.corruptNext();
    await sim.sendFrame();
    await sim.garbage(64);
    sim.set({ weightKg: 3 });
    await sim.sendFrame();
    await until(() => readings.length >= 2 && readings.at(-1)?.weight === 3, 'the frame after garbage');
    expect(weights(readings)).toEqual([1.5, 3]);
  });

  it('split frames arrive in pieces and still decode; merged frames arrive together', async () => {
    const { sim, chunks, readings } = await setup({ mode: 'split' });
    await sim.sendFrame();
    await until(() => readings.length === 1, 'split frame');
    expect(chunks.length).toBeGreaterThanOrEqual(2); // the reading came from the last piece
    expect(chunks.slice(0, -1).every((c) => c.length === 0)).toBe(true);

    sim.mode = 'merged';
    chunks.length = 0;
    await Promise.all([sim.sendFrame(), sim.sendFrame(), sim.sendFrame()]);
    await until(() => readings.length === 4, 'merged frames');
    expect(chunks.some((c) => c.length === 3)).toBe(true);
  });

  it('unplug: the host hears DISCONNECTED; replug: the same path opens again and readings resume', async () => {
    const sim = await start(new ToledoSimulator({ ...opts, intervalMs: 20, state: { weightKg: 4.2 } }));
    const host = await open(sim);
    const { readings } = listen(host, new ToledoDecoder());
    const faults: DeviceFault[] = [];
    host.onClose((f) => faults.push(f));
    await until(() => readings.length > 0, 'readings before the unplug');
    const path = sim.path;
    await sim.unplug();
    await until(() => faults.length === 1, 'DISCONNECTED');
    expect(faults[0]?.code).toBe('DISCONNECTED');
    expect(existsSync(path)).toBe(false);
    await expect(host.open()).rejects.toMatchObject({ fault: { code: 'NOT_FOUND' } });

    sim.set({ weightKg: 5.5 });
    await sim.replug();
    expect(sim.path).toBe(path);
    await host.open();
    await until(() => readings.at(-1)?.weight === 5.5, 'readings after the replug');
  });
});

describe('CAS simulator', () => {
  it('streams ST/US/OL frames; a corrupted frame gives no reading', async () => {
    const sim = await start(new CasSimulator({ ...opts, intervalMs: 0, state: { weightKg: 12.345 } }));
    const { readings } = listen(await open(sim), new CasDecoder());
    await sim.sendFrame();
    sim.set({ stable: false, weightKg: 1 });
    await sim.sendFrame();
    sim.set({ weightKg: 2 });
    sim.corruptNext();
    await sim.sendFrame();
    sim.set({ overload: true });
    await sim.sendFrame();
    await until(() => readings.length === 3, 'three readings');
    expect(readings.map((r) => [r.status, r.stable, r.weight])).toEqual([
      ['ok', true, 12.345],
      ['ok', false, 1],
      ['overload', false, 2],
    ]);
  });
});

describe('Massa-K simulator', () => {
  async function setup() {
    const sim = await start(new MassaKSimulator({ ...opts, state: { weightKg: 2.5 } }));
    const host = await open(sim);
    const decoder = new MassaKDecoder();
    return { sim, host, decoder, ...listen(host, decoder) };
  }

  it('answers get-weight; after a tare the weight is net', async () => {
    const { host, readings } = await setup();
    await host.write(encodeMassaKGetWeight());
    await until(() => readings.length === 1, 'weight');
    expect(readings[0]).toMatchObject({ weight: 2.5, grams: 2500, stable: true, net: false, status: 'ok' });
    await host.write(encodeMassaKSetTare());
    await host.write(encodeMassaKGetWeight());
    await until(() => readings.length === 2, 'net weight');
    expect(readings[1]).toMatchObject({ weight: 0, net: true, tare: 2.5 });
  });

  it('reports the replies in order: tare ok, tare refused, zero ok', async () => {
    const { sim, host, replies } = await setup();
    await host.write(encodeMassaKSetTare());
    await until(() => replies.length === 1, 'tare taken');
    sim.set({ stable: false });
    await host.write(encodeMassaKSetTare());
    await until(() => replies.length === 2, 'tare refused');
    sim.set({ stable: true });
    await host.write(encodeMassaKSetZero());
    await until(() => replies.length === 3, 'zero');
    expect(replies.map((r) => [r.command, r.ok])).toEqual([
      ['tare', true],
      ['tare', false],
      ['zero', true],
    ]);
  });

  it('overload is an error frame; a corrupted reply gives nothing; a bad-CRC request gets silence; unknown → NACK', async () => {
    const { sim, host, readings } = await setup();
    sim.set({ overload: true });
    await host.write(encodeMassaKGetWeight());
    await until(() => readings.length === 1, 'overload');
    expect(readings[0]?.status).toBe('overload');
    sim.set({ overload: false });
    sim.corruptNext();
    await host.write(encodeMassaKGetWeight());
    await host.write(flipped(encodeMassaKGetWeight()));
    await host.write(encodeMassaKFrame(Uint8Array.of(0x99)));
    await until(() => readings.length === 2, 'NACK');
    expect(readings[1]).toMatchObject({ status: 'error', error: 'NACK: command not recognised' });
    await host.write(encodeMassaKGetWeight());
    await until(() => readings.length === 3, 'a good weight');
    expect(readings[2]).toMatchObject({ status: 'ok', weight: 2.5 });
  });
});

describe('Shtrih-M simulator', () => {
  async function setup() {
    const sim = await start(new ShtrihSimulator({ ...opts, state: { weightKg: 1.234, tareKg: 0.1 } }));
    const host = await open(sim);
    const decoder = new ShtrihDecoder();
    return { sim, host, decoder, ...listen(host, decoder) };
  }

  it('ENQ → NAK (ready); a command is ACKed and answered; the password is checked', async () => {
    const { host, decoder, readings } = await setup();
    await host.write(encodeShtrihEnq());
    await until(() => decoder.takeControl().join() === 'NAK', 'NAK to ENQ');
    await host.write(encodeShtrihGetWeight('0030'));
    await until(() => readings.length === 1, 'weight');
    expect(decoder.takeControl()).toEqual(['ACK']);
    expect(readings[0]).toMatchObject({ weight: 1.234, grams: 1234, stable: true, net: true, tare: 0.1, status: 'ok' });
    await host.write(encodeShtrihAck());
    await host.write(encodeShtrihGetWeight('1234'));
    await until(() => readings.length === 2, 'wrong password reply');
    expect(readings[1]).toMatchObject({ status: 'error', error: 'error code 122' });
  });

  it('an unacknowledged answer is offered again on ENQ; a corrupted one is resent good on NAK', async () => {
    const { sim, host, decoder, readings } = await setup();
    sim.corruptNext();
    await host.write(encodeShtrihGetWeight('0030'));
    await until(() => sim.received().length > 0 && decoder.takeControl().includes('ACK'), 'ACK of the command');
    await pause(50);
    expect(readings).toHaveLength(0); // bad LRC
    await host.write(encodeShtrihNak());
    await until(() => readings.length === 1, 'the resent answer');
    await host.write(encodeShtrihEnq()); // not ACKed yet: the device says ACK and sends it again
    await until(() => readings.length === 2, 'the answer again');
    expect(decoder.takeControl()).toEqual(['ACK']);
    await host.write(encodeShtrihAck());
    await host.write(encodeShtrihEnq());
    await until(() => decoder.takeControl().join() === 'NAK', 'ready again');
  });

  it('tare and status bits; a frame with a bad LRC is NAKed', async () => {
    const { sim, host, decoder, readings } = await setup();
    await host.write(encodeShtrihTare('0030'));
    await until(() => sim.state.weightKg === 0, 'tare taken');
    expect(sim.state.tareKg).toBe(1.334);
    decoder.takeControl();
    await host.write(flipped(encodeShtrihFrame(0x3a, text('0030'))));
    await until(() => decoder.takeControl().includes('NAK'), 'NAK');
    sim.set({ weightKg: 5, overload: true, stable: false });
    await host.write(encodeShtrihGetWeight('0030'));
    await until(() => readings.some((r) => r.status === 'overload'), 'overload');
  });
});

describe('scanner simulator', () => {
  it('sends a GS1 scan as one CDC line with its AIM prefix and suffix', async () => {
    const sim = await start(new ScannerSimulator({ ...opts, mode: 'split' }));
    const host = await open(sim);
    let line = '';
    host.onData((b) => (line += new TextDecoder().decode(b)));
    await sim.scan('010460700100001317261127\u001d10ABC', { aim: ']C1' });
    await sim.scan('4607001000013', { aim: ']E0', suffix: 'crlf' });
    await until(() => line.endsWith('\r\n'), 'two scans');
    const [first, second] = line.split(/\r\n|\r/);
    const scan = parseScan(first ?? '');
    expect(scan).toMatchObject({ symbology: 'gs1-128', gs1: true, errors: [] });
    expect(scan.fields.map((f) => [f.ai, f.value])).toEqual([
      ['01', '04607001000013'],
      ['17', '261127'],
      ['10', 'ABC'],
    ]);
    expect(second).toBe(']E04607001000013');
  });
});

describe('ASTM instrument simulator', () => {
  /** The LIS side: a receiver over the serial transport that answers every push. */
  async function lis(sim: AstmSimulator, timeoutMs?: number) {
    const host = await open(sim);
    const receiver = new AstmReceiver(timeoutMs === undefined ? {} : { timeoutMs });
    const messages: string[] = [];
    const events: string[] = [];
    host.onData((bytes) => {
      const r = receiver.push(bytes);
      messages.push(...r.messages);
      events.push(...r.events.map((e) => e.type));
      // A reply still draining when the test ends and closes the port fails; nobody waits for it then.
      if (r.reply) host.write(r.reply).catch(() => undefined);
    });
    return { host, receiver, messages, events };
  }

  it('sends a result message the host receives and parses', async () => {
    const sim = await start(new AstmSimulator(opts));
    const { messages } = await lis(sim);
    const outcome = await sim.send({ sampleId: 'LOT-117', results: [{ testCode: 'MOIST', value: '62.4', unit: '%' }, { testCode: 'SALT', value: 2.1, unit: '%' }] });
    expect(outcome).toMatchObject({ state: 'done', naks: 0 });
    await until(() => messages.length === 1, 'message');
    const parsed = parseMessage(messages[0] ?? '');
    expect(parsed.sampleId).toBe('LOT-117');
    expect(parsed.results.map((r) => [r.testCode, r.numeric, r.unit])).toEqual([
      ['MOIST', 62.4, '%'],
      ['SALT', 2.1, '%'],
    ]);
  });

  it('a corrupted first frame is NAKed by the host and retransmitted', async () => {
    const sim = await start(new AstmSimulator({ ...opts, mode: 'split' }));
    const { messages, events } = await lis(sim);
    const outcome = await sim.send({ sampleId: 'S-1', results: [{ testCode: 'PH', value: '6.5' }] }, { corruptFirstFrame: true });
    expect(outcome).toMatchObject({ state: 'done', naks: 1 });
    expect(outcome.events.filter((e) => e.type === 'frame' && e.index === 0).length).toBe(2);
    expect(events).toContain('bad-frame');
    await until(() => messages.length === 1, 'message after the retransmission');
    expect(parseMessage(messages[0] ?? '').results[0]?.value).toBe('6.5');
  });

  it('an instrument falling silent mid-message: the host discards the part after its timeout', async () => {
    const sim = await start(new AstmSimulator(opts));
    const { receiver, messages, events } = await lis(sim, 200);
    const outcome = await sim.send({ sampleId: 'S-2', results: [{ testCode: 'PH', value: '7.0' }] }, { stopAfterFrames: 2 });
    expect(outcome).toMatchObject({ state: 'failed', reason: 'stopped' });
    await pause(250);
    const late = receiver.tick(Date.now());
    expect([...events, ...late.events.map((e) => e.type)]).toContain('discarded');
    expect(messages).toEqual([]);
  });

  it('with nobody answering, the instrument times out; silent, it answers nothing', async () => {
    const sim = await start(new AstmSimulator(opts));
    const host = await open(sim);
    let answer = '';
    host.onData((b) => (answer += Buffer.from(b).toString('hex')));
    const outcome = await sim.send(['H|\\^&', 'L|1'], { timeoutMs: 150 });
    expect(outcome).toMatchObject({ state: 'failed', reason: 'timeout' });
    await until(() => answer === '0504', 'ENQ, then EOT after the timeout');

    answer = '';
    sim.silent = true;
    await host.write(Uint8Array.of(0x05));
    await sim.waitForReceived('\u0005');
    await pause(100);
    expect(answer).toBe('');
    sim.silent = false;
    await host.write(Uint8Array.of(0x05));
    await until(() => answer === '06', 'ACK to ENQ');
  });
});

describe('line-output lab instrument simulator', () => {
  /** What the host reads from a line with the preset profile of the same model. */
  const valueOf = (model: LabLineModel, line: string): number | null => matchLine(LAB_LINE_PRESETS[model].profile, line)?.numeric ?? null;

  async function lines(sim: LabLineSimulator): Promise<{ host: SerialTransport; got: string[] }> {
    const host = await open(sim);
    const got: string[] = [];
    let rest = '';
    host.onData((b) => {
      const parts = (rest + new TextDecoder().decode(b)).split('\r\n');
      rest = parts.pop() ?? '';
      got.push(...parts);
    });
    return { host, got };
  }

  it.each(Object.keys(LAB_LINE_PRESETS) as LabLineModel[])('%s: its preset reads the line the instrument prints, asked with the preset command if it has one', async (model) => {
    const { profile } = LAB_LINE_PRESETS[model];
    const command = 'command' in profile ? profile.command : undefined;
    // An instrument that is asked prints nothing by itself here, so the line proves the command works.
    const sim = await start(new LabLineSimulator({ ...opts, model, value: 6.5, ...(command === undefined ? {} : { intervalMs: 0 }) }));
    const got = await lines(sim);
    if (command !== undefined) await got.host.write(commandBytes(command));
    await until(() => got.got.length >= 1, `a ${model} line`);
    expect(valueOf(model, got.got[0] ?? '')).toBe(6.5);
  });

  it('Sartorius prints by itself, or on ESC P when told not to; its preset reads the value', async () => {
    const auto = await start(new LabLineSimulator({ ...opts, model: 'sartorius-ma', value: 22.4, intervalMs: 40 }));
    const a = await lines(auto);
    await until(() => a.got.length >= 2, 'printed lines');
    expect(a.got[0]).toMatch(/^Moist \+\s+22\.4 %M$/);
    expect(valueOf('sartorius-ma', a.got[0] ?? '')).toBe(22.4);

    const asked = await start(new LabLineSimulator({ ...opts, model: 'sartorius-ma', value: 9.25, intervalMs: 0 }));
    const b = await lines(asked);
    await pause(100);
    expect(b.got).toEqual([]);
    await b.host.write(text('\u001bP'));
    await until(() => b.got.length === 1, 'the line asked for');
    expect(valueOf('sartorius-ma', b.got[0] ?? '')).toBe(9.3);
  });

  it('Ohaus answers P, Hanna answers PH?; nothing else makes them talk', async () => {
    const ohaus = await start(new LabLineSimulator({ ...opts, model: 'ohaus-mb', value: 10.52 }));
    const o = await lines(ohaus);
    await o.host.write(text('X\r\n'));
    await o.host.write(commandBytes(LAB_LINE_PRESETS['ohaus-mb'].profile.command));
    await until(() => o.got.length === 1, 'Ohaus line');
    expect(valueOf('ohaus-mb', o.got[0] ?? '')).toBe(10.52);

    const hanna = await start(new LabLineSimulator({ ...opts, model: 'hanna-ph', value: 6.85 }));
    const h = await lines(hanna);
    await h.host.write(commandBytes(LAB_LINE_PRESETS['hanna-ph'].profile.command));
    await until(() => h.got.length === 1, 'Hanna line');
    expect(valueOf('hanna-ph', h.got[0] ?? '')).toBe(6.85);
    await pause(50);
    expect(o.got).toHaveLength(1);
  });
});

describe('Modbus sensor simulator', () => {
  /** One request/response over the transport: the frame the host got within `ms`, or null. */
  async function request(host: SerialTransport, frame: Uint8Array, ms = 300): Promise<Uint8Array | null> {
    const parts: Uint8Array[] = [];
    const stop = host.onData((b) => parts.push(Uint8Array.from(b)));
    await host.write(frame);
    await pause(ms);
    stop();
    return parts.length ? Uint8Array.from(parts.flatMap((p) => [...p])) : null;
  }

  it('answers XY-MD02 temperature and humidity reads; a broken probe decodes as an error', async () => {
    const sim = await start(new ModbusSimulator({ ...opts, unitId: 7, temperature: -18.5, humidity: 61.2 }));
    const host = await open(sim);
    const [temperature, humidity] = xyMd02Preset(7).registers;
    const reply = parseReadResponse((await request(host, buildReadRequest(7, 4, 1, 2))) ?? [], { unitId: 7, function: 4, count: 2 });
    expect(reply.ok).toBe(true);
    if (!reply.ok || !temperature || !humidity) return;
    expect(decodeRegisters(temperature, reply.registers)).toEqual({ value: -18.5 });
    expect(decodeRegisters(humidity, reply.registers.slice(1))).toEqual({ value: 61.2 });

    sim.sensorError();
    const broken = parseReadResponse((await request(host, buildReadRequest(7, 4, 1, 1))) ?? []);
    expect(broken.ok && decodeRegisters(temperature, broken.registers)).toMatchObject({ error: expect.any(String) });
    expect(sim.requests).toBe(2);
  });

  it('answers OWEN MV210 float reads from holding registers', async () => {
    const sim = await start(new ModbusSimulator({ ...opts, layout: 'owen-mv210', wordOrder: 'little', temperature: 3.25 }));
    const host = await open(sim);
    const [config] = owenMv210Preset(1, 'little').registers;
    const reply = parseReadResponse((await request(host, buildReadRequest(1, 3, 4000, 2))) ?? []);
    expect(reply.ok && config && decodeRegisters(config, reply.registers)).toEqual({ value: 3.25 });
  });

  it('exceptions for unknown registers; silence for a bad CRC, another unit, or a silent sensor; a corrupted answer fails its CRC', async () => {
    const sim = await start(new ModbusSimulator({ ...opts, unitId: 1 }));
    const host = await open(sim);
    expect(parseReadResponse((await request(host, buildReadRequest(1, 4, 100, 1))) ?? [])).toMatchObject({ kind: 'exception', exceptionCode: 2 });
    expect(parseReadResponse((await request(host, buildReadRequest(1, 3, 1, 1))) ?? [])).toMatchObject({ kind: 'exception', exceptionCode: 2 });
    expect(await request(host, flipped(buildReadRequest(1, 4, 1, 1)))).toBeNull();
    expect(await request(host, buildReadRequest(2, 4, 1, 1))).toBeNull();
    sim.silent = true;
    expect(await request(host, buildReadRequest(1, 4, 1, 1))).toBeNull();
    sim.silent = false;
    sim.corruptNext();
    expect(parseReadResponse((await request(host, buildReadRequest(1, 4, 1, 1))) ?? [])).toMatchObject({ kind: 'invalid', error: 'CRC mismatch' });
    expect(parseReadResponse((await request(host, buildReadRequest(1, 4, 1, 1))) ?? []).ok).toBe(true);
  });
});

describe('label printer simulators', () => {
  const label: Label = {
    widthMm: 58,
    heightMm: 40,
    dpi: 203,
    elements: [
      { kind: 'text', x: 2, y: 2, heightMm: 4, text: 'Горбуша ^XZ потрошёная' },
      { kind: 'barcode128', x: 2, y: 10, heightMm: 12, gs1: [{ ai: '01', value: '04607001000013' }, { ai: '10', value: 'LOT1' }] },
    ],
  };

  async function printer(): Promise<{ sim: TcpPrinterSimulator; host: TcpTransport }> {
    const sim = await start(new TcpPrinterSimulator());
    const host = new TcpTransport({ host: '127.0.0.1', port: sim.port });
    hosts.push(host);
    await host.open();
    return { sim, host };
  }

  it('collects valid ZPL jobs sent over TCP, and flags a broken one', async () => {
    const { sim, host } = await printer();
    const zpl = toZpl(label);
    await host.write(text(`~JA${zpl}${zpl.slice(0, 40)}`));
    await host.write(text(`${zpl.slice(40)}^XA^FO10,10^FDno end^XZ`));
    const jobs = await sim.waitForJobs(3);
    expect(jobs.map((j) => j.errors)).toEqual([[], [], [expect.stringContaining('not closed by ^FS')]]);
    expect(jobs[0]?.data).toBe(zpl.trim());
  });

  it('refuses connections on request and accepts them again on the same port', async () => {
    const { sim, host } = await printer();
    await host.close();
    await sim.refuse(true);
    await expect(host.open()).rejects.toMatchObject({ fault: { code: 'REFUSED' } });
    await sim.refuse(false);
    await host.open();
    await host.write(text(toZpl(label)));
    await sim.waitForJobs(1);
  });

  it('drops a connection mid-job: the host hears it and no half job is collected', async () => {
    const { sim, host } = await printer();
    const faults: DeviceFault[] = [];
    host.onClose((f) => faults.push(f));
    sim.dropNext(50);
    await host.write(text(toZpl(label))).catch(() => undefined);
    await until(() => faults.length === 1, 'the cut');
    expect(faults[0]?.code).toBe('DISCONNECTED');
    expect(sim.jobs).toEqual([]);
    expect(sim.dropped).toBe(1);
  });

  it('a serial printer collects TSPL jobs at each PRINT', async () => {
    const sim = await start(new SerialPrinterSimulator({ ...opts, language: 'tspl' }));
    const host = await open(sim);
    const tspl = toTspl(label);
    await host.write(text(tspl + tspl));
    const jobs = await sim.waitForJobs(2);
    expect(jobs[1]?.data).toBe(tspl.trim());
    expect(jobs[0]?.data).toMatch(/^SIZE [\s\S]*\r\nPRINT 1,1$/);
  });
});

describe('scripts', () => {
  it('reports every problem with its line number, in Russian and English', () => {
    const script = ['# a comment', 'weight 12,5', 'jump 3', 'wait soon', 'loop', 'stable'].join('\n');
    let error: unknown;
    try {
      parseScript(script);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScriptError);
    const problems = (error as ScriptError).problems;
    expect(problems.map((p) => p.line)).toEqual([3, 4, 6, 5]);
    expect(problems[0]).toMatchObject({ ru: 'строка 3: неизвестная команда «jump»', en: 'line 3: unknown command "jump"' });
    expect(problems[1]?.en).toBe('line 4: expected wait <duration>, e.g. wait 500ms');
    expect(problems[3]?.en).toContain('loop without a wait');
    expect(parseScript('weight 12,5\nunplug 2s\nscan ]C101<GS>10A').map((s) => s.arg)).toEqual([12.5, 2000, ']C101\u001d10A']);
  });

  it('refuses commands the simulator cannot do before running anything', async () => {
    const sim = await start(new MtSicsSimulator(opts));
    await expect(runScript(sim, 'weight 3\nscan 123\ntemperature 4')).rejects.toMatchObject({
      problems: [
        { line: 2, en: 'line 2: scan works only with a scanner' },
        { line: 3, en: 'line 3: temperature works only with a Modbus sensor' },
      ],
    });
    expect(sim.state.weightKg).toBe(0);
  });

  it('drives a scale the host reads, unplugs and replugs it', async () => {
    const sim = await start(new ToledoSimulator({ ...opts, intervalMs: 20 }));
    const host = await open(sim);
    const { readings } = listen(host, new ToledoDecoder());
    const faults: DeviceFault[] = [];
    host.onClose((f) => faults.push(f));
    const run = runScript(sim, 'weight 7.5\ntare 0.5\nunstable\nwait 100ms\nstable\nwait 100ms\nunplug 150ms\nweight 8');
    await until(() => faults.length === 1, 'the unplug');
    expect(readings.some((r) => r.weight === 7.5 && !r.stable)).toBe(true);
    expect(readings.at(-1)).toMatchObject({ weight: 7.5, stable: true, tare: 0.5 });
    await run;
    await host.open();
    await until(() => readings.at(-1)?.weight === 8, 'readings after the replug');
  });

  it('a looping script runs until aborted', async () => {
    const sim = await start(new ScannerSimulator(opts));
    const host = await open(sim);
    let got = '';
    host.onData((b) => (got += new TextDecoder().decode(b)));
    const stop = new AbortController();
    const run = runScript(sim, 'scan ABC\nwait 20ms\nloop', { signal: stop.signal });
    await until(() => got.split('\r').length > 3, 'repeated scans');
    stop.abort();
    await run;
  });
});

describe('startSimulator', () => {
  it('starts every simulated protocol; a HID scanner is UNSUPPORTED', async () => {
    for (const protocol of SIMULATED_PROTOCOLS) {
      const sim = await startSimulator(protocol, protocol === 'printer-tcp' ? {} : { dir });
      sims.push(sim);
      expect(sim.path).toBeTruthy();
      await sim.close();
    }
    await expect(startSimulator('scanner-hid')).rejects.toBeInstanceOf(DeviceFaultError);
    await expect(startSimulator('scanner-hid')).rejects.toMatchObject({ fault: { code: 'UNSUPPORTED' } });
  });

  it('a --link path is where the simulator appears', async () => {
    const link = join(dir, 'my-scale');
    const sim = await startSimulator('cas', { link, intervalMs: 20 });
    sims.push(sim);
    expect(sim.path).toBe(link);
    const { readings } = listen(await open(sim), new CasDecoder());
    await until(() => readings.length > 0, 'a reading through the link');
  });
});

describe('the default folder of the links', () => {
  const runtimeDir = process.env.XDG_RUNTIME_DIR;
  afterEach(() => {
    if (runtimeDir === undefined) delete process.env.XDG_RUNTIME_DIR;
    else process.env.XDG_RUNTIME_DIR = runtimeDir;
  });
  /** A fresh runtime folder for this test; the links' folder inside it is `<it>/plantdesk-sim`. */
  const freshRuntime = (): string => {
    const runtime = mkdtempSync(join(dir, 'runtime-'));
    process.env.XDG_RUNTIME_DIR = runtime;
    return join(runtime, 'plantdesk-sim');
  };

  it('is per user: the runtime folder when there is one, else the temp folder with the user id', () => {
    delete process.env.XDG_RUNTIME_DIR;
    expect(defaultSimDir()).toBe(join(tmpdir(), `plantdesk-sim-${process.getuid?.()}`));
    process.env.XDG_RUNTIME_DIR = '/run/user/1000';
    expect(defaultSimDir()).toBe('/run/user/1000/plantdesk-sim');
  });

  it('is created for this user only, and the app reads through a link in it', async () => {
    const links = freshRuntime();
    const sim = await start(new CasSimulator({ intervalMs: 20 }));
    expect(sim.path.startsWith(links + '/')).toBe(true);
    expect(statSync(links).mode & 0o777).toBe(0o700);
    const { readings } = listen(await open(sim), new CasDecoder());
    await until(() => readings.length > 0, 'a reading through the default folder');
  });

  it('a folder other users can write to, or a symlink in its place, is refused and no link is made', async () => {
    const links = freshRuntime();
    mkdirSync(links);
    chmodSync(links, 0o777);
    const shared = new CasSimulator();
    sims.push(shared);
    await expect(shared.start()).rejects.toThrow(/can be written by other users \(mode 777\)/);
    expect(existsSync(shared.path)).toBe(false);

    rmSync(links, { recursive: true });
    const elsewhere = mkdtempSync(join(dir, 'elsewhere-'));
    symlinkSync(elsewhere, links);
    const linked = new CasSimulator();
    sims.push(linked);
    await expect(linked.start()).rejects.toThrow(/is not a directory/);
    expect(existsSync(join(elsewhere, linked.name))).toBe(false);
  });

  // Giving a folder to another user needs root; as any other user this case cannot be set up.
  it.skipIf(process.getuid?.() !== 0)('a folder another user made first is refused', async () => {
    const links = freshRuntime();
    mkdirSync(links, { mode: 0o700 });
    chownSync(links, 4321, 4321);
    const sim = new CasSimulator();
    sims.push(sim);
    await expect(sim.start()).rejects.toThrow(/belongs to user 4321/);
    expect(existsSync(sim.path)).toBe(false);
  });
});
