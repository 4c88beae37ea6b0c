// Production batches: planned on equipment without double-booking, consuming released input
// lots through the ledger, producing quarantined output lots whose expiry never outlives the
// earliest input.
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import { qb } from '../db/query.js';
import type { BatchInputRow, BatchRow, LotRow } from '../db/schema.js';
import type { Tx } from '../db/tx.js';
import { activeByCode, byCode, byNumber, DAY_MS, isoDate, lotByCode, nextLotCode, ownByNumber, nextNumber, withReason } from './common.js';
import type { Handlers } from './handler.js';
import { assertUsable, post, takeFromLot } from './inventory.js';

const ACTIVE = ['planned', 'in_progress'] as const;

function batchSummary(tx: Tx, batch: BatchRow) {
  const product = tx.q.first(qb.selectFrom('products').select(['code', 'name_ru']).where('id', '=', batch.product_id))!;
  const equipment = tx.q.first(qb.selectFrom('equipment').select('code').where('id', '=', batch.equipment_id))!;
  const totals = tx.q.sql<{ input_g: number; output_g: number }>(
    `SELECT (SELECT COALESCE(SUM(qty_g), 0) FROM batch_inputs WHERE batch_id = ?) AS input_g,
            (SELECT COALESCE(SUM(initial_g), 0) FROM lots WHERE batch_id = ?) AS output_g`,
    batch.id,
    batch.id,
  )[0]!;
  const yieldPct = totals.input_g > 0 ? Math.round((totals.output_g / totals.input_g) * 10_000) / 100 : null;
  return {
    ...batch,
    product_code: product.code,
    product_name_ru: product.name_ru,
    equipment_code: equipment.code,
    input_g: totals.input_g,
    output_g: totals.output_g,
    yield_pct: yieldPct,
  };
}

function batchView(tx: Tx, batch: BatchRow) {
  const inputs = tx.q.sql<BatchInputRow & { lot_code: string; product_code: string }>(
    `SELECT bi.*, l.code AS lot_code, p.code AS product_code FROM batch_inputs bi
     JOIN lots l ON l.id = bi.lot_id JOIN products p ON p.id = l.product_id WHERE bi.batch_id = ? ORDER BY bi.at, bi.id`,
    batch.id,
  );
  const outputs = tx.q.all(
    qb.selectFrom('lots').select(['id', 'code', 'initial_g', 'expires_at', 'status']).where('batch_id', '=', batch.id).orderBy('code'),
  );
  return { ...batchSummary(tx, batch), inputs, outputs };
}

function refuseState(batch: BatchRow, action: string): never {
  throw new DomainError('INVALID_STATE', { entity: say('Производственная партия', 'Batch'), key: batch.number, state: batch.status, action });
}

/** Consuming or producing starts a planned batch; a finished or cancelled one refuses. */
function running(tx: Tx, number: string, action: string): BatchRow {
  const batch = ownByNumber(tx, 'batches', number);
  if (batch.status === 'planned') return start(tx, batch);
  if (batch.status !== 'in_progress') refuseState(batch, action);
  return batch;
}

/** A smoker or line runs one batch at a time, whatever the plan said. */
function start(tx: Tx, batch: BatchRow): BatchRow {
  const busy = tx.q.first(
    qb
      .selectFrom('batches')
      .select(['number', 'planned_start', 'planned_end'])
      .where('equipment_id', '=', batch.equipment_id)
      .where('status', '=', 'in_progress')
      .where('id', '!=', batch.id),
  );
  if (busy) {
    const equipment = tx.q.first(qb.selectFrom('equipment').select('code').where('id', '=', batch.equipment_id))!;
    throw new DomainError(
      'EQUIPMENT_BOOKED',
      { equipment: equipment.code, batch: busy.number, from: fmt(busy.planned_start), to: fmt(busy.planned_end) },
      'number',
    );
  }
  return tx.update('batches', batch, { status: 'in_progress', started_at: tx.now });
}

