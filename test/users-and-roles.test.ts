import { describe, expect, test } from 'vitest';
import { ROLE_PERMISSIONS, ROLES, type Role } from '../main/contract/roles.js';
import { isServiceOperation, OPERATION_NAMES, operations, type OperationName } from '../main/contract/operations.js';
import { LATEST_VERSION } from '../main/db/migrations.js';
import { FISH_PRODUCTS, FISH_SITE, PARTNERS, TEMPLATES } from '../main/demo/reference.js';
import { verifyPassword } from '../main/services/users.js';
import { expectRefusal, plant, T0, TestPlant } from './helpers.js';
import { planBatch, receive, releasedRaw } from './scenarios.js';
import { SAMPLE_INPUTS } from './samples.js';

const HOUR = 3_600_000;

function sessions(p: TestPlant) {
  return p.ws.q.sql<{ user_id: string; expires_at: number; revoked_at: number | null }>('SELECT user_id, expires_at, revoked_at FROM sessions');
}

function userRow(p: TestPlant, username: string) {
  return p.ws.q.sql<{ id: string; password_hash: string; active: number; roles: string }>('SELECT * FROM users WHERE username = ?', username)[0]!;
}

describe('first-run setup', () => {
  test('creates the home site and the administrator once', () => {
    const p = new TestPlant();
    expect(p.call('setup.status', {}, '')).toEqual({ initialised: false, site_code: null, schema_version: LATEST_VERSION });
    p.setup();
    expect(p.call('setup.status', {}, '')).toEqual({ initialised: true, site_code: 'BFP', schema_version: LATEST_VERSION });
    const me = p.call('auth.me', {});
    expect(me.user).toMatchObject({ username: 'admin', display_name: 'Администратор', roles: ['admin'], active: 1 });
    expect(me.site).toMatchObject({ code: 'BFP', name_en: 'Baikal Fish Plant LLC', country: 'RU' });
    expect(me.site.site_id).toBe(me.site.id);
    expect(me.user.site_id).toBe(me.site.id);
  });

  test('a second setup is refused, with or without a session', () => {
    const p = new TestPlant().setup();
    const input = { site: { ...FISH_SITE, code: 'EVIL' }, admin: { username: 'mallory', display_name: 'M', password: 'mallory-pass' } };
    expectRefusal(p, 'setup.initialise', input, { code: 'SETUP_DONE' }, '');
    expectRefusal(p, 'setup.initialise', input, { code: 'SETUP_DONE' });
    expectRefusal(p, 'auth.login', { username: 'mallory', password: 'mallory-pass' }, { code: 'BAD_CREDENTIALS', field: 'password' }, '');
  });

  test('nothing but setup works before setup', () => {
    const p = new TestPlant();
    expectRefusal(p, 'auth.login', { username: 'admin', password: 'admin-pass-1' }, { code: 'BAD_CREDENTIALS', field: 'password' }, '');
    expectRefusal(p, 'products.list', {}, { code: 'UNAUTHENTICATED' }, '');
  });
});

