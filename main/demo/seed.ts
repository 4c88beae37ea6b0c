// `plantdesk demo seed`: a month of realistic work at both plants, done through the same
// operations people use — so the audit trail, change log, numbering and stock are all real.
// Events are generated per day, sorted by time and replayed with the clock set to each one.
import { iso6346CheckDigit } from '../contract/check-digits.js';
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import { Registry } from '../registry.js';
import type { OperationName, OperationOutput } from '../contract/operations.js';
import type { Role } from '../contract/roles.js';
import type { Actor } from '../db/tx.js';
import type { UserRow } from '../db/schema.js';
import { actorOf, homeSiteId } from '../services/users.js';
import type { Workspace } from '../workspace.js';
import {
  FISH_EQUIPMENT,
  FISH_LOCATIONS,
  FISH_PRODUCTS,
  FISH_SITE,
  MEAT_EQUIPMENT,
  MEAT_LOCATIONS,
  MEAT_PRODUCTS,
  MEAT_SITE,
  PARTNERS,
  TEMPLATES,
} from './reference.js';
import { mulberry32 } from '../core/prng.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const DEMO_USER_PASSWORD = 'plantdesk-demo';

export interface SeedOptions {
  days: number;
  seed: number;
  /** Password of the `admin` user created when the workspace is new (not initialised yet). */
  adminPassword: string;
  /**
   * The authenticated administrator who seeds an already initialised workspace (needs
   * `users.manage`). Without it only a new workspace can be seeded.
   */
  admin?: Actor;
}

export interface SeedSummary {
  counts: Record<string, number>;
  users: string[];
  userPassword: string;
}

const DEMO_USERS: { username: string; name: string; roles: Role[]; site: 'BFP' | 'BMP' }[] = [
  { username: 'fish.storekeeper', name: 'Иванова Ольга (кладовщик)', roles: ['inventory_clerk'], site: 'BFP' },
  { username: 'fish.operator', name: 'Намсараев Баир (оператор коптильни)', roles: ['operator'], site: 'BFP' },
  { username: 'fish.qc', name: 'Петрова Анна (лаборант)', roles: ['quality_inspector'], site: 'BFP' },
  { username: 'fish.qc.head', name: 'Соколова Марина (нач. лаборатории)', roles: ['quality_inspector'], site: 'BFP' },
  { username: 'fish.production', name: 'Хабитуев Сергей (нач. производства)', roles: ['production_manager'], site: 'BFP' },
  { username: 'export', name: 'Ли Вэй / Li Wei (экспорт)', roles: ['export_officer'], site: 'BFP' },
  { username: 'meat.storekeeper', name: 'Будаева Туяна (кладовщик)', roles: ['inventory_clerk'], site: 'BMP' },
  { username: 'meat.operator', name: 'Цыдыпов Алдар (обвальщик)', roles: ['operator'], site: 'BMP' },
  { username: 'meat.qc', name: 'Жамсуева Оюна (ветврач)', roles: ['quality_inspector'], site: 'BMP' },
  { username: 'meat.qc.head', name: 'Орлов Павел (нач. ПВЛ)', roles: ['quality_inspector'], site: 'BMP' },
  { username: 'meat.production', name: 'Дашиев Баир (нач. цеха)', roles: ['production_manager'], site: 'BMP' },
  { username: 'meat.export', name: 'Ван Лин / Wang Ling (экспорт)', roles: ['export_officer'], site: 'BMP' },
];

const CATCH_AREAS = [
  'FAO 04 — оз. Байкал, Чивыркуйский залив',
  'FAO 04 — оз. Байкал, Баргузинский залив',
  'FAO 04 — оз. Байкал, Малое Море',
];

