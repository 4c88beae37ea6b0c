// Applying one pushed batch at headquarters, in one PostgreSQL transaction: take the push lock
// (server sequence numbers are handed out in commit order, so a pull cursor never passes a row
// that commits later), lock the installation's cursor, skip what was applied before, refuse a
// gap, COPY the rest into staging tables, merge them with ON CONFLICT honouring ownership and
// the hybrid logical clocks, log every version that is not kept, and advance the cursor.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ConflictView, PushChange, PushRequest, PushResponse, ReplicatedTableName } from '../contract/sync.js';
import { DomainError } from '../core/domain-error.js';
import { ident, inTransaction, type CentralColumn, type CentralTables } from './central-tables.js';

/** Held by every transaction that hands out server sequence numbers. */
export const PUSH_LOCK = 0x504c_414e; // "PLAN"

export interface PushContext {
  pool: pg.Pool;
  tables: CentralTables;
  now: () => number;
}

export async function applyPush(ctx: PushContext, batch: PushRequest): Promise<PushResponse> {
  checkBatch(batch, ctx.tables);
  const serverTime = ctx.now();
  return inTransaction(ctx.pool, 'BEGIN', async (client) => {
    // Staging tables created in a transaction that rolls back are gone: forget them then.
    return pushIn(client).catch((error: unknown) => {
      stagedTables.delete(client);
      throw error;
    });
  });

  async function pushIn(client: pg.PoolClient): Promise<PushResponse> {
    // The merge looks up each staged row by primary key. Left to itself, the planner (no
    // statistics on a staging table) hashes the whole target table instead: a cost growing with
    // everything ever pushed, 4× the merge itself at 200 000 rows.
    await client.query('SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off');
    await client.query('SELECT pg_advisory_xact_lock($1)', [PUSH_LOCK]);
    await client.query(
      `INSERT INTO hq_origins (origin_id, site_id, schema_version) VALUES ($1, $2, $3) ON CONFLICT (origin_id) DO NOTHING`,
      [batch.origin_id, batch.site_id, batch.schema_version],
    );
    const cursor = (
      await client.query<{ last_seq: string; site_id: string }>('SELECT last_seq, site_id FROM hq_origins WHERE origin_id = $1 FOR UPDATE', [batch.origin_id])
    ).rows[0]!;
    if (cursor.site_id !== batch.site_id) {
      throw new DomainError('SYNC_BAD_REQUEST', { details: `installation ${batch.origin_id} belongs to another site` });
    }
    const last = Number(cursor.last_seq);
    if (batch.first_seq > last + 1) throw new DomainError('SYNC_GAP', { expected: last + 1, got: batch.first_seq });
    const fresh = batch.changes.filter((c) => c.seq > last);
    let applied = 0;
    const conflicts: ConflictView[] = [];
    for (const [table, changes] of byTable(fresh)) {
      const columns = ctx.tables.get(table)!;
      await stage(client, table, columns, changes, serverTime);
      const merged = await merge(client, table, columns, batch, new Set(changes.map((c) => c.id)).size === changes.length);
      applied += merged.applied;
      conflicts.push(...merged.conflicts);
    }
    await client.query(
      `UPDATE hq_origins SET last_seq = GREATEST(last_seq, $2), last_push_at = now(), schema_version = $3 WHERE origin_id = $1`,
      [batch.origin_id, batch.last_seq, batch.schema_version],
    );
    return { acked_seq: Math.max(last, batch.last_seq), applied, skipped: batch.changes.length - fresh.length, conflicts, server_time: serverTime };
  }
}

/** The batch is what it claims: this installation's changes first..last, each once, in order. */
function checkBatch(batch: PushRequest, tables: CentralTables): void {
  const bad = (details: string) => new DomainError('SYNC_BAD_REQUEST', { details });
  if (batch.last_seq !== batch.first_seq + batch.changes.length - 1) throw bad('first_seq..last_seq does not match the number of changes');
  batch.changes.forEach((change, i) => {
    if (change.seq !== batch.first_seq + i) throw bad(`change ${i + 1} has seq ${change.seq}, expected ${batch.first_seq + i}`);
    if (change.data.id !== change.id) throw bad(`change ${change.seq}: data.id differs from id`);
    if (typeof change.data.site_id !== 'string') throw bad(`change ${change.seq}: no site_id`);
    const known = columnNames(tables, change.table);
    for (const key of Object.keys(change.data)) {
      if (!known.has(key)) throw bad(`change ${change.seq}: ${change.table} has no column ${key} at headquarters`);
    }
  });
}

const namesOf = new WeakMap<CentralTables, Map<string, Set<string>>>();

/** The column names of a central table, as a set (checked for every key of every change). */
function columnNames(tables: CentralTables, table: ReplicatedTableName): Set<string> {
  let byTableName = namesOf.get(tables);
  if (!byTableName) namesOf.set(tables, (byTableName = new Map()));
  let names = byTableName.get(table);
  if (!names) byTableName.set(table, (names = new Set(tables.get(table)!.map((c) => c.name))));
  return names;
}

function byTable(changes: PushChange[]): Map<ReplicatedTableName, PushChange[]> {
  const groups = new Map<ReplicatedTableName, PushChange[]>();
  for (const change of changes) {
    const group = groups.get(change.table);
    if (group) group.push(change);
    else groups.set(change.table, [change]);
  }
  return groups;
}

