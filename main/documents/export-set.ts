// The export document set of a shipment to China: what it says (exportSetData, read from the
// workspace), the four documents as pdfmake definitions (commercial invoice, packing list,
// veterinary certificate data sheet, certificate of origin application data) and renderExportSet,
// which renders all four. Chinese and English throughout; the veterinary data sheet also carries
// Russian, because the Russian veterinary authority issues the certificate from it.
// The exact certificate texts and invoice rules are not public (DOMAIN.md): these are the common
// commercial set and the fields the Chinese and Russian sides ask for, and anything the workspace
// does not know (prices, packing, transit, origin criterion) is an input or a blank to fill in.
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import type { QueryRunner } from '../db/query.js';
import type { LotRow, PartnerRow, ProductRow, ShipmentRow, SiteRow } from '../contract/entities.js';
import { isoDate } from '../services/common.js';
import { DOCUMENT_WORDS, versionNote, type DocLang } from './i18n.js';
import { renderPdf, type DocDefinition } from './pdf.js';

const SHIPMENT = say('Отгрузка', 'Shipment');

export interface ExportParty {
  name_ru: string;
  name_en: string | null;
  name_zh: string | null;
  address_ru: string | null;
  address_en: string | null;
  address_zh: string | null;
  country: string;
}

export interface ExportSeller extends ExportParty {
  china_reg_no: string | null;
  vet_approval_no: string | null;
  phone: string | null;
}

export interface ExportBuyer extends ExportParty {
  tax_id: string | null;
  contact: string | null;
}

/** One lot in one container (or in none): shipment lines of the same lot and container are summed. */
export interface ExportLine {
  lot: string;
  container_no: string | null;
  product: Pick<ProductRow, 'code' | 'name_ru' | 'name_en' | 'name_zh' | 'latin_name' | 'hs_code' | 'storage_temp_min' | 'storage_temp_max'>;
  /** Aquatic products (HS chapter 03, or a product with a scientific name) need the fishery fields. */
  aquatic: boolean;
  production_method: 'wild' | 'farmed' | null;
  catch_area: string | null;
  produced_at: number;
  expires_at: number;
  packages: number;
  net_g: number;
  gross_g: number;
}

export interface ExportSetData {
  shipment: Pick<ShipmentRow, 'number' | 'status' | 'planned_date' | 'shipped_at' | 'destination_country' | 'incoterms' | 'currency' | 'transport' | 'border_crossing'>;
  seller: ExportSeller;
  buyer: ExportBuyer;
  consignee: ExportBuyer;
  containers: { container_no: string; seal_no: string | null }[];
  /** Ordered by container, then lot; lines without a container come last. */
  lines: ExportLine[];
}

export interface ExportSetOptions {
  /** The documents' date. */
  issuedAt: number;
  /** Unit prices by product code, in `currency` per kg net. The invoice refuses a product without one. */
  prices?: Record<string, number>;
  /** Override the shipment's currency (ISO 4217) and incoterms. */
  currency?: string;
  incoterms?: string;
  /** Packing as the vet certificate states it, e.g. "cartons / 纸箱"; left blank to fill in when absent. */
  packing?: string;
  /** The registry number of this document when issued through the registry; else `<shipment>-<suffix>`. */
  number?: string;
  /** Its registry version; a reissue (2 and up) says which version it replaces. Default 1. */
  version?: number;
}

// ---- data -----------------------------------------------------------------------------------

function party<T extends ExportParty>(row: T): ExportParty {
  return {
    name_ru: row.name_ru, name_en: row.name_en, name_zh: row.name_zh,
    address_ru: row.address_ru, address_en: row.address_en, address_zh: row.address_zh, country: row.country,
  };
}

function buyerOf(q: QueryRunner, id: string): ExportBuyer {
  const p = q.sql<PartnerRow>('SELECT * FROM partners WHERE id = ?', id)[0]!;
  return { ...party(p), tax_id: p.tax_id, contact: p.contact };
}

function isAquatic(product: Pick<ProductRow, 'hs_code' | 'latin_name'>): boolean {
  return product.latin_name !== null || (product.hs_code?.startsWith('03') ?? false);
}

