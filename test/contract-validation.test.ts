import { describe, expect, test } from 'vitest';
import type { OperationError } from '../main/contract/errors.js';
import { isDeviceOperation, isServiceOperation, OPERATION_NAMES, operations, type OperationName } from '../main/contract/operations.js';
import { expectReadable, expectRefusal, plant, T0 } from './helpers.js';
import { SAMPLE_INPUTS } from './samples.js';

const sample = <N extends OperationName>(name: N) => SAMPLE_INPUTS[name] as Record<string, unknown>;
const receiptLine = { product: 'OMUL-RAW', location: 'BF-QUAR', produced_at: T0, gross_g: 1000 };
const receipt = (line: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  supplier: 'ARTEL-BAIKAL',
  lines: [{ ...receiptLine, ...line }],
  ...extra,
});
const REGISTRY_OPERATIONS = OPERATION_NAMES.filter((name) => !isServiceOperation(name));
const SERVICE_OPERATIONS = OPERATION_NAMES.filter(isServiceOperation);
const without = (o: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

describe('every operation', () => {
  test('has a well-formed sample input (the sweeps below rely on it)', () => {
    for (const name of OPERATION_NAMES) {
      const parsed = operations[name].input.safeParse(SAMPLE_INPUTS[name]);
      expect(parsed.success, `${name}: ${parsed.error?.message}`).toBe(true);
    }
  });

  test.each(REGISTRY_OPERATIONS)('%s refuses a key it does not know, naming that key', (name) => {
    const p = plant();
    const error = expectRefusal(p, name, { ...sample(name), unexpected_key: 1 }, { code: 'VALIDATION', field: 'unexpected_key' });
    expect(error.message.en).toContain('unexpected_key');
    expect(error.message.ru).toContain('unexpected_key');
  });

  test.each(REGISTRY_OPERATIONS)('%s refuses a payload that is not an object', (name) => {
    const p = plant();
    for (const payload of [null, 'stock', ['a'], 42, true]) {
      const error = expectRefusal(p, name, payload, { code: 'VALIDATION' });
      expect(error.message.en).toContain('expected object');
    }
  });

  // Hardware and document operations run in their services, which admit them through the registry first.
  test.each(SERVICE_OPERATIONS)('%s is validated on admission like the rest, and the registry alone does not run it', (name) => {
    const p = plant();
    const admit = (input: unknown) => p.ws.registry.admit(name, input, { token: p.adminToken });
    const refusal = (input: unknown) => {
      const result = admit(input);
      expect(result.ok).toBe(false);
      return (result as { ok: false; error: OperationError }).error;
    };
    expectReadable(refusal({ ...sample(name), unexpected_key: 1 }), { code: 'VALIDATION', field: 'unexpected_key' });
    for (const payload of [null, 'stock', ['a'], 42, true]) expect(refusal(payload).message.en).toContain('expected object');
    expect(admit(sample(name)).ok).toBe(true);
    const error = expectRefusal(p, name, sample(name), { code: isDeviceOperation(name) ? 'DEVICES_UNAVAILABLE' : 'SERVICE_UNAVAILABLE' });
    expect(error.message.en).toContain(name);
  });
});

describe('malformed fields are refused with the field named and nothing changed', () => {
  const cases: [string, OperationName, unknown, string][] = [
    ['grams as a string', 'stock.move', { ...sample('stock.move'), qty_g: '100' }, 'qty_g'],
    ['negative grams', 'stock.move', { ...sample('stock.move'), qty_g: -5 }, 'qty_g'],
    ['fractional grams', 'stock.move', { ...sample('stock.move'), qty_g: 1.5 }, 'qty_g'],
    ['zero grams where some are needed', 'stock.move', { ...sample('stock.move'), qty_g: 0 }, 'qty_g'],
    ['NaN grams', 'stock.move', { ...sample('stock.move'), qty_g: Number.NaN }, 'qty_g'],
    ['infinite grams', 'stock.writeOff', { ...sample('stock.writeOff'), qty_g: Number.POSITIVE_INFINITY }, 'qty_g'],
    ['a missing field', 'stock.move', without(sample('stock.move'), 'lot'), 'lot'],
    ['a number for a lot code', 'stock.move', { ...sample('stock.move'), lot: 42 }, 'lot'],
    ['a blank lot code', 'stock.move', { ...sample('stock.move'), lot: '   ' }, 'lot'],
    ['a zero adjustment', 'stock.adjust', { ...sample('stock.adjust'), delta_g: 0 }, 'delta_g'],
    ['negative gross on a receipt line', 'receipts.create', receipt({ gross_g: -1 }), 'lines.0.gross_g'],
    ['fractional tare', 'receipts.create', receipt({ tare_g: 0.5 }), 'lines.0.tare_g'],
    ['negative tare', 'receipts.create', receipt({ tare_g: -1 }), 'lines.0.tare_g'],
    ['zero typed net', 'receipts.create', receipt({ net_g: 0 }), 'lines.0.net_g'],
    ['a vet document that is not a UUID', 'receipts.create', receipt({ vet_doc_uuid: 'ВСД-12345' }), 'lines.0.vet_doc_uuid'],
    ['a negative date', 'receipts.create', receipt({ produced_at: -1 }), 'lines.0.produced_at'],
    ['a date as text', 'receipts.create', receipt({ produced_at: '2026-11-02' }), 'lines.0.produced_at'],
    ['an unknown key on a line', 'receipts.create', receipt({ weight: 5 }), 'lines.0.weight'],
    ['no lines', 'receipts.create', { supplier: 'ARTEL-BAIKAL', lines: [] }, 'lines'],
    ['lines that are not a list', 'receipts.create', { supplier: 'ARTEL-BAIKAL', lines: receiptLine }, 'lines'],
    ['a missing supplier', 'receipts.create', { lines: [receiptLine] }, 'supplier'],
    ['a code with a space', 'receipts.create', receipt({}, { supplier: 'ARTEL BAIKAL' }), 'supplier'],
    ['an arrival temperature out of range', 'receipts.create', receipt({ arrival_temp: -100 }), 'lines.0.arrival_temp'],
    ['zero shelf life', 'products.upsert', { ...sample('products.upsert'), shelf_life_days: 0 }, 'shelf_life_days'],
    ['a short GTIN', 'products.upsert', { ...sample('products.upsert'), gtin: '4607001' }, 'gtin'],
    ['a GTIN with a wrong check digit', 'products.upsert', { ...sample('products.upsert'), gtin: '04607001000014' }, 'gtin'],
    ['a lower-case site code', 'sites.upsert', { ...sample('sites.upsert'), code: 'bfp' }, 'code'],
    ['a Cyrillic site code', 'sites.upsert', { ...sample('sites.upsert'), code: 'БРЗ' }, 'code'],
    ['a site code too long for lot codes', 'sites.upsert', { ...sample('sites.upsert'), code: 'BAIKALFISH' }, 'code'],
    ['a lower-case station code', 'setup.initialise', { ...sample('setup.initialise'), station_code: 'b' }, 'station_code'],
    ['an unknown product kind', 'products.upsert', { ...sample('products.upsert'), kind: 'frozen' }, 'kind'],
    ['a lower-case FAO species code', 'products.upsert', { ...sample('products.upsert'), species_code: 'omu' }, 'species_code'],
    ['a short password', 'users.create', { ...sample('users.create'), password: 'short' }, 'password'],
    ['an unknown role', 'users.create', { ...sample('users.create'), roles: ['superuser'] }, 'roles.0'],
    ['no roles', 'users.create', { ...sample('users.create'), roles: [] }, 'roles'],
    ['a user name with a space', 'users.create', { ...sample('users.create'), username: 'ivan petrov' }, 'username'],
    ['a nested short password', 'setup.initialise', { ...sample('setup.initialise'), admin: { username: 'root', display_name: 'R', password: '1' } }, 'admin.password'],
    ['no results', 'inspections.record', { number: 'QC-1', results: [] }, 'results'],
    ['an object as a result value', 'inspections.record', { number: 'QC-1', results: [{ parameter: 'A', value: {} }] }, 'results.0.value'],
    ['null as a result value', 'inspections.record', { number: 'QC-1', results: [{ parameter: 'A', value: null }] }, 'results.0.value'],
    ['an unknown parameter kind', 'templates.upsert', { ...sample('templates.upsert'), parameters: [{ code: 'A', name_ru: 'A', name_en: 'A', kind: 'colour' }] }, 'parameters.0.kind'],
    ['an unknown grouping', 'stock.levels', { by: 'supplier' }, 'by'],
    ['a missing grouping', 'stock.levels', {}, 'by'],
    ['a zero page size', 'stock.levels', { by: 'lot', limit: 0 }, 'limit'],
    ['a page size above the maximum', 'lots.list', { limit: 10_001 }, 'limit'],
    ['a negative offset', 'lots.list', { offset: -1 }, 'offset'],
    ['a horizon beyond ten years', 'stock.expiring', { within_days: 3651 }, 'within_days'],
    ['a start as text', 'batches.plan', { ...sample('batches.plan'), planned_start: '2026-11-02T09:00' }, 'planned_start'],
    ['a malformed container number', 'shipments.addContainer', { number: 'SHP-1', container_no: 'MSCU-123' }, 'container_no'],
    ['a container number with a wrong check digit', 'shipments.addContainer', { number: 'SHP-1', container_no: 'MSCU1234565' }, 'container_no'],
    ['a three-letter country', 'shipments.create', { ...sample('shipments.create'), destination_country: 'CHN' }, 'destination_country'],
    ['zero packages', 'shipments.addLine', { ...sample('shipments.addLine'), packages: 0 }, 'packages'],
    ['an unknown trace direction', 'trace.lot', { code: 'L', direction: 'sideways' }, 'direction'],
    ['a missing password at login', 'auth.login', { username: 'admin' }, 'password'],
    ['a key on an empty input', 'auth.logout', { now: 1 }, 'now'],
  ];

  test.each(cases)('%s (%s)', (_, name, input, field) => {
    const p = plant();
    const error = expectRefusal(p, name, input, { code: 'VALIDATION', field });
    expect(error.message.en).toMatch(/^Invalid input: /);
    expect(error.message.ru).toMatch(/^Неверные данные: /);
    expect(error.message.en).toContain(field.split('.').at(-1)!);
  });

  test('zod’s Russian locale words the Russian message', () => {
    const p = plant();
    const error = expectRefusal(p, 'stock.move', { ...sample('stock.move'), qty_g: 'сто' }, { code: 'VALIDATION', field: 'qty_g' });
    expect(error.message.ru).toMatch(/qty_g: .*[а-я]{4,}/);
    expect(error.message.ru).not.toContain('expected');
  });

  test('the project’s own rules speak each language in its own message', () => {
    const p = plant();
    const error = expectRefusal(p, 'shipments.addContainer', { number: 'SHP-1', container_no: 'ABC' }, { code: 'VALIDATION', field: 'container_no' });
    expect(error.message.en).toContain('ISO 6346, e.g. MSCU1234566');
    expect(error.message.en).not.toContain('например');
    expect(error.message.ru).toContain('ISO 6346, например MSCU1234566');
    expect(error.message.ru).not.toContain('e.g.');
  });

  test('each problem is listed with its own field, so a form can show each in place', () => {
    const p = plant();
    const error = expectRefusal(
      p,
      'users.create',
      { username: 'ivan petrov', display_name: 'Иван', password: 'short', roles: ['operator'], extra: 1 },
      { code: 'VALIDATION', field: 'username' },
    );
    expect(error.issues?.map((i) => i.field).sort()).toEqual(['extra', 'password', 'username']);
    const password = error.issues!.find((i) => i.field === 'password')!;
    expect(password.message).toEqual({ ru: 'не менее 8 символов', en: 'at least 8 characters' });
  });

  test('malformed input is refused before anything else, even without a session', () => {
    const p = plant();
    expectRefusal(p, 'stock.move', { ...sample('stock.move'), qty_g: -1 }, { code: 'VALIDATION', field: 'qty_g' }, '');
  });

  test('defaults and trimming are applied to well-formed input', () => {
    const p = plant();
    const receipt = p.call('receipts.create', {
      supplier: '  ARTEL-BAIKAL ',
      lines: [{ product: 'OMUL-RAW ', location: 'BF-QUAR', produced_at: p.now, gross_g: 2000 }],
    });
    expect(receipt.lines[0]).toMatchObject({ product_code: 'OMUL-RAW', tare_g: 0, net_g: 2000 });
    expect(p.call('lots.list', {}).rows).toHaveLength(1); // limit defaults to 200
  });
});

describe('unknown operations', () => {
  test.each(['stock.teleport', '', 'STOCK.MOVE', 'toString', '__proto__', 'constructor', 'hasOwnProperty'])('"%s" is refused', (name) => {
    const p = plant();
    const before = p.snapshot();
    const result = p.ws.registry.invoke(name, {}, { token: p.adminToken });
    expect(result.ok).toBe(false);
    const error = (result as { ok: false; error: OperationError }).error;
    expectReadable(error, { code: 'UNKNOWN_OPERATION' });
    expect(error.message.en).toBe(`Unknown operation "${name}"`);
    expect(error.message.ru).toBe(`Неизвестная операция «${name}»`);
    expect(p.snapshot()).toEqual(before);
  });

  test('a name that is not a string, or a very long one, is refused without echoing it all', () => {
    const p = plant();
    const long = p.ws.registry.invoke('x'.repeat(5000), {}, null);
    expect(long.ok).toBe(false);
    const error = (long as { ok: false; error: OperationError }).error;
    expect(error.code).toBe('UNKNOWN_OPERATION');
    expect(error.message.en.length).toBeLessThan(200);
    const numeric = p.ws.registry.invoke(42 as unknown as string, {}, null);
    expect(numeric.ok).toBe(false);
    expect((numeric as { ok: false; error: OperationError }).error.code).toBe('UNKNOWN_OPERATION');
  });
});
