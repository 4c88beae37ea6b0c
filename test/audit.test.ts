import { describe, expect, test } from 'vitest';
import { OPERATION_NAMES, operations } from '../main/contract/operations.js';
import { auditHash, type AuditPayload } from '../main/db/tx.js';
import type { AuditRow } from '../main/db/schema.js';
import { expectRefusal, plant, type TestPlant } from './helpers.js';
import { receive } from './scenarios.js';
import { SAMPLE_INPUTS } from './samples.js';
import { walk, WALKTHROUGH } from './walkthrough.js';

interface AuditedRow {
  table: string;
  id: string;
  op: 'insert' | 'update';
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
}

function entries(p: TestPlant): AuditRow[] {
  return p.ws.q.sql<AuditRow>('SELECT * FROM audit_log ORDER BY seq');
}

function rowsOf(entry: AuditRow): AuditedRow[] {
  return (JSON.parse(entry.changes) as { rows: AuditedRow[] }).rows;
}

/** Someone with the file and an SQLite shell: the append-only triggers stop a casual edit, so they drop them first. */
function tamper(p: TestPlant, sql: string, ...params: unknown[]): void {
  p.ws.db.exec('DROP TRIGGER IF EXISTS audit_append_only_update; DROP TRIGGER IF EXISTS audit_append_only_delete;');
  expect(p.ws.db.prepare(sql).run(...params).changes).toBeGreaterThan(0);
}

const redacted = (table: string, row: Record<string, unknown>) => (table === 'users' ? { ...row, password_hash: '[redacted]' } : row);

/** A workspace with a few dozen audit entries. */
function busy() {
  const p = plant();
  for (let i = 0; i < 3; i++) receive(p);
  const n = entries(p).length;
  expect(n).toBeGreaterThan(20);
  return { p, n };
}

