// The write path. Every mutation of a replicated table goes through `Tx.insert`/`Tx.update`,
// which stamp ownership and time, record the before/after for the audit entry and append the
// change-log row — all inside the operation's transaction, so none of the three can exist
// without the others.
import { createHash } from 'node:crypto';
import type { Updateable } from 'kysely';
import { TABLE_ROWS } from '../contract/entities.js';
import { formatHlc, tickHlc, type Hlc } from '../contract/sync.js';
import type { Permission, Role } from '../contract/roles.js';
import { newId } from '../core/ids.js';
import { qb, QueryRunner } from './query.js';
import type { ReplicatedTable, ReplicatedTables, RowBase } from './schema.js';

export interface Actor {
  userId: string | null;
  username: string;
  /** The site on whose behalf the actor works; owner of every row they create. */
  siteId: string;
  roles: readonly Role[];
  permissions: ReadonlySet<Permission>;
}

export interface RowChange {
  table: ReplicatedTable;
  id: string;
  op: 'insert' | 'update';
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
}

/** Every column spelled out (nulls included), so the change log carries the complete row. */
export type NewRow<T extends ReplicatedTable> = Omit<ReplicatedTables[T], keyof RowBase> & Partial<RowBase>;

const COLUMNS = Object.fromEntries(
  Object.entries(TABLE_ROWS).map(([table, schema]) => [table, Object.keys(schema.shape)]),
) as Record<ReplicatedTable, string[]>;

// Every insert names every column, so each table needs exactly one INSERT statement: built once
// here rather than compiled by kysely for every row (the hottest path of a receipt).
const INSERT_SQL = Object.fromEntries(
  Object.entries(COLUMNS).map(([table, columns]) => [
    table,
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
  ]),
) as Record<ReplicatedTable, string>;

const AUDIT_REDACTED: Partial<Record<ReplicatedTable, readonly string[]>> = { users: ['password_hash'] };
export const GENESIS_HASH = '0'.repeat(64);

export function auditHash(prevHash: string, entry: AuditPayload): string {
  return createHash('sha256').update(prevHash).update('\n').update(JSON.stringify(entry)).digest('hex');
}

/** What the hash covers, in a fixed field order. */
export interface AuditPayload {
  seq: number;
  id: string;
  at: number;
  user_id: string | null;
  username: string | null;
  site_id: string;
  operation: string;
  changes: string;
}

export class Tx {
  readonly changes: RowChange[] = [];
  private changeStream: ChangeStream | undefined;

  constructor(
    readonly q: QueryRunner,
    /** Mutable only for setup and login, which learn who acts while they run. */
    public actor: Actor,
    readonly now: number,
    readonly operation: string,
    readonly sessionTokenHash: string | null = null,
  ) {}

  insert<T extends ReplicatedTable>(table: T, values: NewRow<T>): ReplicatedTables[T] {
    const row: Record<string, unknown> = {
      id: newId(),
      site_id: this.actor.siteId,
      created_at: this.now,
      updated_at: this.now,
      ...values,
    };
    // Spell out every column so the change log and the audit carry the complete row.
    for (const column of COLUMNS[table]) if (row[column] === undefined) row[column] = null;
    this.q.sqlRun(INSERT_SQL[table], ...COLUMNS[table].map((column) => row[column]));
    this.capture(table, 'insert', null, row);
    return row as unknown as ReplicatedTables[T];
  }

  update<T extends ReplicatedTable>(
    table: T,
    before: ReplicatedTables[T],
    patch: Updateable<ReplicatedTables[T]>,
  ): ReplicatedTables[T] {
    const after = { ...before, ...patch, updated_at: this.now } as ReplicatedTables[T];
    const id = (before as RowBase).id;
    const set = { ...patch, updated_at: this.now };
    this.q.run(
      qb
        .updateTable(table as 'lots')
        .set(set as never)
        .where('id', '=', id),
    );
    this.capture(table, 'update', before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>);
    return after;
  }

  private capture(
    table: ReplicatedTable,
    op: 'insert' | 'update',
    before: Record<string, unknown> | null,
    after: Record<string, unknown>,
  ): void {
    const id = after.id as string;
    this.changes.push({ table, id, op, before, after });
    const stream = this.stream();
    this.q.sqlRun(
      'INSERT INTO change_log (origin_id, origin_seq, site_id, table_name, row_id, op, at, audit_seq, data, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      stream.origin,
      stream.next++,
      after.site_id as string,
      table,
      id,
      op,
      this.now,
      stream.auditSeq,
      JSON.stringify(after),
      stream.hlcText,
    );
  }

