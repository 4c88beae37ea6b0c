// The quality certificate end to end: a real workspace with a received and released lot, the
// certificate rendered to a real PDF in each language, read back with poppler's pdftotext and
// rendered to PNG with pdftoppm (kept under test-results/screenshots to look at).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../main/core/domain-error.js';
import { certificateData, certificateDocument, certificateHash } from '../main/documents/certificate.js';
import { DOC_LANGS } from '../main/documents/i18n.js';
import { renderPdf } from '../main/documents/pdf.js';
import { DAY, expectReadable, plant, tempDir, type TestPlant } from './helpers.js';
import { releasedFinished } from './scenarios.js';
import { SCREENSHOTS, toolsMissing } from './pdf-tools.js';

const SIGNATORY = { name: 'Иванова А. П.', position: 'Начальник ОТК' };
const NUMBER = 'QCERT-BFP-2026-000007';

/** A plant with a received omul lot, inspected (limits: core temp 0…4 °C) and verified; returns its code. */
function releasedLot(p: TestPlant): string {
  const receipt = p.receiveOmul(500, 1);
  const lot = receipt.lines[0]!.lot_code;
  p.verify(p.release(lot));
  return lot;
}

function pdfText(dir: string, name: string, pdf: Uint8Array): { file: string; text: string } {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  return { file, text: execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }) };
}

const missing = toolsMissing('Certificate PDF');

