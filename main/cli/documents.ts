// Documents from the command line. Certificates, the export set and recall reports are issued
// through the document registry (numbered, stored with their SHA-256, audited) and the stored
// PDF is what is written to --out. Labels are printed matter, not registered documents: they
// are written straight to the file.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DocumentType } from '../contract/entities.js';
import { LABEL_TEXT_MODES } from '../contract/devices.js';
import { MAX_LABELS, type DocumentOperationName, type OperationInput, type OperationOutput } from '../contract/operations.js';
import { DomainError } from '../core/domain-error.js';
import { DocumentService } from '../documents/service.js';
import { cartonLabelData, labelsPdf, labelsZpl, type ZplTextMode } from '../documents/labels.js';
import { list, parseIntOption, UsageError } from './args.js';
import type { Command, Context } from './main.js';

interface Written {
  path: string;
  type: DocumentType;
  number: string;
  version: number;
  sha256: string;
  bytes: number;
}

const DOC_LANGS = ['ru', 'en', 'zh'] as const;
/** The export set in the order it is issued: the invoice first, so a missing price refuses before anything is numbered. */
const EXPORT_SET: readonly { type: DocumentType; suffix: string }[] = [
  { type: 'invoice', suffix: 'invoice' },
  { type: 'packing_list', suffix: 'packing-list' },
  { type: 'vet_data', suffix: 'vet-data' },
  { type: 'origin_application', suffix: 'origin-application' },
];
/** How ZPL prints text (default: the printer font with --cjk-font, else Chinese as graphics). */

