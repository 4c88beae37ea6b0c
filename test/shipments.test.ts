import { describe, expect, test } from 'vitest';
import { DAY, expectRefusal, plant, type TestPlant } from './helpers.js';
import { planBatch, receive, releasedFinished, releasedRaw, stockOf } from './scenarios.js';

function draft(p: TestPlant, consignee = 'DL-COLDCHAIN') {
  return p.call('shipments.create', {
    customer: 'HENGTAI',
    consignee,
    planned_date: p.now + 2 * DAY,
    incoterms: 'FCA',
    currency: 'CNY',
    transport: 'рефконтейнер, ж/д',
    border_crossing: 'Забайкальск — Маньчжурия',
  }).number;
}

const line = (number: string, lot: string, qty_g: number, extra: Record<string, unknown> = {}) => ({
  number,
  lot,
  qty_g,
  gross_g: qty_g + 5_000,
  packages: 10,
  ...extra,
});

describe('shipments.create', () => {
  test('starts a draft to China for a customer and consignee', () => {
    const p = plant();
    const s = p.call('shipments.create', { customer: 'HRB-SEAFOOD', consignee: 'HENGTAI', planned_date: p.now });
    expect(s).toMatchObject({
      number: 'SHP-BFP-2026-000001',
      status: 'draft',
      destination_country: 'CN',
      customer_name: 'Харбинская компания северных морепродуктов',
      consignee_name: 'Маньчжурская торговая компания «Хэнтай»',
      net_g: 0,
      lines: [],
      containers: [],
    });
  });

  test('partners must have the right role', () => {
    const p = plant();
    const base = { customer: 'HENGTAI', consignee: 'DL-COLDCHAIN', planned_date: p.now };
    expectRefusal(p, 'shipments.create', { ...base, customer: 'DL-COLDCHAIN' }, { code: 'WRONG_PARTNER_ROLE', field: 'customer' });
    expectRefusal(p, 'shipments.create', { ...base, consignee: 'HRB-SEAFOOD' }, { code: 'WRONG_PARTNER_ROLE', field: 'consignee' });
    expectRefusal(p, 'shipments.create', { ...base, customer: 'NOPE' }, { code: 'NOT_FOUND', field: 'customer' });
  });
});

describe('containers', () => {
  test('a container number in ISO 6346 format is added with its seal', () => {
    const p = plant();
    const number = draft(p);
    const s = p.call('shipments.addContainer', { number, container_no: 'MSCU1234566', seal_no: 'RU-0042' });
    expect(s.containers.map((c) => [c.container_no, c.seal_no])).toEqual([['MSCU1234566', 'RU-0042']]);
  });

  test.each(['MSCU123456', 'MSCU12345661', 'mscu1234565', 'MSC1234565X', 'MS CU1234565', ''])('"%s" is not a container number', (container_no) => {
    const p = plant();
    const number = draft(p);
    expectRefusal(p, 'shipments.addContainer', { number, container_no }, { code: 'VALIDATION', field: 'container_no' });
  });

  test('the same container twice is refused', () => {
    const p = plant();
    const number = draft(p);
    p.call('shipments.addContainer', { number, container_no: 'MSCU1234566' });
    expectRefusal(p, 'shipments.addContainer', { number, container_no: 'MSCU1234566' }, { code: 'DUPLICATE', field: 'container_no' });
  });
});

