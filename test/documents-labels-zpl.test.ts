// ZPL labels with the text the printer has no font for printed as ^GFA graphics: the ZPL passes
// the syntax check, every ^GF field decodes back (compression expanded) to exactly the bits of
// the line drawn directly with resvg and Noto Sans SC, and the composed label is written as an
// image to look at (test-results/screenshots/documents-label-zpl.png).
import { Resvg } from '@resvg/resvg-js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../main/core/domain-error.js';
import { FISH_PRODUCTS, gtinWithCheckDigit } from '../main/demo/reference.js';
import { rasterizeLine } from '../main/documents/label-graphic.js';
import { FONT_PATHS } from '../main/documents/pdf.js';
import { cartonLabelData, labelsZpl, palletLabelData, type LabelData } from '../main/documents/labels.js';
import { decodeZplGraphic, mmToDots, validateZpl, zplGraphicField, type Bitmap } from '../native/protocols/labels.js';
import { plant, type TestPlant } from './helpers.js';
import { SCREENSHOTS } from './pdf-tools.js';

const GTIN = gtinWithCheckDigit('0460700100009');
const SIZE = { widthMm: 100, heightMm: 150 };
const MARGIN_MM = 3;
const LINE_MM = { title: 4, text: 2.6, small: 2.2 } as const;

function cartonLabel(p: TestPlant): LabelData {
  p.call('products.upsert', { ...FISH_PRODUCTS[0]!, gtin: GTIN });
  const lot = p.receiveOmul(500, 1).lines[0]!.lot_code;
  p.release(lot);
  return cartonLabelData(p.ws.q, { lot, netG: 20_000 }, p.now);
}

interface Graphic {
  x: number;
  y: number;
  bitmap: Bitmap;
}

/** Every `^FOx,y^GF…^FS` of the ZPL, decoded. */
function graphics(zpl: string): Graphic[] {
  return [...zpl.matchAll(/\^FO(\d+),(\d+)\^GF([^^~]*)\^FS/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]), bitmap: decodeZplGraphic(m[3]!) }));
}

/**
 * The line drawn straight with resvg, independently of the app's rasteriser: font size = the
 * character height in dots, baseline at 0.88 em, a box 1.12 em high, ink at alpha ≥ 128.
 */
function direct(text: string, heightDots: number, widthDots: number, bold: boolean): (x: number, y: number) => boolean {
  const height = Math.ceil(heightDots * 1.12);
  const esc = text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${widthDots}" height="${height}"><text x="0" y="${Math.round(heightDots * 0.88)}" font-family="Noto Sans SC" font-size="${heightDots}" xml:space="preserve">${esc}</text></svg>`;
  const image = new Resvg(svg, { font: { fontFiles: [bold ? FONT_PATHS.bold : FONT_PATHS.regular], loadSystemFonts: false } }).render();
  const { width, height: rows, pixels } = { width: image.width, height: image.height, pixels: image.pixels }; // each getter call copies
  return (x, y) => x < width && y < rows && pixels[(y * width + x) * 4 + 3]! >= 128;
}

function bit(b: Bitmap, x: number, y: number): boolean {
  return x < b.bytesPerRow * 8 && y < b.height && (b.data[y * b.bytesPerRow + (x >> 3)]! & (0x80 >> (x & 7))) !== 0;
}

