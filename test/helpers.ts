// Test fixtures: real workspace files in temp folders, driven through the public contract.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import type { OperationError, Result } from '../main/contract/errors.js';
import type { OperationName, OperationOutput } from '../main/contract/operations.js';
import type { Role } from '../main/contract/roles.js';
import {
  FISH_EQUIPMENT,
  FISH_LOCATIONS,
  FISH_PRODUCTS,
  FISH_SITE,
  PARTNERS,
  TEMPLATES,
} from '../main/demo/reference.js';
import { deviceActor } from '../main/services/devices.js';
import { Workspace, WORKSPACE_FILE } from '../main/workspace.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

export function tempDir(prefix = 'plantdesk-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const DAY = 86_400_000;
/** 2026-11-02 09:00 UTC: a fixed "now" so dates and expiry are deterministic. */
export const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);

/** A receipt of one line of raw omul from the artel, `net_kg` net, produced at `producedAt`. */
export function omulReceipt(net_kg: number, producedAt: number) {
  return {
    supplier: 'ARTEL-BAIKAL',
    vehicle: 'А123ВС 03',
    lines: [
      {
        product: 'OMUL-RAW',
        location: 'BF-QUAR',
        vet_doc_uuid: '0b3c2f4e-1d2a-4c8b-9e7f-123456789abc',
        catch_area: 'FAO 04, оз. Байкал, Чивыркуйский залив',
        produced_at: producedAt,
        arrival_temp: 2.1,
        gross_g: net_kg * 1000 + 20_000,
        tare_g: 20_000,
        packages: 25,
      },
    ],
  };
}

export class TestPlant {
  now = T0;
  readonly ws: Workspace;
  adminToken = '';
  private readonly tokens = new Map<string, string>();

  constructor(dir = tempDir()) {
    this.ws = Workspace.open(dir, { clock: () => this.now, validateOutputs: true });
    cleanups.push(() => this.ws.close());
  }

  /** Runs an operation and fails the test unless it succeeds. */
  call<N extends OperationName>(name: N, input: unknown, token = this.adminToken): OperationOutput<N> {
    const result = this.ws.invoke(name, input, token ? { token } : null);
    if (!result.ok) throw new Error(`${name} failed: ${result.error.code} ${result.error.message.en} (${result.error.field ?? ''})`);
    return result.value;
  }

  /** Runs an operation that must be refused, and returns the error. */
  refuse(name: OperationName, input: unknown, token = this.adminToken): OperationError {
    const result: Result<unknown> = this.ws.invoke(name, input, token ? { token } : null);
    expect(result.ok, `${name} should have been refused`).toBe(false);
    return (result as { ok: false; error: OperationError }).error;
  }

  /** Runs an operation as one of this PC's devices (the device manager's trusted actor) and fails the test unless it succeeds. */
  callAsDevice<N extends OperationName>(device: string, name: N, input: unknown): OperationOutput<N> {
    const result = this.ws.invokeAs(name, input, deviceActor(this.ws.q, device));
    if (!result.ok) throw new Error(`${name} failed: ${result.error.code} ${result.error.message.en} (${result.error.field ?? ''})`);
    return result.value;
  }

  /** Runs an operation as a device where it must be refused, and returns the error. */
  refuseAsDevice(device: string, name: OperationName, input: unknown): OperationError {
    const result: Result<unknown> = this.ws.invokeAs(name, input, deviceActor(this.ws.q, device));
    expect(result.ok, `${name} should have been refused`).toBe(false);
    return (result as { ok: false; error: OperationError }).error;
  }

  setup(): this {
    this.call('setup.initialise', { site: FISH_SITE, admin: { username: 'admin', display_name: 'Администратор', password: 'admin-pass-1' } }, '');
    this.adminToken = this.call('auth.login', { username: 'admin', password: 'admin-pass-1' }, '').token;
    return this;
  }

  withReference(): this {
    for (const p of FISH_PRODUCTS) this.call('products.upsert', p);
    for (const p of PARTNERS) this.call('partners.upsert', p);
    for (const l of FISH_LOCATIONS) this.call('locations.upsert', l);
    for (const e of FISH_EQUIPMENT) this.call('equipment.upsert', e);
    for (const t of TEMPLATES.filter((t) => !t.product)) this.call('templates.upsert', t);
    return this;
  }

  userToken(username: string, roles: Role[]): string {
    const known = this.tokens.get(username);
    if (known) return known;
    this.call('users.create', { username, display_name: username, password: `${username}-pass-1`, roles });
    const token = this.login(username, `${username}-pass-1`);
    this.tokens.set(username, token);
    return token;
  }

