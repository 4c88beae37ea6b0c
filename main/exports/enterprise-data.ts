// The period's stock documents as a 1C EnterpriseData 1.21 exchange message (the format 1C's
// "Universal data exchange in XML format" loads into Бухгалтерия / УТ / ERP). Pure: it reads
// the workspace and returns the XML; writing the file and keeping a record is the caller's.
//
// Every object carries a stable Ссылка (GUID): our row ids are UUIDs already, and objects we
// derive (consumption grouped per batch and warehouse) get a UUIDv5 of our id and their role,
// so loading the same period twice updates the documents in 1C instead of duplicating them.
import { create } from 'xmlbuilder2';
import { v5 as uuidv5 } from 'uuid';
import { export1cObjectType, type Export1cObjectType } from '../contract/entities.js';
import type { QueryRunner } from '../db/query.js';
import { MESSAGE_NS } from './xdto.js';

export const ENTERPRISE_DATA_NS = 'http://v8.1c.ru/edi/edi_stnd/EnterpriseData/1.21';
export const FORMAT_VERSION = '1.21';
/** Namespace of PlantDesk's derived GUIDs (fixed forever: changing it would duplicate every derived document in 1C). */
export const GUID_NAMESPACE = '6f1d3c2a-8b4e-5a7f-9c0d-2e4b6a8c0f13';

export interface ExportPeriod {
  /** Start of the period, epoch ms, inclusive. */
  from: number;
  /** End of the period, epoch ms, exclusive. */
  to: number;
  /** When the message is made (msg:CreationDate). */
  now: number;
}

/** The 1C object types, in the order the message lists them (the contract names them for the record). */
export type ObjectTypeName = Export1cObjectType;

export interface ExportedObject {
  type: ObjectTypeName;
  /** The Ссылка GUID the object has in the message. */
  guid: string;
  /** Our row it comes from (a batch for production documents, a movement for a move). */
  source_id: string;
  /** Document number or catalog code, for people reading the record of the export. */
  label: string;
}

export interface EnterpriseDataExport {
  xml: string;
  counts: Record<ObjectTypeName, number>;
  objects: ExportedObject[];
}

/** A derived object's GUID: the same id and role always give the same GUID. */
export function derivedGuid(id: string, role: string): string {
  return uuidv5(`${id}:${role}`, GUID_NAMESPACE);
}