function fmt(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export const productionHandlers: Handlers<
  | 'batches.plan'
  | 'batches.start'
  | 'batches.consume'
  | 'batches.output'
  | 'batches.finish'
  | 'batches.cancel'
  | 'batches.get'
  | 'batches.list'
  | 'equipment.utilisation'
> = {
  'batches.plan'(tx, input) {
    const product = activeByCode(tx, 'products', input.product, 'product');
    if (product.kind === 'raw') {
      throw new DomainError('WRONG_PRODUCT_KIND', { product: product.code, kind: product.kind, expected: 'semi / finished' }, 'product');
    }
    const equipment = byCode(tx, 'equipment', input.equipment, 'equipment');
    if (equipment.active !== 1) {
      throw new DomainError('INVALID_STATE', { entity: say('Оборудование', 'Equipment'), key: equipment.code, state: say('не используется', 'inactive'), action: say('запланировать', 'plan') }, 'equipment');
    }
    if (input.planned_end <= input.planned_start) {
      throw new DomainError('INVALID_PERIOD', { start: fmt(input.planned_start), end: fmt(input.planned_end) }, 'planned_end');
    }
    // Serialised by SQLite's single writer: the check and the insert happen in one immediate transaction.
    const clash = tx.q.first(
      qb
        .selectFrom('batches')
        .select(['number', 'planned_start', 'planned_end'])
        .where('equipment_id', '=', equipment.id)
        .where('status', 'in', ACTIVE)
        .where('planned_start', '<', input.planned_end)
        .where('planned_end', '>', input.planned_start),
    );
    if (clash) {
      throw new DomainError(
        'EQUIPMENT_BOOKED',
        { equipment: equipment.code, batch: clash.number, from: fmt(clash.planned_start), to: fmt(clash.planned_end) },
        'planned_start',
      );
    }
    const batch = tx.insert('batches', {
      number: nextNumber(tx, 'batches'),
      product_id: product.id,
      planned_g: input.planned_g,
      equipment_id: equipment.id,
      planned_start: input.planned_start,
      planned_end: input.planned_end,
      status: 'planned',
      started_at: null,
      finished_at: null,
      note: input.note ?? null,
    });
    return batchView(tx, batch);
  },

  'batches.start'(tx, input) {
    const batch = ownByNumber(tx, 'batches', input.number);
    if (batch.status !== 'planned') refuseState(batch, say('начать', 'start'));
    return batchView(tx, start(tx, batch));
  },

  'batches.consume'(tx, input) {
    const lot = lotByCode(tx, input.lot);
    assertUsable(tx, lot);
    const location = input.location ? byCode(tx, 'locations', input.location, 'location') : undefined;
    const batch = running(tx, input.number, say('израсходовать сырьё', 'consume'));
    if (lot.batch_id === batch.id) {
      throw new DomainError('INVALID_STATE', { entity: say('Партия', 'Lot'), key: lot.code, state: say(`выпуск ${batch.number}`, `output of ${batch.number}`), action: say('израсходовать в выпустившей её партии', 'consume into the batch that produced it') }, 'lot');
    }
    const moves = takeFromLot(tx, lot, input.qty_g, { kind: 'consumption', ref_type: 'batch', ref_id: batch.id }, location);
    for (const move of moves) {
      tx.insert('batch_inputs', {
        batch_id: batch.id,
        lot_id: lot.id,
        location_id: move.from_location_id!,
        qty_g: move.qty_g,
        at: tx.now,
      });
    }
    return batchView(tx, batch);
  },

  'batches.output'(tx, input) {
    const batch = running(tx, input.number, say('записать выпуск', 'record output'));
    const product = tx.q.first(qb.selectFrom('products').selectAll().where('id', '=', batch.product_id))!;
    const location = activeByCode(tx, 'locations', input.location, 'location');
    const inputLots = tx.q.sql<LotRow>(
      'SELECT DISTINCT l.* FROM batch_inputs bi JOIN lots l ON l.id = bi.lot_id WHERE bi.batch_id = ?',
      batch.id,
    );
    if (inputLots.length === 0) {
      throw new DomainError('INVALID_STATE', { entity: say('Производственная партия', 'Batch'), key: batch.number, state: say('нет сырья', 'no inputs'), action: say('записать выпуск', 'record output') }, 'number');
    }
    const producedAt = input.produced_at ?? tx.now;
    // A production time before the batch started or in the future would fake the expiry.
    if (producedAt > tx.now || producedAt < (batch.started_at ?? batch.planned_start)) {
      throw new DomainError('VALIDATION', { details: say('дата выпуска должна быть между началом партии и текущим моментом', 'produced_at must lie between the batch start and now') }, 'produced_at');
    }
    const ownExpiry = producedAt + product.shelf_life_days * DAY_MS;
    const earliestInput = Math.min(...inputLots.map((l) => l.expires_at));
    const catchAreas = [...new Set(inputLots.map((l) => l.catch_area))];
    const methods = [...new Set(inputLots.map((l) => l.production_method))];
    const lot = tx.insert('lots', {
      code: nextLotCode(tx, producedAt),
      product_id: product.id,
      origin: 'production',
      supplier_id: null,
      receipt_id: null,
      batch_id: batch.id,
      vet_doc_uuid: null,
      // Labels for China need the catch area and method: inherited when every input agrees.
      catch_area: catchAreas.length === 1 ? (catchAreas[0] ?? null) : null,
      production_method: product.production_method ?? (methods.length === 1 ? (methods[0] ?? null) : null),
      produced_at: producedAt,
      expires_at: product.restarts_shelf_life === 1 ? ownExpiry : Math.min(ownExpiry, earliestInput),
      status: 'quarantine',
      status_reason: null,
      status_source: null,
      initial_g: input.qty_g,
      packages: input.packages ?? null,
    });
    post(tx, { kind: 'output', lot, to: location, qty_g: input.qty_g, ref_type: 'batch', ref_id: batch.id });
    return { batch: batchView(tx, batch), lot };
  },

  'batches.finish'(tx, input) {
    const batch = ownByNumber(tx, 'batches', input.number);
    if (batch.status !== 'in_progress') refuseState(batch, say('завершить', 'finish'));
    return batchView(tx, tx.update('batches', batch, { status: 'done', finished_at: tx.now }));
  },

  'batches.cancel'(tx, input) {
    const batch = ownByNumber(tx, 'batches', input.number);
    const consumed = tx.q.first(qb.selectFrom('batch_inputs').select('id').where('batch_id', '=', batch.id));
    if (!ACTIVE.includes(batch.status as (typeof ACTIVE)[number]) || consumed) refuseState(batch, say('отменить', 'cancel'));
    return batchView(tx, tx.update('batches', batch, { status: 'cancelled', note: withReason(batch.note, input.reason) }));
  },

  'batches.get': (tx, input) => batchView(tx, byNumber(tx, 'batches', input.number)),

  'batches.list'(tx, input) {
    let query = qb.selectFrom('batches').selectAll();
    if (input.status) query = query.where('status', '=', input.status);
    if (input.from !== undefined) query = query.where('planned_end', '>', input.from);
    if (input.to !== undefined) query = query.where('planned_start', '<', input.to);
    const total = tx.q.first(query.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')))!.n;
    const rows = tx.q.all(query.orderBy('planned_start', 'desc').orderBy('number', 'desc').limit(input.limit).offset(input.offset));
    return { rows: rows.map((b) => batchSummary(tx, b)), total };
  },

  'equipment.utilisation'(tx, input) {
    if (input.to <= input.from) throw new DomainError('INVALID_PERIOD', { start: isoDate(input.from), end: isoDate(input.to) }, 'to');
    const available = input.to - input.from;
    const equipment = tx.q.all(qb.selectFrom('equipment').selectAll().where('active', '=', 1).orderBy('code'));
    const rows = equipment.map((e) => {
      const batches = tx.q.all(
        qb
          .selectFrom('batches')
          .select(['planned_start', 'planned_end', 'started_at', 'finished_at', 'status'])
          .where('equipment_id', '=', e.id)
          .where('status', '!=', 'cancelled')
          .where('planned_start', '<', input.to),
      );
      let booked = 0;
      let count = 0;
      for (const b of batches) {
        // Finished batches count their actual time on the equipment, others their plan.
        const start = b.status === 'done' && b.started_at !== null ? b.started_at : b.planned_start;
        const end = b.status === 'done' && b.finished_at !== null ? b.finished_at : b.planned_end;
        const overlap = Math.min(end, input.to) - Math.max(start, input.from);
        if (overlap > 0) {
          booked += overlap;
          count += 1;
        }
      }
      return {
        equipment_code: e.code,
        name: e.name,
        batches: count,
        booked_ms: booked,
        available_ms: available,
        utilisation_pct: Math.round((booked / available) * 10_000) / 100,
      };
    });
    return { rows };
  },
};
