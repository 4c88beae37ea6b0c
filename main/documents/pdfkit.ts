// pdfkit directly, for documents whose layout is fixed and known in advance (labels): pdfmake,
// built on pdfkit, flows every word through its layout engine, which costs about three times
// the drawing itself on a batch of a thousand labels. Same fonts and the same fixed metadata as
// renderPdf (main/documents/pdf.ts), so the same input gives the same bytes.
import { createRequire } from 'node:module';
import { FONT_SOURCES, type PdfMeta } from './pdf.js';

/** The slice of pdfkit 0.19's API we use (installed with pdfmake, without type declarations). */
export interface PdfKitDocument {
  page: { width: number; height: number; maxY(): number };
  x: number;
  y: number;
  on(event: 'data' | 'end' | 'error', listener: (...args: never[]) => void): this;
  registerFont(name: string, font: Uint8Array): this;
  addPage(): this;
  font(name: keyof typeof FONT_SOURCES): this;
  fontSize(points: number): this;
  text(text: string, options?: { width?: number; align?: 'left' | 'center' }): this;
  openImage(png: Buffer): object;
  image(image: object, x: number, y: number, options: { width: number; height: number }): this;
  end(): void;
}

const require = createRequire(import.meta.url);
const PDFDocument = require('pdfkit') as new (options: object) => PdfKitDocument;

export interface PdfKitPage {
  widthPt: number;
  heightPt: number;
  marginPt: number;
}

/**
 * Draws a document with pdfkit and resolves with its bytes. `draw` adds the pages (the
 * document starts with none); the fonts are registered as 'regular' and 'bold'.
 */
export function renderPdfKit(page: PdfKitPage, meta: PdfMeta, draw: (doc: PdfKitDocument) => void): Promise<Uint8Array> {
  const at = new Date(meta.createdAt);
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: [page.widthPt, page.heightPt],
      margin: page.marginPt,
      autoFirstPage: false,
      pdfVersion: '1.3',
      compress: true,
      // pdfkit would write an absent author or subject as the string "undefined".
      info: Object.fromEntries(
        Object.entries({ Title: meta.title, Author: meta.author, Subject: meta.subject, Creator: 'PlantDesk', Producer: 'PlantDesk (pdfkit)', CreationDate: at, ModDate: at })
          .filter(([, value]) => value !== undefined),
      ),
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => {
      const bytes = Buffer.concat(chunks);
      resolve(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    });
    doc.on('error', reject);
    for (const [name, font] of Object.entries(FONT_SOURCES)) doc.registerFont(name, font);
    try {
      draw(doc);
      doc.end();
    } catch (e) {
      reject(e);
    }
  });
}
