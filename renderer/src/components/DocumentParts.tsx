// What every place that issues or shows registered documents shares: running a PDF action
// (preview, window, save, print) with its refusal kept for the screen, issuing with the PDF shown
// right away in the preview, and the note saying which number and version was issued.
import { useCallback, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import type { OperationError } from '../../../main/contract/errors';
import type { OperationOutput } from '../../../main/contract/operations';
import { OperationFailed } from '../api/client';
import { useMutation } from '../api/hooks';
import { Button, ErrorBanner } from './forms';
import { fetchPdf, openPdf, printPdf, savePdf, type StoredPdf } from './documentPdf';
import { PdfPreview } from './PdfPreview';

export type DocumentRow = OperationOutput<'documents.get'>['versions'][number];
/** `open` shows the PDF in the app (PdfPreview); `window` opens it in a window of its own. */
export type PdfAction = 'open' | 'window' | 'save' | 'print';

export interface PdfActions {
  /** Fetches a document's PDF from the registry and runs the action on it. */
  run(id: string, action: PdfAction): Promise<void>;
  pending: PdfAction | undefined;
  error: OperationError | undefined;
  /** The last window was stopped by a pop-up blocker. */
  blocked: boolean;
  /** Pages drawn for printing so far, while a print is being prepared. */
  printing: { done: number; total: number } | undefined;
  /** The PDF shown in the preview dialog, if any; shown by PdfActionsView. */
  preview: StoredPdf | undefined;
  act(pdf: StoredPdf, action: PdfAction): Promise<void>;
  closePreview(): void;
}

function failure(e: unknown): OperationError {
  // A refusal of the registry (e.g. NOT_FOUND: the PDF is stored on the PC that issued it).
  if (e instanceof OperationFailed) return e.error;
  return { code: 'INTERNAL', message: { ru: `Не удалось показать PDF: ${String(e)}`, en: `Could not show the PDF: ${String(e)}` } };
}

export function usePdfActions(): PdfActions {
  const [pending, setPending] = useState<PdfAction>();
  const [error, setError] = useState<OperationError>();
  const [blocked, setBlocked] = useState(false);
  const [printing, setPrinting] = useState<{ done: number; total: number }>();
  const [preview, setPreview] = useState<StoredPdf>();
  const perform = useCallback(async (get: () => Promise<StoredPdf>, action: PdfAction) => {
    setPending(action);
    setError(undefined);
    setBlocked(false);
    try {
      const pdf = await get();
      if (action === 'open') setPreview(pdf);
      else if (action === 'window') setBlocked(!openPdf(pdf));
      else if (action === 'save') savePdf(pdf);
      else await printPdf(pdf, (done, total) => setPrinting({ done, total }));
    } catch (e) {
      setError(failure(e));
    } finally {
      setPending(undefined);
      setPrinting(undefined);
    }
  }, []);
  const run = useCallback((id: string, action: PdfAction) => perform(() => fetchPdf(id), action), [perform]);
  const act = useCallback((pdf: StoredPdf, action: PdfAction) => perform(() => Promise.resolve(pdf), action), [perform]);
  const closePreview = useCallback(() => setPreview(undefined), []);
  return { run, pending, error, blocked, printing, preview, act, closePreview };
}

/**
 * What the PDF actions show besides their buttons: print preparation progress, the pop-up
 * blocker note, and the preview dialog with its own window, save and print buttons (and, while
 * it is open, the refusals too: the screen's own error banner is behind the modal dialog).
 */
export function PdfActionsView({ pdf }: { pdf: PdfActions }) {
  const { t } = useTranslation();
  const notes = (
    <>
      {pdf.printing && (
        <span className="muted" role="status">
          {t('pdf.preparing', pdf.printing)}
        </span>
      )}
      {pdf.blocked && <div className="banner banner-warn">{t('documents.popupBlocked')}</div>}
    </>
  );
  if (!pdf.preview) return notes;
  const shown = pdf.preview;
  return createPortal(
    <PdfPreview
      pdf={shown}
      onClose={pdf.closePreview}
      notes={
        <>
          <ErrorBanner error={pdf.error} />
          {notes}
        </>
      }
    >
      <Button type="button" onClick={() => void pdf.act(shown, 'window')}>
        {t('pdf.openWindow')}
      </Button>
      <Button type="button" onClick={() => void pdf.act(shown, 'save')}>
        {t('documents.save')}
      </Button>
      <Button type="button" kind="primary" onClick={() => void pdf.act(shown, 'print')} pending={pdf.pending === 'print'}>
        {t('documents.print')}
      </Button>
    </PdfPreview>,
    document.body,
  );
}

/** Issues documents one after another, stopping at the first refusal; a single one is previewed. */
export function useIssueDocuments() {
  const issue = useMutation('documents.issue');
  const pdf = usePdfActions();
  const [issued, setIssued] = useState<DocumentRow[]>([]);
  const run = async (inputs: Record<string, unknown>[]) => {
    setIssued([]);
    const done: DocumentRow[] = [];
    for (const input of inputs) {
      const row = await issue.run(input);
      if (!row) break;
      done.push(row);
      setIssued([...done]);
    }
    // A single document is shown at once; a set is listed with its own Open buttons instead of
    // showing four documents one over another.
    if (done.length === 1 && inputs.length === 1) await pdf.run(done[0]!.id, 'open');
  };
  return { run, pending: issue.pending, error: issue.error ?? pdf.error, issued, pdf, clear: issue.clear };
}

/** «Выпущен …, версия …» for each issued document, with its Open button. */
export function IssuedNote({ issued, pdf }: { issued: DocumentRow[]; pdf: PdfActions }) {
  const { t } = useTranslation();
  if (issued.length === 0) return null;
  return (
    <div className="banner banner-ok" role="status">
      {issued.map((d) => (
        <div key={d.id} className="doc-issued">
          {t('documents.issued', { type: t(`documents.type.${d.type}`), number: d.number, version: d.version })}{' '}
          <Button type="button" onClick={() => void pdf.run(d.id, 'open')} pending={pdf.pending === 'open'} aria-label={t('documents.openNumber', { number: d.number })}>
            {t('documents.open')}
          </Button>
        </div>
      ))}
      <PdfActionsView pdf={pdf} />
    </div>
  );
}
