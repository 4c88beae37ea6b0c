// The quality certificate for a released lot or a shipment: what it says (certificateData, read
// from the workspace), its content hash (certificateHash) and its layout (certificateDocument,
// a pdfmake definition for renderPdf). Pure functions: nothing here writes to the workspace.
import { createHash } from 'node:crypto';
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import type { QueryRunner } from '../db/query.js';
import type { InspectionRow, LotRow, ProductRow, ShipmentRow, SiteRow, Stage } from '../contract/entities.js';
import { isoDate } from '../services/common.js';
import { decidingStage } from '../services/quality.js';
import { certificateWord, versionNote, type CertificateWord, type DocLang } from './i18n.js';
import type { DocDefinition } from './pdf.js';

export interface CertificateResult {
  parameter: string;
  name_ru: string;
  name_en: string;
  name_zh: string | null;
  value: number | boolean | string | null;
  unit: string | null;
  /** The limits the result was judged against when it was recorded. */
  min: number | null;
  max: number | null;
  verdict: 'pass' | 'fail' | 'info';
}

export interface CertificateInspection {
  number: string;
  stage: Stage;
  completed_at: number;
  verdict: 'pass' | 'fail';
  inspector: string;
  verifier: string | null;
  results: CertificateResult[];
}

export interface CertificateLot {
  code: string;
  product: Pick<ProductRow, 'code' | 'name_ru' | 'name_en' | 'name_zh' | 'latin_name' | 'production_method' | 'hs_code' | 'storage_temp_min' | 'storage_temp_max'>;
  catch_area: string | null;
  produced_at: number;
  expires_at: number;
  packages: number | null;
  /** The lot's net weight, or for a shipment the quantity of it shipped. */
  net_g: number;
  inspections: CertificateInspection[];
}

export interface CertificateData {
  producer: Pick<SiteRow, 'name_ru' | 'name_en' | 'name_zh' | 'address_ru' | 'address_en' | 'address_zh' | 'country' | 'china_reg_no' | 'vet_approval_no'>;
  shipment: {
    number: string;
    consignee: { name_ru: string; name_en: string | null; name_zh: string | null };
    destination_country: string;
    containers: { container_no: string; seal_no: string | null }[];
  } | null;
  lots: CertificateLot[];
}

export type CertificateSubject = { lot: string } | { shipment: string };

export interface Signatory {
  name: string;
  position: string;
}

export interface CertificateOptions {
  lang: DocLang;
  number: string;
  /** The registry version; a reissue (2 and up) says which version it replaces. Default 1. */
  version?: number;
  issuedAt: number;
  signatory: Signatory;
}

const LOT_ENTITY = say('Партия', 'Lot');

function refuse(key: string, state: string): DomainError {
  return new DomainError('INVALID_STATE', { entity: LOT_ENTITY, key, state, action: say('выдать сертификат качества', 'issue a quality certificate') }, 'lot');
}

/**
 * A lot may be certified only when released on a passed deciding inspection (incoming for
 * received lots, final for produced ones) and not expired at `at`.
 */
function assertCertifiable(q: QueryRunner, lot: LotRow, at: number): void {
  const stage = decidingStage(lot);
  const deciding = q.sql<Pick<InspectionRow, 'number' | 'verdict'>>(
    `SELECT number, verdict FROM inspections WHERE lot_id = ? AND stage = ? AND status = 'completed'
     ORDER BY completed_at DESC, created_at DESC, number DESC LIMIT 1`,
    lot.id,
    stage,
  )[0];
  if (!deciding) throw refuse(lot.code, say(`нет завершённой проверки (${stage})`, `no completed ${stage} inspection`));
  if (deciding.verdict !== 'pass') throw refuse(lot.code, say(`проверка ${deciding.number} не пройдена`, `inspection ${deciding.number} failed`));
  if (lot.status !== 'released') throw refuse(lot.code, say(`${lot.status}: не допущена`, `${lot.status}: not released`));
  if (lot.expires_at <= at) throw refuse(lot.code, say(`срок годности истёк ${isoDate(lot.expires_at)}`, `expired on ${isoDate(lot.expires_at)}`));
}