/**
 * Everything the export set states, read from the workspace. Refuses (a DomainError with a
 * Russian and English message) an unknown, cancelled or empty shipment. A draft shipment is
 * allowed: the set is prepared before the goods leave. `now` keeps the signature of
 * certificateData; the set states the shipment as it is.
 */
export function exportSetData(q: QueryRunner, subject: { shipment: string }, now: number): ExportSetData {
  const s = q.sql<ShipmentRow>('SELECT * FROM shipments WHERE number = ?', subject.shipment)[0];
  if (!s) throw new DomainError('NOT_FOUND', { entity: SHIPMENT, key: subject.shipment }, 'shipment');
  const rows = q.sql<{ lot_id: string; container_no: string | null; qty_g: number; gross_g: number; packages: number }>(
    `SELECT sl.lot_id, c.container_no, SUM(sl.qty_g) AS qty_g, SUM(sl.gross_g) AS gross_g, SUM(sl.packages) AS packages
     FROM shipment_lines sl JOIN lots l ON l.id = sl.lot_id LEFT JOIN shipment_containers c ON c.id = sl.container_id
     WHERE sl.shipment_id = ? GROUP BY sl.lot_id, c.container_no ORDER BY c.container_no IS NULL, c.container_no, l.code`,
    s.id,
  );
  if (s.status === 'cancelled' || rows.length === 0) {
    const state = s.status === 'cancelled' ? say('отменена', 'cancelled') : say('пустая', 'empty');
    throw new DomainError('INVALID_STATE', { entity: SHIPMENT, key: s.number, state, action: say('подготовить экспортные документы', 'prepare the export documents') }, 'shipment');
  }
  const site = q.sql<SiteRow>('SELECT * FROM sites WHERE id = ?', s.site_id)[0]!;
  const lines = rows.map((r): ExportLine => {
    const lot = q.sql<LotRow>('SELECT * FROM lots WHERE id = ?', r.lot_id)[0]!;
    const p = q.sql<ProductRow>('SELECT * FROM products WHERE id = ?', lot.product_id)[0]!;
    const method = lot.production_method ?? p.production_method;
    return {
      lot: lot.code,
      container_no: r.container_no,
      product: {
        code: p.code, name_ru: p.name_ru, name_en: p.name_en, name_zh: p.name_zh, latin_name: p.latin_name, hs_code: p.hs_code,
        storage_temp_min: p.storage_temp_min, storage_temp_max: p.storage_temp_max,
      },
      aquatic: isAquatic(p),
      production_method: method === 'wild' || method === 'farmed' ? method : null,
      catch_area: lot.catch_area,
      produced_at: lot.produced_at,
      expires_at: lot.expires_at,
      packages: r.packages,
      net_g: r.qty_g,
      gross_g: r.gross_g,
    };
  });
  return {
    shipment: {
      number: s.number, status: s.status, planned_date: s.planned_date, shipped_at: s.shipped_at, destination_country: s.destination_country,
      incoterms: s.incoterms, currency: s.currency, transport: s.transport, border_crossing: s.border_crossing,
    },
    seller: { ...party(site), china_reg_no: site.china_reg_no, vet_approval_no: site.vet_approval_no, phone: site.phone },
    buyer: buyerOf(q, s.customer_id),
    consignee: buyerOf(q, s.consignee_id),
    containers: q.sql<{ container_no: string; seal_no: string | null }>(
      'SELECT container_no, seal_no FROM shipment_containers WHERE shipment_id = ? ORDER BY container_no',
      s.id,
    ),
    lines,
  };
}

// ---- words ----------------------------------------------------------------------------------