describe('shipments.addLine', () => {
  test('adds a released finished lot, optionally into a container, and totals the shipment', () => {
    const p = plant();
    const { lot } = releasedFinished(p);
    const number = draft(p);
    p.call('shipments.addContainer', { number, container_no: 'MSCU1234566' });
    p.call('shipments.addLine', line(number, lot, 100_000, { container_no: 'MSCU1234566', packages: 20 }));
    const s = p.call('shipments.addLine', line(number, lot, 50_000));
    expect(s.lines.map((l) => [l.lot_code, l.product_code, l.qty_g, l.container_no])).toEqual([
      [lot, 'OMUL-HS', 100_000, 'MSCU1234566'],
      [lot, 'OMUL-HS', 50_000, null],
    ]);
    expect(s).toMatchObject({ net_g: 150_000, gross_g: 160_000, packages: 30 });
    // Nothing leaves stock before shipping.
    expect(stockOf(p, lot)).toEqual({ 'BF-CR2': 300_000 });
  });

  test('only released lots: a quarantined or blocked finished lot is refused', () => {
    const p = plant();
    const raw = releasedRaw(p);
    const batch = planBatch(p);
    p.call('batches.consume', { number: batch, lot: raw, qty_g: 10_000 });
    const out = p.call('batches.output', { number: batch, qty_g: 8_000, location: 'BF-CR2' }).lot.code;
    const number = draft(p);
    expectRefusal(p, 'shipments.addLine', line(number, out, 1_000), { code: 'LOT_NOT_RELEASED', field: 'lot' });
    p.release(out, 'FIN-SMOKED');
    p.call('lots.block', { code: out, reason: 'Listeria' });
    expectRefusal(p, 'shipments.addLine', line(number, out, 1_000), { code: 'LOT_NOT_RELEASED', field: 'lot' });
  });

  test('only finished products: released raw material is refused', () => {
    const p = plant();
    const raw = releasedRaw(p);
    const number = draft(p);
    const error = expectRefusal(p, 'shipments.addLine', line(number, raw, 1_000), { code: 'WRONG_PRODUCT_KIND', field: 'lot' });
    expect(error.message.en).toContain('OMUL-RAW');
  });

  test('an expired lot is refused', () => {
    const p = plant();
    const { lot } = releasedFinished(p, { raw: releasedRaw(p, { producedDaysAgo: 4 }) }); // output expires with its input, in a day
    const number = draft(p);
    p.advance(DAY);
    expectRefusal(p, 'shipments.addLine', line(number, lot, 1_000), { code: 'LOT_EXPIRED', field: 'lot' });
  });

  test('more than in stock is refused, counting what is already on the shipment', () => {
    const p = plant();
    const { lot } = releasedFinished(p); // 300 kg
    const number = draft(p);
    const plain = expectRefusal(p, 'shipments.addLine', line(number, lot, 300_001), { code: 'INSUFFICIENT_STOCK', field: 'qty_g' });
    expect(plain.message.en).toContain('300000 g available, 300001 g requested');
    p.call('shipments.addLine', line(number, lot, 200_000));
    const error = expectRefusal(p, 'shipments.addLine', line(number, lot, 100_001), { code: 'STOCK_RESERVED', field: 'qty_g' });
    expect(error.message.en).toContain('100000 g available, 100001 g requested');
    expect(p.call('shipments.addLine', line(number, lot, 100_000)).net_g).toBe(300_000);
  });

  test('what other drafts hold is reserved, and the refusal says so', () => {
    const p = plant();
    const { lot } = releasedFinished(p); // 300 kg
    const first = draft(p);
    const second = draft(p, 'HENGTAI');
    const third = draft(p);
    p.call('shipments.addLine', line(first, lot, 150_000));
    p.call('shipments.addLine', line(second, lot, 50_000));
    const error = expectRefusal(p, 'shipments.addLine', line(third, lot, 100_001), { code: 'STOCK_RESERVED', field: 'qty_g' });
    expect(error.message.en).toBe(
      `Not enough free stock of lot ${lot}: 300000 g in stock, of which 200000 g is already on draft shipments (${first}, ${second}); 100000 g available, 100001 g requested`,
    );
    expect(error.message.ru).toBe(
      `Недостаточно свободного остатка партии ${lot}: на складе 300000 г, из них 200000 г уже в черновиках отгрузок (${first}, ${second}); доступно 100000 г, нужно 100001 г`,
    );
    expect(p.call('shipments.addLine', line(third, lot, 100_000)).net_g).toBe(100_000);
    expectRefusal(p, 'shipments.addLine', line(first, lot, 1), { code: 'STOCK_RESERVED', field: 'qty_g' });
  });

  test('cancelled and shipped shipments reserve nothing; stock written off shrinks what is free', () => {
    const p = plant();
    const { lot } = releasedFinished(p); // 300 kg
    const cancelled = draft(p);
    p.call('shipments.addLine', line(cancelled, lot, 300_000));
    p.call('shipments.cancel', { number: cancelled, reason: 'покупатель отказался' });
    const shipped = draft(p);
    p.call('shipments.addLine', line(shipped, lot, 100_000));
    p.call('shipments.ship', { number: shipped });
    expect(stockOf(p, lot)).toEqual({ 'BF-CR2': 200_000 });
    const next = draft(p);
    p.call('shipments.addLine', line(next, lot, 150_000));
    p.call('stock.writeOff', { lot, location: 'BF-CR2', qty_g: 40_000, reason: 'повреждение упаковки' });
    const error = expectRefusal(p, 'shipments.addLine', line(draft(p), lot, 10_001), { code: 'STOCK_RESERVED', field: 'qty_g' });
    expect(error.message.en).toContain(`160000 g in stock, of which 150000 g is already on draft shipments (${next}); 10000 g available`);
  });

  test('an unknown container, lot or shipment, and gross below net, are refused', () => {
    const p = plant();
    const { lot } = releasedFinished(p);
    const number = draft(p);
    expectRefusal(p, 'shipments.addLine', line(number, lot, 1_000, { container_no: 'MSCU1234566' }), { code: 'NOT_FOUND', field: 'container_no' });
    expectRefusal(p, 'shipments.addLine', line(number, 'NOLOT', 1_000), { code: 'NOT_FOUND', field: 'lot' });
    expectRefusal(p, 'shipments.addLine', line('SHP-X', lot, 1_000), { code: 'NOT_FOUND', field: 'number' });
    expectRefusal(p, 'shipments.addLine', line(number, lot, 1_000, { gross_g: 999 }), { code: 'VALIDATION', field: 'gross_g' });
  });
});