/** A 1-bit greyscale PNG of packed rows (1 = black, as in ^GF; PNG's grey 0 is black, so inverted). */
function png(width: number, height: number, rows: Uint8Array): Buffer {
  const bytesPerRow = Math.ceil(width / 8);
  const raw = Buffer.alloc((bytesPerRow + 1) * height);
  for (let y = 0; y < height; y++) for (let i = 0; i < bytesPerRow; i++) raw[y * (bytesPerRow + 1) + 1 + i] = ~rows[y * bytesPerRow + i]! & 0xff;
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** The graphics composed on a label-sized page, written as a PNG to look at. */
function writeLabelImage(gs: Graphic[], widthDots: number, heightDots: number, name: string): void {
  const bytesPerRow = Math.ceil(widthDots / 8);
  const page = new Uint8Array(bytesPerRow * heightDots);
  for (const g of gs) {
    for (let y = 0; y < g.bitmap.height; y++) {
      for (let x = 0; x < g.bitmap.bytesPerRow * 8; x++) {
        const px = g.x + x;
        const py = g.y + y;
        if (bit(g.bitmap, x, y) && px < widthDots && py < heightDots) page[py * bytesPerRow + (px >> 3)]! |= 0x80 >> (px & 7);
      }
    }
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(join(SCREENSHOTS, `${name}.png`), png(widthDots, heightDots, page));
}

describe('ZPL labels: Chinese text as ^GFA graphics', () => {
  it('without a printer CJK font, every Chinese line is a ^GF field decoding to the line as drawn directly; the rest stays in printer font', () => {
    const label = cartonLabel(plant());
    const zpl = labelsZpl([label], { dpi: 203, ...SIZE });
    expect(validateZpl(zpl)).toEqual([]);
    expect(zpl).not.toContain('中华人民共和国'); // not sent as text a stock printer would print as boxes
    expect(zpl).toContain('^A0N,'); // English and Russian lines in the printer's font
    expect(zpl).toContain('^FDChilled Baikal omul^FS');

    const gs = graphics(zpl);
    // One graphic per line a stock printer font cannot draw, top-down in label order.
    const graphicLines = label.lines.filter((l) => !/^[\u0020-\u024f\u0400-\u04ff\u2010-\u2027]*$/u.test(l.text));
    expect(graphicLines.some((l) => l.text.includes('≤') || l.zh)).toBe(true);
    expect(gs.length).toBe(graphicLines.length);
    const maxWidth = mmToDots(SIZE.widthMm - 2 * MARGIN_MM, 203);
    graphicLines.forEach((line, i) => {
      const { bitmap, x } = gs[i]!;
      const h = mmToDots(LINE_MM[line.size], 203);
      expect(x).toBe(mmToDots(MARGIN_MM, 203));
      expect(bitmap.height).toBe(Math.ceil(h * 1.12));
      const ink = direct(line.text, h, maxWidth, line.size === 'title');
      let dots = 0;
      const differ: string[] = [];
      for (let y = 0; y < bitmap.height; y++) {
        for (let px = 0; px < maxWidth; px++) {
          if (bit(bitmap, px, y) !== ink(px, y)) differ.push(`${px},${y}`);
          if (ink(px, y)) dots++;
        }
      }
      expect(differ.slice(0, 5), line.text).toEqual([]);
      expect(dots, line.text).toBeGreaterThan(h * 4); // the line really has ink
    });
  });

  it('graphic-all prints every line, the barcode text included, as an image: composed to a PNG to look at', () => {
    const label = cartonLabel(plant());
    const zpl = labelsZpl([label], { dpi: 300, ...SIZE, textAs: 'graphic-all' });
    expect(validateZpl(zpl)).toEqual([]);
    expect(zpl).not.toMatch(/\^A[0@]/);
    const gs = graphics(zpl);
    expect(gs.length).toBe(label.lines.length + label.symbols.length);
    expect(zpl.match(/\^BC/g)).toHaveLength(label.symbols.length);
    writeLabelImage(gs, mmToDots(SIZE.widthMm, 300), mmToDots(SIZE.heightMm, 300), 'documents-label-zpl');
  });

  it('with a printer CJK font, text goes as ^A@ with that font and no graphics; "font" without a CJK font is refused', () => {
    const label = cartonLabel(plant());
    const withFont = labelsZpl([label], { dpi: 300, ...SIZE, cjkFont: 'E:SIMSUN.TTF' });
    expect(validateZpl(withFont)).toEqual([]);
    expect(withFont).toContain('^A@N,');
    expect(withFont).toContain('E:SIMSUN.TTF');
    expect(withFont).toContain('中华人民共和国');
    expect(withFont).not.toContain('^GF');
    // A configured font can still be overridden by the printer setting.
    expect(labelsZpl([label], { dpi: 300, ...SIZE, cjkFont: 'E:SIMSUN.TTF', textAs: 'graphic' })).toContain('^GFA');

    let refused: unknown;
    try {
      labelsZpl([label], { dpi: 203, ...SIZE, textAs: 'font' });
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).error.field).toBe('textAs');
    expect((refused as DomainError).error.message.ru).toContain('шрифт');
  });

  it('is stable: equal labels become one format printed with ^PQ, the same input gives the same bytes, and progress ends at the total', () => {
    const p = plant();
    const label = cartonLabel(p);
    const progress: [number, number][] = [];
    const zpl = labelsZpl(Array.from({ length: 25 }, () => label), { dpi: 203, ...SIZE, onProgress: (d, t) => progress.push([d, t]) });
    expect(zpl.match(/\^XA/g)).toHaveLength(1);
    expect(zpl).toContain('^PQ25');
    expect(progress).toEqual([[25, 25]]);
    expect(labelsZpl(Array.from({ length: 25 }, () => label), { dpi: 203, ...SIZE })).toBe(zpl);

    const pallets = [1, 2, 3].map((serial) => palletLabelData(p.ws.q, { lot: label.lot, companyPrefix: '4607001', serial }, p.now));
    const palletZpl = labelsZpl(pallets, { dpi: 203, ...SIZE });
    expect(validateZpl(palletZpl)).toEqual([]);
    expect(palletZpl.match(/\^XA/g)).toHaveLength(3); // each pallet has its own SSCC
    expect(palletZpl.match(/\^PQ1\n/g)).toHaveLength(3);
  });
});

describe('^GFA encoding', () => {
  const bitmap = (width: number, rows: number[][]): Bitmap => {
    const bytesPerRow = Math.ceil(width / 8);
    return { width, height: rows.length, bytesPerRow, data: Uint8Array.from(rows.flat()) };
  };

  it('compresses blank, repeated, long and full rows and decodes back to the same bytes', () => {
    const wide = 900 * 8; // runs longer than 400 hex digits need more than one count
    const row = (f: (i: number) => number): number[] => Array.from({ length: wide / 8 }, (_, i) => f(i));
    const b = bitmap(wide, [row(() => 0), row(() => 0xff), row(() => 0xff), row((i) => (i % 7 === 0 ? 0x3c : 0)), row((i) => (i < 500 ? 0x11 : 0xf0)), row(() => 0)]);
    const field = zplGraphicField(b);
    expect(field).toMatch(/^\^GFA,5400,5400,900,/);
    expect(field.length).toBeLessThan(b.data.length); // smaller than plain hex (twice the bytes)
    expect(field).toContain(':'); // the repeated row
    const back = decodeZplGraphic(field.slice(3));
    expect(back.bytesPerRow).toBe(900);
    expect(Buffer.from(back.data).equals(Buffer.from(b.data))).toBe(true);
    expect(validateZpl(`^XA^FO0,0${field}^FS^XZ`)).toEqual([]);
  });

  it('the syntax check finds a graphic whose data does not fill its declared size, or holds junk', () => {
    expect(validateZpl(`^XA^FO0,0${zplGraphicField(bitmap(16, [[0xff, 0x01], [0x80, 0]]))}^FS^XZ`)).toEqual([]);
    expect(validateZpl(`^XA^FO0,0^GFA,4,4,2,FF01^FS^XZ`)[0]).toMatch(/2 bytes of data, 4 declared/);
    expect(validateZpl(`^XA^FO0,0^GFA,4,4,2,FF01ZZ^FS^XZ`)[0]).toMatch(/unexpected "Z"|repeat count/);
    expect(validateZpl(`^XA^FO0,0^GFA,4,3,2,FF010000^FS^XZ`)[0]).toMatch(/inconsistent/);
    expect(() => zplGraphicField({ width: 9, height: 1, bytesPerRow: 1, data: new Uint8Array(1) })).toThrow(/bad bitmap/);
  });
});

describe('a line drawn as a graphic', () => {
  it('is narrowed to fit the label, but a line that would shrink below a readable height is refused', () => {
    const fits = rasterizeLine('冷冻秋白鲑 / Омуль мороженый', { heightDots: 30, maxWidthDots: 300 });
    expect(fits.width).toBeLessThanOrEqual(300);
    expect(fits.data.some((b) => b !== 0)).toBe(true);
    const long = '冷冻秋白鲑'.repeat(40);
    let refused: unknown;
    try {
      rasterizeLine(long, { heightDots: 30, maxWidthDots: 300 });
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(DomainError);
    const error = (refused as DomainError).error;
    expect(error.code).toBe('VALIDATION');
    expect(error.message.ru).toMatch(/не помещается на этикетку читаемым шрифтом/);
    expect(error.message.en).toMatch(/does not fit the label in a readable size/);
  });
});