/** Document words: Chinese first (the destination's language), then English, then Russian. */
const WORDS = {
  ...DOCUMENT_WORDS,
  invoice: { zh: '商业发票', en: 'Commercial invoice', ru: 'Коммерческий инвойс' },
  packingList: { zh: '装箱单', en: 'Packing list', ru: 'Упаковочный лист' },
  vetSheet: { zh: '兽医（卫生）证书数据表', en: 'Veterinary (health) certificate data sheet', ru: 'Данные для ветеринарного сертификата' },
  origin: { zh: '原产地证书申请数据', en: 'Certificate of origin application data', ru: 'Данные заявки на сертификат происхождения' },
  seller: { zh: '卖方', en: 'Seller', ru: 'Продавец' },
  buyer: { zh: '买方', en: 'Buyer', ru: 'Покупатель' },
  exporter: { zh: '出口商', en: 'Exporter', ru: 'Экспортёр' },
  shipper: { zh: '发货人', en: 'Shipper', ru: 'Грузоотправитель' },
  chinaRegNo: { zh: '在华注册编号', en: 'China registration No.', ru: 'Рег. номер в Китае (GACC)' },
  taxId: { zh: '税号', en: 'Tax ID', ru: 'ИНН' },
  shipment: { zh: '发货编号', en: 'Shipment', ru: 'Отгрузка' },
  incoterms: { zh: '贸易术语', en: 'Incoterms', ru: 'Инкотермс' },
  currency: { zh: '币种', en: 'Currency', ru: 'Валюта' },
  countryOfOrigin: { zh: '原产国', en: 'Country of origin', ru: 'Страна происхождения' },
  destination: { zh: '目的地', en: 'Destination', ru: 'Страна назначения' },
  transport: { zh: '运输方式', en: 'Means of transport', ru: 'Транспорт' },
  borderCrossing: { zh: '出境口岸', en: 'Border crossing', ru: 'Пункт пересечения границы' },
  transit: { zh: '过境国', en: 'Transit', ru: 'Транзит' },
  vessel: { zh: '捕捞船', en: 'Fishing vessel', ru: 'Промысловое судно' },
  container: { zh: '集装箱', en: 'Container', ru: 'Контейнер' },
  seal: { zh: '封号', en: 'Seal', ru: 'Пломба' },
  noContainer: { zh: '未装箱', en: 'Not containerised', ru: 'Без контейнера' },
  description: { zh: '品名', en: 'Description', ru: 'Наименование' },
  packages: { zh: '件数', en: 'Packages', ru: 'Мест' },
  packing: { zh: '包装', en: 'Packing', ru: 'Упаковка' },
  marks: { zh: '唛头', en: 'Marks', ru: 'Маркировка' },
  netKg: { zh: '净重 kg', en: 'Net kg', ru: 'Нетто, кг' },
  grossKg: { zh: '毛重 kg', en: 'Gross kg', ru: 'Брутто, кг' },
  unitPrice: { zh: '单价/kg', en: 'Unit price/kg', ru: 'Цена за кг' },
  amount: { zh: '金额', en: 'Amount', ru: 'Сумма' },
  total: { zh: '合计', en: 'Total', ru: 'Итого' },
  subtotal: { zh: '小计', en: 'Subtotal', ru: 'Итого по контейнеру' },
  temperature: { zh: '储存/运输温度', en: 'Storage / transport temperature', ru: 'Температура хранения / перевозки' },
  aquaticProducts: { zh: '水产品', en: 'Aquatic products', ru: 'Рыба и рыбопродукция' },
  meatProducts: { zh: '肉类产品', en: 'Meat products', ru: 'Мясная продукция' },
  vetNotice: {
    zh: '本表为供出口国兽医主管部门出具证书的数据，不是证书本身。一批货物一份正本，中英文，目的地：中华人民共和国。',
    en: 'These are the data for the certificate issued by the Russian veterinary authority; this sheet is not the certificate. One original per consignment, Chinese and English, destination: People\'s Republic of China.',
    ru: 'Данные для ветеринарного сертификата, который оформляет ветеринарная служба России; этот лист сертификатом не является. Один оригинал на партию, на китайском и английском языках, страна назначения — КНР.',
  },
  originCriterion: { zh: '原产地标准', en: 'Origin criterion', ru: 'Критерий происхождения' },
  originNotice: {
    zh: '申请数据，原产地标准由管理员填写后向签证机构申请。',
    en: 'Application data: the administrator fills in the origin criterion and applies to the issuing authority.',
    ru: 'Данные заявки: критерий происхождения заполняет администратор перед подачей в уполномоченный орган.',
  },
  toFill: { zh: '（待填写）', en: '(to be filled in)', ru: '(заполнить)' },
} as const satisfies Record<string, Record<DocLang, string>>;