/** Small deterministic PRNG (mulberry32) so the same seed gives the same demo. */
function prng(seed: number) {
  const next = mulberry32(seed);
  return {
    next,
    between: (min: number, max: number) => min + (max - min) * next(),
    int: (min: number, max: number) => Math.floor(min + (max - min + 1) * next()),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    uuid: () => {
      const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[Math.floor(next() * 4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    },
  };
}

/** ISO 6346 container number with its real check digit. */
export function containerNumber(owner: string, serial: number): string {
  const body = `${owner}U${String(serial).padStart(6, '0')}`;
  return body + String(iso6346CheckDigit(body));
}

export function seedDemo(ws: Workspace, options: SeedOptions): SeedSummary {
  // Seeding an initialised workspace is an administrator's act: refuse before writing anything.
  const initialised = homeSiteId(ws.q) !== null;
  if (initialised && !options.admin) throw new DomainError('UNAUTHENTICATED');
  if (initialised && !options.admin?.permissions.has('users.manage')) {
    throw new DomainError('FORBIDDEN', { operation: 'demo seed', permission: 'users.manage' });
  }
  const existing = ws.q.sql<{ n: number }>('SELECT COUNT(*) AS n FROM receipts')[0]!.n;
  if (existing > 0) {
    throw new DomainError('INVALID_STATE', { entity: say('Рабочая база', 'Workspace'), key: ws.dir, state: say(`приёмок: ${existing}`, `${existing} receipts`), action: say('загрузить демо-данные в базу, где уже есть работа', 'seed demo data into a workspace that already has work') });
  }
  const rnd = prng(options.seed);
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  const start = today.getTime() - options.days * DAY;
  /** The seeded days are [start, end); nothing happens after `end` (the plan for the next day is made before it). */
  const end = start + options.days * DAY;
  let now = start + 6 * HOUR;
  const registry = new Registry(ws.q, { clock: () => now, validateOutputs: ws.validatesOutputs });

  const run = <N extends OperationName>(actor: Actor | null, name: N, input: unknown): OperationOutput<N> => {
    const result = actor ? registry.invokeAs(name, input, actor) : registry.invoke(name, input);
    if (!result.ok) throw new Error(`demo seed: ${name} at ${new Date(now).toISOString()}: ${result.error.message.en}`);
    return result.value;
  };
  const userRow = (username: string) => ws.q.sql<UserRow>('SELECT * FROM users WHERE username = ?', username)[0];

  // Setup: a new workspace gets the fish plant as home and an `admin`; an initialised one is
  // seeded by the administrator who asked for it.
  const newAdmin = () => {
    const created = run(null, 'setup.initialise', { site: FISH_SITE, admin: { username: 'admin', display_name: 'Администратор', password: options.adminPassword } });
    return actorOf(userRow(created.admin.username)!);
  };
  const admin: Actor = initialised && options.admin ? options.admin : newAdmin();
  for (const site of [FISH_SITE, MEAT_SITE]) run(admin, 'sites.upsert', site);
  for (const u of DEMO_USERS) {
    if (!userRow(u.username)) {
      run(admin, 'users.create', { username: u.username, display_name: u.name, roles: u.roles, password: DEMO_USER_PASSWORD, site: u.site });
    }
  }
  const as = Object.fromEntries(DEMO_USERS.map((u) => [u.username, actorOf(userRow(u.username)!)])) as Record<string, Actor>;
  for (const p of [...FISH_PRODUCTS, ...MEAT_PRODUCTS]) run(admin, 'products.upsert', p);
  for (const p of PARTNERS) run(admin, 'partners.upsert', p);
  for (const l of [...FISH_LOCATIONS, ...MEAT_LOCATIONS]) run(admin, 'locations.upsert', l);
  for (const e of [...FISH_EQUIPMENT, ...MEAT_EQUIPMENT]) run(admin, 'equipment.upsert', e);
  for (const t of TEMPLATES) run(admin, 'templates.upsert', t);

  const events: { at: number; order: number; act: () => void }[] = [];
  let order = 0;
  const at = (time: number, act: () => void) => events.push({ at: time, order: order++, act });
  const kg = (value: number) => Math.round(value * 1000);
  let containerSerial = rnd.int(100_000, 400_000);

  const inspect = (qc: Actor, verifier: Actor, lot: string, template: string, values: Record<string, number | boolean>, when: number) => {
    at(when, () => {
      const inspection = run(qc, 'inspections.open', { lot, template });
      run(qc, 'inspections.record', { number: inspection.number, results: Object.entries(values).map(([parameter, value]) => ({ parameter, value })) });
      const done = run(qc, 'inspections.complete', { number: inspection.number });
      now += 2 * HOUR;
      run(verifier, 'inspections.verify', { number: done.number });
    });
  };

  /** Plans, consumes by FEFO, records output at the end, finishes; final inspection an hour later. */
  const produce = (p: {
    manager: Actor;
    operator: Actor;
    qc: Actor;
    verifier: Actor;
    product: string;
    input: string;
    equipment: string;
    from: number;
    to: number;
    inputKg: number;
    yieldRange: [number, number];
    location: string;
    cartonKg: number;
    template: string;
    finalValues: () => Record<string, number | boolean>;
    inspect?: boolean;
  }) => {
    let batchNumber = '';
    let consumed = 0;
    at(p.from - 3 * HOUR, () => {
      batchNumber = run(p.manager, 'batches.plan', {
        product: p.product,
        planned_g: kg(p.inputKg * ((p.yieldRange[0] + p.yieldRange[1]) / 2)),
        equipment: p.equipment,
        planned_start: p.from,
        planned_end: p.to,
      }).number;
    });
    at(p.from, () => {
      const suggestion = run(p.operator, 'stock.fefo', { product: p.input, qty_g: kg(p.inputKg) });
      if (suggestion.covered_g === 0) {
        run(p.manager, 'batches.cancel', { number: batchNumber, reason: 'Нет допущенного сырья / no released raw material' });
        return;
      }
      for (const pick of suggestion.picks) {
        run(p.operator, 'batches.consume', { number: batchNumber, lot: pick.lot_code, location: pick.location_code, qty_g: pick.take_g });
        consumed += pick.take_g;
      }
    });
    at(p.to, () => {
      if (consumed === 0) return;
      const out = Math.round(consumed * rnd.between(...p.yieldRange));
      const lot = run(p.operator, 'batches.output', {
        number: batchNumber,
        qty_g: out,
        location: p.location,
        packages: Math.max(1, Math.ceil(out / kg(p.cartonKg))),
        produced_at: p.to,
      }).lot;
      run(p.operator, 'batches.finish', { number: batchNumber });
      if (p.inspect !== false) inspect(p.qc, p.verifier, lot.code, p.template, p.finalValues(), p.to + HOUR);
    });
  };

  const ship = (officer: Actor, products: string[], customer: string, consignee: string, when: number, owner: string, send: boolean) => {
    at(when, () => {
      const lots = products.flatMap((product) => run(officer, 'lots.list', { product, status: 'released', in_stock: true, limit: 50 }).rows);
      // China needs time to clear the goods: ship only lots with at least a day and a half left.
      const fresh = lots.filter((l) => l.expires_at > now + 1.5 * DAY && l.qty_g > 0);
      if (fresh.length === 0) return;
      const shipment = run(officer, 'shipments.create', {
        customer,
        consignee,
        planned_date: when + DAY,
        incoterms: 'FCA',
        currency: 'CNY',
        transport: 'Автотранспорт / by truck, рефконтейнер',
        border_crossing: 'МАПП Забайкальск — Маньчжурия / Zabaykalsk — Manzhouli',
      });
      const container = containerNumber(owner, containerSerial++);
      run(officer, 'shipments.addContainer', { number: shipment.number, container_no: container, seal_no: `RU${rnd.int(1_000_000, 9_999_999)}` });
      for (const lot of fresh) {
        const packages = lot.packages ?? Math.max(1, Math.ceil(lot.qty_g / 10_000));
        run(officer, 'shipments.addLine', {
          number: shipment.number,
          lot: lot.code,
          qty_g: lot.qty_g,
          gross_g: lot.qty_g + packages * 450,
          packages,
          container_no: container,
        });
      }
      if (send) run(officer, 'shipments.ship', { number: shipment.number });
    });
  };

  /** Weekly clean-up: expired stock and lots blocked by the lab are written off. */
  const writeOff = (clerk: Actor, locations: string[], when: number) => {
    at(when, () => {
      for (const location of locations) {
        for (const lot of run(clerk, 'stock.expiring', { within_days: 0, location, limit: 500 }).expired) {
          run(clerk, 'stock.writeOff', { lot: lot.code, location, qty_g: lot.qty_g, reason: 'Истёк срок годности / expired' });
        }
        for (const lot of run(clerk, 'lots.list', { status: 'blocked', location, limit: 500 }).rows) {
          const held = run(clerk, 'lots.get', { code: lot.code }).stock.find((s) => s.location_code === location);
          if (held) run(clerk, 'stock.writeOff', { lot: lot.code, location, qty_g: held.qty_g, reason: 'Забраковано лабораторией / rejected by the lab' });
        }
      }
    });
  };

  for (let d = 0; d < options.days; d++) {
    const day = start + d * DAY;
    const last = d === options.days - 1;

    // Fish plant: morning catch, incoming control, smoking and freezing, weekly export.
    const lines = Array.from({ length: rnd.int(1, 2) }, () => {
      const net = rnd.int(300, 900);
      const crates = Math.ceil(net / 20);
      const temp = rnd.chance(0.05) ? 4.6 : Math.round(rnd.between(0.8, 3.8) * 10) / 10;
      return {
        product: rnd.chance(0.7) ? 'OMUL-RAW' : 'WFISH-RAW',
        location: 'BF-QUAR',
        vet_doc_uuid: rnd.uuid(),
        catch_area: rnd.pick(CATCH_AREAS),
        produced_at: day - 10 * HOUR,
        arrival_temp: temp,
        gross_g: kg(net + crates * 1.2),
        tare_g: kg(crates * 1.2),
        packages: crates,
      };
    });
    at(day + 7 * HOUR, () => {
      const receipt = run(as['fish.storekeeper']!, 'receipts.create', {
        supplier: rnd.pick(['ARTEL-BAIKAL', 'RK-CHIVYRKUY']),
        vehicle: `${rnd.pick(['А', 'В', 'Е', 'К', 'М'])}${rnd.int(100, 999)}${rnd.pick(['ВС', 'ОР', 'ТУ'])} 03`,
        lines,
      });
      if (last) return; // today's catch is still waiting for the lab
      receipt.lines.forEach((line, i) => {
        const temp = lines[i]!.arrival_temp;
        inspect(as['fish.qc']!, as['fish.qc.head']!, line.lot_code, 'IN-FISH', { CORE_TEMP: temp, ORGANOLEPTIC: true, PARASITES: !rnd.chance(0.02), VET_DOC: true }, day + 8 * HOUR);
        at(day + 9 * HOUR, () => {
          const lot = run(as['fish.storekeeper']!, 'lots.get', { code: line.lot_code });
          if (lot.lot.status === 'released') {
            run(as['fish.storekeeper']!, 'stock.move', { lot: line.lot_code, from: 'BF-QUAR', to: 'BF-CR1', qty_g: lot.lot.qty_g });
          }
        });
      });
    });
    const fishCrew = { manager: as['fish.production']!, operator: as['fish.operator']!, qc: as['fish.qc']!, verifier: as['fish.qc.head']! };
    const smoked = () => ({
      SALT: Math.round(rnd.between(2, 4.2) * 10) / 10,
      MOISTURE: Math.round(rnd.between(55, 66)),
      TVBN: Math.round(rnd.between(9, rnd.chance(0.04) ? 31 : 21)),
      LISTERIA: true,
      ORGANOLEPTIC: true,
    });
    const frozen = () => ({ CORE_TEMP: -Math.round(rnd.between(19, 23)), GLAZE: Math.round(rnd.between(2, 4.5) * 10) / 10, SALMONELLA: true, ORGANOLEPTIC: true });
    produce({
      ...fishCrew,
      product: 'OMUL-HS',
      input: 'OMUL-RAW',
      equipment: 'BF-SMOKER-1',
      from: day + 10 * HOUR,
      to: day + 16 * HOUR,
      inputKg: rnd.int(250, 400),
      yieldRange: [0.62, 0.68],
      location: 'BF-CR2',
      cartonKg: 5,
      template: 'FIN-SMOKED',
      finalValues: smoked,
      inspect: !last,
    });
    // Cold smoking takes 22 hours: start one only if it ends within the seeded period.
    if (d % 3 === 1 && day + 32 * HOUR <= end) {
      produce({
        ...fishCrew,
        product: 'OMUL-CS',
        input: 'OMUL-RAW',
        equipment: 'BF-SMOKER-2',
        from: day + 10 * HOUR,
        to: day + 32 * HOUR,
        inputKg: rnd.int(150, 250),
        yieldRange: [0.7, 0.75],
        location: 'BF-CR2',
        cartonKg: 5,
        template: 'FIN-SMOKED',
        finalValues: smoked,
        inspect: d < options.days - 2,
      });
    }
    if (d % 2 === 0) {
      const whitefish = d % 4 === 0;
      produce({
        ...fishCrew,
        product: whitefish ? 'WFISH-FZ' : 'OMUL-FZ',
        input: whitefish ? 'WFISH-RAW' : 'OMUL-RAW',
        equipment: 'BF-FREEZER',
        from: day + 17 * HOUR,
        to: day + 21 * HOUR,
        inputKg: rnd.int(200, 600),
        yieldRange: [0.96, 0.98],
        location: 'BF-FZ1',
        cartonKg: 10,
        template: 'FIN-FROZEN',
        finalValues: frozen,
        inspect: !last,
      });
    }
    // Chilled and smoked fish leave by truck every other day (their expiry follows the raw catch).
    if (d % 2 === 1) {
      const toHarbin = d % 4 === 3;
      ship(as['export']!, ['OMUL-HS', 'OMUL-CS', 'OMUL-FZ', 'WFISH-FZ'], toHarbin ? 'HRB-SEAFOOD' : 'HENGTAI', toHarbin ? 'DL-COLDCHAIN' : 'HENGTAI', day + 18 * HOUR + 30 * 60_000, 'FES', d + 2 < options.days);
    }
    if (d % 7 === 6) writeOff(as['fish.storekeeper']!, ['BF-QUAR', 'BF-CR1', 'BF-CR2', 'BF-FZ1'], day + 20 * HOUR);

    // Meat plant: half carcasses every other day, cutting the day after, export every ten days.
    const meatCrew = { manager: as['meat.production']!, operator: as['meat.operator']!, qc: as['meat.qc']!, verifier: as['meat.qc.head']! };
    if (d % 2 === 0) {
      const halves = rnd.int(4, 8);
      const net = Array.from({ length: halves }, () => rnd.between(105, 140)).reduce((a, b) => a + b, 0);
      const ph = rnd.chance(0.03) ? 6.4 : Math.round(rnd.between(5.5, 6.0) * 100) / 100;
      at(day + 8 * HOUR, () => {
        const receipt = run(as['meat.storekeeper']!, 'receipts.create', {
          supplier: 'SPK-KABANSK',
          vehicle: `Т${rnd.int(100, 999)}ЕК 03`,
          lines: [
            {
              product: 'BEEF-HALF',
              location: 'BM-CR1',
              vet_doc_uuid: rnd.uuid(),
              produced_at: day - 30 * HOUR,
              arrival_temp: Math.round(rnd.between(0.5, 3.5) * 10) / 10,
              gross_g: kg(net + halves * 0.8),
              tare_g: kg(halves * 0.8),
              packages: halves,
            },
          ],
        });
        if (last) return;
        const temp = receipt.lines[0]!.arrival_temp ?? 2;
        inspect(as['meat.qc']!, as['meat.qc.head']!, receipt.lines[0]!.lot_code, 'IN-BEEF', { CORE_TEMP: temp, PH: ph, ORGANOLEPTIC: true, VET_DOC: true }, day + 9 * HOUR);
      });
    } else {
      const meatFrozen = () => ({ CORE_TEMP: -Math.round(rnd.between(19, 22)), GLAZE: 0, SALMONELLA: true, ORGANOLEPTIC: true });
      produce({
        ...meatCrew,
        product: 'BEEF-STRIP-FZ',
        input: 'BEEF-HALF',
        equipment: 'BM-CUT-LINE',
        from: day + 8 * HOUR,
        to: day + 12 * HOUR,
        inputKg: rnd.int(200, 300),
        yieldRange: [0.68, 0.74],
        location: 'BM-FZ1',
        cartonKg: 20,
        template: 'FIN-FROZEN',
        finalValues: meatFrozen,
        inspect: !last,
      });
      produce({
        ...meatCrew,
        product: 'BEEF-TEND-FZ',
        input: 'BEEF-HALF',
        equipment: 'BM-CUT-LINE',
        from: day + 13 * HOUR,
        to: day + 17 * HOUR,
        inputKg: rnd.int(120, 180),
        yieldRange: [0.6, 0.66],
        location: 'BM-FZ1',
        cartonKg: 10,
        template: 'FIN-FROZEN',
        finalValues: meatFrozen,
        inspect: !last,
      });
    }
    if (d % 5 === 4) {
      ship(as['meat.export']!, ['BEEF-STRIP-FZ', 'BEEF-TEND-FZ'], 'HENGTAI', 'HENGTAI', day + 18 * HOUR + 30 * 60_000, 'TGH', d + 5 < options.days);
      writeOff(as['meat.storekeeper']!, ['BM-CR1', 'BM-FZ1'], day + 18 * HOUR);
    }
  }
  // Tomorrow's plan is already on the board.
  const tomorrow = end;
  at(tomorrow - 4 * HOUR, () => {
    run(as['fish.production']!, 'batches.plan', { product: 'OMUL-HS', planned_g: kg(220), equipment: 'BF-SMOKER-1', planned_start: tomorrow + 10 * HOUR, planned_end: tomorrow + 16 * HOUR });
  });

  events.sort((a, b) => a.at - b.at || a.order - b.order);
  // Events may add events (an inspection after an output): keep draining in time order.
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    now = Math.max(now, event.at);
    event.act();
    if (i + 1 < events.length) {
      const rest = events.splice(i + 1).sort((a, b) => a.at - b.at || a.order - b.order);
      events.push(...rest);
    }
  }

  const count = (table: string) => ws.q.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)[0]!.n;
  return {
    counts: {
      receipts: count('receipts'),
      lots: count('lots'),
      inspections: count('inspections'),
      batches: count('batches'),
      shipments: count('shipments'),
      movements: count('movements'),
      audit_entries: count('audit_log'),
    },
    users: ['admin', ...DEMO_USERS.map((u) => u.username)],
    userPassword: DEMO_USER_PASSWORD,
  };
}
