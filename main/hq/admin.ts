// Headquarters administration over the central database: access keys for the sync service,
// subscriptions of one site to another's rows, and the conflict log.
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { REPLICATED_TABLES, type ReplicatedTableName } from '../contract/sync.js';
import { DomainError } from '../core/domain-error.js';
import { ident } from './central-tables.js';
import { PUSH_LOCK } from './push.js';
import { safeUrl } from './schema.js';

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Runs `work` on one connection to the central database, naming the server if it cannot be reached. */
export async function withCentral<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new DomainError('HQ_UNREACHABLE', { server: safeUrl(url), reason: error instanceof Error ? error.message || error.name : String(error) });
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface IssuedToken {
  id: number;
  label: string;
  headquarters: boolean;
  /** Shown once: only its hash is stored. */
  token: string;
}

export async function createToken(url: string, label: string, headquarters: boolean): Promise<IssuedToken> {
  const token = randomBytes(24).toString('base64url');
  return withCentral(url, async (db) => {
    const { rows } = await db.query<{ id: string }>('INSERT INTO hq_tokens (label, token_sha256, headquarters) VALUES ($1, $2, $3) RETURNING id', [
      label,
      tokenHash(token),
      headquarters,
    ]);
    return { id: Number(rows[0]!.id), label, headquarters, token };
  });
}

export async function revokeToken(url: string, id: number): Promise<boolean> {
  return withCentral(url, async (db) => (await db.query('UPDATE hq_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id])).rowCount === 1);
}

export interface TokenView {
  id: number;
  label: string;
  headquarters: boolean;
  site_code: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** The keys issued (never the keys themselves): which site each speaks for, when last used. */
export async function listTokens(url: string): Promise<TokenView[]> {
  return withCentral(url, async (db) => {
    const { rows } = await db.query<{ id: string; label: string; headquarters: boolean; site_code: string | null; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }>(
      `SELECT t.id, t.label, t.headquarters, s.code AS site_code, t.created_at, t.last_used_at, t.revoked_at
       FROM hq_tokens t LEFT JOIN sites s ON s.id = t.site_id ORDER BY t.id`,
    );
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return rows.map((r) => ({ ...r, id: Number(r.id), created_at: r.created_at.toISOString(), last_used_at: iso(r.last_used_at), revoked_at: iso(r.revoked_at) }));
  });
}

async function siteIdByCode(db: pg.Client, code: string): Promise<string> {
  const row = (await db.query<{ id: string }>('SELECT id FROM sites WHERE code = $1', [code])).rows[0];
  if (!row) throw new DomainError('SYNC_BAD_REQUEST', { details: `headquarters has no site with code ${code} (has it synchronised yet?)` });
  return row.id;
}

/**
 * Site `site` receives `tables` of site `from`. Rows already at headquarters get new server
 * sequence numbers (under the push lock) so the subscriber's next pull brings them, whatever
 * its cursor; other installations receive them again unchanged.
 */
export async function subscribe(url: string, site: string, from: string, tables: readonly string[]): Promise<{ tables: string[]; rows: number }> {
  const unknown = tables.filter((t) => !(REPLICATED_TABLES as readonly string[]).includes(t));
  if (unknown.length > 0) throw new DomainError('SYNC_BAD_REQUEST', { details: `not replicated tables: ${unknown.join(', ')}` });
  return withCentral(url, async (db) => {
    await db.query('BEGIN');
    try {
      await db.query('SELECT pg_advisory_xact_lock($1)', [PUSH_LOCK]);
      const siteId = await siteIdByCode(db, site);
      const fromId = await siteIdByCode(db, from);
      let rows = 0;
      for (const table of tables as ReplicatedTableName[]) {
        const added = await db.query('INSERT INTO hq_subscriptions (site_id, table_name, source_site_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [siteId, table, fromId]);
        if (added.rowCount === 1) rows += (await db.query(`UPDATE ${ident(table)} SET hq_seq = nextval('hq_change_seq') WHERE site_id = $1`, [fromId])).rowCount ?? 0;
      }
      await db.query('COMMIT');
      return { tables: [...tables], rows };
    } catch (error) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}

export interface CentralConflict {
  at: string;
  table_name: string;
  row_id: string;
  reason: string;
  kept_origin: string;
  kept_hlc: string;
  lost_origin: string;
  lost_hlc: string;
  lost_data: Record<string, unknown>;
}

export async function listConflicts(url: string, limit: number): Promise<CentralConflict[]> {
  return withCentral(url, async (db) => {
    const { rows } = await db.query<CentralConflict & { at: Date }>(
      'SELECT at, table_name, row_id, reason, kept_origin, kept_hlc, lost_origin, lost_hlc, lost_data FROM hq_conflicts ORDER BY id DESC LIMIT $1',
      [limit],
    );
    return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  });
}
