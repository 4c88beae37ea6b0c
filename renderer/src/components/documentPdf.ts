// A registered document's PDF in the page: fetched from the registry (documents.pdf, base64), then
// opened in a window of its own, saved or printed (the in-app preview is PdfPreview). The same
// code runs in Electron and in the browser host: a Blob URL needs neither a file path nor a
// server route, and printing draws the pages itself instead of relying on a PDF viewer plugin.
import { makeError } from '../../../main/contract/errors';
import { api, OperationFailed } from '../api/client';
import { blobOfBase64, blobUrl, saveBlob } from './download';
import { drawPage, loadPdf } from './pdfjs';

export interface StoredPdf {
  blob: Blob;
  /** `<number>-v<version>.pdf`, the name it is saved under. */
  fileName: string;
}

/** The stored PDF of a document version; the registry checked it against its SHA-256. */
export async function fetchPdf(id: string): Promise<StoredPdf> {
  const pdf = await api.call('documents.pdf', { id });
  return { blob: blobOfBase64(pdf.pdf_base64, 'application/pdf'), fileName: `${pdf.number}-v${pdf.version}.pdf` };
}

/** Opens the PDF in a new window (tab); false when the window was not opened (a pop-up blocker). */
export function openPdf(pdf: StoredPdf): boolean {
  return window.open(blobUrl(pdf.blob), '_blank') !== null;
}

export function savePdf(pdf: StoredPdf): void {
  saveBlob(pdf.blob, pdf.fileName);
}

/** How far preparing a print has got: pages drawn of all. */
export type PrintProgress = (done: number, total: number) => void;

// Print resolution. Text stays sharp and a GS1-128 bar keeps its width on 203 and 300 dpi
// label printers; a page larger than A3 is drawn a little coarser so its canvas stays in memory.
const PRINT_DPI = 300;
const MAX_PRINT_PIXELS = 18_000_000;
/**
 * Every page is held as an image until the dialog takes them; a few hundred pages at 300 dpi are
 * already hundreds of MB once decoded. Longer PDFs (a run of labels) go to the label printer.
 */
export const MAX_PRINT_PAGES = 200;
const FRAME_ID = 'pdf-print-frame';

interface PrintPage {
  url: string;
  /** Page size in PDF points (1/72 in), rotation applied. */
  width: number;
  height: number;
}

/**
 * Prints through the system print dialog, the same in Electron and in a browser: every page is
 * drawn with PDF.js into a PNG at print resolution, the pages go one per sheet into a hidden
 * same-origin frame whose @page size is the PDF page size with no margins, and the frame prints
 * itself. No PDF viewer plugin is involved (headless Chromium has none, and printing a plugin
 * frame is unreliable in Electron). Resolves once the print dialog was asked for.
 */
export async function printPdf(pdf: StoredPdf, onProgress?: PrintProgress): Promise<void> {
  removePrintFrame();
  const doc = await loadPdf(pdf.blob);
  if (doc.numPages > MAX_PRINT_PAGES) {
    void doc.destroy();
    throw new OperationFailed(makeError('TOO_MANY_PAGES', { pages: doc.numPages, max: MAX_PRINT_PAGES }));
  }
  const pages: PrintPage[] = [];
  try {
    onProgress?.(0, doc.numPages);
    const canvas = document.createElement('canvas');
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const { width, height } = page.getViewport({ scale: 1 });
      const dpi = Math.min(PRINT_DPI, 72 * Math.sqrt(MAX_PRINT_PIXELS / (width * height)));
      // drawPage's scale is in CSS pixels (1/96 in); `density` brings it to the print dpi.
      await drawPage(page, canvas, 1, dpi / 96);
      pages.push({ url: URL.createObjectURL(await pngOf(canvas)), width, height });
      page.cleanup();
      onProgress?.(n, doc.numPages);
    }
  } catch (e) {
    for (const page of pages) URL.revokeObjectURL(page.url);
    throw e;
  } finally {
    void doc.destroy();
  }
  // The frame's own print() prints the frame, not the app; focus stays where the user was (in
  // the preview), so Esc and Tab go on working after the dialog.
  try {
    (await printFrame(pdf.fileName, pages)).contentWindow!.print();
  } catch (e) {
    removePrintFrame(); // gives back the page images too
    throw e;
  }
}

function pngOf(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('canvas.toBlob gave nothing'))), 'image/png'));
}

/** The hidden frame with one image per page; resolves when every image is loaded. */
async function printFrame(title: string, pages: PrintPage[]): Promise<HTMLIFrameElement> {
  const frame = document.createElement('iframe');
  frame.id = FRAME_ID;
  frame.title = title;
  frame.setAttribute('aria-hidden', 'true');
  frame.tabIndex = -1;
  Object.assign(frame.style, { position: 'fixed', right: '0', bottom: '0', width: '0', height: '0', border: '0', visibility: 'hidden' });
  // Without a src the frame holds about:blank, which shares the app's origin and CSP: the page
  // images (blob: URLs of this document) and the style element below are allowed as in the app.
  document.body.appendChild(frame);
  const view = frame.contentWindow!;
  const d = view.document;
  d.title = title;
  // Each distinct page size is a named @page, so a document mixing A4 and A5 (or portrait and
  // landscape) gets each sheet in its own size.
  const sizes = [...new Set(pages.map((p) => `${p.width}pt ${p.height}pt`))];
  const style = d.createElement('style');
  style.textContent = [
    '@page { margin: 0 }',
    ...sizes.map((size, i) => `@page size${i} { size: ${size}; margin: 0 }`),
    'html, body { margin: 0; padding: 0 }',
    'img { display: block; break-after: page }',
    'img:last-child { break-after: auto }',
  ].join('\n');
  d.head.appendChild(style);
  for (const page of pages) {
    const img = d.createElement('img');
    img.src = page.url;
    img.alt = '';
    img.style.setProperty('page', `size${sizes.indexOf(`${page.width}pt ${page.height}pt`)}`);
    img.style.width = `${page.width}pt`;
    img.style.height = `${page.height}pt`;
    d.body.appendChild(img);
  }
  // Waiting for `load`, not img.decode(): decode() never settles in a frame that is not rendered.
  await Promise.all([...d.images].map(loaded));
  // The frame and its images go once the dialog is closed, or at the next print where a browser
  // does not report that.
  view.addEventListener('afterprint', () => setTimeout(removePrintFrame), { once: true });
  return frame;
}

function loaded(img: HTMLImageElement): Promise<void> {
  if (img.complete && img.naturalWidth > 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    img.addEventListener('load', () => resolve(), { once: true });
    img.addEventListener('error', () => reject(new Error('a printed page image did not load')), { once: true });
  });
}

function removePrintFrame(): void {
  const frame = document.getElementById(FRAME_ID) as HTMLIFrameElement | null;
  if (!frame) return;
  for (const img of frame.contentDocument?.images ?? []) URL.revokeObjectURL(img.src);
  frame.remove();
}
