// Document figures for `npm run bench` (BENCH_ONLY=documents), each next to plain pdfkit doing the
// same drawing with the same font file, in the same run:
//
//   certificate-ms: one quality certificate in Chinese (certificateDocument + renderPdf, the data
//     read once beforehand), median of BENCH_DOC_RUNS after a warm-up. Baseline: a pdfkit
//     document with the same strings (taken from the certificate's definition, bold where it is
//     bold) in Noto Sans SC and the same QR matrix (from pdfmake's own QR encoder) drawn as
//     rectangles, as pdfmake draws it.
//   Both sides get the font files from memory, read once per process: renderPdf keeps them (and
//     their parsed tables, which plain pdfkit cannot share between documents) for the process,
//     the baselines register the same bytes with every document.
//   labels-1000-ms: 1,000 identical carton labels (100 × 150 mm) through labelsPdf, the GS1-128
//     barcode rendered with bwip-js inside the timing. Baseline: 1,000 pdfkit pages with the same
//     lines and the same bwip-js PNG, rendered once and embedded once, as labelsPdf does.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bwipjs from 'bwip-js';
import { certificateData, certificateDocument } from '../main/documents/certificate.js';
import { cartonLabelData, labelsPdf, type LabelData } from '../main/documents/labels.js';
import { FONT_PATHS, renderPdf, type DocDefinition } from '../main/documents/pdf.js';
import { gs1HumanReadable } from '../native/protocols/labels.js';
import { FISH_PRODUCTS, gtinWithCheckDigit } from '../main/demo/reference.js';
import { Workspace } from '../main/workspace.js';
import { call, DAY, setupPlant } from './bench-data.js';

type Figure = (name: string, value: number, unit: string, baseline: number, ratio: number) => void;
type Note = (text: string) => void;

const RUNS = Number(process.env.BENCH_DOC_RUNS) || 15;
const LABEL_RUNS = 3;
const LABELS = 1_000;
const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);

const require = createRequire(import.meta.url);
const REGULAR = readFileSync(FONT_PATHS.regular);
const BOLD = readFileSync(FONT_PATHS.bold);
/** pdfmake's QR encoder: the matrix the certificate draws, as rectangles (pdfmake ships no types). */
const qrEncoder = (require('pdfmake/js/qrEnc.js') as { default: { measure(node: object): { _canvas: QrRect[]; _width: number } } }).default;
interface QrRect { x: number; y: number; w: number; h: number; color: string }

/** The slice of pdfkit's API the baselines use (installed with pdfmake, without type declarations). */
interface PdfKitDocument {
  page: { width: number };
  x: number;
  y: number;
  on(event: 'data' | 'end' | 'error', listener: (...args: never[]) => void): this;
  registerFont(name: string, font: Uint8Array): this;
  addPage(): this;
  font(name: string): this;
  fontSize(points: number): this;
  text(text: string, options?: object): this;
  save(): this;
  restore(): this;
  translate(x: number, y: number): this;
  rect(x: number, y: number, w: number, h: number): this;
  fill(color: string): this;
  openImage(png: Buffer): object;
  image(image: object, options?: object): this;
  end(): void;
}
const PDFDocument = require('pdfkit') as new (options: object) => PdfKitDocument;

/** Median of `runs` timings after `warmup` untimed runs. */
async function median(runs: number, warmup: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < warmup; i += 1) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** pdfkit writing into memory; resolves with the bytes once `draw` has finished the document. */
function pdfkitBytes(options: object, draw: (doc: PdfKitDocument) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ ...options, autoFirstPage: false });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.registerFont('regular', REGULAR);
    doc.registerFont('bold', BOLD);
    draw(doc);
    doc.end();
  });
}

interface Run { text: string; bold: boolean }

/** Every string a pdfmake definition prints (footer included), with its weight. */
function printedStrings(definition: DocDefinition): Run[] {
  const runs: Run[] = [];
  const skip = new Set(['widths', 'margin', 'style', 'layout', 'alignment', 'qr', 'eccLevel', 'styles', 'pageMargins', 'images']);
  const walk = (node: unknown, bold: boolean): void => {
    if (typeof node === 'string') {
      if (node.trim()) runs.push({ text: node, bold });
    } else if (Array.isArray(node)) {
      for (const child of node) walk(child, bold);
    } else if (node && typeof node === 'object') {
      const object = node as Record<string, unknown>;
      const b = typeof object.bold === 'boolean' ? object.bold : bold;
      for (const [key, value] of Object.entries(object)) if (!skip.has(key)) walk(value, b);
    }
  };
  walk(definition.content, false);
  if (typeof definition.footer === 'function') walk((definition.footer as (page: number, pages: number) => unknown)(1, 1), false);
  return runs;
}

