// The recall report end to end: a real workspace where two suppliers' raw lots go through two
// batches, the smoked output ships in a container to one consignee and sits on a draft for
// another; the report is rendered to a real PDF, read back with poppler's pdftotext and page 1 is
// rendered to PNG (test-results/screenshots/documents-recall.png, to look at).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../main/core/domain-error.js';
import { renderPdf } from '../main/documents/pdf.js';
import { recallData, recallDocument } from '../main/documents/recall.js';
import { plant, tempDir } from './helpers.js';
import { HOUR, planBatch, releasedRaw, VET_DOC } from './scenarios.js';
import { SCREENSHOTS, toolsMissing } from './pdf-tools.js';

const NUMBER = 'RECALL-BFP-2026-000003';
const CONTAINER = 'MSCU1234566';

/**
 * Raw lot A (ARTEL-BAIKAL, 500 kg) goes 200 kg into hot smoking with 100 kg of lot B
 * (RK-CHIVYRKUY) and 150 kg into cold smoking. The hot-smoked 220 kg ships 150 kg in a container
 * to DL-COLDCHAIN; 50 kg sits on a draft for HENGTAI; a cancelled shipment must not show.
 */
function recallScenario() {
  const p = plant();
  const rawA = releasedRaw(p, { net_g: 500_000 }, 'ARTEL-BAIKAL');
  const rawB = releasedRaw(p, { net_g: 300_000 }, 'RK-CHIVYRKUY');

  const hot = planBatch(p, 'OMUL-HS');
  p.call('batches.consume', { number: hot, lot: rawA, qty_g: 200_000 });
  p.call('batches.consume', { number: hot, lot: rawB, qty_g: 100_000 });
  const smoked = p.call('batches.output', { number: hot, qty_g: 220_000, location: 'BF-CR2' }).lot.code;
  p.call('batches.finish', { number: hot });
  p.verify(p.release(smoked, 'FIN-SMOKED'));

  p.now += HOUR;
  const cold = planBatch(p, 'OMUL-CS');
  p.call('batches.consume', { number: cold, lot: rawA, qty_g: 150_000 });
  const coldLot = p.call('batches.output', { number: cold, qty_g: 100_000, location: 'BF-CR2' }).lot.code;

  const ship = (consignee: string, qty_g: number, container?: string) => {
    const number = p.call('shipments.create', { customer: 'HENGTAI', consignee, planned_date: p.now }).number;
    if (container) p.call('shipments.addContainer', { number, container_no: container, seal_no: 'SEAL-778899' });
    p.call('shipments.addLine', { number, lot: smoked, qty_g, gross_g: qty_g + 5_000, packages: 6, ...(container ? { container_no: container } : {}) });
    return number;
  };
  const shipped = ship('DL-COLDCHAIN', 150_000, CONTAINER);
  p.call('shipments.ship', { number: shipped });
  p.now += HOUR;
  const pending = ship('HENGTAI', 50_000);
  const cancelled = ship('HENGTAI', 10_000);
  p.call('shipments.cancel', { number: cancelled, reason: 'x' });
  return { p, rawA, rawB, hot, cold, smoked, coldLot, shipped, pending, cancelled };
}

const missing = toolsMissing('Recall PDF');