function inspectionsOf(q: QueryRunner, lotId: string): CertificateInspection[] {
  const inspections = q.sql<InspectionRow & { inspector: string | null; verifier: string | null }>(
    `SELECT i.*, ui.display_name AS inspector, uv.display_name AS verifier
     FROM inspections i LEFT JOIN users ui ON ui.id = i.inspector_id LEFT JOIN users uv ON uv.id = i.verifier_id
     WHERE i.lot_id = ? AND i.status = 'completed' ORDER BY i.completed_at, i.number`,
    lotId,
  );
  return inspections.map((i) => ({
    number: i.number,
    stage: i.stage,
    completed_at: i.completed_at!,
    verdict: i.verdict!,
    inspector: i.inspector ?? '',
    verifier: i.verifier,
    results: q
      .sql<{
        code: string; name_ru: string; name_en: string; name_zh: string | null; value_num: number | null; value_bool: 0 | 1 | null;
        value_text: string | null; unit: string | null; min_value: number | null; max_value: number | null; verdict: CertificateResult['verdict'];
      }>(
        `SELECT p.code, p.name_ru, p.name_en, p.name_zh, r.value_num, r.value_bool, r.value_text, r.unit, r.min_value, r.max_value, r.verdict
         FROM inspection_results r JOIN template_parameters p ON p.id = r.parameter_id
         WHERE r.inspection_id = ? ORDER BY p.ord, p.code`,
        i.id,
      )
      .map((r) => ({
        parameter: r.code,
        name_ru: r.name_ru,
        name_en: r.name_en,
        name_zh: r.name_zh,
        value: r.value_num ?? (r.value_bool === null ? r.value_text : r.value_bool === 1),
        unit: r.unit,
        min: r.min_value,
        max: r.max_value,
        verdict: r.verdict,
      })),
  }));
}

function certificateLot(q: QueryRunner, lot: LotRow, net_g: number, packages: number | null): CertificateLot {
  const product = q.sql<ProductRow>('SELECT * FROM products WHERE id = ?', lot.product_id)[0]!;
  return {
    code: lot.code,
    product: {
      code: product.code,
      name_ru: product.name_ru,
      name_en: product.name_en,
      name_zh: product.name_zh,
      latin_name: product.latin_name,
      production_method: product.production_method,
      hs_code: product.hs_code,
      storage_temp_min: product.storage_temp_min,
      storage_temp_max: product.storage_temp_max,
    },
    catch_area: lot.catch_area,
    produced_at: lot.produced_at,
    expires_at: lot.expires_at,
    packages,
    net_g,
    inspections: inspectionsOf(q, lot.id),
  };
}

function producerOf(q: QueryRunner, siteId: string): CertificateData['producer'] {
  const s = q.sql<SiteRow>('SELECT * FROM sites WHERE id = ?', siteId)[0]!;
  return {
    name_ru: s.name_ru, name_en: s.name_en, name_zh: s.name_zh,
    address_ru: s.address_ru, address_en: s.address_en, address_zh: s.address_zh,
    country: s.country, china_reg_no: s.china_reg_no, vet_approval_no: s.vet_approval_no,
  };
}

/**
 * What the certificate of a lot or a shipment says, read from the workspace. Refuses (a
 * DomainError with a Russian and English message) a lot or shipment that does not exist, a lot
 * without a passed deciding inspection, not released or expired, and a cancelled or empty shipment.
 */
export function certificateData(q: QueryRunner, subject: CertificateSubject, now: number): CertificateData {
  if ('lot' in subject) {
    const lot = q.sql<LotRow>('SELECT * FROM lots WHERE code = ?', subject.lot)[0];
    if (!lot) throw new DomainError('NOT_FOUND', { entity: LOT_ENTITY, key: subject.lot }, 'lot');
    assertCertifiable(q, lot, now);
    return { producer: producerOf(q, lot.site_id), shipment: null, lots: [certificateLot(q, lot, lot.initial_g, lot.packages)] };
  }
  const shipment = q.sql<ShipmentRow>('SELECT * FROM shipments WHERE number = ?', subject.shipment)[0];
  if (!shipment) throw new DomainError('NOT_FOUND', { entity: say('Отгрузка', 'Shipment'), key: subject.shipment }, 'shipment');
  const lines = q.sql<{ lot_id: string; qty_g: number; packages: number }>(
    `SELECT sl.lot_id, SUM(sl.qty_g) AS qty_g, SUM(sl.packages) AS packages FROM shipment_lines sl JOIN lots l ON l.id = sl.lot_id
     WHERE sl.shipment_id = ? GROUP BY sl.lot_id ORDER BY l.code`,
    shipment.id,
  );
  if (shipment.status === 'cancelled' || lines.length === 0) {
    const state = shipment.status === 'cancelled' ? say('отменена', 'cancelled') : say('пустая', 'empty');
    throw new DomainError('INVALID_STATE', { entity: say('Отгрузка', 'Shipment'), key: shipment.number, state, action: say('выдать сертификат качества', 'issue a quality certificate') }, 'shipment');
  }
  // A shipped consignment is certified as it was when it left.
  const at = shipment.shipped_at ?? now;
  const lots = lines.map((line) => {
    const lot = q.sql<LotRow>('SELECT * FROM lots WHERE id = ?', line.lot_id)[0]!;
    assertCertifiable(q, lot, at);
    return certificateLot(q, lot, line.qty_g, line.packages);
  });
  const consignee = q.sql<{ name_ru: string; name_en: string | null; name_zh: string | null }>(
    'SELECT name_ru, name_en, name_zh FROM partners WHERE id = ?',
    shipment.consignee_id,
  )[0]!;
  const containers = q.sql<{ container_no: string; seal_no: string | null }>(
    'SELECT container_no, seal_no FROM shipment_containers WHERE shipment_id = ? ORDER BY container_no',
    shipment.id,
  );
  return {
    producer: producerOf(q, shipment.site_id),
    shipment: { number: shipment.number, consignee, destination_country: shipment.destination_country, containers },
    lots,
  };
}

