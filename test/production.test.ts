import { describe, expect, test } from 'vitest';
import { DAY, expectRefusal, plant, type TestPlant } from './helpers.js';
import { HOUR, lotRow, planBatch, receive, releasedRaw, stockOf } from './scenarios.js';

/** A slot well away from the ones `planBatch` uses, so these tests own the schedule. */
const S = Date.UTC(2027, 0, 10, 8, 0, 0);

function plan(p: TestPlant, start: number, end: number, equipment = 'BF-SMOKER-1') {
  return p.call('batches.plan', { product: 'OMUL-HS', planned_g: 200_000, equipment, planned_start: start, planned_end: end });
}

describe('batches.plan', () => {
  test('plans a batch on equipment', () => {
    const p = plant();
    const batch = p.call('batches.plan', {
      product: 'OMUL-HS',
      planned_g: 250_000,
      equipment: 'BF-SMOKER-1',
      planned_start: S,
      planned_end: S + 2 * HOUR,
      note: 'заказ Хэнтай',
    });
    expect(batch).toMatchObject({
      number: 'BAT-BFP-2026-000001',
      status: 'planned',
      product_code: 'OMUL-HS',
      equipment_code: 'BF-SMOKER-1',
      planned_g: 250_000,
      planned_start: S,
      planned_end: S + 2 * HOUR,
      note: 'заказ Хэнтай',
      started_at: null,
      input_g: 0,
      output_g: 0,
      yield_pct: null,
      inputs: [],
      outputs: [],
    });
  });

  test.each([
    ['overlapping the end', S + 1 * HOUR, S + 3 * HOUR],
    ['overlapping the start', S - 1 * HOUR, S + 1],
    ['inside', S + 30 * 60_000, S + 60 * 60_000],
    ['around', S - HOUR, S + 3 * HOUR],
    ['the same slot', S, S + 2 * HOUR],
  ])('equipment is never double-booked: a slot %s is refused', (_, start, end) => {
    const p = plant();
    const first = plan(p, S, S + 2 * HOUR);
    const error = expectRefusal(
      p,
      'batches.plan',
      { product: 'OMUL-CS', planned_g: 1000, equipment: 'BF-SMOKER-1', planned_start: start, planned_end: end },
      { code: 'EQUIPMENT_BOOKED', field: 'planned_start' },
    );
    expect(error.message.en).toContain(first.number);
    expect(error.message.en).toContain('BF-SMOKER-1');
  });

  test('adjacent slots [a,b) and [b,c) do not clash, nor does other equipment at the same time', () => {
    const p = plant();
    plan(p, S, S + 2 * HOUR);
    expect(plan(p, S + 2 * HOUR, S + 4 * HOUR).status).toBe('planned');
    expect(plan(p, S - 2 * HOUR, S).status).toBe('planned');
    expect(plan(p, S, S + 2 * HOUR, 'BF-SMOKER-2').status).toBe('planned');
  });

  test('a batch in progress keeps its slot; a cancelled batch frees it', () => {
    const p = plant();
    const first = plan(p, S, S + 2 * HOUR);
    p.call('batches.start', { number: first.number });
    expectRefusal(p, 'batches.plan', { product: 'OMUL-HS', planned_g: 1, equipment: 'BF-SMOKER-1', planned_start: S, planned_end: S + HOUR }, {
      code: 'EQUIPMENT_BOOKED',
      field: 'planned_start',
    });
    p.call('batches.cancel', { number: first.number, reason: 'перенос' });
    expect(plan(p, S, S + 2 * HOUR).status).toBe('planned');
  });

  test('an end at or before the start is refused', () => {
    const p = plant();
    for (const end of [S, S - 1]) {
      expectRefusal(p, 'batches.plan', { product: 'OMUL-HS', planned_g: 1, equipment: 'BF-SMOKER-1', planned_start: S, planned_end: end }, {
        code: 'INVALID_PERIOD',
        field: 'planned_end',
      });
    }
  });

  test('raw material is not produced, and unknown or inactive equipment cannot be booked', () => {
    const p = plant();
    const base = { product: 'OMUL-HS', planned_g: 1, equipment: 'BF-SMOKER-1', planned_start: S, planned_end: S + HOUR };
    expectRefusal(p, 'batches.plan', { ...base, product: 'OMUL-RAW' }, { code: 'WRONG_PRODUCT_KIND', field: 'product' });
    expectRefusal(p, 'batches.plan', { ...base, product: 'NOPE' }, { code: 'NOT_FOUND', field: 'product' });
    expectRefusal(p, 'batches.plan', { ...base, equipment: 'NOPE' }, { code: 'NOT_FOUND', field: 'equipment' });
    p.call('equipment.upsert', { code: 'BF-SMOKER-2', name: 'Коптильная камера №2', kind: 'smoker', active: 0 });
    expectRefusal(p, 'batches.plan', { ...base, equipment: 'BF-SMOKER-2' }, { code: 'INVALID_STATE', field: 'equipment' });
  });
});

