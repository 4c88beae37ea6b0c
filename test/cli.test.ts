// The `plantdesk` command as a user runs it: a real process, a real workspace folder.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../main/db/migrations.js';
import { tempDir } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'plantdesk.js');

function plantdesk(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PLANTDESK_LANG: 'en', PLANTDESK_PASSWORD: 'admin-pass-1', ...env },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

function json<T = Record<string, unknown>>(args: string[], env?: Record<string, string>): T {
  const r = plantdesk([...args, '--json'], env);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as T;
}

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

    const ship = json<{ number: string }>(['ship', 'create', '--customer', 'HENGTAI', '--consignee', 'HENGTAI', '--date', today, ...w]).number;
    json(['ship', 'container', '--number', ship, '--container', 'MSCU1234565', '--seal', 'S1', ...w]);
    json(['ship', 'add', '--number', ship, '--lot', out, '--kg', '300', '--gross-kg', '320', '--packages', '60', '--container', 'MSCU1234565', ...w]);
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
    expect(unknownSupplier.err).toMatch(/NOT_FOUND \[supplier\]: Partner .* not found: NOPE/);

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
    json(['workspace', 'backup', backupFile, ...w]);
    const copy = new Database(backupFile, { readonly: true });
    expect((copy.prepare('SELECT COUNT(*) AS n FROM receipts').get() as { n: number }).n).toBe(summary.counts.receipts);
    copy.close();

    // Tamper with the audit log: verify-audit fails with exit code 1 and says where.
    const db = new Database(join(ws, 'plantdesk.sqlite'));
    db.prepare("UPDATE audit_log SET changes = '{}' WHERE seq = 5").run();
    db.close();
    const broken = plantdesk(['workspace', 'verify-audit', ...w], { PLANTDESK_PASSWORD: 'plantdesk' });
    expect(broken.code).toBe(1);
    expect(broken.out).toContain('#5 edited');
  });

  it('shows a workspace as it is and migrates it only when asked', () => {
    const ws = tempDir();
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
