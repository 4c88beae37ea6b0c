// Carton and pallet labels for export to China: what they say (cartonLabelData, palletLabelData,
// read from the workspace), and the two outputs — a PDF with one page per label (labelsPdf) and
// ZPL for Zebra printers (labelsZpl). The GS1 data is checked by reading it back with the
// scanner-side parser, so a label never carries a barcode our own scanners would reject.
import bwipjs from 'bwip-js';
import { gs1CheckDigit } from '../contract/check-digits.js';
import type { LotRow, ProductRow, SiteRow } from '../contract/entities.js';
import type { LabelTextMode } from '../contract/devices.js';
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import type { QueryRunner } from '../db/query.js';
import { isoDate } from '../services/common.js';
import { GS, parseScan } from '../../native/protocols/gs1.js';
import { gs1HumanReadable, isVariableLengthAi, mmToDots, toZpl, type Bitmap, type Dpi, type Gs1Element, type LabelElement } from '../../native/protocols/labels.js';
import type { DocLang } from './i18n.js';
import { rasterizeLine } from './label-graphic.js';
import { renderPdfKit } from './pdfkit.js';

/** One line of a label's text. Chinese lines are printed first and larger (GB 7718). */
export interface LabelLine {
  zh: boolean;
  /** title: product name; text: a field; small: the foreign translation of a field. */
  size: 'title' | 'text' | 'small';
  text: string;
}

export interface LabelData {
  kind: 'carton' | 'pallet';
  lot: string;
  lines: LabelLine[];
  /** The GS1 element strings, one per GS1-128 symbol (each at most 48 data characters). */
  symbols: Gs1Element[][];
}

export interface CartonLabelOptions {
  lot: string;
  /** Net weight of one carton in grams; required only when the product has no nominal pack weight. */
  netG?: number;
}

export interface PalletLabelOptions {
  lot: string;
  /** GS1 company prefix of the plant (7–10 digits). */
  companyPrefix: string;
  /** The pallet's serial reference; padded with zeros to fill the SSCC. */
  serial: number;
  /** SSCC extension digit (0–9, default 0). */
  extension?: number;
}

const LOT_ENTITY = say('Партия', 'Lot');
const ACTION = say('напечатать этикетку', 'print a label');
/** GS1 General Specifications: at most 48 data characters (FNC1 separators included) in one GS1-128 symbol. */
const MAX_SYMBOL_CHARS = 48;
/** ISO 3166-1 numeric code of Russia, the first three digits of AI 7030. */
const RUSSIA_NUMERIC = '643';
// GS1 code list for AI 7010 (production method): 01 caught at sea, 02 caught in fresh water, 03 farmed.
const METHOD_SEA = '01';
const METHOD_FRESH_WATER = '02';
const METHOD_FARMED = '03';

function refuse(key: string, state: string): DomainError {
  return new DomainError('INVALID_STATE', { entity: LOT_ENTITY, key, state, action: ACTION }, 'lot');
}

interface LotContext {
  lot: LotRow;
  product: ProductRow;
  site: SiteRow;
}

function lotContext(q: QueryRunner, code: string, now: number): LotContext {
  const lot = q.sql<LotRow>('SELECT * FROM lots WHERE code = ?', code)[0];
  if (!lot) throw new DomainError('NOT_FOUND', { entity: LOT_ENTITY, key: code }, 'lot');
  if (lot.status === 'blocked') throw refuse(code, say('заблокирована', 'blocked'));
  if (lot.expires_at <= now) throw refuse(code, say(`срок годности истёк ${isoDate(lot.expires_at)}`, `expired on ${isoDate(lot.expires_at)}`));
  const product = q.sql<ProductRow>('SELECT * FROM products WHERE id = ?', lot.product_id)[0]!;
  const site = q.sql<SiteRow>('SELECT * FROM sites WHERE id = ?', lot.site_id)[0]!;
  if (!site.china_reg_no) throw refuse(code, say('у площадки нет рег. номера в Китае', 'the site has no China registration number'));
  if (!site.vet_approval_no) throw refuse(code, say('у площадки нет ветеринарного номера', 'the site has no veterinary approval number'));
  return { lot, product, site };
}

