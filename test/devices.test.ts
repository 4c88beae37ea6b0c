import { describe, expect, test } from 'vitest';
import { newId } from '../main/core/ids.js';
import { deviceActor, loadDeviceConfigs } from '../main/services/devices.js';
import { expectReadable, expectRefusal, plant, T0, type TestPlant } from './helpers.js';

const SENSOR = {
  code: 'TS-CR1',
  name: 'Датчик камеры №1',
  protocol: 'modbus',
  connection: { type: 'serial', path: '/dev/ttyUSB1' },
  options: { location: 'BF-CR1', channels: [{ quantity: 'temperature', address: 1 }, { quantity: 'humidity', address: 2 }] },
};
const SCALE = { code: 'SC-1', name: 'Весы приёмки', protocol: 'massa-k', connection: { type: 'tcp', host: '10.0.0.7', port: 5001 } };
const LAB = { code: 'LAB-1', name: 'Анализатор', protocol: 'astm', connection: { type: 'serial', path: 'COM3' }, options: { testCodes: { NaCl: 'NACL' } } };

function workspaceId(p: TestPlant): string {
  return p.ws.q.sql<{ workspace_id: string }>('SELECT workspace_id FROM workspace')[0]!.workspace_id;
}

/** A device of another PC of the workspace, as replication would bring it. */
function otherPcDevice(p: TestPlant, code: string): void {
  p.ws.q.sqlRun(
    `INSERT INTO devices (id, site_id, created_at, updated_at, workspace_id, code, name, kind, protocol, connection, options, active)
     VALUES (?, ?, ?, ?, ?, ?, 'Весы ПК 2', 'scale', 'cas', '{"type":"serial","path":"COM1"}', '{}', 1)`,
    newId(),
    p.ws.q.sql<{ home_site_id: string }>('SELECT home_site_id FROM workspace')[0]!.home_site_id,
    T0,
    T0,
    newId(),
    code,
  );
}

