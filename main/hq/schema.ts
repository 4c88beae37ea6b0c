// The central schema at headquarters (PostgreSQL), created and migrated by `plantdesk hq init`.
// Migrations are in code (a packaged app cannot read a migrations folder), run by kysely's
// Migrator, each in its own transaction. The domain tables are the workspace's replicated tables
// as of a fixed workspace version, with the same columns and portable types, plus what the
// central side needs to order and resolve changes: the server's change sequence (pull cursor),
// the installation whose version a row holds, and that version's hybrid logical clock.
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { TABLE_ROWS } from '../contract/entities.js';
import { DomainError } from '../core/domain-error.js';
import { migrate } from '../db/open.js';

/** The replicated tables: what the central database holds of every site. */
export const CENTRAL_TABLES = Object.keys(TABLE_ROWS) as (keyof typeof TABLE_ROWS)[];

interface Column {
  name: string;
  type: string;
  notNull: boolean;
}

const PG_TYPES: Record<string, string> = { TEXT: 'text', INTEGER: 'bigint', REAL: 'double precision', BLOB: 'bytea' };

/**
 * The columns of the replicated tables as a workspace of `version` has them, read from a
 * workspace migrated to that version in memory: the central tables cannot drift from what sites send.
 */
export function workspaceColumns(version: number): Map<string, Column[]> {
  const db = new Database(':memory:');
  try {
    migrate(db, undefined, version);
    const tables = new Map<string, Column[]>();
    for (const table of CENTRAL_TABLES) {
      const info = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string; notnull: number }[];
      if (info.length === 0) continue; // a table a later workspace version adds
      tables.set(
        table,
        info.map((c) => {
          const type = PG_TYPES[c.type.toUpperCase()];
          if (!type) throw new Error(`${table}.${c.name}: no central type for SQLite type ${c.type}`);
          return { name: c.name, type, notNull: c.notnull === 1 };
        }),
      );
    }
    return tables;
  } finally {
    db.close();
  }
}

/**
 * Central migration 1: the domain tables of workspace version 4 and the replication bookkeeping.
 * No foreign keys between domain tables: a batch's rows arrive in change order, not in reference
 * order across tables, and a row referring to another site's row may arrive before it.
 */
const CENTRAL_MIGRATIONS: Record<string, Migration> = {
  '0001_domain_and_replication': {
    async up(db) {
      for (const [table, columns] of workspaceColumns(4)) {
        const defs = columns.map((c) => `${c.name} ${c.type}${c.name === 'id' ? ' PRIMARY KEY' : c.notNull ? ' NOT NULL' : ''}`);
        await sql
          .raw(
            `CREATE TABLE ${table} (${defs.join(', ')},
              hq_seq bigint NOT NULL,
              hq_origin text NOT NULL,
              hq_hlc text NOT NULL)`,
          )
          .execute(db);
        await sql.raw(`CREATE INDEX ${table}_hq_seq ON ${table} (hq_seq)`).execute(db);
        await sql.raw(`CREATE INDEX ${table}_site ON ${table} (site_id)`).execute(db);
      }
      await sql.raw(`
        -- The server's change sequence: every row version stored here gets the next number, and
        -- pulls page by it.
        CREATE SEQUENCE hq_change_seq AS bigint;

        -- Per installation (a workspace; a site may have several PCs): the last change applied
        -- (its own gapless sequence), so a batch sent twice is skipped and a gap refused.
        CREATE TABLE hq_origins (
          origin_id text PRIMARY KEY,
          site_id text NOT NULL,
          last_seq bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
          first_push_at timestamptz NOT NULL DEFAULT now(),
          last_push_at timestamptz,
          schema_version integer
        );

        -- Every conflict and how it was resolved; nothing is dropped silently.
        CREATE TABLE hq_conflicts (
          id bigserial PRIMARY KEY,
          at timestamptz NOT NULL DEFAULT now(),
          table_name text NOT NULL,
          row_id text NOT NULL,
          reason text NOT NULL,
          kept_origin text NOT NULL,
          kept_hlc text NOT NULL,
          lost_origin text NOT NULL,
          lost_hlc text NOT NULL,
          lost_data jsonb NOT NULL
        );
        CREATE INDEX hq_conflicts_row ON hq_conflicts (table_name, row_id);
      `).execute(db);
    },
  },
  '0002_access_and_subscriptions': {
    async up(db) {
      // A pull pages one site's rows of a table by server sequence.
      for (const table of CENTRAL_TABLES) await sql.raw(`CREATE INDEX ${table}_site_seq ON ${table} (site_id, hq_seq)`).execute(db);
      await sql.raw(`
        -- Access keys of the sync service, one per installation or per site. Only the SHA-256 of
        -- a key is stored. A key is bound to the site that first uses it, so one plant's key
        -- cannot push as another; a headquarters key makes its site the owner of reference data.
        CREATE TABLE hq_tokens (
          id bigserial PRIMARY KEY,
          label text NOT NULL,
          token_sha256 text NOT NULL UNIQUE,
          headquarters boolean NOT NULL DEFAULT false,
          site_id text,
          created_at timestamptz NOT NULL DEFAULT now(),
          last_used_at timestamptz,
          revoked_at timestamptz
        );

        -- What a site receives besides its own rows, the reference data of headquarters and
        -- every site's card: rows of one table owned by another site (an export office
        -- following the plants' lots and inspections).
        CREATE TABLE hq_subscriptions (
          site_id text NOT NULL,
          table_name text NOT NULL,
          source_site_id text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (site_id, table_name, source_site_id)
        );
      `).execute(db);
    },
  },
  '0003_one_site_index': {
    async up(db) {
      // (site_id, hq_seq) serves every lookup by site: one index less to maintain per row pushed.
      for (const table of CENTRAL_TABLES) await sql.raw(`DROP INDEX ${table}_site`).execute(db);
    },
  },
};

class InCodeProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return CENTRAL_MIGRATIONS;
  }
}

export const CENTRAL_VERSION = Object.keys(CENTRAL_MIGRATIONS).length;

/** A kysely handle on the central database (one small pool; the caller destroys it). */
export function centralDb(url: string): Kysely<unknown> {
  return new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 10_000 }) }) });
}

export interface InitResult {
  applied: string[];
  version: number;
}

/** Creates or migrates the central schema; refuses a database migrated by a newer PlantDesk. */
export async function initCentral(url: string): Promise<InitResult> {
  const db = centralDb(url);
  try {
    await reachable(db, url);
    const executed = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db).then(
      (r) => r.rows.map((row) => row.name),
      () => [] as string[], // a new database: no migrations table yet
    );
    const unknown = executed.filter((name) => !(name in CENTRAL_MIGRATIONS));
    if (unknown.length > 0) throw new DomainError('HQ_SCHEMA_TOO_NEW', { found: unknown.at(-1)!, known: CENTRAL_VERSION });
    const { error, results } = await new Migrator({ db, provider: new InCodeProvider() }).migrateToLatest();
    if (error) throw error;
    return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName), version: CENTRAL_VERSION };
  } finally {
    await db.destroy();
  }
}

/** The database answers, or a clear refusal naming the server (never the password) and the cause. */
async function reachable(db: Kysely<unknown>, url: string): Promise<void> {
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    throw new DomainError('HQ_UNREACHABLE', { server: safeUrl(url), reason: error instanceof Error ? error.message || error.name : String(error) });
  }
}

/** The URL without its password, for messages and logs. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}