/** Aquatic products carry the scientific name, production method and catch area (GACC Decree 249). */
function isAquatic(c: LotContext): boolean {
  return c.product.production_method !== null || c.lot.catch_area !== null;
}

function yymmdd(ms: number): string {
  return isoDate(ms).slice(2).replaceAll('-', '');
}

function tempRange(min: number | null, max: number | null): string {
  if (min !== null && max !== null) return `${min}…${max} °C`;
  if (max !== null) return `≤ ${max} °C`;
  if (min !== null) return `≥ ${min} °C`;
  return '—';
}

/** The FAO major fishing area a free-text catch area starts with ("FAO 04, оз. Байкал" → "04"), or null. */
function faoArea(catchArea: string | null): string | null {
  const m = /\bFAO\s*(\d{2}(?:\.[0-9A-Za-z.]+)?)/i.exec(catchArea ?? '');
  return m ? m[1]!.slice(0, 12) : null;
}

/** AI 7010: FAO major areas 01–07 are inland waters. */
function productionMethodCode(method: string | null, area: string | null): string | null {
  if (method === 'farmed') return METHOD_FARMED;
  if (method !== 'wild') return null;
  if (area === null) return null;
  return Number(area.slice(0, 2)) <= 7 ? METHOD_FRESH_WATER : METHOD_SEA;
}

/** Length of an element string as encoded: AI + value, plus FNC1 after a variable field that is not last. */
function encodedLength(elements: Gs1Element[]): number {
  return elements.reduce((n, e, i) => n + e.ai.length + e.value.length + (isVariableLengthAi(e.ai) && i < elements.length - 1 ? 1 : 0), 0);
}

/**
 * Packs elements in order into as few GS1-128 symbols as the 48-character limit allows, then
 * reads every symbol back with the scanner parser: any error (bad check digit, date, length,
 * character) refuses the label.
 */
function gs1Symbols(key: string, elements: Gs1Element[]): Gs1Element[][] {
  const symbols: Gs1Element[][] = [];
  for (const e of elements) {
    const last = symbols[symbols.length - 1];
    if (last && encodedLength([...last, e]) <= MAX_SYMBOL_CHARS) last.push(e);
    else symbols.push([e]);
  }
  for (const symbol of symbols) {
    const raw = symbol.map((e, i) => e.ai + e.value + (isVariableLengthAi(e.ai) && i < symbol.length - 1 ? GS : '')).join('');
    const scan = parseScan(`]C1${raw}`);
    if (scan.errors.length > 0 || scan.fields.length !== symbol.length) {
      throw refuse(key, say(`неверные данные GS1: ${scan.errors.map((e) => e.ru).join('; ')}`, `invalid GS1 data: ${scan.errors.map((e) => e.en).join('; ')}`));
    }
  }
  return symbols;
}

/** The lines every label of a lot shares: origin, producer registration, destination. */
function originLines(c: LotContext): LabelLine[] {
  const region = c.site.region ? `, ${c.site.region}` : '';
  return [
    { zh: true, size: 'text', text: `原产国：俄罗斯${region}` },
    { zh: false, size: 'small', text: `Country of origin: Russia${region} / Страна происхождения: Россия` },
    { zh: true, size: 'text', text: `在华注册编号：${c.site.china_reg_no}  兽医批准编号：${c.site.vet_approval_no}` },
    { zh: false, size: 'small', text: `China registration No.: ${c.site.china_reg_no}  Veterinary approval No.: ${c.site.vet_approval_no}` },
    { zh: true, size: 'text', text: `生产企业：${c.site.name_zh ?? c.site.name_en}` },
    { zh: false, size: 'small', text: `Producer: ${c.site.name_en}` },
    { zh: true, size: 'text', text: '目的地：中华人民共和国' },
    { zh: false, size: 'small', text: "Destination: People's Republic of China" },
  ];
}

