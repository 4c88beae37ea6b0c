import { describe, expect, test } from 'vitest';
import { GS } from '../native/protocols/gs1.js';
import { gtinWithCheckDigit } from '../main/demo/reference.js';
import { expectReadable, plant, type TestPlant } from './helpers.js';
import { receive } from './scenarios.js';

const SUPPLIER_GTIN = gtinWithCheckDigit('0461234567890');
const HS_GTIN = gtinWithCheckDigit('0460700100001'); // OMUL-HS in the demo reference

/** The raw omul carries its supplier's GTIN (as the supplier labels it). */
function withSupplierGtin(p: TestPlant): TestPlant {
  const omul = p.call('products.list', {}).rows.find((r) => r.code === 'OMUL-RAW')!;
  p.call('products.upsert', { code: omul.code, kind: omul.kind, name_ru: omul.name_ru, name_en: omul.name_en, shelf_life_days: omul.shelf_life_days, gtin: SUPPLIER_GTIN });
  return p;
}

const resolve = (p: TestPlant, raw: string) => p.call('scans.resolve', { raw });

describe('resolving a scan', () => {
  test('a supplier’s GS1-128 label pre-fills a receipt line', () => {
    const p = withSupplierGtin(plant());
    const raw = `]C101${SUPPLIER_GTIN}3103012345112610281726110710ARTEL-77${GS}7005FAO04\r`;
    const { scan, lot, product, prefill } = resolve(p, raw);
    expect(scan).toMatchObject({ device: 'keyboard', at: p.now, raw, symbology: 'gs1-128', aim: ']C1', gs1: true, errors: [] });
    expect(scan.fields.map((f) => f.ai)).toEqual(['01', '3103', '11', '17', '10', '7005']);
    expect(product?.code).toBe('OMUL-RAW');
    expect(lot).toBeNull(); // the supplier's lot code is not one of ours
    expect(prefill).toEqual({
      product: 'OMUL-RAW',
      supplier_lot: 'ARTEL-77',
      net_g: 12_345,
      produced_at: Date.UTC(2026, 9, 28),
      expires_at: Date.UTC(2026, 10, 7),
      catch_area: 'FAO04',
    });
  });

  test('our own lot is found by its code, with its stock', () => {
    const p = withSupplierGtin(plant());
    const code = receive(p, { net_g: 250_000 });
    for (const raw of [`(01)${SUPPLIER_GTIN}(10)${code}`, `]C110${code}`, `]d2${GS}01${SUPPLIER_GTIN}10${code}`]) {
      const { lot, prefill } = resolve(p, raw);
      expect(lot, raw).toMatchObject({ code, product_code: 'OMUL-RAW', qty_g: 250_000, status: 'quarantine' });
      expect(prefill.supplier_lot).toBe(code);
    }
  });

  test('a lot code under another product’s GTIN is not that lot', () => {
    const p = withSupplierGtin(plant());
    const code = receive(p);
    const { lot, product } = resolve(p, `(01)${HS_GTIN}(10)${code}`);
    expect(lot).toBeNull();
    expect(product?.code).toBe('OMUL-HS');
    // A GTIN we do not know does not vouch for the lot either.
    expect(resolve(p, `(01)${gtinWithCheckDigit('0400000000001')}(10)${code}`).lot).toBeNull();
  });

  test('a wrong check digit rejects the whole scan: the errors say why, nothing is looked up', () => {
    const p = withSupplierGtin(plant());
    const code = receive(p);
    const wrong = SUPPLIER_GTIN.slice(0, 13) + String((Number(SUPPLIER_GTIN[13]) + 1) % 10);
    const { scan, lot, product, prefill } = resolve(p, `]C101${wrong}10${code}`);
    expect(scan.errors).toEqual([expect.objectContaining({ code: 'CHECK_DIGIT', ai: '01', params: expect.objectContaining({ found: Number(wrong[13]) }) })]);
    // the user reads why in either language
    expect(scan.errors[0]!.ru).toMatch(/^AI 01 .*неверная контрольная цифра/);
    expect(scan.errors[0]!.en).toMatch(/^AI 01 .*wrong check digit/);
    expect(lot).toBeNull();
    expect(product).toBeNull();
    expect(Object.values(prefill).every((v) => v === null)).toBe(true);
  });

  test('GTINs are compared as GTIN-14, however the product stores it; a plain EAN-13 finds it too', () => {
    const p = withSupplierGtin(plant());
    p.ws.q.sqlRun("UPDATE products SET gtin = ? WHERE code = 'OMUL-RAW'", SUPPLIER_GTIN.slice(1)); // an older 13-digit entry
    expect(resolve(p, `(01)${SUPPLIER_GTIN}`).product?.code).toBe('OMUL-RAW');
    expect(resolve(p, SUPPLIER_GTIN.slice(1)).product?.code).toBe('OMUL-RAW');
  });

  test('a barcode that is not GS1 is returned as it is, naming nothing', () => {
    const p = plant();
    const result = resolve(p, ']C0PALLET-17');
    expect(result.scan).toMatchObject({ gs1: false, fields: [], errors: [], raw: ']C0PALLET-17' });
    expect(result.lot).toBeNull();
    expect(result.product).toBeNull();
  });
});

