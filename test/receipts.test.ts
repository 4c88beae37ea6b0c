import { describe, expect, test } from 'vitest';
import { DAY, expectRefusal, plant, type TestPlant } from './helpers.js';
import { stockOf, VET_DOC } from './scenarios.js';

const OTHER_VET_DOC = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

function twoLineReceipt(p: TestPlant) {
  return {
    supplier: 'ARTEL-BAIKAL',
    vehicle: 'А123ВС 03',
    lines: [
      {
        product: 'OMUL-RAW',
        location: 'BF-QUAR',
        vet_doc_uuid: VET_DOC,
        catch_area: 'FAO 04, оз. Байкал, Чивыркуйский залив',
        produced_at: p.now - 1 * DAY,
        arrival_temp: 2.1,
        gross_g: 520_000,
        tare_g: 20_000,
        packages: 25,
      },
      {
        product: 'WFISH-RAW',
        location: 'BF-CR1',
        vet_doc_uuid: OTHER_VET_DOC,
        catch_area: 'FAO 04, оз. Байкал, Баргузинский залив',
        produced_at: p.now - 2 * DAY,
        gross_g: 130_500,
        tare_g: 500,
        net_g: 130_000,
      },
    ],
  };
}

describe('receipts.create', () => {
  test('each line becomes a quarantined lot with supplier, vet document, catch area, dates and net weight', () => {
    const p = plant();
    const input = twoLineReceipt(p);
    const receipt = p.call('receipts.create', input);

    expect(receipt.number).toBe('RCV-BFP-2026-000001');
    expect(receipt.supplier_name).toBe('Рыболовецкая артель «Байкал»');
    expect(receipt.received_at).toBe(p.now);
    expect(receipt.net_g).toBe(500_000 + 130_000);
    expect(receipt.lines.map((l) => [l.line_no, l.product_code, l.location_code, l.net_g])).toEqual([
      [1, 'OMUL-RAW', 'BF-QUAR', 500_000],
      [2, 'WFISH-RAW', 'BF-CR1', 130_000],
    ]);

    const supplierId = p.call('partners.list', { role: 'supplier' }).rows.find((r) => r.code === 'ARTEL-BAIKAL')!.id;
    const [omul, whitefish] = receipt.lines.map((l) => p.call('lots.get', { code: l.lot_code }).lot);
    expect(omul).toMatchObject({
      product_code: 'OMUL-RAW',
      origin: 'receipt',
      status: 'quarantine',
      supplier_id: supplierId,
      supplier_name: 'Рыболовецкая артель «Байкал»',
      receipt_id: receipt.id,
      vet_doc_uuid: VET_DOC,
      catch_area: 'FAO 04, оз. Байкал, Чивыркуйский залив',
      production_method: 'wild',
      produced_at: p.now - DAY,
      expires_at: p.now - DAY + 5 * DAY, // OMUL-RAW keeps 5 days
      initial_g: 500_000,
      qty_g: 500_000,
      packages: 25,
      days_left: 4,
    });
    expect(whitefish).toMatchObject({
      product_code: 'WFISH-RAW',
      status: 'quarantine',
      vet_doc_uuid: OTHER_VET_DOC,
      catch_area: 'FAO 04, оз. Байкал, Баргузинский залив',
      produced_at: p.now - 2 * DAY,
      expires_at: p.now + 3 * DAY,
      initial_g: 130_000,
    });
    expect(omul!.code).not.toBe(whitefish!.code);
  });

  test('each lot enters its location through one receipt movement, and stock shows it there', () => {
    const p = plant();
    const receipt = p.call('receipts.create', twoLineReceipt(p));
    const omulLot = receipt.lines[0]!.lot_code;
    const whitefishLot = receipt.lines[1]!.lot_code;

    const moves = p.call('movements.list', { kind: 'receipt' });
    expect(moves.total).toBe(2);
    const omulMove = moves.rows.find((m) => m.lot_code === omulLot)!;
    expect(omulMove).toMatchObject({
      kind: 'receipt',
      from_location_id: null,
      to_location_code: 'BF-QUAR',
      qty_g: 500_000,
      ref_type: 'receipt',
      ref_id: receipt.id,
      at: p.now,
    });

    expect(stockOf(p, omulLot)).toEqual({ 'BF-QUAR': 500_000 });
    expect(stockOf(p, whitefishLot)).toEqual({ 'BF-CR1': 130_000 });
    const byLocation = p.call('stock.levels', { by: 'location' }).rows;
    expect(byLocation.map((r) => [r.location_code, r.qty_g, r.lots])).toEqual(
      expect.arrayContaining([
        ['BF-QUAR', 500_000, 1],
        ['BF-CR1', 130_000, 1],
      ]),
    );
  });

  test('tare defaults to zero, and a typed net equal to gross − tare is accepted', () => {
    const p = plant();
    const receipt = p.call('receipts.create', {
      supplier: 'RK-CHIVYRKUY',
      lines: [
        { product: 'OMUL-RAW', location: 'BF-QUAR', produced_at: p.now, gross_g: 100_000 },
        { product: 'OMUL-RAW', location: 'BF-QUAR', produced_at: p.now, gross_g: 100_000, tare_g: 1_500, net_g: 98_500 },
      ],
    });
    expect(receipt.lines.map((l) => [l.tare_g, l.net_g])).toEqual([
      [0, 100_000],
      [1_500, 98_500],
    ]);
    expect(receipt.lines[0]!.vet_doc_uuid).toBeNull();
  });

  test('lot codes and receipt numbers count up', () => {
    const p = plant();
    const first = p.call('receipts.create', twoLineReceipt(p));
    const second = p.call('receipts.create', twoLineReceipt(p));
    expect(second.number).toBe('RCV-BFP-2026-000002');
    const codes = [...first.lines, ...second.lines].map((l) => l.lot_code);
    expect(new Set(codes).size).toBe(4);
    expect(codes.every((c) => /^BFP\d{6}\d{4}$/.test(c))).toBe(true);
  });
});

