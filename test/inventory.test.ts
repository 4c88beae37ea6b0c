import { describe, expect, test } from 'vitest';
import { DAY, expectRefusal, plant } from './helpers.js';
import { receive, releasedRaw, stockOf } from './scenarios.js';

describe('stock.move', () => {
  test('moves stock between locations through one transfer movement', () => {
    const p = plant();
    const lot = receive(p);
    const move = p.call('stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 150_000 });
    expect(move).toMatchObject({ kind: 'transfer', qty_g: 150_000, at: p.now });
    expect(stockOf(p, lot)).toEqual({ 'BF-QUAR': 350_000, 'BF-CR1': 150_000 });
    const rows = p.call('movements.list', { lot, kind: 'transfer' }).rows;
    expect(rows.map((m) => [m.from_location_code, m.to_location_code, m.qty_g])).toEqual([['BF-QUAR', 'BF-CR1', 150_000]]);
    p.call('stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 350_000 });
    expect(stockOf(p, lot)).toEqual({ 'BF-CR1': 500_000 });
    expect(p.call('lots.get', { code: lot }).stock).toEqual([{ location_code: 'BF-CR1', qty_g: 500_000 }]);
  });

  test('moving more than the location holds is refused (stock never goes negative)', () => {
    const p = plant();
    const lot = receive(p);
    const error = expectRefusal(p, 'stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 500_001 }, { code: 'INSUFFICIENT_STOCK', field: 'qty_g' });
    expect(error.message.en).toBe(`Not enough of lot ${lot} in BF-QUAR: 500000 g available, 500001 g requested`);
    expect(error.message.ru).toBe(`Недостаточно остатка партии ${lot} в BF-QUAR: есть 500000 г, нужно 500001 г`);
    expectRefusal(p, 'stock.move', { lot, from: 'BF-CR1', to: 'BF-QUAR', qty_g: 1 }, { code: 'INSUFFICIENT_STOCK', field: 'qty_g' });
  });

  test('same location, unknown lot or location are refused', () => {
    const p = plant();
    const lot = receive(p);
    expectRefusal(p, 'stock.move', { lot, from: 'BF-QUAR', to: 'BF-QUAR', qty_g: 1 }, { code: 'SAME_LOCATION', field: 'to' });
    expectRefusal(p, 'stock.move', { lot: 'NOLOT', from: 'BF-QUAR', to: 'BF-CR1', qty_g: 1 }, { code: 'NOT_FOUND', field: 'lot' });
    expectRefusal(p, 'stock.move', { lot, from: 'NOPE', to: 'BF-CR1', qty_g: 1 }, { code: 'NOT_FOUND', field: 'from' });
    expectRefusal(p, 'stock.move', { lot, from: 'BF-QUAR', to: 'NOPE', qty_g: 1 }, { code: 'NOT_FOUND', field: 'to' });
  });
});

describe('stock.adjust and stock.writeOff', () => {
  test('a positive adjustment adds stock, a negative one removes it, each with its reason', () => {
    const p = plant();
    const lot = receive(p);
    const up = p.call('stock.adjust', { lot, location: 'BF-QUAR', delta_g: 1_250, reason: 'инвентаризация: излишек' });
    expect(up).toMatchObject({ kind: 'adjustment', qty_g: 1_250, from_location_id: null, reason: 'инвентаризация: излишек' });
    expect(stockOf(p, lot)).toEqual({ 'BF-QUAR': 501_250 });
    const down = p.call('stock.adjust', { lot, location: 'BF-QUAR', delta_g: -3_000, reason: 'инвентаризация: недостача' });
    expect(down).toMatchObject({ kind: 'adjustment', qty_g: 3_000, to_location_id: null, reason: 'инвентаризация: недостача' });
    expect(stockOf(p, lot)).toEqual({ 'BF-QUAR': 498_250 });
    // Found stock in a place the lot was not known to be.
    p.call('stock.adjust', { lot, location: 'BF-CR1', delta_g: 500, reason: 'найдено' });
    expect(stockOf(p, lot)).toEqual({ 'BF-QUAR': 498_250, 'BF-CR1': 500 });
  });

  test('a negative adjustment beyond the stock is refused', () => {
    const p = plant();
    const lot = receive(p);
    expectRefusal(p, 'stock.adjust', { lot, location: 'BF-QUAR', delta_g: -500_001, reason: 'x' }, { code: 'INSUFFICIENT_STOCK', field: 'qty_g' });
  });

  test('a reason is required and a zero delta is refused', () => {
    const p = plant();
    const lot = receive(p);
    expectRefusal(p, 'stock.adjust', { lot, location: 'BF-QUAR', delta_g: 5 }, { code: 'VALIDATION', field: 'reason' });
    expectRefusal(p, 'stock.adjust', { lot, location: 'BF-QUAR', delta_g: 5, reason: '   ' }, { code: 'VALIDATION', field: 'reason' });
    expectRefusal(p, 'stock.adjust', { lot, location: 'BF-QUAR', delta_g: 0, reason: 'x' }, { code: 'VALIDATION', field: 'delta_g' });
    expectRefusal(p, 'stock.writeOff', { lot, location: 'BF-QUAR', qty_g: 5 }, { code: 'VALIDATION', field: 'reason' });
  });

  test('write-off removes stock with its reason; writing off everything empties the location', () => {
    const p = plant();
    const lot = receive(p);
    const w = p.call('stock.writeOff', { lot, location: 'BF-QUAR', qty_g: 20_000, reason: 'порча' });
    expect(w).toMatchObject({ kind: 'write_off', qty_g: 20_000, reason: 'порча', to_location_id: null });
    expect(stockOf(p, lot)).toEqual({ 'BF-QUAR': 480_000 });
    expectRefusal(p, 'stock.writeOff', { lot, location: 'BF-QUAR', qty_g: 480_001, reason: 'x' }, { code: 'INSUFFICIENT_STOCK', field: 'qty_g' });
    p.call('stock.writeOff', { lot, location: 'BF-QUAR', qty_g: 480_000, reason: 'утилизация' });
    expect(stockOf(p, lot)).toEqual({});
    expect(p.call('lots.get', { code: lot }).lot.qty_g).toBe(0);
    expect(p.call('stock.levels', { by: 'lot' }).rows).toEqual([]);
    expectRefusal(p, 'stock.writeOff', { lot, location: 'BF-QUAR', qty_g: 1, reason: 'x' }, { code: 'INSUFFICIENT_STOCK', field: 'qty_g' });
  });

  test('the stock projection always equals the sum of the ledger', () => {
    const p = plant();
    const lot = receive(p);
    p.call('stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 100_000 });
    p.call('stock.adjust', { lot, location: 'BF-CR1', delta_g: -1_000, reason: 'x' });
    p.call('stock.writeOff', { lot, location: 'BF-QUAR', qty_g: 7_000, reason: 'y' });
    const ledger = p.ws.q.sql<{ code: string; qty: number }>(
      `SELECT loc.code, SUM(CASE WHEN m.to_location_id = loc.id THEN m.qty_g ELSE -m.qty_g END) AS qty
       FROM movements m JOIN locations loc ON loc.id IN (m.from_location_id, m.to_location_id) GROUP BY loc.code HAVING qty != 0 ORDER BY loc.code`,
    );
    expect(Object.fromEntries(ledger.map((r) => [r.code, r.qty]))).toEqual(stockOf(p, lot));
    expect(stockOf(p, lot)).toEqual({ 'BF-CR1': 99_000, 'BF-QUAR': 393_000 });
  });
});

describe('the movement ledger is append-only', () => {
  test('raw SQL cannot update or delete a movement', () => {
    const p = plant();
    receive(p);
    const db = p.ws.db;
    expect(() => db.prepare('UPDATE movements SET qty_g = 1').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM movements').run()).toThrow(/append-only/);
    expect(p.ws.q.sql<{ qty_g: number }>('SELECT qty_g FROM movements')).toEqual([{ qty_g: 500_000 }]);
  });

  test('movements.list pages newest first with a total and filters by lot, kind and time', () => {
    const p = plant();
    const a = receive(p);
    p.now += 1000;
    const b = receive(p);
    p.now += 1000;
    p.call('stock.move', { lot: a, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 1 });
    const all = p.call('movements.list', { limit: 2 });
    expect(all.total).toBe(3);
    expect(all.rows.map((m) => [m.kind, m.lot_code])).toEqual([
      ['transfer', a],
      ['receipt', b],
    ]);
    expect(p.call('movements.list', { lot: a }).total).toBe(2);
    expect(p.call('movements.list', { kind: 'receipt' }).total).toBe(2);
    expect(p.call('movements.list', { from: p.now - 1000, to: p.now }).rows.map((m) => m.lot_code)).toEqual([b]);
  });
});

describe('stock.levels', () => {
  function stocked() {
    const p = plant();
    const omul1 = receive(p, { net_g: 100_000, producedDaysAgo: 1 });
    const omul2 = receive(p, { net_g: 50_000, producedDaysAgo: 3, location: 'BF-CR1' });
    const fish = receive(p, { product: 'WFISH-RAW', net_g: 70_000, producedDaysAgo: 2, location: 'BF-CR1' });
    p.call('stock.move', { lot: omul1, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 30_000 });
    return { p, omul1, omul2, fish };
  }

  test('by product', () => {
    const { p } = stocked();
    const levels = p.call('stock.levels', { by: 'product' });
    expect(levels.total).toBe(2);
    expect(levels.rows.map((r) => [r.product_code, r.qty_g, r.lots, r.earliest_expiry, r.label])).toEqual([
      ['OMUL-RAW', 150_000, 2, p.now + 2 * DAY, 'OMUL-RAW — Омуль байкальский охлаждённый'],
      ['WFISH-RAW', 70_000, 1, p.now + 3 * DAY, 'WFISH-RAW — Сиг байкальский охлаждённый'],
    ]);
  });

  test('by location, and for one product', () => {
    const { p } = stocked();
    const levels = p.call('stock.levels', { by: 'location' });
    expect(levels.rows.map((r) => [r.location_code, r.qty_g, r.lots])).toEqual([
      ['BF-CR1', 150_000, 3],
      ['BF-QUAR', 70_000, 1],
    ]);
    expect(p.call('stock.levels', { by: 'location', product: 'WFISH-RAW' }).rows.map((r) => [r.location_code, r.qty_g])).toEqual([['BF-CR1', 70_000]]);
  });

  test('by lot, for one location, paged with a total', () => {
    const { p, omul1, omul2, fish } = stocked();
    const levels = p.call('stock.levels', { by: 'lot', location: 'BF-CR1' });
    expect(levels.rows.map((r) => [r.lot_code, r.product_code, r.qty_g])).toEqual([
      [omul2, 'OMUL-RAW', 50_000],
      [fish, 'WFISH-RAW', 70_000],
      [omul1, 'OMUL-RAW', 30_000],
    ]);
    const page = p.call('stock.levels', { by: 'lot', location: 'BF-CR1', limit: 2, offset: 1 });
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => r.lot_code)).toEqual([fish, omul1]);
    expect(p.call('stock.levels', { by: 'lot' }).rows.find((r) => r.lot_code === omul1)!.qty_g).toBe(100_000);
  });

  test('unknown product or location filters are refused', () => {
    const p = plant();
    expectRefusal(p, 'stock.levels', { by: 'lot', product: 'NOPE' }, { code: 'NOT_FOUND', field: 'product' });
    expectRefusal(p, 'stock.levels', { by: 'lot', location: 'NOPE' }, { code: 'NOT_FOUND', field: 'location' });
  });
});

describe('stock.expiring', () => {
  test('splits lots in stock into expired and expiring within N days', () => {
    const p = plant();
    const expired = receive(p, { producedDaysAgo: 6, backdated: true }); // expired a day ago
    const today = receive(p, { producedDaysAgo: 5, backdated: true }); // expires right now
    const inTwo = receive(p, { producedDaysAgo: 3, location: 'BF-CR1' });
    const inFour = receive(p, { producedDaysAgo: 1 });
    const gone = receive(p, { producedDaysAgo: 6, backdated: true });
    p.call('stock.writeOff', { lot: gone, location: 'BF-QUAR', qty_g: 500_000, reason: 'утилизация' });

    const three = p.call('stock.expiring', { within_days: 3 });
    expect(three.expired.map((l) => l.code).sort()).toEqual([expired, today].sort());
    expect(three.expiring.map((l) => [l.code, l.days_left, l.qty_g])).toEqual([[inTwo, 2, 500_000]]);
    expect(p.call('stock.expiring', { within_days: 4 }).expiring.map((l) => l.code)).toEqual([inTwo, inFour]);
    expect(p.call('stock.expiring', { within_days: 0 }).expiring).toEqual([]);
    expect(p.call('stock.expiring', { within_days: 7, location: 'BF-CR1' })).toMatchObject({ expired: [], expiring: [{ code: inTwo }] });
    expect(p.call('stock.expiring', {}).expiring).toHaveLength(2); // default: 7 days
  });

  test('a long expired list does not push the expiring lots off the page', () => {
    const p = plant();
    const old = [receive(p, { producedDaysAgo: 8, backdated: true }), receive(p, { producedDaysAgo: 7, backdated: true }), receive(p, { producedDaysAgo: 6, backdated: true })];
    const soon = receive(p, { producedDaysAgo: 2 });
    const page = p.call('stock.expiring', { within_days: 7, limit: 2 });
    expect(page.expired.map((l) => l.code)).toEqual(old.slice(0, 2));
    expect(page.expired_total).toBe(3);
    expect(page.expiring.map((l) => l.code)).toEqual([soon]);
    expect(page.expiring_total).toBe(1);
    expect(p.call('stock.expiring', { within_days: 7, limit: 2, offset: 2 }).expired.map((l) => l.code)).toEqual([old[2]]);
  });
});

describe('stock.fefo', () => {
  test('picks released, unexpired stock by earliest expiry and reports the shortfall', () => {
    const p = plant();
    const soonest = releasedRaw(p, { producedDaysAgo: 4, net_g: 100_000 }); // 1 day left
    const later = releasedRaw(p, { producedDaysAgo: 1, net_g: 200_000 }); // 4 days left
    const middle = releasedRaw(p, { producedDaysAgo: 2, net_g: 60_000 }); // 3 days left
    p.call('stock.move', { lot: middle, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 20_000 });
    receive(p, { producedDaysAgo: 4, net_g: 999_000 }); // quarantined
    const blocked = releasedRaw(p, { producedDaysAgo: 4, net_g: 999_000 });
    p.call('lots.block', { code: blocked, reason: 'x' });
    releasedRaw(p, { producedDaysAgo: 5, backdated: true, net_g: 999_000 }); // expires now
    releasedRaw(p, { product: 'WFISH-RAW', producedDaysAgo: 4, net_g: 999_000 }); // another product

    const s = p.call('stock.fefo', { product: 'OMUL-RAW', qty_g: 250_000 });
    expect(s.picks.map((x) => [x.lot_code, x.location_code, x.available_g, x.take_g, x.days_left])).toEqual([
      [soonest, 'BF-QUAR', 100_000, 100_000, 1],
      [middle, 'BF-CR1', 20_000, 20_000, 3],
      [middle, 'BF-QUAR', 40_000, 40_000, 3],
      [later, 'BF-QUAR', 200_000, 90_000, 4],
    ]);
    expect(s).toMatchObject({ requested_g: 250_000, covered_g: 250_000, shortfall_g: 0 });

    const short = p.call('stock.fefo', { product: 'OMUL-RAW', qty_g: 400_000 });
    expect(short).toMatchObject({ requested_g: 400_000, covered_g: 360_000, shortfall_g: 40_000 });
    expect(short.picks).toHaveLength(4);

    const cold = p.call('stock.fefo', { product: 'OMUL-RAW', qty_g: 50_000, location: 'BF-CR1' });
    expect(cold).toMatchObject({ covered_g: 20_000, shortfall_g: 30_000, picks: [{ lot_code: middle, take_g: 20_000 }] });
  });

  test('nothing usable gives an empty suggestion with the full shortfall; unknown product is refused', () => {
    const p = plant();
    receive(p);
    expect(p.call('stock.fefo', { product: 'OMUL-RAW', qty_g: 10 })).toEqual({ picks: [], requested_g: 10, covered_g: 0, shortfall_g: 10 });
    expectRefusal(p, 'stock.fefo', { product: 'NOPE', qty_g: 10 }, { code: 'NOT_FOUND', field: 'product' });
  });
});

describe('lots.list and lots.get', () => {
  test('filters by product, status, location, search and stock, and pages with a total', () => {
    const p = plant();
    const lots = [receive(p), receive(p), receive(p, { product: 'WFISH-RAW', location: 'BF-CR1' }), receive(p), receive(p)];
    p.release(lots[1]!);
    p.call('stock.writeOff', { lot: lots[4]!, location: 'BF-QUAR', qty_g: 500_000, reason: 'x' });
    const newestFirst = [...lots].reverse();

    const all = p.call('lots.list', {});
    expect(all.total).toBe(5);
    expect(all.rows.map((r) => r.code)).toEqual(newestFirst);

    const page = p.call('lots.list', { limit: 2, offset: 2 });
    expect(page.total).toBe(5);
    expect(page.rows.map((r) => r.code)).toEqual(newestFirst.slice(2, 4));
    expect(p.call('lots.list', { limit: 2, offset: 4 }).rows.map((r) => r.code)).toEqual([lots[0]]);

    expect(p.call('lots.list', { product: 'WFISH-RAW' }).rows.map((r) => r.code)).toEqual([lots[2]]);
    expect(p.call('lots.list', { status: 'released' }).rows.map((r) => r.code)).toEqual([lots[1]]);
    expect(p.call('lots.list', { location: 'BF-CR1' }).rows.map((r) => r.code)).toEqual([lots[2]]);
    const inStock = p.call('lots.list', { in_stock: true });
    expect(inStock.total).toBe(4);
    expect(inStock.rows.map((r) => r.code)).not.toContain(lots[4]);
    expect(p.call('lots.list', { search: lots[3]!.slice(-4) }).rows.map((r) => r.code)).toEqual([lots[3]]);
    expect(p.call('lots.list', { search: '%' }).total).toBe(5); // LIKE wildcards are not special
    expect(p.call('lots.list', { status: 'released', product: 'WFISH-RAW' }).total).toBe(0);
  });

  test('lots.get shows stock by location, the movements and inspections', () => {
    const p = plant();
    const lot = releasedRaw(p);
    p.call('stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 100_000 });
    const got = p.call('lots.get', { code: lot });
    expect(got.lot).toMatchObject({ code: lot, status: 'released', qty_g: 500_000 });
    expect(got.stock).toEqual([
      { location_code: 'BF-QUAR', qty_g: 400_000 },
      { location_code: 'BF-CR1', qty_g: 100_000 },
    ]);
    expect(got.movements.map((m) => m.kind)).toEqual(['receipt', 'transfer']);
    expect(got.inspections.map((i) => [i.status, i.verdict])).toEqual([['completed', 'pass']]);
    expectRefusal(p, 'lots.get', { code: 'NOLOT' }, { code: 'NOT_FOUND', field: 'code' });
  });
});