const LAB = { code: 'LAB-1', name: 'Анализатор влаги', protocol: 'astm', connection: { type: 'serial', path: '/dev/ttyUSB2' } };

/** An incoming template for raw omul whose parameters carry instrument test codes, and a lot under inspection. */
function inspecting(p: TestPlant) {
  p.call('templates.upsert', {
    code: 'IN-OMUL-LAB',
    product: 'OMUL-RAW',
    stage: 'incoming',
    name_ru: 'Входной контроль омуля (лаборатория)',
    name_en: 'Incoming omul (lab)',
    parameters: [
      { code: 'MOISTURE', name_ru: 'Влага', name_en: 'Moisture', kind: 'numeric', unit: '%', min_value: 60, max_value: 80, test_code: 'H2O' },
      { code: 'HIST', name_ru: 'Гистамин', name_en: 'Histamine', kind: 'numeric', unit: 'mg/kg', max_value: 100, test_code: 'HIST' },
      { code: 'LISTERIA', name_ru: 'Листерии', name_en: 'Listeria', kind: 'pass_fail', test_code: 'LMONO' },
      { code: 'COLOUR', name_ru: 'Цвет', name_en: 'Colour', kind: 'text', required: 0, test_code: 'COL' },
    ],
  });
  const lot = receive(p);
  const number = p.call('inspections.open', { lot }).number;
  return { lot, number };
}
type Ctx = ReturnType<typeof inspecting>;

const result = (testCode: string, value: string, unit = '') => ({ testCode, value, numeric: Number.isNaN(Number(value)) ? null : Number(value), unit });

function labRecord(p: TestPlant, sampleId: string, results: ReturnType<typeof result>[], device = 'LAB-1', sampleIs?: 'inspection' | 'lot') {
  return p.callAsDevice(device, 'lab.record', { device, sampleId, results, ...(sampleIs ? { sampleIs } : {}) }).results;
}

/** Everything but the audit trail, which notes every call of a device, stored or not. */
function withoutAudit(snapshot: Record<string, unknown[]>) {
  const { audit_log: _log, audit_head: _head, ...rest } = snapshot;
  return rest;
}

