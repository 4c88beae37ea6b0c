// Opening a workspace database: the pragmas a plant needs (no lost commits on a power cut,
// no silent orphan rows, no "database is locked" on a brief second writer) and migrations.
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { DomainError } from '../core/domain-error.js';
import { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations.js';

export type { SqliteDatabase };

export interface OpenOptions {
  readonly?: boolean;
  /** Apply pending migrations (default true). `false` opens as-is, e.g. for `workspace info`. */
  migrate?: boolean;
}

export function openDatabase(file: string, options: OpenOptions = {}): SqliteDatabase {
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  try {
    db.pragma('busy_timeout = 5000');
    // Before anything that writes: switching to WAL rewrites the file header, and a workspace
    // from a newer PlantDesk must be left exactly as it was.
    refuseNewerSchema(db);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    if (!options.readonly && (options.migrate ?? true)) migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function refuseNewerSchema(db: SqliteDatabase): void {
  const found = schemaVersion(db);
  if (found > LATEST_VERSION) {
    throw new DomainError('WORKSPACE_TOO_NEW', { found, known: LATEST_VERSION });
  }
}

/** Applies every migration above the recorded version, each in its own transaction. */
export function migrate(db: SqliteDatabase, migrations: readonly Migration[] = MIGRATIONS, target?: number): number[] {
  refuseNewerSchema(db);
  const applied: number[] = [];
  for (const migration of migrations) {
    if (target !== undefined && migration.version > target) break;
    if (migration.version <= schemaVersion(db)) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
    applied.push(migration.version);
  }
  return applied;
}