describe.skipIf(missing !== null)('quality certificate PDF', () => {
  it('states producer, product, lot, dates, weight and results with limits and verdicts in each language', async () => {
    const p = plant();
    const lot = releasedLot(p);
    const data = certificateData(p.ws.q, { lot }, p.now);
    const dir = tempDir();
    const phrases = {
      ru: ['Сертификат качества', 'Изготовитель', 'соответствует', 'Температура в толще'],
      en: ['Quality certificate', 'Producer', 'pass', 'Core temperature'],
      zh: ['质量证书', '生产企业', '合格', '中心温度'],
    } as const;
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const lang of DOC_LANGS) {
      const started = performance.now();
      const pdf = await renderPdf(certificateDocument(data, { lang, number: NUMBER, issuedAt: p.now, signatory: SIGNATORY }), {
        title: `${NUMBER} ${lang}`,
        createdAt: p.now,
      });
      const ms = performance.now() - started;
      console.log(`certificate ${lang}: ${pdf.byteLength} bytes, rendered in ${ms.toFixed(0)} ms`);
      const { file, text } = pdfText(dir, lang, pdf);
      for (const must of [
        'CRU0380000123', // China registration number
        '38-01-03', // veterinary approval number
        lot,
        NUMBER,
        '2026-11-01', // production date: received produced 1 day before 2026-11-02
        '2026-11-06', // expiry: + 5 days shelf life
        '500.000 kg',
        '25', // packages
        '0…4 °C', // storage temperature and the core temperature limits
        '2 °C', // the recorded core temperature (midpoint of 0…4)
        'Coregonus migratorius',
        '冰鲜贝加尔秋白鲑', // the Chinese product name is in every language version
        'Chilled Baikal omul',
        'Омуль байкальский охлаждённый',
        'Начальник ОТК, Иванова А. П.',
        ...phrases[lang],
      ]) {
        expect(text, `${lang}: ${must}`).toContain(must);
      }
      expect(text).toContain(certificateHash(data, NUMBER, lang));
      // Fonts are subset on embedding: a one-page certificate stays small.
      expect(pdf.byteLength).toBeLessThan(100_000);
      execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, join(dir, lang)]);
      copyFileSync(join(dir, `${lang}.png`), join(SCREENSHOTS, `documents-certificate-${lang}.png`));
    }
  });

  it('gives the same bytes for the same certificate, and a different hash for other data, number or language', async () => {
    const p = plant();
    const lot = releasedLot(p);
    const data = certificateData(p.ws.q, { lot }, p.now);
    const render = () =>
      renderPdf(certificateDocument(data, { lang: 'zh', number: NUMBER, issuedAt: p.now, signatory: SIGNATORY }), { title: NUMBER, createdAt: p.now });
    const alone = Buffer.from(await render());
    expect(alone.equals(Buffer.from(await render()))).toBe(true);
    // The parsed fonts are shared by every document of the process: renders running at the same
    // time (other languages, other glyphs) give the same bytes as one alone.
    const english = () => renderPdf(certificateDocument(data, { lang: 'en', number: NUMBER, issuedAt: p.now, signatory: SIGNATORY }), { title: NUMBER, createdAt: p.now });
    const together = await Promise.all([english(), render(), english(), render()]);
    expect(Buffer.from(together[1]!).equals(alone)).toBe(true);
    expect(Buffer.from(together[3]!).equals(alone)).toBe(true);
    expect(Buffer.from(together[0]!).equals(Buffer.from(together[2]!))).toBe(true);

    const hash = certificateHash(data, NUMBER, 'zh');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(certificateHash(structuredClone(data), NUMBER, 'zh')).toBe(hash);
    expect(certificateHash(data, NUMBER, 'en')).not.toBe(hash);
    expect(certificateHash(data, 'QCERT-BFP-2026-000008', 'zh')).not.toBe(hash);
    // A reissue's version is part of what it states; a first version hashes as before versions were printed.
    expect(certificateHash(data, NUMBER, 'zh', 1)).toBe(hash);
    expect(certificateHash(data, NUMBER, 'zh', 2)).not.toBe(hash);
    const heavier = structuredClone(data);
    heavier.lots[0]!.net_g += 1;
    expect(certificateHash(heavier, NUMBER, 'zh')).not.toBe(hash);
  });

  it('refuses, in Russian and English, a lot without a completed inspection, an unknown lot and an expired one', () => {
    const p = plant();
    const quarantined = p.receiveOmul(100, 1).lines[0]!.lot_code;
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (e) {
        expect(e).toBeInstanceOf(DomainError);
        return (e as DomainError).error;
      }
      throw new Error('expected a refusal, got a certificate');
    };
    const noInspection = refusal(() => certificateData(p.ws.q, { lot: quarantined }, p.now));
    expectReadable(noInspection, { code: 'INVALID_STATE', field: 'lot' });
    expect(noInspection.message.en).toContain('no completed incoming inspection');
    expect(noInspection.message.ru).toContain('нет завершённой проверки');

    expectReadable(refusal(() => certificateData(p.ws.q, { lot: 'NO-SUCH-LOT' }, p.now)), { code: 'NOT_FOUND', field: 'lot' });

    const released = releasedLot(p);
    const expired = refusal(() => certificateData(p.ws.q, { lot: released }, p.now + 10 * DAY));
    expect(expired.message.en).toContain('expired on 2026-11-06');
  });

  it('certifies a shipment with the shipped quantity of each lot and its consignee', async () => {
    const p = plant();
    const { lot } = releasedFinished(p);
    const shipment = shipSmokedOmul(p, lot);
    const data = certificateData(p.ws.q, { shipment }, p.now);
    expect(data.shipment?.number).toBe(shipment);
    expect(data.lots.map((l) => [l.code, l.net_g])).toEqual([[lot, 200_000]]);
    const pdf = await renderPdf(certificateDocument(data, { lang: 'en', number: NUMBER, issuedAt: p.now, signatory: SIGNATORY }), { title: NUMBER, createdAt: p.now });
    const { text } = pdfText(tempDir(), 'shipment', pdf);
    expect(text).toContain(shipment);
    expect(text).toContain('200.000 kg');
    expect(text).toContain('MSCU1234566 / RU-0042');
  });
});

/** A draft shipment of 200 kg (10 packages) of the lot to the demo consignee, in a sealed container; returns its number. */
function shipSmokedOmul(p: TestPlant, lot: string): string {
  const number = p.call('shipments.create', { customer: 'HENGTAI', consignee: 'HENGTAI', planned_date: p.now + DAY }).number;
  p.call('shipments.addContainer', { number, container_no: 'MSCU1234566', seal_no: 'RU-0042' });
  p.call('shipments.addLine', { number, lot, qty_g: 200_000, gross_g: 205_000, packages: 10, container_no: 'MSCU1234566' });
  return number;
}
