// What every place that issues or shows registered documents shares: running a PDF action
// (open, save, print) with its refusal kept for the screen, issuing with the PDF opened right
// away, and the note saying which number and version was issued.
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperationError } from '../../../main/contract/errors';
import type { OperationOutput } from '../../../main/contract/operations';
import { OperationFailed } from '../api/client';
import { useMutation } from '../api/hooks';
import { Button } from './forms';
import { fetchPdf, openPdf, printPdf, savePdf } from './documentPdf';

export type DocumentRow = OperationOutput<'documents.get'>['versions'][number];
export type PdfAction = 'open' | 'save' | 'print';

export interface PdfActions {
  run(id: string, action: PdfAction): Promise<void>;
  pending: PdfAction | undefined;
  error: OperationError | undefined;
  /** The last open was stopped by a pop-up blocker. */
  blocked: boolean;
}

export function usePdfActions(): PdfActions {
  const [pending, setPending] = useState<PdfAction>();
  const [error, setError] = useState<OperationError>();
  const [blocked, setBlocked] = useState(false);
  const run = useCallback(async (id: string, action: PdfAction) => {
    setPending(action);
    setError(undefined);
    setBlocked(false);
    try {
      const pdf = await fetchPdf(id);
      if (action === 'open') setBlocked(!openPdf(pdf));
      else if (action === 'save') savePdf(pdf);
      else printPdf(pdf);
    } catch (e) {
      // A refusal of the registry (e.g. NOT_FOUND: the PDF is stored on the PC that issued it).
      if (e instanceof OperationFailed) setError(e.error);
      else setError({ code: 'INTERNAL', message: { ru: `Не удалось показать PDF: ${String(e)}`, en: `Could not show the PDF: ${String(e)}` } });
    } finally {
      setPending(undefined);
    }
  }, []);
  return { run, pending, error, blocked };
}

/** Issues documents one after another, stopping at the first refusal; each issued PDF is opened. */
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
    // One window for a single document; a set is listed with its own Open buttons instead of
    // opening four windows at once (which pop-up blockers refuse anyway).
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
      {pdf.blocked && <div className="muted">{t('documents.popupBlocked')}</div>}
    </div>
  );
}
