// A PDF shown inside the app: a modal dialog drawing the pages with PDF.js into canvases, with
// the page count, zoom (fit to width by default) and whatever actions the caller puts in its
// toolbar (open in a window, save, print). The same in Electron and in the browser host: no PDF
// viewer plugin and no network. Keyboard: Tab moves through the toolbar and the page area (which
// scrolls with the arrow keys), Esc closes, and focus goes back to where it was.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { StoredPdf } from './documentPdf';
import { CSS_PX_PER_PT, drawPage, loadPdf, type PDFDocumentProxy } from './pdfjs';
import './pdfPreview.css';

interface PageSize {
  /** PDF points, rotation applied. */
  width: number;
  height: number;
}

const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
/** Room left beside the widest page when fitting to width (the page area's padding and scroll bar). */
const FIT_GUTTER_PX = 48;

/** `children`: the caller's toolbar buttons; `notes`: what those report (progress, refusals), under the toolbar. */
export function PdfPreview({ pdf, onClose, children, notes }: { pdf: StoredPdf; onClose(): void; children?: ReactNode; notes?: ReactNode }) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  const area = useRef<HTMLDivElement>(null);
  const [doc, setDoc] = useState<{ proxy: PDFDocumentProxy; sizes: PageSize[] }>();
  const [failure, setFailure] = useState<string>();
  const [zoom, setZoom] = useState<number | 'fit'>('fit');
  const [areaWidth, setAreaWidth] = useState(0);

  useEffect(() => {
    dialog.current?.showModal();
    area.current?.focus();
  }, []);

  useEffect(() => {
    const element = area.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setAreaWidth(element.clientWidth));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    let proxy: PDFDocumentProxy | undefined;
    let gone = false;
    setDoc(undefined);
    setFailure(undefined);
    void (async () => {
      try {
        proxy = await loadPdf(pdf.blob);
        // Closed (or another PDF shown) while it loaded: the clean-up below ran before we had it.
        if (gone) return void proxy.destroy();
        const sizes: PageSize[] = [];
        for (let n = 1; n <= proxy.numPages; n++) {
          const { width, height } = (await proxy.getPage(n)).getViewport({ scale: 1 });
          sizes.push({ width, height });
        }
        if (!gone) setDoc({ proxy, sizes });
      } catch (e) {
        if (!gone) setFailure(e instanceof Error ? e.message : String(e));
      }
    })();
    return () => {
      gone = true;
      void proxy?.destroy();
    };
  }, [pdf.blob]);

  const widest = Math.max(...(doc?.sizes.map((s) => s.width) ?? [0]));
  const fitScale = widest > 0 && areaWidth > FIT_GUTTER_PX ? (areaWidth - FIT_GUTTER_PX) / (widest * CSS_PX_PER_PT) : 1;
  const scale = zoom === 'fit' ? fitScale : zoom;
  const smaller = ZOOMS.filter((z) => z < scale - 0.01).at(-1);
  const larger = ZOOMS.find((z) => z > scale + 0.01);
  const count = doc?.sizes.length ?? 0;

  return (
    <dialog ref={dialog} className="pdf-preview" aria-labelledby="pdf-preview-title" onClose={onClose}>
      <div className="pdf-preview-bar">
        <h2 id="pdf-preview-title">{t('pdf.preview', { name: pdf.fileName })}</h2>
        <span className="muted" role="status">
          {failure ? '' : doc ? t('pdf.pages', { count }) : t('pdf.loading')}
        </span>
        <div className="pdf-preview-zoom" role="group" aria-label={t('pdf.zoom', { percent: Math.round(scale * 100) })}>
          <button type="button" className="btn btn-secondary" onClick={() => smaller && setZoom(smaller)} disabled={!doc || smaller === undefined} aria-label={t('pdf.zoomOut')}>
            −
          </button>
          <span className="pdf-preview-percent" aria-hidden="true">
            {Math.round(scale * 100)} %
          </span>
          <button type="button" className="btn btn-secondary" onClick={() => larger && setZoom(larger)} disabled={!doc || larger === undefined} aria-label={t('pdf.zoomIn')}>
            +
          </button>
          <button type="button" className="btn btn-secondary" onClick={() => setZoom('fit')} aria-pressed={zoom === 'fit'} disabled={!doc}>
            {t('pdf.fitWidth')}
          </button>
        </div>
        <div className="pdf-preview-actions">
          {children}
          <button type="button" className="btn btn-secondary" onClick={() => dialog.current?.close()}>
            {t('pdf.close')}
          </button>
        </div>
      </div>
      {notes}
      {failure && (
        <div className="banner banner-error" role="alert">
          {t('pdf.loadFailed', { error: failure })}
        </div>
      )}
      <div ref={area} className="pdf-preview-pages" tabIndex={0} role="region" aria-label={t('pdf.pagesLabel')}>
        {doc?.sizes.map((size, i) => (
          <PdfPage key={i} doc={doc.proxy} number={i + 1} count={count} size={size} scale={scale} root={area} />
        ))}
      </div>
    </dialog>
  );
}

/**
 * One page: a placeholder of the page's size, drawn when it comes near the visible part of the
 * page area and let go when it leaves, so a document of a thousand labels holds only a few
 * canvases at a time.
 */
function PdfPage({ doc, number, count, size, scale, root }: { doc: PDFDocumentProxy; number: number; count: number; size: PageSize; scale: number; root: React.RefObject<HTMLDivElement | null> }) {
  const { t } = useTranslation();
  const holder = useRef<HTMLDivElement>(null);
  const [near, setNear] = useState(false);

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const observer = new IntersectionObserver(([entry]) => setNear(entry?.isIntersecting ?? false), { root: root.current, rootMargin: '100% 0px' });
    observer.observe(element);
    return () => observer.disconnect();
  }, [root]);

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    // Off screen: the canvas memory is given back (the placeholder keeps the page's place).
    if (!near) return void element.replaceChildren();
    // A fresh canvas per drawing: PDF.js refuses a second render into a canvas still being drawn
    // (a zoom change while the previous drawing is being cancelled).
    const abort = new AbortController();
    const canvas = document.createElement('canvas');
    void (async () => {
      try {
        await drawPage(await doc.getPage(number), canvas, scale, window.devicePixelRatio || 1, abort.signal);
        if (!abort.signal.aborted) element.replaceChildren(canvas);
      } catch {
        // Cancelled by a zoom change or by closing; a damaged page stays a blank sheet.
      }
    })();
    return () => abort.abort();
  }, [doc, number, scale, near]);

  const width = size.width * CSS_PX_PER_PT * scale;
  const height = size.height * CSS_PX_PER_PT * scale;
  return <div ref={holder} className="pdf-page" role="img" aria-label={t('pdf.page', { page: number, count })} style={{ width, height }} />;
}
