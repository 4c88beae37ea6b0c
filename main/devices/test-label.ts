// The label a user prints to check a printer: Cyrillic text (the ^CI28 / CODEPAGE UTF-8 path),
// a GS1-128 barcode a scanner can read back, and a frame showing where the label's edges are.
// Shared by `printers.test` and `plantdesk print-test`.
import type { PrinterOptions } from '../contract/devices.js';
import { toTspl, toZpl, type Label } from '../../native/protocols/labels.js';

/** GTIN-14 with a valid check digit (a demo number, not a real product). */
const TEST_GTIN = '04607001000013';

export type LabelLanguage = 'zpl' | 'tspl';

/** The layout is drawn for a 100 × 70 mm area and scaled down to fit smaller labels. */
export function testLabel(options: Pick<PrinterOptions, 'dpi' | 'widthMm' | 'heightMm'>, now: Date): Label {
  const s = Math.min(1, options.widthMm / 100, options.heightMm / 70);
  const mm = (v: number) => Math.round(v * s * 10) / 10;
  const pad = (n: number) => String(n).padStart(2, '0');
  const yymmdd = `${pad(now.getFullYear() % 100)}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}`;
  return {
    widthMm: options.widthMm,
    heightMm: options.heightMm,
    dpi: options.dpi,
    elements: [
      { kind: 'box', x: mm(2), y: mm(2), widthMm: options.widthMm - mm(4), heightMm: options.heightMm - mm(4) },
      { kind: 'text', x: mm(6), y: mm(6), heightMm: mm(5), text: 'PlantDesk: тестовая этикетка' },
      { kind: 'text', x: mm(6), y: mm(13), heightMm: mm(4), text: 'Омуль байкальский — ЁЁ ЖЖ ЩЩ ЭЭ' },
      { kind: 'text', x: mm(6), y: mm(19), heightMm: mm(3), text: `Test label · ${stamp}` },
      {
        kind: 'barcode128',
        x: mm(6),
        y: mm(26),
        heightMm: mm(20),
        gs1: [
          { ai: '01', value: TEST_GTIN },
          { ai: '11', value: yymmdd },
          { ai: '10', value: 'TEST1' },
        ],
      },
    ],
  };
}

/** The test label in the printer's language, with its CJK font and gap settings. */
export function testLabelCommands(language: LabelLanguage, options: PrinterOptions, now: Date): string {
  const label = testLabel(options, now);
  const font = options.cjkFont === undefined ? {} : { cjkFont: options.cjkFont };
  return language === 'zpl' ? toZpl(label, font) : toTspl(label, { ...font, gapMm: options.gapMm });
}
