// Replication between a workspace and the headquarters sync service: what travels on the wire
// (gzip-compressed JSON), how row versions are ordered (hybrid logical clocks) and the limits.
// Pure: the client, the server and the tests share it.
import { z } from 'zod';
import { TABLE_ROWS } from './entities.js';

/** Bumped when the wire format changes incompatibly. */
export const SYNC_PROTOCOL = 1;

/** A push batch is bounded by both: a few seconds of work for the server, a few MB on the wire. */
export const PUSH_MAX_ROWS = 5000;
export const PUSH_MAX_BYTES = 4 * 1024 * 1024;
/** The server refuses larger bodies (uncompressed) outright. */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;
export const PULL_MAX_ROWS = 5000;

export const REPLICATED_TABLES = Object.keys(TABLE_ROWS) as (keyof typeof TABLE_ROWS)[];
export type ReplicatedTableName = (typeof REPLICATED_TABLES)[number];

/**
 * Reference data that headquarters owns and every site pulls: rows of these tables written by
 * a headquarters installation. `sites` rows of every site are pulled by all (their names and
 * China registration numbers appear on documents of other sites).
 */
export const REFERENCE_TABLES = ['products', 'partners', 'inspection_templates', 'template_parameters'] as const satisfies readonly ReplicatedTableName[];
export const ALL_SITES_TABLES = ['sites'] as const satisfies readonly ReplicatedTableName[];

const tableName = z.enum(REPLICATED_TABLES as [ReplicatedTableName, ...ReplicatedTableName[]]);
const uuid = z.string().uuid();

// The rows of a push batch or a pull page are checked by hand (`checkChange`, `checkPulledRow`):
// zod costs ~10× as much per row, and batches carry thousands. The envelopes around them are zod.

/** One change of a push batch: the complete row as it is now, and its clock. */
export interface PushChange {
  seq: number;
  table: ReplicatedTableName;
  id: string;
  op: 'insert' | 'update';
  hlc: string;
  data: Record<string, unknown>;
}

const who = {
  protocol: z.literal(SYNC_PROTOCOL),
  schema_version: z.number().int().positive(),
  origin_id: uuid,
  site_id: uuid,
};

/** A push batch with its changes not yet checked. */
export const pushEnvelope = z.strictObject({
  ...who,
  /** The batch holds exactly the changes first_seq..last_seq of this installation. */
  first_seq: z.number().int().positive(),
  last_seq: z.number().int().positive(),
  client_time: z.number().int(),
  changes: z.array(z.unknown()).min(1).max(PUSH_MAX_ROWS),
});
export type PushRequest = Omit<z.infer<typeof pushEnvelope>, 'changes'> & { changes: PushChange[] };

const TABLE_SET = new Set<string>(REPLICATED_TABLES);
const CHANGE_KEYS = new Set(['seq', 'table', 'id', 'op', 'hlc', 'data']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HLC = /^\d{15}\.\d{6}\.[0-9a-f-]{36}\.[0-9a-f-]{36}$/;

/** The parts a change and a pulled row share: the object itself, its sequence, table and data. */
function checkRow(value: unknown): Record<string, unknown> | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const r = value as Record<string, unknown>;
  if (typeof r.seq !== 'number' || !Number.isInteger(r.seq) || r.seq < 1) return 'seq: a positive whole number';
  if (typeof r.table !== 'string' || !TABLE_SET.has(r.table)) return 'table: not a replicated table';
  if (typeof r.data !== 'object' || r.data === null || Array.isArray(r.data)) return 'data: not an object';
  return r;
}

/** A change of a push batch, or what is wrong with it. */
export function checkChange(value: unknown): PushChange | string {
  const c = checkRow(value);
  if (typeof c === 'string') return c;
  for (const key of Object.keys(c)) if (!CHANGE_KEYS.has(key)) return `unknown key ${key}`;
  if (typeof c.id !== 'string' || !UUID.test(c.id)) return 'id: not a UUID';
  if (c.op !== 'insert' && c.op !== 'update') return 'op: insert or update';
  if (typeof c.hlc !== 'string' || !HLC.test(c.hlc)) return 'hlc: not a hybrid logical clock';
  return c as unknown as PushChange;
}