const stagedTables = new WeakMap<pg.PoolClient, Set<string>>();

/** COPY the changes of one table into its staging table (per connection, emptied at commit). */
async function stage(client: pg.PoolClient, table: ReplicatedTableName, columns: CentralColumn[], changes: PushChange[], serverTime: number): Promise<void> {
  let known = stagedTables.get(client);
  if (!known) {
    known = new Set();
    stagedTables.set(client, known);
  }
  const stageTable = ident(`stage_${table}`);
  if (!known.has(table)) {
    const defs = columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ');
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${stageTable} (s_seq bigint NOT NULL, s_hlc text NOT NULL, ${defs}) ON COMMIT DELETE ROWS`);
    known.add(table);
  }
  const names = columns.map((c) => c.name);
  const lines = function* (): Generator<string> {
    let chunk = '';
    for (const change of changes) {
      let line = `${change.seq}\t${boundedHlc(change.hlc, serverTime)}`;
      for (const name of names) line += '\t' + copyText(change.data[name]);
      chunk += line + '\n';
      if (chunk.length > 65_536) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  };
  const sink = client.query(copyFrom(`COPY ${stageTable} (s_seq, s_hlc, ${names.map(ident).join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(lines()), sink);
}

/**
 * A clock ahead of headquarters' own is taken as headquarters' time: a PC whose clock runs a
 * day fast must not make its edits win over everything written in that day.
 */
export function boundedHlc(hlc: string, serverTime: number): string {
  const physical = Number(hlc.slice(0, 15));
  return physical > serverTime ? String(serverTime).padStart(15, '0') + hlc.slice(15) : hlc;
}

/** One value in PostgreSQL's COPY text format. */
export function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

/**
 * The latest staged version of each row is judged against the stored one: a row owned by
 * another site (or a change of owner) is not this installation's to write; a stored version of
 * another installation with a later clock stays. Those are logged with the lost version, and the
 * kept row gets a new server sequence so the installation that lost pulls it back if it receives
 * that row at all (a plant that edited a headquarters template gets headquarters' version back;
 * the owner's PCs download the same row once more). Everything else is upserted with a new
 * server sequence.
 */
async function merge(
  client: pg.PoolClient,
  table: ReplicatedTableName,
  columns: CentralColumn[],
  batch: PushRequest,
  /** Each row once in the batch (the usual case): no need to pick each row's latest version. */
  unique: boolean,
): Promise<{ applied: number; conflicts: ConflictView[] }> {
  const t = ident(table);
  const cols = columns.map((c) => ident(c.name));
  const sCols = columns.map((c) => `s.${ident(c.name)}`);
  const update = [...cols.filter((c) => c !== '"id"').map((c) => `${c} = excluded.${c}`), 'hq_seq = excluded.hq_seq', 'hq_origin = excluded.hq_origin', 'hq_hlc = excluded.hq_hlc'];
  const { rows } = await client.query<{ applied: string; conflicts: ConflictView[] | null }>(
    `WITH s AS (
       ${unique ? `SELECT * FROM ${ident(`stage_${table}`)}` : `SELECT DISTINCT ON (id) * FROM ${ident(`stage_${table}`)} ORDER BY id, s_seq DESC`}
     ), judged AS (
       SELECT ${sCols.join(', ')}, s.s_hlc, t.hq_origin AS t_origin, t.hq_hlc AS t_hlc,
         CASE
           WHEN t.id IS NULL AND s.site_id <> $2 THEN 'not_owner'
           WHEN t.id IS NOT NULL AND (t.site_id <> $2 OR s.site_id <> t.site_id) THEN 'not_owner'
           WHEN t.id IS NOT NULL AND t.hq_origin <> $1 AND t.hq_hlc > s.s_hlc THEN 'older'
         END AS lost
       FROM s LEFT JOIN ${t} t ON t.id = s.id
     ), logged AS (
       INSERT INTO hq_conflicts (table_name, row_id, reason, kept_origin, kept_hlc, lost_origin, lost_hlc, lost_data)
       SELECT $3, j.id, j.lost, COALESCE(j.t_origin, ''), COALESCE(j.t_hlc, ''), $1, j.s_hlc,
              to_jsonb(j) - 's_hlc' - 't_origin' - 't_hlc' - 'lost'
       FROM judged j WHERE j.lost IS NOT NULL
       RETURNING table_name AS "table", row_id, reason, kept_origin, kept_hlc, lost_hlc
     ), restamped AS (
       UPDATE ${t} SET hq_seq = nextval('hq_change_seq')
       FROM judged j WHERE ${t}.id = j.id AND j.lost IS NOT NULL AND j.t_origin IS NOT NULL
       RETURNING 1
     ), merged AS (
       INSERT INTO ${t} (${cols.join(', ')}, hq_seq, hq_origin, hq_hlc)
       SELECT ${cols.join(', ')}, nextval('hq_change_seq'), $1, s_hlc FROM judged WHERE lost IS NULL
       ON CONFLICT (id) DO UPDATE SET ${update.join(', ')}
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM merged) AS applied,
            (SELECT count(*) FROM restamped) AS restamped,
            (SELECT json_agg(logged) FROM logged) AS conflicts`,
    [batch.origin_id, batch.site_id, table],
  );
  return { applied: Number(rows[0]!.applied), conflicts: rows[0]!.conflicts ?? [] };
}