describe('logging in', () => {
  test('a session carries the user, their permissions and a 12-hour expiry', () => {
    const p = plant();
    const session = p.call('auth.login', { username: 'admin', password: 'admin-pass-1' }, '');
    expect(session.expires_at).toBe(p.now + 12 * HOUR);
    expect(session.user).toMatchObject({ username: 'admin', roles: ['admin'] });
    expect(session.permissions).toContain('users.manage');
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    // Only a hash of the token is stored.
    expect(JSON.stringify(p.ws.q.sql('SELECT * FROM sessions'))).not.toContain(session.token);
    // User names are not case-sensitive.
    expect(p.call('auth.login', { username: 'ADMIN', password: 'admin-pass-1' }, '').user.username).toBe('admin');
  });

  test('a wrong password or unknown user is refused the same way and opens no session', () => {
    const p = plant();
    const before = sessions(p).length;
    const wrong = expectRefusal(p, 'auth.login', { username: 'admin', password: 'admin-pass-2' }, { code: 'BAD_CREDENTIALS', field: 'password' }, '');
    const unknown = expectRefusal(p, 'auth.login', { username: 'nobody', password: 'admin-pass-1' }, { code: 'BAD_CREDENTIALS', field: 'password' }, '');
    expect(unknown.message).toEqual(wrong.message);
    expect(sessions(p)).toHaveLength(before);
  });

  test('without a session, or with an unknown token, only public operations run', () => {
    const p = plant();
    for (const name of ['stock.levels', 'auth.me', 'products.list', 'audit.verify'] as const) {
      const input = name === 'stock.levels' ? { by: 'lot' } : {};
      expectRefusal(p, name, input, { code: 'UNAUTHENTICATED' }, '');
      expectRefusal(p, name, input, { code: 'UNAUTHENTICATED' }, 'not-a-real-token');
    }
    expect(p.call('setup.status', {}, '').initialised).toBe(true);
  });

  test('logout revokes that token only', () => {
    const p = plant();
    const other = p.login('admin', 'admin-pass-1');
    expect(p.call('auth.logout', {})).toEqual({ ok: true });
    const error = expectRefusal(p, 'auth.me', {}, { code: 'SESSION_EXPIRED' });
    expect(error.message.en).toBe('Your session has expired, log in again');
    expect(p.call('auth.me', {}, other).user.username).toBe('admin');
  });

  test('a session expires after 12 hours', () => {
    const p = plant();
    p.now = T0 + 12 * HOUR - 1;
    expect(p.call('auth.me', {}).user.username).toBe('admin');
    p.now = T0 + 12 * HOUR;
    expectRefusal(p, 'auth.me', {}, { code: 'SESSION_EXPIRED' });
    expectRefusal(p, 'stock.levels', { by: 'lot' }, { code: 'SESSION_EXPIRED' });
  });
});