/** Integer grams → kilograms with exactly three decimals, by string arithmetic (no float drift). */
export function kgFromGrams(grams: number): string {
  if (!Number.isSafeInteger(grams) || grams < 0) throw new RangeError(`not a whole non-negative number of grams: ${grams}`);
  return `${Math.floor(grams / 1000)}.${String(grams % 1000).padStart(3, '0')}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 1C dates carry no zone: the plant's local time, like everything else people see. */
export function dateTime1C(ms: number): string {
  const d = new Date(ms);
  return `${date1C(ms)}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function date1C(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// --- rows read ----------------------------------------------------------------------------

interface SiteRow {
  id: string;
  name_ru: string;
}
interface PartnerRow {
  id: string;
  name_ru: string;
  country: string;
  tax_id: string | null;
}
interface LocationRow {
  id: string;
  code: string;
  name: string;
}
interface ProductRow {
  id: string;
  code: string;
  kind: 'raw' | 'semi' | 'finished';
  name_ru: string;
  name_en: string;
  hs_code: string | null;
  shelf_life_days: number;
  unit: 'kg' | 'pcs';
}
interface LotRow {
  id: string;
  code: string;
  product_id: string;
  produced_at: number;
  expires_at: number;
}
/** One quantity of one lot: a document line. */
interface Line {
  id: string;
  lot_id: string;
  qty_g: number;
  packages: number | null;
}

type Xml = { [name: string]: Xml | Xml[] | string };

/** ISO 4217 letter code → the numeric code 1C's currency classifier keys on. */
const CURRENCY_CODES: Record<string, string> = { RUB: '643', USD: '840', EUR: '978', CNY: '156' };
/** ОКЕИ 166: kilogram. Every quantity we hold is a weight in grams. */
const KILOGRAM = { ДанныеКлассификатора: { Код: '166', Наименование: 'кг' } };

/**
 * Builds the message for documents dated in [from, to), with the items and lots they name as
 * catalogs. An empty period gives a valid message with an empty Body.
 */
export function buildEnterpriseData(q: QueryRunner, period: ExportPeriod): EnterpriseDataExport {
  const steps = messageSteps(q, period);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Objects written done of total; the last report (done = total) comes when the XML is complete. */
export type BuildProgress = (done: number, total: number) => void;

/**
 * The same message, made in chunks: after each chunk it reports progress and gives the event loop
 * a turn, so a long period does not freeze the process and the progress reaches the windows.
 * The workspace is read in one snapshot before the first turn: what is written cannot change
 * half-way through.
 */
export async function buildEnterpriseDataInChunks(q: QueryRunner, period: ExportPeriod, onProgress?: BuildProgress): Promise<EnterpriseDataExport> {
  const steps = messageSteps(q, period);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    onProgress?.(step.value.done, step.value.total);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Reports between chunks: at most about this many for a message, and chunks of at least MIN_CHUNK objects. */
const REPORTS = 100;
const MIN_CHUNK = 25;

/** Reads the period, then writes the message object by object, yielding progress between chunks. */
function* messageSteps(q: QueryRunner, period: ExportPeriod): Generator<{ done: number; total: number }, EnterpriseDataExport> {
  const { ctx, objects: planned } = q.db.transaction(() => readPeriod(q, period)).deferred();
  const total = planned.length;
  yield { done: 0, total };

  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele('Message', {
    'xmlns:msg': MESSAGE_NS,
    'xmlns:xs': 'http://www.w3.org/2001/XMLSchema',
    'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
  });
  const header = doc.ele(MESSAGE_NS, 'msg:Header');
  header.ele(MESSAGE_NS, 'msg:Format').txt(ENTERPRISE_DATA_NS);
  header.ele(MESSAGE_NS, 'msg:CreationDate').txt(dateTime1C(period.now));
  header.ele(MESSAGE_NS, 'msg:AvailableVersion').txt(FORMAT_VERSION);
  const body = doc.ele(ENTERPRISE_DATA_NS, 'Body');

  const counts = Object.fromEntries(OBJECT_TYPES.map((t) => [t, 0])) as Record<ObjectTypeName, number>;
  const objects: ExportedObject[] = [];
  const chunk = Math.max(MIN_CHUNK, Math.ceil(total / REPORTS));
  for (const [type, object] of planned) {
    body.ele({ [type]: object });
    counts[type] += 1;
    objects.push(ctx.described.get(object)!);
    if (objects.length % chunk === 0 && objects.length < total) yield { done: objects.length, total };
  }
  const xml = doc.end({ prettyPrint: true });
  yield { done: total, total };
  return { xml, counts, objects };
}

/** Every object of the message, catalogs first, as data (the reading part of an export). */
function readPeriod(q: QueryRunner, period: ExportPeriod): { ctx: Context; objects: [ObjectTypeName, Xml][] } {
  const ctx = new Context(q);
  const documents: [ObjectTypeName, Xml][] = [
    ...receipts(ctx, period),
    ...consumptions(ctx, period),
    ...outputs(ctx, period),
    ...moves(ctx, period),
    ...sales(ctx, period),
  ];
  // Catalogs first: 1C resolves a reference best when the object it points to came before it.
  const catalogs: [ObjectTypeName, Xml][] = [
    ...[...ctx.usedProducts].map((id) => ctx.productCatalog(id)),
    ...[...ctx.usedLots].map((id) => ctx.lotCatalog(id)),
  ];
  return { ctx, objects: [...catalogs, ...documents] };
}

const OBJECT_TYPES: readonly ObjectTypeName[] = export1cObjectType.options;

/** Reference data read once per export, the references built from it, and what was used. */
class Context {
  readonly usedProducts = new Set<string>();
  readonly usedLots = new Set<string>();
  readonly described = new Map<Xml, ExportedObject>();
  private readonly sites: Map<string, SiteRow>;
  private readonly partners: Map<string, PartnerRow>;
  private readonly locations: Map<string, LocationRow>;
  private readonly products: Map<string, ProductRow>;
  private readonly lots = new Map<string, LotRow>();

  constructor(readonly q: QueryRunner) {
    const byId = <R extends { id: string }>(rows: R[]) => new Map(rows.map((r) => [r.id, r]));
    this.sites = byId(q.sql<SiteRow>('SELECT id, name_ru FROM sites'));
    this.partners = byId(q.sql<PartnerRow>('SELECT id, name_ru, country, tax_id FROM partners'));
    this.locations = byId(q.sql<LocationRow>('SELECT id, code, name FROM locations'));
    this.products = byId(
      q.sql<ProductRow>('SELECT id, code, kind, name_ru, name_en, hs_code, shelf_life_days, unit FROM products'),
    );
  }

  /** Records what an object is, for the caller's record of the export. */
  object(type: ObjectTypeName, guid: string, sourceId: string, label: string, xml: Xml): [ObjectTypeName, Xml] {
    this.described.set(xml, { type, guid, source_id: sourceId, label });
    return [type, xml];
  }

  keys(guid: string, at: number, number: string, siteId: string): Xml {
    const site = this.sites.get(siteId)!;
    return {
      Ссылка: guid,
      Дата: dateTime1C(at),
      Номер: number,
      Организация: { Ссылка: site.id, Наименование: site.name_ru, ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо' },
    };
  }

  counterparty(id: string): Xml {
    const p = this.partners.get(id)!;
    // A Russian tax number is an ИНН (10 or 12 digits); anyone else's is a non-resident's number.
    const inn = p.country === 'RU' && p.tax_id && /^\d{10}(\d{2})?$/.test(p.tax_id) ? p.tax_id : undefined;
    return compact({
      Ссылка: p.id,
      Наименование: p.name_ru,
      ИНН: inn,
      ЮридическоеФизическоеЛицо: 'ЮридическоеЛицо',
      НалоговыйНомерНерезидента: p.country !== 'RU' && p.tax_id ? p.tax_id : undefined,
    });
  }

  locationCode(id: string): string {
    return this.locations.get(id)!.code;
  }

  warehouse(id: string): Xml {
    const l = this.locations.get(id)!;
    return { Ссылка: l.id, Наименование: l.name };
  }

  itemKeys(productId: string): Xml {
    this.usedProducts.add(productId);
    const p = this.products.get(productId)!;
    return { Ссылка: p.id, НаименованиеПолное: p.name_ru, КодВПрограмме: p.code, Наименование: p.name_ru };
  }

  lot(id: string): LotRow {
    let lot = this.lots.get(id);
    if (!lot) {
      lot = this.q.sql<LotRow>('SELECT id, code, product_id, produced_at, expires_at FROM lots WHERE id = ?', id)[0]!;
      this.lots.set(id, lot);
    }
    return lot;
  }

  lotKeys(lotId: string): Xml {
    this.usedLots.add(lotId);
    const lot = this.lot(lotId);
    return { Ссылка: lot.id, Наименование: lot.code, СерийныйНомер: lot.code, ВладелецСерии: { Номенклатура: this.itemKeys(lot.product_id) } };
  }

  /** ДанныеНоменклатуры of a line: the item and the lot. */
  itemData(lotId: string): Xml {
    return { Номенклатура: this.itemKeys(this.lot(lotId).product_id), Серия: this.lotKeys(lotId) };
  }

  productOf(lotId: string): ProductRow {
    return this.products.get(this.lot(lotId).product_id)!;
  }

  productCatalog(id: string): [ObjectTypeName, Xml] {
    const p = this.products.get(id)!;
    return this.object(
      'Справочник.Номенклатура',
      p.id,
      p.id,
      p.code,
      compact({
        КлючевыеСвойства: this.itemKeys(id),
        ТипНоменклатуры: 'Товар',
        Описание: p.name_en,
        ЕдиницаИзмерения: KILOGRAM,
        КодТНВЭД: p.hs_code ? { Наименование: p.name_ru, КодТНВЭД: p.hs_code } : undefined,
        Весовой: String(p.unit === 'kg'),
        ИспользоватьСерии: 'true',
        СрокГодности: `${p.shelf_life_days}`,
        ЕдиницаИзмеренияСрокаГодности: 'День',
      }),
    );
  }

  lotCatalog(id: string): [ObjectTypeName, Xml] {
    const lot = this.lot(id);
    return this.object('Справочник.СерииНоменклатуры', lot.id, lot.id, lot.code, {
      КлючевыеСвойства: this.lotKeys(id),
      ГоденДо: dateTime1C(lot.expires_at),
      ДатаПроизводства: date1C(lot.produced_at),
    });
  }

  /** The stock line every document shares: item and lot, kilograms, packages where known. */
  /**
   * A table row. The rows of the documents we emit share their first properties and their
   * last two in this order; `middle` (warehouse) and `tail` (output lot) go where the type puts them.
   */
  stockLine(line: Line, options: { packages?: boolean; middle?: Xml; tail?: Xml } = {}): Xml {
    return compact({
      ДанныеНоменклатуры: this.itemData(line.lot_id),
      ЕдиницаИзмерения: KILOGRAM,
      Количество: kgFromGrams(line.qty_g),
      КоличествоУпаковок: options.packages && line.packages ? `${line.packages}` : undefined,
      ...options.middle,
      ТипЗапасов: stockType(this.productOf(line.lot_id).kind),
      ИдентификаторСтроки: line.id,
      ...options.tail,
    });
  }
}

/** The 1C stock type that decides the ledger account: raw and semi-finished are materials, finished goods are products. */
function stockType(kind: ProductRow['kind']): string {
  return kind === 'finished' ? 'ГотоваяПродукция' : 'СырьеИМатериалы';
}

function currency(code: string | null): Xml {
  const iso = code ?? 'RUB';
  const numeric = CURRENCY_CODES[iso];
  if (!numeric) throw new RangeError(`currency ${iso} has no 1C classifier code here`);
  return { ДанныеКлассификатора: { Код: numeric, Наименование: iso } };
}

/** Drops absent values so optional properties are left out rather than written empty. */
function compact(fields: Record<string, Xml | Xml[] | string | undefined>): Xml {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Xml;
}

// --- documents ----------------------------------------------------------------------------

function receipts(ctx: Context, { from, to }: ExportPeriod): [ObjectTypeName, Xml][] {
  const heads = ctx.q.sql<{ id: string; number: string; received_at: number; supplier_id: string; site_id: string }>(
    'SELECT id, number, received_at, supplier_id, site_id FROM receipts WHERE received_at >= ? AND received_at < ? ORDER BY received_at, number',
    from,
    to,
  );
  return heads.map((r) => {
    const lines = ctx.q.sql<Line & { location_id: string }>(
      'SELECT id, lot_id, net_g AS qty_g, packages, location_id FROM receipt_lines WHERE receipt_id = ? ORDER BY line_no',
      r.id,
    );
    const rub = currency('RUB');
    return ctx.object('Документ.ПоступлениеТоваровУслуг', r.id, r.id, r.number, {
      КлючевыеСвойства: { ...ctx.keys(r.id, r.received_at, r.number, r.site_id), Контрагент: ctx.counterparty(r.supplier_id) },
      Товары: { Строка: lines.map((l) => ctx.stockLine(l, { packages: true })) },
      Валюта: rub,
      ВидОперации: 'ПокупкаУПоставщика',
      // 1C keeps one warehouse per receipt; ours are received into one (quarantine) in practice.
      Склад: ctx.warehouse(lines[0]!.location_id),
      ДанныеВзаиморасчетов: { ВалютаВзаиморасчетов: rub, РасчетыВУсловныхЕдиницах: 'false' },
    });
  });
}

interface InputRow extends Line {
  batch_id: string;
  number: string;
  site_id: string;
  location_id: string;
  at: number;
}

/** The inputs of some batches, in time order. */
function batchInputs(ctx: Context, batchIds: string[]): InputRow[] {
  return ctx.q.sql<InputRow>(
    `SELECT bi.id, bi.lot_id, bi.qty_g, NULL AS packages, bi.batch_id, b.number, b.site_id, bi.location_id, bi.at
     FROM batch_inputs bi JOIN batches b ON b.id = bi.batch_id
     WHERE bi.batch_id IN (SELECT value FROM json_each(?))
     ORDER BY bi.at, bi.id`,
    JSON.stringify(batchIds),
  );
}

/** Groups rows by a key, keeping first-seen order. */
function groupBy<R>(rows: R[], key: (r: R) => string): R[][] {
  const groups = new Map<string, R[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return [...groups.values()];
}

/**
 * Transfers to production: one document per batch and warehouse taken from (1C's document
 * has one warehouse), dated by its first input; a group starting before the period belongs
 * to an earlier export.
 */
function consumptions(ctx: Context, { from, to }: ExportPeriod): [ObjectTypeName, Xml][] {
  const batches = ctx.q.sql<{ batch_id: string }>('SELECT DISTINCT batch_id FROM batch_inputs WHERE at >= ? AND at < ?', from, to);
  return groupBy(batchInputs(ctx, batches.map((b) => b.batch_id)), (r) => `${r.batch_id}:${r.location_id}`)
    .filter((g) => g[0]!.at >= from && g[0]!.at < to)
    .map((g) => {
      const first = g[0]!;
      const guid = derivedGuid(first.batch_id, `consumption:${first.location_id}`);
      const number = `${first.number}/${ctx.locationCode(first.location_id)}`;
      return ctx.object('Документ.ПередачаМатериаловВПроизводство', guid, first.batch_id, number, {
        КлючевыеСвойства: ctx.keys(guid, first.at, number, first.site_id),
        Склад: ctx.warehouse(first.location_id),
        Товары: { Строка: g.map((l) => ctx.stockLine(l)) },
      });
    });
}

/**
 * Production output: one document per batch (Ссылка = the batch id), dated by its first output,
 * with every output lot as a product line and every consumed lot as a material line.
 */
function outputs(ctx: Context, { from, to }: ExportPeriod): [ObjectTypeName, Xml][] {
  const rows = ctx.q.sql<Line & { batch_id: string; number: string; site_id: string; location_id: string; at: number }>(
    `SELECT m.id, m.lot_id, m.qty_g, l.packages, m.ref_id AS batch_id, b.number, b.site_id, m.to_location_id AS location_id, m.at
     FROM movements m JOIN lots l ON l.id = m.lot_id JOIN batches b ON b.id = m.ref_id
     WHERE m.kind = 'output' AND m.ref_id IN (SELECT ref_id FROM movements WHERE kind = 'output' AND at >= ? AND at < ?)
     ORDER BY m.at, m.id`,
    from,
    to,
  );
  const batches = groupBy(rows, (r) => r.batch_id).filter((g) => g[0]!.at >= from && g[0]!.at < to);
  const inputs = new Map(groupBy(batchInputs(ctx, batches.map((g) => g[0]!.batch_id)), (r) => r.batch_id).map((i) => [i[0]!.batch_id, i]));
  return batches.map((g) => {
    const first = g[0]!;
    const materials = inputs.get(first.batch_id) ?? [];
    const lots = new Set(g.map((o) => o.lot_id));
    // A material line can name the lot it went into; only unambiguous with one output lot.
    const into: Xml | undefined =
      lots.size === 1 ? { Продукция: ctx.itemKeys(ctx.lot(first.lot_id).product_id), СерияПродукции: ctx.lotKeys(first.lot_id) } : undefined;
    return ctx.object('Документ.ВыпускПродукции', first.batch_id, first.batch_id, first.number, {
      КлючевыеСвойства: ctx.keys(first.batch_id, first.at, first.number, first.site_id),
      Продукция: { Строка: g.map((o) => ctx.stockLine(o, { packages: true })) },
      ВидОперации: 'ВыпускПродукцииНаСклад',
      // One warehouse per document in 1C: where the first output went.
      Склад: ctx.warehouse(first.location_id),
      ...(materials.length
        ? { Материалы: { Строка: materials.map((m) => ctx.stockLine(m, { middle: { Склад: ctx.warehouse(m.location_id) }, tail: into })) } }
        : {}),
    });
  });
}

/** Moves between our locations: one document per transfer movement (Ссылка = the movement id). */
function moves(ctx: Context, { from, to }: ExportPeriod): [ObjectTypeName, Xml][] {
  const rows = ctx.q.sql<Line & { from_location_id: string; to_location_id: string; at: number; site_id: string }>(
    `SELECT id, lot_id, qty_g, NULL AS packages, from_location_id, to_location_id, at, site_id
     FROM movements WHERE kind = 'transfer' AND at >= ? AND at < ? ORDER BY at, id`,
    from,
    to,
  );
  return rows.map((m) => {
    // Movements have no number of their own; the id's random tail is unique and stable.
    const number = `TR-${m.id.slice(-12).toUpperCase()}`;
    return ctx.object('Документ.ПеремещениеТоваров', m.id, m.id, number, {
      КлючевыеСвойства: ctx.keys(m.id, m.at, number, m.site_id),
      СкладОтправитель: ctx.warehouse(m.from_location_id),
      СкладПолучатель: ctx.warehouse(m.to_location_id),
      Товары: { Строка: [ctx.stockLine(m)] },
    });
  });
}

/** Shipped shipments as sales (Ссылка = the shipment id), dated when shipped. */
function sales(ctx: Context, { from, to }: ExportPeriod): [ObjectTypeName, Xml][] {
  const heads = ctx.q.sql<{ id: string; number: string; shipped_at: number; customer_id: string; currency: string | null; site_id: string }>(
    `SELECT id, number, shipped_at, customer_id, currency, site_id FROM shipments
     WHERE status = 'shipped' AND shipped_at >= ? AND shipped_at < ? ORDER BY shipped_at, number`,
    from,
    to,
  );
  return heads.map((s) => {
    const lines = ctx.q.sql<Line>(
      'SELECT id, lot_id, qty_g, packages FROM shipment_lines WHERE shipment_id = ? ORDER BY rowid',
      s.id,
    );
    const [source] = ctx.q.sql<{ location_id: string }>(
      "SELECT from_location_id AS location_id FROM movements WHERE kind = 'shipment' AND ref_id = ? ORDER BY at, id LIMIT 1",
      s.id,
    );
    const money = currency(s.currency);
    return ctx.object('Документ.РеализацияТоваровУслуг', s.id, s.id, s.number, {
      КлючевыеСвойства: ctx.keys(s.id, s.shipped_at, s.number, s.site_id),
      ВидОперации: 'РеализацияКлиенту',
      Валюта: money,
      ...(source ? { Склад: ctx.warehouse(source.location_id) } : {}),
      Контрагент: ctx.counterparty(s.customer_id),
      ДанныеВзаиморасчетов: { ВалютаВзаиморасчетов: money, РасчетыВУсловныхЕдиницах: 'false' },
      Товары: { Строка: lines.map((l) => ctx.stockLine(l, { packages: true })) },
    });
  });
}
