// What an installation receives from headquarters: its own site's rows written elsewhere (other
// PCs of the site, versions that won over its own), the reference data of headquarters, every
// site's card, and what its site subscribes to — paged by the server sequence, or for a new PC
// as one consistent snapshot.
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { ALL_SITES_TABLES, REFERENCE_TABLES, REPLICATED_TABLES, type PullRequest, type ReplicatedTableName } from '../contract/sync.js';
import { ident, inTransaction } from './central-tables.js';

/** Per table: the owner sites whose rows the installation receives, or all. */
export type PullScope = Map<ReplicatedTableName, string[] | 'all'>;

export async function pullScope(db: pg.Pool | pg.PoolClient, siteId: string): Promise<PullScope> {
  const hq = (
    await db.query<{ site_id: string }>('SELECT DISTINCT site_id FROM hq_tokens WHERE headquarters AND site_id IS NOT NULL AND revoked_at IS NULL')
  ).rows.map((r) => r.site_id);
  const subscriptions = (
    await db.query<{ table_name: string; source_site_id: string }>('SELECT table_name, source_site_id FROM hq_subscriptions WHERE site_id = $1', [siteId])
  ).rows;
  const scope: PullScope = new Map();
  for (const table of REPLICATED_TABLES) {
    if ((ALL_SITES_TABLES as readonly string[]).includes(table)) {
      scope.set(table, 'all');
      continue;
    }
    const sites = new Set([siteId]);
    if ((REFERENCE_TABLES as readonly string[]).includes(table)) for (const site of hq) sites.add(site);
    for (const s of subscriptions) if (s.table_name === table) sites.add(s.source_site_id);
    scope.set(table, [...sites]);
  }
  return scope;
}

/**
 * One row as the wire carries it, made by PostgreSQL as text. row_to_json of the whole row is the
 * cheapest JSON PostgreSQL makes (a jsonb round trip cost ~10× more); it includes the hq_*
 * columns, which a PC ignores like any column it does not have. The clock is digits, dots,
 * hex and dashes: nothing to escape.
 */
const rowJson = (table: string) =>
  `'{"seq":' || x.hq_seq || ',"table":"${table}","hlc":"' || x.hq_hlc || '","data":' || row_to_json(x)::text || '}'`;

/**
 * One page: the `limit` rows with the lowest server sequence after the cursor, across tables and
 * owner sites. Each (table, site) contributes its own lowest `limit` through the (site_id, hq_seq)
 * index, so the merged first `limit` are exact. The rows arrive as JSON text and go out without
 * being parsed. Read in one snapshot with the highest sequence visible in it: a page that is not
 * full moves the cursor to that head, past rows this installation does not receive (its own,
 * other sites'), so they are never scanned again.
 */
export async function readPullPage(pool: pg.Pool, request: PullRequest): Promise<{ json: string; next: number; count: number; more: boolean; head: number }> {
  // The scope is read in the page's snapshot: a subscription committed in between re-sends its
  // rows, and a page read with the older scope would move the cursor past them.
  return inTransaction(pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (client) => {
    const scope = await pullScope(client, request.site_id);
    return readPage(client, request, scope);
  });
}

async function readPage(client: pg.PoolClient, request: PullRequest, scope: PullScope): Promise<{ json: string; next: number; count: number; more: boolean; head: number }> {
  const params: unknown[] = [request.after, request.origin_id, request.limit];
  const parts: string[] = [];
  for (const [table, sites] of scope) {
    for (const site of sites === 'all' ? [null] : sites) {
      let filter = '';
      if (site !== null) {
        params.push(site);
        filter = ` AND t.site_id = $${params.length}`;
      }
      // The JSON is made after the LIMIT, for the page's rows only: in the same SELECT as the
      // ORDER BY, a plan that sorts (no statistics yet after a bulk push) built it for every
      // row after the cursor, seconds per page growing with the backlog.
      parts.push(
        `(SELECT x.hq_seq AS seq, ${rowJson(table)} AS row FROM (SELECT * FROM ${ident(table)} t
          WHERE t.hq_seq > $1 AND t.hq_origin <> $2${filter} ORDER BY t.hq_seq LIMIT $3) x)`,
      );
    }
  }
  const { rows } = await client.query<{ seq: string; row: string }>(`SELECT seq, row FROM (${parts.join(' UNION ALL ')}) u ORDER BY seq LIMIT $3`, params);
  const head = await visibleHead(client);
  const more = rows.length === request.limit;
  const next = more ? Number(rows.at(-1)!.seq) : Math.max(head, request.after);
  return { json: `[${rows.map((r) => r.row).join(',')}]`, next, count: rows.length, more, head };
}

