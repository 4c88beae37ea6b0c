// `labels.render`: N carton or pallet labels of a lot as a PDF or as ZPL, with progress. What
// to print (the lot's label data, the printer's settings) is read in one snapshot; the
// rendering then runs outside it. Labels are not registered documents: nothing is stored.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { printerOptions } from '../contract/devices.js';
import { say } from '../contract/errors.js';
import { MAX_PRINT_DATA, type labelsRenderInput, type labelsRenderOutput } from '../contract/operations.js';
import { DomainError } from '../core/domain-error.js';
import type { Tx } from '../db/tx.js';
import { deviceOfKind } from '../services/devices.js';
import { cartonLabelData, labelsPdf, labelsZpl, palletLabelData, type LabelData, type LabelsZplOptions } from './labels.js';

export type LabelsRenderInput = z.output<typeof labelsRenderInput>;
export type LabelsRenderOutput = z.output<typeof labelsRenderOutput>;

/** What one call renders: the labels, and for ZPL the printer settings they follow. */
export interface LabelsRequest {
  input: LabelsRenderInput;
  labels: LabelData[];
  zpl: Omit<LabelsZplOptions, 'onProgress'>;
}

/** At most this many progress reports per call: a bar moves in 1 % steps, windows are not flooded. */
const PROGRESS_STEPS = 100;

/**
 * The labels of the request read from the workspace. Pallets take consecutive serial
 * references from `serial` (an SSCC out of range refuses the whole run); a carton run is one
 * label repeated. Refuses an unknown or unfit lot and a printer that is not a ZPL label
 * printer of this PC.
 */
export function labelsRequest(tx: Tx, input: LabelsRenderInput, now: number): LabelsRequest {
  const { lot, kind, count } = input;
  let labels: LabelData[];
  if (kind === 'carton') {
    const label = cartonLabelData(tx.q, { lot, ...(input.netG !== undefined ? { netG: input.netG } : {}) }, now);
    labels = Array.from({ length: count }, () => label);
  } else {
    const pallet = { lot, companyPrefix: input.companyPrefix!, ...(input.extension !== undefined ? { extension: input.extension } : {}) };
    labels = Array.from({ length: count }, (_, i) => palletLabelData(tx.q, { ...pallet, serial: input.serial! + i }, now));
  }
  return { input, labels, zpl: input.printer === undefined ? { dpi: input.dpi, widthMm: input.widthMm, heightMm: input.heightMm } : printerSettings(tx, input.printer) };
}

function printerSettings(tx: Tx, code: string): LabelsRequest['zpl'] {
  const { device, options } = deviceOfKind<unknown>(tx, code, 'printer', 'printer');
  if (device.protocol !== 'zpl') {
    throw new DomainError('VALIDATION', { details: say(`принтер ${code} печатает TSPL, а не ZPL`, `printer ${code} speaks TSPL, not ZPL`) }, 'printer');
  }
  const o = printerOptions.parse(options);
  return { dpi: o.dpi, widthMm: o.widthMm, heightMm: o.heightMm, ...(o.cjkFont ? { cjkFont: o.cjkFont } : {}), ...(o.textAs ? { textAs: o.textAs } : {}) };
}

/** Renders the request, reporting labels done of all; ZPL too large for one print job is refused. */
export async function renderLabels(request: LabelsRequest, report?: (done: number, total: number) => void): Promise<LabelsRenderOutput> {
  const { input, labels } = request;
  const step = Math.ceil(labels.length / PROGRESS_STEPS);
  const onProgress = report && ((done: number, total: number) => (done % step === 0 || done === total) && report(done, total));
  const head = { lot: input.lot, kind: input.kind, format: input.format, count: labels.length };
  if (input.format === 'pdf') {
    const pdf = await labelsPdf(labels, { widthMm: input.widthMm, heightMm: input.heightMm, ...(onProgress ? { onProgress } : {}) });
    return { ...head, bytes: pdf.byteLength, sha256: sha256(pdf), pdf_base64: Buffer.from(pdf).toString('base64') };
  }
  const zpl = labelsZpl(labels, { ...request.zpl, ...(onProgress ? { onProgress } : {}) });
  if (zpl.length > MAX_PRINT_DATA) {
    const fit = Math.max(1, Math.floor((labels.length * MAX_PRINT_DATA) / zpl.length));
    throw new DomainError(
      'VALIDATION',
      { details: say(`ZPL больше одного задания печати: печатайте не больше ${fit} этикеток за раз`, `the ZPL is larger than one print job: print at most ${fit} labels at a time`) },
      'count',
    );
  }
  const bytes = Buffer.from(zpl, 'utf8');
  return { ...head, bytes: bytes.byteLength, sha256: sha256(bytes), zpl };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
