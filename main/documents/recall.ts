// The recall report for a lot: where it came from (backward trace down to suppliers' receipts and
// their veterinary documents) and where it went (batches, output lots, stock left per location,
// shipments with containers and consignees), with the totals a quality manager needs first on a
// recall. recallData reads the workspace (the trace.lot trees plus the details around each node);
// recallDocument lays it out as tables for renderPdf. Pure functions: nothing is written.
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import type { TraceNode } from '../contract/operations.js';
import type { LotRow } from '../contract/entities.js';
import type { QueryRunner } from '../db/query.js';
import { isoDate } from '../services/common.js';
import { traceTrees } from '../services/trace.js';
import { versionNote } from './i18n.js';
import type { DocDefinition } from './pdf.js';

export interface RecallStock {
  location: string;
  qty_g: number;
}

/** One node of a trace tree as a table row: depth gives the indentation. */
export interface RecallRow {
  depth: number;
  kind: TraceNode['kind'];
  key: string;
  label: string;
  qty_g: number | null;
  at: number | null;
  /** Lots: their status; shipments: draft or shipped. */
  status: string | null;
  /** Lots and receipts: the veterinary document (Mercury UUID) the lot was received with. */
  vet_doc_uuid: string | null;
  /** Lots (forward trace): what is left, per location. */
  stock: RecallStock[];
  /** Shipments: the containers (with seals) that carry this lot. */
  containers: string[];
  /** Shipments: destination country; suppliers and consignees: the partner's country. */
  country: string | null;
}

export interface RecallShipped {
  consignee: string;
  country: string;
  status: 'draft' | 'shipped';
  qty_g: number;
  shipments: string[];
}

export interface RecallData {
  /** When the data was read: stock figures are as of this moment. */
  at: number;
  lot: {
    code: string;
    product_code: string;
    product_name_ru: string;
    product_name_en: string;
    status: LotRow['status'];
    status_reason: string | null;
    origin: LotRow['origin'];
    produced_at: number;
    expires_at: number;
    initial_g: number;
  };
  backward: RecallRow[];
  forward: RecallRow[];
  summary: {
    /** Lots made from this one at any stage (each counted once), and their total output. */
    output_lots: number;
    produced_g: number;
    /** Stock of this lot and of everything made from it, per lot and location. */
    in_stock: (RecallStock & { lot: string })[];
    in_stock_g: number;
    /** Per consignee, destination and shipment status (drafts have not left yet). */
    shipped: RecallShipped[];
    shipped_g: number;
  };
}

export interface RecallOptions {
  lang: 'ru' | 'en';
  number: string;
  /** The registry version; a reissue (2 and up) says which version it replaces. Default 1. */
  version?: number;
  issuedAt: number;
}

function stockOf(q: QueryRunner, lotCode: string): RecallStock[] {
  return q.sql<RecallStock>(
    `SELECT loc.code AS location, s.qty_g FROM stock s JOIN lots l ON l.id = s.lot_id JOIN locations loc ON loc.id = s.location_id
     WHERE l.code = ? AND s.qty_g > 0 ORDER BY loc.code`,
    lotCode,
  );
}

/** Flattens a trace tree depth-first into rows, adding what each kind of node needs on a recall. */
function rows(q: QueryRunner, root: TraceNode, withStock: boolean): RecallRow[] {
  const out: RecallRow[] = [];
  const visit = (node: TraceNode, depth: number, lot: LotRow | null): void => {
    const row: RecallRow = { depth, kind: node.kind, key: node.key, label: node.label, qty_g: node.qty_g, at: node.at, status: null, vet_doc_uuid: null, stock: [], containers: [], country: null };
    let own = lot;
    if (node.kind === 'lot') {
      own = q.sql<LotRow>('SELECT * FROM lots WHERE code = ?', node.key)[0]!;
      row.status = own.status;
      row.vet_doc_uuid = own.vet_doc_uuid;
      if (withStock) row.stock = stockOf(q, node.key);
    } else if (node.kind === 'receipt') {
      row.vet_doc_uuid = lot?.vet_doc_uuid ?? null;
    } else if (node.kind === 'supplier' || node.kind === 'consignee') {
      row.country = q.sql<{ country: string }>('SELECT country FROM partners WHERE code = ?', node.key)[0]?.country ?? null;
    } else if (node.kind === 'shipment' && lot) {
      const s = q.sql<{ id: string; status: string; destination_country: string }>('SELECT id, status, destination_country FROM shipments WHERE number = ?', node.key)[0]!;
      row.status = s.status;
      row.country = s.destination_country;
      row.containers = q
        .sql<{ container_no: string; seal_no: string | null }>(
          `SELECT DISTINCT c.container_no, c.seal_no FROM shipment_lines sl JOIN shipment_containers c ON c.id = sl.container_id
           WHERE sl.shipment_id = ? AND sl.lot_id = ? ORDER BY c.container_no`,
          s.id,
          lot.id,
        )
        .map((c) => (c.seal_no ? `${c.container_no} / ${c.seal_no}` : c.container_no));
    }
    out.push(row);
    for (const child of node.children) visit(child, depth + 1, own);
  };
  visit(root, 0, null);
  return out;
}

