// Inventory: the append-only movement ledger and the stock projection it keeps current.
// Every quantity change in PlantDesk goes through `post`, which refuses to take more than a
// location holds, so stock can never go negative.
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import { qb } from '../db/query.js';
import type { LocationRow, LotRow, MovementRow } from '../db/schema.js';
import type { Tx } from '../db/tx.js';
import type { MovementKind } from '../contract/entities.js';
import { activeByCode, assertOwnSite, byCode, daysLeft, DAY_MS, isoDate, lotByCode, ownLotByCode } from './common.js';
import type { Handlers } from './handler.js';

export interface Posting {
  kind: MovementKind;
  lot: LotRow;
  from?: Pick<LocationRow, 'id' | 'code'> | null;
  to?: Pick<LocationRow, 'id' | 'code'> | null;
  qty_g: number;
  ref_type?: string | null;
  ref_id?: string | null;
  reason?: string | null;
}

export function stockAt(tx: Tx, lotId: string, locationId: string): number {
  return (
    tx.q.sql<{ qty_g: number }>('SELECT qty_g FROM stock WHERE lot_id = ? AND location_id = ?', lotId, locationId)[0]
      ?.qty_g ?? 0
  );
}

export function post(tx: Tx, m: Posting): MovementRow {
  // Stock belongs to the site that owns the lot; only that site's users move it (replication
  // relies on each site writing only its own rows).
  assertOwnSite(tx, 'lots', m.lot.code, m.lot.site_id, 'lot');
  if (m.from) {
    const available = stockAt(tx, m.lot.id, m.from.id);
    if (available < m.qty_g) {
      throw new DomainError(
        'INSUFFICIENT_STOCK',
        { lot: m.lot.code, location: m.from.code, available, requested: m.qty_g },
        'qty_g',
      );
    }
    if (available === m.qty_g) {
      tx.q.sqlRun('DELETE FROM stock WHERE lot_id = ? AND location_id = ?', m.lot.id, m.from.id);
    } else {
      tx.q.sqlRun('UPDATE stock SET qty_g = qty_g - ? WHERE lot_id = ? AND location_id = ?', m.qty_g, m.lot.id, m.from.id);
    }
  }
  if (m.to) {
    tx.q.sqlRun(
      `INSERT INTO stock (lot_id, location_id, product_id, site_id, expires_at, qty_g) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (lot_id, location_id) DO UPDATE SET qty_g = qty_g + excluded.qty_g`,
      m.lot.id,
      m.to.id,
      m.lot.product_id,
      m.lot.site_id,
      m.lot.expires_at,
      m.qty_g,
    );
  }
  return tx.insert('movements', {
    at: tx.now,
    kind: m.kind,
    lot_id: m.lot.id,
    product_id: m.lot.product_id,
    from_location_id: m.from?.id ?? null,
    to_location_id: m.to?.id ?? null,
    qty_g: m.qty_g,
    ref_type: m.ref_type ?? null,
    ref_id: m.ref_id ?? null,
    reason: m.reason ?? null,
    user_id: tx.actor.userId ?? tx.actor.username,
  });
}

/** Where a lot's stock is, largest first. */
export function lotStock(tx: Tx, lotId: string): { location_id: string; location_code: string; qty_g: number }[] {
  return tx.q.sql(
    `SELECT s.location_id, l.code AS location_code, s.qty_g FROM stock s JOIN locations l ON l.id = s.location_id
     WHERE s.lot_id = ? AND s.qty_g > 0 ORDER BY s.qty_g DESC, l.code`,
    lotId,
  );
}

/**
 * Takes `qty` of a lot out of stock — from one location if given, otherwise across the
 * locations that hold it — posting one movement per location.
 */
export function takeFromLot(
  tx: Tx,
  lot: LotRow,
  qty: number,
  posting: Omit<Posting, 'lot' | 'from' | 'to' | 'qty_g'>,
  location?: Pick<LocationRow, 'id' | 'code'>,
  field = 'qty_g',
): MovementRow[] {
  if (location) return [post(tx, { ...posting, lot, from: location, qty_g: qty })];
  const places = lotStock(tx, lot.id);
  const available = places.reduce((sum, p) => sum + p.qty_g, 0);
  if (available < qty) {
    throw new DomainError(
      'INSUFFICIENT_STOCK',
      { lot: lot.code, location: places.map((p) => p.location_code).join(', ') || '—', available, requested: qty },
      field,
    );
  }
  const moves: MovementRow[] = [];
  let left = qty;
  for (const place of places) {
    if (left === 0) break;
    const take = Math.min(left, place.qty_g);
    moves.push(post(tx, { ...posting, lot, from: { id: place.location_id, code: place.location_code }, qty_g: take }));
    left -= take;
  }
  return moves;
}

