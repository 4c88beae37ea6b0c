// Carton and pallet labels end to end: a real workspace with a released omul lot, labels
// rendered to a real PDF, the page rasterised with poppler's pdftoppm and the barcodes decoded
// with zbar's zbarimg — what a scanner at the Chinese customs post would read — then parsed with
// our own GS1 parser. ZPL is checked with the syntax validator (its ^GF graphics: documents-labels-zpl.test.ts).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gs1CheckDigit } from '../main/contract/check-digits.js';
import { DomainError } from '../main/core/domain-error.js';
import { FISH_PRODUCTS, gtinWithCheckDigit } from '../main/demo/reference.js';
import { cartonLabelData, labelsPdf, labelsZpl, palletLabelData } from '../main/documents/labels.js';
import { parseScan, type ScanField } from '../native/protocols/gs1.js';
import { validateZpl } from '../native/protocols/labels.js';
import { plant, tempDir, type TestPlant } from './helpers.js';
import { SCREENSHOTS, toolsMissing } from './pdf-tools.js';

const GTIN = gtinWithCheckDigit('0460700100009');
const SIZE = { widthMm: 100, heightMm: 150 };

/** A plant whose raw omul has a GTIN, with a received, inspected and released lot; returns its code. */
function releasedOmul(p: TestPlant): string {
  p.call('products.upsert', { ...FISH_PRODUCTS[0]!, gtin: GTIN });
  const lot = p.receiveOmul(500, 1).lines[0]!.lot_code;
  p.release(lot);
  return lot;
}