function summarise(forward: RecallRow[]): RecallData['summary'] {
  // A lot reached twice (e.g. two inputs of one batch made from it) is one lot: count it once.
  const lots = new Map<string, RecallRow>();
  for (const row of forward) if (row.kind === 'lot' && !lots.has(row.key)) lots.set(row.key, row);
  const outputs = [...lots.values()].filter((row) => row.depth > 0);
  const in_stock = [...lots.values()].flatMap((row) => row.stock.map((s) => ({ lot: row.key, ...s })));

  const shipped = new Map<string, RecallShipped>();
  forward.forEach((row, i) => {
    if (row.kind !== 'shipment') return;
    const consignee = forward[i + 1]!; // the trace puts a shipment's consignee right under it
    const status = row.status === 'shipped' ? 'shipped' : 'draft';
    const key = `${consignee.label}\u0000${row.country}\u0000${status}`;
    const entry = shipped.get(key) ?? { consignee: consignee.label, country: row.country ?? '', status, qty_g: 0, shipments: [] };
    entry.qty_g += row.qty_g ?? 0;
    if (!entry.shipments.includes(row.key)) entry.shipments.push(row.key);
    shipped.set(key, entry);
  });
  const shippedRows = [...shipped.values()].sort((a, b) => a.consignee.localeCompare(b.consignee) || a.status.localeCompare(b.status));
  return {
    output_lots: outputs.length,
    produced_g: outputs.reduce((sum, row) => sum + (row.qty_g ?? 0), 0),
    in_stock,
    in_stock_g: in_stock.reduce((sum, s) => sum + s.qty_g, 0),
    shipped: shippedRows,
    shipped_g: shippedRows.filter((s) => s.status === 'shipped').reduce((sum, s) => sum + s.qty_g, 0),
  };
}

/** The recall data of a lot, read from the workspace at `now`. Refuses an unknown lot ({ ru, en }). */
export function recallData(q: QueryRunner, subject: { lot: string }, now: number): RecallData {
  const lot = q.sql<LotRow>('SELECT * FROM lots WHERE code = ?', subject.lot)[0];
  if (!lot) throw new DomainError('NOT_FOUND', { entity: say('Партия', 'Lot'), key: subject.lot }, 'lot');
  const product = q.sql<{ code: string; name_ru: string; name_en: string }>('SELECT code, name_ru, name_en FROM products WHERE id = ?', lot.product_id)[0]!;
  const trees = traceTrees(q, lot, 'both');
  const forward = rows(q, trees.forward!, true);
  return {
    at: now,
    lot: {
      code: lot.code,
      product_code: product.code,
      product_name_ru: product.name_ru,
      product_name_en: product.name_en,
      status: lot.status,
      status_reason: lot.status_reason,
      origin: lot.origin,
      produced_at: lot.produced_at,
      expires_at: lot.expires_at,
      initial_g: lot.initial_g,
    },
    backward: rows(q, trees.backward!, false),
    forward,
    summary: summarise(forward),
  };
}

// ---- layout ---------------------------------------------------------------------------------