type Word = keyof typeof WORDS;

const ZH_EN: readonly DocLang[] = ['zh', 'en'];
const ZH_EN_RU: readonly DocLang[] = ['zh', 'en', 'ru'];

/** "中文 / English[ / Русский]" in one line, for headings and table headers. */
function words(word: Word, langs: readonly DocLang[] = ZH_EN): string {
  return langs.map((l) => WORDS[word][l]).join(' / ');
}

// ---- layout helpers -------------------------------------------------------------------------

type Node = Record<string, unknown> | string;

/** Grams as kilograms with exactly three decimals (integers all the way, so totals add up exactly). */
function kg(grams: number): string {
  return (grams / 1000).toFixed(3);
}

function tempRange(min: number | null, max: number | null): string {
  if (min !== null && max !== null) return `${min}…${max} °C`;
  if (max !== null) return `≤ ${max} °C`;
  if (min !== null) return `≥ ${min} °C`;
  return '—';
}

/** A name in every language asked for that it has (Chinese may be missing). */
function names(n: { name_ru: string; name_en: string | null; name_zh: string | null }, langs: readonly DocLang[]): Node {
  const lines = langs.map((l) => (l === 'ru' ? n.name_ru : l === 'en' ? n.name_en : n.name_zh)).filter((t): t is string => !!t);
  return { stack: lines.map((text, i) => ({ text, bold: i === 0 })) };
}

function partyBlock(p: ExportParty, langs: readonly DocLang[], extra: [Word, string | null][] = []): Node {
  const addresses = langs.map((l) => (l === 'ru' ? p.address_ru : l === 'en' ? p.address_en : p.address_zh)).filter((t): t is string => !!t);
  return {
    stack: [
      names(p, langs),
      ...addresses.map((text) => ({ text, fontSize: 8 })),
      ...extra.filter(([, v]) => v).map(([w, v]) => ({ text: `${words(w, langs)}: ${v}`, fontSize: 8 })),
    ],
  };
}

function fields(rows: [string, Node][], labelWidth = 170): Node {
  return {
    table: { widths: [labelWidth, '*'], body: rows.map(([label, value]) => [{ text: label, style: 'label' }, value]) },
    layout: 'lightHorizontalLines',
    margin: [0, 0, 0, 8],
  };
}

function th(word: Word, langs: readonly DocLang[] = ZH_EN, alignment?: 'right'): Node {
  return { stack: langs.map((l, i) => ({ text: WORDS[word][l], bold: i === 0 })), style: 'th', ...(alignment ? { alignment } : {}) };
}

function num(text: string, bold = false): Node {
  return { text, alignment: 'right', bold };
}

function sealOf(data: ExportSetData, container: string | null): string {
  return data.containers.find((c) => c.container_no === container)?.seal_no ?? '—';
}

function containersText(data: ExportSetData): string {
  return data.containers.length ? data.containers.map((c) => `${c.container_no} / ${c.seal_no ?? '—'}`).join(', ') : '—';
}

function sum(lines: readonly ExportLine[], key: 'packages' | 'net_g' | 'gross_g'): number {
  return lines.reduce((total, l) => total + l[key], 0);
}

function header(title: Word, data: ExportSetData, opts: ExportSetOptions, langs: readonly DocLang[], suffix: string): Node {
  const version = opts.version ?? 1;
  return {
    stack: [
      { text: words(title, langs), style: 'title' },
      { text: `${words('number', ZH_EN)} ${opts.number ?? `${data.shipment.number}-${suffix}`}   ${words('date', ZH_EN)}: ${isoDate(opts.issuedAt)}`, style: 'subtitle' },
      ...(version > 1 ? [{ text: langs.map((l) => versionNote(version, l)).join(' / '), style: 'subtitle', bold: true }] : []),
    ],
    margin: [0, 0, 0, 10],
  };
}