/** A lot may be used (consumed, shipped) only when released and not expired. */
export function assertUsable(tx: Tx, lot: LotRow, field = 'lot'): void {
  if (lot.status !== 'released') throw new DomainError('LOT_NOT_RELEASED', { lot: lot.code, status: lot.status }, field);
  if (lot.expires_at <= tx.now) throw new DomainError('LOT_EXPIRED', { lot: lot.code, expires: isoDate(lot.expires_at) }, field);
}

const LOT_VIEW_SQL = `
  SELECT l.*, p.code AS product_code, p.name_ru AS product_name_ru, p.name_en AS product_name_en,
         p.kind AS product_kind, sup.name_ru AS supplier_name,
         COALESCE((SELECT SUM(s.qty_g) FROM stock s WHERE s.lot_id = l.id), 0) AS qty_g
  FROM lots l
  JOIN products p ON p.id = l.product_id
  LEFT JOIN partners sup ON sup.id = l.supplier_id`;

type LotViewRow = LotRow & {
  product_code: string;
  product_name_ru: string;
  product_name_en: string;
  product_kind: 'raw' | 'semi' | 'finished';
  supplier_name: string | null;
  qty_g: number;
};

export function lotView(tx: Tx, row: LotViewRow) {
  return { ...row, days_left: daysLeft(row.expires_at, tx.now) };
}

export function lotViewByCode(tx: Tx, code: string, field = 'code') {
  const row = tx.q.sql<LotViewRow>(`${LOT_VIEW_SQL} WHERE l.code = ?`, code)[0];
  if (!row) throw new DomainError('NOT_FOUND', { entity: say('Партия', 'Lot'), key: code }, field);
  return lotView(tx, row);
}

function lotViewsByIds(tx: Tx, ids: string[]) {
  if (ids.length === 0) return [];
  const rows = tx.q.sql<LotViewRow>(
    `${LOT_VIEW_SQL} WHERE l.id IN (SELECT value FROM json_each(?)) ORDER BY l.expires_at, l.code`,
    JSON.stringify(ids),
  );
  return rows.map((r) => lotView(tx, r));
}

const MOVEMENT_VIEW_SQL = `
  SELECT m.*, l.code AS lot_code, f.code AS from_location_code, t.code AS to_location_code
  FROM movements m JOIN lots l ON l.id = m.lot_id
  LEFT JOIN locations f ON f.id = m.from_location_id
  LEFT JOIN locations t ON t.id = m.to_location_id`;

type MovementViewRow = MovementRow & { lot_code: string; from_location_code: string | null; to_location_code: string | null };

function moveBetween(tx: Tx, lotCode: string, fromCode: string, toCode: string, qty: number): MovementRow {
  const lot = lotByCode(tx, lotCode);
  const from = byCode(tx, 'locations', fromCode, 'from');
  const to = activeByCode(tx, 'locations', toCode, 'to');
  if (from.id === to.id) throw new DomainError('SAME_LOCATION', {}, 'to');
  return post(tx, { kind: 'transfer', lot, from, to, qty_g: qty });
}

export const inventoryHandlers: Handlers<
  | 'lots.list'
  | 'lots.get'
  | 'lots.block'
  | 'stock.levels'
  | 'stock.expiring'
  | 'stock.fefo'
  | 'stock.move'
  | 'stock.adjust'
  | 'stock.writeOff'
  | 'movements.list'
