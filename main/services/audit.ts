// Audit verification: walks the hash chain and says where it breaks. An edited entry no longer
// matches its own hash; an inserted or deleted one breaks the link to its neighbour or the
// sequence; a cut-off tail no longer reaches the head anchor.
import type { z } from 'zod';
import type { auditProblem } from '../contract/operations.js';
import type { QueryRunner } from '../db/query.js';
import type { AuditRow } from '../db/schema.js';
import { auditHash, GENESIS_HASH } from '../db/tx.js';
import type { Handlers } from './handler.js';

type Problem = z.infer<typeof auditProblem>;

function problem(seq: number, kind: Problem['kind'], ru: string, en: string): Problem {
  return { seq, kind, message: { ru, en } };
}

export function verifyAuditChain(q: QueryRunner): { ok: boolean; entries: number; problems: Problem[] } {
  const problems: Problem[] = [];
  let prevHash = GENESIS_HASH;
  let prevSeq = 0;
  let entries = 0;
  const stmt = q.db.prepare('SELECT * FROM audit_log ORDER BY seq');
  for (const row of stmt.iterate() as IterableIterator<AuditRow>) {
    entries += 1;
    const own = auditHash(row.prev_hash, {
      seq: row.seq,
      id: row.id,
      at: row.at,
      user_id: row.user_id,
      username: row.username,
      site_id: row.site_id,
      operation: row.operation,
      changes: row.changes,
    });
    if (own !== row.hash) {
      problems.push(problem(row.seq, 'edited', `Запись №${row.seq} изменена после записи`, `Entry #${row.seq} was edited after it was written`));
    } else if (row.seq !== prevSeq + 1) {
      problems.push(
        problem(
          row.seq,
          'deleted',
          `Удалены записи №${prevSeq + 1}–${row.seq - 1}`,
          `Entries #${prevSeq + 1}–${row.seq - 1} were deleted`,
        ),
      );
    } else if (row.prev_hash !== prevHash) {
      problems.push(
        problem(row.seq, 'inserted', `Запись №${row.seq} не продолжает цепочку (вставка или подмена)`, `Entry #${row.seq} does not link to the chain (inserted or replaced)`),
      );
    }
    prevHash = row.hash;
    prevSeq = row.seq;
  }
  const head = q.sql<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1')[0];
  if (head && prevSeq > head.seq) {
    // Entries past the anchor were appended by something other than PlantDesk.
    problems.push(
      problem(
        head.seq + 1,
        'inserted',
        `Записи №${head.seq + 1}–${prevSeq} дописаны в конец журнала в обход программы`,
        `Entries #${head.seq + 1}–${prevSeq} were appended after the last entry PlantDesk wrote`,
      ),
    );
  } else if ((head && (head.seq !== prevSeq || head.hash !== prevHash)) || (!head && entries > 0)) {
    const expected = head?.seq ?? 0;
    problems.push(
      problem(
        prevSeq,
        'truncated',
        `Журнал заканчивается на записи №${prevSeq}, а должен на №${expected}: конец удалён или изменён`,
        `The log ends at entry #${prevSeq} but should end at #${expected}: its tail was removed or altered`,
      ),
    );
  }
  return { ok: problems.length === 0, entries, problems };
}

export const auditHandlers: Handlers<'audit.verify' | 'audit.list'> = {
  'audit.verify': (tx) => verifyAuditChain(tx.q),
  'audit.list'(tx, input) {
    const where = input.operation ? ' WHERE operation = ?' : '';
    const params = input.operation ? [input.operation] : [];
    const total = tx.q.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_log${where}`, ...params)[0]!.n;
    const rows = tx.q.sql<{ seq: number; at: number; username: string | null; operation: string; changes: string }>(
      `SELECT seq, at, username, operation, changes FROM audit_log${where} ORDER BY seq DESC LIMIT ? OFFSET ?`,
      ...params,
      input.limit,
      input.offset,
    );
    return { rows, total };
  },
};
