// Label text as a 1-bit image for printers without a font for it: one line of text drawn by
// resvg with the app's own Noto Sans SC (never a system font, so every PC prints the same
// dots), at the printer's dot pitch, thresholded and packed for ZPL's ^GF.
import { Resvg } from '@resvg/resvg-js';
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import type { Bitmap } from '../../native/protocols/labels.js';
import { FONT_PATHS } from './pdf.js';

export interface LineRaster {
  /** Character height in printer dots (as `^A0N,h,h`): the font's em size. */
  heightDots: number;
  /** The space available; a longer line is drawn narrower to fit rather than cut. */
  maxWidthDots: number;
  bold?: boolean;
}

/** The family name inside the Noto Sans SC files (resvg matches it, not pdfmake's alias). */
const FAMILY = 'Noto Sans SC';
// Noto Sans SC: CJK glyphs sit within 0.88 em above the baseline; Latin descenders reach 0.22 em below it.
const ASCENT_EM = 0.88;
const BOX_EM = 1.12;
/**
 * The smallest character height a line is narrowed to (in dots: 1.5 mm at 203 dpi). Below it
 * Chinese strokes merge into blots, so a line that would need less is refused, not printed.
 */
const MIN_HEIGHT_DOTS = 12;
/** Alpha at or above which an anti-aliased pixel becomes a printed dot. */
const THRESHOLD = 128;

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(text: string, sizeDots: number, boxWidth: number, boxHeight: number, bold: boolean): Resvg {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${boxWidth}" height="${boxHeight}">` +
    `<text x="0" y="${Math.round(sizeDots * ASCENT_EM)}" font-family="${FAMILY}" font-size="${sizeDots}" fill="#000" xml:space="preserve">${escapeXml(text)}</text></svg>`;
  return new Resvg(svg, { font: { fontFiles: [bold ? FONT_PATHS.bold : FONT_PATHS.regular], loadSystemFonts: false, defaultFontFamily: FAMILY } });
}

/**
 * One line of text as a bitmap `ceil(1.12 × heightDots)` dots high, cut to the width of its ink.
 * Deterministic: the same text and sizes give the same bits.
 */
export function rasterizeLine(text: string, options: LineRaster): Bitmap {
  const { heightDots, maxWidthDots, bold = false } = options;
  const height = Math.ceil(heightDots * BOX_EM);
  let svg = render(text, heightDots, maxWidthDots, height, bold);
  const inkWidth = svg.getBBox()?.width ?? 0;
  if (inkWidth > maxWidthDots) {
    const narrowed = Math.floor((heightDots * maxWidthDots) / inkWidth);
    if (narrowed < Math.min(MIN_HEIGHT_DOTS, heightDots)) {
      throw new DomainError('VALIDATION', {
        details: say(
          `строка «${text}» не помещается на этикетку читаемым шрифтом: сократите текст или возьмите этикетку шире`,
          `the line "${text}" does not fit the label in a readable size: shorten it or use a wider label`,
        ),
      });
    }
    svg = render(text, narrowed, maxWidthDots, height, bold);
  }
  const image = svg.render();
  const rgba = image.pixels;
  let width = 1; // a blank line is one white dot wide
  for (let y = 0; y < height; y++) {
    for (let x = image.width - 1; x >= width; x--) {
      if (rgba[(y * image.width + x) * 4 + 3]! >= THRESHOLD) {
        width = x + 1;
        break;
      }
    }
  }
  const bytesPerRow = Math.ceil(width / 8);
  const data = new Uint8Array(bytesPerRow * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (rgba[(y * image.width + x) * 4 + 3]! >= THRESHOLD) data[y * bytesPerRow + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return { width, height, bytesPerRow, data };
}
