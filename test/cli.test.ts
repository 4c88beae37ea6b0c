// The `plantdesk` command as a user runs it: a real process, a real workspace folder.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main/cli/main.js';
import { MIGRATIONS } from '../main/db/migrations.js';
import { tempDir } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'plantdesk.js');

/** `undefined` removes a variable from the child's environment. */
type Env = Record<string, string | undefined>;

function plantdesk(args: string[], env: Env = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PLANTDESK_LANG: 'en', PLANTDESK_PASSWORD: 'admin-pass-1', ...env },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

function json<T = Record<string, unknown>>(args: string[], env?: Env): T {
  const r = plantdesk([...args, '--json'], env);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as T;
}

// These tests run the CLI with spawnSync: each test blocks this worker for up to ~20 s. Between
// tests the worker must get back to its event loop, or vitest's own messages to it wait for the
// whole file (80 s) and its 60 s RPC timeout fails the run although every test passed.
afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'main', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: `npm test` builds it first (pretest); run `npm run build`');
  }
});

describe('plantdesk CLI', () => {
  it('prints help listing the commands', () => {
    const r = plantdesk(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['workspace init', 'demo seed', 'lots list', 'trace', 'receive', 'batch consume', 'ship send']) {
      expect(r.out).toContain(cmd);
    }
  });

  it('runs the plant thread from the command line', () => {
    const ws = tempDir();
    const w = ['--workspace', ws];
    json(['workspace', 'init', '--site-code', 'BFP', '--site-name-ru', 'Байкальский рыбный завод', '--site-name-en', 'Baikal Fish Plant', ...w]);
    // Reference data through the generic call command
    json(['call', 'partners.upsert', JSON.stringify({ code: 'ARTEL', is_supplier: 1, name_ru: 'Артель', country: 'RU' }), ...w]);
    json(['call', 'partners.upsert', JSON.stringify({ code: 'HENGTAI', is_customer: 1, is_consignee: 1, name_ru: 'Хэнтай', name_zh: '恒泰', country: 'CN' }), ...w]);
    json(['call', 'locations.upsert', JSON.stringify({ code: 'CR1', name: 'Камера 1', kind: 'cold_room', temp_min: 0, temp_max: 4 }), ...w]);
    json(['call', 'equipment.upsert', JSON.stringify({ code: 'SMOKER', name: 'Коптильня', kind: 'smoker' }), ...w]);
    json(['call', 'products.upsert', JSON.stringify({ code: 'OMUL', kind: 'raw', name_ru: 'Омуль', name_en: 'Omul', shelf_life_days: 5 }), ...w]);
    json(['call', 'products.upsert', JSON.stringify({ code: 'OMUL-HS', kind: 'finished', name_ru: 'Омуль г/к', name_en: 'Hot-smoked omul', shelf_life_days: 10 }), ...w]);
    json(['call', 'templates.upsert', JSON.stringify({ code: 'QC', stage: 'incoming', name_ru: 'Вход', name_en: 'In', parameters: [{ code: 'T', name_ru: 'Т', name_en: 'T', kind: 'numeric', min_value: 0, max_value: 4 }] }), ...w]);
    json(['call', 'templates.upsert', JSON.stringify({ code: 'FIN', stage: 'final', name_ru: 'Итог', name_en: 'Final', parameters: [{ code: 'OK', name_ru: 'Норма', name_en: 'OK', kind: 'pass_fail' }] }), ...w]);

    const today = new Date().toISOString().slice(0, 10);
    const receipt = json<{ lines: { lot_code: string; net_g: number }[] }>(
      ['receive', '--supplier', 'ARTEL', '--product', 'OMUL', '--location', 'CR1', '--gross-kg', '520,5', '--tare-kg', '20.5', '--produced', today, '--vet-doc', '0b3c2f4e-1d2a-4c8b-9e7f-123456789abc', ...w],
    );
    const raw = receipt.lines[0]!.lot_code;
    expect(receipt.lines[0]!.net_g).toBe(500_000);

    const qc = json<{ number: string }>(['inspect', 'open', '--lot', raw, ...w]).number;
    json(['inspect', 'record', '--number', qc, '--result', 'T=2.5', ...w]);
    expect(json<{ verdict: string }>(['inspect', 'complete', '--number', qc, ...w]).verdict).toBe('pass');

    const start = `${today}T00:00`;
    const end = `${today}T06:00`;
    const batch = json<{ number: string }>(['batch', 'plan', '--product', 'OMUL-HS', '--equipment', 'SMOKER', '--planned-kg', '300', '--start', start, '--end', end, ...w]).number;
    json(['batch', 'consume', '--number', batch, '--lot', raw, '--kg', '450', ...w]);
    const out = json<{ lot: { code: string } }>(['batch', 'output', '--number', batch, '--kg', '300', '--location', 'CR1', '--packages', '60', ...w]).lot.code;
    const fin = json<{ number: string }>(['inspect', 'open', '--lot', out, ...w]).number;
    json(['inspect', 'record', '--number', fin, '--result', 'OK=yes', ...w]);
    json(['inspect', 'complete', '--number', fin, ...w]);
    // Shipping needs the final inspection verified by a second person.
    json(['user', 'add', '--username', 'qc', '--name', 'Контролёр', '--roles', 'quality_inspector', '--new-password', 'qc-pass-12', ...w]);
    const signed = json<{ verifier: string }>(['inspect', 'verify', '--number', fin, '--user', 'qc', ...w], { PLANTDESK_PASSWORD: 'qc-pass-12' });
    expect(signed.verifier).toBe('Контролёр');

    const ship = json<{ number: string }>(['ship', 'create', '--customer', 'HENGTAI', '--consignee', 'HENGTAI', '--date', today, ...w]).number;
    json(['ship', 'container', '--number', ship, '--container', 'MSCU1234566', '--seal', 'S1', ...w]);
    json(['ship', 'add', '--number', ship, '--lot', out, '--kg', '300', '--gross-kg', '320', '--packages', '60', '--container', 'MSCU1234566', ...w]);
    expect(json<{ status: string }>(['ship', 'send', '--number', ship, ...w]).status).toBe('shipped');

    const text = plantdesk(['trace', out, ...w]);
    expect(text.code).toBe(0);
    expect(text.out).toContain(raw);
    expect(text.out).toContain('Артель');
    expect(text.out).toContain(ship);
    const forward = json<{ backward: unknown; forward: { children: { key: string }[] } }>(['trace', raw, '--forward', ...w]);
    expect(forward.backward).toBeNull();
    expect(forward.forward.children.map((c) => c.key)).toEqual([batch]);

    const lots = json<{ total: number }>(['lots', 'list', ...w]);
    expect(lots.total).toBe(2);
    expect(json<{ rows: { number: string }[] }>(['shipments', 'list', ...w]).rows[0]!.number).toBe(ship);
    expect(json<{ ok: boolean }>(['workspace', 'verify-audit', ...w]).ok).toBe(true);
  });

  it('reports refusals on stderr with a non-zero exit code and changes nothing', () => {
    const ws = tempDir();
    const w = ['--workspace', ws];
    json(['workspace', 'init', '--site-code', 'BFP', '--site-name-ru', 'Завод', '--site-name-en', 'Plant', ...w]);
    const before = json<{ counts: Record<string, number> }>(['workspace', 'info', ...w]).counts;

    const unknownSupplier = plantdesk(['receive', '--supplier', 'NOPE', '--product', 'X', '--location', 'Y', '--gross-kg', '1', '--produced', '2026-01-01', ...w]);
    expect(unknownSupplier.code).toBe(1);
    expect(unknownSupplier.out).toBe('');
    expect(unknownSupplier.err).toMatch(/NOT_FOUND \[supplier\]: Partner not found: NOPE/);

    const badKg = plantdesk(['batch', 'consume', '--number', 'B', '--lot', 'L', '--kg', '1.2345', ...w]);
    expect(badKg.code).toBe(2);
    expect(badKg.err).toContain('--kg');

    const typo = plantdesk(['lots', 'list', '--prodcut', 'X', ...w]);
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('--prodcut');

    const wrongPassword = plantdesk(['lots', 'list', ...w], { PLANTDESK_PASSWORD: 'nope' });
    expect(wrongPassword.code).toBe(1);
    expect(wrongPassword.err).toContain('BAD_CREDENTIALS');

    const russian = plantdesk(['call', 'receipts.create', '{"supplier": 5}', ...w], { PLANTDESK_LANG: 'ru' });
    expect(russian.code).toBe(1);
    expect(russian.err).toContain('Неверные данные');

    json(['user', 'add', '--username', 'op', '--name', 'Оператор', '--roles', 'operator', '--new-password', 'op-pass-12', ...w]);
    const forbidden = plantdesk(['user', 'add', '--username', 'xavier', '--name', 'X', '--roles', 'admin', '--new-password', 'x-pass-123', '--user', 'op', ...w], { PLANTDESK_PASSWORD: 'op-pass-12' });
    expect(forbidden.code).toBe(1);
    expect(forbidden.err).toContain('FORBIDDEN');

    const after = json<{ counts: Record<string, number> }>(['workspace', 'info', ...w]).counts;
    expect({ ...after, audit_entries: 0, pending_changes: 0 }).toEqual({ ...before, audit_entries: 0, pending_changes: 0 });
  });

  it('seeds demo data, verifies the audit chain and backs up a consistent copy', () => {
    const ws = tempDir();
    const w = ['--workspace', ws];
    const summary = json<{ counts: Record<string, number> }>(['demo', 'seed', '--days', '10', ...w], { PLANTDESK_PASSWORD: 'plantdesk' });
    expect(summary.counts.receipts).toBeGreaterThan(10);
    expect(summary.counts.shipments).toBeGreaterThan(1);
    const again = plantdesk(['demo', 'seed', ...w], { PLANTDESK_PASSWORD: 'plantdesk' });
    expect(again.code).toBe(1);
    expect(json<{ ok: boolean }>(['workspace', 'verify-audit', ...w], { PLANTDESK_PASSWORD: 'plantdesk' }).ok).toBe(true);

    const backupFile = join(tempDir(), 'backup.sqlite');
    json(['workspace', 'backup', backupFile, ...w], { PLANTDESK_PASSWORD: 'plantdesk' });
    const copy = new Database(backupFile, { readonly: true });
    expect((copy.prepare('SELECT COUNT(*) AS n FROM receipts').get() as { n: number }).n).toBe(summary.counts.receipts);
    copy.close();

    // Tamper with the audit log: verify-audit fails with exit code 1 and says where.
    const db = new Database(join(ws, 'plantdesk.sqlite'));
    db.exec('DROP TRIGGER audit_append_only_update');
    db.prepare("UPDATE audit_log SET changes = '{}' WHERE seq = 5").run();
    db.close();
    const broken = plantdesk(['workspace', 'verify-audit', ...w], { PLANTDESK_PASSWORD: 'plantdesk' });
    expect(broken.code).toBe(1);
    expect(broken.out).toContain('#5 edited');
  });

  it('shows a workspace as it is and migrates it only when asked', () => {
    const ws = tempDir();
    // A workspace file from before the first migration (an empty SQLite file).
    new Database(join(ws, 'plantdesk.sqlite')).close();
    const before = json<{ schema_version: number; initialised: boolean }>(['workspace', 'info', '--workspace', ws]);
    expect(before).toMatchObject({ schema_version: 0, initialised: false });
    expect(plantdesk(['workspace', 'info', '--workspace', ws]).out).toContain('run "plantdesk workspace migrate"');
    const first = json<{ applied: number[]; schema_version: number }>(['workspace', 'migrate', '--workspace', ws]);
    expect(first.applied).toEqual(MIGRATIONS.map((m) => m.version));
    expect(json<{ applied: number[] }>(['workspace', 'migrate', '--workspace', ws]).applied).toEqual([]);
    expect(json<{ schema_version: number }>(['workspace', 'info', '--workspace', ws]).schema_version).toBe(first.schema_version);
  });

  it('refuses a workspace written by a newer PlantDesk', () => {
    const ws = tempDir();
    json(['workspace', 'init', '--site-code', 'BFP', '--site-name-ru', 'Завод', '--site-name-en', 'Plant', '--workspace', ws]);
    const db = new Database(join(ws, 'plantdesk.sqlite'));
    db.pragma('user_version = 999');
    db.close();
    const r = plantdesk(['workspace', 'info', '--workspace', ws]);
    expect(r.code).toBe(3);
    expect(r.err).toContain('WORKSPACE_TOO_NEW');
    expect(r.err).toContain('999');
  });
});

