// Replication settings and status of this PC (local, never replicated: the access key stays
// here). The exchange itself runs in the sync service (main/sync/service.ts).
import type { OperationOutput, SyncStatusView } from '../contract/operations.js';
import type { QueryRunner } from '../db/query.js';
import { pendingChanges, syncState } from '../sync/local.js';
import type { Handlers } from './handler.js';


export function syncStatus(q: QueryRunner, running = false): SyncStatusView {
  const s = syncState(q.db);
  return {
    configured: Boolean(s.hq_url && s.token),
    hq_url: s.hq_url,
    has_token: Boolean(s.token),
    interval_min: s.interval_min,
    pending_changes: pendingChanges(q.db),
    pull_cursor: s.pull_cursor,
    last_attempt_at: s.last_attempt_at,
    last_success_at: s.last_success_at,
    last_error:
      s.last_error_code && s.last_error_at !== null
        ? { code: s.last_error_code, message: { ru: s.last_error_ru ?? '', en: s.last_error_en ?? '' }, at: s.last_error_at }
        : null,
    update_required: s.update_required === 1,
    pushed_total: s.pushed_total,
    pulled_total: s.pulled_total,
    conflicts: q.sql<{ n: number }>('SELECT COUNT(*) AS n FROM sync_conflicts')[0]!.n,
    running,
  };
}

export const syncHandlers: Handlers<'sync.status' | 'sync.configure' | 'sync.conflicts'> = {
  'sync.status'(tx) {
    return syncStatus(tx.q);
  },

  'sync.configure'(tx, input) {
    // A new address is a new headquarters only in name: the cursor and clock stay, as the
    // server behind a renamed host is the same database.
    tx.q.sqlRun('UPDATE sync_state SET hq_url = ?, interval_min = ? WHERE id = 1', input.hq_url, input.interval_min);
    if (input.token !== undefined) tx.q.sqlRun('UPDATE sync_state SET token = ? WHERE id = 1', input.token);
    return syncStatus(tx.q);
  },

  'sync.conflicts'(tx, input): OperationOutput<'sync.conflicts'> {
    const rows = tx.q.sql<OperationOutput<'sync.conflicts'>['rows'][number]>(
      'SELECT id, at, side, table_name, row_id, reason, kept_hlc, lost_hlc, details FROM sync_conflicts ORDER BY id DESC LIMIT ? OFFSET ?',
      input.limit,
      input.offset,
    );
    return { rows, total: tx.q.sql<{ n: number }>('SELECT COUNT(*) AS n FROM sync_conflicts')[0]!.n };
  },
};