describe('recall data', () => {
  it('traces a raw lot forward to output lots, stock and consignees, and totals what was made, kept and shipped', () => {
    const t = recallScenario();
    const data = recallData(t.p.ws.q, { lot: t.rawA }, t.p.now);
    expect(data.lot).toMatchObject({ code: t.rawA, product_code: 'OMUL-RAW', status: 'released', origin: 'receipt', initial_g: 500_000 });

    // Backward from a raw lot: its receipt with the vet document, and the supplier.
    expect(data.backward.map((r) => [r.depth, r.kind])).toEqual([[0, 'lot'], [1, 'receipt'], [2, 'supplier']]);
    expect(data.backward[1]).toMatchObject({ qty_g: 500_000, vet_doc_uuid: VET_DOC });

    const forward = (kind: string, key: string) => data.forward.find((r) => r.kind === kind && r.key === key)!;
    expect(forward('batch', t.hot).qty_g).toBe(200_000);
    expect(forward('batch', t.cold).qty_g).toBe(150_000);
    expect(forward('lot', t.smoked).stock).toEqual([{ location: 'BF-CR2', qty_g: 70_000 }]); // 220 − 150 shipped
    expect(forward('shipment', t.shipped)).toMatchObject({ qty_g: 150_000, status: 'shipped', containers: [`${CONTAINER} / SEAL-778899`] });
    expect(forward('shipment', t.pending)).toMatchObject({ qty_g: 50_000, status: 'draft', containers: [] });
    expect(data.forward.some((r) => r.key === t.cancelled)).toBe(false);

    expect(data.summary.output_lots).toBe(2);
    expect(data.summary.produced_g).toBe(320_000);
    // Raw lot A: 500 − 200 − 150 = 150 kg left in quarantine storage; plus what was made from it.
    expect(data.summary.in_stock).toEqual([
      { lot: t.rawA, location: 'BF-QUAR', qty_g: 150_000 },
      { lot: t.smoked, location: 'BF-CR2', qty_g: 70_000 },
      { lot: t.coldLot, location: 'BF-CR2', qty_g: 100_000 },
    ]);
    expect(data.summary.in_stock_g).toBe(320_000);
    expect(data.summary.shipped).toEqual([
      { consignee: 'Dalian Cold Chain Logistics Co., Ltd.', country: 'CN', status: 'shipped', qty_g: 150_000, shipments: [t.shipped] },
      { consignee: 'Manzhouli Hengtai Trading Co., Ltd.', country: 'CN', status: 'draft', qty_g: 50_000, shipments: [t.pending] },
    ]);
    expect(data.summary.shipped_g).toBe(150_000); // the draft has not left
  });

  it('traces a finished lot backward to both suppliers with the quantities consumed', () => {
    const t = recallScenario();
    const data = recallData(t.p.ws.q, { lot: t.smoked }, t.p.now);
    const lots = data.backward.filter((r) => r.kind === 'lot').map((r) => [r.key, r.qty_g]);
    // Inputs come in lot-code order; A was received before B, so its code sorts first.
    expect(lots).toEqual([[t.smoked, 220_000], [t.rawA, 200_000], [t.rawB, 100_000]]);
    expect(data.backward.filter((r) => r.kind === 'supplier').map((r) => r.key).sort()).toEqual(['ARTEL-BAIKAL', 'RK-CHIVYRKUY']);
    expect(data.backward.filter((r) => r.kind === 'receipt').every((r) => r.vet_doc_uuid === VET_DOC)).toBe(true);
  });

  it('refuses an unknown lot in Russian and English', () => {
    const p = plant();
    try {
      recallData(p.ws.q, { lot: 'NO-SUCH-LOT' }, p.now);
      expect.unreachable('an unknown lot must be refused');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('NOT_FOUND');
    }
  });
});

describe.skipIf(missing !== null)('recall report PDF', () => {
  it('shows lots, quantities, shipments, containers and consignees in both languages', async () => {
    const t = recallScenario();
    const data = recallData(t.p.ws.q, { lot: t.rawA }, t.p.now);
    const dir = tempDir();
    mkdirSync(SCREENSHOTS, { recursive: true });
    const phrases = {
      ru: ['Отчёт об отзыве партии', 'Прослеживание назад', 'Прослеживание вперёд', 'Остаток на складах', 'отгружена', 'черновик'],
      en: ['Lot recall report', 'Backward trace', 'Forward trace', 'Still in stock', 'shipped', 'draft'],
    } as const;
    for (const lang of ['ru', 'en'] as const) {
      const pdf = await renderPdf(recallDocument(data, { lang, number: NUMBER, issuedAt: t.p.now }), { title: `${NUMBER} ${lang}`, createdAt: t.p.now });
      const file = join(dir, `${lang}.pdf`);
      writeFileSync(file, pdf);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      for (const must of [
        NUMBER,
        t.rawA, t.smoked, t.coldLot, t.hot, t.cold, t.shipped, t.pending,
        '500.000 kg', // the lot and its receipt
        '200.000 kg', // consumed by the hot-smoking batch
        '150.000 kg', // consumed by cold smoking, left in quarantine storage, and shipped
        '220.000 kg', // the smoked output
        '70.000 kg', // smoked left in BF-CR2
        '320.000 kg', // produced and still in stock
        '50.000 kg', // on the draft
        'BF-QUAR', 'BF-CR2',
        CONTAINER, 'SEAL-778899',
        VET_DOC,
        'DL-COLDCHAIN', 'HENGTAI', 'Dalian Cold Chain Logistics Co., Ltd.',
        ...phrases[lang],
      ]) {
        expect(text, `${lang}: ${must}`).toContain(must);
      }
      expect(text).not.toContain(t.cancelled);
      if (lang === 'ru') {
        execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, join(dir, lang)]);
        copyFileSync(join(dir, `${lang}.png`), join(SCREENSHOTS, 'documents-recall.png'));
      }
    }
  });
});