/** A new workspace with what a receipt needs: supplier ARTEL, raw product OMUL, location CR1. */
function plantWorkspace(): { ws: string; w: string[] } {
  const ws = tempDir();
  const w = ['--workspace', ws];
  json(['workspace', 'init', '--site-code', 'BFP', '--site-name-ru', 'Завод', '--site-name-en', 'Plant', ...w]);
  json(['call', 'partners.upsert', JSON.stringify({ code: 'ARTEL', is_supplier: 1, name_ru: 'Артель', country: 'RU' }), ...w]);
  json(['call', 'locations.upsert', JSON.stringify({ code: 'CR1', name: 'Камера 1', kind: 'cold_room', temp_min: 0, temp_max: 4 }), ...w]);
  json(['call', 'products.upsert', JSON.stringify({ code: 'OMUL', kind: 'raw', name_ru: 'Омуль', name_en: 'Omul', shelf_life_days: 5 }), ...w]);
  return { ws, w };
}

/** Everything `workspace info` counts, audit entries included: "changes nothing" means all equal. */
function counts(w: string[]): Record<string, number> {
  return json<{ counts: Record<string, number> }>(['workspace', 'info', ...w]).counts;
}

/** Someone with the file edits an audit entry behind the app's back. */
function tamperAudit(ws: string, seq: number): void {
  const db = new Database(join(ws, 'plantdesk.sqlite'));
  db.exec('DROP TRIGGER IF EXISTS audit_append_only_update');
  expect(db.prepare("UPDATE audit_log SET changes = '{}' WHERE seq = ?").run(seq).changes).toBe(1);
  db.close();
}