describe('batches.consume', () => {
  test('takes a released lot through the ledger and starts the batch', () => {
    const p = plant();
    const raw = releasedRaw(p);
    const number = planBatch(p);
    const batch = p.call('batches.consume', { number, lot: raw, location: 'BF-QUAR', qty_g: 120_000 });
    expect(batch).toMatchObject({ status: 'in_progress', started_at: p.now, input_g: 120_000 });
    expect(batch.inputs.map((i) => [i.lot_code, i.product_code, i.qty_g])).toEqual([[raw, 'OMUL-RAW', 120_000]]);
    expect(stockOf(p, raw)).toEqual({ 'BF-QUAR': 380_000 });
    const moves = p.call('movements.list', { lot: raw, kind: 'consumption' }).rows;
    expect(moves.map((m) => [m.from_location_code, m.to_location_id, m.qty_g, m.ref_type, m.ref_id])).toEqual([
      ['BF-QUAR', null, 120_000, 'batch', batch.id],
    ]);
  });

  test('a quarantined lot is refused', () => {
    const p = plant();
    const raw = receive(p);
    const number = planBatch(p);
    const error = expectRefusal(p, 'batches.consume', { number, lot: raw, qty_g: 1000 }, { code: 'LOT_NOT_RELEASED', field: 'lot' });
    expect(error.message.en).toContain('"quarantine"');
  });

  test('a blocked lot is refused', () => {
    const p = plant();
    const raw = releasedRaw(p);
    p.call('lots.block', { code: raw, reason: 'подозрение на паразитов' });
    const number = planBatch(p);
    const error = expectRefusal(p, 'batches.consume', { number, lot: raw, qty_g: 1000 }, { code: 'LOT_NOT_RELEASED', field: 'lot' });
    expect(error.message.en).toContain('"blocked"');
  });

  test('an expired lot is refused from the moment it expires', () => {
    const p = plant();
    const raw = releasedRaw(p, { producedDaysAgo: 4 }); // expires one day from now
    const number = planBatch(p);
    p.advance(DAY - 1);
    p.call('batches.consume', { number, lot: raw, qty_g: 1000 });
    p.advance(1);
    expect(p.now).toBe(lotRow(p, raw).expires_at);
    const error = expectRefusal(p, 'batches.consume', { number, lot: raw, qty_g: 1000 }, { code: 'LOT_EXPIRED', field: 'lot' });
    expect(error.message.en).toContain(raw);
  });

  test('more than there is is refused, in one location or across all', () => {
    const p = plant();
    const raw = releasedRaw(p);
    p.call('stock.move', { lot: raw, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 200_000 });
    const number = planBatch(p);
    const one = expectRefusal(p, 'batches.consume', { number, lot: raw, location: 'BF-CR1', qty_g: 200_001 }, { code: 'INSUFFICIENT_STOCK', field: 'qty_g' });
    expect(one.message.en).toBe(`Not enough of lot ${raw} in BF-CR1: 200000 g available, 200001 g requested`);
    const all = expectRefusal(p, 'batches.consume', { number, lot: raw, qty_g: 500_001 }, { code: 'INSUFFICIENT_STOCK', field: 'qty_g' });
    expect(all.message.en).toContain('500000 g available');
    expectRefusal(p, 'batches.consume', { number, lot: raw, location: 'BF-DOCK', qty_g: 1 }, { code: 'INSUFFICIENT_STOCK', field: 'qty_g' });
  });

  test('without a location it takes across the locations holding the lot, largest first', () => {
    const p = plant();
    const raw = releasedRaw(p);
    p.call('stock.move', { lot: raw, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 200_000 });
    const number = planBatch(p);
    const batch = p.call('batches.consume', { number, lot: raw, qty_g: 450_000 });
    expect(batch.input_g).toBe(450_000);
    expect(batch.inputs.map((i) => i.qty_g).sort()).toEqual([150_000, 300_000]);
    expect(stockOf(p, raw)).toEqual({ 'BF-CR1': 50_000 });
    const moves = p.call('movements.list', { lot: raw, kind: 'consumption' }).rows;
    expect(moves.map((m) => [m.from_location_code, m.qty_g]).sort()).toEqual([
      ['BF-CR1', 150_000],
      ['BF-QUAR', 300_000],
    ]);
  });

  test('unknown batch, lot or location is refused', () => {
    const p = plant();
    const raw = releasedRaw(p);
    const number = planBatch(p);
    expectRefusal(p, 'batches.consume', { number: 'BAT-X', lot: raw, qty_g: 1 }, { code: 'NOT_FOUND', field: 'number' });
    expectRefusal(p, 'batches.consume', { number, lot: 'NOLOT', qty_g: 1 }, { code: 'NOT_FOUND', field: 'lot' });
    expectRefusal(p, 'batches.consume', { number, lot: raw, location: 'NOPE', qty_g: 1 }, { code: 'NOT_FOUND', field: 'location' });
  });
});

