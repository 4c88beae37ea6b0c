// The device manager against real simulators on pseudo-terminals and a real TCP printer, with a
// real workspace whose devices were saved through the registry.
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { LAB_LINE_PRESETS } from '../main/contract/device-presets.js';
import { AstmSimulator, CasSimulator, LabLineSimulator, ModbusSimulator, MtSicsSimulator, TcpPrinterSimulator, ToledoSimulator } from '../native/sim/index.js';
import { seedDemo } from '../main/demo/seed.js';
import { startDemoDevices } from '../main/devices/demo.js';
import { DeviceManager } from '../main/devices/manager.js';
import { EventHub } from '../main/host/events.js';
import { Workspace } from '../main/workspace.js';
import { plant, tempDir } from './helpers.js';
import { FAST, later, own, Recorder, refusal, runDevices, scaleDevice, serial, until } from './device-fixtures.js';

const ascii = (text: string) => new TextEncoder().encode(text);

describe('scales', () => {
  test('a scale opens, reads, and its weights reach the windows', async () => {
    const p = plant();
    const scale = own(await new MtSicsSimulator({ state: { weightKg: 12.345 } }).start());
    const { manager, recorder } = await runDevices(p, [scaleDevice(scale.path)]);
    const weight = await recorder.waitFor('device.weight', (w) => w.grams === 12_345);
    expect(weight).toMatchObject({ device: 'SC-1', weight: 12.345, unit: 'kg', stable: true, status: 'ok' });
    expect(recorder.of('device.status').map((s) => s.state)).toEqual(['connecting', 'connected', 'reading']);
    expect(manager.statuses()).toEqual([expect.objectContaining({ code: 'SC-1', kind: 'scale', state: 'reading', fault: null, attempt: 0, retryAt: null })]);
    expect(manager.statuses()[0]!.lastReadingAt).toEqual(expect.any(Number));
  });

  test('a fast stream reaches the windows about ten times a second, and a settled weight at once', async () => {
    const p = plant();
    const scale = own(await new ToledoSimulator({ state: { weightKg: 40.1, stable: false }, intervalMs: 5 }).start());
    const { recorder } = await runDevices(p, [{ ...scaleDevice(scale.path), protocol: 'toledo' }]);
    await recorder.waitFor('device.weight', (w) => w.weight === 40.1);
    const from = recorder.mark();
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 600));
    const published = recorder.of('device.weight', from).length;
    // ~120 frames arrived; at most one event per 100 ms (plus the edges of the window) went out.
    expect(published).toBeGreaterThanOrEqual(3);
    expect(published).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 100) + 2);
    const settling = recorder.mark();
    scale.set({ stable: true });
    const settled = await recorder.waitFor('device.weight', (w) => w.stable, settling);
    expect(settled.weight).toBe(40.1);
  });

  test('capture takes only a fresh, stable weight above zero within the range, and says why not', async () => {
    const p = plant();
    let skew = 0;
    const scale = own(await new MtSicsSimulator({ state: { weightKg: 12.345, stable: false } }).start());
    const { manager, recorder } = await runDevices(p, [scaleDevice(scale.path, { minGrams: 20, maxGrams: 150_000 })], { now: () => Date.now() + skew });
    const showing = async (state: Parameters<typeof scale.set>[0], match: (w: { grams: number | null; stable: boolean; status: string }) => boolean) => {
      const from = recorder.mark();
      scale.set(state);
      await recorder.waitFor('device.weight', match, from);
    };

    await recorder.waitFor('device.weight', (w) => w.grams === 12_345 && !w.stable);
    expect(refusal(() => manager.capture('SC-1')).code).toBe('WEIGHT_NOT_STABLE');

    await showing({ weightKg: 0, stable: true }, (w) => w.grams === 0 && w.stable);
    expect(refusal(() => manager.capture('SC-1')).code).toBe('WEIGHT_OUT_OF_RANGE');
    await showing({ weightKg: 0.01 }, (w) => w.grams === 10);
    expect(refusal(() => manager.capture('SC-1'))).toMatchObject({ code: 'WEIGHT_OUT_OF_RANGE', params: { weight: '0.010', min: '0.020', max: '150.000' } });
    await showing({ weightKg: 200 }, (w) => w.grams === 200_000);
    expect(refusal(() => manager.capture('SC-1')).code).toBe('WEIGHT_OUT_OF_RANGE');
    await showing({ overload: true }, (w) => w.status === 'overload');
    expect(refusal(() => manager.capture('SC-1')).code).toBe('WEIGHT_OVERLOAD');
    await showing({ overload: false, underload: true }, (w) => w.status === 'underload');
    expect(refusal(() => manager.capture('SC-1')).code).toBe('WEIGHT_UNDERLOAD');

    await showing({ underload: false, weightKg: 48.25 }, (w) => w.grams === 48_250 && w.stable);
    const captured = manager.capture('SC-1');
    expect(captured).toMatchObject({ device: 'SC-1', gross_g: 48_250, tare_g: 0, net_g: 48_250 });
    expect(captured.raw).toContain('48.250');

    // The scale went quiet (as far as the clock can tell): an old weight is not taken.
    skew += 5_000;
    expect(refusal(() => manager.capture('SC-1')).code).toBe('WEIGHT_NO_READING');

    expect(refusal(() => manager.capture('NOPE'))).toMatchObject({ code: 'DEVICE_NOT_FOUND', params: { device: 'NOPE' } });
  });

  test('a net weight is captured with its tare: gross = net + tare', async () => {
    const p = plant();
    const scale = own(await new ToledoSimulator({ state: { weightKg: 10, tareKg: 0.5 }, intervalMs: 20 }).start());
    const { manager, recorder } = await runDevices(p, [{ ...scaleDevice(scale.path), protocol: 'toledo' }]);
    await recorder.waitFor('device.weight', (w) => w.grams === 10_000 && w.net === true);
    expect(manager.capture('SC-1')).toMatchObject({ gross_g: 10_500, tare_g: 500, net_g: 10_000 });
  });

  test('after a tare on an MT-SICS scale the capture is gross = net + tare; a net weight without its tare (CAS) is refused', async () => {
    const p = plant();
    const mt = own(await new MtSicsSimulator({ state: { weightKg: 0.8 } }).start());
    const cas = own(await new CasSimulator({ state: { weightKg: 10, tareKg: 0.5 }, intervalMs: 20 }).start());
    const { manager, recorder } = await runDevices(p, [scaleDevice(mt.path), { ...scaleDevice(cas.path, {}, 'SC-CAS'), protocol: 'cas' }]);
    await recorder.waitFor('device.weight', (w) => w.device === 'SC-1' && w.grams === 800);
    await manager.tare('SC-1'); // the box goes on first
    const filled = recorder.mark();
    mt.set({ weightKg: 12.4 });
    await recorder.waitFor('device.weight', (w) => w.device === 'SC-1' && w.grams === 12_400, filled);
    expect(manager.capture('SC-1')).toMatchObject({ gross_g: 13_200, tare_g: 800, net_g: 12_400 });

    // CAS says "NT" (net) but never the tare: no document may get gross = net from it.
    await recorder.waitFor('device.weight', (w) => w.device === 'SC-CAS' && w.net === true && w.grams === 10_000);
    expect(refusal(() => manager.capture('SC-CAS'))).toMatchObject({ code: 'WEIGHT_TARE_UNKNOWN', params: { device: 'SC-CAS' } });
  });

  test('zero and tare are confirmed by the scale; a scale that cannot is refused with the reason', async () => {
    const p = plant();
    const scale = own(await new MtSicsSimulator({ state: { weightKg: 2.5 } }).start());
    const { manager, recorder } = await runDevices(p, [scaleDevice(scale.path)]);
    await recorder.waitFor('device.weight', (w) => w.grams === 2_500);
    await manager.tare('SC-1');
    expect(scale.state).toMatchObject({ weightKg: 0, tareKg: 2.5 });
    scale.set({ stable: false });
    await recorder.waitFor('device.weight', (w) => !w.stable);
    await expect(manager.zero('SC-1')).rejects.toMatchObject({ error: { code: 'DEVICE_FAILED' } });
  });

  test('unplugged: error DISCONNECTED, retries with growing delays, reconnects by itself when plugged back', async () => {
    const p = plant();
    const scale = own(await new MtSicsSimulator({ state: { weightKg: 7.5 } }).start());
    const { manager, recorder } = await runDevices(p, [scaleDevice(scale.path)]);
    await recorder.waitFor('device.status', (s) => s.state === 'reading');

    const unplugged = recorder.mark();
    await scale.unplug();
    const lost = await recorder.waitFor('device.status', (s) => s.state === 'error', unplugged);
    expect(lost).toMatchObject({ fault: { code: 'DISCONNECTED' }, attempt: 1 });
    expect(lost.retryAt).toBeGreaterThan(lost.since);
    // The port is gone while unplugged: the next attempts fail too, each retry later than the last.
    const third = await recorder.waitFor('device.status', (s) => s.state === 'error' && s.attempt === 3, unplugged);
    expect(third.fault?.code).toBe('NOT_FOUND');
    const delays = recorder.of('device.status', unplugged).filter((s) => s.state === 'error').map((s) => s.retryAt! - s.since);
    expect(delays.slice(0, 3)).toEqual([50, 100, 200]);
    expect(refusal(() => manager.capture('SC-1')).code).toBe('DEVICE_OFFLINE');

    const replugged = recorder.mark();
    await scale.replug();
    const back = await recorder.waitFor('device.status', (s) => s.state === 'reading', replugged);
    expect(back).toMatchObject({ attempt: 0, retryAt: null });
    await recorder.waitFor('device.weight', (w) => w.grams === 7_500, replugged);
    expect(manager.capture('SC-1').net_g).toBe(7_500);
  });

  test('reconnect tries at once instead of at the next retry', async () => {
    const p = plant();
    const scale = own(await new MtSicsSimulator({ state: { weightKg: 3 } }).start());
    await scale.unplug();
    const { manager, recorder } = await runDevices(p, [scaleDevice(scale.path)], { backoff: { initialMs: 60_000, jitter: 0 } });
    expect(manager.statuses()[0]).toMatchObject({ state: 'error', fault: { code: 'NOT_FOUND' }, attempt: 1 });
    await scale.replug();
    const status = await manager.reconnect('SC-1');
    expect(status.state === 'connected' || status.state === 'reading').toBe(true);
    await recorder.waitFor('device.status', (s) => s.state === 'reading');
  });

  test('saved settings apply at once: only the changed device restarts, a switched-off one closes', async () => {
    const p = plant();
    const a = own(await new MtSicsSimulator({ state: { weightKg: 1 } }).start());
    const b = own(await new MtSicsSimulator({ state: { weightKg: 2 } }).start());
    const { manager, recorder } = await runDevices(p, [scaleDevice(a.path, {}, 'SC-A'), scaleDevice(b.path, {}, 'SC-B')]);
    await recorder.waitFor('device.weight', (w) => w.device === 'SC-A');
    await recorder.waitFor('device.weight', (w) => w.device === 'SC-B');

    const changed = recorder.mark();
    p.call('devices.save', scaleDevice(b.path, { pollMs: 80 }, 'SC-B'));
    await manager.reload();
    expect(recorder.of('device.status', changed).map((s) => `${s.code} ${s.state}`)).toEqual(['SC-B connecting', 'SC-B connected']);

    const switchedOff = recorder.mark();
    p.call('devices.save', { ...scaleDevice(a.path, {}, 'SC-A'), active: 0 });
    await manager.reload();
    expect(recorder.of('device.status', switchedOff)).toEqual([expect.objectContaining({ code: 'SC-A', state: 'disabled' })]);
    expect(manager.statuses().map((s) => s.code)).toEqual(['SC-B']);
    // The port is free again: SC-A's simulator hears no more polls.
    a.clearReceived();
    await recorder.waitFor('device.weight', (w) => w.device === 'SC-B', recorder.mark());
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(a.receivedText()).toBe('');
  });
});

