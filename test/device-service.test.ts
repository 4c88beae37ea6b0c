// The hardware operations as the hosts serve them: admitted by the registry (session, permission,
// validation), run by the device service against real simulators, and over the browser host's
// HTTP API and WebSocket end to end.
import { request } from 'node:http';
import { describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { OperationError, Result } from '../main/contract/errors.js';
import { DeviceService } from '../main/devices/service.js';
import { startBrowserHost } from '../main/host/browser-host.js';
import { EventHub } from '../main/host/events.js';
import { handleRequest } from '../main/host/invoke.js';
import { RENDERER_DIR } from '../main/host/paths.js';
import { validateZpl } from '../native/protocols/labels.js';
import { parseScan } from '../native/protocols/gs1.js';
import { ModbusSimulator, MtSicsSimulator, TcpPrinterSimulator } from '../native/sim/index.js';
import { expectReadable, plant, type TestPlant } from './helpers.js';
import { later, own, runDevices, scaleDevice, serial } from './device-fixtures.js';

async function serviceFor(p: TestPlant, devices: object[] = []) {
  const running = await runDevices(p, devices);
  return { ...running, service: new DeviceService(p.ws, running.manager) };
}

function refused(result: Result<unknown>): OperationError {
  expect(result.ok, JSON.stringify(result)).toBe(false);
  return (result as { ok: false; error: OperationError }).error;
}

function value<T = Record<string, unknown>>(result: Result<unknown>): T {
  expect(result.ok, JSON.stringify(result)).toBe(true);
  return (result as { ok: true; value: T }).value;
}

describe('admission', () => {
  test('no session, a missing permission or invalid input is refused before any hardware is touched', async () => {
    const p = plant();
    const { service } = await serviceFor(p);
    const admin = { token: p.adminToken };
    const operator = { token: p.userToken('operator', ['operator']) };

    expectReadable(refused(await service.invokeDevice('devices.status', {}, null)), { code: 'UNAUTHENTICATED' });
    expectReadable(refused(await service.invokeDevice('devices.ports', {}, operator)), { code: 'FORBIDDEN' });
    expectReadable(refused(await service.invokeDevice('devices.test', { device: scaleDevice('/dev/null') }, operator)), { code: 'FORBIDDEN' });
    expectReadable(refused(await service.invokeDevice('devices.capture', {}, operator)), { code: 'VALIDATION', field: 'device' });
    expectReadable(refused(await service.invokeDevice('devices.test', { device: scaleDevice('/dev/null'), durationMs: 5 }, admin)), {
      code: 'VALIDATION',
      field: 'durationMs',
    });
    // Settings the contract refuses as a whole (a protocol over a connection it cannot use) name the field under `device`.
    const overHid = { ...scaleDevice('/dev/null'), connection: { type: 'hid', vendorId: 1, productId: 2 } };
    expectReadable(refused(await service.invokeDevice('devices.test', { device: overHid }, admin)), { code: 'VALIDATION', field: 'device.connection.type' });
    // Only hardware operations are served here.
    expectReadable(refused(await service.invokeDevice('devices.list', {}, admin)), { code: 'UNKNOWN_OPERATION' });
    // An operator may use a scale that is not there: the answer says so.
    expectReadable(refused(await service.invokeDevice('devices.capture', { device: 'SC-9' }, operator)), { code: 'DEVICE_NOT_FOUND' });
  });

  test('a host without a device service answers DEVICES_UNAVAILABLE; with one, it routes hardware operations there', async () => {
    const p = plant();
    const { service } = await serviceFor(p);
    const hub = new EventHub();
    const request = { operation: 'devices.status', input: {}, session: p.adminToken };
    expectReadable(refused(await handleRequest(p.ws, hub, request)), { code: 'DEVICES_UNAVAILABLE' });
    expect(value(await handleRequest(p.ws, hub, request, service))).toEqual({ rows: [] });
  });
});

describe('operations', () => {
  test('devices.test opens unsaved settings for a while, reports what came, and never fights the manager for a port', async () => {
    const p = plant();
    const admin = { token: p.adminToken };
    const scale = own(await new MtSicsSimulator({ state: { weightKg: 5.2 } }).start());
    const { service, manager } = await serviceFor(p);

    const tested = value<{ ok: boolean; weights: { grams: number }[]; fault: unknown }>(
      await service.invokeDevice('devices.test', { device: scaleDevice(scale.path), durationMs: 300 }, admin),
    );
    expect(tested).toMatchObject({ ok: true, fault: null });
    expect(tested.weights.length).toBeGreaterThan(0);
    expect(tested.weights[0]!.grams).toBe(5_200);

    const missing = value(await service.invokeDevice('devices.test', { device: scaleDevice('/dev/plantdesk-no-such-port'), durationMs: 200 }, admin));
    expect(missing).toMatchObject({ ok: false, fault: { code: 'NOT_FOUND' }, weights: [] });

    const silent = own(await new ModbusSimulator({ temperature: 3 }).start());
    silent.silent = true;
    const sensor = { code: 'TS-1', name: 'Датчик', protocol: 'modbus', connection: serial(silent.path), options: { pollMs: 200, timeoutMs: 100, channels: [{ quantity: 'temperature', address: 1 }] } };
    const quiet = value<{ ok: boolean; fault: { code: string } | null }>(await service.invokeDevice('devices.test', { device: sensor, durationMs: 400 }, admin));
    expect(quiet.ok).toBe(false);
    expect(quiet.fault?.code).toBe('TIMEOUT');

    p.call('devices.save', scaleDevice(scale.path));
    await manager.reload();
    const busy = value(await service.invokeDevice('devices.test', { device: { ...scaleDevice(scale.path), code: 'OTHER' }, durationMs: 200 }, admin));
    expect(busy).toMatchObject({ ok: false, fault: { code: 'BUSY' }, weights: [] });
  });

  test('capture, tare, status and reconnect through the service, their results checked against the contract', async () => {
    const p = plant();
    const operator = { token: p.userToken('operator', ['operator']) };
    const scale = own(await new MtSicsSimulator({ state: { weightKg: 31.7 } }).start());
    const { service, recorder } = await serviceFor(p, [scaleDevice(scale.path)]);
    await recorder.waitFor('device.weight', (w) => w.grams === 31_700);

    expect(p.ws.validatesOutputs).toBe(true);
    expect(value(await service.invokeDevice('devices.capture', { device: 'SC-1' }, operator))).toMatchObject({ device: 'SC-1', gross_g: 31_700, net_g: 31_700, tare_g: 0 });
    expect(value(await service.invokeDevice('devices.tare', { device: 'SC-1' }, operator))).toEqual({ ok: true });
    expect(scale.state.tareKg).toBe(31.7);
    const rows = value<{ rows: { code: string; state: string }[] }>(await service.invokeDevice('devices.status', {}, operator)).rows;
    expect(rows).toEqual([expect.objectContaining({ code: 'SC-1', state: 'reading' })]);
    expect(value(await service.invokeDevice('devices.reconnect', { device: 'SC-1' }, operator))).toMatchObject({ code: 'SC-1' });
    expectReadable(refused(await service.invokeDevice('devices.sample', { device: 'SC-1', inspection: 'QC-1' }, { token: p.adminToken })), { code: 'DEVICE_WRONG_KIND' });
  });

  test('printers.test prints a label with Cyrillic text and a GS1-128 barcode a scanner reads back', async () => {
    const p = plant();
    const user = { token: p.userToken('operator', ['operator']) };
    const printer = own(await new TcpPrinterSimulator({ language: 'zpl' }).start());
    const { service, recorder } = await serviceFor(p, [
      { code: 'PR-1', name: 'Принтер', protocol: 'zpl', connection: { type: 'tcp', host: '127.0.0.1', port: printer.port }, options: { widthMm: 58, heightMm: 40 } },
    ]);
    await recorder.waitFor('device.status', (s) => s.state === 'connected');

    const job = value<{ id: string }>(await service.invokeDevice('printers.test', { device: 'PR-1' }, user));
    await recorder.waitFor('device.printJob', (j) => j.id === job.id && j.state === 'done');
    const [label] = await printer.waitForJobs(1);
    expect(label!.errors).toEqual([]);
    expect(validateZpl(label!.data)).toEqual([]);
    expect(label!.data).toContain('^CI28');
    expect(label!.data).toContain('тестовая этикетка');
    // ^PW: the label's own width at 203 dpi (58 mm × 8 dots).
    expect(label!.data).toContain('^PW464');
    const barcode = /\^BCN[^]*?\^FD>;>8([^^]*)\^FS/.exec(label!.data)?.[1];
    expect(barcode).toBeDefined();
    const human = /\(01\)\d{14}\(11\)\d{6}\(10\)TEST1/.exec(label!.data)?.[0];
    expect(parseScan(human!).errors).toEqual([]);

    const jobs = value<{ rows: { id: string; state: string }[] }>(await service.invokeDevice('printers.jobs', {}, user)).rows;
    expect(jobs).toEqual([expect.objectContaining({ id: job.id, state: 'done' })]);
    expectReadable(refused(await service.invokeDevice('printers.cancel', { id: job.id }, user)), { code: 'INVALID_STATE' });
    expectReadable(refused(await service.invokeDevice('printers.cancel', { id: 'no-such-job' }, user)), { code: 'NOT_FOUND' });
  });
});

describe('browser host', () => {
  function post(port: number, token: string, operation: string, input: unknown, session?: string): Promise<Result<unknown>> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-PlantDesk-Host': token };
      if (session) headers.Authorization = `Bearer ${session}`;
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/invoke', headers }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(JSON.parse(body) as Result<unknown>));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ operation, input }));
    });
  }

  test('a device saved over HTTP opens at once; its weights arrive over the WebSocket and capture runs over HTTP', async () => {
    const p = plant();
    const scale = own(await new MtSicsSimulator({ state: { weightKg: 64.05 } }).start());
    const { service, hub } = await serviceFor(p);
    const host = own(await startBrowserHost({ workspace: p.ws, rendererDir: RENDERER_DIR, events: hub, devices: service }));
    const socket = new WebSocket(`ws://127.0.0.1:${host.port}/api/events?host=${host.token}`);
    later(async () => socket.close());
    await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
    const messages: { channel: string; payload: Record<string, unknown> }[] = [];
    const arrived = (match: (m: (typeof messages)[number]) => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => messages.some(match) && (socket.off('message', check), resolve());
        socket.on('message', check);
        check();
      });
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));

    expectReadable(refused(await post(host.port, host.token, 'devices.status', {})), { code: 'UNAUTHENTICATED' });
    value(await post(host.port, host.token, 'devices.save', scaleDevice(scale.path), p.adminToken));
    await arrived((m) => m.channel === 'device.weight' && m.payload.grams === 64_050);
    expect(messages.some((m) => m.channel === 'device.status' && m.payload.state === 'reading')).toBe(true);
    expect(messages.some((m) => m.channel === 'workspace.changed' && m.payload.operation === 'devices.save')).toBe(true);

    const captured = value(await post(host.port, host.token, 'devices.capture', { device: 'SC-1' }, p.adminToken));
    expect(captured).toMatchObject({ device: 'SC-1', net_g: 64_050 });
  });
});