function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}

const RECEIVE = ['receive', '--supplier', 'ARTEL', '--product', 'OMUL', '--location', 'CR1', '--gross-kg', '110', '--produced', new Date().toISOString().slice(0, 10)];

describe('plantdesk CLI: options, logins and exit codes', () => {
  it('refuses a mistyped option before anything is written', () => {
    const { w } = plantWorkspace();
    const before = counts(w);
    const typo = plantdesk([...RECEIVE, '--tare', '10', ...w]);
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('--tare');
    expect(typo.out).toBe('');
    expect(counts(w)).toEqual(before);
    expect(json<{ total: number }>(['lots', 'list', ...w]).total).toBe(0);

    // The direct writes check their options first too.
    const backupFile = join(tempDir(), 'backup.sqlite');
    expect(plantdesk(['workspace', 'backup', backupFile, '--quiet', 'yes', ...w]).code).toBe(2);
    expect(existsSync(backupFile)).toBe(false);
    const fresh = join(tempDir(), 'new');
    const init = plantdesk(['workspace', 'init', '--site-code', 'BFP', '--site-name-ru', 'З', '--site-name-en', 'P', '--china-reg', 'X', '--workspace', fresh]);
    expect(init.code).toBe(2);
    expect(init.err).toContain('--china-reg');
    expect(existsSync(fresh)).toBe(false);
    expect(plantdesk(['demo', 'seed', '--dayz', '2', '--workspace', fresh]).code).toBe(2);
    expect(plantdesk(['workspace', 'migrate', '--force', 'yes', '--workspace', fresh]).code).toBe(2);
    expect(existsSync(fresh)).toBe(false);

    // Spelled right, the same receipt goes through.
    expect(json<{ net_g: number }>([...RECEIVE, '--tare-kg', '10', ...w]).net_g).toBe(100_000);
  });

  it('seeds an initialised workspace only for an administrator, and backs up only for one', () => {
    const { w } = plantWorkspace();
    json(['user', 'add', '--username', 'op', '--name', 'Оператор', '--roles', 'operator', '--new-password', 'op-pass-12', ...w]);
    const before = counts(w);
    const users = () => json<{ rows: unknown[] }>(['call', 'users.list', '{}', ...w]).rows.length;
    const usersBefore = users();

    const anonymous = plantdesk(['demo', 'seed', '--days', '2', ...w], { PLANTDESK_PASSWORD: undefined });
    expect([1, 2]).toContain(anonymous.code);
    expect(anonymous.err).toContain('PLANTDESK_PASSWORD');
    const wrong = plantdesk(['demo', 'seed', '--days', '2', ...w], { PLANTDESK_PASSWORD: 'plantdesk' });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('BAD_CREDENTIALS');
    const operator = plantdesk(['demo', 'seed', '--days', '2', '--user', 'op', ...w], { PLANTDESK_PASSWORD: 'op-pass-12' });
    expect(operator.code).toBe(1);
    expect(operator.err).toContain('FORBIDDEN');
    expect(counts(w)).toEqual(before);
    expect(users()).toBe(usersBefore);

    const backupFile = join(tempDir(), 'backup.sqlite');
    const noLogin = plantdesk(['workspace', 'backup', backupFile, ...w], { PLANTDESK_PASSWORD: undefined });
    expect(noLogin.code).toBe(2);
    expect(noLogin.err).toContain('PLANTDESK_PASSWORD');
    const notAdmin = plantdesk(['workspace', 'backup', backupFile, '--user', 'op', ...w], { PLANTDESK_PASSWORD: 'op-pass-12' });
    expect(notAdmin.code).toBe(1);
    expect(notAdmin.err).toContain('FORBIDDEN');
    expect(existsSync(backupFile)).toBe(false);

    // The administrator may: the demo is seeded as them, into their workspace.
    const seeded = json<{ counts: Record<string, number> }>(['demo', 'seed', '--days', '2', ...w]);
    expect(seeded.counts.receipts).toBeGreaterThan(0);
    expect(json<{ ok: boolean }>(['workspace', 'verify-audit', ...w]).ok).toBe(true);
    json(['workspace', 'backup', backupFile, ...w]);
    expect(existsSync(backupFile)).toBe(true);
  });

  it('refuses without a password when not at a terminal', () => {
    const { w } = plantWorkspace();
    const r = plantdesk(['lots', 'list', ...w], { PLANTDESK_PASSWORD: undefined });
    expect(r.code).toBe(2);
    expect(r.err).toContain('password for user "admin": give --password or set PLANTDESK_PASSWORD');
  });

  it('asks for the password at a terminal, without echoing it', async () => {
    if (spawnSync('script', ['--version'], { encoding: 'utf8' }).status !== 0) {
      console.log('skipped: util-linux `script` is not available to provide a terminal');
      return;
    }
    const { w } = plantWorkspace();
    const command = [process.execPath, BIN, 'lots', 'list', '--json', ...w].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const env: NodeJS.ProcessEnv = { ...process.env, PLANTDESK_LANG: 'en' };
    delete env.PLANTDESK_PASSWORD;
    const child = spawn('script', ['-qec', command, '/dev/null'], { env });
    let out = '';
    let typed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      // Type the password once the prompt is up (the terminal is then in no-echo mode).
      if (!typed && out.includes('password for user "admin":')) {
        typed = true;
        child.stdin.write('admin-pass-1\n');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(out).toContain('password for user "admin":');
    expect(out).toContain('"total":0');
    expect(out).not.toContain('admin-pass-1');
  });

  it('returns the exit code from main() without leaving it in process.exitCode', async () => {
    const { ws, w } = plantWorkspace();
    tamperAudit(ws, 2);
    const saved = process.exitCode;
    try {
      process.exitCode = undefined;
      const out = sink();
      const err = sink();
      expect(await main(['workspace', 'verify-audit', '--password', 'admin-pass-1', '--lang', 'en', ...w], out, err)).toBe(1);
      expect(out.text()).toContain('#2 edited');
      expect(process.exitCode).toBeUndefined();
      // The next command run in the same process succeeds.
      expect(await main(['operations'], sink(), err)).toBe(0);
      expect(err.text()).toBe('');
    } finally {
      process.exitCode = saved;
    }
  });

  it('refuses to show a folder that holds no workspace, and creates nothing', () => {
    const empty = tempDir();
    const r = plantdesk(['workspace', 'info', '--workspace', empty]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no workspace at');
    expect(existsSync(join(empty, 'plantdesk.sqlite'))).toBe(false);
    const typo = join(tempDir(), 'wrokspace');
    expect(plantdesk(['workspace', 'info', '--workspace', typo]).code).toBe(2);
    expect(existsSync(typo)).toBe(false);
    // migrate is how a new folder becomes a workspace.
    expect(json<{ applied: number[] }>(['workspace', 'migrate', '--workspace', typo]).applied).toEqual(MIGRATIONS.map((m) => m.version));
    expect(json<{ initialised: boolean }>(['workspace', 'info', '--workspace', typo]).initialised).toBe(false);
  });

  it('checks every result against the contract when PLANTDESK_VALIDATE_OUTPUTS=1', () => {
    const { ws, w } = plantWorkspace();
    // A row the contract cannot carry (times are epoch milliseconds, never negative).
    const db = new Database(join(ws, 'plantdesk.sqlite'));
    db.prepare('UPDATE sites SET created_at = -1').run();
    db.close();
    expect(plantdesk(['call', 'sites.list', ...w], { PLANTDESK_VALIDATE_OUTPUTS: '0' }).code).toBe(0);
    const checked = plantdesk(['call', 'sites.list', ...w], { PLANTDESK_VALIDATE_OUTPUTS: '1' });
    expect(checked.code).not.toBe(0);
    expect(checked.out).toBe('');
  });

  it('documents --at on receive and which language messages are in', () => {
    expect(plantdesk(['receive', '--help']).out).toContain('--at');
    const { w } = plantWorkspace();
    const fail = (env: Env) => plantdesk(['lots', 'list', ...w], { PLANTDESK_PASSWORD: 'nope', PLANTDESK_LANG: undefined, ...env }).err;
    expect(fail({ LANG: 'en_GB.UTF-8' })).toContain('Wrong user name or password');
    expect(fail({ LANG: 'de_DE.UTF-8' })).toContain('Неверное имя пользователя или пароль');
    expect(fail({ LANG: 'en_US.UTF-8', PLANTDESK_LANG: 'ru' })).toContain('Неверное имя пользователя или пароль');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).not.toContain('Messages are Russian\nby default');
    expect(readme).toMatch(/Russian unless\s+`LANG` starts with `en`/);
  });

  it('seeds nothing after the seeded period except the plan for the next day', () => {
    const ws = tempDir();
    // With two days the last one is a cold-smoking day (every third day from the second).
    json(['demo', 'seed', '--days', '2', '--workspace', ws], { PLANTDESK_PASSWORD: 'plantdesk' });
    const end = new Date();
    end.setHours(0, 0, 0, 0);
    const db = new Database(join(ws, 'plantdesk.sqlite'), { readonly: true });
    const last = db.prepare('SELECT MAX(at) AS at FROM audit_log').get() as { at: number };
    const future = db.prepare('SELECT number, status, planned_end FROM batches WHERE planned_end > ?').all(end.getTime()) as { status: string }[];
    db.close();
    expect(last.at).toBeLessThan(end.getTime());
    expect(future.map((b) => b.status)).toEqual(['planned']);
  });
});
