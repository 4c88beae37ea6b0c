// The workspace's side of replication: reading the next batch from the change log, forgetting
// it once headquarters acknowledged it, and applying rows from headquarters together with the
// pull cursor in one SQLite transaction — written straight to the tables, so they are not
// captured again as this PC's changes.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { TABLE_ROWS } from '../contract/entities.js';
import {
  formatHlc,
  maxHlc,
  parseHlc,
  PUSH_MAX_BYTES,
  PUSH_MAX_ROWS,
  SYNC_PROTOCOL,
  type ConflictView,
  type Hlc,
  type PulledRow,
  type ReplicatedTableName,
} from '../contract/sync.js';
import { LATEST_VERSION } from '../db/migrations.js';
import type { SyncStateRow } from '../db/schema.js';

export interface SyncIdentity {
  originId: string;
  siteId: string;
  schemaVersion: number;
}


export function syncIdentity(db: SqliteDatabase, schemaVersion = LATEST_VERSION): SyncIdentity {
  const row = db.prepare('SELECT workspace_id, home_site_id FROM workspace WHERE id = 1').get() as { workspace_id: string; home_site_id: string } | undefined;
  if (!row) throw new Error('the workspace is not set up yet');
  return { originId: row.workspace_id, siteId: row.home_site_id, schemaVersion };
}

export function syncState(db: SqliteDatabase): SyncStateRow {
  return db.prepare('SELECT * FROM sync_state WHERE id = 1').get() as SyncStateRow;
}

export function pendingChanges(db: SqliteDatabase): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM change_log').get() as { n: number }).n;
}

export interface PushBatch {
  json: string;
  first: number;
  last: number;
  count: number;
}

/**
 * The oldest unacknowledged changes (after `after`: the batch still on its way) as a push
 * request, bounded by rows and bytes. The rows'
 * JSON is spliced in as the change log holds it: a batch of thousands is never parsed here.
 */
export function nextPushBatch(db: SqliteDatabase, id: SyncIdentity, now: number, maxRows = PUSH_MAX_ROWS, maxBytes = PUSH_MAX_BYTES, after = 0): PushBatch | null {
  const rows = db
    .prepare('SELECT origin_seq, table_name, row_id, op, at, hlc, data FROM change_log WHERE origin_id = ? AND origin_seq > ? ORDER BY origin_seq LIMIT ?')
    .all(id.originId, after, maxRows) as { origin_seq: number; table_name: string; row_id: string; op: string; at: number; hlc: string | null; data: string }[];
  if (rows.length === 0) return null;
  const parts: string[] = [];
  let bytes = 0;
  for (const row of rows) {
    if (parts.length > 0 && bytes + row.data.length > maxBytes) break;
    if (parts.length > 0 && row.origin_seq !== rows[parts.length - 1]!.origin_seq + 1) break; // never across a hole
    // Changes captured before workspace v5 carry no clock: their time is the best there is.
    const hlc = row.hlc ?? formatHlc({ physical: row.at, logical: 0 }, id.siteId, id.originId);
    parts.push(`{"seq":${row.origin_seq},"table":${JSON.stringify(row.table_name)},"id":${JSON.stringify(row.row_id)},"op":${JSON.stringify(row.op)},"hlc":${JSON.stringify(hlc)},"data":${row.data}}`);
    bytes += row.data.length + 200;
  }
  const first = rows[0]!.origin_seq;
  const last = first + parts.length - 1;
  const json =
    `{"protocol":${SYNC_PROTOCOL},"schema_version":${id.schemaVersion},"origin_id":${JSON.stringify(id.originId)},"site_id":${JSON.stringify(id.siteId)},` +
    `"first_seq":${first},"last_seq":${last},"client_time":${now},"changes":[${parts.join(',')}]}`;
  return { json, first, last, count: parts.length };
}

/** Headquarters has everything up to `acked`: only now the change log lets go of it. */
export function acknowledge(db: SqliteDatabase, id: SyncIdentity, acked: number, conflicts: ConflictView[], now: number): number {
  return db.transaction(() => {
    const removed = db.prepare('DELETE FROM change_log WHERE origin_id = ? AND origin_seq <= ?').run(id.originId, acked).changes;
    db.prepare('UPDATE sync_state SET pushed_total = pushed_total + ? WHERE id = 1').run(removed);
    const log = db.prepare(
      "INSERT INTO sync_conflicts (at, side, table_name, row_id, reason, kept_hlc, lost_hlc, details) VALUES (?, 'hq', ?, ?, ?, ?, ?, ?)",
    );
    for (const c of conflicts) log.run(now, c.table, c.row_id, c.reason, c.kept_hlc, c.lost_hlc, JSON.stringify({ kept_origin: c.kept_origin }));
    return removed;
  })();
}

/** Server time minus this PC's clock, and where the clock must not be behind. */
export interface ClockReading {
  offsetMs: number;
  serverTime: number;
}

