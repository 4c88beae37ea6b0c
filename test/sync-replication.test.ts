// Replication end to end against a real PostgreSQL: two plants and headquarters, a week of
// offline work caught up in small batches, a network that cuts connections, a restarted central
// database, a PC killed mid-push, version and clock mismatches, ownership and refused batches.
// One PostgreSQL server for the file; each test has its own central database and sync service.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatHlc, type PushRequest } from '../main/contract/sync.js';
import { DomainError } from '../main/core/domain-error.js';
import { LATEST_VERSION } from '../main/db/migrations.js';
import { PARTNERS } from '../main/demo/reference.js';
import { createToken, listConflicts } from '../main/hq/admin.js';
import { HqClient } from '../main/sync/hq-client.js';
import { nextPushBatch, syncIdentity, syncState } from '../main/sync/local.js';
import { bootstrapWorkspace, configuredClient, synchronise, type SyncOptions, type SyncReport } from '../main/sync/sync.js';
import { Workspace } from '../main/workspace.js';
import { DAY, tempDir, TestPlant } from './helpers.js';
import { startPostgres, type TestPostgres } from './hq-postgres.js';
import {
  capturedChanges,
  expectSiteEqual,
  fishPlant,
  freshCentral,
  hqLastSeq,
  hqPlant,
  hqProduct,
  localLastSeq,
  meatPlant,
  missingAtHq,
  originId,
  pending,
  receiveBeef,
  siteId,
  sleep,
  tokenFor,
  type Captured,
  type Central,
} from './sync-fixtures.js';
import { startFlakyProxy } from './tcp-proxy.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let pgs: TestPostgres;
beforeAll(async () => {
  pgs = await startPostgres();
}, 120_000);
afterAll(async () => {
  await pgs?.stop();
});

/** Runs `work` against a new central database and sync service, closed afterwards. */
async function withCentral<T>(work: (c: Central) => Promise<T>, options: Parameters<typeof freshCentral>[1] = {}): Promise<T> {
  const c = await freshCentral(pgs.url, options);
  try {
    return await work(c);
  } finally {
    await c.close();
  }
}

const sync = (p: TestPlant, client: HqClient, options: SyncOptions = {}): Promise<SyncReport> => synchronise(p.ws.db, client, options);

/** A second PC of the site: a workspace bootstrapped from headquarters' snapshot, its admin logged in. */
async function secondPc(c: Central, token: string, siteCode: string, station: string): Promise<TestPlant> {
  const dir = tempDir();
  const report = await bootstrapWorkspace(dir, { url: c.hq.url, token, siteCode, station });
  expect(report.rows).toBeGreaterThan(0);
  const pc = new TestPlant(dir);
  pc.adminToken = pc.login('admin', 'admin-pass-1');
  return pc;
}

/** The lowest change this PC still holds minus one: everything up to it was acknowledged and forgotten. */
function forgottenUpTo(db: SqliteDatabase): number {
  const row = db.prepare('SELECT MIN(origin_seq) AS first FROM change_log').get() as { first: number | null };
  return row.first === null ? localLastSeq(db) : row.first - 1;
}

/** After a completed sync: nothing waits, headquarters' cursor is this PC's last change, every captured change arrived. */
async function expectFullyReplicated(db: SqliteDatabase, c: Central, captured: readonly Captured[]): Promise<void> {
  expect(pending(db)).toBe(0);
  const origin = (db.prepare('SELECT workspace_id FROM workspace WHERE id = 1').get() as { workspace_id: string }).workspace_id;
  expect(await hqLastSeq(c, origin)).toBe(localLastSeq(db));
  expect(await missingAtHq(c, captured)).toEqual([]);
}

function stockOf(p: TestPlant) {
  return p.ws.q.sql('SELECT lot_id, location_id, product_id, qty_g FROM stock ORDER BY lot_id, location_id');
}

