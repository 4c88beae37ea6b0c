// Devices of this PC: their configuration (validated against the kind and protocol, stored with
// defaults filled in), and how the device manager acts on their behalf.
//
// A device belongs to one PC (`workspace_id`): its port names only mean something there. Rows
// replicate like any other, so HQ sees every PC's devices, but each PC only runs its own.
import type { z } from 'zod';
import {
  deviceConfig,
  deviceConfigInput,
  kindOfProtocol,
  OPTIONS_BY_KIND,
  type DeviceConfig,
  type DeviceKind,
  type DeviceProtocol,
  type SensorOptions,
} from '../contract/devices.js';
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import { validationError } from '../core/validation-error.js';
import { qb, type QueryRunner } from '../db/query.js';
import type { DeviceRow } from '../db/schema.js';
import type { Actor, Tx } from '../db/tx.js';
import { byCode } from './common.js';
import type { Handlers } from './handler.js';
import { homeSiteId } from './users.js';

type DeviceConfigInput = z.output<typeof deviceConfigInput>;

const KIND_NAMES: Record<DeviceKind, string> = {
  scale: say('весы', 'scale'),
  scanner: say('сканер', 'scanner'),
  lab: say('лабораторный прибор', 'lab instrument'),
  sensor: say('датчик', 'sensor'),
  printer: say('принтер', 'printer'),
};

/** This PC's identity: the workspace id, also the origin of its change stream. */
export function workspaceIdOf(q: QueryRunner): string {
  const row = q.first(qb.selectFrom('workspace').select('workspace_id'));
  if (!row) throw new DomainError('WORKSPACE_NOT_INITIALISED');
  return row.workspace_id;
}

/**
 * Who a device acts as when the device manager records what it measured: no user, the home
 * site, and only `devices.record` (which no person's role has).
 */
export function deviceActor(q: QueryRunner, deviceCode: string): Actor {
  const siteId = homeSiteId(q);
  if (siteId === null) throw new DomainError('WORKSPACE_NOT_INITIALISED');
  return { userId: null, username: `device:${deviceCode}`, siteId, roles: [], permissions: new Set(['devices.record']) };
}

function configOf(row: DeviceRow) {
  return {
    code: row.code,
    name: row.name,
    protocol: row.protocol,
    connection: JSON.parse(row.connection) as unknown,
    options: JSON.parse(row.options) as unknown,
    active: row.active,
  };
}

/**
 * The active devices of this PC, as the device manager runs them. A stored configuration that no
 * longer passes the contract (only possible after an update narrowed it) is left out rather than
 * stopping every other device; `devices.list` still shows it for the user to correct.
 */
export function loadDeviceConfigs(q: QueryRunner): DeviceConfig[] {
  const rows = q.all(
    qb.selectFrom('devices').selectAll().where('workspace_id', '=', workspaceIdOf(q)).where('active', '=', 1).orderBy('code'),
  );
  return rows.flatMap((row) => {
    const parsed = deviceConfig.safeParse(configOf(row));
    return parsed.success ? [parsed.data] : [];
  });
}

function findDevice(tx: Tx, code: string): DeviceRow | undefined {
  return tx.q.first(qb.selectFrom('devices').selectAll().where('workspace_id', '=', workspaceIdOf(tx.q)).where('code', '=', code));
}

/** A device of this PC of the given kind, with its stored (parsed) options. */
export function deviceOfKind<O>(tx: Tx, code: string, kind: DeviceKind, field = 'device'): { device: DeviceRow; options: O } {
  const device = findDevice(tx, code);
  if (!device) throw new DomainError('DEVICE_NOT_FOUND', { device: code }, field);
  if (device.kind !== kind) throw new DomainError('DEVICE_WRONG_KIND', { device: code, kind: KIND_NAMES[kind] }, field);
  return { device, options: JSON.parse(device.options) as O };
}

export function deviceView(row: DeviceRow) {
  return {
    ...row,
    protocol: row.protocol as DeviceProtocol,
    connection_config: JSON.parse(row.connection) as Record<string, unknown>,
    options_config: JSON.parse(row.options) as Record<string, unknown>,
  };
}

/** What the schema cannot see: a sensor's place must exist, and each quantity has one channel (samples are keyed by it). */
function checkSensor(tx: Tx, options: SensorOptions): void {
  const seen = new Set<string>();
  options.channels.forEach((channel, i) => {
    if (seen.has(channel.quantity)) {
      throw new DomainError(
        'VALIDATION',
        { details: say(`второй канал «${channel.quantity}»`, `a second ${channel.quantity} channel`) },
        `options.channels.${i}.quantity`,
      );
    }
    seen.add(channel.quantity);
  });
  if (options.tempMin !== null && options.tempMax !== null && options.tempMin > options.tempMax) {
    throw new DomainError('VALIDATION', { details: `min ${options.tempMin} > max ${options.tempMax}` }, 'options.tempMax');
  }
  if (options.location !== null) byCode(tx, 'locations', options.location, 'options.location');
  if (options.equipment !== null) byCode(tx, 'equipment', options.equipment, 'options.equipment');
}

/**
 * The whole device: the registry checked its shape, this checks the options against the kind and
 * the connection against the protocol. The options go through a schema of their own first, so
 * zod's Russian locale reaches their messages (inside deviceConfig's transform it cannot).
 */
function parseDevice(input: DeviceConfigInput): DeviceConfig {
  const withOptions = deviceConfigInput.extend({ options: OPTIONS_BY_KIND[kindOfProtocol(input.protocol)] });
  const options = withOptions.safeParse(input);
  if (!options.success) throw DomainError.of(validationError(withOptions, input, options.error));
  const parsed = deviceConfig.safeParse(input);
  if (!parsed.success) throw DomainError.of(validationError(deviceConfig, input, parsed.error));
  return parsed.data;
}

export const deviceHandlers: Handlers<'devices.list' | 'devices.save'> = {
  'devices.list'(tx, input) {
    let query = qb.selectFrom('devices').selectAll().orderBy('code').orderBy('workspace_id');
    if (!input.all) query = query.where('workspace_id', '=', workspaceIdOf(tx.q));
    return { rows: tx.q.all(query).map(deviceView) };
  },

  'devices.save'(tx, input) {
    const config = parseDevice(input);
    if (config.kind === 'sensor') checkSensor(tx, config.options as SensorOptions);
    const existing = findDevice(tx, config.code);
    const values = {
      name: config.name,
      kind: config.kind,
      protocol: config.protocol,
      connection: JSON.stringify(config.connection),
      options: JSON.stringify(config.options),
      // Saving without `active` keeps a disabled device disabled.
      active: input.active ?? existing?.active ?? 1,
    };
    const row = existing
      ? tx.update('devices', existing, values)
      : tx.insert('devices', { workspace_id: workspaceIdOf(tx.q), code: config.code, ...values });
    return deviceView(row);
  },
};