function page(title: Word, data: ExportSetData, opts: ExportSetOptions, content: Node[], landscape = false): DocDefinition {
  return {
    pageOrientation: landscape ? 'landscape' : 'portrait',
    pageMargins: [32, 32, 32, 36],
    content,
    footer: (current: number, pages: number) => ({
      text: `${data.shipment.number} · ${words(title)} · ${current}/${pages}`,
      alignment: 'right',
      style: 'footer',
      margin: [32, 10, 32, 0],
    }),
    styles: {
      title: { fontSize: 15, bold: true },
      subtitle: { fontSize: 10, margin: [0, 3, 0, 0] },
      h2: { fontSize: 11, bold: true, margin: [0, 6, 0, 4] },
      label: { color: '#555555' },
      th: { fontSize: 7.5, fillColor: '#eeeeee' },
      notice: { fontSize: 8, color: '#444444', margin: [0, 0, 0, 8] },
      footer: { fontSize: 6.5, color: '#666666' },
    },
  };
}

const ORIGIN: Record<string, { zh: string; en: string; ru: string }> = {
  RU: { zh: '俄罗斯联邦', en: 'Russian Federation', ru: 'Российская Федерация' },
  CN: { zh: '中华人民共和国', en: 'People\'s Republic of China', ru: 'Китайская Народная Республика' },
};

function country(code: string, langs: readonly DocLang[] = ZH_EN): string {
  const c = ORIGIN[code];
  return c ? `${langs.map((l) => c[l]).join(' / ')} (${code})` : code;
}

function productCell(line: ExportLine, langs: readonly DocLang[]): Node {
  const n = names(line.product, langs) as { stack: Node[] };
  return { stack: [...n.stack, ...(line.product.latin_name ? [{ text: line.product.latin_name, italics: true, fontSize: 7.5 }] : [])] };
}

// ---- the four documents ---------------------------------------------------------------------

/** Prices and currency the invoice needs; refused in Russian and English when one is missing. */
function invoiceTerms(data: ExportSetData, opts: ExportSetOptions): { currency: string; incoterms: string; price: (code: string) => number } {
  const currency = opts.currency ?? data.shipment.currency;
  if (!currency) throw new DomainError('VALIDATION', { details: say('не указана валюта (в отгрузке или параметрах)', 'no currency (shipment or options)') }, 'currency');
  const missing = [...new Set(data.lines.map((l) => l.product.code))].filter((code) => !(Number.isFinite(opts.prices?.[code]) && opts.prices![code]! >= 0));
  if (missing.length) throw new DomainError('VALIDATION', { details: say(`нет цены за кг: ${missing.join(', ')}`, `no unit price per kg: ${missing.join(', ')}`) }, 'prices');
  return { currency, incoterms: opts.incoterms ?? data.shipment.incoterms ?? '—', price: (code) => opts.prices![code]! };
}

/** Amount in minor units (cents): price per kg × net grams, rounded once per line so the total is their exact sum. */
function cents(pricePerKg: number, net_g: number): number {
  return Math.round((pricePerKg * net_g) / 10);
}

function money(minor: number): string {
  return (minor / 100).toFixed(2);
}

