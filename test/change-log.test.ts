import { describe, expect, test } from 'vitest';
import { TABLE_ROWS } from '../main/contract/entities.js';
import type { AuditRow, ChangeLogRow } from '../main/db/schema.js';
import { FISH_SITE, MEAT_SITE } from '../main/demo/reference.js';
import { expectReadable, expectRefusal, plant, TestPlant } from './helpers.js';
import { receive } from './scenarios.js';
import { walk } from './walkthrough.js';

function changes(p: TestPlant, afterSeq = 0): ChangeLogRow[] {
  return p.ws.q.sql<ChangeLogRow>('SELECT * FROM change_log WHERE seq > ? ORDER BY seq', afterSeq);
}

function lastSeq(p: TestPlant): number {
  return p.ws.q.sql<{ n: number }>('SELECT COALESCE(MAX(seq), 0) AS n FROM change_log')[0]!.n;
}

function sequences(p: TestPlant): Record<string, number> {
  const rows = p.ws.q.sql<{ origin_id: string; last_seq: number }>('SELECT * FROM change_sequences');
  return Object.fromEntries(rows.map((r) => [r.origin_id, r.last_seq]));
}

function homeSite(p: TestPlant): string {
  return p.ws.q.sql<{ home_site_id: string }>('SELECT home_site_id FROM workspace')[0]!.home_site_id;
}

/** This installation's change stream: the workspace id. */
function origin(p: TestPlant): string {
  return p.ws.q.sql<{ workspace_id: string }>('SELECT workspace_id FROM workspace')[0]!.workspace_id;
}

/** The installation's sequence must run 1, 2, 3, … in the order the changes were written. */
function expectGapless(p: TestPlant): void {
  const seqs = changes(p).map((c) => c.origin_seq);
  expect(new Set(changes(p).map((c) => c.origin_id))).toEqual(new Set([origin(p)]));
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  expect(sequences(p)).toEqual({ [origin(p)]: seqs.length });
}