export function recordClock(db: SqliteDatabase, clock: ClockReading, drained: boolean): void {
  db.transaction(() => {
    const state = syncState(db);
    let hlc: Hlc = { physical: state.hlc_physical, logical: state.hlc_logical };
    // Once everything written here is at headquarters (and bounded by its time there), a clock
    // that ran ahead is let go of: the next local write starts from headquarters' time again.
    if (drained && hlc.physical > clock.serverTime) hlc = { physical: clock.serverTime, logical: 0 };
    db.prepare('UPDATE sync_state SET clock_offset_ms = ?, hlc_physical = ?, hlc_logical = ? WHERE id = 1').run(Math.round(clock.offsetMs), hlc.physical, hlc.logical);
  })();
}

const localColumns = new WeakMap<SqliteDatabase, Map<string, Set<string>>>();

function columnsOf(db: SqliteDatabase, table: string): Set<string> {
  let tables = localColumns.get(db);
  if (!tables) localColumns.set(db, (tables = new Map()));
  let columns = tables.get(table);
  if (!columns) {
    columns = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
    tables.set(table, columns);
  }
  return columns;
}

export interface ApplyResult {
  applied: number;
  /** Rows with a change of this PC still on its way up: headquarters decides when it arrives. */
  deferred: number;
  refused: number;
}

/**
 * Applies pulled rows with the cursor after them, all or nothing. Foreign keys are not checked
 * for these rows: they arrive in server order, not reference order, and a subscription may
 * bring a row whose referenced row belongs to data this PC does not receive. A row the local
 * data refuses (a product code already used by a product made here) is recorded as a conflict
 * for the user, not retried forever.
 */
export function applyPulled(db: SqliteDatabase, rows: readonly PulledRow[], next: number, now: number): ApplyResult {
  const result: ApplyResult = { applied: 0, deferred: 0, refused: 0 };
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      const pending = new Set((db.prepare('SELECT DISTINCT row_id FROM change_log').pluck().all() as string[]));
      const lots = new Set<string>();
      const statements = new Map<string, Statement>();
      const refusedLog = db.prepare(
        "INSERT INTO sync_conflicts (at, side, table_name, row_id, reason, kept_hlc, lost_hlc, details) VALUES (?, 'local', ?, ?, 'refused_here', NULL, ?, ?)",
      );
      const state = syncState(db);
      let seen: Hlc = { physical: state.hlc_physical, logical: state.hlc_logical };
      for (const row of rows) {
        seen = maxHlc(seen, parseHlc(row.hlc));
        const id = String(row.data.id);
        if (pending.has(id)) {
          result.deferred++;
          continue;
        }
        const known = columnsOf(db, row.table);
        const columns = Object.keys(row.data).filter((c) => known.has(c));
        const key = `${row.table}|${columns.join(',')}`;
        let statement = statements.get(key);
        if (!statement) {
          statement = db.prepare(upsertSql(row.table, columns));
          statements.set(key, statement);
        }
        try {
          statement.run(...columns.map((c) => sqliteValue(row.data[c])));
          result.applied++;
        } catch (error) {
          result.refused++;
          refusedLog.run(now, row.table, id, row.hlc, error instanceof Error ? error.message : String(error));
        }
        if (row.table === 'movements') lots.add(String(row.data.lot_id));
        if (row.table === 'lots') lots.add(id);
      }
      rebuildStock(db, lots);
      db.prepare('UPDATE sync_state SET pull_cursor = ?, pulled_total = pulled_total + ?, hlc_physical = ?, hlc_logical = ? WHERE id = 1').run(
        next,
        result.applied,
        seen.physical,
        seen.logical,
      );
    })();
  } finally {
    db.pragma('foreign_keys = ON');
  }
  return result;
}

function upsertSql(table: ReplicatedTableName, columns: string[]): string {
  if (!(table in TABLE_ROWS)) throw new Error(`not a replicated table: ${table}`);
  const insert = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (id) DO`;
  // Movements are append-only (a trigger refuses updates): a movement once here never changes.
  if (table === 'movements') return `${insert} NOTHING`;
  const set = columns.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`);
  return `${insert} UPDATE SET ${set.join(', ')}`;
}

function sqliteValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}

/**
 * Stock is a projection of the movements kept by the write path; for lots whose movements came
 * from headquarters it is recomputed from the whole ledger of the lot, so the order the
 * movements arrived in does not matter.
 */
function rebuildStock(db: SqliteDatabase, lots: Set<string>): void {
  if (lots.size === 0) return;
  const clear = db.prepare('DELETE FROM stock WHERE lot_id = ?');
  const fill = db.prepare(`
    INSERT INTO stock (lot_id, location_id, product_id, site_id, expires_at, qty_g)
    SELECT l.id, q.location_id, l.product_id, l.site_id, l.expires_at, q.qty_g
    FROM (
      SELECT location_id, SUM(delta) AS qty_g FROM (
        SELECT to_location_id AS location_id, qty_g AS delta FROM movements WHERE lot_id = @lot AND to_location_id IS NOT NULL
        UNION ALL
        SELECT from_location_id, -qty_g FROM movements WHERE lot_id = @lot AND from_location_id IS NOT NULL
      ) GROUP BY location_id
    ) q JOIN lots l ON l.id = @lot
    WHERE q.qty_g > 0`);
  for (const lot of lots) {
    clear.run(lot);
    fill.run({ lot });
  }
}