export function invoiceDocument(data: ExportSetData, opts: ExportSetOptions): DocDefinition {
  const { currency, incoterms, price } = invoiceTerms(data, opts);
  const body: Node[][] = [
    [th('hsCode'), th('description'), th('lot'), th('container'), th('packages', ZH_EN, 'right'), th('netKg', ZH_EN, 'right'), th('grossKg', ZH_EN, 'right'), th('unitPrice', ZH_EN, 'right'), th('amount', ZH_EN, 'right')],
  ];
  let total = 0;
  for (const line of data.lines) {
    const amount = cents(price(line.product.code), line.net_g);
    total += amount;
    body.push([
      line.product.hs_code ?? '—', productCell(line, ZH_EN), line.lot, line.container_no ?? '—',
      num(String(line.packages)), num(kg(line.net_g)), num(kg(line.gross_g)), num(price(line.product.code).toFixed(2)), num(money(amount)),
    ]);
  }
  body.push([
    { text: `${words('total')} (${currency})`, colSpan: 4, bold: true }, '', '', '',
    num(String(sum(data.lines, 'packages')), true), num(kg(sum(data.lines, 'net_g')), true), num(kg(sum(data.lines, 'gross_g')), true), '', num(`${money(total)} ${currency}`, true),
  ]);
  const s = data.seller;
  return page('invoice', data, opts, [
    header('invoice', data, opts, ZH_EN, 'INV'),
    {
      columns: [
        { width: '*', stack: [{ text: words('seller'), style: 'label' }, partyBlock(s, ZH_EN, [['chinaRegNo', s.china_reg_no]])] },
        { width: '*', stack: [{ text: words('buyer'), style: 'label' }, partyBlock(data.buyer, ZH_EN, [['taxId', data.buyer.tax_id]])] },
        { width: '*', stack: [{ text: words('consignee'), style: 'label' }, partyBlock(data.consignee, ZH_EN, [['taxId', data.consignee.tax_id]])] },
      ],
      columnGap: 12,
      margin: [0, 0, 0, 8],
    },
    fields([
      [words('shipment'), data.shipment.number],
      [words('incoterms'), incoterms],
      [words('currency'), currency],
      [words('countryOfOrigin'), country(s.country)],
      [words('destination'), country(data.shipment.destination_country)],
      [words('transport'), data.shipment.transport ?? '—'],
      [words('containers'), containersText(data)],
    ]),
    { table: { headerRows: 1, widths: [42, '*', 62, 66, 36, 50, 50, 46, 62], body }, layout: 'lightHorizontalLines', fontSize: 8 },
  ], true);
}

export function packingListDocument(data: ExportSetData, opts: ExportSetOptions): DocDefinition {
  const body: Node[][] = [
    [th('container'), th('seal'), th('lot'), th('description'), th('hsCode'), th('packages', ZH_EN, 'right'), th('netKg', ZH_EN, 'right'), th('grossKg', ZH_EN, 'right')],
  ];
  const groups = [...new Set(data.lines.map((l) => l.container_no))];
  for (const container of groups) {
    const lines = data.lines.filter((l) => l.container_no === container);
    for (const line of lines) {
      body.push([
        container ?? words('noContainer'), sealOf(data, container), line.lot, productCell(line, ZH_EN), line.product.hs_code ?? '—',
        num(String(line.packages)), num(kg(line.net_g)), num(kg(line.gross_g)),
      ]);
    }
    body.push([
      { text: `${words('subtotal')} ${container ?? words('noContainer')}`, colSpan: 5, bold: true, fillColor: '#f4f4f4' }, '', '', '', '',
      { ...(num(String(sum(lines, 'packages')), true) as object), fillColor: '#f4f4f4' },
      { ...(num(kg(sum(lines, 'net_g')), true) as object), fillColor: '#f4f4f4' },
      { ...(num(kg(sum(lines, 'gross_g')), true) as object), fillColor: '#f4f4f4' },
    ]);
  }
  body.push([
    { text: words('total'), colSpan: 5, bold: true }, '', '', '', '',
    num(String(sum(data.lines, 'packages')), true), num(kg(sum(data.lines, 'net_g')), true), num(kg(sum(data.lines, 'gross_g')), true),
  ]);
  return page('packingList', data, opts, [
    header('packingList', data, opts, ZH_EN, 'PL'),
    {
      columns: [
        { width: '*', stack: [{ text: words('seller'), style: 'label' }, partyBlock(data.seller, ZH_EN)] },
        { width: '*', stack: [{ text: words('consignee'), style: 'label' }, partyBlock(data.consignee, ZH_EN)] },
      ],
      columnGap: 12,
      margin: [0, 0, 0, 8],
    },
    fields([
      [words('countryOfOrigin'), country(data.seller.country)],
      [words('destination'), country(data.shipment.destination_country)],
      [words('transport'), data.shipment.transport ?? '—'],
    ]),
    { table: { headerRows: 1, widths: [60, 40, 62, '*', 36, 32, 44, 44], body }, layout: 'lightHorizontalLines', fontSize: 8 },
  ]);
}

