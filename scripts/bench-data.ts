// Benchmark fixtures: a small plant set up through the contract, and a large, realistic
// workspace (two years of a busy fish plant) written in bulk with prepared statements.
//
// The bulk generator bypasses the contract on purpose: it writes the rows the contract would
// write (lots, receipts and their lines, batches and their inputs, shipments with containers
// and lines, the movement ledger, the stock projection and the document counters) but no
// change-log or audit rows, so that two years of data take seconds instead of hours.
// The workspace file itself, its schema and its pragmas come from `Workspace.open`.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { OperationName, OperationOutput } from '../main/contract/operations.js';
import type { Role } from '../main/contract/roles.js';
import { FISH_EQUIPMENT, FISH_LOCATIONS, FISH_PRODUCTS, FISH_SITE, PARTNERS, TEMPLATES } from '../main/demo/reference.js';
import { LATEST_VERSION } from '../main/db/migrations.js';
import { migrate } from '../main/db/open.js';
import { localYymmdd } from '../main/services/common.js';
import { Workspace, WORKSPACE_FILE } from '../main/workspace.js';
import { mulberry32 } from '../main/core/prng.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;

/** Bump whenever the generated data changes shape or volume: it is part of the cache key. */
export const GENERATOR_VERSION = 3;

export const ADMIN = { username: 'admin', display_name: 'Администратор', password: 'admin-pass-1' };

// ── the contract, for setup ─────────────────────────────────────────────────────────────────

export function call<N extends OperationName>(ws: Workspace, name: N, input: unknown, token: string | null): OperationOutput<N> {
  const result = ws.invoke(name, input, token ? { token } : null);
  if (!result.ok) throw new Error(`${name} failed: ${result.error.code} ${result.error.message.en} (${result.error.field ?? ''})`);
  return result.value;
}

export interface PlantUsers {
  adminToken: string;
  /** user ids by job, for rows the bulk generator writes on their behalf */
  ids: Record<'admin' | 'clerk' | 'operator' | 'export' | 'quality', string>;
}

/** Home site, administrator, the fish plant's reference data and a few staff — all through the contract. */
export function setupPlant(ws: Workspace, withStaff = false): PlantUsers {
  call(ws, 'setup.initialise', { site: FISH_SITE, admin: ADMIN }, null);
  const adminToken = call(ws, 'auth.login', { username: ADMIN.username, password: ADMIN.password }, null).token;
  for (const p of FISH_PRODUCTS) call(ws, 'products.upsert', p, adminToken);
  for (const p of PARTNERS) call(ws, 'partners.upsert', p, adminToken);
  for (const l of FISH_LOCATIONS) call(ws, 'locations.upsert', l, adminToken);
  for (const e of FISH_EQUIPMENT) call(ws, 'equipment.upsert', e, adminToken);
  for (const t of TEMPLATES.filter((t) => !t.product)) call(ws, 'templates.upsert', t, adminToken);
  const me = call(ws, 'auth.me', {}, adminToken);
  const ids: PlantUsers['ids'] = { admin: me.user.id, clerk: me.user.id, operator: me.user.id, export: me.user.id, quality: me.user.id };
  if (withStaff) {
    const staff: [keyof PlantUsers['ids'], string, Role][] = [
      ['clerk', 'Кладовщик Иванова', 'inventory_clerk'],
      ['operator', 'Оператор Петров', 'operator'],
      ['export', 'Экспорт Сидорова', 'export_officer'],
      ['quality', 'Контролёр Смирнов', 'quality_inspector'],
    ];
    for (const [job, display_name, role] of staff) {
      ids[job] = call(ws, 'users.create', { username: job, display_name, password: `${job}-pass-1`, roles: [role] }, adminToken).id;
    }
  }
  return { adminToken, ids };
}

// ── deterministic randomness and time-ordered ids ───────────────────────────────────────────

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/** UUIDv7 whose timestamp is the row's own (simulated) time, like the app's ids made at that time. */
function uuidFactory(rand: () => number) {
  const r32 = () => Math.floor(rand() * 4294967296);
  return {
    v7(ms: number): string {
      const ts = Math.floor(ms).toString(16).padStart(12, '0');
      const a = hex8(r32());
      const b = hex8(r32());
      const c = hex8(r32());
      const variant = (8 + (r32() & 3)).toString(16);
      return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${a.slice(0, 3)}-${variant}${a.slice(3, 6)}-${b}${c.slice(0, 4)}`;
    },
    v4(): string {
      const a = hex8(r32());
      const b = hex8(r32());
      const c = hex8(r32());
      const d = hex8(r32());
      const variant = (8 + (r32() & 3)).toString(16);
      return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`;
    },
  };
}

// ── the big workspace ───────────────────────────────────────────────────────────────────────