/**
 * The highest server sequence visible in this transaction's snapshot. Sequence numbers are
 * handed out under the push lock, in commit order, so every row at or below it is visible too.
 */
async function visibleHead(client: pg.PoolClient): Promise<number> {
  const heads = REPLICATED_TABLES.map((t) => `(SELECT max(hq_seq) FROM ${ident(t)})`).join(', ');
  return Number((await client.query<{ head: string | null }>(`SELECT GREATEST(${heads}) AS head`)).rows[0]!.head ?? 0);
}

/**
 * Streams the site's consistent snapshot: one REPEATABLE READ transaction, so every table is
 * read as of the same moment; its head is the highest sequence visible then (pushes hand out
 * sequence numbers in commit order, so every row at or below it is in the snapshot and a
 * later pull from it misses nothing). Lines: `{head, server_time, site_id}`, rows, `{end}`.
 */
export async function streamSnapshot(pool: pg.Pool, siteId: string, serverTime: number, out: Writable, signal: AbortSignal): Promise<number> {
  return inTransaction(pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (client) => {
    const scope = await pullScope(client, siteId);
    const head = await visibleHead(client);
    out.write(JSON.stringify({ head, server_time: serverTime, site_id: siteId }) + '\n');
    let count = 0;
    for (const [table, sites] of scope) {
      const filter = sites === 'all' ? '' : ` WHERE x.site_id IN (${sites.map((s) => `'${s.replace(/'/g, "''")}'`).join(', ')})`;
      const lines = new CopyLines();
      const copy = client.query(copyTo(`COPY (SELECT ${rowJson(table)} FROM ${ident(table)} x${filter} ORDER BY x.hq_seq) TO STDOUT`));
      const done = pipeline(copy, lines);
      for await (const chunk of lines) {
        // A receiver that went away never drains: stop, and give the connection back.
        if (!out.write(chunk)) await Promise.race([once(out, 'drain'), once(signal, 'abort')]);
        if (signal.aborted) {
          copy.destroy();
          throw new Error('the receiver of the snapshot went away');
        }
      }
      await done;
      count += lines.count;
    }
    out.write(JSON.stringify({ end: count }) + '\n');
    return count;
  });
}

/**
 * COPY's text format doubles every backslash (JSON text has no raw control characters, so
 * that is the only escape it can contain); lines pass through with the doubling undone.
 */
class CopyLines extends Transform {
  count = 0;
  private rest = '';
  private readonly decoder = new StringDecoder('utf8');
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null, data?: string) => void): void {
    const text = this.rest + this.decoder.write(chunk);
    const end = text.lastIndexOf('\n');
    this.rest = text.slice(end + 1);
    if (end < 0) return done();
    const lines = text.slice(0, end + 1);
    for (let i = lines.indexOf('\n'); i >= 0; i = lines.indexOf('\n', i + 1)) this.count++;
    done(null, lines.replaceAll('\\\\', '\\'));
  }
  override _flush(done: (error?: Error | null, data?: string) => void): void {
    this.rest += this.decoder.end();
    if (this.rest) {
      this.count++;
      return done(null, this.rest.replaceAll('\\\\', '\\') + '\n');
    }
    done();
  }
}