const WORDS = {
  title: { ru: 'Отчёт об отзыве партии', en: 'Lot recall report' },
  number: { ru: '№', en: 'No.' },
  date: { ru: 'Дата', en: 'Date' },
  stockAt: { ru: 'Остатки на', en: 'Stock as of' },
  lot: { ru: 'Партия', en: 'Lot' },
  product: { ru: 'Продукция', en: 'Product' },
  status: { ru: 'Статус', en: 'Status' },
  origin: { ru: 'Происхождение', en: 'Origin' },
  receipt: { ru: 'приёмка', en: 'receipt' },
  production: { ru: 'производство', en: 'production' },
  producedAt: { ru: 'Дата изготовления', en: 'Production date' },
  expiresAt: { ru: 'Годен до', en: 'Expiry date' },
  initial: { ru: 'Масса нетто партии', en: 'Lot net weight' },
  summary: { ru: 'Итоги', en: 'Summary' },
  produced: { ru: 'Произведено из партии (партий)', en: 'Produced from the lot (lots)' },
  inStock: { ru: 'Остаток на складах', en: 'Still in stock' },
  shippedTotal: { ru: 'Отгружено', en: 'Shipped' },
  perCustomer: { ru: 'По грузополучателям', en: 'Per consignee' },
  consignee: { ru: 'Грузополучатель', en: 'Consignee' },
  country: { ru: 'Страна', en: 'Country' },
  shipments: { ru: 'Отгрузки', en: 'Shipments' },
  quantity: { ru: 'Кол-во', en: 'Quantity' },
  stock: { ru: 'Остатки по местам хранения', en: 'Stock per location' },
  location: { ru: 'Место хранения', en: 'Location' },
  backward: { ru: 'Прослеживание назад: сырьё, приёмки, поставщики', en: 'Backward trace: inputs, receipts, suppliers' },
  forward: { ru: 'Прослеживание вперёд: партии, остатки, отгрузки, грузополучатели', en: 'Forward trace: batches, lots, stock, shipments, consignees' },
  node: { ru: 'Звено', en: 'Node' },
  details: { ru: 'Подробности', en: 'Details' },
  vetDoc: { ru: 'ВСД', en: 'Vet doc' },
  containers: { ru: 'Контейнеры', en: 'Containers' },
  none: { ru: 'нет', en: 'none' },
  quarantine: { ru: 'карантин', en: 'quarantine' },
  released: { ru: 'допущена', en: 'released' },
  blocked: { ru: 'заблокирована', en: 'blocked' },
  draft: { ru: 'черновик', en: 'draft' },
  shipped: { ru: 'отгружена', en: 'shipped' },
  kind_lot: { ru: 'партия', en: 'lot' },
  kind_receipt: { ru: 'приёмка', en: 'receipt' },
  kind_supplier: { ru: 'поставщик', en: 'supplier' },
  kind_batch: { ru: 'варка', en: 'batch' },
  kind_shipment: { ru: 'отгрузка', en: 'shipment' },
  kind_consignee: { ru: 'грузополучатель', en: 'consignee' },
} as const satisfies Record<string, Record<RecallOptions['lang'], string>>;

type Word = keyof typeof WORDS;
type Node = Record<string, unknown> | string;

const kg = (grams: number | null): string => (grams === null ? '—' : `${(grams / 1000).toFixed(3)} kg`);
const isWord = (value: string): value is Word => value in WORDS;

function details(row: RecallRow, w: (word: Word) => string): string {
  const parts: string[] = [];
  if (row.status) parts.push(isWord(row.status) ? w(row.status) : row.status);
  if (row.vet_doc_uuid) parts.push(`${w('vetDoc')}: ${row.vet_doc_uuid}`);
  if (row.country) parts.push(row.country);
  if (row.containers.length) parts.push(`${w('containers')}: ${row.containers.join(', ')}`);
  if (row.kind === 'lot' && row.depth > 0 && row.stock.length) parts.push(`${w('stock')}: ${row.stock.map((s) => `${s.location} ${kg(s.qty_g)}`).join(', ')}`);
  return parts.join(' · ');
}

/** A trace tree as a table; its title is a header row, so it never ends a page alone and repeats on the next. */
function treeTable(title: string, rows: RecallRow[], w: (word: Word) => string): Node {
  const heading = [{ text: title, style: 'h2', colSpan: 4 }, '', '', ''];
  const header = [w('node'), w('quantity'), w('date'), w('details')].map((text) => ({ text, style: 'th' }));
  const body = rows.map((row) => [
    { text: [{ text: `${w(`kind_${row.kind}`)} `, style: 'label' }, { text: row.kind === 'lot' ? row.label : row.key === row.label ? row.key : `${row.key} · ${row.label}`, bold: row.kind === 'lot' || row.kind === 'shipment' }], margin: [row.depth * 10, 0, 0, 0] },
    { text: kg(row.qty_g), alignment: 'right', noWrap: true },
    row.at === null ? '' : isoDate(row.at),
    { text: details(row, w), fontSize: 7.5 },
  ]);
  return { table: { headerRows: 2, keepWithHeaderRows: 1, widths: ['*', 62, 52, 190], body: [heading, header, ...body] }, layout: 'lightHorizontalLines', margin: [0, 6, 0, 10] };
}