export const conflictView = z.strictObject({
  table: tableName,
  row_id: z.string(),
  /** `older`: a later version (by HLC) was already there; `not_owner`: only the owner site may change the row. */
  reason: z.enum(['older', 'not_owner']),
  kept_origin: z.string(),
  kept_hlc: z.string(),
  lost_hlc: z.string(),
});
export type ConflictView = z.infer<typeof conflictView>;

export const pushResponse = z.strictObject({
  /** Everything up to here is stored at headquarters: the client may forget it. */
  acked_seq: z.number().int().nonnegative(),
  applied: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  conflicts: z.array(conflictView),
  server_time: z.number().int(),
});
export type PushResponse = z.infer<typeof pushResponse>;

export const pullRequest = z.strictObject({
  ...who,
  after: z.number().int().nonnegative(),
  limit: z.number().int().min(1).max(PULL_MAX_ROWS),
});
export type PullRequest = z.infer<typeof pullRequest>;

/** One row from headquarters: its server sequence, clock and complete data (hq_* columns included). */
export interface PulledRow {
  seq: number;
  table: ReplicatedTableName;
  hlc: string;
  data: Record<string, unknown>;
}

/** A pull page with its rows not yet checked. */
export const pullEnvelope = z.strictObject({
  rows: z.array(z.unknown()),
  /** The cursor after these rows; equal to `after` when there was nothing. */
  next: z.number().int().nonnegative(),
  more: z.boolean(),
  /** The server's latest sequence number: how far there is to go. */
  head: z.number().int().nonnegative(),
  server_time: z.number().int(),
});
export type PullResponse = Omit<z.infer<typeof pullEnvelope>, 'rows'> & { rows: PulledRow[] };

/** A row from headquarters, or what is wrong with it. */
export function checkPulledRow(value: unknown): PulledRow | string {
  const r = checkRow(value);
  if (typeof r === 'string') return r;
  if (typeof r.hlc !== 'string' || !HLC.test(r.hlc)) return 'hlc: not a hybrid logical clock';
  return r as unknown as PulledRow;
}

/** A new PC of an existing site asks for the site's consistent snapshot. */
export const snapshotRequest = z.strictObject({
  protocol: z.literal(SYNC_PROTOCOL),
  schema_version: z.number().int().positive(),
  origin_id: uuid,
  site_code: z.string().min(1).max(40),
});
export type SnapshotRequest = z.infer<typeof snapshotRequest>;

/** First line of a snapshot stream; rows follow one per line, then `{ "end": count }`. */
export const snapshotHead = z.strictObject({ head: z.number().int().nonnegative(), server_time: z.number().int(), site_id: uuid });

export const healthResponse = z.strictObject({
  service: z.literal('plantdesk-hq'),
  protocol: z.number().int(),
  schema_versions: z.array(z.number().int()),
  server_time: z.number().int(),
});

// Hybrid logical clock, written as text that sorts in clock order: physical milliseconds,
// a logical counter, then the writer's site and installation, so two versions never tie and
// equal times are decided by site id.

export interface Hlc {
  physical: number;
  logical: number;
}

export function formatHlc(clock: Hlc, siteId: string, originId: string): string {
  return `${String(clock.physical).padStart(15, '0')}.${String(clock.logical).padStart(6, '0')}.${siteId}.${originId}`;
}

export function parseHlc(text: string): Hlc {
  const [physical, logical] = text.split('.', 2);
  return { physical: Number(physical), logical: Number(logical) };
}

/** The next clock value for a local write: never behind the last one, the corrected wall clock or anything seen. */
export function tickHlc(last: Hlc, now: number): Hlc {
  if (now > last.physical) return { physical: now, logical: 0 };
  // The counter has six digits: past them the clock moves on a millisecond instead.
  if (last.logical >= MAX_LOGICAL) return { physical: last.physical + 1, logical: 0 };
  return { physical: last.physical, logical: last.logical + 1 };
}

const MAX_LOGICAL = 999_999;

export function maxHlc(a: Hlc, b: Hlc): Hlc {
  return a.physical > b.physical || (a.physical === b.physical && a.logical >= b.logical) ? a : b;
}