describe('receipts.create refusals leave the workspace unchanged', () => {
  test('a typed net that disagrees with gross − tare is refused on its line', () => {
    const p = plant();
    const input = twoLineReceipt(p);
    input.lines[1]!.net_g = 129_999;
    const error = expectRefusal(p, 'receipts.create', input, { code: 'WEIGHT_INCONSISTENT', field: 'lines.1.net_g' });
    expect(error.message.en).toBe('Net weight 129999 g is not gross 130500 g minus tare 500 g');
    expect(error.message.ru).toContain('129999');
  });

  test('the first line is refused the same way (nothing of the receipt is kept)', () => {
    const p = plant();
    const input = twoLineReceipt(p);
    const first = { ...input.lines[0]!, net_g: 1 };
    expectRefusal(p, 'receipts.create', { ...input, lines: [first, input.lines[1]] }, { code: 'WEIGHT_INCONSISTENT', field: 'lines.0.net_g' });
  });

  test('tare equal to or above gross leaves no net weight', () => {
    const p = plant();
    for (const tare_g of [100_000, 120_000]) {
      expectRefusal(
        p,
        'receipts.create',
        { supplier: 'ARTEL-BAIKAL', lines: [{ product: 'OMUL-RAW', location: 'BF-QUAR', produced_at: p.now, gross_g: 100_000, tare_g }] },
        { code: 'WEIGHT_INCONSISTENT', field: 'lines.0.net_g' },
      );
    }
  });

  test('a partner that is not a supplier cannot deliver', () => {
    const p = plant();
    const error = expectRefusal(p, 'receipts.create', { ...twoLineReceipt(p), supplier: 'HENGTAI' }, { code: 'WRONG_PARTNER_ROLE', field: 'supplier' });
    expect(error.message.en).toContain('HENGTAI');
  });

  test('an unknown supplier is refused', () => {
    const p = plant();
    expectRefusal(p, 'receipts.create', { ...twoLineReceipt(p), supplier: 'NOBODY' }, { code: 'NOT_FOUND', field: 'supplier' });
  });

  test('an unknown product is refused on the line that names it', () => {
    const p = plant();
    const input = twoLineReceipt(p);
    input.lines[1]!.product = 'STURGEON';
    const error = expectRefusal(p, 'receipts.create', input, { code: 'NOT_FOUND', field: 'lines.1.product' });
    expect(error.message.en).toContain('STURGEON');
  });

  test('an unknown location is refused on its line', () => {
    const p = plant();
    const input = twoLineReceipt(p);
    input.lines[0]!.location = 'NOWHERE';
    expectRefusal(p, 'receipts.create', input, { code: 'NOT_FOUND', field: 'lines.0.location' });
  });

  test('a finished product cannot be received', () => {
    const p = plant();
    const input = twoLineReceipt(p);
    input.lines[1]!.product = 'OMUL-HS';
    const error = expectRefusal(p, 'receipts.create', input, { code: 'WRONG_PRODUCT_KIND', field: 'lines.1.product' });
    expect(error.message.en).toContain('finished');
  });

  test('a catch date after the receipt date is refused', () => {
    const p = plant();
    const input = twoLineReceipt(p);
    input.lines[0]!.produced_at = p.now + 1;
    expectRefusal(p, 'receipts.create', input, { code: 'VALIDATION', field: 'lines.0.produced_at' });
  });

  test('material already expired on arrival is refused', () => {
    const p = plant();
    const input = twoLineReceipt(p);
    input.lines[1]!.produced_at = p.now - 5 * DAY; // whitefish keeps 5 days: expires right now
    const error = expectRefusal(p, 'receipts.create', input, { code: 'LOT_EXPIRED', field: 'lines.1.produced_at' });
    expect(error.message.en).toContain('WFISH-RAW');
  });

  test('a receipt dated in the future is refused; a backdated one is accepted', () => {
    const p = plant();
    expectRefusal(p, 'receipts.create', { ...twoLineReceipt(p), received_at: p.now + DAY }, { code: 'VALIDATION', field: 'received_at' });
    expect(p.call('receipts.create', { ...twoLineReceipt(p), received_at: p.now - 3 * 3_600_000 }).received_at).toBe(p.now - 3 * 3_600_000);
  });

  test('deactivated suppliers, products and locations cannot be used for new receipts', () => {
    const p = plant();
    p.call('locations.upsert', { code: 'BF-CR1', name: 'Камера 1 (закрыта на ремонт)', kind: 'cold_room', active: 0 });
    expectRefusal(p, 'receipts.create', twoLineReceipt(p), { code: 'INVALID_STATE', field: 'lines.1.location' });
    p.call('partners.upsert', { code: 'ARTEL-BAIKAL', is_supplier: 1, name_ru: 'Артель', country: 'RU', active: 0 });
    expectRefusal(p, 'receipts.create', twoLineReceipt(p), { code: 'INVALID_STATE', field: 'supplier' });
  });
});