> = {
  'lots.list'(tx, input) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (input.product) {
      where.push('l.product_id = ?');
      params.push(byCode(tx, 'products', input.product, 'product').id);
    }
    if (input.status) {
      where.push('l.status = ?');
      params.push(input.status);
    }
    if (input.location) {
      where.push('EXISTS (SELECT 1 FROM stock s2 WHERE s2.lot_id = l.id AND s2.location_id = ?)');
      params.push(byCode(tx, 'locations', input.location, 'location').id);
    }
    if (input.search) {
      where.push('l.code LIKE ?');
      params.push(`%${input.search.replace(/[%_]/g, '')}%`);
    }
    if (input.in_stock) where.push('EXISTS (SELECT 1 FROM stock s3 WHERE s3.lot_id = l.id)');
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const total = tx.q.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM lots l${clause}`, ...params)[0]!.n;
    const rows = tx.q.sql<LotViewRow>(
      `${LOT_VIEW_SQL}${clause} ORDER BY l.created_at DESC, l.code DESC LIMIT ? OFFSET ?`,
      ...params,
      input.limit,
      input.offset,
    );
    return { rows: rows.map((r) => lotView(tx, r)), total };
  },

  'lots.get'(tx, input) {
    const lot = lotViewByCode(tx, input.code);
    const stock = lotStock(tx, lot.id).map(({ location_code, qty_g }) => ({ location_code, qty_g }));
    const movements = tx.q.sql<MovementViewRow>(`${MOVEMENT_VIEW_SQL} WHERE m.lot_id = ? ORDER BY m.at, m.id`, lot.id);
    const inspections = tx.q.all(qb.selectFrom('inspections').selectAll().where('lot_id', '=', lot.id).orderBy('created_at'));
    return { lot, stock, movements, inspections };
  },

  'lots.block'(tx, input) {
    const lot = ownLotByCode(tx, input.code, 'code');
    // A lot blocked by a failed inspection may still be put on a manual hold (a recall), which
    // a later passing inspection will not lift; a manual hold twice is refused.
    if (lot.status === 'blocked' && lot.status_source === 'manual') {
      throw new DomainError('INVALID_STATE', { entity: say('Партия', 'Lot'), key: lot.code, state: lot.status, action: say('заблокировать', 'block') });
    }
    return tx.update('lots', lot, { status: 'blocked', status_reason: input.reason, status_source: 'manual' });
  },

  'stock.levels'(tx, input) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (input.product) {
      where.push('s.product_id = ?');
      params.push(byCode(tx, 'products', input.product, 'product').id);
    }
    if (input.location) {
      where.push('s.location_id = ?');
      params.push(byCode(tx, 'locations', input.location, 'location').id);
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const group = { product: 's.product_id', location: 's.location_id', lot: 's.lot_id' }[input.by];
    const total = tx.q.sql<{ n: number }>(`SELECT COUNT(DISTINCT ${group}) AS n FROM stock s${clause}`, ...params)[0]!.n;
    const pageRows = tx.q.sql<{ key: string; qty_g: number; lots: number; earliest_expiry: number }>(
      `SELECT ${group} AS key, SUM(s.qty_g) AS qty_g, COUNT(DISTINCT s.lot_id) AS lots, MIN(s.expires_at) AS earliest_expiry
       FROM stock s${clause} GROUP BY ${group} ORDER BY earliest_expiry, key LIMIT ? OFFSET ?`,
      ...params,
      input.limit,
      input.offset,
    );
    const labels = describeKeys(tx, input.by, pageRows.map((r) => r.key));
    return {
      total,
      rows: pageRows.map((r) => ({ ...r, ...labels.get(r.key)! })),
    };
  },

  'stock.expiring'(tx, input) {
    const location = input.location ? byCode(tx, 'locations', input.location, 'location').id : null;
    // Two lists paged on their own, so a long expired list never pushes the expiring one off the page.
    const window = (from: number, to: number) => {
      const where = `FROM stock WHERE expires_at > ? AND expires_at <= ?${location ? ' AND location_id = ?' : ''}`;
      const params = location ? [from, to, location] : [from, to];
      const total = tx.q.sql<{ n: number }>(`SELECT COUNT(DISTINCT lot_id) AS n ${where}`, ...params)[0]!.n;
      const ids = tx.q.sql<{ lot_id: string }>(
        `SELECT lot_id, MIN(expires_at) AS e ${where} GROUP BY lot_id ORDER BY e, lot_id LIMIT ? OFFSET ?`,
        ...params,
        input.limit,
        input.offset,
      );
      return { lots: lotViewsByIds(tx, ids.map((r) => r.lot_id)), total };
    };
    const expired = window(-1, tx.now);
    const expiring = window(tx.now, tx.now + input.within_days * DAY_MS);
    return { expired: expired.lots, expired_total: expired.total, expiring: expiring.lots, expiring_total: expiring.total };
  },

  'stock.fefo'(tx, input) {
    return suggestFefo(tx, input.product, input.qty_g, input.location);
  },

  'stock.move': (tx, input) => moveBetween(tx, input.lot, input.from, input.to, input.qty_g),

  'stock.adjust'(tx, input) {
    const lot = lotByCode(tx, input.lot);
    const location = byCode(tx, 'locations', input.location, 'location');
    const qty = Math.abs(input.delta_g);
    return input.delta_g > 0
      ? post(tx, { kind: 'adjustment', lot, to: location, qty_g: qty, reason: input.reason })
      : post(tx, { kind: 'adjustment', lot, from: location, qty_g: qty, reason: input.reason });
  },

  'stock.writeOff'(tx, input) {
    const lot = lotByCode(tx, input.lot);
    const location = byCode(tx, 'locations', input.location, 'location');
    return post(tx, { kind: 'write_off', lot, from: location, qty_g: input.qty_g, reason: input.reason });
  },

  'movements.list'(tx, input) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (input.lot) {
      where.push('m.lot_id = ?');
      params.push(lotByCode(tx, input.lot).id);
    }
    if (input.kind) {
      where.push('m.kind = ?');
      params.push(input.kind);
    }
    if (input.from !== undefined) {
      where.push('m.at >= ?');
      params.push(input.from);
    }
    if (input.to !== undefined) {
      where.push('m.at < ?');
      params.push(input.to);
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const total = tx.q.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM movements m${clause}`, ...params)[0]!.n;
    const rows = tx.q.sql<MovementViewRow>(
      `${MOVEMENT_VIEW_SQL}${clause} ORDER BY m.at DESC, m.id DESC LIMIT ? OFFSET ?`,
      ...params,
      input.limit,
      input.offset,
    );
    return { rows, total };
  },
};