describe('lab instruments', () => {
  test('results land in the lot’s open inspection with verdicts from the limits, as from the device', () => {
    const p = plant();
    const { lot, number } = inspecting(p);
    const device = p.call('devices.save', { ...LAB, options: { testCodes: { MOIST: 'H2O' } } });
    p.now += 60_000;
    const events = labRecord(p, lot, [result('MOIST', '72.5', '%'), result('HIST', '140', 'mg/kg'), result('COL', 'светлый')]);
    expect(events.map((e) => [e.testCode, e.inspection, e.refused])).toEqual([
      ['MOIST', number, null],
      ['HIST', number, null],
      ['COL', number, null],
    ]);
    expect(events[0]).toMatchObject({ device: 'LAB-1', at: p.now, sampleId: lot, value: '72.5', numeric: 72.5, unit: '%' });

    const inspection = p.call('inspections.get', { number });
    expect(inspection.results.map((r) => [r.parameter_code, r.value_num ?? r.value_text, r.verdict, r.source])).toEqual([
      ['MOISTURE', 72.5, 'pass', 'device'],
      ['HIST', 140, 'fail', 'device'],
      ['COLOUR', 'светлый', 'info', 'device'],
    ]);
    expect(inspection.results[0]).toMatchObject({ recorded_by: device.id, recorded_at: p.now, min_value: 60, max_value: 80, unit: '%' });
    expect(inspection.provisional_verdict).toBe('fail');
    expect(inspection.missing).toEqual(['LISTERIA']);
    expect(p.call('audit.list', { operation: 'lab.record' }).rows[0]!.username).toBe('device:LAB-1');
  });

  test('a sample id may name the inspection itself; a later value replaces the earlier one', () => {
    const p = plant();
    const { number } = inspecting(p);
    p.call('devices.save', { ...LAB, options: { sampleId: 'inspection' } });
    labRecord(p, number, [result('H2O', '55')]);
    labRecord(p, number, [result('H2O', '65.2')]);
    const moisture = p.call('inspections.get', { number }).results.filter((r) => r.parameter_code === 'MOISTURE');
    expect(moisture.map((r) => [r.value_num, r.verdict])).toEqual([[65.2, 'pass']]);
  });

  test('a result in another unit than its parameter is refused with both units; the same unit written differently lands', () => {
    const p = plant();
    const { lot, number } = inspecting(p);
    p.call('devices.save', LAB);
    const events = labRecord(p, lot, [result('H2O', '70', 'g/100g'), result('HIST', '12', ' MG / KG '), result('COL', 'светлый', 'ед.')]);
    expect(events.map((e) => e.refused?.en ?? e.inspection)).toEqual([
      'Parameter MOISTURE is measured in "%"; the instrument sent "g/100g"',
      number,
      number, // the parameter names no unit: nothing to compare
    ]);
    expect(events[0]!.refused!.ru).toBe('Показатель MOISTURE измеряется в «%», прибор прислал значение в «g/100g»');
    labRecord(p, lot, [result('H2O', '70', '% ')]);
    expect(p.call('inspections.get', { number }).results.map((r) => [r.parameter_code, r.value_num ?? r.value_text])).toEqual([
      ['MOISTURE', 70],
      ['HIST', 12],
      ['COLOUR', 'светлый'],
    ]);
  });

  test('a line-output reading names its inspection, whatever the device setting says about sample ids', () => {
    const p = plant();
    const { number } = inspecting(p);
    p.call('devices.save', LAB); // sampleId: 'lot' by default
    expect(labRecord(p, number, [result('H2O', '70')])[0]!.refused?.en).toBe(`Lot "${number}" not found`);
    expect(labRecord(p, number, [result('H2O', '70')], 'LAB-1', 'inspection')[0]).toMatchObject({ inspection: number, refused: null });
  });

  test('results that cannot be placed are returned with the reason and stored nowhere; the rest land', () => {
    const p = plant();
    const { lot, number } = inspecting(p);
    p.call('devices.save', LAB);
    const events = labRecord(p, lot, [
      result('NACL', '3.1', '%'), // no parameter has this test code
      result('HIST', '<5', 'mg/kg'), // not a number for a numeric parameter
      result('LMONO', 'NEG'), // pass/fail is a person's call
      result('H2O', '70'),
      result('H2O', '71'), // the same parameter twice in one message
    ]);
    expect(events.map((e) => e.inspection)).toEqual([null, null, null, number, null]);
    expect(events.map((e) => e.refused?.en ?? null)).toEqual([
      `Test code "NACL" matches no parameter of inspection ${number}`,
      'Parameter HIST expects a number; the instrument sent "<5"',
      'Parameter LISTERIA (pass/fail) is judged by a person',
      null,
      'Parameter MOISTURE came twice in this message',
    ]);
    for (const e of events.filter((e) => e.refused)) expect(e.refused!.ru).toMatch(/[А-Яа-яЁё]/);
    expect(p.call('inspections.get', { number }).results.map((r) => [r.parameter_code, r.value_num])).toEqual([['MOISTURE', 70]]);
  });

  test.each([
    { case: 'a lot whose inspection is completed', sampleIdIs: 'lot', complete: true, name: (c: Ctx) => c.lot, reason: 'has no open inspection' },
    { case: 'an unknown lot', sampleIdIs: 'lot', complete: false, name: () => 'NO-SUCH-LOT', reason: 'Lot "NO-SUCH-LOT" not found' },
    { case: 'an unknown inspection', sampleIdIs: 'inspection', complete: false, name: () => 'QC-BFP-2026-999999', reason: 'not found' },
    { case: 'a completed inspection', sampleIdIs: 'inspection', complete: true, name: (c: Ctx) => c.number, reason: 'is already completed' },
  ] as const)('$case: every result refused, nothing changed', ({ sampleIdIs, complete, name, reason }) => {
    const p = plant();
    const ctx = inspecting(p);
    p.call('devices.save', { ...LAB, options: { sampleId: sampleIdIs } });
    if (complete) {
      const results = [{ parameter: 'MOISTURE', value: 70 }, { parameter: 'HIST', value: 10 }, { parameter: 'LISTERIA', value: true }];
      p.call('inspections.record', { number: ctx.number, results });
      p.call('inspections.complete', { number: ctx.number });
    }
    const before = withoutAudit(p.snapshot());
    const events = labRecord(p, name(ctx), [result('H2O', '70'), result('HIST', '12')]);
    for (const e of events) {
      expect(e.inspection).toBeNull();
      expect(e.refused?.en).toContain(reason);
    }
    expect(withoutAudit(p.snapshot())).toEqual(before);
  });

  test('only a lab instrument of this PC records lab results', () => {
    const p = plant();
    const { lot } = inspecting(p);
    p.call('devices.save', { code: 'TS-1', name: 'Датчик', protocol: 'modbus', connection: { type: 'serial', path: '/dev/ttyUSB0' }, options: { channels: [{ quantity: 'temperature', address: 1 }] } });
    const input = { device: 'TS-1', sampleId: lot, results: [result('H2O', '70')] };
    const before = p.snapshot();
    expectReadable(p.refuseAsDevice('TS-1', 'lab.record', input), { code: 'DEVICE_WRONG_KIND', field: 'device' });
    expectReadable(p.refuseAsDevice('LAB-9', 'lab.record', { ...input, device: 'LAB-9' }), { code: 'DEVICE_NOT_FOUND', field: 'device' });
    expect(p.snapshot()).toEqual(before);
  });

  test('results from an instrument do not stop a person from verifying the inspection', () => {
    const p = plant();
    const { lot, number } = inspecting(p);
    p.call('devices.save', LAB);
    labRecord(p, lot, [result('H2O', '70'), result('HIST', '12')]);
    const qc = p.userToken('qc', ['quality_inspector']);
    p.call('inspections.record', { number, results: [{ parameter: 'LISTERIA', value: true }] }, qc);
    p.call('inspections.complete', { number }, qc);
    expect(p.call('inspections.verify', { number }).verifier).toBe('Администратор');
  });
});