describe('receipts.list and receipts.get', () => {
  test('newest first, with line count and net weight, paged with a total', () => {
    const p = plant();
    const first = p.call('receipts.create', twoLineReceipt(p));
    p.now += 1000;
    const second = p.call('receipts.create', { ...twoLineReceipt(p), lines: twoLineReceipt(p).lines.slice(0, 1) });

    const all = p.call('receipts.list', {});
    expect(all.total).toBe(2);
    expect(all.rows.map((r) => [r.number, r.lines, r.net_g])).toEqual([
      [second.number, 1, 500_000],
      [first.number, 2, 630_000],
    ]);
    const page = p.call('receipts.list', { limit: 1, offset: 1 });
    expect(page.total).toBe(2);
    expect(page.rows.map((r) => r.number)).toEqual([first.number]);
    expect(p.call('receipts.list', { from: p.now }).rows.map((r) => r.number)).toEqual([second.number]);
    expect(p.call('receipts.list', { to: p.now }).rows.map((r) => r.number)).toEqual([first.number]);

    expect(p.call('receipts.get', { number: first.number })).toEqual(first);
  });

  test('an unknown receipt number is refused', () => {
    const p = plant();
    expectRefusal(p, 'receipts.get', { number: 'RCV-BFP-2026-999999' }, { code: 'NOT_FOUND', field: 'number' });
  });
});