/** JSON with object keys sorted at every level, so equal data always gives the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The SHA-256 (hex) the QR code carries. A PDF cannot contain its own hash, so this is the hash
 * of what the certificate states: the canonical JSON of its data, number and language, and of
 * its version when it is a reissue (so a first version's hash is the same as before versions
 * were printed).
 */
export function certificateHash(data: CertificateData, number: string, lang: DocLang, version = 1): string {
  return createHash('sha256').update(canonicalJson({ data, number, lang, version: version > 1 ? version : undefined })).digest('hex');
}

// ---- layout ---------------------------------------------------------------------------------

type Node = Record<string, unknown> | string;

function kg(grams: number): string {
  return `${(grams / 1000).toFixed(3)} kg`;
}

function tempRange(min: number | null, max: number | null): string {
  if (min !== null && max !== null) return `${min}…${max} °C`;
  if (max !== null) return `≤ ${max} °C`;
  if (min !== null) return `≥ ${min} °C`;
  return '—';
}

function limits(r: CertificateResult): string {
  const unit = r.unit ? ` ${r.unit}` : '';
  if (r.min !== null && r.max !== null) return `${r.min}…${r.max}${unit}`;
  if (r.max !== null) return `≤ ${r.max}${unit}`;
  if (r.min !== null) return `≥ ${r.min}${unit}`;
  return '—';
}

/** A name in the certificate's language, falling back to English (a Chinese name may be missing). */
function named(n: { name_ru: string; name_en: string | null; name_zh: string | null }, lang: DocLang): string {
  return (lang === 'ru' ? n.name_ru : lang === 'zh' ? (n.name_zh ?? n.name_en) : n.name_en) ?? n.name_ru;
}

/** Label/value rows as a two-column table without grid lines. */
function fields(rows: [string, Node][]): Node {
  return {
    table: { widths: [150, '*'], body: rows.map(([label, value]) => [{ text: label, style: 'label' }, value]) },
    layout: 'noBorders',
    margin: [0, 0, 0, 6],
  };
}

function resultsTable(lot: CertificateLot, w: (word: CertificateWord) => string, lang: DocLang): Node {
  const header = [w('parameter'), w('result'), w('limits'), w('verdict')].map((text) => ({ text, style: 'th' }));
  const body: Node[][] = [header];
  for (const i of lot.inspections) {
    const signed = `${i.inspector}${i.verifier ? ` · ${w('verifier')}: ${i.verifier}` : ''}`;
    body.push([{ text: `${w('inspection')} ${i.number} · ${w(i.stage)} · ${isoDate(i.completed_at)} · ${signed}`, colSpan: 4, style: 'group' }, '', '', '']);
    for (const r of i.results) {
      const value = typeof r.value === 'boolean' ? w(r.value ? 'yes' : 'no') : r.value === null ? '—' : `${r.value}${typeof r.value === 'number' && r.unit ? ` ${r.unit}` : ''}`;
      body.push([named(r, lang), value, limits(r), { text: w(r.verdict), bold: r.verdict === 'fail' }]);
    }
  }
  return { table: { headerRows: 1, widths: ['*', 90, 80, 80], body }, layout: 'lightHorizontalLines', margin: [0, 2, 0, 8] };
}