/** Released, unexpired stock of a product in first-expiry-first-out order. */
export function suggestFefo(tx: Tx, productCode: string, qty: number, locationCode?: string) {
  const product = byCode(tx, 'products', productCode, 'product');
  const params: unknown[] = [product.id, tx.now];
  let sql = `SELECT l.code AS lot_code, loc.code AS location_code, s.expires_at, s.qty_g AS available_g
    FROM stock s JOIN lots l ON l.id = s.lot_id JOIN locations loc ON loc.id = s.location_id
    WHERE s.product_id = ? AND s.expires_at > ? AND l.status = 'released'`;
  if (locationCode) {
    sql += ' AND s.location_id = ?';
    params.push(byCode(tx, 'locations', locationCode, 'location').id);
  }
  sql += ' ORDER BY s.expires_at, l.produced_at, l.code, loc.code';
  const picks = [];
  let left = qty;
  for (const row of tx.q.sql<{ lot_code: string; location_code: string; expires_at: number; available_g: number }>(sql, ...params)) {
    if (left <= 0) break;
    const take = Math.min(left, row.available_g);
    picks.push({ ...row, days_left: daysLeft(row.expires_at, tx.now), take_g: take });
    left -= take;
  }
  return { picks, requested_g: qty, covered_g: qty - left, shortfall_g: left };
}

function describeKeys(tx: Tx, by: 'product' | 'location' | 'lot', keys: string[]) {
  const map = new Map<string, { label: string; product_code: string | null; location_code: string | null; lot_code: string | null }>();
  if (keys.length === 0) return map;
  const json = JSON.stringify(keys);
  if (by === 'product') {
    for (const p of tx.q.sql<{ id: string; code: string; name_ru: string }>(
      'SELECT id, code, name_ru FROM products WHERE id IN (SELECT value FROM json_each(?))',
      json,
    )) {
      map.set(p.id, { label: `${p.code} — ${p.name_ru}`, product_code: p.code, location_code: null, lot_code: null });
    }
  } else if (by === 'location') {
    for (const l of tx.q.sql<{ id: string; code: string; name: string }>(
      'SELECT id, code, name FROM locations WHERE id IN (SELECT value FROM json_each(?))',
      json,
    )) {
      map.set(l.id, { label: `${l.code} — ${l.name}`, product_code: null, location_code: l.code, lot_code: null });
    }
  } else {
    for (const l of tx.q.sql<{ id: string; code: string; product_code: string }>(
      `SELECT l.id, l.code, p.code AS product_code FROM lots l JOIN products p ON p.id = l.product_id
       WHERE l.id IN (SELECT value FROM json_each(?))`,
      json,
    )) {
      map.set(l.id, { label: `${l.code} (${l.product_code})`, product_code: l.product_code, location_code: null, lot_code: l.code });
    }
  }
  return map;
}
