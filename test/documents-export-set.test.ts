// The export document set end to end: a real workspace with a shipped consignment of smoked omul
// in two sealed containers, all four documents rendered to real PDFs, read back with poppler's
// pdftotext and page 1 of each rendered to PNG (kept under test-results/screenshots to look at).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../main/core/domain-error.js';
import { exportSetData, renderExportSet, vetDataSheetDocument, type ExportSetOptions } from '../main/documents/export-set.js';
import { renderPdf } from '../main/documents/pdf.js';
import { DAY, expectReadable, plant, tempDir, type TestPlant } from './helpers.js';
import { releasedFinished } from './scenarios.js';
import { SCREENSHOTS, toolsMissing } from './pdf-tools.js';

const OPTIONS: ExportSetOptions = { issuedAt: Date.UTC(2026, 10, 3), prices: { 'OMUL-HS': 18.5 }, packing: 'картонные коробки / cartons / 纸箱' };

/**
 * Two released smoked-omul lots shipped in two containers: lot A 120 kg + 30.5 kg (split), lot B
 * 99.999 kg. Returns the shipment number and the lot codes.
 */
function shippedOmul(p: TestPlant): { number: string; a: string; b: string } {
  const a = releasedFinished(p).lot;
  const b = releasedFinished(p).lot;
  const number = p.call('shipments.create', {
    customer: 'HENGTAI', consignee: 'HENGTAI', planned_date: p.now + DAY, destination_country: 'CN',
    incoterms: 'DAP', currency: 'USD', transport: 'Truck / 汽车 А123ВС75', border_crossing: 'Забайкальск — Маньчжурия',
  }).number;
  p.call('shipments.addContainer', { number, container_no: 'MSCU1234566', seal_no: 'RU-0042' });
  p.call('shipments.addContainer', { number, container_no: 'TGHU7654320', seal_no: 'RU-0043' });
  p.call('shipments.addLine', { number, lot: a, qty_g: 120_000, gross_g: 124_250, packages: 24, container_no: 'MSCU1234566' });
  p.call('shipments.addLine', { number, lot: b, qty_g: 99_999, gross_g: 103_001, packages: 20, container_no: 'MSCU1234566' });
  p.call('shipments.addLine', { number, lot: a, qty_g: 30_500, gross_g: 31_750, packages: 6, container_no: 'TGHU7654320' });
  p.call('shipments.ship', { number });
  return { number, a, b };
}

function pdfText(file: string, pdf: Uint8Array): string {
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

/** The numbers on the text line that carries `marker` (pdftotext -layout keeps a table row on one line). */
function numbersOn(text: string, marker: string): string[] {
  const line = text.split('\n').find((l) => l.includes(marker));
  if (!line) throw new Error(`no line with ${marker}:\n${text}`);
  return line.match(/\d+\.\d{3}/g) ?? [];
}

function refusal(run: () => unknown) {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return (e as DomainError).error;
  }
  throw new Error('expected a refusal');
}

async function rejection(run: Promise<unknown>) {
  try {
    await run;
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return (e as DomainError).error;
  }
  throw new Error('expected a refusal');
}

const missing = toolsMissing('Export set PDF');