export interface BigOptions {
  /** how many days of history before `now` */
  days: number;
  seed: number;
  /** the workspace's "now": the bench runs its reads with this clock */
  now: number;
}

/** 2026-11-02 06:00 UTC (14:00 at the plant on Lake Baikal). */
export const BIG_DEFAULTS: BigOptions = { days: 730, seed: 20_261_102, now: Date.UTC(2026, 10, 2, 6, 0, 0) };

export interface BigCounts {
  lots: number;
  raw_lots: number;
  finished_lots: number;
  movements: number;
  stock: number;
  receipts: number;
  receipt_lines: number;
  batches: number;
  batch_inputs: number;
  shipments: number;
  shipment_lines: number;
}

export interface BigWorkspace {
  dir: string;
  key: string;
  reused: boolean;
  generatedSeconds: number;
  fileBytes: number;
  counts: BigCounts;
  options: BigOptions;
}

/** Schema fingerprint: the DDL the migrations produce, so any schema change invalidates the cache. */
export function schemaFingerprint(): string {
  const db = new Database(':memory:');
  try {
    migrate(db);
    const ddl = db
      .prepare<[], { sql: string | null }>("SELECT sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
      .all()
      .map((r) => r.sql ?? '')
      .join(';\n');
    return createHash('sha256').update(ddl).digest('hex').slice(0, 12);
  } finally {
    db.close();
  }
}

export const BENCH_CACHE_ROOT = join(tmpdir(), 'plantdesk-bench-cache');

interface Meta {
  key: string;
  generatedSeconds: number;
  counts: BigCounts;
  options: BigOptions;
}

/**
 * The cached big workspace for these options, generating it first when missing. Keyed by schema
 * version + schema fingerprint + generator version + options; stale cache entries are removed.
 */
export function ensureBigWorkspace(options: BigOptions = BIG_DEFAULTS, rebuild = false): BigWorkspace {
  const key = `s${LATEST_VERSION}-${schemaFingerprint()}-g${GENERATOR_VERSION}-d${options.days}-r${options.seed}-n${options.now}`;
  const dir = join(BENCH_CACHE_ROOT, key);
  const metaFile = join(dir, 'meta.json');
  const fileBytes = () => statSync(join(dir, WORKSPACE_FILE)).size;
  if (!rebuild && existsSync(metaFile) && existsSync(join(dir, WORKSPACE_FILE))) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Meta;
    return { dir, key, reused: true, generatedSeconds: meta.generatedSeconds, fileBytes: fileBytes(), counts: meta.counts, options };
  }
  mkdirSync(BENCH_CACHE_ROOT, { recursive: true });
  // Only one cached workspace is kept: anything else in the cache folder is from an older schema,
  // generator or interrupted run.
  for (const entry of readdirSync(BENCH_CACHE_ROOT)) rmSync(join(BENCH_CACHE_ROOT, entry), { recursive: true, force: true });
  const building = join(BENCH_CACHE_ROOT, `${key}.building-${process.pid}`);
  const started = performance.now();
  try {
    const counts = generateBigWorkspace(building, options);
    const generatedSeconds = (performance.now() - started) / 1000;
    const meta: Meta = { key, generatedSeconds, counts, options };
    writeFileSync(join(building, 'meta.json'), JSON.stringify(meta, null, 2));
    renameSync(building, dir);
    return { dir, key, reused: false, generatedSeconds, fileBytes: fileBytes(), counts, options };
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    throw error;
  }
}

interface Ref {
  id: string;
  code: string;
}
interface ProductRef extends Ref {
  shelf_life_days: number;
  production_method: string | null;
  /** 1: an output lot's shelf life starts again when it is made (frozen), as in `batches.output` */
  restarts_shelf_life: number;
}
interface LotRec {
  id: string;
  code: string;
  productId: string;
  expiresAt: number;
  catchArea: string | null;
}
interface Shipment {
  id: string;
  at: number;
  status: 'shipped' | 'draft';
  containers: string[];
  lines: number;
  cancelled: { id: string; containers: string[]; lines: number } | null;
}

const CATCH_AREAS = [
  'FAO 04, оз. Байкал, Чивыркуйский залив',
  'FAO 04, оз. Байкал, Баргузинский залив',
  'FAO 04, оз. Байкал, Малое Море',
  'FAO 04, оз. Байкал, Селенгинское мелководье',
];
const PLATE_LETTERS = 'АВЕКМНОРСТУХ';

/**
 * Writes two years of a busy fish plant into a new workspace at `dir`: ~175 raw lots received a
 * day, each released and moved to a cold room, consumed by smoking and freezing batches whose
 * output lots go to storage. Smoked lots go to the dock and onto export shipments within a day;
 * frozen lots (270 days' shelf life, restarted at freezing) wait in the freezer for orders that
 * come in over months, so the plant ends with a standing stock of tens of thousands of lots.
 * Leftovers past their expiry are written off (a few are forgotten, as in real plants). Returns
 * the row counts.
 */
