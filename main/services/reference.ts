// Reference data: sites, products, partners, locations, equipment. Upsert by code, so the CLI,
// the settings screens and the HQ pull all speak the same key.
import type { Updateable } from 'kysely';
import { DomainError } from '../core/domain-error.js';
import { newId } from '../core/ids.js';
import { qb } from '../db/query.js';
import type { ReplicatedTables } from '../db/schema.js';
import type { NewRow, Tx } from '../db/tx.js';
import { findByCode, nullify } from './common.js';
import type { Handlers } from './handler.js';

type CodedReference = 'sites' | 'products' | 'partners' | 'locations' | 'equipment';

function upsertByCode<T extends CodedReference>(
  tx: Tx,
  table: T,
  values: Omit<NewRow<T>, 'active'> & { code: string; active?: 0 | 1 | null },
): ReplicatedTables[T] {
  const existing = findByCode(tx, table, values.code) as ReplicatedTables[T] | undefined;
  const { active, ...rest } = values;
  if (existing) {
    const patch = { ...rest, ...(active != null ? { active } : {}) };
    return tx.update(table, existing, patch as Updateable<ReplicatedTables[T]>);
  }
  return tx.insert(table, { ...rest, active: active ?? 1 } as unknown as NewRow<T>);
}

function checkRange(min: number | null | undefined, max: number | null | undefined, field: string): void {
  if (min != null && max != null && min > max) {
    throw new DomainError('VALIDATION', { details: `min ${min} > max ${max}` }, field);
  }
}

export const referenceHandlers: Handlers<
  | 'sites.list'
  | 'sites.upsert'
  | 'products.list'
  | 'products.upsert'
  | 'partners.list'
  | 'partners.upsert'
  | 'locations.list'
  | 'locations.upsert'
  | 'equipment.list'
  | 'equipment.upsert'
> = {
  'sites.list': (tx) => ({ rows: tx.q.all(qb.selectFrom('sites').selectAll().orderBy('code')) }),
  'sites.upsert': (tx, input) => {
    const existing = findByCode(tx, 'sites', input.code);
    // A new site owns its own row; the id doubles as its site id.
    if (!existing) {
      const id = newId();
      return tx.insert('sites', { id, site_id: id, ...nullify(input), country: input.country, active: input.active ?? 1 });
    }
    return upsertByCode(tx, 'sites', { ...nullify(input), code: input.code, country: input.country });
  },

  'products.list': (tx, input) => {
    let query = qb.selectFrom('products').selectAll().orderBy('code');
    if (input.kind) query = query.where('kind', '=', input.kind);
    if (!input.include_inactive) query = query.where('active', '=', 1);
    return { rows: tx.q.all(query) };
  },
  'products.upsert': (tx, input) => {
    checkRange(input.storage_temp_min, input.storage_temp_max, 'storage_temp_max');
    const gtinOwner = input.gtin
      ? tx.q.first(qb.selectFrom('products').select('code').where('gtin', '=', input.gtin))
      : undefined;
    if (gtinOwner && gtinOwner.code !== input.code) {
      throw new DomainError('DUPLICATE', { entity: 'GTIN', key: input.gtin! }, 'gtin');
    }
    return upsertByCode(tx, 'products', {
      ...nullify(input),
      code: input.code,
      kind: input.kind,
      name_ru: input.name_ru,
      name_en: input.name_en,
      shelf_life_days: input.shelf_life_days,
      catch_weight: input.catch_weight ?? 0,
      restarts_shelf_life: input.restarts_shelf_life ?? 0,
      unit: input.unit ?? 'kg',
    });
  },

  'partners.list': (tx, input) => {
    let query = qb.selectFrom('partners').selectAll().where('active', '=', 1).orderBy('code');
    if (input.role === 'supplier') query = query.where('is_supplier', '=', 1);
    if (input.role === 'customer') query = query.where('is_customer', '=', 1);
    if (input.role === 'consignee') query = query.where('is_consignee', '=', 1);
    return { rows: tx.q.all(query) };
  },
  'partners.upsert': (tx, input) =>
    upsertByCode(tx, 'partners', {
      ...nullify(input),
      code: input.code,
      name_ru: input.name_ru,
      country: input.country,
      is_supplier: input.is_supplier ?? 0,
      is_customer: input.is_customer ?? 0,
      is_consignee: input.is_consignee ?? 0,
    }),

  'locations.list': (tx) => ({ rows: tx.q.all(qb.selectFrom('locations').selectAll().orderBy('code')) }),
  'locations.upsert': (tx, input) => {
    checkRange(input.temp_min, input.temp_max, 'temp_max');
    return upsertByCode(tx, 'locations', { ...nullify(input), code: input.code, name: input.name, kind: input.kind });
  },

  'equipment.list': (tx) => ({ rows: tx.q.all(qb.selectFrom('equipment').selectAll().orderBy('code')) }),
  'equipment.upsert': (tx, input) =>
    upsertByCode(tx, 'equipment', { ...nullify(input), code: input.code, name: input.name, kind: input.kind }),
};