describe('batches.output', () => {
  test('is refused before anything was consumed', () => {
    const p = plant();
    const number = planBatch(p);
    const error = expectRefusal(p, 'batches.output', { number, qty_g: 1000, location: 'BF-CR2' }, { code: 'INVALID_STATE', field: 'number' });
    expect(error.message.en).toContain('no inputs');
  });

  test('creates a quarantined lot that inherits catch area and method, and posts it into the location', () => {
    const p = plant();
    const raw = releasedRaw(p, { catch_area: 'FAO 04, Чивыркуйский залив' });
    const number = planBatch(p, 'OMUL-CS');
    p.call('batches.consume', { number, lot: raw, qty_g: 400_000 });
    const { lot, batch } = p.call('batches.output', { number, qty_g: 280_000, location: 'BF-CR2', packages: 56 });
    expect(lot).toMatchObject({
      origin: 'production',
      batch_id: batch.id,
      status: 'quarantine',
      supplier_id: null,
      receipt_id: null,
      initial_g: 280_000,
      packages: 56,
      produced_at: p.now,
      catch_area: 'FAO 04, Чивыркуйский залив',
      production_method: 'wild',
    });
    expect(batch.outputs.map((o) => o.code)).toEqual([lot.code]);
    expect(stockOf(p, lot.code)).toEqual({ 'BF-CR2': 280_000 });
    expect(p.call('movements.list', { lot: lot.code }).rows.map((m) => [m.kind, m.to_location_code, m.qty_g, m.ref_id])).toEqual([
      ['output', 'BF-CR2', 280_000, batch.id],
    ]);
  });

  test('expiry is the input’s when the input expires first', () => {
    const p = plant();
    const raw = releasedRaw(p); // OMUL-RAW produced a day ago: 4 days left
    const number = planBatch(p, 'OMUL-CS'); // cold-smoked keeps 30 days
    p.call('batches.consume', { number, lot: raw, qty_g: 100_000 });
    const { lot } = p.call('batches.output', { number, qty_g: 80_000, location: 'BF-CR2' });
    expect(lot.expires_at).toBe(lotRow(p, raw).expires_at);
    expect(lot.expires_at).toBe(p.now + 4 * DAY);
  });

  test('expiry is the product’s own shelf life when that is shorter', () => {
    const p = plant();
    p.call('products.upsert', { code: 'OMUL-RAW-FZ', kind: 'raw', name_ru: 'Омуль мороженый (сырьё)', name_en: 'Frozen omul (raw)', shelf_life_days: 90 });
    const raw = releasedRaw(p, { product: 'OMUL-RAW-FZ' });
    const number = planBatch(p, 'OMUL-HS'); // hot-smoked keeps 10 days
    p.call('batches.consume', { number, lot: raw, qty_g: 100_000 });
    const producedAt = p.now + 4 * HOUR; // out of the smoker four hours later, recorded at the end of the shift
    p.now += 6 * HOUR;
    const { lot } = p.call('batches.output', { number, qty_g: 80_000, location: 'BF-CR2', produced_at: producedAt });
    expect(lotRow(p, raw).expires_at).toBe(producedAt - 4 * HOUR + 89 * DAY);
    expect(lot.produced_at).toBe(producedAt);
    expect(lot.expires_at).toBe(producedAt + 10 * DAY);
  });

  test('a production time before the batch started or in the future is refused', () => {
    const p = plant();
    const raw = releasedRaw(p);
    const number = planBatch(p);
    p.call('batches.consume', { number, lot: raw, qty_g: 100_000 });
    expectRefusal(p, 'batches.output', { number, qty_g: 80_000, location: 'BF-CR2', produced_at: p.now - HOUR }, { code: 'VALIDATION', field: 'produced_at' });
    expectRefusal(p, 'batches.output', { number, qty_g: 80_000, location: 'BF-CR2', produced_at: p.now + HOUR }, { code: 'VALIDATION', field: 'produced_at' });
  });

  test('a batch cannot consume its own output', () => {
    const p = plant();
    const raw = releasedRaw(p);
    const number = planBatch(p);
    p.call('batches.consume', { number, lot: raw, qty_g: 100_000 });
    const { lot } = p.call('batches.output', { number, qty_g: 80_000, location: 'BF-CR2' });
    p.release(lot.code, 'FIN-SMOKED');
    expectRefusal(p, 'batches.consume', { number, lot: lot.code, qty_g: 1_000 }, { code: 'INVALID_STATE', field: 'lot' });
  });

  test('a smoker runs one batch at a time even when the plan said otherwise', () => {
    const p = plant();
    const raw = releasedRaw(p);
    const plan = (from: number, to: number) =>
      p.call('batches.plan', { product: 'OMUL-HS', planned_g: 100_000, equipment: 'BF-SMOKER-1', planned_start: from, planned_end: to }).number;
    const first = plan(p.now, p.now + 6 * HOUR);
    const second = p.call('batches.plan', {
      product: 'OMUL-HS',
      planned_g: 100_000,
      equipment: 'BF-SMOKER-1',
      planned_start: p.now + 7 * HOUR,
      planned_end: p.now + 9 * HOUR,
    }).number;
    p.call('batches.start', { number: first });
    // The first batch overruns: starting (or consuming into) the second one is refused.
    p.now += 8 * HOUR;
    expectRefusal(p, 'batches.start', { number: second }, { code: 'EQUIPMENT_BOOKED', field: 'number' });
    expectRefusal(p, 'batches.consume', { number: second, lot: raw, qty_g: 1_000 }, { code: 'EQUIPMENT_BOOKED', field: 'number' });
    p.call('batches.finish', { number: first });
    expect(p.call('batches.start', { number: second }).status).toBe('in_progress');
  });

  test('a product whose processing restarts the shelf life (freezing) is not capped by its inputs', () => {
    const p = plant();
    const raw = releasedRaw(p); // chilled omul: 4 days left
    const number = planBatch(p, 'OMUL-FZ', 'BF-FREEZER'); // frozen omul: 270 days from freezing
    p.call('batches.consume', { number, lot: raw, qty_g: 100_000 });
    const { lot } = p.call('batches.output', { number, qty_g: 97_000, location: 'BF-FZ1' });
    expect(lot.expires_at).toBe(p.now + 270 * DAY);

    // The same product without the flag inherits the raw material's expiry.
    const frozen = p.call('products.list', { kind: 'finished' }).rows.find((r) => r.code === 'OMUL-FZ')!;
    expect(frozen.restarts_shelf_life).toBe(1);
    p.call('products.upsert', { code: 'OMUL-FZ', kind: 'finished', name_ru: frozen.name_ru, name_en: frozen.name_en, shelf_life_days: 270, restarts_shelf_life: 0 });
    const capped = planBatch(p, 'OMUL-FZ', 'BF-SMOKER-2');
    p.call('batches.consume', { number: capped, lot: raw, qty_g: 100_000 });
    expect(p.call('batches.output', { number: capped, qty_g: 97_000, location: 'BF-FZ1' }).lot.expires_at).toBe(lotRow(p, raw).expires_at);
  });

  test('with several inputs the earliest-expiring input caps the expiry', () => {
    const p = plant();
    const omul = releasedRaw(p, { producedDaysAgo: 1 }); // 4 days left
    const whitefish = releasedRaw(p, { product: 'WFISH-RAW', producedDaysAgo: 3 }); // 2 days left
    const number = planBatch(p, 'OMUL-CS');
    p.call('batches.consume', { number, lot: omul, qty_g: 100_000 });
    p.call('batches.consume', { number, lot: whitefish, qty_g: 100_000 });
    const { lot } = p.call('batches.output', { number, qty_g: 150_000, location: 'BF-CR2' });
    expect(lot.expires_at).toBe(p.now + 2 * DAY);
  });

  test('yield is output over input', () => {
    const p = plant();
    const raw = releasedRaw(p);
    const number = planBatch(p);
    p.call('batches.consume', { number, lot: raw, qty_g: 300_000 });
    expect(p.call('batches.output', { number, qty_g: 200_000, location: 'BF-CR2' }).batch).toMatchObject({
      input_g: 300_000,
      output_g: 200_000,
      yield_pct: 66.67,
    });
    const second = p.call('batches.output', { number, qty_g: 25_000, location: 'BF-CR2' }).batch;
    expect(second).toMatchObject({ output_g: 225_000, yield_pct: 75 });
    expect(second.outputs).toHaveLength(2);
    expect(p.call('batches.list', {}).rows.find((b) => b.number === number)!.yield_pct).toBe(75);
  });
});