function productLines(c: LotContext): LabelLine[] {
  const p = c.product;
  const lines: LabelLine[] = [
    { zh: true, size: 'title', text: p.name_zh ?? p.name_en },
    { zh: false, size: 'text', text: p.name_en },
    { zh: false, size: 'small', text: p.name_ru },
  ];
  if (isAquatic(c)) {
    const method = p.production_method === 'farmed' ? ['养殖', 'farmed'] : p.production_method === 'wild' ? ['野生捕捞', 'wild-caught'] : null;
    if (p.latin_name) lines.push({ zh: true, size: 'text', text: `学名：${p.latin_name}` }, { zh: false, size: 'small', text: `Scientific name: ${p.latin_name}` });
    if (method) lines.push({ zh: true, size: 'text', text: `生产方式：${method[0]}` }, { zh: false, size: 'small', text: `Production method: ${method[1]}` });
    if (c.lot.catch_area) lines.push({ zh: true, size: 'text', text: `捕捞区域：${c.lot.catch_area}` }, { zh: false, size: 'small', text: `Catch area: ${c.lot.catch_area}` });
  }
  return lines;
}

function kg(grams: number): string {
  return `${(grams / 1000).toFixed(3)} kg`;
}

/**
 * What a carton label of a lot says. Refuses (a DomainError with a Russian and English message)
 * an unknown, blocked or expired (at `now`) lot, a product without a GTIN, a carton without a net weight (no nominal
 * pack weight on the product and no `netG`) or heavier than AI 3103 can carry, a site without
 * its China registration or veterinary approval number, and GS1 data that does not read back.
 */
export function cartonLabelData(q: QueryRunner, options: CartonLabelOptions, now: number): LabelData {
  const c = lotContext(q, options.lot, now);
  const { lot, product, site } = c;
  if (!product.gtin) throw refuse(lot.code, say(`у продукта ${product.code} нет GTIN`, `product ${product.code} has no GTIN`));
  const net = product.nominal_net_g ?? options.netG;
  if (net === undefined || !Number.isInteger(net) || net <= 0 || net > 999_999) {
    throw refuse(lot.code, say('укажите массу нетто короба (1 г … 999,999 кг)', 'give the carton net weight (1 g … 999.999 kg)'));
  }
  const elements: Gs1Element[] = [
    { ai: '01', value: product.gtin.padStart(14, '0') },
    { ai: '11', value: yymmdd(lot.produced_at) },
    { ai: '17', value: yymmdd(lot.expires_at) },
    { ai: '3103', value: String(net).padStart(6, '0') },
    { ai: '10', value: lot.code },
    { ai: '7030', value: RUSSIA_NUMERIC + site.vet_approval_no! },
  ];
  if (isAquatic(c)) {
    const area = faoArea(lot.catch_area);
    const method = productionMethodCode(product.production_method, area);
    if (area) elements.push({ ai: '7005', value: area });
    if (product.species_code) elements.push({ ai: '7008', value: product.species_code });
    if (method) elements.push({ ai: '7010', value: method });
  }
  const produced = isoDate(lot.produced_at);
  const expires = isoDate(lot.expires_at);
  const storage = tempRange(product.storage_temp_min, product.storage_temp_max);
  return {
    kind: 'carton',
    lot: lot.code,
    lines: [
      ...productLines(c),
      { zh: true, size: 'text', text: `批号：${lot.code}  净含量：${kg(net)}` },
      { zh: false, size: 'small', text: `Lot / Партия: ${lot.code}  Net weight / Масса нетто: ${kg(net)}` },
      { zh: true, size: 'text', text: `生产日期：${produced}  保质期：${product.shelf_life_days}天  到期日：${expires}` },
      { zh: false, size: 'small', text: `Production date: ${produced}  Shelf life: ${product.shelf_life_days} days  Expiry: ${expires}` },
      { zh: true, size: 'text', text: `贮存温度：${storage}` },
      { zh: false, size: 'small', text: `Storage temperature / Температура хранения: ${storage}` },
      ...originLines(c),
    ],
    symbols: gs1Symbols(lot.code, elements),
  };
}

