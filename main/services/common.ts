// Lookups and helpers shared by the domain services.
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import { qb } from '../db/query.js';
import type { DB } from '../db/schema.js';
import type { Tx } from '../db/tx.js';

export const DAY_MS = 86_400_000;

type CodedTable = 'sites' | 'products' | 'partners' | 'locations' | 'equipment' | 'inspection_templates';
type NumberedTable = 'receipts' | 'inspections' | 'batches' | 'shipments';

const ENTITY_NAMES: Record<CodedTable | NumberedTable | 'lots' | 'users', string> = {
  sites: say('Площадка', 'Site'),
  products: say('Продукт', 'Product'),
  partners: say('Контрагент', 'Partner'),
  locations: say('Место хранения', 'Location'),
  equipment: say('Оборудование', 'Equipment'),
  inspection_templates: say('Шаблон контроля', 'Inspection template'),
  receipts: say('Приёмка', 'Receipt'),
  inspections: say('Проверка', 'Inspection'),
  batches: say('Производственная партия', 'Batch'),
  shipments: say('Отгрузка', 'Shipment'),
  lots: say('Партия', 'Lot'),
  users: say('Пользователь', 'User'),
};

export function notFound(table: keyof typeof ENTITY_NAMES, key: string, field?: string): DomainError {
  return new DomainError('NOT_FOUND', { entity: ENTITY_NAMES[table], key }, field);
}

export function findByCode<T extends CodedTable>(tx: Tx, table: T, code: string): DB[T] | undefined {
  // kysely cannot type a query over a union of tables; build it as one of them and cast back.
  return tx.q.first(qb.selectFrom(table as 'products').selectAll().where('code', '=', code)) as DB[T] | undefined;
}

export function byCode<T extends CodedTable>(tx: Tx, table: T, code: string, field?: string): DB[T] {
  const row = findByCode(tx, table, code);
  if (!row) throw notFound(table, code, field);
  return row;
}

/** Like byCode, for new work: a deactivated product, partner, location or equipment is refused. */
export function activeByCode<T extends Exclude<CodedTable, 'sites'>>(tx: Tx, table: T, code: string, field?: string): DB[T] {
  const row = byCode(tx, table, code, field);
  if ((row as { active: number }).active !== 1) {
    throw new DomainError('INVALID_STATE', { entity: ENTITY_NAMES[table], key: code, state: say('не используется', 'inactive'), action: say('взять в новую работу', 'use it for new work') }, field);
  }
  return row;
}

export function assertOwnSite(tx: Tx, table: keyof typeof ENTITY_NAMES, key: string, ownerSiteId: string, field?: string): void {
  if (ownerSiteId !== tx.actor.siteId) {
    throw new DomainError('OTHER_SITE', { entity: ENTITY_NAMES[table], key, site: siteCodeOf(tx, ownerSiteId) }, field);
  }
}

export function byNumber<T extends NumberedTable>(tx: Tx, table: T, number: string, field = 'number'): DB[T] {
  const row = tx.q.first(qb.selectFrom(table as 'receipts').selectAll().where('number', '=', number)) as DB[T] | undefined;
  if (!row) throw notFound(table, number, field);
  return row;
}

export function lotByCode(tx: Tx, code: string, field = 'lot') {
  const lot = tx.q.first(qb.selectFrom('lots').selectAll().where('code', '=', code));
  if (!lot) throw notFound('lots', code, field);
  return lot;
}

/** A lot this user's site owns, for work that changes it (anyone may read any lot). */
export function ownLotByCode(tx: Tx, code: string, field = 'lot') {
  const lot = lotByCode(tx, code, field);
  assertOwnSite(tx, 'lots', lot.code, lot.site_id, field);
  return lot;
}

/** A document this user's site owns, for work that changes it. */
export function ownByNumber<T extends NumberedTable>(tx: Tx, table: T, number: string, field = 'number'): DB[T] {
  const row = byNumber(tx, table, number, field);
  assertOwnSite(tx, table, number, (row as { site_id: string }).site_id, field);
  return row;
}