/** One section of the vet data sheet: a certificate covers one category, so meat and fish are apart. */
function vetSection(data: ExportSetData, opts: ExportSetOptions, aquatic: boolean, lines: ExportLine[], breakBefore: boolean): Node[] {
  const L = ZH_EN_RU;
  const s = data.seller;
  const blank = words('toFill', L);
  const temps = [...new Set(lines.map((l) => tempRange(l.product.storage_temp_min, l.product.storage_temp_max)))].join(', ');
  const parties: [string, Node][] = [
    [words('shipper', L), partyBlock(s, L)],
    [words('producer', L), partyBlock(s, ['en'], [['chinaRegNo', s.china_reg_no], ['vetApprovalNo', s.vet_approval_no]])],
    [words('consignee', L), partyBlock(data.consignee, L)],
  ];
  const consignment: [string, Node][] = [
    [words('countryOfOrigin', L), country(s.country, L)],
    [words('destination', L), country(data.shipment.destination_country, L)],
    [words('transport', L), data.shipment.transport ?? blank],
    [words('borderCrossing', L), data.shipment.border_crossing ?? blank],
    [words('transit', L), blank],
    ...(aquatic ? [[words('vessel', L), blank] as [string, Node]] : []),
    [words('containers', L), containersText(data)],
    [words('packing', L), opts.packing ?? blank],
    [words('temperature', L), temps],
    [words('packages', L), String(sum(lines, 'packages'))],
    [words('netKg', L), kg(sum(lines, 'net_g'))],
    [words('grossKg', L), kg(sum(lines, 'gross_g'))],
  ];
  const cols: Word[] = aquatic
    ? ['product', 'latinName', 'productionMethod', 'catchArea', 'lot', 'producedAt', 'packages', 'netKg', 'grossKg']
    : ['product', 'hsCode', 'lot', 'producedAt', 'expiresAt', 'packages', 'netKg', 'grossKg'];
  const body: Node[][] = [cols.map((c) => th(c, L, ['packages', 'netKg', 'grossKg'].includes(c) ? 'right' : undefined))];
  for (const l of lines) {
    const method: Node = l.production_method ? { stack: L.map((lang) => WORDS[l.production_method!][lang]) } : '—';
    const marks = [l.lot, s.china_reg_no].filter(Boolean).join(' · ');
    const cells: Partial<Record<Word, Node>> = {
      product: { stack: [...(names(l.product, L) as { stack: Node[] }).stack, { text: `${words('hsCode', ['en'])} ${l.product.hs_code ?? '—'}`, fontSize: 7 }] },
      latinName: { text: l.product.latin_name ?? '—', italics: true },
      productionMethod: method,
      catchArea: l.catch_area ?? '—',
      lot: { stack: [l.lot, { text: `${WORDS.marks.en}: ${marks}`, fontSize: 7 }, ...(l.container_no ? [{ text: `${l.container_no} / ${sealOf(data, l.container_no)}`, fontSize: 7 }] : [])] },
      hsCode: l.product.hs_code ?? '—',
      producedAt: isoDate(l.produced_at),
      expiresAt: isoDate(l.expires_at),
      packages: num(String(l.packages)),
      netKg: num(kg(l.net_g)),
      grossKg: num(kg(l.gross_g)),
    };
    body.push(cols.map((c) => cells[c]!));
  }
  const widths = aquatic ? ['*', 96, 58, 84, 84, 52, 34, 48, 48] : ['*', 48, 78, 56, 56, 38, 52, 52];
  return [
    { text: words(aquatic ? 'aquaticProducts' : 'meatProducts', L), style: 'h2', ...(breakBefore ? { pageBreak: 'before' } : {}) },
    { columns: [fields(parties, 110), fields(consignment, 120)], columnGap: 14 },
    { table: { headerRows: 1, widths, body }, layout: 'lightHorizontalLines', fontSize: 7.5 },
  ];
}