export function generateBigWorkspace(dir: string, options: BigOptions = BIG_DEFAULTS): BigCounts {
  const NOW = options.now;
  const START = Math.floor(NOW / DAY) * DAY - options.days * DAY;
  let clock = START - 3 * DAY;
  const ws = Workspace.open(dir, { clock: () => clock });
  try {
    const plant = setupPlant(ws, true);
    clock = NOW;
    const db = ws.db;
    // Bulk-load settings for this connection only; the file is built in a scratch folder and
    // renamed into the cache when complete, so durability during the build does not matter.
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    db.pragma('temp_store = MEMORY');

    const siteId = (db.prepare('SELECT home_site_id FROM workspace').get() as { home_site_id: string }).home_site_id;
    const siteCode = FISH_SITE.code;
    const byCode = <T extends Ref>(table: string, columns = 'id, code'): Map<string, T> =>
      new Map((db.prepare(`SELECT ${columns} FROM ${table}`).all() as T[]).map((r) => [r.code, r]));
    const products = byCode<ProductRef>('products', 'id, code, shelf_life_days, production_method, restarts_shelf_life');
    const partners = byCode<Ref>('partners');
    const locations = byCode<Ref>('locations');
    const equipment = byCode<Ref>('equipment');
    const need = <T>(map: Map<string, T>, code: string): T => {
      const v = map.get(code);
      if (v === undefined) throw new Error(`reference ${code} is missing`);
      return v;
    };
    const P = {
      omulRaw: need(products, 'OMUL-RAW'),
      wfishRaw: need(products, 'WFISH-RAW'),
      omulHs: need(products, 'OMUL-HS'),
      omulCs: need(products, 'OMUL-CS'),
      omulFz: need(products, 'OMUL-FZ'),
      wfishFz: need(products, 'WFISH-FZ'),
    };
    const L = {
      quar: need(locations, 'BF-QUAR').id,
      cr1: need(locations, 'BF-CR1').id,
      cr2: need(locations, 'BF-CR2').id,
      fz1: need(locations, 'BF-FZ1').id,
      dock: need(locations, 'BF-DOCK').id,
    };
    const E = {
      smoker1: need(equipment, 'BF-SMOKER-1').id,
      smoker2: need(equipment, 'BF-SMOKER-2').id,
      freezer: need(equipment, 'BF-FREEZER').id,
    };
    const suppliers = ['ARTEL-BAIKAL', 'RK-CHIVYRKUY', 'SPK-KABANSK'].map((c) => need(partners, c).id);
    const customers: [string, string][] = [
      [need(partners, 'HENGTAI').id, need(partners, 'HENGTAI').id],
      [need(partners, 'HRB-SEAFOOD').id, need(partners, 'DL-COLDCHAIN').id],
      [need(partners, 'HENGTAI').id, need(partners, 'DL-COLDCHAIN').id],
    ];
    const U = plant.ids;

    const rand = mulberry32(options.seed);
    const ids = uuidFactory(mulberry32(options.seed ^ 0x5eed));
    const between = (lo: number, hi: number) => lo + rand() * (hi - lo);
    const int = (lo: number, hi: number) => Math.floor(between(lo, hi + 1));
    const chance = (p: number) => rand() < p;
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
    /** `total` split into `parts` positive integers with random weights. */
    const split = (total: number, parts: number): number[] => {
      if (parts <= 1 || total < parts * 1000) return [total];
      const weights = Array.from({ length: parts }, () => 0.5 + rand());
      const sum = weights.reduce((a, b) => a + b, 0);
      const out = weights.map((w) => Math.max(1, Math.floor((total * w) / sum)));
      out[out.length - 1]! += total - out.reduce((a, b) => a + b, 0);
      return out;
    };

    // Document numbers and lot codes as the app makes them (local calendar, per-site counters).
    const counters = new Map<string, number>();
    const nextCounter = (kind: string, period: string) => {
      const k = `${kind}\u0000${period}`;
      const n = (counters.get(k) ?? 0) + 1;
      counters.set(k, n);
      return n;
    };
    const PREFIX = { receipts: 'RCV', batches: 'BAT', shipments: 'SHP' } as const;
    const nextNumber = (table: keyof typeof PREFIX, at: number) => {
      const year = String(new Date(at).getFullYear());
      return `${PREFIX[table]}-${siteCode}-${year}-${String(nextCounter(table, year)).padStart(6, '0')}`;
    };
    const nextLotCode = (at: number) => {
      const day = localYymmdd(at);
      return `${siteCode}${day}${String(nextCounter('lot', day)).padStart(4, '0')}`;
    };

    const ins = (table: string, columns: string) =>
      db.prepare(`INSERT INTO ${table} (${columns}) VALUES (${columns.split(',').map(() => '?').join(', ')})`);
    const BASE = 'id, site_id, created_at, updated_at';
    const insReceipt = ins('receipts', `${BASE}, number, supplier_id, received_at, vehicle, note, created_by`);
    const insLot = ins(
      'lots',
      `${BASE}, code, product_id, origin, supplier_id, receipt_id, batch_id, vet_doc_uuid, catch_area, production_method, produced_at, expires_at, status, status_reason, initial_g, packages`,
    );
    const insReceiptLine = ins(
      'receipt_lines',
      `${BASE}, receipt_id, line_no, product_id, lot_id, location_id, vet_doc_uuid, catch_area, produced_at, arrival_temp, gross_g, tare_g, net_g, packages`,
    );
    const insMovement = ins(
      'movements',
      `${BASE}, at, kind, lot_id, product_id, from_location_id, to_location_id, qty_g, ref_type, ref_id, reason, user_id`,
    );
    const insBatch = ins(
      'batches',
      `${BASE}, number, product_id, planned_g, equipment_id, planned_start, planned_end, status, started_at, finished_at, note`,
    );
    const insBatchInput = ins('batch_inputs', `${BASE}, batch_id, lot_id, location_id, qty_g, at`);
    const insShipment = ins(
      'shipments',
      `${BASE}, number, customer_id, consignee_id, planned_date, status, destination_country, incoterms, currency, transport, border_crossing, shipped_at, note`,
    );
    const insContainer = ins('shipment_containers', `${BASE}, shipment_id, container_no, seal_no`);
    const insShipmentLine = ins('shipment_lines', `${BASE}, shipment_id, lot_id, container_id, qty_g, gross_g, packages`);
    const insStock = ins('stock', 'lot_id, location_id, product_id, site_id, expires_at, qty_g');
    const insCounter = db.prepare('INSERT OR REPLACE INTO counters (site_id, kind, period, last) VALUES (?, ?, ?, ?)');

    const counts: BigCounts = {
      lots: 0,
      raw_lots: 0,
      finished_lots: 0,
      movements: 0,
      stock: 0,
      receipts: 0,
      receipt_lines: 0,
      batches: 0,
      batch_inputs: 0,
      shipments: 0,
      shipment_lines: 0,
    };

    // The stock projection, kept exactly as `post` keeps it: per lot, per location.
    const stock = new Map<string, { lot: LotRec; at: Map<string, number> }>();
    const put = (lot: LotRec, loc: string, qty: number) => {
      let entry = stock.get(lot.id);
      if (!entry) stock.set(lot.id, (entry = { lot, at: new Map() }));
      entry.at.set(loc, (entry.at.get(loc) ?? 0) + qty);
    };
    const take = (lot: LotRec, loc: string, qty: number) => {
      const entry = stock.get(lot.id);
      const have = entry?.at.get(loc) ?? 0;
      if (!entry || have < qty) throw new Error(`generator bug: ${lot.code} has ${have} g at ${loc}, taking ${qty}`);
      if (have === qty) {
        entry.at.delete(loc);
        if (entry.at.size === 0) stock.delete(lot.id);
      } else entry.at.set(loc, have - qty);
    };
    const move = (
      kind: string,
      lot: LotRec,
      from: string | null,
      to: string | null,
      qty: number,
      at: number,
      user: string,
      ref: { type: string; id: string } | null = null,
      reason: string | null = null,
    ) => {
      if (at > NOW) throw new Error('generator bug: movement in the future');
      if (from) take(lot, from, qty);
      if (to) put(lot, to, qty);
      insMovement.run(ids.v7(at), siteId, at, at, at, kind, lot.id, lot.productId, from, to, qty, ref?.type ?? null, ref?.id ?? null, reason, user);
      counts.movements++;
    };

    /**
     * Leftovers past expiry: most are written off within a few days, the rest at the monthly
     * stock-take, and about one in a hundred is forgotten and stays on the books.
     */
    const settle = (lot: LotRec) => {
      const entry = stock.get(lot.id);
      if (!entry) return;
      for (const [loc, qty] of [...entry.at]) {
        const roll = rand();
        if (roll < 0.01) continue;
        const expiry = new Date(lot.expiresAt);
        const stockTake = Date.UTC(expiry.getUTCFullYear(), expiry.getUTCMonth() + 1, 1) + Math.floor(between(0, 3) * DAY);
        const at = roll < 0.86 ? lot.expiresAt + Math.floor(between(1, 4) * DAY) : stockTake;
        const reason = roll < 0.86 ? 'Истёк срок годности / Expired' : 'Инвентаризация: просроченный остаток / Stock-take: expired remainder';
        if (at <= NOW) move('write_off', lot, loc, null, qty, at, U.clerk, null, reason);
      }
    };

    const insertLot = (
      at: number,
      product: ProductRef,
      origin: 'receipt' | 'production',
      extra: {
        supplierId: string | null;
        receiptId: string | null;
        batchId: string | null;
        vetDoc: string | null;
        catchArea: string | null;
        producedAt: number;
        expiresAt: number;
        status: 'quarantine' | 'released' | 'blocked';
        statusReason: string | null;
        updatedAt: number;
        initial: number;
        packages: number | null;
      },
    ): LotRec => {
      const lot: LotRec = { id: ids.v7(at), code: nextLotCode(at), productId: product.id, expiresAt: extra.expiresAt, catchArea: extra.catchArea };
      insLot.run(
        lot.id,
        siteId,
        at,
        extra.updatedAt,
        lot.code,
        product.id,
        origin,
        extra.supplierId,
        extra.receiptId,
        extra.batchId,
        extra.vetDoc,
        extra.catchArea,
        product.production_method,
        extra.producedAt,
        extra.expiresAt,
        extra.status,
        extra.statusReason,
        extra.initial,
        extra.packages,
      );
      counts.lots++;
      if (origin === 'receipt') counts.raw_lots++;
      else counts.finished_lots++;
      return lot;
    };

    // Export shipments: six loading slots a day; a slot's shipment is made when its first line comes.
    const SLOT_HOURS = [1, 3, 5, 7, 9, 11];
    const shipments = new Map<number, Shipment>();
    const slotAfter = (t: number): number => {
      const day = Math.floor(t / DAY) * DAY;
      for (const h of SLOT_HOURS) if (day + h * HOUR >= t) return day + h * HOUR;
      return day + DAY + SLOT_HOURS[0]! * HOUR;
    };
    const containerNo = () => `${pick(['MSCU', 'TGHU', 'CMAU', 'FESU'])}${String(int(0, 9_999_999)).padStart(7, '0')}`;
    const makeShipment = (slot: number, status: Shipment['status'] | 'cancelled') => {
      const created = slot - DAY + int(0, 4) * HOUR;
      const id = ids.v7(created);
      const [customer, consignee] = pick(customers);
      const shipped = status === 'shipped' ? slot : null;
      insShipment.run(
        id,
        siteId,
        created,
        shipped ?? created,
        nextNumber('shipments', created),
        customer,
        consignee,
        Math.floor(slot / DAY) * DAY,
        status,
        'CN',
        pick(['FCA', 'CPT', 'DAP']),
        pick(['CNY', 'USD']),
        pick(['Рефрижераторный контейнер, ж/д', 'Рефрижераторный автомобиль']),
        pick(['Забайкальск — Маньчжурия', 'Кяхта — Алтанбулаг — Эрлянь']),
        shipped,
        status === 'cancelled' ? 'Отмена: перенос отгрузки / Cancelled: rescheduled' : null,
      );
      counts.shipments++;
      const containers: string[] = [];
      for (let i = 0, n = int(1, 2); i < n; i++) {
        const cid = ids.v7(created);
        insContainer.run(cid, siteId, created, created, id, containerNo(), `SEAL${int(100_000, 999_999)}`);
        containers.push(cid);
      }
      return { id, containers };
    };
    const shipmentFor = (slot: number): Shipment => {
      let s = shipments.get(slot);
      if (!s) {
        const { id, containers } = makeShipment(slot, slot <= NOW ? 'shipped' : 'draft');
        const cancelled = chance(0.03) ? { ...makeShipment(slot, 'cancelled'), lines: 0 } : null;
        s = { id, at: slot, status: slot <= NOW ? 'shipped' : 'draft', containers, lines: 0, cancelled };
        shipments.set(slot, s);
      }
      return s;
    };
    const shipLine = (lot: LotRec, qty: number, ready: number) => {
      const slot = slotAfter(ready + HOUR);
      if (slot >= lot.expiresAt) return; // too late: it stays on the dock until written off
      const s = shipmentFor(slot);
      const gross = Math.round(qty * 1.08);
      const packages = Math.max(1, Math.round(qty / 10_000));
      const lineAt = Math.min(slot, ready + int(5, 50) * MINUTE);
      insShipmentLine.run(ids.v7(lineAt), siteId, lineAt, lineAt, s.id, lot.id, s.containers[s.lines++ % s.containers.length]!, qty, gross, packages);
      counts.shipment_lines++;
      if (s.cancelled && s.cancelled.lines < 3) {
        const c = s.cancelled;
        insShipmentLine.run(ids.v7(lineAt), siteId, lineAt, lineAt, c.id, lot.id, c.containers[c.lines++ % c.containers.length]!, qty, gross, packages);
        counts.shipment_lines++;
      }
      if (s.status === 'shipped') move('shipment', lot, L.dock, null, qty, slot, U.export, { type: 'shipment', id: s.id });
    };

    /** One pick: from storage to the dock, then onto one or two shipment lines. */
    const pickToDock = (lot: LotRec, store: string, qty: number, at: number) => {
      move('transfer', lot, store, L.dock, qty, at, U.clerk);
      const parts = chance(0.25) ? split(qty, 2) : [qty];
      parts.forEach((part, j) => shipLine(lot, part, at + j * 3 * HOUR));
    };

    /** A released chilled (smoked) lot goes to the dock in one to three picks and out on shipments. */
    const dispatch = (lot: LotRec, store: string, qty: number, released: number) => {
      const residue = chance(0.05) ? Math.floor(qty * between(0.01, 0.1)) : 0;
      const picks = split(qty - residue, chance(0.5) ? 1 : chance(0.7) ? 2 : 3);
      picks.forEach((q, i) => {
        const at = released + i * 45 * MINUTE;
        if (at > NOW || at >= lot.expiresAt) return;
        pickToDock(lot, store, q, at);
      });
    };

    // Work that happens on a later day (orders for frozen stock), run when the day loop gets there.
    const agenda = new Map<number, (() => void)[]>();
    let today = -1;
    const later = (at: number, task: () => void) => {
      if (at > NOW) return; // the order has not come yet: the stock is still there
      const d = Math.floor((at - START) / DAY);
      if (d <= today) throw new Error('generator bug: task scheduled for a day already done');
      const list = agenda.get(d);
      if (list) list.push(task);
      else agenda.set(d, [task]);
    };

    /**
     * A released frozen lot waits in the freezer for export orders, which come in over its shelf
     * life: one to four picks, from a few days after release up to six weeks before expiry (buyers
     * want shelf life left). Some lots find no buyer and some keep an unsold remainder; both are
     * written off after expiry. Orders after `now` have not come yet, so the freezer holds months
     * of production.
     */
    const holdFrozen = (lot: LotRec, qty: number, released: number) => {
      if (chance(0.15)) {
        settle(lot); // no buyer: written off after expiry
        return;
      }
      const residue = chance(0.15) ? Math.floor(qty * between(0.05, 0.3)) : 0;
      const picks = split(qty - residue, pick([1, 1, 1, 2, 2, 2, 2, 3, 3, 4]));
      const first = released + 2 * DAY;
      const last = lot.expiresAt - 45 * DAY;
      const times = picks.map(() => Math.floor(between(first, last))).sort((a, b) => a - b);
      picks.forEach((q, i) =>
        later(times[i]!, () => {
          pickToDock(lot, L.fz1, q, times[i]!);
          if (i === picks.length - 1) settle(lot);
        }),
      );
    };

    // Raw lots waiting for production, by the day they become available.
    const rawPool = new Map<number, { lot: LotRec; family: 'omul' | 'wfish'; qty: number }[]>();
    const cursor = new Map<string, number>([
      [E.smoker1, 0],
      [E.smoker2, 0],
      [E.freezer, 0],
    ]);

    const receiveDay = (d: number, dayStart: number) => {
      for (let r = 0, receipts = int(11, 16); r < receipts; r++) {
        const receivedAt = dayStart + Math.floor(between(0, 10) * HOUR);
        if (receivedAt > NOW) continue;
        const supplierIndex = int(0, suppliers.length - 1);
        const supplier = suppliers[supplierIndex]!;
        const receiptId = ids.v7(receivedAt);
        const plate = `${pick([...PLATE_LETTERS])}${int(100, 999)}${pick([...PLATE_LETTERS])}${pick([...PLATE_LETTERS])} 03`;
        insReceipt.run(receiptId, siteId, receivedAt, receivedAt, nextNumber('receipts', receivedAt), supplier, receivedAt, plate, null, U.clerk);
        counts.receipts++;
        for (let line = 1, lines = int(10, 16); line <= lines; line++) {
          const omul = chance(0.7);
          const product = omul ? P.omulRaw : P.wfishRaw;
          const net = int(80, 400) * 1000 + int(0, 999);
          const tare = Math.round(net * between(0.02, 0.05));
          const producedAt = receivedAt - Math.floor(between(6, 40) * HOUR);
          const expiresAt = producedAt + product.shelf_life_days * DAY;
          const releaseAt = receivedAt + Math.floor(between(4, 8) * HOUR);
          const blocked = chance(0.01);
          const status = releaseAt > NOW ? 'quarantine' : blocked ? 'blocked' : 'released';
          const vetDoc = ids.v4();
          const catchArea = chance(0.8) ? CATCH_AREAS[supplierIndex]! : pick(CATCH_AREAS);
          const packages = Math.ceil(net / 20_000);
          const lot = insertLot(receivedAt, product, 'receipt', {
            supplierId: supplier,
            receiptId,
            batchId: null,
            vetDoc,
            catchArea,
            producedAt,
            expiresAt,
            status,
            statusReason: status === 'blocked' ? 'Входной контроль: паразиты / Incoming inspection: parasites' : null,
            updatedAt: status === 'quarantine' ? receivedAt : releaseAt,
            initial: net,
            packages,
          });
          insReceiptLine.run(
            ids.v7(receivedAt),
            siteId,
            receivedAt,
            receivedAt,
            receiptId,
            line,
            product.id,
            lot.id,
            L.quar,
            vetDoc,
            catchArea,
            producedAt,
            Math.round(between(0.5, 3.9) * 10) / 10,
            net + tare,
            tare,
            net,
            packages,
          );
          counts.receipt_lines++;
          move('receipt', lot, null, L.quar, net, receivedAt, U.clerk, { type: 'receipt', id: receiptId });
          if (status === 'quarantine') continue;
          if (status === 'blocked') {
            move('write_off', lot, L.quar, null, net, releaseAt + HOUR, U.quality, null, 'Брак при входном контроле / Rejected at intake');
            continue;
          }
          let inColdRoom = 0;
          split(net, chance(0.6) ? 1 : 2).forEach((q, i) => {
            const at = releaseAt + i * 30 * MINUTE;
            if (at > NOW) return;
            move('transfer', lot, L.quar, L.cr1, q, at, U.clerk);
            inColdRoom += q;
          });
          if (inColdRoom > 0 && chance(0.1)) {
            const at = releaseAt + 2 * HOUR;
            const shrink = Math.max(1, Math.floor(inColdRoom * between(0.005, 0.02)));
            if (at <= NOW) {
              move('adjustment', lot, L.cr1, null, shrink, at, U.clerk, null, 'Инвентаризация: усушка / Stock-take: drip loss');
              inColdRoom -= shrink;
            }
          }
          if (inColdRoom > 0) {
            const list = rawPool.get(d + 1) ?? [];
            list.push({ lot, family: omul ? 'omul' : 'wfish', qty: inColdRoom });
            rawPool.set(d + 1, list);
          }
        }
      }
    };

    const produceDay = (d: number, dayStart: number) => {
      const pool = rawPool.get(d) ?? [];
      rawPool.delete(d);
      for (const family of ['omul', 'wfish'] as const) {
        const portions: { lot: LotRec; qty: number }[] = [];
        const lots: LotRec[] = [];
        for (const item of pool) {
          if (item.family !== family) continue;
          lots.push(item.lot);
          const residue = chance(0.06) ? Math.floor(item.qty * between(0.01, 0.05)) : 0;
          const k = chance(0.35) ? 1 : chance(0.7) ? 2 : 3;
          for (const q of split(item.qty - residue, k)) portions.push({ lot: item.lot, qty: q });
        }
        for (let i = portions.length - 1; i > 0; i--) {
          const j = Math.floor(rand() * (i + 1));
          [portions[i], portions[j]] = [portions[j]!, portions[i]!];
        }
        for (let i = 0; i < portions.length; ) {
          const size = int(6, 10);
          const chunk = portions.slice(i, i + size);
          i += size;
          const product = family === 'wfish' ? P.wfishFz : pick([P.omulHs, P.omulHs, P.omulHs, P.omulCs, P.omulCs, P.omulCs, P.omulFz, P.omulFz, P.omulFz, P.omulFz]);
          const eq = product === P.omulHs ? E.smoker1 : product === P.omulCs ? E.smoker2 : E.freezer;
          const store = product === P.omulFz || product === P.wfishFz ? L.fz1 : L.cr2;
          const duration = eq === E.freezer ? 40 * MINUTE : 2 * HOUR;
          const start = Math.max(cursor.get(eq)!, dayStart);
          cursor.set(eq, start + duration + 10 * MINUTE);
          const started = start + int(0, 10) * MINUTE;
          const inputs = new Map<string, { lot: LotRec; qty: number }>();
          for (const p of chunk) {
            if (p.lot.expiresAt <= started) continue; // expired before use: left for write-off
            const seen = inputs.get(p.lot.id);
            if (seen) seen.qty += p.qty;
            else inputs.set(p.lot.id, { ...p });
          }
          if (inputs.size === 0 || started > NOW) continue; // not run yet: the raw stays in the cold room
          const input = [...inputs.values()].reduce((sum, p) => sum + p.qty, 0);
          const finished = start + duration - int(0, 9) * MINUTE;
          const done = finished <= NOW;
          const planned = start - DAY + int(0, 6) * HOUR;
          const batchId = ids.v7(planned);
          insBatch.run(
            batchId,
            siteId,
            planned,
            done ? finished : started,
            nextNumber('batches', planned),
            product.id,
            Math.max(1000, Math.round((input * 0.7) / 1000) * 1000),
            eq,
            start,
            start + duration,
            done ? 'done' : 'in_progress',
            started,
            done ? finished : null,
            null,
          );
          counts.batches++;
          const batchRef = { type: 'batch', id: batchId };
          let k = 0;
          for (const p of inputs.values()) {
            const at = started + k++ * 1000;
            move('consumption', p.lot, L.cr1, null, p.qty, at, U.operator, batchRef);
            insBatchInput.run(ids.v7(at), siteId, at, at, batchId, p.lot.id, L.cr1, p.qty, at);
            counts.batch_inputs++;
          }
          if (!done) continue;
          const areas = new Set([...inputs.values()].map((p) => p.lot.catchArea));
          const earliest = Math.min(...[...inputs.values()].map((p) => p.lot.expiresAt));
          // The app's rule (`batches.output`): frozen products start their shelf life again,
          // others never outlive their earliest input.
          const frozen = product.restarts_shelf_life === 1;
          const ownExpiry = finished + product.shelf_life_days * DAY;
          const expiresAt = frozen ? ownExpiry : Math.min(ownExpiry, earliest);
          // The freezing tunnel's output is palletised into more, smaller lots.
          for (const qty of split(Math.floor(input * between(0.6, 0.8)), frozen ? int(4, 7) : int(3, 5))) {
            const releaseAt = finished + Math.floor(between(6, 16) * HOUR);
            const blocked = chance(0.005);
            const status = releaseAt > NOW ? 'quarantine' : blocked ? 'blocked' : 'released';
            const lot = insertLot(finished, product, 'production', {
              supplierId: null,
              receiptId: null,
              batchId,
              vetDoc: null,
              catchArea: areas.size === 1 ? [...areas][0]! : null,
              producedAt: finished,
              expiresAt,
              status,
              statusReason: status === 'blocked' ? 'Приёмочный контроль: L. monocytogenes / Final inspection failed' : null,
              updatedAt: status === 'quarantine' ? finished : releaseAt,
              initial: qty,
              packages: Math.max(1, Math.round(qty / 5_000)),
            });
            move('output', lot, null, store, qty, finished, U.operator, batchRef);
            if (status === 'blocked') move('write_off', lot, store, null, qty, releaseAt + HOUR, U.quality, null, 'Брак / Rejected');
            else if (status === 'released' && frozen) {
              holdFrozen(lot, qty, releaseAt);
              continue; // settled after its last pick
            } else if (status === 'released' && chance(0.97)) dispatch(lot, store, qty, releaseAt);
            // (the other 3 % find no buyer and stay in the cold room until written off)
            settle(lot);
          }
        }
        for (const lot of lots) settle(lot);
      }
    };

    const totalDays = options.days + 1;
    const CHUNK = 30;
    for (let from = 0; from < totalDays; from += CHUNK) {
      db.transaction(() => {
        for (let d = from; d < Math.min(totalDays, from + CHUNK); d++) {
          const dayStart = START + d * DAY;
          today = d;
          for (const task of agenda.get(d) ?? []) task();
          agenda.delete(d);
          produceDay(d, dayStart);
          receiveDay(d, dayStart);
        }
      })();
    }

    db.transaction(() => {
      for (const { lot, at } of stock.values()) {
        for (const [loc, qty] of at) {
          insStock.run(lot.id, loc, lot.productId, siteId, lot.expiresAt, qty);
          counts.stock++;
        }
      }
      for (const [k, last] of counters) {
        const [kind, period] = k.split('\u0000') as [string, string];
        insCounter.run(siteId, kind, period, last);
      }
    })();

    const mismatches = stockMismatches(db);
    if (mismatches !== 0) throw new Error(`generator bug: ${mismatches} stock rows disagree with the ledger`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    return counts;
  } finally {
    ws.close();
  }
}

/** Self-check: the stock projection equals the ledger's balance for every lot and location. */
export function stockMismatches(db: Database.Database): number {
  const row = db
    .prepare<[], { n: number }>(
      `WITH flows AS (
         SELECT lot_id, to_location_id AS loc, qty_g AS q FROM movements WHERE to_location_id IS NOT NULL
         UNION ALL
         SELECT lot_id, from_location_id AS loc, -qty_g AS q FROM movements WHERE from_location_id IS NOT NULL
       ), balance AS (SELECT lot_id, loc, SUM(q) AS q FROM flows GROUP BY lot_id, loc HAVING SUM(q) != 0)
       SELECT (SELECT COUNT(*) FROM balance b LEFT JOIN stock s ON s.lot_id = b.lot_id AND s.location_id = b.loc
                WHERE s.qty_g IS NULL OR s.qty_g != b.q)
            + (SELECT COUNT(*) FROM stock s LEFT JOIN balance b ON b.lot_id = s.lot_id AND b.loc = s.location_id
                WHERE b.q IS NULL) AS n`,
    )
    .get();
  return row?.n ?? -1;
}