function lotSection(lot: CertificateLot, w: (word: CertificateWord) => string, lang: DocLang): Node[] {
  const p = lot.product;
  const rows: [string, Node][] = [
    [w('product'), { stack: [{ text: p.name_ru, bold: lang === 'ru' }, { text: p.name_en, bold: lang === 'en' }, ...(p.name_zh ? [{ text: p.name_zh, bold: lang === 'zh' }] : [])] }],
  ];
  if (p.latin_name) rows.push([w('latinName'), { text: p.latin_name, italics: true }]);
  if (p.production_method) rows.push([w('productionMethod'), w(p.production_method)]);
  if (lot.catch_area) rows.push([w('catchArea'), lot.catch_area]);
  if (p.hs_code) rows.push([w('hsCode'), p.hs_code]);
  rows.push(
    [w('lot'), { text: lot.code, bold: true }],
    [w('producedAt'), isoDate(lot.produced_at)],
    [w('expiresAt'), isoDate(lot.expires_at)],
    [w('storage'), tempRange(p.storage_temp_min, p.storage_temp_max)],
    [w('packages'), lot.packages === null ? '—' : String(lot.packages)],
    [w('netWeight'), kg(lot.net_g)],
  );
  return [
    { text: `${w('lot')} ${lot.code}`, style: 'h2' },
    fields(rows),
    { text: w('results'), style: 'h3' },
    resultsTable(lot, w, lang),
  ];
}

/** The certificate as a pdfmake definition, in one language (product names always in all three). */
export function certificateDocument(data: CertificateData, options: CertificateOptions): DocDefinition {
  const { lang, number, version = 1, issuedAt, signatory } = options;
  const w = (word: CertificateWord) => certificateWord(word, lang);
  const hash = certificateHash(data, number, lang, version);
  const reissue = versionNote(version, lang);
  const pr = data.producer;
  const address = (lang === 'ru' ? pr.address_ru : lang === 'zh' ? (pr.address_zh ?? pr.address_en) : pr.address_en) ?? pr.address_ru ?? '—';
  const producerRows: [string, Node][] = [
    [w('producer'), { text: named(pr, lang), bold: true }],
    [w('address'), address],
    [w('country'), pr.country],
    [w('chinaRegNo'), { text: pr.china_reg_no ?? '—', bold: true }],
    [w('vetApprovalNo'), { text: pr.vet_approval_no ?? '—', bold: true }],
  ];
  const shipment = data.shipment;
  const shipmentRows: [string, Node][] = shipment
    ? [
        [w('shipment'), { text: shipment.number, bold: true }],
        [w('consignee'), named(shipment.consignee, lang)],
        [w('destination'), shipment.destination_country],
        ...(shipment.containers.length
          ? [[w('containers'), shipment.containers.map((c) => `${c.container_no}${c.seal_no ? ` / ${c.seal_no}` : ''}`).join(', ')] as [string, Node]]
          : []),
      ]
    : [];
  return {
    pageMargins: [36, 36, 36, 40],
    content: [
      {
        columns: [
          {
            width: '*',
            stack: [
              { text: w('title'), style: 'title' },
              { text: `${w('number')} ${number}   ${w('date')}: ${isoDate(issuedAt)}`, style: 'subtitle' },
              ...(reissue ? [{ text: reissue, style: 'subtitle', bold: true }] : []),
            ],
          },
          { width: 'auto', qr: `${number}\nsha256:${hash}`, fit: 96, eccLevel: 'M' },
        ],
        columnGap: 12,
        margin: [0, 0, 0, 10],
      },
      fields(producerRows),
      ...(shipment ? [fields(shipmentRows)] : []),
      ...data.lots.flatMap((lot) => lotSection(lot, w, lang)),
      { text: w('statement'), margin: [0, 6, 0, 14] },
      {
        columns: [
          { width: '*', stack: [{ text: w('signatory'), style: 'label' }, { text: `${signatory.position}, ${signatory.name}`, bold: true }] },
          { width: 160, stack: [{ canvas: [{ type: 'line', x1: 0, y1: 0, x2: 160, y2: 0, lineWidth: 0.5 }], margin: [0, 20, 0, 2] }, { text: w('stamp'), style: 'label' }] },
        ],
        unbreakable: true,
      },
    ],
    footer: (page: number, pages: number) => ({
      columns: [`${w('hash')}: ${hash}`, { text: `${number} · ${page}/${pages}`, alignment: 'right', width: 'auto' }],
      style: 'footer',
      margin: [36, 10, 36, 0],
    }),
    styles: {
      title: { fontSize: 18, bold: true },
      subtitle: { fontSize: 11, margin: [0, 4, 0, 0] },
      h2: { fontSize: 12, bold: true, margin: [0, 6, 0, 4] },
      h3: { fontSize: 10, bold: true, margin: [0, 2, 0, 2] },
      label: { color: '#555555' },
      th: { bold: true },
      group: { fillColor: '#eeeeee', fontSize: 8 },
      footer: { fontSize: 6.5, color: '#666666' },
    },
  };
}