describe('the change log', () => {
  test('records every row a mutation writes, with owner, per-site sequence and the complete row, in the same transaction', async () => {
    let seen = 0;
    const p = await walk((p, step) => {
      const added = changes(p, seen);
      seen = lastSeq(p);
      const audit = p.ws.q.sql<AuditRow>('SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1')[0]!;
      const audited = (JSON.parse(audit.changes) as { rows: { table: string; id: string; op: string; after: Record<string, unknown> }[] }).rows;
      // One change row per audited row change, in the same order.
      expect(added.map((c) => [c.table_name, c.row_id, c.op]), step.name).toEqual(audited.map((r) => [r.table, r.id, r.op]));

      added.forEach((c, k) => {
        const label = `${step.name}: ${c.table_name} ${c.op}`;
        const data = JSON.parse(c.data!) as Record<string, unknown>;
        const table = c.table_name as keyof typeof TABLE_ROWS;
        expect(Object.keys(data).sort(), label).toEqual(Object.keys(TABLE_ROWS[table].shape).sort());
        expect(data.id, label).toBe(c.row_id);
        expect(c.site_id, label).toBe(data.site_id);
        expect(c.at, label).toBe(p.now);
        expect(c.audit_seq, label).toBe(audit.seq);
        const laterChangeOfSameRow = added.slice(k + 1).some((x) => x.row_id === c.row_id);
        if (!laterChangeOfSameRow) {
          const current = p.ws.q.sql<Record<string, unknown>>(`SELECT * FROM "${c.table_name}" WHERE id = ?`, c.row_id)[0];
          expect(data, label).toEqual(current);
        }
      });
    });
    expectGapless(p);
    // Replication needs the real password hash, which the audit hides.
    const user = changes(p).find((c) => c.table_name === 'users')!;
    expect(JSON.parse(user.data!).password_hash).toMatch(/^scrypt\$/);
  });

  test('starts at 1 on a new installation and counts up without gaps', () => {
    const p = plant();
    const home = homeSite(p);
    const all = changes(p);
    expect(all[0]).toMatchObject({ origin_id: origin(p), origin_seq: 1, site_id: home, table_name: 'sites', row_id: home, op: 'insert' });
    expectGapless(p);
    const n = sequences(p)[origin(p)]!;
    receive(p);
    const added = changes(p).slice(all.length);
    expect(added.map((c) => c.origin_seq)).toEqual(added.map((_, i) => n + 1 + i));
    expect(added.map((c) => c.table_name)).toEqual(['receipts', 'lots', 'receipt_lines', 'movements']);
  });

  test('a refused operation adds no change rows and uses up no sequence number', () => {
    const p = plant();
    const lot = receive(p);
    const n = sequences(p)[origin(p)]!;
    // A receipt whose second line is bad has already written its first line when it is refused.
    expectRefusal(
      p,
      'receipts.create',
      {
        supplier: 'ARTEL-BAIKAL',
        lines: [
          { product: 'OMUL-RAW', location: 'BF-QUAR', produced_at: p.now, gross_g: 1000 },
          { product: 'OMUL-RAW', location: 'BF-QUAR', produced_at: p.now, gross_g: 1000, net_g: 999 },
        ],
      },
      { code: 'WEIGHT_INCONSISTENT', field: 'lines.1.net_g' },
    );
    expectRefusal(p, 'stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 600_000 }, { code: 'INSUFFICIENT_STOCK', field: 'qty_g' });
    expect(sequences(p)[origin(p)]).toBe(n);
    p.call('stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 1 });
    expect(changes(p).at(-1)).toMatchObject({ table_name: 'movements', origin_seq: n + 1 });
    expectGapless(p);
  });

  test('rows owned by another site keep their owner but stay in this installation’s one stream', () => {
    const p = plant();
    const n = sequences(p)[origin(p)]!;
    const meat = p.call('sites.upsert', MEAT_SITE);
    expect(meat.site_id).toBe(meat.id);
    p.call('users.create', { username: 'bmp-clerk', display_name: 'x', password: 'password-1', roles: ['inventory_clerk'], site: 'BMP' });
    receive(p);
    expect(sequences(p)).toEqual({ [origin(p)]: n + 6 });
    const theirs = changes(p).filter((c) => c.site_id === meat.id);
    expect(theirs.map((c) => [c.table_name, c.origin_seq])).toEqual([
      ['sites', n + 1],
      ['users', n + 2],
    ]);
    expectGapless(p);
  });

  test('two PCs of one site have their own streams and never share a number', () => {
    const first = plant();
    const second = new TestPlant();
    second.call(
      'setup.initialise',
      { site: FISH_SITE, admin: { username: 'admin', display_name: 'Администратор', password: 'admin-pass-1' }, station_code: '2' },
      '',
    );
    second.adminToken = second.login('admin', 'admin-pass-1');
    second.withReference();
    const a = receive(first);
    const b = receive(second);
    expect(a).toMatch(/^BFP\d{10}$/);
    expect(b).toMatch(/^BFP2\d{10}$/);
    expect(second.call('receipts.list', {}).rows[0]!.number).toMatch(/^RCV-BFP2-\d{4}-000001$/);
    expect(origin(first)).not.toBe(origin(second));
  });

  test('local tables (sessions, stock, counters) are not replicated', () => {
    const p = plant();
    const before = lastSeq(p);
    p.login('admin', 'admin-pass-1');
    p.call('auth.logout', {});
    expect(lastSeq(p)).toBe(before);
    const tables = new Set(changes(p).map((c) => c.table_name));
    for (const t of tables) expect(Object.keys(TABLE_ROWS)).toContain(t);
  });

  test('if the change log cannot be written, the data is not written either', () => {
    const p = plant();
    p.ws.db.exec(`CREATE TRIGGER change_log_full BEFORE INSERT ON change_log WHEN NEW.table_name = 'movements'
                  BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const before = p.snapshot();
    const error = p.refuse('receipts.create', {
      supplier: 'ARTEL-BAIKAL',
      lines: [{ product: 'OMUL-RAW', location: 'BF-QUAR', produced_at: p.now, gross_g: 1000 }],
    });
    expectReadable(error, { code: 'INTERNAL' });
    expect(error.message.en).toContain('disk full');
    expect(error.message.en).toContain('Nothing was changed');
    expect(p.snapshot()).toEqual(before);
  });
});
