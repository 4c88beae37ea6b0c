// Fixtures of the replication tests: a fresh central database per test on one PostgreSQL server,
// plants of the fish site, the meat site and headquarters, the pending changes of a workspace,
// and a per-table comparison of a site's rows in its workspace and at headquarters.
import { createHash } from 'node:crypto';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import pg from 'pg';
import { expect } from 'vitest';
import { REPLICATED_TABLES } from '../main/contract/sync.js';
import { FISH_PRODUCTS, FISH_SITE, MEAT_LOCATIONS, MEAT_PRODUCTS, MEAT_SITE, PARTNERS } from '../main/demo/reference.js';
import { createToken } from '../main/hq/admin.js';
import { initCentral } from '../main/hq/schema.js';
import { startHqServer, type HqServer, type HqServerOptions } from '../main/hq/server.js';
import { HqClient } from '../main/sync/hq-client.js';
import { DAY, TestPlant } from './helpers.js';

export interface Central {
  /** postgres://… of this test's own central database. */
  url: string;
  hq: HqServer;
  /** The test's own queries (a pool: it outlives a restart of the server). */
  pg: pg.Pool;
  close(): Promise<void>;
}

let databases = 0;

/** A new database on the test server, migrated, with a sync service in front of it. */
export async function freshCentral(serverUrl: string, options: Omit<HqServerOptions, 'url'> = {}): Promise<Central> {
  const name = `hq_${process.pid}_${++databases}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await initCentral(url.toString());
  const hq = await startHqServer({ ...options, url: url.toString() });
  const client = new pg.Pool({ connectionString: url.toString(), max: 2 });
  client.on('error', () => undefined); // an idle connection dropped by a restart of the server
  return {
    url: url.toString(),
    hq,
    pg: client,
    async close() {
      await client.end().catch(() => undefined);
      await hq.close();
    },
  };
}

export const ADMIN = { username: 'admin', display_name: 'Администратор', password: 'admin-pass-1' };

/** The fish plant (BFP) with its reference data. */
export function fishPlant(): TestPlant {
  return new TestPlant().setup().withReference();
}

/** The meat plant (BMP): its products and locations, and one supplier. */
export function meatPlant(): TestPlant {
  const p = new TestPlant();
  p.call('setup.initialise', { site: MEAT_SITE, admin: ADMIN }, '');
  p.adminToken = p.login(ADMIN.username, ADMIN.password);
  for (const product of MEAT_PRODUCTS) p.call('products.upsert', product);
  for (const location of MEAT_LOCATIONS) p.call('locations.upsert', location);
  p.call('partners.upsert', PARTNERS[0]);
  return p;
}

/** The headquarters installation: its own site HQ, nothing else yet. */
export function hqPlant(): TestPlant {
  const p = new TestPlant();
  p.call(
    'setup.initialise',
    { site: { ...FISH_SITE, code: 'HQ', name_ru: 'Центральный офис', name_en: 'Headquarters', china_reg_no: null, vet_approval_no: null }, admin: ADMIN },
    '',
  );
  p.adminToken = p.login(ADMIN.username, ADMIN.password);
  return p;
}

/** A reference product headquarters defines for every site. */
export function hqProduct(code: string): Record<string, unknown> {
  const { gtin: _gtin, ...omul } = FISH_PRODUCTS[0] as Record<string, unknown>;
  return { ...omul, code, name_ru: `Товар ${code}`, name_en: `Product ${code}` };
}

export function receiveBeef(p: TestPlant, kg = 120, location = 'BM-CR1') {
  return p.call('receipts.create', {
    supplier: 'ARTEL-BAIKAL',
    lines: [{ product: 'BEEF-HALF', location, produced_at: p.now - DAY, gross_g: kg * 1000 + 500, tare_g: 500, packages: 2 }],
  });
}

export function siteId(p: TestPlant): string {
  return p.ws.q.sql<{ home_site_id: string }>('SELECT home_site_id FROM workspace WHERE id = 1')[0]!.home_site_id;
}

export function originId(p: { ws: { q: TestPlant['ws']['q'] } }): string {
  return p.ws.q.sql<{ workspace_id: string }>('SELECT workspace_id FROM workspace WHERE id = 1')[0]!.workspace_id;
}

/** The last change sequence number this installation handed out. */
export function localLastSeq(db: SqliteDatabase): number {
  const row = db.prepare('SELECT s.last_seq FROM change_sequences s JOIN workspace w ON w.workspace_id = s.origin_id WHERE w.id = 1').get() as { last_seq: number } | undefined;
  return row?.last_seq ?? 0;
}

export function pending(db: SqliteDatabase): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM change_log').get() as { n: number }).n;
}

export interface Captured {
  seq: number;
  table: string;
  id: string;
}

/** Every change waiting in the change log (to prove afterwards that each reached headquarters). */
export function capturedChanges(db: SqliteDatabase): Captured[] {
  return db.prepare('SELECT origin_seq AS seq, table_name AS "table", row_id AS id FROM change_log ORDER BY origin_seq').all() as Captured[];
}

export async function hqLastSeq(c: Central, origin: string): Promise<number> {
  const row = (await c.pg.query<{ last_seq: string }>('SELECT last_seq FROM hq_origins WHERE origin_id = $1', [origin])).rows[0];
  return row ? Number(row.last_seq) : 0;
}

/** The captured changes whose row headquarters does not have. */
export async function missingAtHq(c: Central, changes: readonly Captured[]): Promise<Captured[]> {
  const byTable = new Map<string, Set<string>>();
  for (const change of changes) {
    const ids = byTable.get(change.table) ?? new Set();
    ids.add(change.id);
    byTable.set(change.table, ids);
  }
  const present = new Set<string>();
  for (const [table, ids] of byTable) {
    const { rows } = await c.pg.query<{ id: string }>(`SELECT id FROM "${table}" WHERE id = ANY($1)`, [[...ids]]);
    for (const row of rows) present.add(`${table}|${row.id}`);
  }
  return changes.filter((change) => !present.has(`${change.table}|${change.id}`));
}

export async function tokenFor(c: Central, label: string, headquarters = false): Promise<HqClient> {
  const { token } = await createToken(c.url, label, headquarters);
  return new HqClient(c.hq.url, token);
}

// --- comparing a site's rows ------------------------------------------------------------------

export interface TableDigest {
  rows: number;
  sha256: string;
}

const NUMERIC = new Set(['bigint', 'integer', 'smallint', 'double precision', 'real', 'numeric']);

async function centralColumns(c: Central): Promise<Map<string, Map<string, string>>> {
  const { rows } = await c.pg.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1)`,
    [REPLICATED_TABLES],
  );
  const tables = new Map<string, Map<string, string>>();
  for (const row of rows) {
    if (row.column_name.startsWith('hq_')) continue;
    const columns = tables.get(row.table_name) ?? new Map<string, string>();
    columns.set(row.column_name, row.data_type);
    tables.set(row.table_name, columns);
  }
  return tables;
}

