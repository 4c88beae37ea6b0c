// One synchronisation: push everything this PC wrote (oldest first, batch by batch, each
// forgotten only once acknowledged), then pull what headquarters has for it, page by page —
// every step durable on both sides, so a cut connection, a restarted server or a killed app
// only means the next attempt starts where this one got to. And the first start of a new PC
// of an existing site: its data from headquarters' consistent snapshot.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { OperationError } from '../contract/errors.js';
import { makeError } from '../contract/errors.js';
import { checkPulledRow, PULL_MAX_ROWS, snapshotHead, SYNC_PROTOCOL, type ConflictView, type PulledRow } from '../contract/sync.js';
import { DomainError } from '../core/domain-error.js';
import { newId } from '../core/ids.js';
import { LATEST_VERSION } from '../db/migrations.js';
import { Workspace, WORKSPACE_FILE } from '../workspace.js';
import { compress, HqClient } from './hq-client.js';
import { acknowledge, applyPulled, nextPushBatch, pendingChanges, recordClock, syncIdentity, syncState, type SyncIdentity } from './local.js';

export type SyncDirection = 'both' | 'push' | 'pull';

export interface SyncProgress {
  phase: 'push' | 'pull' | 'snapshot';
  pushed: number;
  /** Changes waiting when the push began. */
  pushTotal: number;
  pulled: number;
  /** Server sequence numbers covered of those between the cursor at start and the server's head. */
  pullDone: number;
  pullTotal: number;
  startedAt: number;
}

export interface SyncReport {
  pushed: number;
  batches: number;
  conflicts: ConflictView[];
  pulled: number;
  pages: number;
  deferred: number;
  refused: number;
  pending: number;
  ms: number;
}

export interface SyncOptions {
  direction?: SyncDirection;
  onProgress?: (progress: SyncProgress) => void;
  /** Overrides for tests and the benchmark. */
  pushRows?: number;
  pullRows?: number;
  schemaVersion?: number;
  now?: () => number;
}

/** The client for this workspace's configured headquarters, or SYNC_NOT_CONFIGURED. */
export function configuredClient(db: SqliteDatabase, override?: { url?: string; token?: string }): HqClient {
  const state = syncState(db);
  const url = override?.url ?? state.hq_url;
  const token = override?.token ?? state.token;
  if (!url || !token) throw new DomainError('SYNC_NOT_CONFIGURED');
  return new HqClient(url, token);
}

/** Runs one synchronisation and records its outcome (success, or the error with its cause) in the workspace. */
export async function synchronise(db: SqliteDatabase, client: HqClient, options: SyncOptions = {}): Promise<SyncReport> {
  const now = options.now ?? Date.now;
  const started = now();
  db.prepare('UPDATE sync_state SET last_attempt_at = ? WHERE id = 1').run(started);
  try {
    const report = await exchange(db, client, options, started);
    db.prepare(
      'UPDATE sync_state SET last_success_at = ?, last_error_code = NULL, last_error_ru = NULL, last_error_en = NULL, last_error_at = NULL, update_required = 0 WHERE id = 1',
    ).run(now());
    return report;
  } catch (error) {
    const failure = asOperationError(error);
    db.prepare('UPDATE sync_state SET last_error_code = ?, last_error_ru = ?, last_error_en = ?, last_error_at = ?, update_required = ? WHERE id = 1').run(
      failure.code,
      failure.message.ru,
      failure.message.en,
      now(),
      failure.code === 'SYNC_CLIENT_TOO_OLD' ? 1 : 0,
    );
    throw error instanceof DomainError ? error : DomainError.of(failure);
  }
}

export function asOperationError(error: unknown): OperationError {
  if (error instanceof DomainError) return error.error;
  return makeError('SYNC_FAILED', { reason: error instanceof Error ? error.message : String(error) });
}

async function exchange(db: SqliteDatabase, client: HqClient, options: SyncOptions, startedAt: number): Promise<SyncReport> {
  const now = options.now ?? Date.now;
  const id = syncIdentity(db, options.schemaVersion ?? LATEST_VERSION);
  const direction = options.direction ?? 'both';
  const progress: SyncProgress = { phase: 'push', pushed: 0, pushTotal: pendingChanges(db), pulled: 0, pullDone: 0, pullTotal: 0, startedAt };
  const report: SyncReport = { pushed: 0, batches: 0, conflicts: [], pulled: 0, pages: 0, deferred: 0, refused: 0, pending: 0, ms: 0 };
  if (direction !== 'pull') {
    options.onProgress?.(progress);
    // While headquarters merges one batch, the next is read and compressed (off the main
    // thread): one request in flight, the next ready the moment the answer comes.
    const prepare = (after: number) => {
      const batch = nextPushBatch(db, id, now(), options.pushRows, undefined, after);
      return batch ? { batch, body: compress(batch.json) } : null;
    };
    let next = prepare(0);
    while (next) {
      const { batch, body } = next;
      const sent = now();
      const answering = client.push(await body);
      const following = prepare(batch.last);
      let answer;
      try {
        answer = await answering;
      } finally {
        following?.body.catch(() => undefined); // unused when this batch failed
      }
      const removed = acknowledge(db, id, answer.acked_seq, answer.conflicts, now());
      const drained = following === null && answer.acked_seq >= batch.last;
      recordClock(db, { offsetMs: answer.server_time - (sent + now()) / 2, serverTime: answer.server_time }, drained);
      report.pushed += removed;
      report.batches++;
      report.conflicts.push(...answer.conflicts);
      progress.pushed = report.pushed;
      options.onProgress?.(progress);
      next = answer.acked_seq >= batch.last ? following : prepare(0);
    }
  }
  if (direction !== 'push') {
    progress.phase = 'pull';
    const start = syncState(db).pull_cursor;
    let cursor = start;
    const drained = pendingChanges(db) === 0;
    for (;;) {
      const sent = now();
      const page = await client.pull({
        protocol: SYNC_PROTOCOL,
        schema_version: id.schemaVersion,
        origin_id: id.originId,
        site_id: id.siteId,
        after: cursor,
        limit: options.pullRows ?? PULL_MAX_ROWS,
      });
      const applied = applyPulled(db, page.rows, page.next, now());
      recordClock(db, { offsetMs: page.server_time - (sent + now()) / 2, serverTime: page.server_time }, drained);
      cursor = page.next;
      report.pulled += applied.applied;
      report.deferred += applied.deferred;
      report.refused += applied.refused;
      report.pages++;
      progress.pulled = report.pulled;
      progress.pullDone = cursor - start;
      progress.pullTotal = Math.max(page.head - start, progress.pullDone);
      options.onProgress?.(progress);
      if (!page.more) break;
    }
  }
  report.pending = pendingChanges(db);
  report.ms = now() - startedAt;
  return report;
}

