// Setup, sessions and users. Passwords: scrypt (node:crypto) with a per-user salt; session
// tokens are random and only their SHA-256 is stored.
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { permissionsOf, ROLES, type Role } from '../contract/roles.js';
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import { newId } from '../core/ids.js';
import { qb, type QueryRunner } from '../db/query.js';
import { LATEST_VERSION } from '../db/migrations.js';
import type { UserRow } from '../db/schema.js';
import type { Actor, Tx } from '../db/tx.js';
import { byCode, nullify } from './common.js';
import type { Handlers } from './handler.js';

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };
export const SESSION_TTL_MS = 12 * 3_600_000; // one long shift

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function rolesOf(user: Pick<UserRow, 'roles'>): Role[] {
  const parsed: unknown = JSON.parse(user.roles);
  return Array.isArray(parsed) ? parsed.filter((r): r is Role => (ROLES as readonly string[]).includes(r)) : [];
}

export function actorOf(user: UserRow): Actor {
  const roles = rolesOf(user);
  return { userId: user.id, username: user.username, siteId: user.site_id, roles, permissions: permissionsOf(roles) };
}

export function userView(user: UserRow) {
  return {
    id: user.id,
    site_id: user.site_id,
    username: user.username,
    display_name: user.display_name,
    roles: rolesOf(user),
    active: user.active,
  };
}

export function homeSiteId(q: QueryRunner): string | null {
  return q.first(qb.selectFrom('workspace').select('home_site_id'))?.home_site_id ?? null;
}

function userByName(tx: Tx, username: string): UserRow | undefined {
  return tx.q.first(qb.selectFrom('users').selectAll().where('username', '=', username));
}

// Checked against for unknown user names, so a login costs one scrypt whether or not the name exists.
let dummyHash: string | undefined;

/** Checks a user name and password; used by login and by the CLI. */
export function authenticate(tx: Tx, username: string, password: string): UserRow {
  const user = userByName(tx, username);
  dummyHash ??= hashPassword('not a password of anyone');
  const ok = verifyPassword(password, user?.password_hash ?? dummyHash) && user !== undefined;
  if (!ok || !user || user.active !== 1) throw new DomainError('BAD_CREDENTIALS', {}, 'password');
  return user;
}

function activeAdmins(tx: Tx): UserRow[] {
  return tx.q
    .all(qb.selectFrom('users').selectAll().where('active', '=', 1))
    .filter((u) => rolesOf(u).includes('admin'));
}

export const userHandlers: Handlers<
  | 'setup.status'
  | 'setup.initialise'
  | 'auth.login'
  | 'auth.logout'
  | 'auth.me'
  | 'auth.changePassword'
  | 'users.list'
  | 'users.create'
  | 'users.update'
> = {
  'setup.status'(tx) {
    const home = homeSiteId(tx.q);
    const site = home ? tx.q.first(qb.selectFrom('sites').select('code').where('id', '=', home)) : undefined;
    return { initialised: home !== null, site_code: site?.code ?? null, schema_version: LATEST_VERSION };
  },

  'setup.initialise'(tx, input) {
    if (homeSiteId(tx.q) !== null) throw new DomainError('SETUP_DONE');
    const siteId = newId();
    tx.actor = { ...tx.actor, siteId, username: input.admin.username };
    tx.q.sqlRun(
      'INSERT INTO workspace (id, workspace_id, home_site_id, station_code, created_at) VALUES (1, ?, ?, ?, ?)',
      newId(),
      siteId,
      input.station_code,
      tx.now,
    );
    const site = tx.insert('sites', { id: siteId, site_id: siteId, ...nullify(input.site), active: 1, country: input.site.country });
    const admin = tx.insert('users', {
      username: input.admin.username,
      display_name: input.admin.display_name,
      password_hash: hashPassword(input.admin.password),
      roles: JSON.stringify(['admin']),
      active: 1,
    });
    tx.actor = actorOf(admin);
    return { site, admin: userView(admin) };
  },

  'auth.login'(tx, input) {
    const user = authenticate(tx, input.username, input.password);
    const token = randomBytes(32).toString('base64url');
    const expires = tx.now + SESSION_TTL_MS;
    tx.q.sqlRun(
      'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      tokenHash(token),
      user.id,
      tx.now,
      expires,
    );
    tx.actor = actorOf(user);
    return { token, expires_at: expires, user: userView(user), permissions: [...tx.actor.permissions] };
  },

  'auth.logout'(tx) {
    if (tx.sessionTokenHash) {
      tx.q.sqlRun('UPDATE sessions SET revoked_at = ? WHERE token_hash = ?', tx.now, tx.sessionTokenHash);
    }
    return { ok: true as const };
  },

  'auth.me'(tx) {
    const user = userByName(tx, tx.actor.username);
    if (!user) throw new DomainError('UNAUTHENTICATED');
    const site = tx.q.first(qb.selectFrom('sites').selectAll().where('id', '=', user.site_id));
    if (!site) throw new DomainError('WORKSPACE_NOT_INITIALISED');
    return { user: userView(user), permissions: [...tx.actor.permissions], site };
  },

  'auth.changePassword'(tx, input) {
    const user = userByName(tx, tx.actor.username);
    if (!user || !verifyPassword(input.current, user.password_hash)) throw new DomainError('BAD_CREDENTIALS', {}, 'current');
    tx.update('users', user, { password_hash: hashPassword(input.next) });
    // Other sessions (another PC, a lost tablet) end; this one goes on.
    tx.q.sqlRun(
      'UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND token_hash != ?',
      tx.now,
      user.id,
      tx.sessionTokenHash ?? '',
    );
    return { ok: true as const };
  },

  'users.list'(tx) {
    return { rows: tx.q.all(qb.selectFrom('users').selectAll().orderBy('username')).map(userView) };
  },

  'users.create'(tx, input) {
    if (userByName(tx, input.username)) {
      throw new DomainError('DUPLICATE', { entity: say('Пользователь', 'User'), key: input.username }, 'username');
    }
    const siteId = input.site ? byCode(tx, 'sites', input.site, 'site').id : tx.actor.siteId;
    const user = tx.insert('users', {
      site_id: siteId,
      username: input.username,
      display_name: input.display_name,
      password_hash: hashPassword(input.password),
      roles: JSON.stringify([...new Set(input.roles)]),
      active: 1,
    });
    return userView(user);
  },

  'users.update'(tx, input) {
    const user = userByName(tx, input.username);
    if (!user) throw new DomainError('NOT_FOUND', { entity: say('Пользователь', 'User'), key: input.username }, 'username');
    const patch: Partial<UserRow> = {};
    if (input.display_name !== undefined) patch.display_name = input.display_name;
    if (input.roles !== undefined) patch.roles = JSON.stringify([...new Set(input.roles)]);
    if (input.active !== undefined) patch.active = input.active;
    if (input.password !== undefined) patch.password_hash = hashPassword(input.password);
    const losesAdmin =
      user.active === 1 &&
      rolesOf(user).includes('admin') &&
      (input.active === 0 || (input.roles !== undefined && !input.roles.includes('admin')));
    if (losesAdmin && activeAdmins(tx).length <= 1) throw new DomainError('LAST_ADMIN', {}, input.active === 0 ? 'active' : 'roles');
    const updated = tx.update('users', user, patch);
    if (input.active === 0 || input.password !== undefined) {
      tx.q.sqlRun('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', tx.now, user.id);
    }
    return userView(updated);
  },
};