describe('batch lifecycle', () => {
  test('start, finish; a finished batch takes no more input or output', () => {
    const p = plant();
    const raw = releasedRaw(p);
    const number = planBatch(p);
    expectRefusal(p, 'batches.finish', { number }, { code: 'INVALID_STATE' });
    const started = p.call('batches.start', { number });
    expect(started).toMatchObject({ status: 'in_progress', started_at: p.now });
    expectRefusal(p, 'batches.start', { number }, { code: 'INVALID_STATE' });
    p.call('batches.consume', { number, lot: raw, qty_g: 100_000 });
    p.call('batches.output', { number, qty_g: 70_000, location: 'BF-CR2' });
    p.now += HOUR;
    const done = p.call('batches.finish', { number });
    expect(done).toMatchObject({ status: 'done', finished_at: p.now });
    expectRefusal(p, 'batches.consume', { number, lot: raw, qty_g: 1 }, { code: 'INVALID_STATE' });
    expectRefusal(p, 'batches.output', { number, qty_g: 1, location: 'BF-CR2' }, { code: 'INVALID_STATE' });
    expectRefusal(p, 'batches.finish', { number }, { code: 'INVALID_STATE' });
    expectRefusal(p, 'batches.cancel', { number, reason: 'поздно' }, { code: 'INVALID_STATE' });
  });

  test('cancel works only while nothing has been consumed', () => {
    const p = plant();
    const raw = releasedRaw(p);
    const idle = planBatch(p);
    const cancelled = p.call('batches.cancel', { number: idle, reason: 'нет сырья' });
    expect(cancelled).toMatchObject({ status: 'cancelled', note: 'Отменено / cancelled: нет сырья' });
    expectRefusal(p, 'batches.cancel', { number: idle, reason: 'again' }, { code: 'INVALID_STATE' });
    expectRefusal(p, 'batches.start', { number: idle }, { code: 'INVALID_STATE' });
    expectRefusal(p, 'batches.consume', { number: idle, lot: raw, qty_g: 1 }, { code: 'INVALID_STATE' });

    const started = planBatch(p);
    p.call('batches.start', { number: started });
    expect(p.call('batches.cancel', { number: started, reason: 'поломка' }).status).toBe('cancelled');

    const busy = planBatch(p);
    p.call('batches.consume', { number: busy, lot: raw, qty_g: 1000 });
    const error = expectRefusal(p, 'batches.cancel', { number: busy, reason: 'передумали' }, { code: 'INVALID_STATE' });
    expect(error.message.en).toContain(busy);
  });

  test('batches.list filters by status and period and counts the total', () => {
    const p = plant();
    const a = plan(p, S, S + HOUR);
    const b = plan(p, S + 2 * HOUR, S + 3 * HOUR);
    p.call('batches.cancel', { number: a.number, reason: 'x' });
    expect(p.call('batches.list', { status: 'planned' }).rows.map((r) => r.number)).toEqual([b.number]);
    const all = p.call('batches.list', { limit: 1 });
    expect(all.total).toBe(2);
    expect(all.rows.map((r) => r.number)).toEqual([b.number]);
    expect(p.call('batches.list', { from: S + HOUR }).rows.map((r) => r.number)).toEqual([b.number]);
    expect(p.call('batches.list', { to: S + HOUR }).rows.map((r) => r.number)).toEqual([a.number]);
  });
});