export function siteCodeOf(tx: Tx, siteId: string): string {
  const site = tx.q.first(qb.selectFrom('sites').select('code').where('id', '=', siteId));
  return site?.code ?? 'SITE';
}

/** Site code plus this PC's station code (empty on a site's first PC): the prefix of its numbers. */
function numberingPrefix(tx: Tx): string {
  const station = tx.q.first(qb.selectFrom('workspace').select('station_code'))?.station_code ?? '';
  return siteCodeOf(tx, tx.actor.siteId) + station;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** The plant's local calendar date (the PC's time zone) as YYMMDD. */
export function localYymmdd(ms: number): string {
  const d = new Date(ms);
  return pad(d.getFullYear() % 100, 2) + pad(d.getMonth() + 1, 2) + pad(d.getDate(), 2);
}

export function isoDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)}`;
}

function nextCounter(tx: Tx, kind: string, period: string): number {
  const rows = tx.q.sql<{ last: number }>(
    `INSERT INTO counters (site_id, kind, period, last) VALUES (?, ?, ?, 1)
     ON CONFLICT (site_id, kind, period) DO UPDATE SET last = last + 1 RETURNING last`,
    tx.actor.siteId,
    kind,
    period,
  );
  return rows[0]!.last;
}

const PREFIX: Record<NumberedTable, string> = {
  receipts: 'RCV',
  inspections: 'QC',
  batches: 'BAT',
  shipments: 'SHP',
};

/**
 * Document numbers: RCV-BFP-2026-000042 (RCV-BFP2-… from station 2). Unique across sites and PCs
 * because they carry the site and station codes.
 */
export function nextNumber(tx: Tx, table: NumberedTable): string {
  return takeNumber(tx, table, PREFIX[table]);
}

/** Takes the next number of a yearly counter `kind`, formatted as above with `prefix`. */
export function takeNumber(tx: Tx, kind: string, prefix: string): string {
  const year = String(new Date(tx.now).getFullYear());
  return `${prefix}-${numberingPrefix(tx)}-${year}-${pad(nextCounter(tx, kind, year), 6)}`;
}

/** The number `takeNumber` would give now, without taking it. */
export function peekNumber(tx: Tx, kind: string, prefix: string): string {
  const year = String(new Date(tx.now).getFullYear());
  const last = tx.q.sql<{ last: number }>('SELECT last FROM counters WHERE site_id = ? AND kind = ? AND period = ?', tx.actor.siteId, kind, year)[0]?.last ?? 0;
  return `${prefix}-${numberingPrefix(tx)}-${year}-${pad(last + 1, 6)}`;
}

/**
 * Lot codes: site and station code + local date + daily counter: A–Z0–9 only and at most
 * 6 + 2 + 6 + 4 = 18 characters, so they fit GS1 AI 10 (≤ 20).
 */
export function nextLotCode(tx: Tx, at: number): string {
  const day = localYymmdd(at);
  return `${numberingPrefix(tx)}${day}${pad(nextCounter(tx, 'lot', day), 4)}`;
}

export function daysLeft(expiresAt: number, now: number): number {
  return Math.floor((expiresAt - now) / DAY_MS);
}

/** Optional fields of an upsert input become explicit nulls for the row. */
export type Nullified<T> = { [K in keyof T]-?: undefined extends T[K] ? Exclude<T[K], undefined> | null : T[K] };

export function nullify<T extends Record<string, unknown>>(value: T): Nullified<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = v === undefined ? null : v;
  return out as Nullified<T>;
}

/** A cancellation keeps the earlier note and adds the reason under it. */
export function withReason(note: string | null, reason: string): string {
  const line = `Отменено / cancelled: ${reason}`;
  return note ? `${note}\n${line}` : line;
}