export interface BootstrapOptions {
  url: string;
  token: string;
  siteCode: string;
  /** This PC's station code ('2', 'B'…): lot codes and document numbers of PCs of one site never collide. */
  station: string;
  onProgress?: (progress: SyncProgress) => void;
  now?: () => number;
}

export interface BootstrapReport {
  dir: string;
  site_code: string;
  rows: number;
  head: number;
  ms: number;
}

/**
 * A new PC of an existing site: a new workspace filled from headquarters' snapshot of the site
 * in one SQLite transaction, with the pull cursor at the snapshot's head. Cut off halfway, the
 * folder is left without a workspace identity and the bootstrap can simply run again.
 */
export async function bootstrapWorkspace(dir: string, options: BootstrapOptions): Promise<BootstrapReport> {
  const now = options.now ?? Date.now;
  const started = now();
  if (!/^[A-Z0-9]{1,2}$/.test(options.station)) throw new DomainError('VALIDATION', { details: 'station: 1 or 2 capital Latin letters or digits (the site has its first PC already)' });
  const client = new HqClient(options.url, options.token);
  const existed = existsSync(join(dir, WORKSPACE_FILE));
  const ws = Workspace.open(dir);
  try {
    if (existed && ws.q.sql('SELECT 1 FROM workspace WHERE id = 1').length > 0) throw new DomainError('SYNC_WORKSPACE_NOT_EMPTY', { dir: ws.dir });
    const db = ws.db;
    const originId = newId();
    const progress: SyncProgress = { phase: 'snapshot', pushed: 0, pushTotal: 0, pulled: 0, pullDone: 0, pullTotal: 0, startedAt: started };
    let head: { head: number; server_time: number; site_id: string } | undefined;
    let rows = 0;
    db.pragma('foreign_keys = OFF');
    db.exec('BEGIN IMMEDIATE');
    try {
      let chunk: PulledRow[] = [];
      let ended: number | undefined;
      const flush = () => {
        rows += applyPulled(db, chunk, head!.head, now()).applied;
        chunk = [];
        progress.pulled = rows;
        options.onProgress?.(progress);
      };
      for await (const line of client.snapshot({ protocol: SYNC_PROTOCOL, schema_version: LATEST_VERSION, origin_id: originId, site_code: options.siteCode })) {
        if (!head) {
          head = snapshotHead.parse(line);
          db.prepare('INSERT INTO workspace (id, workspace_id, home_site_id, station_code, created_at) VALUES (1, ?, ?, ?, ?)').run(
            originId,
            head.site_id,
            options.station,
            now(),
          );
          continue;
        }
        if (typeof (line as { end?: unknown }).end === 'number') {
          ended = (line as { end: number }).end;
          break;
        }
        const row = checkPulledRow(line);
        if (typeof row === 'string') throw new DomainError('SYNC_FAILED', { reason: `snapshot row ${rows + chunk.length + 1}: ${row}` });
        chunk.push(row);
        if (chunk.length >= 5000) flush();
      }
      if (!head || ended === undefined) throw new DomainError('SYNC_FAILED', { reason: 'the snapshot was cut off' });
      flush();
      if (ended !== rows + refusedSince(db)) throw new DomainError('SYNC_FAILED', { reason: `the snapshot announced ${ended} rows, ${rows} arrived` });
      db.prepare('UPDATE sync_state SET hq_url = ?, token = ?, clock_offset_ms = ?, last_success_at = ? WHERE id = 1').run(
        client.base,
        options.token,
        head.server_time - now(),
        now(),
      );
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    } finally {
      db.pragma('foreign_keys = ON');
    }
    return { dir: ws.dir, site_code: options.siteCode, rows, head: head.head, ms: now() - started };
  } finally {
    ws.close();
  }
}

function refusedSince(db: SqliteDatabase): number {
  return (db.prepare("SELECT COUNT(*) AS n FROM sync_conflicts WHERE side = 'local'").get() as { n: number }).n;
}