describe('permissions', () => {
  const operatorForbidden: [OperationName, unknown, string][] = [
    ['inspections.open', { lot: 'L1' }, 'quality.inspect'],
    ['inspections.record', { number: 'QC-1', results: [{ parameter: 'A', value: 1 }] }, 'quality.inspect'],
    ['inspections.complete', { number: 'QC-1' }, 'quality.inspect'],
    ['inspections.verify', { number: 'QC-1' }, 'quality.verify'],
    ['lots.block', { code: 'L1', reason: 'x' }, 'quality.inspect'],
    ['lots.release', { code: 'L1', reason: 'x' }, 'quality.verify'],
    ['templates.upsert', TEMPLATES[0], 'quality.templates'],
    ['products.upsert', FISH_PRODUCTS[0], 'reference.write'],
    ['partners.upsert', PARTNERS[0], 'reference.write'],
    ['locations.upsert', { code: 'X', name: 'X', kind: 'dry' }, 'reference.write'],
    ['equipment.upsert', { code: 'X', name: 'X', kind: 'line' }, 'reference.write'],
    ['sites.upsert', FISH_SITE, 'reference.write'],
    ['users.list', {}, 'users.manage'],
    ['users.create', { username: 'eve', display_name: 'Eve', password: 'eve-pass-1', roles: ['admin'] }, 'users.manage'],
    ['users.update', { username: 'op', roles: ['admin'] }, 'users.manage'],
    ['stock.adjust', { lot: 'L1', location: 'BF-QUAR', delta_g: 1, reason: 'x' }, 'stock.adjust'],
    ['stock.writeOff', { lot: 'L1', location: 'BF-QUAR', qty_g: 1, reason: 'x' }, 'stock.adjust'],
    ['batches.plan', { product: 'OMUL-HS', planned_g: 1, equipment: 'BF-SMOKER-1', planned_start: 1, planned_end: 2 }, 'production.plan'],
    ['batches.cancel', { number: 'B', reason: 'x' }, 'production.plan'],
    ['shipments.create', { customer: 'HENGTAI', consignee: 'HENGTAI', planned_date: 1 }, 'shipment.manage'],
    ['shipments.ship', { number: 'S' }, 'shipment.ship'],
    ['trace.lot', { code: 'L1' }, 'trace.read'],
    ['audit.verify', {}, 'audit.read'],
    ['audit.list', {}, 'audit.read'],
  ];

  test('an operator may not do quality work, settings, reference data, users, planning, shipping, trace or audit', () => {
    const p = plant();
    const op = p.userToken('op', ['operator']);
    for (const [name, input, permission] of operatorForbidden) {
      const error = expectRefusal(p, name, input, { code: 'FORBIDDEN' }, op);
      expect(error.message.en, name).toBe(`Not allowed: operation "${name}" needs permission "${permission}"`);
      expect(error.message.ru, name).toBe(`Недостаточно прав: для операции «${name}» нужно право «${permission}»`);
    }
  });

  test('an operator does the line work: receives, moves and consumes', () => {
    const p = plant();
    const op = p.userToken('op', ['operator']);
    const lot = p.call('receipts.create', {
      supplier: 'ARTEL-BAIKAL',
      lines: [{ product: 'OMUL-RAW', location: 'BF-QUAR', produced_at: p.now, gross_g: 10_000 }],
    }, op).lines[0]!.lot_code;
    p.release(lot);
    p.call('stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 5_000 }, op);
    const batch = planBatch(p);
    expect(p.call('batches.consume', { number: batch, lot, qty_g: 1_000 }, op).input_g).toBe(1_000);
    expect(p.call('stock.levels', { by: 'lot' }, op).total).toBe(1);
  });

  test('each role’s typical work is allowed', () => {
    const p = plant();
    const pm = p.userToken('pm', ['production_manager']);
    const qc = p.userToken('qc', ['quality_inspector']);
    const clerk = p.userToken('clerk', ['inventory_clerk']);
    const export_ = p.userToken('export', ['export_officer']);
    const maint = p.userToken('maint', ['maintenance']);

    expect(p.call('batches.plan', { product: 'OMUL-HS', planned_g: 1, equipment: 'BF-SMOKER-2', planned_start: p.now, planned_end: p.now + HOUR }, pm).status).toBe('planned');
    expect(p.call('products.upsert', { ...FISH_PRODUCTS[0]!, name_en: 'Chilled omul' }, pm).name_en).toBe('Chilled omul');

    const lot = p.call('receipts.create', {
      supplier: 'ARTEL-BAIKAL',
      lines: [{ product: 'OMUL-RAW', location: 'BF-QUAR', produced_at: p.now, gross_g: 10_000 }],
    }, clerk).lines[0]!.lot_code;
    expect(p.call('stock.adjust', { lot, location: 'BF-QUAR', delta_g: -100, reason: 'усушка' }, clerk).kind).toBe('adjustment');

    expect(p.call('inspections.open', { lot }, qc).inspector).toBe('qc');
    expect(p.call('templates.upsert', { ...TEMPLATES[0]!, name_en: 'Raw fish' }, qc).name_en).toBe('Raw fish');

    expect(p.call('shipments.create', { customer: 'HENGTAI', consignee: 'HENGTAI', planned_date: p.now }, export_).status).toBe('draft');
    expect(p.call('trace.lot', { code: lot }, export_).lot.code).toBe(lot);

    expect(p.call('stock.levels', { by: 'product' }, maint).total).toBe(1);
    expectRefusal(p, 'stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 1 }, { code: 'FORBIDDEN' }, maint);
    expectRefusal(p, 'receipts.create', { supplier: 'ARTEL-BAIKAL', lines: [{ product: 'OMUL-RAW', location: 'BF-QUAR', produced_at: p.now, gross_g: 1 }] }, { code: 'FORBIDDEN' }, export_);
    expectRefusal(p, 'shipments.create', { customer: 'HENGTAI', consignee: 'HENGTAI', planned_date: p.now }, { code: 'FORBIDDEN' }, clerk);
    expectRefusal(p, 'inspections.open', { lot }, { code: 'FORBIDDEN' }, pm);
  });

  test.each(ROLES)('auth.me lists what a %s may do', (role) => {
    const p = plant();
    const token = p.userToken(`u-${role}`.replace(/_/g, '-'), [role]);
    const me = p.call('auth.me', {}, token);
    expect(me.user.roles).toEqual([role]);
    expect([...me.permissions].sort()).toEqual(['session', ...ROLE_PERMISSIONS[role]].sort());
  });

  test.each(ROLES)('a %s is refused exactly the operations its role does not grant', (role) => {
    const p = plant();
    const token = p.userToken(`m-${role}`.replace(/_/g, '-'), [role]);
    const granted = new Set<string>(['session', ...ROLE_PERMISSIONS[role]]);
    const mismatches: string[] = [];
    for (const name of OPERATION_NAMES) {
      const { permission } = operations[name];
      // Logging out would end the session the rest of the sweep runs on (every role may log out).
      if (permission === 'public' || name === 'auth.logout') continue;
      // Valid in shape, so validation passes and authorization decides; what it names may not exist.
      // Hardware and document operations are authorized on admission to their service.
      const result = isServiceOperation(name)
        ? p.ws.registry.admit(name, SAMPLE_INPUTS[name], { token })
        : p.ws.invoke(name, SAMPLE_INPUTS[name], { token });
      const forbidden = !result.ok && result.error.code === 'FORBIDDEN';
      if (forbidden === granted.has(permission)) mismatches.push(`${name} (${permission}): ${forbidden ? 'refused' : 'allowed'}`);
    }
    expect(mismatches).toEqual([]);
  });

  test('several roles add up', () => {
    const p = plant();
    const token = p.userToken('both', ['operator', 'quality_inspector'] as Role[]);
    const lot = receive(p);
    expect(p.call('inspections.open', { lot }, token).status).toBe('open');
    expect(p.call('stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 1 }, token).kind).toBe('transfer');
  });
});

describe('managing users', () => {
  test('passwords are stored as salted scrypt hashes, never in plain text', () => {
    const p = plant();
    p.call('users.create', { username: 'anna', display_name: 'Анна', password: 'same-password', roles: ['operator'] });
    p.call('users.create', { username: 'boris', display_name: 'Борис', password: 'same-password', roles: ['operator'] });
    const anna = userRow(p, 'anna').password_hash;
    const boris = userRow(p, 'boris').password_hash;
    expect(anna).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{20,}\$[A-Za-z0-9+/=]{40,}$/);
    expect(anna).not.toContain('same-password');
    expect(anna).not.toBe(boris);
    expect(verifyPassword('same-password', anna)).toBe(true);
    expect(verifyPassword('same-passworD', anna)).toBe(false);
  });

  test('changing your password ends your other sessions but keeps this one', () => {
    const p = plant();
    p.call('users.create', { username: 'anna', display_name: 'Анна', password: 'anna-secret-1', roles: ['operator'] });
    const office = p.login('anna', 'anna-secret-1');
    const tablet = p.login('anna', 'anna-secret-1');
    p.call('auth.changePassword', { current: 'anna-secret-1', next: 'anna-secret-2' }, office);
    expect(p.call('auth.me', {}, office).user.username).toBe('anna');
    expectRefusal(p, 'auth.me', {}, { code: 'SESSION_EXPIRED' }, tablet);
  });

  test('the audit never shows a password hash', () => {
    const p = plant();
    p.call('users.create', { username: 'anna', display_name: 'Анна', password: 'anna-secret-1', roles: ['operator'] });
    p.call('users.update', { username: 'anna', password: 'anna-secret-2' });
    const annaToken = p.login('anna', 'anna-secret-2');
    p.call('auth.changePassword', { current: 'anna-secret-2', next: 'anna-secret-3' }, annaToken);

    const entries = p.ws.q.sql<{ operation: string; changes: string }>('SELECT operation, changes FROM audit_log ORDER BY seq');
    const userEntries = entries.filter((e) => ['setup.initialise', 'users.create', 'users.update', 'auth.changePassword'].includes(e.operation));
    expect(userEntries.map((e) => e.operation)).toEqual(['setup.initialise', 'users.create', 'users.update', 'auth.changePassword']);
    for (const entry of userEntries) {
      const rows = (JSON.parse(entry.changes) as { rows: { table: string; before: Record<string, unknown> | null; after: Record<string, unknown> }[] }).rows;
      const users = rows.filter((r) => r.table === 'users');
      expect(users.length).toBeGreaterThan(0);
      for (const r of users) {
        expect(r.after.password_hash).toBe('[redacted]');
        if (r.before) expect(r.before.password_hash).toBe('[redacted]');
      }
    }
    const everything = JSON.stringify(entries);
    expect(everything).not.toContain('scrypt$');
    expect(everything).not.toMatch(/anna-secret|admin-pass/);
  });

  test('users are listed, renamed, given roles; names are unique regardless of case', () => {
    const p = plant();
    p.userToken('qc', ['quality_inspector']);
    expect(p.call('users.list', {}).rows.map((u) => u.username)).toEqual(['admin', 'qc']);
    const updated = p.call('users.update', { username: 'qc', display_name: 'Контролёр', roles: ['quality_inspector', 'operator', 'operator'] });
    expect(updated).toMatchObject({ display_name: 'Контролёр', roles: ['quality_inspector', 'operator'] });
    expectRefusal(p, 'users.create', { username: 'QC', display_name: 'x', password: 'password-1', roles: ['operator'] }, { code: 'DUPLICATE', field: 'username' });
    expectRefusal(p, 'users.update', { username: 'ghost', display_name: 'x' }, { code: 'NOT_FOUND', field: 'username' });
    expectRefusal(p, 'users.create', { username: 'far', display_name: 'x', password: 'password-1', roles: ['operator'], site: 'NOPE' }, {
      code: 'NOT_FOUND',
      field: 'site',
    });
  });

  test('disabling a user ends their sessions and stops them logging in; enabling lets them back', () => {
    const p = plant();
    const qc = p.userToken('qc', ['quality_inspector']);
    const second = p.login('qc', 'qc-pass-1');
    const qcId = userRow(p, 'qc').id;
    p.now += 1000;
    p.call('users.update', { username: 'qc', active: 0 });
    expect(sessions(p).filter((s) => s.user_id === qcId).map((s) => s.revoked_at)).toEqual([p.now, p.now]);
    expect(sessions(p).filter((s) => s.user_id !== qcId).every((s) => s.revoked_at === null)).toBe(true);
    expectRefusal(p, 'stock.levels', { by: 'lot' }, { code: 'SESSION_EXPIRED' }, qc);
    expectRefusal(p, 'stock.levels', { by: 'lot' }, { code: 'SESSION_EXPIRED' }, second);
    expectRefusal(p, 'auth.login', { username: 'qc', password: 'qc-pass-1' }, { code: 'BAD_CREDENTIALS', field: 'password' }, '');

    p.call('users.update', { username: 'qc', active: 1 });
    const back = p.login('qc', 'qc-pass-1');
    expect(p.call('auth.me', {}, back).user.active).toBe(1);
    expectRefusal(p, 'auth.me', {}, { code: 'SESSION_EXPIRED' }, qc);
  });

  test('an administrator resetting a password ends the user’s sessions', () => {
    const p = plant();
    const qc = p.userToken('qc', ['quality_inspector']);
    p.call('users.update', { username: 'qc', password: 'new-password-1' });
    expectRefusal(p, 'auth.me', {}, { code: 'SESSION_EXPIRED' }, qc);
    expectRefusal(p, 'auth.login', { username: 'qc', password: 'qc-pass-1' }, { code: 'BAD_CREDENTIALS', field: 'password' }, '');
    expect(p.login('qc', 'new-password-1')).toBeTruthy();
  });

  test('users change their own password knowing the current one', () => {
    const p = plant();
    const qc = p.userToken('qc', ['quality_inspector']);
    expectRefusal(p, 'auth.changePassword', { current: 'wrong-pass', next: 'next-pass-1' }, { code: 'BAD_CREDENTIALS', field: 'current' }, qc);
    expectRefusal(p, 'auth.changePassword', { current: 'qc-pass-1', next: 'short' }, { code: 'VALIDATION', field: 'next' }, qc);
    expect(p.call('auth.changePassword', { current: 'qc-pass-1', next: 'next-pass-1' }, qc)).toEqual({ ok: true });
    expectRefusal(p, 'auth.login', { username: 'qc', password: 'qc-pass-1' }, { code: 'BAD_CREDENTIALS', field: 'password' }, '');
    expect(p.login('qc', 'next-pass-1')).toBeTruthy();
  });

  test('the last administrator cannot be disabled or lose the admin role', () => {
    const p = plant();
    expectRefusal(p, 'users.update', { username: 'admin', active: 0 }, { code: 'LAST_ADMIN', field: 'active' });
    const error = expectRefusal(p, 'users.update', { username: 'admin', roles: ['operator'] }, { code: 'LAST_ADMIN', field: 'roles' });
    expect(error.message.en).toBe('The last administrator cannot be disabled');

    // A disabled admin does not count.
    p.userToken('admin2', ['admin']);
    p.call('users.update', { username: 'admin2', active: 0 });
    expectRefusal(p, 'users.update', { username: 'admin', active: 0 }, { code: 'LAST_ADMIN', field: 'active' });

    // With a second active administrator the first may go.
    p.call('users.update', { username: 'admin2', active: 1 });
    const admin2 = p.login('admin2', 'admin2-pass-1');
    p.call('users.update', { username: 'admin', roles: ['quality_inspector'] });
    expect(userRow(p, 'admin').roles).toBe('["quality_inspector"]');
    expectRefusal(p, 'users.update', { username: 'admin2', active: 0 }, { code: 'LAST_ADMIN', field: 'active' }, admin2);
  });

  test('a user may belong to another site', () => {
    const p = plant();
    const meat = p.call('sites.upsert', { ...FISH_SITE, code: 'BMP', name_en: 'Buryatmyasoprom JSC' });
    const user = p.call('users.create', { username: 'bmp-clerk', display_name: 'x', password: 'password-1', roles: ['inventory_clerk'], site: 'BMP' });
    expect(user.site_id).toBe(meat.id);
    const token = p.login('bmp-clerk', 'password-1');
    expect(p.call('auth.me', {}, token).site.code).toBe('BMP');
  });
});

describe('who did it', () => {
  test('movements and inspections record the acting user', () => {
    const p = plant();
    const op = p.userToken('op', ['operator']);
    const lot = releasedRaw(p);
    const move = p.call('stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 1 }, op);
    expect(move.user_id).toBe(userRow(p, 'op').id);
    expectRefusal(p, 'stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 1 }, { code: 'UNAUTHENTICATED' }, 'stale-token');
  });

  test('users of one site cannot move, consume or write off another site’s stock', () => {
    const p = plant();
    p.call('sites.upsert', { ...FISH_SITE, code: 'BMP', name_en: 'Buryatmyasoprom JSC' });
    p.call('users.create', { username: 'bmp-clerk', display_name: 'x', password: 'password-1', roles: ['inventory_clerk'], site: 'BMP' });
    const meatClerk = p.login('bmp-clerk', 'password-1');
    const lot = releasedRaw(p);
    const error = expectRefusal(p, 'stock.move', { lot, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 1 }, { code: 'OTHER_SITE', field: 'lot' }, meatClerk);
    expect(error.message.en).toContain('BFP');
    expectRefusal(p, 'stock.writeOff', { lot, location: 'BF-QUAR', qty_g: 1, reason: 'x' }, { code: 'OTHER_SITE', field: 'lot' }, meatClerk);
    p.call('users.create', { username: 'bmp-qc', display_name: 'x', password: 'password-1', roles: ['quality_inspector'], site: 'BMP' });
    const meatQc = p.login('bmp-qc', 'password-1');
    expectRefusal(p, 'inspections.open', { lot }, { code: 'OTHER_SITE', field: 'lot' }, meatQc);
    expectRefusal(p, 'lots.block', { code: lot, reason: 'recall' }, { code: 'OTHER_SITE', field: 'code' }, meatQc);
    const batch = p.call('batches.plan', { product: 'OMUL-HS', planned_g: 1000, equipment: 'BF-SMOKER-1', planned_start: p.now, planned_end: p.now + 3_600_000 });
    p.call('users.create', { username: 'bmp-op', display_name: 'x', password: 'password-1', roles: ['operator'], site: 'BMP' });
    expectRefusal(p, 'batches.start', { number: batch.number }, { code: 'OTHER_SITE', field: 'number' }, p.login('bmp-op', 'password-1'));
    // Reading is fine.
    expect(p.call('lots.get', { code: lot }, meatClerk).lot.code).toBe(lot);
  });

  test('a stale token from an expired session does not stop the user logging in again', () => {
    const p = plant();
    const old = p.adminToken;
    p.call('auth.logout', {});
    expectRefusal(p, 'auth.me', {}, { code: 'SESSION_EXPIRED' }, old);
    const again = p.call('auth.login', { username: 'admin', password: 'admin-pass-1' }, old);
    expect(p.call('auth.me', {}, again.token).user.username).toBe('admin');
    expect(p.call('setup.status', {}, old).initialised).toBe(true);
  });

  test('disabling an administrator who is already disabled is not refused as the last admin', () => {
    const p = plant();
    p.userToken('admin2', ['admin']);
    p.call('users.update', { username: 'admin2', active: 0 });
    expect(p.call('users.update', { username: 'admin2', active: 0, display_name: 'Бывший админ' }).display_name).toBe('Бывший админ');
  });
});