  /**
   * This installation's change stream, read once per operation: its id, the next gapless
   * sequence number, the seq of the audit entry this operation will append (so every change
   * row points at the audit entry that explains it), and the operation's hybrid logical clock:
   * past every clock this PC has written or seen, on the wall clock corrected by what
   * headquarters said the time was at the last exchange.
   */
  private stream(): ChangeStream {
    if (!this.changeStream) {
      const ws = this.q.sql<{ workspace_id: string; home_site_id: string; hlc_physical: number; hlc_logical: number; clock_offset_ms: number }>(
        `SELECT w.workspace_id, w.home_site_id, s.hlc_physical, s.hlc_logical, s.clock_offset_ms
         FROM workspace w JOIN sync_state s ON s.id = 1 WHERE w.id = 1`,
      )[0];
      if (!ws) throw new Error('the workspace has no identity yet: run setup first');
      const origin = ws.workspace_id;
      const last = this.q.sql<{ last_seq: number }>('SELECT last_seq FROM change_sequences WHERE origin_id = ?', origin)[0]?.last_seq ?? 0;
      const head = this.q.sql<{ seq: number }>('SELECT seq FROM audit_head WHERE id = 1')[0]?.seq ?? 0;
      const hlc = tickHlc({ physical: ws.hlc_physical, logical: ws.hlc_logical }, this.now + ws.clock_offset_ms);
      this.changeStream = { origin, next: last + 1, auditSeq: head + 1, hlc, hlcText: formatHlc(hlc, ws.home_site_id, origin) };
    }
    return this.changeStream;
  }

  /** Writes the change stream's high-water mark and the operation's audit entry. */
  finish(auditDetails?: Record<string, unknown>): void {
    if (this.changeStream) {
      this.q.sqlRun(
        'INSERT INTO change_sequences (origin_id, last_seq) VALUES (?, ?) ON CONFLICT (origin_id) DO UPDATE SET last_seq = excluded.last_seq',
        this.changeStream.origin,
        this.changeStream.next - 1,
      );
      this.q.sqlRun('UPDATE sync_state SET hlc_physical = ?, hlc_logical = ? WHERE id = 1', this.changeStream.hlc.physical, this.changeStream.hlc.logical);
    }
    // Telemetry is not an audited event: a device that only stored samples (no alert raised or
    // closed, no result recorded) changed no shared row, and one entry per sensor poll would bury
    // the people's entries under millions of empty ones.
    if (this.changes.length === 0 && isDeviceActor(this.actor)) return;
    appendAudit(this.q, {
      at: this.now,
      user_id: this.actor.userId,
      username: this.actor.username,
      site_id: this.actor.siteId,
      operation: this.operation,
      changes: JSON.stringify({
        ...(auditDetails ? { details: auditDetails } : {}),
        rows: this.changes.map((c) => ({
          table: c.table,
          id: c.id,
          op: c.op,
          before: redact(c.table, c.before),
          after: redact(c.table, c.after),
        })),
      }),
    });
  }
}

interface ChangeStream {
  origin: string;
  next: number;
  auditSeq: number;
  hlc: Hlc;
  hlcText: string;
}

/** Devices act through the device manager's trusted actor: no user, a `device:<code>` name. */
export function isDeviceActor(actor: Actor): boolean {
  return actor.userId === null && actor.username.startsWith('device:');
}

function redact(table: ReplicatedTable, row: Record<string, unknown> | null): Record<string, unknown> | null {
  const hidden = AUDIT_REDACTED[table];
  if (!row || !hidden) return row;
  const copy = { ...row };
  for (const key of hidden) if (key in copy) copy[key] = '[redacted]';
  return copy;
}

export function appendAudit(q: QueryRunner, entry: Omit<AuditPayload, 'seq' | 'id'>): void {
  const head = q.sql<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1')[0] ?? {
    seq: 0,
    hash: GENESIS_HASH,
  };
  const payload: AuditPayload = {
    seq: head.seq + 1,
    id: newId(),
    at: entry.at,
    user_id: entry.user_id,
    username: entry.username,
    site_id: entry.site_id,
    operation: entry.operation,
    changes: entry.changes,
  };
  const hash = auditHash(head.hash, payload);
  q.sqlRun(
    'INSERT INTO audit_log (seq, id, at, user_id, username, site_id, operation, changes, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    payload.seq,
    payload.id,
    payload.at,
    payload.user_id,
    payload.username,
    payload.site_id,
    payload.operation,
    payload.changes,
    head.hash,
    hash,
  );
  q.sqlRun(
    'INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
    payload.seq,
    hash,
  );
}