export const DOCUMENT_COMMANDS: Record<string, Command> = {
  'docs certificate': {
    usage: 'docs certificate --lot CODE | --shipment NUMBER [--lang ru|en|zh] --out FILE.pdf [--json]',
    summary: 'Issue a numbered quality certificate for a lot or a shipment and write its PDF',
    async run(ctx) {
      const lot = ctx.opts.get('lot');
      const shipment = ctx.opts.get('shipment');
      if ((lot === undefined) === (shipment === undefined)) throw new UsageError('give either --lot or --shipment');
      const out = resolve(ctx.opts.need('out'));
      const input = { type: 'certificate', lang: docLang(ctx, DOC_LANGS), ...(lot !== undefined ? { lot } : { shipment }) } as const;
      return written([await issue(ctx, input, out)]);
    },
  },
  'docs export-set': {
    usage: 'docs export-set --shipment NUMBER --out DIR [--prices CODE=PRICE,…] [--currency USD] [--incoterms FCA] [--packing "cartons / 纸箱"] [--json]',
    summary: 'Issue the export document set of a shipment (invoice, packing list, vet data sheet, origin application) into a folder',
    async run(ctx) {
      const shipment = ctx.opts.need('shipment');
      const dir = resolve(ctx.opts.need('out'));
      const prices = ctx.opts.get('prices');
      const options = {
        ...(prices !== undefined ? { prices: parsePrices(prices) } : {}),
        ...optional('currency', ctx.opts.get('currency')),
        ...optional('incoterms', ctx.opts.get('incoterms')),
        ...optional('packing', ctx.opts.get('packing')),
      };
      mkdirSync(dir, { recursive: true });
      const done: Written[] = [];
      for (const d of EXPORT_SET) {
        done.push(await issue(ctx, { type: d.type, shipment, lang: 'en', ...options }, join(dir, `${shipment}-${d.suffix}.pdf`)));
      }
      return written(done);
    },
  },
  'docs recall': {
    usage: 'docs recall --lot CODE [--lang ru|en] --out FILE.pdf [--json]',
    summary: 'Issue a numbered recall report (backward and forward trace) for a lot and write its PDF',
    async run(ctx) {
      const lot = ctx.opts.need('lot');
      const out = resolve(ctx.opts.need('out'));
      return written([await issue(ctx, { type: 'recall', lot, lang: docLang(ctx, ['ru', 'en'] as const) }, out)]);
    },
  },
  'docs labels': {
    usage: 'docs labels --lot CODE --count N --format pdf|zpl --out FILE [--size 100x150] [--net-kg N] [--dpi 203|300] [--cjk-font E:SIMSUN.TTF] [--text-as font|graphic|graphic-all] [--json]',
    summary: 'Write N carton labels of a lot (China label fields, GS1-128) as PDF or ZPL; labels are not numbered documents',
    async run(ctx) {
      const lot = ctx.opts.need('lot');
      const count = parseIntOption(ctx.opts.need('count'), 'count');
      if (count < 1 || count > MAX_LABELS) throw new UsageError(`--count: 1…${MAX_LABELS}`);
      const format = ctx.opts.need('format');
      if (format !== 'pdf' && format !== 'zpl') throw new UsageError('--format: pdf or zpl');
      const out = resolve(ctx.opts.need('out'));
      const [widthMm, heightMm] = parseSize(ctx.opts.get('size') ?? '100x150');
      const netKg = ctx.opts.get('net-kg');
      const dpi = ctx.opts.get('dpi') ?? '203';
      if (dpi !== '203' && dpi !== '300') throw new UsageError('--dpi: 203 or 300');
      const cjkFont = ctx.opts.get('cjk-font');
      const textAs = ctx.opts.get('text-as');
      if (textAs !== undefined && !LABEL_TEXT_MODES.includes(textAs as ZplTextMode)) throw new UsageError(`--text-as: ${LABEL_TEXT_MODES.join(', ')}`);
      ctx.opts.assertAllUsed();
      await ctx.login('stock.read', 'docs labels');
      const netG = netKg === undefined ? undefined : Math.round(Number(netKg.replace(',', '.')) * 1000);
      if (netG !== undefined && !(netG > 0)) throw new UsageError('--net-kg: a weight in kilograms');
      const label = cartonLabelData(ctx.workspace().q, { lot, ...(netG !== undefined ? { netG } : {}) }, Date.now());
      const labels = Array.from({ length: count }, () => label);
      const bytes =
        format === 'pdf'
          ? await labelsPdf(labels, { widthMm, heightMm })
          : Buffer.from(labelsZpl(labels, { dpi: Number(dpi) as 203 | 300, widthMm, heightMm, ...(cjkFont ? { cjkFont } : {}), ...(textAs ? { textAs: textAs as ZplTextMode } : {}) }), 'utf8');
      writeFileSync(out, bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      return {
        value: { path: out, lot, count, format, bytes: bytes.byteLength, sha256 },
        text: `Written ${out}: ${count} label(s) of lot ${lot}, ${format.toUpperCase()}, ${bytes.byteLength} bytes, SHA-256 ${sha256}`,
      };
    },
  },
};

/** Runs an operation of the document service as the CLI user (admission as in the app); a refusal throws. */
export async function serviceCall<N extends DocumentOperationName>(ctx: Context, name: N, input: OperationInput<N>): Promise<OperationOutput<N>> {
  ctx.opts.assertAllUsed();
  const result = await new DocumentService(ctx.workspace()).invokeDocumentAs(name, input, await ctx.login());
  if (!result.ok) throw DomainError.of(result.error);
  return result.value;
}

/** Issues through the document service as the CLI user, then writes the stored PDF (as a reprint would). */
async function issue(ctx: Context, input: OperationInput<'documents.issue'>, path: string): Promise<Written> {
  const doc = await serviceCall(ctx, 'documents.issue', input);
  const stored = await ctx.call('documents.pdf', { id: doc.id });
  writeFileSync(path, Buffer.from(stored.pdf_base64, 'base64'));
  return { path, type: doc.type, number: doc.number, version: doc.version, sha256: doc.sha256, bytes: doc.bytes };
}

function written(docs: Written[]): { value: unknown; text: string } {
  const lines = docs.map((d) => `Written ${d.path}: ${d.type} ${d.number} v${d.version}, ${d.bytes} bytes, SHA-256 ${d.sha256}`);
  return { value: docs.length === 1 ? docs[0] : { documents: docs }, text: lines.join('\n') };
}

/** The document's language: --lang when it names one the document has, else the CLI's language. */
function docLang<L extends string>(ctx: Context, allowed: readonly L[]): L {
  const chosen = ctx.opts.get('lang') ?? ctx.lang;
  if (!(allowed as readonly string[]).includes(chosen)) throw new UsageError(`--lang: ${allowed.join(', ')}`);
  return chosen as L;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** `OMUL-HS=12.5,SIG-F=9` → unit prices per kg by product code. */
function parsePrices(value: string): Record<string, number> {
  const prices: Record<string, number> = {};
  for (const item of list(value)) {
    const [code, price] = item.split('=');
    const n = Number((price ?? '').replace(',', '.'));
    if (!code || !(n > 0)) throw new UsageError(`--prices: expected CODE=PRICE,…, got "${item}"`);
    prices[code.trim()] = n;
  }
  return prices;
}

function parseSize(value: string): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(value.trim());
  if (!m) throw new UsageError(`--size: expected WIDTHxHEIGHT in mm, e.g. 100x150, got "${value}"`);
  return [Number(m[1]), Number(m[2])];
}