export function vetDataSheetDocument(data: ExportSetData, opts: ExportSetOptions): DocDefinition {
  const aquatic = data.lines.filter((l) => l.aquatic);
  const meat = data.lines.filter((l) => !l.aquatic);
  const sections = [
    ...(aquatic.length ? [vetSection(data, opts, true, aquatic, false)] : []),
    ...(meat.length ? [vetSection(data, opts, false, meat, aquatic.length > 0)] : []),
  ];
  return page('vetSheet', data, opts, [
    header('vetSheet', data, opts, ZH_EN_RU, 'VET'),
    { stack: ZH_EN_RU.map((l) => ({ text: WORDS.vetNotice[l] })), style: 'notice' },
    ...sections.flat(),
  ], true);
}

export function originApplicationDocument(data: ExportSetData, opts: ExportSetOptions): DocDefinition {
  const body: Node[][] = [[th('hsCode'), th('description'), th('packages', ZH_EN, 'right'), th('netKg', ZH_EN, 'right'), th('grossKg', ZH_EN, 'right'), th('originCriterion')]];
  // The certificate lists goods, not lots: one row per product.
  for (const code of [...new Set(data.lines.map((l) => l.product.code))]) {
    const lines = data.lines.filter((l) => l.product.code === code);
    body.push([lines[0]!.product.hs_code ?? '—', productCell(lines[0]!, ZH_EN), num(String(sum(lines, 'packages'))), num(kg(sum(lines, 'net_g'))), num(kg(sum(lines, 'gross_g'))), { text: words('toFill'), color: '#888888' }]);
  }
  body.push([{ text: words('total'), colSpan: 2, bold: true }, '', num(String(sum(data.lines, 'packages')), true), num(kg(sum(data.lines, 'net_g')), true), num(kg(sum(data.lines, 'gross_g')), true), '']);
  return page('origin', data, opts, [
    header('origin', data, opts, ZH_EN, 'CO'),
    { stack: ZH_EN.map((l) => ({ text: WORDS.originNotice[l] })), style: 'notice' },
    fields([
      [words('exporter'), partyBlock(data.seller, ZH_EN)],
      [words('consignee'), partyBlock(data.consignee, ZH_EN)],
      [words('countryOfOrigin'), country(data.seller.country)],
      [words('destination'), country(data.shipment.destination_country)],
      [words('transport'), data.shipment.transport ?? words('toFill')],
      [words('borderCrossing'), data.shipment.border_crossing ?? words('toFill')],
      [words('containers'), containersText(data)],
    ]),
    { table: { headerRows: 1, widths: [50, '*', 46, 60, 60, 90], body }, layout: 'lightHorizontalLines', fontSize: 8 },
  ]);
}

const DOCUMENTS = [
  { suffix: 'invoice', title: 'invoice', build: invoiceDocument },
  { suffix: 'packing-list', title: 'packingList', build: packingListDocument },
  { suffix: 'vet-data', title: 'vetSheet', build: vetDataSheetDocument },
  { suffix: 'origin-application', title: 'origin', build: originApplicationDocument },
] as const;

/**
 * Renders the whole set: `<shipment>-invoice.pdf`, `-packing-list.pdf`, `-vet-data.pdf`,
 * `-origin-application.pdf`. Every definition is built first, so a refusal (no price, no
 * currency) comes before any rendering.
 */
export async function renderExportSet(data: ExportSetData, opts: ExportSetOptions): Promise<{ name: string; pdf: Uint8Array }[]> {
  const defs = DOCUMENTS.map((d) => ({ ...d, doc: d.build(data, opts) }));
  return Promise.all(
    defs.map(async (d) => ({
      name: `${data.shipment.number}-${d.suffix}.pdf`,
      pdf: await renderPdf(d.doc, { title: `${data.shipment.number} ${words(d.title, ['en'])}`, subject: words(d.title), createdAt: opts.issuedAt }),
    })),
  );
}