describe('sensors', () => {
  test('samples are stored in batches; a temperature above the limit raises an alert that is stored and announced', async () => {
    const p = plant();
    const sensor = own(await new ModbusSimulator({ temperature: 2.5, humidity: 80 }).start());
    const { recorder } = await runDevices(p, [
      {
        code: 'TS-CR1',
        name: 'Датчик камеры №1',
        protocol: 'modbus',
        connection: serial(sensor.path),
        // BF-CR1 is kept at 0…4 °C.
        options: { pollMs: 200, timeoutMs: 300, location: 'BF-CR1', alertDelayMs: 0, channels: [{ quantity: 'temperature', address: 1 }] },
      },
    ]);
    const sample = await recorder.waitFor('device.sample', (s) => s.value === 2.5);
    expect(sample).toMatchObject({ device: 'TS-CR1', quantity: 'temperature' });
    // Samples are written in batches; they alone do not make every screen re-read (no workspace.changed).
    await until('the sample stored', () => p.call('sensors.latest', {}).rows[0]?.value === 2.5);
    expect(recorder.events.filter((e) => e.channel === 'workspace.changed')).toEqual([]);
    expect(p.call('sensors.latest', {}).rows).toEqual([expect.objectContaining({ device: 'TS-CR1', value: 2.5, max: 4, open_alert: false })]);

    sensor.setTemperature(9.5);
    const alert = await recorder.waitFor('device.alert', (a) => a.kind === 'above');
    expect(alert).toMatchObject({ device: 'TS-CR1', state: 'open', limit: 4 });
    const stored = p.call('alerts.list', { open: true });
    expect(stored.rows).toEqual([expect.objectContaining({ id: alert.id, device_code: 'TS-CR1', location_code: 'BF-CR1', kind: 'above' })]);
  });

  test('an unplugged sensor is recorded as silent every poll, so its alert opens; plugged back, the alert closes', async () => {
    const p = plant();
    const sensor = own(await new ModbusSimulator({ temperature: 2.5 }).start());
    const { recorder } = await runDevices(p, [
      {
        code: 'TS-1',
        name: 'Датчик',
        protocol: 'modbus',
        connection: serial(sensor.path),
        options: { pollMs: 200, timeoutMs: 200, alertDelayMs: 500, channels: [{ quantity: 'temperature', address: 1 }] },
      },
    ]);
    await recorder.waitFor('device.sample', (s) => s.value === 2.5);
    const unplugged = recorder.mark();
    await sensor.unplug();
    const alert = await recorder.waitFor('device.alert', (a) => a.kind === 'sensor' && a.state === 'open', unplugged);
    expect(alert).toMatchObject({ device: 'TS-1', value: null });
    const silent = p.ws.q.sql<{ error: string }>('SELECT error FROM sensor_samples WHERE value IS NULL ORDER BY at');
    expect(silent.length).toBeGreaterThanOrEqual(2);
    expect(silent[0]!.error).toMatch(/^no connection: Device .+ was disconnected/);
    expect(p.call('alerts.list', { open: true }).rows).toEqual([expect.objectContaining({ id: alert.id, kind: 'sensor', device_code: 'TS-1' })]);

    await sensor.replug();
    await recorder.waitFor('device.alert', (a) => a.id === alert.id && a.state === 'closed', unplugged);
  });

  test('while the workspace keeps failing at most `max` samples wait per device: the oldest go, and the log says so', async () => {
    const p = plant();
    const sensor = own(await new ModbusSimulator({ temperature: 3.1 }).start());
    const reports: string[] = [];
    const { recorder } = await runDevices(
      p,
      [{ code: 'TS-1', name: 'Датчик', protocol: 'modbus', connection: serial(sensor.path), options: { pollMs: 200, channels: [{ quantity: 'temperature', address: 1 }] } }],
      { samples: { flushMs: 50, max: 3 }, onError: (what, error) => reports.push(`${what}: ${error instanceof Error ? error.message : (error as { code: string }).code}`) },
    );
    await recorder.waitFor('device.sample', (s) => s.value === 3.1);
    // Another program holds the write lock; the manager's writes fail at once instead of waiting.
    p.ws.db.pragma('busy_timeout = 0');
    const other = new Database(p.ws.file);
    later(async () => other.close());
    other.exec('BEGIN IMMEDIATE');
    const locked = recorder.mark();
    await until('six samples while locked', () => recorder.of('device.sample', locked).length >= 6);
    const taken = recorder.of('device.sample', locked).map((s) => s.at);
    other.exec('COMMIT');

    const stored = () => new Set(p.ws.q.sql<{ at: number }>('SELECT at FROM sensor_samples').map((r) => r.at));
    await until('the samples kept stored', () => stored().has(taken.at(-1)!));
    expect(taken.filter((at) => stored().has(at))).toEqual(taken.slice(-3));
    expect(reports).toContain('device TS-1: storing samples: the workspace keeps failing: the oldest samples are dropped, 3 are kept');
    expect(reports.some((r) => /^device TS-1: storing samples: \d+ samples were dropped while the workspace was failing$/.test(r))).toBe(true);
  });

  test('samples a busy workspace could not take are written later: none is lost', { timeout: 20_000 }, async () => {
    const p = plant();
    const sensor = own(await new ModbusSimulator({ temperature: 3.1 }).start());
    const failures: unknown[] = [];
    const { recorder } = await runDevices(
      p,
      [{ code: 'TS-1', name: 'Датчик', protocol: 'modbus', connection: serial(sensor.path), options: { pollMs: 200, channels: [{ quantity: 'temperature', address: 1 }] } }],
      { onError: (_, error) => failures.push(error) },
    );
    const storedSamples = () => p.ws.q.sql<{ at: number }>("SELECT at FROM sensor_samples WHERE quantity = 'temperature'").map((r) => r.at);
    await until('the first samples stored', () => storedSamples().length > 0);

    // Another program holds the workspace's write lock (a second PlantDesk, a copy tool).
    const other = new Database(p.ws.file);
    later(async () => other.close());
    other.exec('BEGIN IMMEDIATE');
    const locked = recorder.mark();
    const taken = await recorder.waitFor('device.sample', (s) => s.value === 3.1, locked);
    // The write waits for the lock (busy timeout), gives up, and keeps the samples.
    while (failures.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(failures[0]).toMatchObject({ code: 'INTERNAL' });
    other.exec('COMMIT');

    await until('the held-back sample stored', () => storedSamples().includes(taken.at));
  });
});

describe('lab instruments', () => {
  test('ASTM results land in the open inspection of the lot; a result no parameter takes says why', async () => {
    const p = plant();
    p.call('templates.upsert', {
      code: 'LAB-FISH',
      stage: 'incoming',
      name_ru: 'Лабораторный контроль',
      name_en: 'Lab control',
      parameters: [
        { code: 'MOISTURE', name_ru: 'Влага', name_en: 'Moisture', kind: 'numeric', unit: '%', min_value: 50, max_value: 80, test_code: 'H2O' },
        { code: 'SALT', name_ru: 'Соль', name_en: 'Salt', kind: 'numeric', unit: '%', min_value: 0, max_value: 5, test_code: 'NACL' },
      ],
    });
    const lot = p.receiveOmul().lines[0]!.lot_code;
    const inspection = p.call('inspections.open', { lot, template: 'LAB-FISH' });
    const analyser = own(await new AstmSimulator().start());
    const { recorder } = await runDevices(p, [
      { code: 'LAB-1', name: 'Анализатор', protocol: 'astm', connection: serial(analyser.path), options: { sampleId: 'lot', testCodes: { MOIST: 'H2O' } } },
    ]);
    await recorder.waitFor('device.status', (s) => s.state === 'connected');

    const outcome = await analyser.send({ sampleId: lot, results: [{ testCode: 'MOIST', value: '62.4', unit: '%' }, { testCode: 'TVBN', value: '12', unit: 'mg' }] });
    expect(outcome.state).toBe('done');
    const landed = await recorder.waitFor('device.lab', (r) => r.testCode === 'MOIST');
    expect(landed).toMatchObject({ device: 'LAB-1', sampleId: lot, numeric: 62.4, inspection: inspection.number, refused: null });
    const refused = await recorder.waitFor('device.lab', (r) => r.testCode === 'TVBN');
    expect(refused.inspection).toBeNull();
    expect(refused.refused?.en).toContain('TVBN');
    await recorder.waitFor('workspace.changed', (c) => c.operation === 'lab.record');

    const after = p.call('inspections.get', { number: inspection.number });
    expect(after.results).toEqual([expect.objectContaining({ parameter_code: 'MOISTURE', value_num: 62.4, verdict: 'pass', source: 'device' })]);
  });
});

describe('line-output lab instruments', () => {
  test('tied to an inspection, readings land there with their verdicts; only its own release unties it, and the tie lapses', async () => {
    const p = plant();
    p.call('templates.upsert', {
      code: 'LAB-MOIST',
      stage: 'incoming',
      name_ru: 'Влажность',
      name_en: 'Moisture',
      parameters: [{ code: 'MOISTURE', name_ru: 'Влага', name_en: 'Moisture', kind: 'numeric', unit: '%', min_value: 10, max_value: 20, test_code: 'moisture' }],
    });
    const lot = p.receiveOmul().lines[0]!.lot_code;
    const { number } = p.call('inspections.open', { lot, template: 'LAB-MOIST' });
    const analyser = own(await new LabLineSimulator({ model: 'sartorius-ma', value: 15.2, intervalMs: 50 }).start());
    const profile = LAB_LINE_PRESETS['sartorius-ma'].profile;
    // sampleId stays at its default ('lot'): that setting is for ASTM sample ids, not for ties.
    const { manager, recorder } = await runDevices(p, [{ code: 'LAB-2', name: 'Влагомер', protocol: 'lab-line', connection: serial(analyser.path), options: { profile } }], {
      labTieMs: 400,
    });
    await recorder.waitFor('device.status', (s) => s.state !== 'connecting');

    expect(manager.setSample('LAB-2', number).tiedTo).toEqual({ inspection: number, until: expect.any(Number) });
    const landed = await recorder.waitFor('device.lab', (r) => r.numeric === 15.2);
    expect(landed).toMatchObject({ device: 'LAB-2', sampleId: number, testCode: 'moisture', unit: '%', inspection: number, refused: null });
    expect(p.call('inspections.get', { number }).results).toEqual([expect.objectContaining({ parameter_code: 'MOISTURE', value_num: 15.2, verdict: 'pass', source: 'device' })]);

    // Another user's panel on another inspection closes: this tie stays.
    expect(manager.setSample('LAB-2', null, 'QC-OTHER-1').tiedTo?.inspection).toBe(number);
    analyser.value = 24.5;
    await recorder.waitFor('device.lab', (r) => r.numeric === 24.5 && r.inspection === number);
    await until('the later value recorded', () => p.call('inspections.get', { number }).results[0]?.verdict === 'fail');
    expect(manager.setSample('LAB-2', null, number).tiedTo).toBeNull();

    // Tied again and then left alone (no readings: unplugged), the tie lapses by itself.
    manager.setSample('LAB-2', number);
    const quiet = recorder.mark();
    await analyser.unplug();
    await recorder.waitFor('device.status', (s) => s.code === 'LAB-2' && s.tiedTo === null, quiet);
    expect(manager.statuses()[0]!.tiedTo).toBeNull();
  });
});

describe('label printers', () => {
  test('jobs go through the queue to a network printer; a refused connection fails that job only', async () => {
    const p = plant();
    const printer = own(await new TcpPrinterSimulator({ language: 'zpl' }).start());
    const { manager, recorder } = await runDevices(p, [
      { code: 'PR-1', name: 'Принтер этикеток', protocol: 'zpl', connection: { type: 'tcp', host: '127.0.0.1', port: printer.port } },
    ]);
    await recorder.waitFor('device.status', (s) => s.state === 'connected');

    const job = manager.print('PR-1', 'Ящик 1', ascii('^XA^FO20,20^A0N,30,30^FDBox 1^FS^XZ'));
    expect(job).toMatchObject({ device: 'PR-1', title: 'Ящик 1', copies: 1, finishedAt: null });
    await recorder.waitFor('device.printJob', (j) => j.id === job.id && j.state === 'done');
    expect(recorder.of('device.printJob').filter((j) => j.id === job.id).map((j) => j.state)).toEqual(['queued', 'sending', 'done']);
    const [received] = await printer.waitForJobs(1);
    expect(received!.data).toContain('Box 1');

    await printer.refuse(true);
    const refused = manager.print('PR-1', 'Ящик 2', ascii('^XA^FDBox 2^FS^XZ'));
    const failed = await recorder.waitFor('device.printJob', (j) => j.id === refused.id && j.state === 'failed');
    expect(failed.fault?.code).toBe('REFUSED');
    expect(manager.statuses()[0]).toMatchObject({ state: 'error', fault: { code: 'REFUSED' } });
    await printer.refuse(false);
    const third = manager.print('PR-1', 'Ящик 3', ascii('^XA^FDBox 3^FS^XZ'));
    await recorder.waitFor('device.printJob', (j) => j.id === third.id && j.state === 'done');
    expect(manager.statuses()[0]!.state).toBe('connected');
    expect(manager.jobs().map((j) => [j.title, j.state])).toEqual([
      ['Ящик 3', 'done'],
      ['Ящик 2', 'failed'],
      ['Ящик 1', 'done'],
    ]);
    expect(refusal(() => manager.cancel(third.id))).toMatchObject({ code: 'INVALID_STATE' });
  });

  test('jobs waiting for a printer fail, saying why, when its settings change or the app closes; a queued job can be cancelled', async () => {
    const p = plant();
    const printer = own(await new TcpPrinterSimulator({ language: 'zpl' }).start());
    await printer.refuse(true); // switched off: jobs wait for it
    const device = { code: 'PR-1', name: 'Принтер этикеток', protocol: 'zpl', connection: { type: 'tcp', host: '127.0.0.1', port: printer.port } };
    const { manager, recorder } = await runDevices(p, [device]);
    expect(manager.statuses()[0]).toMatchObject({ state: 'error', fault: { code: 'REFUSED' } });
    const waiting = manager.print('PR-1', 'Ящик 1', ascii('^XA^FD1^FS^XZ'));
    const unwanted = manager.print('PR-1', 'Ящик 2', ascii('^XA^FD2^FS^XZ'));
    expect(manager.cancel(unwanted.id).state).toBe('cancelled');

    const saved = recorder.mark();
    p.call('devices.save', { ...device, options: { dpi: 300 } });
    await manager.reload();
    const failed = await recorder.waitFor('device.printJob', (j) => j.id === waiting.id && j.state === 'failed', saved);
    expect(failed.fault).toMatchObject({
      message: { ru: 'Принтер этикеток: этикетка не напечатана — настройки принтера изменены', en: 'Принтер этикеток: the label was not printed — the printer settings were changed' },
      hint: { en: 'Print it again' },
    });
    expect(manager.jobs().find((j) => j.id === waiting.id)?.state).toBe('failed');
    expect(refusal(() => manager.cancel(waiting.id))).toMatchObject({ code: 'INVALID_STATE' });

    // The printer with its new settings queues jobs again; one can be cancelled, the other fails as the app closes.
    const dropped = manager.print('PR-1', 'Ящик 3', ascii('^XA^FD3^FS^XZ'));
    const left = manager.print('PR-1', 'Ящик 4', ascii('^XA^FD4^FS^XZ'));
    expect(manager.cancel(dropped.id).state).toBe('cancelled');
    const closing = recorder.mark();
    await manager.stop();
    const last = await recorder.waitFor('device.printJob', (j) => j.id === left.id && j.state === 'failed', closing);
    expect(last.fault?.message.en).toBe('Принтер этикеток: the label was not printed — the app is closing');
    expect(printer.jobs).toEqual([]);
  });
});

describe('demo', () => {
  test('npm start --demo: a simulated scale, chiller sensor and printer are set up in the demo workspace and work', async () => {
    const ws = Workspace.open(tempDir());
    later(async () => ws.close());
    seedDemo(ws, { days: 1, seed: 1, adminPassword: 'plantdesk' });
    const demo = await startDemoDevices(ws);
    later(() => demo.close());
    expect(demo.summary).toMatch(/DEMO-SCALE +\/.+demo-scale/);
    expect(demo.summary).toMatch(/DEMO-PRINTER +tcp:\/\/127\.0\.0\.1:\d+/);

    const hub = new EventHub();
    const recorder = new Recorder(hub);
    const manager = new DeviceManager(ws, hub, FAST);
    later(() => manager.stop());
    await manager.start();
    await recorder.waitFor('device.weight', (w) => w.device === 'DEMO-SCALE');
    await recorder.waitFor('device.sample', (s) => s.device === 'DEMO-CHILLER' && s.quantity === 'temperature' && s.value !== null);
    expect(manager.statuses().map((s) => `${s.code} ${s.state}`).sort()).toEqual(['DEMO-CHILLER reading', 'DEMO-PRINTER connected', 'DEMO-SCALE reading']);
  });
});