/** Page 1 of the PDF at 300 dpi, every barcode on it decoded by zbarimg and parsed as GS1. */
function decode(dir: string, pdf: Uint8Array): { fields: Map<string, ScanField>; symbols: string[]; text: string } {
  const file = join(dir, 'labels.pdf');
  writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-png', '-r', '300', '-f', '1', '-l', '1', '-singlefile', file, join(dir, 'page')]);
  // zbarimg prints GS1-128 data with GS (0x1D) between fields, one symbol per line.
  const symbols = execFileSync('zbarimg', ['--raw', '-q', join(dir, 'page.png')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);
  const fields = new Map<string, ScanField>();
  for (const symbol of symbols) {
    const scan = parseScan(`]C1${symbol}`);
    expect(scan.errors, symbol).toEqual([]);
    for (const f of scan.fields) fields.set(f.ai, f);
  }
  const text = execFileSync('pdftotext', ['-layout', '-f', '1', '-l', '1', file, '-'], { encoding: 'utf8' });
  return { fields, symbols, text };
}

const missing = toolsMissing('Label PDF', ['pdftoppm', 'pdftotext', 'zbarimg']);

describe.skipIf(missing !== null)('carton and pallet labels (PDF)', () => {
  it('carton label: the printed GS1-128 barcodes decode to every AI with the lot values, and the China fields are printed', async () => {
    const p = plant();
    const lot = releasedOmul(p);
    const label = cartonLabelData(p.ws.q, { lot, netG: 20_000 }, p.now);
    const started = performance.now();
    const pdf = await labelsPdf([label], SIZE);
    console.log(`1 carton label: ${pdf.byteLength} bytes in ${(performance.now() - started).toFixed(0)} ms`);
    const dir = tempDir();
    const { fields, symbols, text } = decode(dir, pdf);

    expect(symbols.length).toBeGreaterThanOrEqual(1);
    expect(fields.get('01')?.value).toBe(GTIN);
    expect(fields.get('10')?.value).toBe(lot);
    expect(fields.get('11')?.date).toBe('2026-11-01'); // received 1 day before 2026-11-02
    expect(fields.get('17')?.date).toBe('2026-11-06'); // + 5 days shelf life
    expect(fields.get('3103')?.decimal).toBe(20);
    expect(fields.get('7030')?.value).toBe('64338-01-03'); // Russia (643) + the plant's veterinary approval
    expect(fields.get('7005')?.value).toBe('04'); // FAO 04 (inland waters, Asia)
    expect(fields.get('7010')?.value).toBe('02'); // wild, caught in fresh water

    for (const must of [
      '冰鲜贝加尔秋白鲑', 'Chilled Baikal omul', 'Омуль байкальский охлаждённый', 'Coregonus migratorius',
      '野生捕捞', '捕捞区域', '原产国：俄罗斯', 'Иркутская область', 'CRU0380000123', '38-01-03',
      '中华人民共和国', lot, '2026-11-01', '2026-11-06', '保质期：5天', '0…4 °C', '20.000 kg',
      `(01)${GTIN}`,
    ]) {
      expect(text, must).toContain(must);
    }
    execFileSync('pdftoppm', ['-png', '-r', '100', '-singlefile', join(dir, 'labels.pdf'), join(dir, 'carton')]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    copyFileSync(join(dir, 'carton.png'), join(SCREENSHOTS, 'documents-label-carton.png'));
  });

  it('pallet label: the SSCC decodes with a valid check digit', async () => {
    const p = plant();
    const lot = releasedOmul(p);
    const label = palletLabelData(p.ws.q, { lot, companyPrefix: '4607001', serial: 42, extension: 3 }, p.now);
    const { fields } = decode(tempDir(), await labelsPdf([label], SIZE));
    const sscc = fields.get('00')?.value;
    expect(sscc).toMatch(/^34607001000000042\d$/);
    expect(Number(sscc!.at(-1))).toBe(gs1CheckDigit(sscc!.slice(0, -1)));
  });

  it('50 labels give 50 pages, reporting progress for each', async () => {
    const p = plant();
    const label = cartonLabelData(p.ws.q, { lot: releasedOmul(p), netG: 20_000 }, p.now);
    const progress: [number, number][] = [];
    const pdf = await labelsPdf(Array.from({ length: 50 }, () => label), { ...SIZE, onProgress: (done, total) => progress.push([done, total]) });
    const file = join(tempDir(), 'fifty.pdf');
    writeFileSync(file, pdf);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Pages:\s+50\n/);
    expect(info).toMatch(/Page size:\s+283\.46\d* x 425\.19\d* pts/); // 100 × 150 mm
    expect(progress).toEqual(Array.from({ length: 50 }, (_, i) => [i + 1, 50]));
  });
});

describe('carton and pallet labels (data and ZPL)', () => {
  it('ZPL passes the syntax check and carries the GS1 data; Chinese goes as graphics unless a printer font is given', () => {
    const p = plant();
    const label = cartonLabelData(p.ws.q, { lot: releasedOmul(p), netG: 20_000 }, p.now);
    const zpl = labelsZpl([label, label], { dpi: 203, ...SIZE });
    expect(validateZpl(zpl)).toEqual([]);
    expect(zpl.match(/\^XA/g)).toHaveLength(1); // equal labels: one format, two copies
    expect(zpl).toContain('^PQ2');
    expect(zpl).toContain('^CI28');
    expect(zpl).toContain(`(01)${GTIN}`);
    expect(zpl).toContain(`(10)${label.lot}`);
    expect(zpl).toContain('(7030)64338-01-03');
    expect(zpl).toContain('^GFA,');
    expect(zpl).not.toContain('中华人民共和国');

    const withFont = labelsZpl([label], { dpi: 300, ...SIZE, cjkFont: 'E:SIMSUN.TTF' });
    expect(validateZpl(withFont)).toEqual([]);
    expect(withFont).toContain('^A@N,');
    expect(withFont).toContain('中华人民共和国');
  });

  it('refuses a product without a GTIN, a carton without a net weight and an unknown lot, in Russian and English', () => {
    const p = plant();
    const lot = p.receiveOmul(500, 1).lines[0]!.lot_code; // OMUL-RAW of the reference data has no GTIN
    const refusal = (fn: () => unknown): DomainError => {
      try {
        fn();
      } catch (e) {
        if (e instanceof DomainError) return e;
        throw e;
      }
      throw new Error('not refused');
    };
    const noGtin = refusal(() => cartonLabelData(p.ws.q, { lot, netG: 20_000 }, p.now));
    expect(noGtin.error.message.en).toContain('no GTIN');
    expect(noGtin.error.message.ru).toContain('нет GTIN');

    p.call('products.upsert', { ...FISH_PRODUCTS[0]!, gtin: GTIN });
    expect(refusal(() => cartonLabelData(p.ws.q, { lot }, p.now)).error.message.en).toContain('net weight');
    expect(refusal(() => cartonLabelData(p.ws.q, { lot: 'NO-SUCH-LOT', netG: 1000 }, p.now)).code).toBe('NOT_FOUND');
    expect(refusal(() => cartonLabelData(p.ws.q, { lot, netG: 1000 }, p.now + 30 * 86_400_000)).error.message.en).toContain('expired');
  });
});