/** One value as text both sides agree on: numbers as numbers (PostgreSQL's bigint arrives as text), null, bytes as hex. */
export function canonical(value: unknown, numeric: boolean): string {
  if (value === null || value === undefined) return 'null';
  if (Buffer.isBuffer(value)) return `x${value.toString('hex')}`;
  if (numeric || typeof value === 'number' || typeof value === 'bigint') {
    const n = Number(value);
    if (!Number.isFinite(n)) return `?${String(value)}`;
    return `n${Object.is(n, -0) ? 0 : n}`;
  }
  if (typeof value === 'boolean') return value ? 'n1' : 'n0';
  return `s${String(value)}`;
}

function canonicalRows(rows: Record<string, unknown>[], columns: [string, boolean][]): Map<string, string> {
  const out = new Map<string, string>();
  for (const row of rows) out.set(String(row.id), JSON.stringify(columns.map(([name, numeric]) => canonical(row[name], numeric))));
  return out;
}

function digest(rows: Map<string, string>): TableDigest {
  const hash = createHash('sha256');
  for (const id of [...rows.keys()].sort()) hash.update(`${id}\u0000${rows.get(id)}\n`);
  return { rows: rows.size, sha256: hash.digest('hex').slice(0, 16) };
}

export interface SiteComparison {
  local: Record<string, TableDigest>;
  central: Record<string, TableDigest>;
  /** Per table, a few row ids that differ (for a readable failure). */
  differences: Record<string, string[]>;
}

/**
 * The site's rows of every replicated table, in the workspace and at headquarters, over the
 * columns both have (not headquarters' bookkeeping), canonicalised, sorted by id and hashed.
 */
export async function compareSite(db: SqliteDatabase, c: Central, site: string): Promise<SiteComparison> {
  const central = await centralColumns(c);
  const result: SiteComparison = { local: {}, central: {}, differences: {} };
  for (const table of REPLICATED_TABLES) {
    const pgColumns = central.get(table)!;
    const local = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((col) => col.name);
    const columns: [string, boolean][] = local.filter((name) => pgColumns.has(name)).sort().map((name) => [name, NUMERIC.has(pgColumns.get(name)!)]);
    const list = columns.map(([name]) => `"${name}"`).join(', ');
    const here = canonicalRows(db.prepare(`SELECT ${list} FROM ${table} WHERE site_id = ?`).all(site) as Record<string, unknown>[], columns);
    const there = canonicalRows((await c.pg.query(`SELECT ${list} FROM "${table}" WHERE site_id = $1`, [site])).rows as Record<string, unknown>[], columns);
    result.local[table] = digest(here);
    result.central[table] = digest(there);
    const differing = [...new Set([...here.keys(), ...there.keys()])].filter((id) => here.get(id) !== there.get(id));
    if (differing.length > 0) result.differences[table] = differing.slice(0, 3).map((id) => `${id}: here ${here.get(id) ?? '(none)'} / hq ${there.get(id) ?? '(none)'}`);
  }
  return result;
}

/** The workspace and headquarters hold exactly the same rows of the site, table by table. */
export async function expectSiteEqual(db: SqliteDatabase, c: Central, site: string): Promise<SiteComparison> {
  const comparison = await compareSite(db, c, site);
  expect(comparison.differences).toEqual({});
  expect(comparison.local).toEqual(comparison.central);
  return comparison;
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