  /** Logs in and returns the new session token. */
  login(username: string, password: string): string {
    return this.call('auth.login', { username, password }, '').token;
  }

  /** Time passes (sessions last 12 h): moves the clock and logs the admin and every test user in again. */
  advance(ms: number): this {
    this.now += ms;
    this.adminToken = this.login('admin', 'admin-pass-1');
    for (const username of this.tokens.keys()) this.tokens.set(username, this.login(username, `${username}-pass-1`));
    return this;
  }

  receiveOmul(net_kg = 500, producedDaysAgo = 1) {
    return this.call('receipts.create', omulReceipt(net_kg, this.now - producedDaysAgo * DAY));
  }


  /** Inspects a lot as the admin with passing values (the deciding stage releases it); returns the inspection number. */
  release(lotCode: string, template?: string): string {
    const inspection = this.call('inspections.open', { lot: lotCode, ...(template ? { template } : {}) });
    const results = inspection.parameters
      .filter((p) => p.required === 1)
      .map((p) => ({
        parameter: p.code,
        value: p.kind === 'numeric' ? passingValue(p.min_value, p.max_value) : p.kind === 'pass_fail' ? true : 'ok',
      }));
    this.call('inspections.record', { number: inspection.number, results });
    const done = this.call('inspections.complete', { number: inspection.number });
    expect(done.verdict).toBe('pass');
    return done.number;
  }

  /** The HACCP second signature: a quality inspector other than the admin verifies the inspection. */
  verify(number: string): void {
    const verified = this.call('inspections.verify', { number }, this.userToken('verifier', ['quality_inspector']));
    expect(verified.verifier).toBe('verifier');
  }

  /** Everything a test can see of the workspace, to prove a refused operation changed nothing. */
  snapshot(): Record<string, unknown[]> {
    const tables = this.ws.q.sql<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'sessions' ORDER BY name",
    );
    return Object.fromEntries(tables.map(({ name }) => [name, this.ws.q.sql(`SELECT * FROM "${name}" ORDER BY 1`)]));
  }
}

function passingValue(min: number | null, max: number | null): number {
  if (min !== null && max !== null) return (min + max) / 2;
  if (min !== null) return min + 1;
  if (max !== null) return max - 1;
  return 1;
}

// Setting up a plant (scrypt hashes, reference data) is the slow part of every test, so each
// worker builds it once into a template file and every test gets its own copy of that file.
let template: { file: string; adminToken: string } | undefined;

function plantTemplate(): { file: string; adminToken: string } {
  if (!template) {
    const dir = mkdtempSync(join(tmpdir(), 'plantdesk-template-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const p = new TestPlant(dir).setup().withReference();
    p.ws.close(); // checkpoints the WAL into the main file
    template = { file: join(dir, WORKSPACE_FILE), adminToken: p.adminToken };
  }
  return template;
}

/** A set-up plant (site, admin logged in, fish reference data and generic templates) in its own file. */
export function plant(): TestPlant {
  const { file, adminToken } = plantTemplate();
  const dir = tempDir();
  copyFileSync(file, join(dir, WORKSPACE_FILE));
  const p = new TestPlant(dir);
  p.adminToken = adminToken;
  return p;
}

export interface Refusal {
  code: OperationError['code'];
  /** The input field the error must name; omitted means the error must name none. */
  field?: string;
}

/**
 * Asserts a refusal the way a user meets it: the expected code, a readable message in both
 * languages with every placeholder filled, the field to highlight, and a workspace that is
 * exactly as it was before.
 */
export function expectRefusal(p: TestPlant, name: OperationName, input: unknown, expected: Refusal, token = p.adminToken): OperationError {
  const before = p.snapshot();
  const error = p.refuse(name, input, token);
  expectReadable(error, expected);
  expect(p.snapshot()).toEqual(before);
  return error;
}

export function expectReadable(error: OperationError, expected: Refusal): void {
  expect(error.code, `${error.code}: ${error.message.en}`).toBe(expected.code);
  expect(error.field, `field of ${error.code}: ${error.message.en}`).toBe(expected.field);
  expect(error.message.ru.trim()).not.toBe('');
  expect(error.message.en.trim()).not.toBe('');
  expect(error.message.ru).toMatch(/[А-Яа-яЁё]/);
  expect(error.message.en).toMatch(/[A-Za-z]/);
  expect(error.message.ru).not.toMatch(/\{\w+\}/);
  expect(error.message.en).not.toMatch(/\{\w+\}/);
}
