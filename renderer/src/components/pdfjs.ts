// PDF.js set up for the app: its worker is bundled with the renderer (served from the app itself,
// in Electron from file://, in the browser host from its own origin) and a document is read with
// every network source switched off, so showing or printing a PDF never fetches anything.
// The library is loaded on first use: it is a large chunk the rest of the app does not need.
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

export type { PDFDocumentProxy, PDFPageProxy };

/** A CSS pixel is 1/96 in, a PDF point 1/72 in: a page at scale 1 is this many pixels per point. */
export const CSS_PX_PER_PT = 96 / 72;

let library: Promise<typeof import('pdfjs-dist')> | undefined;
function pdfjs() {
  library ??= import('pdfjs-dist').then((lib) => {
    // Where the page's origin is opaque (file:// in Electron) PDF.js starts the worker through a
    // blob: wrapper, and if a worker cannot start at all it runs the same file on the main
    // thread; the CSP allows both (worker-src 'self' blob:).
    lib.GlobalWorkerOptions.workerSrc = workerUrl;
    return lib;
  });
  return library;
}

/** Opens a PDF held in memory. The caller destroys it (`doc.destroy()`) when done. */
export async function loadPdf(blob: Blob): Promise<PDFDocumentProxy> {
  const lib = await pdfjs();
  return lib.getDocument({
    data: new Uint8Array(await blob.arrayBuffer()),
    // Our PDFs embed their fonts (pdfmake subsets them): no CMaps, standard fonts, ICC profiles or
    // wasm decoders are needed, and without their URLs PDF.js never asks the network for them.
    useWorkerFetch: false,
    useWasm: false,
    // The CSP forbids eval; saying so up front spares a refused attempt in the console.
    isEvalSupported: false,
  }).promise;
}

/**
 * Draws a page into `canvas` at `scale` (1 = one CSS pixel per 1/96 in, as on screen at 100%)
 * times `density` device pixels. Resolves when drawn; `signal` cancels the drawing.
 */
export async function drawPage(page: PDFPageProxy, canvas: HTMLCanvasElement, scale: number, density: number, signal?: AbortSignal): Promise<void> {
  const viewport = page.getViewport({ scale: scale * CSS_PX_PER_PT * density });
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  const task = page.render({ canvas, viewport });
  const cancel = () => task.cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    await task.promise;
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
