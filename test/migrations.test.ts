import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DomainError } from '../main/core/domain-error.js';
import { LATEST_VERSION, MIGRATIONS, type Migration } from '../main/db/migrations.js';
import { migrate, openDatabase, schemaVersion } from '../main/db/open.js';
import { Workspace, WORKSPACE_FILE } from '../main/workspace.js';
import { expectReadable, T0, tempDir, TestPlant } from './helpers.js';

function schema(db: SqliteDatabase) {
  return db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all();
}

function names(db: SqliteDatabase, type: 'table' | 'index' | 'trigger'): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name").all(type) as { name: string }[]).map(
    (r) => r.name,
  );
}

function rawFile(): { file: string; db: SqliteDatabase } {
  const file = join(tempDir(), WORKSPACE_FILE);
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  return { file, db };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const ROW = (id: string) => [id, 'site-1', T0, T0];

/** What each migration must leave behind, checked right after it runs from the version before it. */
const MIGRATION_CHECKS: Record<number, (db: SqliteDatabase) => void> = {
  1(db) {
    expect(names(db, 'table')).toEqual([
      'audit_head',
      'audit_log',
      'batch_inputs',
      'batches',
      'change_log',
      'change_sequences',
      'counters',
      'equipment',
      'inspection_results',
      'inspection_templates',
      'inspections',
      'locations',
      'lots',
      'movements',
      'partners',
      'products',
      'receipt_lines',
      'receipts',
      'sessions',
      'shipment_containers',
      'shipment_lines',
      'shipments',
      'sites',
      'stock',
      'template_parameters',
      'users',
      'workspace',
    ]);
    expect(names(db, 'trigger')).toEqual([
      'audit_append_only_delete',
      'audit_append_only_update',
      'movements_append_only_delete',
      'movements_append_only_update',
    ]);
    expect(names(db, 'index')).toEqual(
      expect.arrayContaining(['products_gtin', 'lots_product_expiry', 'lots_expiry', 'movements_lot', 'stock_product', 'stock_expiry', 'batches_equipment']),
    );

    const run = (sql: string, ...params: unknown[]) => db.prepare(sql).run(...params);
    const product = (id: string, kind: string, shelf = 5) =>
      run('INSERT INTO products (id, site_id, created_at, updated_at, code, kind, name_ru, name_en, shelf_life_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', ...ROW(id), id, kind, 'п', 'p', shelf);

    // Reference rows the constraints below need.
    product('p1', 'raw');
    run('INSERT INTO locations (id, site_id, created_at, updated_at, code, name, kind) VALUES (?, ?, ?, ?, ?, ?, ?)', ...ROW('loc1'), 'L1', 'Камера', 'cold_room');
    run('INSERT INTO partners (id, site_id, created_at, updated_at, code, name_ru, country, is_supplier) VALUES (?, ?, ?, ?, ?, ?, ?, 1)', ...ROW('sup1'), 'S1', 'Поставщик', 'RU');
    run('INSERT INTO users (id, site_id, created_at, updated_at, username, display_name, password_hash, roles) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', ...ROW('u1'), 'u', 'U', 'x', '[]');
    run('INSERT INTO receipts (id, site_id, created_at, updated_at, number, supplier_id, received_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', ...ROW('r1'), 'R1', 'sup1', T0, 'u1');
    const lot = (id: string, extra: { initial?: number; product?: string } = {}) =>
      run(
        'INSERT INTO lots (id, site_id, created_at, updated_at, code, product_id, origin, produced_at, expires_at, status, initial_g) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ...ROW(id), id, extra.product ?? 'p1', 'receipt', T0, T0 + 1, 'quarantine', extra.initial ?? 1000,
      );
    lot('lot1');
    run('INSERT INTO equipment (id, site_id, created_at, updated_at, code, name, kind) VALUES (?, ?, ?, ?, ?, ?, ?)', ...ROW('e1'), 'E1', 'Коптильня', 'smoker');

    const receiptLine = (id: string, gross: number, tare: number, net: number) =>
      run(
        `INSERT INTO receipt_lines (id, site_id, created_at, updated_at, receipt_id, line_no, product_id, lot_id, location_id, produced_at, gross_g, tare_g, net_g)
         VALUES (?, ?, ?, ?, 'r1', ?, 'p1', 'lot1', 'loc1', ?, ?, ?, ?)`,
        ...ROW(id), Number(id.slice(2)), T0, gross, tare, net,
      );
    receiptLine('rl1', 1000, 100, 900);
    const stock = (qty: number) => run('INSERT OR REPLACE INTO stock (lot_id, location_id, product_id, site_id, expires_at, qty_g) VALUES (?, ?, ?, ?, ?, ?)', 'lot1', 'loc1', 'p1', 'site-1', T0, qty);
    stock(5);
    const batch = (id: string, start: number, end: number) =>
      run(
        'INSERT INTO batches (id, site_id, created_at, updated_at, number, product_id, planned_g, equipment_id, planned_start, planned_end, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ...ROW(id), id, 'p1', 1, 'e1', start, end, 'planned',
      );
    batch('b1', T0, T0 + 1);
    const movement = (id: string, qty: number, from: string | null, to: string | null) =>
      run(
        'INSERT INTO movements (id, site_id, created_at, updated_at, at, kind, lot_id, product_id, from_location_id, to_location_id, qty_g, user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ...ROW(id), T0, 'receipt', 'lot1', 'p1', from, to, qty, 'u1',
      );
    movement('m1', 5, null, 'loc1');
    const change = (seq: number, op: string) =>
      run(
        'INSERT INTO change_log (origin_id, origin_seq, site_id, table_name, row_id, op, at, audit_seq, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        'pc-1', seq, 'site-1', 'lots', 'lot1', op, T0, 1, '{}',
      );
    change(1, 'insert');

    const CHECK = /CHECK constraint failed/;
    expect(() => product('p2', 'frozen')).toThrow(CHECK);
    expect(() => product('p3', 'raw', 0)).toThrow(CHECK);
    expect(() => lot('lot2', { initial: 0 })).toThrow(CHECK);
    expect(() => receiptLine('rl2', 1000, 100, 901)).toThrow(CHECK); // net must be gross − tare
    expect(() => receiptLine('rl3', 1000, -1, 1001)).toThrow(CHECK);
    expect(() => stock(-1)).toThrow(CHECK); // stock never negative
    expect(() => batch('b2', T0, T0)).toThrow(CHECK); // end after start
    expect(() => movement('m2', 0, null, 'loc1')).toThrow(CHECK);
    expect(() => movement('m3', 1, null, null)).toThrow(CHECK);
    expect(() => change(2, 'merge')).toThrow(CHECK);
    expect(() => run('INSERT INTO workspace (id, workspace_id, home_site_id, created_at) VALUES (2, ?, ?, ?)', 'w', 's', T0)).toThrow(CHECK);

    // Uniqueness, foreign keys, strict typing and the append-only ledger.
    expect(() => change(1, 'update')).toThrow(/UNIQUE constraint failed: change_log.origin_id, change_log.origin_seq/);
    expect(() => run("INSERT INTO users (id, site_id, created_at, updated_at, username, display_name, password_hash, roles) VALUES ('u2', 's', 1, 1, 'U', 'x', 'x', '[]')")).toThrow(/UNIQUE/);
    expect(() => lot('lot3', { product: 'no-such-product' })).toThrow(/FOREIGN KEY constraint failed/);
    expect(() => run("UPDATE stock SET qty_g = 'lots'")).toThrow(/cannot store TEXT value in INTEGER column/);
    expect(() => run('UPDATE movements SET qty_g = 6')).toThrow(/movements are append-only/);
    expect(() => run('DELETE FROM movements')).toThrow(/movements are append-only/);
    run("INSERT INTO audit_log (seq, id, at, site_id, operation, changes, prev_hash, hash) VALUES (1, 'a1', 1, 's', 'op', '{}', 'p', 'h')");
    expect(() => run("UPDATE audit_log SET changes = 'x'")).toThrow(/audit log is append-only/);
    expect(() => run('DELETE FROM audit_log')).toThrow(/audit log is append-only/);
  },
  2(db) {
    expect(names(db, 'table')).toEqual(expect.arrayContaining(['devices', 'sensor_alerts', 'sensor_hourly', 'sensor_samples']));
    expect(names(db, 'index')).toEqual(expect.arrayContaining(['sensor_alerts_open', 'sensor_alerts_started', 'sensor_samples_at']));

    const run = (sql: string, ...params: unknown[]) => db.prepare(sql).run(...params);
    const device = (id: string, workspace: string, code: string, extra: { kind?: string; options?: string } = {}) =>
      run(
        `INSERT INTO devices (id, site_id, created_at, updated_at, workspace_id, code, name, kind, protocol, connection, options)
         VALUES (?, ?, ?, ?, ?, ?, 'Д', ?, 'modbus', '{"type":"serial","path":"COM1"}', ?)`,
        ...ROW(id), workspace, code, extra.kind ?? 'sensor', extra.options ?? '{}',
      );
    device('d1', 'pc-1', 'TS-1');
    device('d2', 'pc-2', 'TS-1'); // the same code on another PC
    const alert = (id: string, kind: string, ended: number | null) =>
      run(
        `INSERT INTO sensor_alerts (id, site_id, created_at, updated_at, device_id, quantity, kind, started_at, ended_at)
         VALUES (?, ?, ?, ?, 'd1', 'temperature', ?, ?, ?)`,
        ...ROW(id), kind, T0, ended,
      );
    alert('a1', 'above', T0 + 1);
    alert('a2', 'above', null);
    alert('a3', 'below', null);
    const sample = (at: number, value: number | null, error: string | null = null) =>
      run("INSERT INTO sensor_samples (device_id, quantity, at, value, error) VALUES ('d1', 'temperature', ?, ?, ?)", at, value, error);
    sample(T0, 2.5);
    sample(T0 + 1, null, 'timeout');
    const hour = (start: number, min = 1, max = 2) =>
      run("INSERT INTO sensor_hourly (device_id, quantity, hour_start, n, min, max, sum) VALUES ('d1', 'temperature', ?, 1, ?, ?, 3)", start, min, max);
    hour(T0);

    const CHECK = /CHECK constraint failed/;
    expect(() => device('d3', 'pc-1', 'TS-1')).toThrow(/UNIQUE constraint failed: devices.workspace_id, devices.code/);
    expect(() => device('d4', 'pc-1', 'TS-2', { kind: 'thermostat' })).toThrow(CHECK);
    expect(() => device('d5', 'pc-1', 'TS-3', { options: '{not json' })).toThrow(CHECK);
    expect(() => alert('a4', 'above', null)).toThrow(/UNIQUE constraint failed/); // one open alert per device, quantity and kind
    expect(() => alert('a5', 'sideways', null)).toThrow(CHECK);
    expect(() => run("UPDATE sensor_alerts SET ended_at = ? WHERE id = 'a1'", T0 - 1)).toThrow(CHECK);
    expect(() => run("UPDATE sensor_alerts SET acknowledged_at = ? WHERE id = 'a1'", T0)).toThrow(CHECK); // by whom?
    expect(() => sample(T0, 3)).toThrow(/UNIQUE constraint failed|PRIMARY KEY/);
    expect(() => sample(T0 + 2, null)).toThrow(CHECK); // neither a value nor why not
    expect(() => run("INSERT INTO sensor_samples (device_id, quantity, at, value) VALUES ('no-such-device', 'temperature', 1, 1)")).toThrow(
      /FOREIGN KEY constraint failed/,
    );
    expect(() => hour(T0 + 1)).toThrow(CHECK); // not the start of an hour
    expect(() => hour(T0 + 3_600_000, 3, 2)).toThrow(CHECK);
  },
  3(db) {
    expect(names(db, 'table')).toEqual(expect.arrayContaining(['documents', 'document_files']));
    expect(names(db, 'index')).toEqual(expect.arrayContaining(['documents_subject', 'documents_number']));
    const run = (sql: string, ...params: unknown[]) => db.prepare(sql).run(...params);
    const doc = (id: string, version: number, extra: { status?: string; reason?: string | null; at?: number | null; type?: string } = {}) =>
      run(
        `INSERT INTO documents (id, site_id, created_at, updated_at, type, number, version, subject_kind, subject, lang, status, void_reason, voided_at, sha256, bytes)
         VALUES (?, ?, ?, ?, ?, 'CRT-BFP-2026-000001', ?, 'lot', 'L1', 'en', ?, ?, ?, ?, 10)`,
        ...ROW(id), extra.type ?? 'certificate', version, extra.status ?? 'issued', extra.reason ?? null, extra.at ?? null, 'a'.repeat(64),
      );
    doc('c1', 1);
    doc('c2', 2, { status: 'void', reason: 'typo', at: T0 });
    run("INSERT INTO document_files (document_id, pdf) VALUES ('c1', x'25504446')");
    const CHECK = /CHECK constraint failed/;
    expect(() => doc('c3', 2)).toThrow(/UNIQUE constraint failed/); // one row per number and version
    expect(() => doc('c4', 3, { status: 'void' })).toThrow(CHECK); // void without a reason
    expect(() => doc('c5', 4, { type: 'labels' })).toThrow(CHECK);
    expect(() => run("INSERT INTO document_files (document_id, pdf) VALUES ('no-such-document', x'00')")).toThrow(/FOREIGN KEY constraint failed/);
  },
  4(db) {
    expect(names(db, 'table')).toEqual(expect.arrayContaining(['exports_1c', 'export_1c_objects', 'export_1c_files']));
    const run = (sql: string, ...params: unknown[]) => db.prepare(sql).run(...params);
    // Documents issued before this version read as issued with no options.
    run(
      `INSERT INTO documents (id, site_id, created_at, updated_at, type, number, version, subject_kind, subject, lang, status, sha256, bytes)
       VALUES (?, ?, ?, ?, 'certificate', 'CRT-1', 1, 'lot', 'L1', 'en', 'issued', ?, 10)`,
      ...ROW('d1'), 'a'.repeat(64),
    );
    expect(db.prepare("SELECT options FROM documents WHERE id = 'd1'").pluck().get()).toBe('{}');
    const exported = (id: string, from: string, to: string) =>
      run(
        `INSERT INTO exports_1c (id, site_id, created_at, updated_at, period_from, period_to, format_version, file_name, sha256, bytes, objects)
         VALUES (?, ?, ?, ?, ?, ?, '1.21', 'x.xml', ?, 100, 1)`,
        ...ROW(id), from, to, 'b'.repeat(64),
      );
    exported('e1', '2026-10-01', '2026-10-31');
    const CHECK = /CHECK constraint failed/;
    expect(() => exported('e2', '2026-10-31', '2026-10-01')).toThrow(CHECK); // the period ends before it starts
    expect(() => exported('e3', '1.10.2026', '2026-10-31')).toThrow(CHECK); // a day that is not YYYY-MM-DD
    const object = (exportId: string, guid: string) =>
      run("INSERT INTO export_1c_objects (export_id, guid, object_type, source_id, label) VALUES (?, ?, 'Документ.ПоступлениеТоваровУслуг', 'r1', 'R1')", exportId, guid);
    object('e1', 'g1');
    expect(() => object('e1', 'g1')).toThrow(/UNIQUE constraint failed|PRIMARY KEY/);
    expect(() => object('no-such-export', 'g2')).toThrow(/FOREIGN KEY constraint failed/);
  },
  5(db) {
    expect(names(db, 'table')).toEqual(expect.arrayContaining(['sync_state', 'sync_conflicts']));
    // One row of sync state from the start, nothing configured, the cursor at the beginning.
    expect(db.prepare('SELECT hq_url, token, interval_min, pull_cursor, hlc_physical, update_required FROM sync_state').all()).toEqual([
      { hq_url: null, token: null, interval_min: 15, pull_cursor: 0, hlc_physical: 0, update_required: 0 },
    ]);
    expect(() => db.prepare('INSERT INTO sync_state (id) VALUES (2)').run()).toThrow(/CHECK constraint failed/);
    expect(() => db.prepare('UPDATE sync_state SET interval_min = 2000').run()).toThrow(/CHECK constraint failed/);
    // Changes captured before this version have no clock; new ones carry it.
    const columns = db.prepare('PRAGMA table_info(change_log)').all() as { name: string; notnull: number }[];
    expect(columns.find((c) => c.name === 'hlc')).toMatchObject({ notnull: 0 });
    expect(() => db.prepare("INSERT INTO sync_conflicts (at, side, table_name, row_id, reason) VALUES (1, 'elsewhere', 'lots', 'x', 'older')").run()).toThrow(/CHECK constraint failed/);
  },
};

describe('migrations', () => {
  test('are numbered 1, 2, 3, … and LATEST_VERSION is the last', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
    for (const m of MIGRATIONS) expect(m.name.trim()).not.toBe('');
  });

  test('every migration has a test of what it creates', () => {
    expect(Object.keys(MIGRATION_CHECKS).map(Number).sort()).toEqual(MIGRATIONS.map((m) => m.version));
  });

  test.each(MIGRATIONS.map((m) => [m.version, m] as const))('migration %i runs from the version before it', (version, m) => {
    const { db } = rawFile();
    migrate(db, MIGRATIONS, version - 1);
    expect(schemaVersion(db)).toBe(version - 1);
    expect(migrate(db, MIGRATIONS, version)).toEqual([version]);
    expect(schemaVersion(db)).toBe(version);
    MIGRATION_CHECKS[m.version]!(db);
    db.close();
  });

  test('a fresh workspace file is migrated to the latest version', () => {
    const dir = tempDir();
    const ws = Workspace.open(dir);
    expect(schemaVersion(ws.db)).toBe(LATEST_VERSION);
    expect(ws.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(ws.info()).toMatchObject({ schema_version: LATEST_VERSION, app_schema_version: LATEST_VERSION, initialised: false });
    ws.close();
    expect(existsSync(join(dir, WORKSPACE_FILE))).toBe(true);
  });

  test('migrating again is a no-op, and reopening keeps the data', () => {
    const dir = tempDir();
    const p = new TestPlant(dir).setup();
    const before = schema(p.ws.db);
    expect(migrate(p.ws.db)).toEqual([]);
    expect(schema(p.ws.db)).toEqual(before);
    p.ws.close();
    const again = Workspace.open(dir);
    expect(schema(again.db)).toEqual(before);
    expect(again.invoke('setup.status', {}, null)).toEqual({ ok: true, value: { initialised: true, site_code: 'BFP', schema_version: LATEST_VERSION } });
    again.close();
  });

  test('a migration that fails leaves the version and schema as they were', () => {
    const { db } = rawFile();
    migrate(db);
    const before = schema(db);
    const broken: Migration = {
      version: LATEST_VERSION + 1,
      name: 'broken',
      up(d) {
        d.exec('CREATE TABLE half_done (x INTEGER)');
        throw new Error('boom');
      },
    };
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow('boom');
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(schema(db)).toEqual(before);
    db.close();
  });

  test('opening without migrating leaves a fresh file at version 0', () => {
    const file = join(tempDir(), WORKSPACE_FILE);
    const db = openDatabase(file, { migrate: false });
    expect(schemaVersion(db)).toBe(0);
    expect(names(db, 'table')).toEqual([]);
    db.close();
  });
});

describe('a workspace written by a newer PlantDesk', () => {
  function newerFile(walMode: boolean): string {
    const dir = tempDir();
    const file = join(dir, WORKSPACE_FILE);
    const db = new Database(file);
    if (walMode) db.pragma('journal_mode = WAL');
    migrate(db);
    db.exec('CREATE TABLE from_the_future (x INTEGER)');
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    return file;
  }

  test.each([
    ['in rollback-journal mode', false],
    ['in WAL mode', true],
  ])('is refused by openDatabase and left byte for byte as it was (%s)', (_, walMode) => {
    const file = newerFile(walMode);
    const bytes = readFileSync(file);
    const error = thrown(() => openDatabase(file));
    expect(error).toBeInstanceOf(DomainError);
    const { error: opError } = error as DomainError;
    expectReadable(opError, { code: 'WORKSPACE_TOO_NEW' });
    expect(opError.message.en).toBe(
      `This workspace was written by a newer PlantDesk (schema ${LATEST_VERSION + 1}; this app knows up to ${LATEST_VERSION}). Update PlantDesk; the workspace was not changed.`,
    );
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  test('is refused by Workspace.open, with or without migrating, and the file is not changed', () => {
    const file = newerFile(false);
    const bytes = readFileSync(file);
    for (const migrateOption of [true, false]) {
      const error = thrown(() => Workspace.open(join(file, '..'), { migrate: migrateOption }));
      expect((error as DomainError).code).toBe('WORKSPACE_TOO_NEW');
    }
    expect(readFileSync(file).equals(bytes)).toBe(true);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 1);
    check.close();
  });

  test('migrate() refuses it too', () => {
    const file = newerFile(false);
    const db = new Database(file);
    expect((thrown(() => migrate(db)) as DomainError).code).toBe('WORKSPACE_TOO_NEW');
    expect(schemaVersion(db)).toBe(LATEST_VERSION + 1);
    db.close();
  });
});

describe('connection settings', () => {
  test('WAL journal, full synchronous commits, foreign keys on, 5 s busy timeout', () => {
    const ws = Workspace.open(tempDir());
    expect(ws.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(ws.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(ws.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(ws.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    ws.close();
  });

  test('foreign keys are enforced on workspace connections', () => {
    const p = new TestPlant().setup();
    expect(() =>
      p.ws.db
        .prepare('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
        .run('h', 'no-such-user', T0, T0 + 1),
    ).toThrow(/FOREIGN KEY constraint failed/);
  });
});