function rowsOfOtherSites(p: TestPlant, tables: string[]): Record<string, number> {
  const mine = siteId(p);
  return Object.fromEntries(tables.map((t) => [t, p.ws.q.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t} WHERE site_id <> ?`, mine)[0]!.n]));
}

/** Retries a synchronisation through a bad network until it completes, as the sync service does. */
async function retryUntilDone(run: () => Promise<SyncReport>, maxAttempts = 400): Promise<{ report: SyncReport; failures: string[] }> {
  const failures: string[] = [];
  for (;;) {
    try {
      return { report: await run(), failures };
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect(['HQ_UNREACHABLE', 'SYNC_FAILED']).toContain((error as DomainError).code);
      failures.push((error as DomainError).code);
      if (failures.length >= maxAttempts) throw error;
    }
  }
}

describe('replication', () => {
  test('two plants and headquarters: reference data and every site card reach all, lots stay with their site; a second PC of a site', async () => {
    await withCentral(async (c) => {
      const hq = hqPlant();
      const fish = fishPlant();
      const meat = meatPlant();
      const hqClient = await tokenFor(c, 'headquarters', true);
      const fishKey = (await createToken(c.url, 'fish plant', false)).token;
      const fishClient = new HqClient(c.hq.url, fishKey);
      const meatClient = await tokenFor(c, 'meat plant');

      const salt = hq.call('products.upsert', hqProduct('HQ-SALT'));
      const carrier = hq.call('partners.upsert', { code: 'HQ-CARRIER', is_supplier: 1, name_ru: 'Перевозчик центрального офиса', country: 'RU' });
      const omul = fish.receiveOmul(300);
      fish.receiveOmul(200);
      fish.call('stock.move', { lot: omul.lines[0]!.lot_code, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 100_000 });
      receiveBeef(meat, 150);
      receiveBeef(meat, 90);

      // Round one: each pushes (headquarters first); round two: each pulls what the later ones pushed.
      for (let round = 0; round < 2; round++) {
        await sync(hq, hqClient);
        await sync(fish, fishClient);
        await sync(meat, meatClient);
      }
      const [hqSite, fishSite, meatSite] = [siteId(hq), siteId(fish), siteId(meat)];

      // Headquarters' reference data and every site's card are everywhere.
      for (const p of [fish, meat]) {
        expect(p.ws.q.sql('SELECT id, site_id, code FROM products WHERE code = ?', 'HQ-SALT')).toEqual([{ id: salt.id, site_id: hqSite, code: 'HQ-SALT' }]);
        expect(p.ws.q.sql('SELECT id FROM partners WHERE code = ?', 'HQ-CARRIER')).toEqual([{ id: carrier.id }]);
      }
      for (const p of [hq, fish, meat]) expect(p.ws.q.sql<{ id: string }>('SELECT id FROM sites ORDER BY id').map((r) => r.id)).toEqual([hqSite, fishSite, meatSite].sort());
      // …but a site's own data stays with it: no lot, receipt, movement, user or location of another site.
      const siteTables = ['lots', 'receipts', 'receipt_lines', 'movements', 'users', 'locations', 'equipment'];
      for (const p of [hq, fish, meat]) expect(rowsOfOtherSites(p, siteTables)).toEqual(Object.fromEntries(siteTables.map((t) => [t, 0])));
      // A site can use headquarters' partner as its own supplier.
      meat.call('receipts.create', { supplier: 'HQ-CARRIER', lines: [{ product: 'BEEF-HALF', location: 'BM-CR1', produced_at: meat.now - DAY, gross_g: 50_000 }] });
      await sync(meat, meatClient);

      // Headquarters' database has everything, each site's rows exactly as the site has them.
      const counts = await c.pg.query<{ site_id: string; n: string }>('SELECT site_id, count(*) AS n FROM lots GROUP BY site_id');
      expect(Object.fromEntries(counts.rows.map((r) => [r.site_id, Number(r.n)]))).toEqual({ [fishSite]: 2, [meatSite]: 3 });
      await expectSiteEqual(hq.ws.db, c, hqSite);
      await expectSiteEqual(fish.ws.db, c, fishSite);
      await expectSiteEqual(meat.ws.db, c, meatSite);

      // A second PC of the fish plant starts from headquarters' snapshot: its data, stock and users.
      const pc2 = await secondPc(c, fishKey, 'BFP', '2');
      expect(stockOf(pc2)).toEqual(stockOf(fish));
      expect(stockOf(pc2).length).toBe(3);
      expect(pc2.ws.q.sql('SELECT id FROM products WHERE code = ?', 'HQ-SALT')).toEqual([{ id: salt.id }]);
      expect(rowsOfOtherSites(pc2, siteTables)).toEqual(Object.fromEntries(siteTables.map((t) => [t, 0])));
      await expectSiteEqual(pc2.ws.db, c, fishSite);

      // Its own writes reach the first PC through headquarters.
      const fromPc2 = pc2.receiveOmul(77);
      pc2.call('stock.move', { lot: fromPc2.lines[0]!.lot_code, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 7_000 });
      expect(fromPc2.lines[0]!.lot_code).not.toBe(omul.lines[0]!.lot_code);
      await sync(pc2, configuredClient(pc2.ws.db));
      const report = await sync(fish, fishClient);
      expect(report.pulled).toBeGreaterThanOrEqual(5); // receipt, line, lot, two movements
      expect(fish.call('lots.get', { code: fromPc2.lines[0]!.lot_code }).stock.sort((x, y) => x.location_code.localeCompare(y.location_code))).toEqual([
        { location_code: 'BF-CR1', qty_g: 7_000 },
        { location_code: 'BF-QUAR', qty_g: 70_000 },
      ]);
      expect(stockOf(fish)).toEqual(stockOf(pc2));
      await expectSiteEqual(fish.ws.db, c, fishSite);
      await expectSiteEqual(pc2.ws.db, c, fishSite);
      const pc2Lot = pc2.ws.q.sql<{ id: string; site_id: string }>('SELECT id, site_id FROM lots WHERE code = ?', fromPc2.lines[0]!.lot_code)[0]!;
      expect((await c.pg.query('SELECT site_id, hq_origin FROM lots WHERE id = $1', [pc2Lot.id])).rows).toEqual([{ site_id: fishSite, hq_origin: originId(pc2) }]);
      // Meat knows nothing of it.
      expect(rowsOfOtherSites(meat, siteTables)).toEqual(Object.fromEntries(siteTables.map((t) => [t, 0])));
    });
  });

  test('a week offline at two plants (and a second fish PC), caught up in small batches and pages: equal rows, no duplicate, no loss', async () => {
    await withCentral(async (c) => {
      const fish = fishPlant();
      const meat = meatPlant();
      const fishKey = (await createToken(c.url, 'fish plant', false)).token;
      const fishClient = new HqClient(c.hq.url, fishKey);
      const meatClient = await tokenFor(c, 'meat plant');
      await sync(fish, fishClient);
      await sync(meat, meatClient);
      const pc2 = await secondPc(c, fishKey, 'BFP', '2');
      const pc2Client = configuredClient(pc2.ws.db);
      await sync(pc2, pc2Client);

      // Seven days without a connection: receipts and moves every day at every PC.
      for (let day = 1; day <= 7; day++) {
        for (const p of [fish, meat, pc2]) p.advance(DAY);
        for (let i = 0; i < 24; i++) {
          const a = fish.receiveOmul(100 + i);
          fish.call('stock.move', { lot: a.lines[0]!.lot_code, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 10_000 + i });
          const b = receiveBeef(meat, 100 + i);
          meat.call('stock.move', { lot: b.lines[0]!.lot_code, from: 'BM-CR1', to: 'BM-FZ1', qty_g: 20_000 + i });
          const d = pc2.receiveOmul(50 + i);
          if (i % 3 === 0) pc2.call('stock.adjust', { lot: d.lines[0]!.lot_code, location: 'BF-QUAR', delta_g: -(1_000 + i), reason: 'инвентаризация' });
        }
        if (day % 2 === 0) fish.call('partners.upsert', { ...PARTNERS[0]!, name_ru: `Артель «Байкал», день ${day}` });
      }
      const captured = { fish: capturedChanges(fish.ws.db), meat: capturedChanges(meat.ws.db), pc2: capturedChanges(pc2.ws.db) };
      const total = captured.fish.length + captured.meat.length + captured.pc2.length;
      expect(total).toBeGreaterThan(2000);

      const small: SyncOptions = { pushRows: 80, pullRows: 50 };
      const fishFirst = await sync(fish, fishClient, small);
      expect(fishFirst.batches).toBeGreaterThanOrEqual(Math.ceil(captured.fish.length / 80));
      await sync(meat, meatClient, small);
      const pc2Report = await sync(pc2, pc2Client, small);
      expect(pc2Report.pages).toBeGreaterThan(captured.fish.length / 50); // everything fish wrote, page by page
      const fishPull = await sync(fish, fishClient, small);
      expect(fishPull.pages).toBeGreaterThan(captured.pc2.length / 50);
      expect(fishPull.pulled).toBeGreaterThanOrEqual(new Set(captured.pc2.map((x) => x.id)).size);

      await expectFullyReplicated(fish.ws.db, c, captured.fish);
      await expectFullyReplicated(meat.ws.db, c, captured.meat);
      await expectFullyReplicated(pc2.ws.db, c, captured.pc2);
      const fishSite = siteId(fish);
      const fishDigest = await expectSiteEqual(fish.ws.db, c, fishSite);
      expect(fishDigest.central.lots!.rows).toBe(2 * 7 * 24);
      expect((await expectSiteEqual(pc2.ws.db, c, fishSite)).local).toEqual(fishDigest.local);
      expect((await expectSiteEqual(meat.ws.db, c, siteId(meat))).central.movements!.rows).toBe(7 * 24 * 2);
      expect(stockOf(fish)).toEqual(stockOf(pc2));
      expect(fish.ws.q.sql('SELECT name_ru FROM partners WHERE code = ?', 'ARTEL-BAIKAL')).toEqual([{ name_ru: 'Артель «Байкал», день 6' }]);
      // No row of a site twice at headquarters under another id either: the lot codes are unique per site.
      const dupCodes = await c.pg.query('SELECT site_id, code FROM lots GROUP BY site_id, code HAVING count(*) > 1');
      expect(dupCodes.rows).toEqual([]);
    });
  });

  test('a network that cuts connections at random points: retried until done, nothing lost or duplicated', async () => {
    const hqLog: string[] = [];
    let proxyStats = { answersLost: 0 };
    await withCentral(async (c) => {
      const fish = fishPlant();
      const key = (await createToken(c.url, 'fish plant', false)).token;
      await sync(fish, new HqClient(c.hq.url, key));
      const pc2 = await secondPc(c, key, 'BFP', '2');
      for (let i = 0; i < 160; i++) {
        const r = fish.receiveOmul(100 + i);
        if (i % 2 === 0) fish.call('stock.move', { lot: r.lines[0]!.lot_code, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 5_000 });
      }
      const captured = capturedChanges(fish.ws.db);
      expect(captured.length).toBeGreaterThan(700);

      const proxy = await startFlakyProxy(c.hq.port, { seed: 20261123, maxBytes: 30_000, loseAnswer: 0.4, loseFirstPushAnswer: true });
      try {
        const viaProxy = new HqClient(proxy.url, key);
        const pushed = await retryUntilDone(() => sync(fish, viaProxy, { pushRows: 40, pullRows: 40 }));
        expect(pushed.failures.length).toBeGreaterThan(0);
        const pulled = await retryUntilDone(() => sync(pc2, viaProxy, { pushRows: 40, pullRows: 40 }));
        expect(proxy.stats.cut).toBeGreaterThanOrEqual(3);
        expect(proxy.stats.cutUp + proxy.stats.cutDown).toBe(proxy.stats.cut);
        proxyStats = { ...proxy.stats };
        expect(pushed.failures.length + pulled.failures.length).toBeLessThanOrEqual(proxy.stats.cut + proxy.stats.answersLost);
      } finally {
        await proxy.close();
      }
      await expectFullyReplicated(fish.ws.db, c, captured);
      const site = siteId(fish);
      const digest = await expectSiteEqual(fish.ws.db, c, site);
      expect((await expectSiteEqual(pc2.ws.db, c, site)).local).toEqual(digest.local);
      expect(stockOf(pc2)).toEqual(stockOf(fish));
      expect(syncState(pc2.ws.db).last_error_code).toBeNull();
      // An answer lost after headquarters committed: the batch came again and was skipped, not applied twice.
      expect(proxyStats.answersLost).toBeGreaterThan(0);
      expect(hqLog.filter((line) => /^push .*: 0 applied, [1-9]\d* skipped/.test(line)).length).toBeGreaterThan(0);
    }, { log: (l) => hqLog.push(l) });
  });

  test('the central database restarted during a long push: a clear error, nothing forgotten that was not committed, the retry completes', async () => {
    const log: string[] = [];
    await withCentral(
      async (c) => {
        const fish = fishPlant();
        for (let i = 0; i < 200; i++) fish.receiveOmul(100 + i);
        const captured = capturedChanges(fish.ws.db);
        const client = await tokenFor(c, 'fish plant');
        let restarting: Promise<void> | undefined;
        const failure = await sync(fish, client, {
          pushRows: 5,
          onProgress: (p) => {
            if (p.pushed >= 50 && !restarting) restarting = pgs.restart();
          },
        }).then(
          () => undefined,
          (error: unknown) => error,
        );
        await restarting;
        expect(restarting, 'the push ended before the restart began').toBeDefined();
        expect(failure).toBeInstanceOf(DomainError);
        const error = failure as DomainError;
        expect(['SYNC_FAILED', 'HQ_UNREACHABLE']).toContain(error.code);
        expect(error.message).toMatch(/central database .* is not available|cannot be reached|answer was cut off/);
        expect(error.message).not.toContain('hq-test-password');
        expect(syncState(fish.ws.db).last_error_code).toBe(error.code);

        // Forgotten here only what headquarters committed.
        const origin = originId(fish);
        const committed = await hqLastSeq(c, origin);
        expect(forgottenUpTo(fish.ws.db)).toBeGreaterThanOrEqual(50);
        expect(forgottenUpTo(fish.ws.db)).toBeLessThanOrEqual(committed);
        expect(pending(fish.ws.db)).toBeGreaterThan(0);
        expect(await missingAtHq(c, captured.filter((x) => x.seq <= committed))).toEqual([]);

        // The same sync service (its pool) carries on once the database is back.
        const remaining = pending(fish.ws.db);
        const report = await sync(fish, client, { pushRows: 50 });
        expect(report.pushed).toBe(remaining);
        await expectFullyReplicated(fish.ws.db, c, captured);
        await expectSiteEqual(fish.ws.db, c, siteId(fish));
        expect(syncState(fish.ws.db).last_error_code).toBeNull();
      },
      { log: (line) => log.push(line) },
    );
    expect(log.some((line) => /central database connection lost|terminat|ECONNREFUSED|not available/i.test(line))).toBe(true);
  });

  test('a PC killed in the middle of a push: reopened, the next sync completes without duplicates or losses', async () => {
    await withCentral(async (c) => {
      const fish = fishPlant();
      for (let i = 0; i < 250; i++) {
        const r = fish.receiveOmul(100 + i);
        fish.call('stock.move', { lot: r.lines[0]!.lot_code, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 1_000 });
      }
      const captured = capturedChanges(fish.ws.db);
      const origin = originId(fish);
      const site = siteId(fish);
      const dir = fish.ws.dir;
      fish.ws.close();
      const { token } = await createToken(c.url, 'fish plant', false);

      const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/sync-child.ts', dir, c.hq.url, token, '8'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      const deadline = Date.now() + 30_000;
      while ((await hqLastSeq(c, origin)) === 0) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the child never pushed: ${out} ${err}`);
        await sleep(5);
      }
      await sleep(40); // a few batches more, then the plug
      child.kill('SIGKILL');
      await exited;
      expect(out).not.toMatch(/^done/m);

      const ws = Workspace.open(dir);
      try {
        const acked = await hqLastSeq(c, origin);
        expect(acked).toBeGreaterThan(0);
        expect(pending(ws.db)).toBeGreaterThan(0);
        expect(forgottenUpTo(ws.db)).toBeLessThanOrEqual(acked);
        const report = await synchronise(ws.db, new HqClient(c.hq.url, token), { pushRows: 200 });
        expect(report.pending).toBe(0);
        await expectFullyReplicated(ws.db, c, captured);
        await expectSiteEqual(ws.db, c, site);
      } finally {
        ws.close();
      }
    });
  });

  test('schema versions: two behind is told to update and keeps its changes, one behind is accepted, one ahead is told headquarters is older', async () => {
    await withCentral(async (c) => {
      const fish = fishPlant();
      fish.receiveOmul();
      const client = await tokenFor(c, 'fish plant');
      const before = fish.ws.q.sql('SELECT * FROM change_log ORDER BY seq');
      const nothingAtHq = async () => {
        expect((await c.pg.query('SELECT * FROM hq_origins')).rows).toEqual([]);
        expect((await c.pg.query('SELECT id FROM lots UNION ALL SELECT id FROM sites')).rows).toEqual([]);
      };

      await expect(sync(fish, client, { schemaVersion: LATEST_VERSION - 2 })).rejects.toMatchObject({ code: 'SYNC_CLIENT_TOO_OLD' });
      expect(fish.ws.q.sql('SELECT * FROM change_log ORDER BY seq')).toEqual(before);
      const old = syncState(fish.ws.db);
      expect(old).toMatchObject({ update_required: 1, last_error_code: 'SYNC_CLIENT_TOO_OLD', last_success_at: null });
      expect(old.last_error_en).toMatch(/Update PlantDesk/);
      expect(old.last_error_en).toContain(`schema ${LATEST_VERSION - 2}`);
      expect(old.last_error_ru).toMatch(/Обновите PlantDesk/);
      await nothingAtHq();

      await expect(sync(fish, client, { schemaVersion: LATEST_VERSION + 1 })).rejects.toMatchObject({ code: 'SYNC_SERVER_TOO_OLD' });
      expect(fish.ws.q.sql('SELECT * FROM change_log ORDER BY seq')).toEqual(before);
      expect(syncState(fish.ws.db)).toMatchObject({ update_required: 0, last_error_code: 'SYNC_SERVER_TOO_OLD' });
      await nothingAtHq();

      const report = await sync(fish, client, { schemaVersion: LATEST_VERSION - 1 });
      expect(report.pushed).toBe(before.length);
      expect(syncState(fish.ws.db)).toMatchObject({ update_required: 0, last_error_code: null });
      expect((await c.pg.query('SELECT schema_version FROM hq_origins')).rows).toEqual([{ schema_version: LATEST_VERSION - 1 }]);
      await expectFullyReplicated(fish.ws.db, c, before.map((r) => ({ seq: (r as { origin_seq: number }).origin_seq, table: (r as { table_name: string }).table_name, id: (r as { row_id: string }).row_id })));
      await expectSiteEqual(fish.ws.db, c, siteId(fish));
    });
  });

  describe('clocks ±24 h: two PCs of one site edit the same partner', () => {
    // Headquarters' clock and each PC's clock move by hand; every exchange tells a PC the offset.
    let t = Date.UTC(2026, 10, 2, 9, 0, 0);
    const name = (p: TestPlant) => p.ws.q.sql<{ name_ru: string }>('SELECT name_ru FROM partners WHERE code = ?', 'ARTEL-BAIKAL')[0]!.name_ru;
    const central = async (c: Central, site: string) =>
      (await c.pg.query<{ name_ru: string; hq_origin: string }>('SELECT name_ru, hq_origin FROM partners WHERE code = $1 AND site_id = $2', ['ARTEL-BAIKAL', site])).rows;
    const edit = (p: TestPlant, value: string) => p.call('partners.upsert', { ...PARTNERS[0]!, name_ru: value });
    /** Moves the PC's clock to `at` (logging in again: sessions last 12 h). */
    const setClock = (p: TestPlant, at: number) => p.advance(at - p.now);

    test('a fast PC cannot win by its clock; the later edit wins, the earlier one is logged as older; a slow PC corrected by the learned offset wins with its later edit', async () => {
      await withCentral(
        async (c) => {
          const a = fishPlant();
          const key = (await createToken(c.url, 'fish plant', false)).token;
          const client = new HqClient(c.hq.url, key);
          const syncA = () => synchronise(a.ws.db, client, { now: () => a.now });
          await syncA();
          const b = await secondPc(c, key, 'BFP', '2');
          setClock(b, t);
          const syncB = () => synchronise(b.ws.db, client, { now: () => b.now });
          await syncB(); // learns its offset (0) from headquarters
          expect(syncState(b.ws.db).clock_offset_ms).toBe(0);
          const site = siteId(a);

          // 1. A's clock jumps a day ahead after its last exchange; A edits first and syncs.
          t += HOUR;
          setClock(a, t + DAY);
          setClock(b, t);
          edit(a, 'A: быстрые часы');
          const aFirst = await syncA();
          expect(aFirst.conflicts).toEqual([]);
          expect(syncState(a.ws.db).clock_offset_ms).toBe(-DAY); // learned
          // B edits a minute later (true time) and syncs: its version wins, the day-fast clock does not.
          t += MINUTE;
          setClock(a, t + DAY);
          setClock(b, t);
          edit(b, 'B: позже');
          const bWins = await syncB();
          expect(bWins.conflicts).toEqual([]);
          expect(await central(c, site)).toEqual([{ name_ru: 'B: позже', hq_origin: originId(b) }]);
          await syncA();
          expect(name(a)).toBe('B: позже');

          // 2. A (fast, offset learned) edits first; B edits later but syncs first; A's earlier edit arrives last and loses.
          t += MINUTE;
          setClock(a, t + DAY);
          edit(a, 'A: раньше');
          t += MINUTE;
          setClock(b, t);
          edit(b, 'B: позже, отправлено первым');
          expect((await syncB()).conflicts).toEqual([]);
          t += MINUTE;
          setClock(a, t + DAY);
          const aLoses = await syncA();
          expect(aLoses.conflicts).toEqual([expect.objectContaining({ table: 'partners', reason: 'older', kept_origin: originId(b) })]);
          expect(await central(c, site)).toEqual([{ name_ru: 'B: позже, отправлено первым', hq_origin: originId(b) }]);
          expect(name(a)).toBe('B: позже, отправлено первым'); // pulled back in the same exchange
          const logged = a.ws.q.sql<{ side: string; reason: string; table_name: string }>('SELECT side, reason, table_name FROM sync_conflicts');
          expect(logged).toEqual([{ side: 'hq', reason: 'older', table_name: 'partners' }]);
          const atHq = await listConflicts(c.url, 10);
          expect(atHq).toEqual([expect.objectContaining({ table_name: 'partners', reason: 'older', lost_origin: originId(a), kept_origin: originId(b) })]);
          expect(atHq[0]!.lost_data).toMatchObject({ name_ru: 'A: раньше', site_id: site });
          await syncB();
          expect(name(b)).toBe('B: позже, отправлено первым');

          // 3. B's clock goes a day slow; it syncs once (learns +24 h). A edits and syncs; B edits later and wins.
          t += MINUTE;
          setClock(b, t - DAY);
          await syncB();
          expect(syncState(b.ws.db).clock_offset_ms).toBe(DAY);
          t += MINUTE;
          setClock(a, t + DAY);
          edit(a, 'A: до медленного');
          expect((await syncA()).conflicts).toEqual([]);
          t += MINUTE;
          setClock(b, t - DAY);
          edit(b, 'B: медленные часы, позже');
          expect((await syncB()).conflicts).toEqual([]);
          expect(await central(c, site)).toEqual([{ name_ru: 'B: медленные часы, позже', hq_origin: originId(b) }]);
          await syncA();
          expect(name(a)).toBe('B: медленные часы, позже');
          expect(name(b)).toBe('B: медленные часы, позже');
          expect(await listConflicts(c.url, 10)).toHaveLength(1);
          await expectSiteEqual(a.ws.db, c, site);
          await expectSiteEqual(b.ws.db, c, site);
        },
        { now: () => t },
      );
    });
  });

  test('ownership: a site cannot change, take over or create rows of another site', async () => {
    await withCentral(async (c) => {
      const fish = fishPlant();
      const meat = meatPlant();
      const fishClient = await tokenFor(c, 'fish plant');
      const meatKey = (await createToken(c.url, 'meat plant', false)).token;
      const meatClient = new HqClient(c.hq.url, meatKey);
      await sync(fish, fishClient);
      await sync(meat, meatClient);
      const [fishSite, meatSite] = [siteId(fish), siteId(meat)];
      const partner = fish.ws.q.sql<Record<string, unknown>>('SELECT * FROM partners WHERE code = ?', 'ARTEL-BAIKAL')[0]!;
      // The row as it is (headquarters gives the kept row a new server sequence when it logs a conflict).
      const centralRow = async () => (await c.pg.query('SELECT * FROM partners WHERE id = $1', [partner.id])).rows.map(({ hq_seq: _seq, ...row }) => row);
      const before = await centralRow();
      expect(before).toHaveLength(1);

      // A forged installation of the meat plant (its key, its site) sends changes of the fish plant's rows.
      const forged = randomUUID();
      const hlc = formatHlc({ physical: Date.now(), logical: 0 }, meatSite, forged);
      const batch = (seq: number, op: 'insert' | 'update', data: Record<string, unknown>): string =>
        JSON.stringify({
          protocol: 1,
          schema_version: LATEST_VERSION,
          origin_id: forged,
          site_id: meatSite,
          first_seq: seq,
          last_seq: seq,
          client_time: Date.now(),
          changes: [{ seq, table: 'partners', id: data.id, op, hlc, data }],
        } satisfies Omit<PushRequest, 'changes'> & { changes: unknown[] });
      const hijack = await meatClient.push(batch(1, 'update', { ...partner, name_ru: 'Чужое' }));
      const takeOver = await meatClient.push(batch(2, 'update', { ...partner, site_id: meatSite, name_ru: 'Теперь наше' }));
      const newId = randomUUID();
      const planted = await meatClient.push(batch(3, 'insert', { ...partner, id: newId, code: 'PLANTED', name_ru: 'Подброшено' }));
      for (const [answer, seq, row] of [
        [hijack, 1, partner.id],
        [takeOver, 2, partner.id],
        [planted, 3, newId],
      ] as const) {
        expect(answer).toMatchObject({ acked_seq: seq, applied: 0, skipped: 0 });
        expect(answer.conflicts).toEqual([expect.objectContaining({ table: 'partners', row_id: row, reason: 'not_owner' })]);
      }
      expect(await centralRow()).toEqual(before);
      expect((await c.pg.query('SELECT id FROM partners WHERE id = $1', [newId])).rows).toEqual([]);
      const conflicts = await listConflicts(c.url, 10);
      expect(conflicts.map((x) => [x.reason, x.row_id, x.lost_origin])).toEqual([
        ['not_owner', newId, forged],
        ['not_owner', partner.id, forged],
        ['not_owner', partner.id, forged],
      ]);

      // The same through the meat PC's own change log (as a tampered workspace would send it): refused, and shown on that PC.
      const meatOrigin = originId(meat);
      const next = localLastSeq(meat.ws.db) + 1;
      const ownHlc = formatHlc({ physical: Date.now(), logical: 0 }, meatSite, meatOrigin);
      meat.ws.db
        .prepare('INSERT INTO change_log (origin_id, origin_seq, site_id, table_name, row_id, op, at, audit_seq, data, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(meatOrigin, next, fishSite, 'partners', partner.id, 'update', meat.now, 0, JSON.stringify({ ...partner, name_ru: 'Через журнал' }), ownHlc);
      meat.ws.db.prepare('UPDATE change_sequences SET last_seq = ? WHERE origin_id = ?').run(next, meatOrigin);
      const report = await sync(meat, meatClient);
      expect(report.conflicts).toEqual([expect.objectContaining({ row_id: partner.id, reason: 'not_owner' })]);
      expect(meat.ws.q.sql('SELECT side, table_name, row_id, reason FROM sync_conflicts')).toEqual([{ side: 'hq', table_name: 'partners', row_id: partner.id, reason: 'not_owner' }]);
      expect(await centralRow()).toEqual(before);
      expect(pending(meat.ws.db)).toBe(0);
      expect(await hqLastSeq(c, meatOrigin)).toBe(next);
      await sync(fish, fishClient);
      expect(fish.ws.q.sql('SELECT name_ru FROM partners WHERE id = ?', partner.id)).toEqual([{ name_ru: partner.name_ru }]);
      expect(meat.ws.q.sql('SELECT id FROM partners WHERE id = ?', partner.id)).toEqual([]);
      await expectSiteEqual(fish.ws.db, c, fishSite);
      await expectSiteEqual(meat.ws.db, c, meatSite);
    });
  });

  test('refused requests change nothing: an unknown key, another site’s key, a batch with a gap', async () => {
    await withCentral(async (c) => {
      const fish = fishPlant();
      fish.receiveOmul();
      const before = pending(fish.ws.db);
      const centralState = async () => ({
        origins: (await c.pg.query('SELECT origin_id, site_id, last_seq FROM hq_origins ORDER BY origin_id')).rows,
        rows: (await c.pg.query("SELECT (SELECT count(*) FROM lots) AS lots, (SELECT count(*) FROM sites) AS sites, (SELECT count(*) FROM hq_conflicts) AS conflicts, (SELECT last_value FROM hq_change_seq) AS seq")).rows,
      });

      const empty = await centralState();
      await expect(sync(fish, new HqClient(c.hq.url, 'not-a-key-of-ours'))).rejects.toMatchObject({ code: 'SYNC_UNAUTHORIZED' });
      expect(pending(fish.ws.db)).toBe(before);
      expect(syncState(fish.ws.db).last_error_code).toBe('SYNC_UNAUTHORIZED');
      expect(await centralState()).toEqual(empty);

      // A key bound to the meat plant does not speak for the fish plant.
      const meat = meatPlant();
      const meatClient = await tokenFor(c, 'meat plant');
      await sync(meat, meatClient);
      const withMeat = await centralState();
      await expect(sync(fish, meatClient)).rejects.toMatchObject({ code: 'SYNC_UNAUTHORIZED' });
      expect(pending(fish.ws.db)).toBe(before);
      expect(await centralState()).toEqual(withMeat);

      const client = await tokenFor(c, 'fish plant');
      await sync(fish, client);
      fish.receiveOmul(50);
      const waiting = pending(fish.ws.db);
      const synced = await centralState();

      // The next batch, renumbered as if a change had gone missing in between.
      const real = JSON.parse(nextPushBatch(fish.ws.db, syncIdentity(fish.ws.db), Date.now())!.json) as PushRequest;
      const shift = 1;
      const gapped: PushRequest = { ...real, first_seq: real.first_seq + shift, last_seq: real.last_seq + shift, changes: real.changes.map((ch) => ({ ...ch, seq: ch.seq + shift })) };
      const refused = await client.push(JSON.stringify(gapped)).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(DomainError);
      expect(refused).toMatchObject({ code: 'SYNC_GAP', error: { params: { expected: real.first_seq, got: real.first_seq + 1 } } });
      expect(await centralState()).toEqual(synced);
      expect(pending(fish.ws.db)).toBe(waiting);

      // The real batch still goes through.
      await sync(fish, client);
      await expectFullyReplicated(fish.ws.db, c, []);
      await expectSiteEqual(fish.ws.db, c, siteId(fish));
    });
  });
});
