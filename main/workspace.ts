// A workspace is one folder holding one SQLite file. Hosts open it, invoke operations through
// the registry and close it; nothing here knows about Electron, HTTP or the terminal.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { LATEST_VERSION } from './db/migrations.js';
import { openDatabase, schemaVersion, type SqliteDatabase } from './db/open.js';
import { QueryRunner } from './db/query.js';
import { Registry, type Credentials, type RegistryOptions } from './registry.js';
import type { Result } from './contract/errors.js';
import type { OperationName, OperationOutput } from './contract/operations.js';
import { homeSiteId } from './services/users.js';
import type { Actor } from './db/tx.js';

export const WORKSPACE_FILE = 'plantdesk.sqlite';

/** Where Electron keeps `userData` for PlantDesk on each OS; the CLI and browser host use the same. */
export function defaultUserDataDir(): string {
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'PlantDesk');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'PlantDesk');
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'PlantDesk');
}

export function defaultWorkspaceDir(): string {
  return process.env.PLANTDESK_WORKSPACE ?? join(defaultUserDataDir(), 'workspace');
}

export interface WorkspaceOptions extends RegistryOptions {
  migrate?: boolean;
}

/** Output validation is on when asked for, else when PLANTDESK_VALIDATE_OUTPUTS=1 (the test suite sets it). */
function validateOutputsDefault(options: WorkspaceOptions): boolean {
  return options.validateOutputs ?? process.env.PLANTDESK_VALIDATE_OUTPUTS === '1';
}

export class Workspace {
  readonly file: string;
  readonly q: QueryRunner;
  readonly registry: Registry;
  /** Whether results are checked against their output schemas (other registries on this workspace follow it). */
  readonly validatesOutputs: boolean;

  private constructor(
    readonly dir: string,
    readonly db: SqliteDatabase,
    options: WorkspaceOptions,
  ) {
    this.file = join(dir, WORKSPACE_FILE);
    this.q = new QueryRunner(db);
    this.validatesOutputs = validateOutputsDefault(options);
    this.registry = new Registry(this.q, { ...options, validateOutputs: this.validatesOutputs });
  }

  static open(dir: string, options: WorkspaceOptions = {}): Workspace {
    const folder = resolve(dir);
    mkdirSync(folder, { recursive: true });
    const db = openDatabase(join(folder, WORKSPACE_FILE), { migrate: options.migrate ?? true });
    return new Workspace(folder, db, options);
  }

  invoke<N extends OperationName>(name: N, input: unknown, credentials?: Credentials): Result<OperationOutput<N>> {
    return this.registry.invoke(name, input, credentials);
  }

  /** Trusted in-process callers only (CLI, demo seed): the actor is taken as authenticated. */
  invokeAs<N extends OperationName>(name: N, input: unknown, actor: Actor): Result<OperationOutput<N>> {
    return this.registry.invokeAs(name, input, actor);
  }

  info() {
    const version = schemaVersion(this.db);
    // A workspace opened without migrating may predate the tables counted here.
    const current = version === LATEST_VERSION;
    const site = current ? homeSiteId(this.q) : null;
    const count = (table: string) => (current ? this.q.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)[0]!.n : 0);
    return {
      dir: this.dir,
      file: this.file,
      schema_version: version,
      app_schema_version: LATEST_VERSION,
      initialised: site !== null,
      site_code: site ? (this.q.sql<{ code: string }>('SELECT code FROM sites WHERE id = ?', site)[0]?.code ?? null) : null,
      counts: {
        lots: count('lots'),
        movements: count('movements'),
        receipts: count('receipts'),
        batches: count('batches'),
        shipments: count('shipments'),
        audit_entries: count('audit_log'),
        pending_changes: count('change_log'),
      },
    };
  }

  /** A consistent online copy (SQLite backup API), safe while the app keeps working. */
  async backup(file: string): Promise<{ file: string; pages: number }> {
    const target = resolve(file);
    const result = await this.db.backup(target);
    return { file: target, pages: result.totalPages };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