describe('equipment.utilisation', () => {
  test('booked time per equipment in a period, clipped to it, cancelled batches left out', () => {
    const p = plant();
    const W = Date.UTC(2027, 1, 1, 0, 0, 0);
    plan(p, W + 8 * HOUR, W + 12 * HOUR, 'BF-SMOKER-1'); // 4 h inside
    plan(p, W + 20 * HOUR, W + 26 * HOUR, 'BF-SMOKER-1'); // 4 h inside, 2 h after
    plan(p, W - 2 * HOUR, W + 1 * HOUR, 'BF-SMOKER-2'); // 1 h inside
    const cancelled = plan(p, W + 2 * HOUR, W + 10 * HOUR, 'BF-SMOKER-2');
    p.call('batches.cancel', { number: cancelled.number, reason: 'x' });
    plan(p, W + 30 * HOUR, W + 32 * HOUR, 'BF-FREEZER'); // after the period

    const { rows } = p.call('equipment.utilisation', { from: W, to: W + 24 * HOUR });
    expect(rows.map((r) => [r.equipment_code, r.batches, r.booked_ms, r.available_ms, r.utilisation_pct])).toEqual([
      ['BF-FREEZER', 0, 0, 24 * HOUR, 0],
      ['BF-SMOKER-1', 2, 8 * HOUR, 24 * HOUR, 33.33],
      ['BF-SMOKER-2', 1, 1 * HOUR, 24 * HOUR, 4.17],
    ]);
  });

  test('a finished batch counts the time it actually ran', () => {
    const p = plant();
    const raw = releasedRaw(p);
    const batch = plan(p, p.now + HOUR, p.now + 5 * HOUR, 'BF-FREEZER');
    const from = p.now;
    p.now += 30 * 60_000;
    p.call('batches.consume', { number: batch.number, lot: raw, qty_g: 1000 });
    p.now += HOUR;
    p.call('batches.finish', { number: batch.number });
    const freezer = p.call('equipment.utilisation', { from, to: from + 10 * HOUR }).rows.find((r) => r.equipment_code === 'BF-FREEZER')!;
    expect(freezer).toMatchObject({ batches: 1, booked_ms: HOUR, utilisation_pct: 10 });
  });

  test('a period that ends before it starts is refused', () => {
    const p = plant();
    expectRefusal(p, 'equipment.utilisation', { from: S, to: S }, { code: 'INVALID_PERIOD', field: 'to' });
  });
});