/** SSCC: extension digit + company prefix + serial reference (17 digits) + mod-10 check digit. */
export function sscc(companyPrefix: string, serial: number, extension = 0): string {
  if (!/^\d{7,10}$/.test(companyPrefix)) throw new DomainError('VALIDATION', { details: say('префикс компании GS1: 7–10 цифр', 'GS1 company prefix: 7–10 digits') }, 'companyPrefix');
  const serialDigits = 16 - companyPrefix.length;
  if (!Number.isInteger(serial) || serial < 0 || serial >= 10 ** serialDigits) {
    throw new DomainError('VALIDATION', { details: say(`серийный номер: 0…${10 ** serialDigits - 1}`, `serial reference: 0…${10 ** serialDigits - 1}`) }, 'serial');
  }
  if (!Number.isInteger(extension) || extension < 0 || extension > 9) throw new DomainError('VALIDATION', { details: say('цифра расширения: 0–9', 'extension digit: 0–9') }, 'extension');
  const body = `${extension}${companyPrefix}${String(serial).padStart(serialDigits, '0')}`;
  return body + String(gs1CheckDigit(body));
}

/** What a pallet label says: the SSCC (AI 00), the product, lot and dates, origin and destination. */
export function palletLabelData(q: QueryRunner, options: PalletLabelOptions, now: number): LabelData {
  const c = lotContext(q, options.lot, now);
  const code = sscc(options.companyPrefix, options.serial, options.extension);
  return {
    kind: 'pallet',
    lot: c.lot.code,
    lines: [
      ...productLines(c),
      { zh: true, size: 'text', text: `批号：${c.lot.code}  生产日期：${isoDate(c.lot.produced_at)}  到期日：${isoDate(c.lot.expires_at)}` },
      { zh: false, size: 'small', text: `Lot: ${c.lot.code}  Production: ${isoDate(c.lot.produced_at)}  Expiry: ${isoDate(c.lot.expires_at)}  SSCC: ${code}` },
      ...originLines(c),
    ],
    symbols: gs1Symbols(c.lot.code, [{ ai: '00', value: code }]),
  };
}

// ---- PDF ------------------------------------------------------------------------------------