describe('every mutation writes exactly one audit entry', () => {
  test('the walkthrough covers every mutation of the contract', () => {
    const mutations = OPERATION_NAMES.filter((name) => operations[name].mutation);
    expect(new Set(WALKTHROUGH.map((s) => s.name))).toEqual(new Set(mutations));
  });

  test('with the operation, the user, the time and truthful before/after rows', async () => {
    const p = await walk((p, step, i, { snapshot }) => {
      const all = entries(p);
      expect(all, `step ${i} ${step.name}`).toHaveLength(i + 1);
      const entry = all.at(-1)!;
      expect(entry).toMatchObject({ seq: i + 1, operation: step.name, username: step.user, at: p.now });
      // A device records with no user behind it.
      const userId = step.user.startsWith('device:') ? null : p.ws.q.sql<{ id: string }>('SELECT id FROM users WHERE username = ?', step.user)[0]!.id;
      expect(entry.user_id).toBe(userId);

      const rows = rowsOf(entry);
      // Sessions and this PC's replication settings are local.
      if (step.name === 'auth.login' || step.name === 'auth.logout' || step.name === 'sync.configure') expect(rows).toEqual([]);
      else expect(rows.length, step.name).toBeGreaterThan(0);

      for (const [k, row] of rows.entries()) {
        const label = `${step.name} ${row.table} ${row.op}`;
        const current = p.ws.q.sql<Record<string, unknown>>(`SELECT * FROM "${row.table}" WHERE id = ?`, row.id)[0];
        expect(current, label).toBeDefined();
        const previous = (snapshot[row.table] as Record<string, unknown>[]).find((r) => r.id === row.id);
        if (row.op === 'insert') {
          expect(row.before, label).toBeNull();
          expect(previous, label).toBeUndefined();
        } else {
          // `before` is the row as it was when the step began, unless the step changed it already.
          const earlier = rows.slice(0, k).filter((r) => r.id === row.id).at(-1);
          expect(row.before, label).toEqual(earlier ? earlier.after : redacted(row.table, previous!));
        }
        const last = rows.filter((r) => r.id === row.id).at(-1);
        if (last === row) expect(row.after, label).toEqual(redacted(row.table, current!));
      }
    });
    expect(p.call('audit.verify', {})).toEqual({ ok: true, entries: WALKTHROUGH.length, problems: [] });
  });

  test('reads write nothing, whether they succeed or not', () => {
    const p = plant();
    receive(p);
    const before = p.snapshot();
    for (const name of OPERATION_NAMES.filter((n) => !operations[n].mutation)) {
      p.ws.invoke(name, SAMPLE_INPUTS[name], { token: p.adminToken });
    }
    expect(p.snapshot()).toEqual(before);
  });

  test('a refused mutation writes no entry and leaves no gap', () => {
    const p = plant();
    const lot = receive(p);
    expectRefusal(p, 'stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 10_000_000 }, { code: 'INSUFFICIENT_STOCK', field: 'qty_g' });
    const before = entries(p).length;
    p.call('stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 1 });
    const after = entries(p);
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)!.seq).toBe(before + 1);
    expect(p.call('audit.verify', {}).ok).toBe(true);
  });

  test('audit.list shows entries newest first, by operation, with a total', () => {
    const p = plant();
    const op = p.userToken('op', ['operator']);
    const lot = receive(p);
    p.call('stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 1 }, op);
    const n = entries(p).length;
    const newest = p.call('audit.list', { limit: 2 });
    expect(newest.total).toBe(n);
    expect(newest.rows.map((r) => [r.seq, r.operation, r.username])).toEqual([
      [n, 'stock.move', 'op'],
      [n - 1, 'receipts.create', 'admin'],
    ]);
    const moves = p.call('audit.list', { operation: 'stock.move' });
    expect(moves.total).toBe(1);
    expect(JSON.parse(moves.rows[0]!.changes).rows.map((r: AuditedRow) => [r.table, r.op])).toEqual([['movements', 'insert']]);
    expect(p.call('audit.list', { offset: n - 1 }).rows.map((r) => r.operation)).toEqual(['setup.initialise']);
  });
});

describe('the audit log refuses edits through SQL', () => {
  test('UPDATE and DELETE on audit_log are refused while the triggers stand', () => {
    const p = plant();
    expect(() => p.ws.db.prepare("UPDATE audit_log SET changes = '{}' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => p.ws.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(p.call('audit.verify', {}).ok).toBe(true);
  });
});

describe('audit.verify finds tampering and says where', () => {
  test('a clean workspace verifies', () => {
    const { p, n } = busy();
    expect(p.call('audit.verify', {})).toEqual({ ok: true, entries: n, problems: [] });
  });

  test('an edited entry', () => {
    const { p, n } = busy();
    const seq = n - 1; // the second of the three receipts
    expect(entries(p)[seq - 1]!.changes).toContain('500000');
    tamper(p, `UPDATE audit_log SET changes = replace(changes, '500000', '400000') WHERE seq = ?`, seq);
    expect(entries(p)[seq - 1]!.changes).not.toContain('500000');
    const result = p.call('audit.verify', {});
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      {
        seq,
        kind: 'edited',
        message: { ru: `Запись №${seq} изменена после записи`, en: `Entry #${seq} was edited after it was written` },
      },
    ]);
  });

  test.each([
    ['username', `UPDATE audit_log SET username = 'ghost' WHERE seq = 5`],
    ['time', `UPDATE audit_log SET at = at + 1 WHERE seq = 5`],
    ['operation', `UPDATE audit_log SET operation = 'products.list' WHERE seq = 5`],
    ['user id', `UPDATE audit_log SET user_id = NULL WHERE seq = 5`],
  ])('an edited %s', (_, sql) => {
    const { p } = busy();
    tamper(p, sql);
    expect(p.call('audit.verify', {}).problems.map((x) => [x.seq, x.kind])).toEqual([[5, 'edited']]);
  });

  test('a deleted entry in the middle', () => {
    const { p, n } = busy();
    tamper(p, 'DELETE FROM audit_log WHERE seq = 10');
    const result = p.call('audit.verify', {});
    expect(result).toMatchObject({ ok: false, entries: n - 1 });
    expect(result.problems).toEqual([
      { seq: 11, kind: 'deleted', message: { ru: 'Удалены записи №10–10', en: 'Entries #10–10 were deleted' } },
    ]);
  });

  test('several deleted entries', () => {
    const { p } = busy();
    tamper(p, 'DELETE FROM audit_log WHERE seq BETWEEN 7 AND 9');
    expect(p.call('audit.verify', {}).problems.map((x) => [x.seq, x.kind, x.message.en])).toEqual([[10, 'deleted', 'Entries #7–9 were deleted']]);
  });

  test('a forged entry put in place of a real one', () => {
    const { p } = busy();
    const [prev, real] = entries(p).filter((e) => e.seq === 11 || e.seq === 12);
    const forged: AuditPayload = { seq: real!.seq, id: 'forged', at: real!.at, user_id: real!.user_id, username: 'admin', site_id: real!.site_id, operation: 'stock.adjust', changes: '{"rows":[]}' };
    tamper(p, 'DELETE FROM audit_log WHERE seq = ?', real!.seq);
    tamper(
      p,
      'INSERT INTO audit_log (seq, id, at, user_id, username, site_id, operation, changes, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      forged.seq, forged.id, forged.at, forged.user_id, forged.username, forged.site_id, forged.operation, forged.changes,
      prev!.hash,
      auditHash(prev!.hash, forged),
    );
    // The forgery is self-consistent, so the break shows where the next entry no longer links to it.
    expect(p.call('audit.verify', {}).problems.map((x) => [x.seq, x.kind])).toEqual([[13, 'inserted']]);
  });

  test('a forged entry appended after the last one', () => {
    const { p, n } = busy();
    const last = entries(p).at(-1)!;
    const forged: AuditPayload = { seq: n + 1, id: 'forged', at: last.at + 1, user_id: last.user_id, username: 'admin', site_id: last.site_id, operation: 'stock.writeOff', changes: '{"rows":[]}' };
    tamper(
      p,
      'INSERT INTO audit_log (seq, id, at, user_id, username, site_id, operation, changes, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      forged.seq, forged.id, forged.at, forged.user_id, forged.username, forged.site_id, forged.operation, forged.changes,
      last.hash,
      auditHash(last.hash, forged),
    );
    const result = p.call('audit.verify', {});
    expect(result.problems).toEqual([
      {
        seq: n + 1,
        kind: 'inserted',
        message: {
          ru: `Записи №${n + 1}–${n + 1} дописаны в конец журнала в обход программы`,
          en: `Entries #${n + 1}–${n + 1} were appended after the last entry PlantDesk wrote`,
        },
      },
    ]);
  });

  test('a swapped prev_hash, with the entry’s own hash recomputed to match', () => {
    const { p } = busy();
    const all = entries(p);
    const target = all.find((e) => e.seq === 15)!;
    const swapped = all.find((e) => e.seq === 13)!.hash;
    const { prev_hash: _, hash: __, ...payload } = target;
    tamper(p, 'UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = 15', swapped, auditHash(swapped, payload));
    const problems = p.call('audit.verify', {}).problems;
    expect(problems.map((x) => [x.seq, x.kind])).toEqual([
      [15, 'inserted'],
      [16, 'inserted'], // and the next entry no longer links to the rewritten one
    ]);
    expect(problems[0]!.message.en).toBe('Entry #15 does not link to the chain (inserted or replaced)');
  });

  test('a swapped prev_hash alone breaks the entry’s own hash', () => {
    const { p } = busy();
    const other = entries(p).find((e) => e.seq === 3)!.hash;
    tamper(p, 'UPDATE audit_log SET prev_hash = ? WHERE seq = 15', other);
    expect(p.call('audit.verify', {}).problems.map((x) => [x.seq, x.kind])).toEqual([[15, 'edited']]);
  });

  test('the last entries deleted', () => {
    const { p, n } = busy();
    tamper(p, 'DELETE FROM audit_log WHERE seq > ?', n - 2);
    expect(p.call('audit.verify', {})).toEqual({
      ok: false,
      entries: n - 2,
      problems: [
        {
          seq: n - 2,
          kind: 'truncated',
          message: {
            ru: `Журнал заканчивается на записи №${n - 2}, а должен на №${n}: конец удалён или изменён`,
            en: `The log ends at entry #${n - 2} but should end at #${n}: its tail was removed or altered`,
          },
        },
      ],
    });
  });

  test('the whole log deleted', () => {
    const { p, n } = busy();
    tamper(p, 'DELETE FROM audit_log');
    expect(p.call('audit.verify', {})).toMatchObject({ ok: false, entries: 0, problems: [{ seq: 0, kind: 'truncated' }] });
    expect(p.call('audit.verify', {}).problems[0]!.message.en).toContain(`#${n}`);
  });

  test('tampering stays visible after more work is done', () => {
    const { p } = busy();
    tamper(p, `UPDATE audit_log SET changes = '{"rows":[]}' WHERE seq = 20`);
    receive(p);
    const result = p.call('audit.verify', {});
    expect(result.problems.map((x) => [x.seq, x.kind])).toEqual([[20, 'edited']]);
    expect(entries(p).at(-1)!.operation).toBe('receipts.create');
  });
});