/** A workspace with one received omul lot (its product given a GTIN, for labels) released on its incoming inspection. */
function preparedPlant(dir: string): { ws: Workspace; lot: string } {
  const ws = Workspace.open(dir, { clock: () => T0 });
  const { adminToken } = setupPlant(ws);
  const raw = FISH_PRODUCTS.find((p) => p.code === 'OMUL-RAW')!;
  call(ws, 'products.upsert', { ...raw, gtin: gtinWithCheckDigit('0460700100009') }, adminToken);
  const receipt = call(ws, 'receipts.create', {
    supplier: 'ARTEL-BAIKAL',
    lines: [{ product: 'OMUL-RAW', location: 'BF-QUAR', vet_doc_uuid: '0b3c2f4e-1d2a-4c8b-9e7f-123456789abc', catch_area: 'FAO 04, оз. Байкал', produced_at: T0 - DAY, gross_g: 510_000, tare_g: 10_000, packages: 25 }],
  }, adminToken);
  const lot = receipt.lines[0]!.lot_code;
  const inspection = call(ws, 'inspections.open', { lot }, adminToken);
  const results = inspection.parameters
    .filter((p) => p.required === 1)
    .map((p) => ({ parameter: p.code, value: p.kind === 'numeric' ? ((p.min_value ?? 0) + (p.max_value ?? 2)) / 2 : p.kind === 'pass_fail' ? true : 'ok' }));
  call(ws, 'inspections.record', { number: inspection.number, results }, adminToken);
  call(ws, 'inspections.complete', { number: inspection.number }, adminToken);
  return { ws, lot };
}

async function benchCertificate(ws: Workspace, lot: string, figure: Figure, note: Note): Promise<void> {
  const data = certificateData(ws.q, { lot }, T0);
  const options = { lang: 'zh' as const, number: 'QCERT-BFP-2026-000001', issuedAt: T0, signatory: { name: '王芳', position: '质量经理' } };
  const definition = certificateDocument(data, options);
  const strings = printedStrings(definition);
  const qrNode = JSON.stringify(definition.content).match(/"qr":("(?:[^"\\]|\\.)*")/)![1]!;
  const qr = qrEncoder.measure({ qr: JSON.parse(qrNode) as string, fit: 96, eccLevel: 'M' });

  const plantdesk = await median(RUNS, 3, () => renderPdf(certificateDocument(data, options), { title: options.number, createdAt: T0 }));
  const baseline = await median(RUNS, 3, () =>
    pdfkitBytes({ size: 'A4', margin: 36 }, (doc) => {
      doc.addPage();
      doc.save().translate(doc.page.width - 36 - qr._width, 36);
      for (const r of qr._canvas) doc.rect(r.x, r.y, r.w, r.h).fill(r.color);
      doc.restore();
      doc.x = 36;
      doc.y = 36;
      for (const run of strings) doc.font(run.bold ? 'bold' : 'regular').fontSize(9).text(run.text, { width: doc.page.width - 72 - qr._width - 12 });
    }),
  );
  note(`certificate: zh, ${strings.length} strings, QR ${qr._canvas.length - 1} modules; median of ${RUNS} after 3 warm-up; data read once, not timed`);
  figure('certificate-ms', plantdesk, 'ms', baseline, plantdesk / baseline);
}

async function benchLabels(ws: Workspace, lot: string, figure: Figure, note: Note): Promise<void> {
  const label: LabelData = cartonLabelData(ws.q, { lot, netG: 10_000 }, T0);
  const labels = Array.from({ length: LABELS }, () => label);
  // The carton label's usual size: all its text and both barcodes fit on one page.
  const size = { widthMm: 100, heightMm: 150 };
  const pt = 72 / 25.4;

  const plantdesk = await median(LABEL_RUNS, 1, () => labelsPdf(labels, size));
  const baseline = await median(LABEL_RUNS, 1, async () => {
    const pngs = await Promise.all(label.symbols.map((s) => bwipjs.toBuffer({ bcid: 'gs1-128', text: gs1HumanReadable(s), scale: 4, height: 12, includetext: false })));
    return pdfkitBytes({ size: [size.widthMm * pt, size.heightMm * pt], margin: 3 * pt }, (doc) => {
      const images = pngs.map((png) => doc.openImage(png)); // embedded once, drawn on every page
      for (let i = 0; i < LABELS; i += 1) {
        doc.addPage();
        for (const line of label.lines) doc.font(line.size === 'title' ? 'bold' : 'regular').fontSize(line.size === 'title' ? 13 : line.size === 'text' ? 7.5 : 6).text(line.text);
        label.symbols.forEach((symbol, s) => {
          doc.image(images[s]!, { width: 94 * pt, height: 12 * pt, align: 'center' });
          doc.font('regular').fontSize(7).text(gs1HumanReadable(symbol), { align: 'center' });
        });
      }
    });
  });
  note(`labels: ${LABELS} carton labels ${size.widthMm} × ${size.heightMm} mm, ${label.lines.length} lines and ${label.symbols.length} GS1-128 symbol(s) each; median of ${LABEL_RUNS} after 1 warm-up`);
  figure(`labels-${LABELS}-ms`, plantdesk, 'ms', baseline, plantdesk / baseline);
}

export async function benchDocuments(figure: Figure, note: Note): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plantdesk-bench-docs-'));
  const { ws, lot } = preparedPlant(dir);
  try {
    await benchCertificate(ws, lot, figure, note);
    await benchLabels(ws, lot, figure, note);
  } finally {
    ws.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