export interface LabelsPdfOptions {
  widthMm: number;
  heightMm: number;
  /** 'zh': Chinese lines only; otherwise (default) Chinese with English/Russian translations under it. */
  lang?: DocLang;
  /** Called after each label is laid out (its barcodes rendered), for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

const PT_PER_MM = 72 / 25.4;
const MARGIN_MM = 3;
/** Nominal GS1-128 module for cartons (GS1 General Specifications table 5: 0.495 mm at 100 %); narrower only to fit the label. */
const MODULE_MM = 0.495;
const BAR_HEIGHT_MM = 12;
const BARCODE_SCALE = 4; // pixels per module of the embedded PNG: crisp at any print resolution
// Font sizes in points: Chinese text is never smaller than its translation (GB 7718).
const FONT_PT = { title: 13, text: 7.5, small: 6 } as const;
const HUMAN_READABLE_PT = 7;
/** Space above each Chinese line (it starts a field) and above each barcode, in points. */
const ZH_GAP_PT = 1.5;
const BARCODE_GAP_PT = 4;

interface RenderedSymbol {
  png: Buffer;
  modules: number;
  text: string;
}

/** Renders one GS1-128 symbol with bwip-js (which checks the GS1 data again). */
async function renderSymbol(symbol: Gs1Element[]): Promise<RenderedSymbol> {
  const text = gs1HumanReadable(symbol);
  const png = await bwipjs.toBuffer({ bcid: 'gs1-128', text, scale: BARCODE_SCALE, height: BAR_HEIGHT_MM, includetext: false });
  return { png, modules: png.readUInt32BE(16) / BARCODE_SCALE, text };
}

/** `lang: 'zh'` prints the Chinese lines only; otherwise each is followed by its translation. */
function linesFor(label: LabelData, lang: DocLang | undefined): LabelLine[] {
  return lang === 'zh' ? label.lines.filter((l) => l.zh) : label.lines;
}

/**
 * The labels as a PDF, one page of `widthMm` × `heightMm` per label: the lines top-down, each
 * barcode centred under them with its human-readable line. Drawn with pdfkit directly (a label's
 * layout is one column, known in advance); content taller than the label continues on an extra
 * page rather than being cut.
 */
export async function labelsPdf(labels: LabelData[], options: LabelsPdfOptions): Promise<Uint8Array> {
  const { widthMm, heightMm } = options;
  if (!(widthMm >= 40 && heightMm >= 40)) throw new DomainError('VALIDATION', { details: say('размер этикетки не меньше 40 × 40 мм', 'label size: at least 40 × 40 mm') }, 'size');
  const margin = MARGIN_MM * PT_PER_MM;
  const inner = (widthMm - 2 * MARGIN_MM) * PT_PER_MM;
  const barHeight = BAR_HEIGHT_MM * PT_PER_MM;
  // Identical cartons share their barcodes: each distinct symbol is rendered and embedded once.
  const rendered = new Map<string, RenderedSymbol>();
  for (const symbol of labels.flatMap((l) => l.symbols)) {
    const key = gs1HumanReadable(symbol);
    if (!rendered.has(key)) rendered.set(key, await renderSymbol(symbol));
  }
  const page = { widthPt: widthMm * PT_PER_MM, heightPt: heightMm * PT_PER_MM, marginPt: margin };
  return renderPdfKit(page, { title: `Labels ${labels[0]?.lot ?? ''}`.trim(), createdAt: 0 }, (doc) => {
    const images = new Map([...rendered].map(([key, s]) => [key, doc.openImage(s.png)]));
    for (const [index, label] of labels.entries()) {
      doc.addPage();
      for (const line of linesFor(label, options.lang)) {
        if (line.zh) doc.y += ZH_GAP_PT;
        doc.font(line.size === 'title' ? 'bold' : 'regular').fontSize(FONT_PT[line.size]).text(line.text, { width: inner });
      }
      for (const symbol of label.symbols) {
        const key = gs1HumanReadable(symbol);
        const s = rendered.get(key)!;
        const width = s.modules * Math.min(MODULE_MM * PT_PER_MM, inner / s.modules);
        doc.y += BARCODE_GAP_PT;
        if (doc.y + barHeight > doc.page.maxY()) doc.addPage(); // a barcode is never split
        const top = doc.y;
        doc.image(images.get(key)!, margin + (inner - width) / 2, top, { width, height: barHeight });
        doc.y = top + barHeight;
        doc.font('regular').fontSize(HUMAN_READABLE_PT).text(s.text, { width: inner, align: 'center' });
      }
      options.onProgress?.(index + 1, labels.length);
    }
  });
}

// ---- ZPL ------------------------------------------------------------------------------------

/**
 * How a label's text reaches the paper (the printer setting `textAs`): `font` — printer fonts
 * only, Chinese in the printer-resident `cjkFont`; `graphic` — lines the printer's stock font
 * cannot draw (Chinese, "≤") as ^GFA images rasterised here, the rest in font 0; `graphic-all` —
 * every line as an image (the same look as the PDF on any printer).
 */
export type ZplTextMode = LabelTextMode;

export interface LabelsZplOptions {
  dpi: Dpi;
  widthMm: number;
  heightMm: number;
  /** A printer-resident font with Chinese glyphs (e.g. `E:SIMSUN.TTF`), for `textAs: 'font'`. */
  cjkFont?: string;
  /** Default: `font` when a `cjkFont` is configured, else `graphic`. */
  textAs?: ZplTextMode;
  /** Called after each label format is encoded with the labels done so far, for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

const ZPL_LINE_MM = { title: 4, text: 2.6, small: 2.2 } as const;
const ZPL_LINE_GAP_MM = 0.8;
const HUMAN_READABLE_MM = 2.5;
/** What ZPL font 0 draws under ^CI28: Latin, Cyrillic, general punctuation (…, –) and °. */
const STOCK_FONT_TEXT = /^[\u0020-\u024f\u0400-\u04ff\u2010-\u2027]*$/u;

/** The text mode a printer's settings ask for; `font` needs a `cjkFont`, or Chinese could not be printed. */
export function zplTextMode(options: { cjkFont?: string | undefined; textAs?: ZplTextMode | undefined }): ZplTextMode {
  const mode = options.textAs ?? (options.cjkFont ? 'font' : 'graphic');
  if (mode === 'font' && !options.cjkFont) {
    throw new DomainError(
      'VALIDATION',
      { details: say('печать шрифтом принтера: укажите шрифт с китайскими иероглифами (cjkFont) или печать графикой', 'printer fonts need a font with Chinese glyphs (cjkFont), or print text as graphics') },
      'textAs',
    );
  }
  return mode;
}

/** Consecutive equal labels (every carton of a lot) as one format printed `count` times. */
function runsOfEqual(labels: LabelData[]): { label: LabelData; count: number }[] {
  const runs: { label: LabelData; key: string; count: number }[] = [];
  for (const label of labels) {
    const key = JSON.stringify(label);
    const last = runs[runs.length - 1];
    if (last?.key === key) last.count++;
    else runs.push({ label, key, count: 1 });
  }
  return runs;
}

/**
 * The labels as ZPL, one `^XA…^XZ` format per run of equal labels with `^PQ` copies. The same
 * labels and options give the same bytes.
 */
export function labelsZpl(labels: LabelData[], options: LabelsZplOptions): string {
  const mode = zplTextMode(options);
  const moduleDots = options.dpi === 203 ? 3 : 4; // 0.375 / 0.33 mm
  const maxWidthDots = mmToDots(options.widthMm - 2 * MARGIN_MM, options.dpi);
  // The labels of a lot share most lines: each distinct line is rasterised once.
  const rasters = new Map<string, Bitmap>();
  const line = (y: number, heightMm: number, text: string, bold: boolean): LabelElement => {
    if (mode === 'font' || (mode === 'graphic' && STOCK_FONT_TEXT.test(text))) return { kind: 'text', x: MARGIN_MM, y, heightMm, text };
    const key = `${heightMm}|${bold}|${text}`;
    let bitmap = rasters.get(key);
    if (!bitmap) rasters.set(key, (bitmap = rasterizeLine(text, { heightDots: mmToDots(heightMm, options.dpi), maxWidthDots, bold })));
    return { kind: 'graphic', x: MARGIN_MM, y, bitmap };
  };
  let done = 0;
  return runsOfEqual(labels)
    .map(({ label, count }) => {
      const elements: LabelElement[] = [];
      let y = MARGIN_MM;
      for (const l of label.lines) {
        elements.push(line(y, ZPL_LINE_MM[l.size], l.text, l.size === 'title'));
        y += ZPL_LINE_MM[l.size] + ZPL_LINE_GAP_MM;
      }
      for (const gs1 of label.symbols) {
        // The human-readable line is ours, not the encoder's, so that it follows the text mode too.
        elements.push({ kind: 'barcode128', x: MARGIN_MM, y: y + 2, heightMm: BAR_HEIGHT_MM, gs1, moduleDots, humanReadable: false });
        elements.push(line(y + 2 + BAR_HEIGHT_MM + 1, HUMAN_READABLE_MM, gs1HumanReadable(gs1), false));
        y += BAR_HEIGHT_MM + 6;
      }
      const zpl = toZpl({ widthMm: options.widthMm, heightMm: options.heightMm, dpi: options.dpi, elements, copies: count }, options.cjkFont ? { cjkFont: options.cjkFont } : {});
      done += count;
      options.onProgress?.(done, labels.length);
      return zpl;
    })
    .join('');
}