describe('saving a device', () => {
  test('stores the parsed configuration with defaults filled, for this PC, audited and replicated', () => {
    const p = plant();
    const saved = p.call('devices.save', SENSOR);
    expect(saved).toMatchObject({ code: 'TS-CR1', kind: 'sensor', protocol: 'modbus', active: 1, workspace_id: workspaceId(p) });
    expect(saved.connection_config).toEqual({ type: 'serial', path: '/dev/ttyUSB1', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
    expect(saved.options_config).toMatchObject({ pollMs: 10_000, alertDelayMs: 300_000, location: 'BF-CR1', equipment: null, tempMin: null });
    expect((saved.options_config.channels as unknown[])[0]).toEqual({
      quantity: 'temperature',
      unitId: 1,
      function: 4,
      address: 1,
      type: 'int16',
      wordOrder: 'big',
      scale: 0.1,
      offset: 0,
    });
    expect(JSON.parse(saved.options)).toEqual(saved.options_config);
    const change = p.ws.q.sql<{ table_name: string; op: string }>("SELECT table_name, op FROM change_log WHERE row_id = ?", saved.id);
    expect(change).toEqual([{ table_name: 'devices', op: 'insert' }]);
    const audit = p.call('audit.list', { operation: 'devices.save' });
    expect(audit.total).toBe(1);
  });

  test('saving the same code again updates the device in place; leaving out `active` keeps it disabled', () => {
    const p = plant();
    const first = p.call('devices.save', { ...SCALE, active: 0 });
    p.now += 60_000;
    const second = p.call('devices.save', { ...SCALE, name: 'Весы цеха', options: { pollMs: 500 } });
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({ name: 'Весы цеха', active: 0, updated_at: p.now, created_at: first.created_at });
    expect(second.options_config).toMatchObject({ pollMs: 500, minGrams: 20, maxGrams: 600_000 });
    expect(p.call('devices.save', { ...SCALE, active: 1 }).active).toBe(1);
    expect(p.call('devices.list', {}).rows.map((d) => d.code)).toEqual(['SC-1']);
  });

  test.each([
    ['a protocol over a connection it cannot use', { ...SCALE, protocol: 'shtrih' }, 'connection.type'],
    ['options of another kind', { ...SCALE, options: { channels: [] } }, 'options.channels'],
    ['a sensor without channels', { ...SENSOR, options: { location: 'BF-CR1' } }, 'options.channels'],
    ['a channel register out of range', { ...SENSOR, options: { channels: [{ quantity: 'temperature', address: 70_000 }] } }, 'options.channels.0.address'],
    ['a scale whose minimum is not below its maximum', { ...SCALE, options: { minGrams: 5000, maxGrams: 5000 } }, 'options.maxGrams'],
    ['a line-output instrument without a profile', { ...LAB, protocol: 'lab-line', options: {} }, 'options.profile'],
    ['a profile pattern without a value group', { ...LAB, protocol: 'lab-line', options: { profile: { pattern: '\\d+', testCode: 'H2O' } } }, 'options.profile.pattern'],
  ])('%s is refused with the field named', (_, input, field) => {
    const p = plant();
    const error = expectRefusal(p, 'devices.save', input, { code: 'VALIDATION', field });
    expect(error.issues?.[0]?.field).toBe(field);
    expect(error.message.en).toContain(field.split('.').at(-1)!);
  });

  test('a refusal of the project’s own rules reads in each language', () => {
    const p = plant();
    const error = expectRefusal(p, 'devices.save', { ...SCALE, protocol: 'shtrih' }, { code: 'VALIDATION', field: 'connection.type' });
    expect(error.issues).toEqual([
      { field: 'connection.type', message: { ru: 'протокол shtrih не работает через tcp', en: 'protocol shtrih does not work over tcp' } },
    ]);
  });

  test('zod’s Russian locale reaches the options too', () => {
    const p = plant();
    const error = expectRefusal(p, 'devices.save', { ...SCALE, options: { pollMs: 'fast' } }, { code: 'VALIDATION', field: 'options.pollMs' });
    expect(error.issues).toHaveLength(1);
    expect(error.issues![0]!.message.en).toMatch(/expected number/);
    expect(error.issues![0]!.message.ru).toMatch(/[а-я]{4,}/);
    expect(error.issues![0]!.message.ru).not.toMatch(/expected/);
  });

  test('a malformed connection is refused by the contract before the options are looked at', () => {
    const p = plant();
    expectRefusal(p, 'devices.save', { ...SCALE, connection: { type: 'tcp', host: '10.0.0.7', port: 0 } }, { code: 'VALIDATION', field: 'connection.port' });
    expectRefusal(p, 'devices.save', { ...SCALE, connection: { type: 'usb' } }, { code: 'VALIDATION', field: 'connection.type' });
  });

  test('a sensor’s location and equipment must exist', () => {
    const p = plant();
    expectRefusal(p, 'devices.save', { ...SENSOR, options: { ...SENSOR.options, location: 'BF-CR9' } }, { code: 'NOT_FOUND', field: 'options.location' });
    expectRefusal(p, 'devices.save', { ...SENSOR, options: { ...SENSOR.options, equipment: 'BF-OVEN' } }, { code: 'NOT_FOUND', field: 'options.equipment' });
    const saved = p.call('devices.save', { ...SENSOR, options: { ...SENSOR.options, equipment: 'BF-SMOKER-1' } });
    expect(saved.options_config).toMatchObject({ location: 'BF-CR1', equipment: 'BF-SMOKER-1' });
  });

  test('a sensor with two channels of one quantity, or its own limits upside down, is refused', () => {
    const p = plant();
    const twice = { ...SENSOR, options: { channels: [{ quantity: 'temperature', address: 1 }, { quantity: 'temperature', address: 3 }] } };
    expectRefusal(p, 'devices.save', twice, { code: 'VALIDATION', field: 'options.channels.1.quantity' });
    expectRefusal(p, 'devices.save', { ...SENSOR, options: { ...SENSOR.options, tempMin: 5, tempMax: 2 } }, { code: 'VALIDATION', field: 'options.tempMax' });
  });
});

describe('listing devices', () => {
  test('shows this PC’s devices, or every PC’s with `all`', () => {
    const p = plant();
    p.call('devices.save', SENSOR);
    p.call('devices.save', LAB);
    otherPcDevice(p, 'SC-PC2');
    expect(p.call('devices.list', {}).rows.map((d) => d.code)).toEqual(['LAB-1', 'TS-CR1']);
    const all = p.call('devices.list', { all: true }).rows;
    expect(all.map((d) => d.code)).toEqual(['LAB-1', 'SC-PC2', 'TS-CR1']);
    expect(all.find((d) => d.code === 'SC-PC2')!.connection_config).toEqual({ type: 'serial', path: 'COM1' });
    // Any logged-in user may see them.
    const operator = p.userToken('op', ['operator']);
    expect(p.call('devices.list', {}, operator).rows).toHaveLength(2);
  });

  test('the device manager loads this PC’s active devices, parsed', () => {
    const p = plant();
    p.call('devices.save', SENSOR);
    p.call('devices.save', { ...SCALE, active: 0 });
    p.call('devices.save', LAB);
    otherPcDevice(p, 'SC-PC2');
    const configs = loadDeviceConfigs(p.ws.q);
    expect(configs.map((c) => [c.code, c.kind])).toEqual([
      ['LAB-1', 'lab'],
      ['TS-CR1', 'sensor'],
    ]);
    expect(configs[0]!.options).toEqual({ sampleId: 'lot', testCodes: { NaCl: 'NACL' } });
    expect(configs[1]!.connection).toMatchObject({ type: 'serial', path: '/dev/ttyUSB1', baudRate: 9600 });
  });
});

describe('who may do what with devices', () => {
  test('maintenance configures devices; an operator may not', () => {
    const p = plant();
    const operator = p.userToken('op', ['operator']);
    expectRefusal(p, 'devices.save', SCALE, { code: 'FORBIDDEN' }, operator);
    const maintenance = p.userToken('tech', ['maintenance']);
    expect(p.call('devices.save', SCALE, maintenance).code).toBe('SC-1');
  });

  test('no person, not even an administrator, records as a device', () => {
    const p = plant();
    p.call('devices.save', SENSOR);
    p.call('devices.save', LAB);
    const samples = { device: 'TS-CR1', samples: [{ at: p.now, quantity: 'temperature', value: 2 }] };
    const lab = { device: 'LAB-1', sampleId: 'X', results: [{ testCode: 'NACL', value: '3', numeric: 3, unit: '%' }] };
    for (const token of [p.adminToken, p.userToken('tech', ['maintenance']), p.userToken('qc', ['quality_inspector'])]) {
      expectRefusal(p, 'sensors.record', samples, { code: 'FORBIDDEN' }, token);
      expectRefusal(p, 'lab.record', lab, { code: 'FORBIDDEN' }, token);
    }
  });

  test('a device acts as itself: no user, the home site, only recording', () => {
    const p = plant();
    const actor = deviceActor(p.ws.q, 'TS-CR1');
    expect(actor).toMatchObject({ userId: null, username: 'device:TS-CR1', roles: [] });
    expect(actor.siteId).toBe(p.call('auth.me', {}).site.id);
    expect([...actor.permissions]).toEqual(['devices.record']);
    // It cannot configure devices or read stock.
    const refused = p.refuseAsDevice('TS-CR1', 'devices.save', SCALE);
    expectReadable(refused, { code: 'FORBIDDEN' });
  });

  test('recording for a device that is not set up here, or is of another kind, is refused', () => {
    const p = plant();
    p.call('devices.save', LAB);
    otherPcDevice(p, 'SC-PC2');
    const samples = { device: 'TS-CR1', samples: [{ at: p.now, quantity: 'temperature', value: 2 }] };
    expectReadable(p.refuseAsDevice('TS-CR1', 'sensors.record', samples), { code: 'DEVICE_NOT_FOUND', field: 'device' });
    expectReadable(p.refuseAsDevice('SC-PC2', 'sensors.record', { ...samples, device: 'SC-PC2' }), { code: 'DEVICE_NOT_FOUND', field: 'device' });
    const wrong = p.refuseAsDevice('LAB-1', 'sensors.record', { ...samples, device: 'LAB-1' });
    expectReadable(wrong, { code: 'DEVICE_WRONG_KIND', field: 'device' });
    expect(wrong.message).toEqual({ ru: 'Устройство «LAB-1» — не датчик', en: 'Device "LAB-1" is not a sensor' });
  });
});