describe.skipIf(missing !== null)('export document set PDFs', () => {
  it('renders invoice, packing list, vet data sheet and origin application with the required fields', async () => {
    const p = plant();
    const { number, a, b } = shippedOmul(p);
    const data = exportSetData(p.ws.q, { shipment: number }, p.now);
    // Lines of one lot and container are summed; ordered by container, then lot (a was produced first).
    expect(data.lines.map((l) => [l.container_no, l.lot, l.net_g])).toEqual([
      ['MSCU1234566', a, 120_000], ['MSCU1234566', b, 99_999], ['TGHU7654320', a, 30_500],
    ]);
    const started = performance.now();
    const files = await renderExportSet(data, OPTIONS);
    console.log(`export set: ${files.map((f) => `${f.name} ${f.pdf.byteLength} B`).join(', ')}; ${(performance.now() - started).toFixed(0)} ms`);
    expect(files.map((f) => f.name)).toEqual([`${number}-invoice.pdf`, `${number}-packing-list.pdf`, `${number}-vet-data.pdf`, `${number}-origin-application.pdf`]);

    const dir = tempDir();
    mkdirSync(SCREENSHOTS, { recursive: true });
    const text: Record<string, string> = {};
    for (const f of files) {
      const file = join(dir, f.name);
      text[f.name] = pdfText(file, f.pdf);
      expect(f.pdf.byteLength).toBeLessThan(150_000); // fonts subset on embedding
      const doc = f.name.slice(number.length + 1, -'.pdf'.length);
      execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, join(dir, doc)]);
      copyFileSync(join(dir, `${doc}.png`), join(SCREENSHOTS, `documents-${doc}.png`));
    }
    const textOf = (doc: string) => text[`${number}-${doc}.pdf`]!;
    const [invoice, packing, vet, origin] = [textOf('invoice'), textOf('packing-list'), textOf('vet-data'), textOf('origin-application')];
    for (const [name, t] of Object.entries(text)) {
      for (const must of [number, '满洲里恒泰贸易有限公司', 'Manzhouli Hengtai Trading Co., Ltd.', '热熏贝加尔秋白鲑', 'Hot-smoked Baikal omul', '030549', '中华人民共和国', 'MSCU1234566', 'RU-0042', 'TGHU7654320', 'RU-0043']) {
        expect(t, `${name}: ${must}`).toContain(must);
      }
    }
    // Invoice: terms, seller's China registration, prices, amounts and total (250.499 kg × 18.50).
    for (const must of ['商业发票', 'Commercial invoice', 'DAP', 'USD', 'CRU0380000123', '18.50', '2220.00', '1849.98', '564.25', '4634.23 USD', '250.499', '259.001']) {
      expect(invoice, `invoice: ${must}`).toContain(must);
    }
    // Packing list: per container subtotals equal the sum of their lines, and the overall total.
    expect(packing).toContain('装箱单');
    expect(numbersOn(packing, '小计 / Subtotal MSCU1234566')).toEqual(['219.999', '227.251']);
    expect(numbersOn(packing, '小计 / Subtotal TGHU7654320')).toEqual(['30.500', '31.750']);
    expect(numbersOn(packing, '合计 / Total')).toEqual(['250.499', '259.001']);
    expect(numbersOn(packing, b)).toEqual(['99.999', '103.001']);
    // Vet data sheet: aquatic variant in Chinese, English and Russian, stated as data, not the certificate.
    for (const must of [
      '兽医（卫生）证书数据表', 'Данные для ветеринарного сертификата', 'this sheet is not the certificate', 'сертификатом не является',
      'Coregonus migratorius', 'FAO 04', '野生捕捞', 'wild-caught', 'Омуль байкальский горячего копчения', 'CRU0380000123', '38-01-03',
      'Забайкальск — Маньчжурия', 'Truck / 汽车 А123ВС75', 'картонные коробки', 'Промысловое судно', '水产品', a, b,
    ]) {
      expect(vet, `vet: ${must}`).toContain(must);
    }
    // Origin application: exporter, goods per product, and the criterion left for the administrator.
    for (const must of ['原产地证书申请数据', 'Certificate of origin application data', '俄罗斯联邦', 'Origin criterion', '（待填写）', '250.499']) {
      expect(origin, `origin: ${must}`).toContain(must);
    }
  });

  it('gives meat its own section without the fishery fields', async () => {
    const p = plant();
    const { number } = shippedOmul(p);
    const data = exportSetData(p.ws.q, { shipment: number }, p.now);
    const meat = structuredClone(data);
    meat.lines = meat.lines.map((l) => ({ ...l, aquatic: false, product: { ...l.product, latin_name: null, name_zh: '冷冻牛肉', hs_code: '020230' } }));
    const t = pdfText(join(tempDir(), 'meat.pdf'), await renderPdf(vetDataSheetDocument(meat, OPTIONS), { title: 'meat', createdAt: OPTIONS.issuedAt }));
    expect(t).toContain('肉类产品');
    expect(t).toContain('020230');
    for (const absent of ['水产品', 'Scientific name', 'Catch area', 'Промысловое судно']) expect(t, absent).not.toContain(absent);
  });

  it('refuses, in Russian and English, an unknown, cancelled or empty shipment and an invoice without prices', async () => {
    const p = plant();
    expectReadable(refusal(() => exportSetData(p.ws.q, { shipment: 'NO-SUCH' }, p.now)), { code: 'NOT_FOUND', field: 'shipment' });
    const empty = p.call('shipments.create', { customer: 'HENGTAI', consignee: 'HENGTAI', planned_date: p.now + DAY, destination_country: 'CN' }).number;
    const emptyError = refusal(() => exportSetData(p.ws.q, { shipment: empty }, p.now));
    expectReadable(emptyError, { code: 'INVALID_STATE', field: 'shipment' });
    expect(emptyError.message.en).toContain('empty');
    expect(emptyError.message.ru).toContain('пустая');
    p.call('shipments.cancel', { number: empty, reason: 'buyer withdrew' });
    expect(refusal(() => exportSetData(p.ws.q, { shipment: empty }, p.now)).message.en).toContain('cancelled');

    const { number } = shippedOmul(p);
    const data = exportSetData(p.ws.q, { shipment: number }, p.now);
    const noPrice = await rejection(renderExportSet(data, { ...OPTIONS, prices: {} }));
    expectReadable(noPrice, { code: 'VALIDATION', field: 'prices' });
    expect(noPrice.message.en).toContain('OMUL-HS');
    const noCurrency = await rejection(renderExportSet({ ...data, shipment: { ...data.shipment, currency: null } }, OPTIONS));
    expect(noCurrency.field).toBe('currency');
  });
});