describe('shipments.ship', () => {
  test('moves the stock out through shipment movements, across locations', () => {
    const p = plant();
    const { lot } = releasedFinished(p);
    p.call('stock.move', { lot, from: 'BF-CR2', to: 'BF-DOCK', qty_g: 100_000 });
    const number = draft(p);
    p.call('shipments.addLine', line(number, lot, 250_000));
    p.now += 3_600_000;
    const shipped = p.call('shipments.ship', { number });
    expect(shipped).toMatchObject({ status: 'shipped', shipped_at: p.now, net_g: 250_000 });
    // 200 kg in BF-CR2 and 100 kg in BF-DOCK: the larger holding is emptied first.
    expect(stockOf(p, lot)).toEqual({ 'BF-DOCK': 50_000 });
    const moves = p.call('movements.list', { lot, kind: 'shipment' }).rows;
    expect(moves.map((m) => [m.from_location_code, m.to_location_id, m.qty_g, m.ref_type, m.ref_id]).sort()).toEqual([
      ['BF-CR2', null, 200_000, 'shipment', shipped.id],
      ['BF-DOCK', null, 50_000, 'shipment', shipped.id],
    ]);
    expect(p.call('shipments.list', { status: 'shipped' }).rows.map((s) => s.number)).toEqual([number]);
  });

  test('a lot blocked after it was added stops the whole shipment, and nothing changes', () => {
    const p = plant();
    const good = releasedFinished(p).lot;
    const bad = releasedFinished(p).lot;
    const number = draft(p);
    p.call('shipments.addLine', line(number, good, 100_000));
    p.call('shipments.addLine', line(number, bad, 100_000));
    p.call('lots.block', { code: bad, reason: 'положительный тест на листерии' });
    const error = expectRefusal(p, 'shipments.ship', { number }, { code: 'LOT_NOT_RELEASED', field: 'lines' });
    expect(error.message.en).toContain(bad);
    expect(p.call('shipments.get', { number }).status).toBe('draft');
    expect(stockOf(p, good)).toEqual({ 'BF-CR2': 300_000 });
  });

  test('stock written off after the line was added is re-checked at shipping', () => {
    const p = plant();
    const { lot } = releasedFinished(p);
    const number = draft(p);
    p.call('shipments.addLine', line(number, lot, 250_000));
    p.call('stock.writeOff', { lot, location: 'BF-CR2', qty_g: 100_000, reason: 'повреждение упаковки' });
    expectRefusal(p, 'shipments.ship', { number }, { code: 'INSUFFICIENT_STOCK', field: 'lines' });
  });

  test('a lot whose final inspection was not verified by a second person does not ship, and nothing changes', () => {
    const p = plant();
    const verified = releasedFinished(p).lot;
    const { lot, inspection } = releasedFinished(p, { verified: false });
    const number = draft(p);
    p.call('shipments.addLine', line(number, verified, 100_000));
    p.call('shipments.addLine', line(number, lot, 100_000)); // a draft may hold it meanwhile
    const error = expectRefusal(p, 'shipments.ship', { number }, { code: 'NOT_VERIFIED', field: 'lines' });
    expect(error.message.en).toBe(`The final inspection of lot ${lot} has not been verified by a second person`);
    expect(error.message.ru).toBe(`Итоговая проверка партии ${lot} не подтверждена вторым сотрудником`);
    expect(stockOf(p, verified)).toEqual({ 'BF-CR2': 300_000 });
    p.verify(inspection);
    expect(p.call('shipments.ship', { number }).status).toBe('shipped');
  });

  test('the latest final inspection is the one that must be verified; an incoming one does not count', () => {
    const p = plant();
    const { lot } = releasedFinished(p);
    // A re-inspection of the released lot passes but nobody has signed it yet.
    const recheck = p.release(lot, 'FIN-SMOKED');
    const number = draft(p);
    p.call('shipments.addLine', line(number, lot, 100_000));
    expectRefusal(p, 'shipments.ship', { number }, { code: 'NOT_VERIFIED', field: 'lines' });
    // A verified passing inspection of another stage is no substitute.
    const incoming = p.release(lot, 'IN-FISH');
    p.verify(incoming);
    expectRefusal(p, 'shipments.ship', { number }, { code: 'NOT_VERIFIED', field: 'lines' });
    p.verify(recheck);
    expect(p.call('shipments.ship', { number }).status).toBe('shipped');
  });

  test('a lot released by hand after a recall ships once its final inspection is verified', () => {
    const p = plant();
    const { lot } = releasedFinished(p);
    p.call('lots.block', { code: lot, reason: 'отзыв' });
    p.call('lots.release', { code: lot, reason: 'отзыв снят' });
    const number = draft(p);
    p.call('shipments.addLine', line(number, lot, 100_000));
    expect(p.call('shipments.ship', { number }).status).toBe('shipped');
  });

  test('an empty shipment cannot ship', () => {
    const p = plant();
    const number = draft(p);
    expectRefusal(p, 'shipments.ship', { number }, { code: 'SHIPMENT_EMPTY', field: 'number' });
  });

  test('a shipped shipment cannot be changed, shipped again or cancelled', () => {
    const p = plant();
    const { lot } = releasedFinished(p);
    const number = draft(p);
    p.call('shipments.addLine', line(number, lot, 100_000));
    p.call('shipments.ship', { number });
    const error = expectRefusal(p, 'shipments.addLine', line(number, lot, 1_000), { code: 'INVALID_STATE' });
    expect(error.message.en).toContain('"shipped"');
    expectRefusal(p, 'shipments.addContainer', { number, container_no: 'MSCU1234566' }, { code: 'INVALID_STATE' });
    expectRefusal(p, 'shipments.ship', { number }, { code: 'INVALID_STATE' });
    expectRefusal(p, 'shipments.cancel', { number, reason: 'x' }, { code: 'INVALID_STATE' });
  });

  test('a cancelled draft keeps its reason and cannot ship', () => {
    const p = plant();
    const { lot } = releasedFinished(p);
    const number = draft(p);
    p.call('shipments.addLine', line(number, lot, 100_000));
    expect(p.call('shipments.cancel', { number, reason: 'покупатель отказался' })).toMatchObject({ status: 'cancelled', note: 'Отменено / cancelled: покупатель отказался' });
    expectRefusal(p, 'shipments.ship', { number }, { code: 'INVALID_STATE' });
    expect(stockOf(p, lot)).toEqual({ 'BF-CR2': 300_000 });
  });

  test('shipments.list pages newest first', () => {
    const p = plant();
    const a = p.call('shipments.create', { customer: 'HENGTAI', consignee: 'HENGTAI', planned_date: p.now + DAY }).number;
    const b = p.call('shipments.create', { customer: 'HENGTAI', consignee: 'HENGTAI', planned_date: p.now + 2 * DAY }).number;
    const page = p.call('shipments.list', { limit: 1 });
    expect(page).toMatchObject({ total: 2, rows: [{ number: b, net_g: 0 }] });
    expect(p.call('shipments.list', { offset: 1 }).rows.map((s) => s.number)).toEqual([a]);
    receive(p); // unrelated activity does not show up
    expect(p.call('shipments.list', { status: 'draft' }).total).toBe(2);
  });
});