function simpleTable(header: string[], body: Node[][], widths: (number | string)[]): Node {
  return { table: { headerRows: 1, widths, body: [header.map((text) => ({ text, style: 'th' })), ...body] }, layout: 'lightHorizontalLines', margin: [0, 2, 0, 8] };
}

/** The recall report as a pdfmake definition (A4 landscape: the trace tables are wide). */
export function recallDocument(data: RecallData, options: RecallOptions): DocDefinition {
  const { lang, number, version = 1, issuedAt } = options;
  const w = (word: Word) => WORDS[word][lang];
  const reissue = versionNote(version, lang);
  const { lot, summary } = data;
  const right = (text: string) => ({ text, alignment: 'right', noWrap: true });
  const head: [string, Node][] = [
    [w('lot'), { text: lot.code, bold: true }],
    [w('product'), `${lot.product_code} · ${lang === 'ru' ? lot.product_name_ru : lot.product_name_en}`],
    [w('status'), { text: `${w(lot.status)}${lot.status_reason ? ` (${lot.status_reason})` : ''}`, bold: lot.status !== 'released' }],
    [w('origin'), w(lot.origin)],
    [w('producedAt'), isoDate(lot.produced_at)],
    [w('expiresAt'), isoDate(lot.expires_at)],
    [w('initial'), kg(lot.initial_g)],
  ];
  const totals: [string, Node][] = [
    [w('produced'), `${kg(summary.produced_g)} (${summary.output_lots})`],
    [w('inStock'), kg(summary.in_stock_g)],
    [w('shippedTotal'), kg(summary.shipped_g)],
  ];
  return {
    pageOrientation: 'landscape',
    pageMargins: [30, 30, 30, 36],
    content: [
      { text: w('title'), style: 'title' },
      { text: `${w('number')} ${number}   ${w('date')}: ${isoDate(issuedAt)}   ${w('stockAt')}: ${new Date(data.at).toISOString().slice(0, 16).replace('T', ' ')} UTC`, style: 'subtitle' },
      ...(reissue ? [{ text: reissue, style: 'subtitle', bold: true }] : []),
      {
        columns: [
          { width: '*', table: { widths: [120, '*'], body: head.map(([k, v]) => [{ text: k, style: 'label' }, v]) }, layout: 'noBorders' },
          {
            width: '*',
            stack: [
              { text: w('summary'), style: 'h2' },
              { table: { widths: [170, '*'], body: totals.map(([k, v]) => [{ text: k, style: 'label' }, { text: v, bold: true }]) }, layout: 'noBorders' },
            ],
          },
        ],
        columnGap: 16,
        margin: [0, 0, 0, 8],
      },
      { text: w('perCustomer'), style: 'h3' },
      summary.shipped.length
        ? simpleTable(
            [w('consignee'), w('country'), w('status'), w('quantity'), w('shipments')],
            summary.shipped.map((s) => [s.consignee, s.country, w(s.status), right(kg(s.qty_g)), s.shipments.join(', ')]),
            ['*', 50, 70, 80, '*'],
          )
        : { text: w('none'), margin: [0, 0, 0, 8] },
      { text: w('stock'), style: 'h3' },
      summary.in_stock.length
        ? simpleTable([w('lot'), w('location'), w('quantity')], summary.in_stock.map((s) => [s.lot, s.location, right(kg(s.qty_g))]), ['*', 120, 80])
        : { text: w('none'), margin: [0, 0, 0, 8] },
      treeTable(w('backward'), data.backward, w),
      treeTable(w('forward'), data.forward, w),
    ],
    footer: (page: number, pages: number) => ({ text: `${number} · ${lot.code} · ${page}/${pages}`, alignment: 'right', style: 'footer', margin: [30, 12, 30, 0] }),
    styles: {
      title: { fontSize: 16, bold: true },
      subtitle: { fontSize: 10, margin: [0, 3, 0, 8] },
      h2: { fontSize: 11, bold: true, margin: [0, 4, 0, 3] },
      h3: { fontSize: 9.5, bold: true, margin: [0, 2, 0, 2] },
      label: { color: '#555555' },
      th: { bold: true, fillColor: '#eeeeee' },
      footer: { fontSize: 7, color: '#666666' },
    },
  };
}
