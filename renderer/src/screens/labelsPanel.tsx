// «Этикетки»: N carton or pallet labels of a lot, where the lot is (its card, the batch that made
// it). Rendered by `labels.render` with its job's progress; then either a PDF to open, save or
// print through the system dialog, or ZPL sent to a label printer of this PC, followed by its
// print job's events until it is done.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrintJob } from '../../../main/contract/devices';
import type { OperationOutput } from '../../../main/contract/operations';
import { useDeviceEvent, useDevices } from '../api/devices';
import { useJobProgress, useMutation } from '../api/hooks';
import { PdfActionsView, usePdfActions } from '../components/DocumentParts';
import type { StoredPdf } from '../components/documentPdf';
import { blobOfBase64 } from '../components/download';
import { Button, ErrorBanner, Field, fieldError, TextInput } from '../components/forms';

type Rendered = OperationOutput<'labels.render'>;
type Kind = 'carton' | 'pallet';

/**
 * PDF page sizes (mm) offered: those a China carton label fits on one page (100 × 150, A6,
 * 4 × 6 in); a smaller page would continue each label on a second. ZPL takes its printer's size.
 */
const SIZES = ['100x150', '105x148', '101.6x152.4'] as const;
const FIELDS = ['lot', 'kind', 'count', 'netG', 'companyPrefix', 'serial', 'widthMm', 'heightMm', 'printer'];

/** The labels of one of `lots` (the lot card passes one, a batch its output lots). */
export function LabelsPanel({ lots }: { lots: readonly string[] }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [lot, setLot] = useState(lots[0] ?? '');
  const [kind, setKind] = useState<Kind>('carton');
  const [count, setCount] = useState('10');
  const [size, setSize] = useState<(typeof SIZES)[number]>('100x150');
  const [netKg, setNetKg] = useState('');
  const [prefix, setPrefix] = useState('');
  const [serial, setSerial] = useState('1');
  const render = useMutation('labels.render');
  const print = useMutation('printers.print');
  // Only this panel's own call: other windows render on the same channel.
  const { progress: rendering, setProgress: setRendering, begin, end } = useJobProgress();
  const [pdf, setPdf] = useState<StoredPdf>();
  const [printing, setPrinting] = useState<PrintJob>();
  const actions = usePdfActions();
  const printers = useDevices('printer').rows.filter((d) => d.protocol === 'zpl' && d.active === 1);

  // A quick printer may report the job before printers.print answers: the latest event of each job is kept.
  const jobEvents = useRef(new Map<string, PrintJob>());
  useDeviceEvent('device.printJob', (j) => {
    jobEvents.current.set(j.id, j);
    setPrinting((mine) => (mine && mine.id === j.id ? j : mine));
  });
  useEffect(() => {
    if (!lots.includes(lot)) setLot(lots[0] ?? '');
  }, [lots, lot]);

  const input = (format: 'pdf' | 'zpl', printer?: string) => {
    const [widthMm, heightMm] = size.split('x').map(Number);
    const netG = netKg.trim() === '' ? undefined : Math.round(Number(netKg.replace(',', '.')) * 1000);
    return {
      lot,
      kind,
      count: Number(count),
      format,
      ...(format === 'pdf' ? { widthMm, heightMm } : { printer }),
      ...(kind === 'carton' && netG !== undefined ? { netG } : {}),
      ...(kind === 'pallet' ? { companyPrefix: prefix.trim(), serial: Number(serial) } : {}),
    };
  };

  const run = async (format: 'pdf' | 'zpl', printer?: string): Promise<Rendered | undefined> => {
    const job = begin();
    setPdf(undefined);
    setPrinting(undefined);
    print.clear();
    setRendering({ done: 0, total: Number(count) || 0 });
    const out = await render.run({ ...input(format, printer), job });
    end();
    // The result may arrive before the last progress event (HTTP vs WebSocket): it is the end.
    setRendering(out ? { done: out.count, total: out.count } : undefined);
    return out;
  };
  const makePdf = async () => {
    const out = await run('pdf');
    if (out?.pdf_base64) setPdf({ blob: blobOfBase64(out.pdf_base64, 'application/pdf'), fileName: `labels-${out.lot}-${out.kind}-${out.count}.pdf` });
  };
  const printOn = async (device: string, name: string) => {
    const out = await run('zpl', device);
    if (!out?.zpl) return;
    const queued = await print.run({ device, title: t('labels.jobTitle', { lot: out.lot, count: out.count, printer: name }), data: out.zpl });
    if (queued) setPrinting(jobEvents.current.get(queued.id) ?? queued);
  };

  const busy = render.pending || print.pending;
  return (
    <section className="doc-issue labels-panel" aria-label={t('labels.title')}>
      <h3>{t('labels.title')}</h3>
      <div className="toolbar">
        {lots.length > 1 && (
          <Field label={t('labels.lot')} error={fieldError(render.error, 'lot', lang)}>
            {(id) => (
              <select id={id} value={lot} onChange={(e) => setLot(e.target.value)}>
                {lots.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field label={t('labels.kind')}>
          {(id) => (
            <select id={id} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              <option value="carton">{t('labels.carton')}</option>
              <option value="pallet">{t('labels.pallet')}</option>
            </select>
          )}
        </Field>
        <Field label={t('labels.count')} error={fieldError(render.error, 'count', lang)}>
          {(id) => <TextInput id={id} value={count} onChange={setCount} inputMode="numeric" autoComplete="off" size={6} />}
        </Field>
        {kind === 'carton' ? (
          <Field label={t('labels.netKg')} error={fieldError(render.error, 'netG', lang)} hint={t('labels.netHint')}>
            {(id) => <TextInput id={id} value={netKg} onChange={setNetKg} inputMode="decimal" autoComplete="off" size={8} />}
          </Field>
        ) : (
          <>
            <Field label={t('labels.companyPrefix')} error={fieldError(render.error, 'companyPrefix', lang)}>
              {(id) => <TextInput id={id} value={prefix} onChange={setPrefix} inputMode="numeric" autoComplete="off" maxLength={10} size={11} />}
            </Field>
            <Field label={t('labels.serial')} error={fieldError(render.error, 'serial', lang)}>
              {(id) => <TextInput id={id} value={serial} onChange={setSerial} inputMode="numeric" autoComplete="off" size={10} />}
            </Field>
          </>
        )}
        <Field label={t('labels.size')}>
          {(id) => (
            <select id={id} value={size} onChange={(e) => setSize(e.target.value as (typeof SIZES)[number])}>
              {SIZES.map((s) => (
                <option key={s} value={s}>
                  {t('labels.sizeMm', { size: s.replace('x', ' × ') })}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="toolbar">
        <Button kind="primary" type="button" onClick={() => void makePdf()} disabled={busy || !lot}>
          {t('labels.pdf')}
        </Button>
        {printers.map((p) => (
          <Button key={p.code} type="button" onClick={() => void printOn(p.code, p.name)} disabled={busy || !lot}>
            {t('labels.printOn', { printer: p.name })}
          </Button>
        ))}
      </div>
      <ErrorBanner error={render.error ?? print.error} shownFields={FIELDS} />
      {rendering && <Bar label={t('labels.rendering')} text={t('labels.progress', { ...rendering })} value={rendering.done} max={rendering.total} />}
      {pdf && (
        <div className="toolbar" role="group" aria-label={t('labels.pdfReady')}>
          <span>{t('labels.pdfReady')}</span>
          <Button type="button" onClick={() => void actions.act(pdf, 'open')}>
            {t('labels.open')}
          </Button>
          <Button type="button" onClick={() => void actions.act(pdf, 'save')}>
            {t('labels.save')}
          </Button>
          <Button type="button" onClick={() => void actions.act(pdf, 'print')} pending={actions.pending === 'print'}>
            {t('labels.print')}
          </Button>
        </div>
      )}
      <ErrorBanner error={actions.error} />
      <PdfActionsView pdf={actions} />
      {printing && <PrintJobBar job={printing} />}
    </section>
  );
}

function Bar({ label, text, value, max }: { label: string; text: string; value: number; max: number }) {
  return (
    <div className="toolbar" role="status">
      <progress aria-label={label} style={{ flex: '1 1 16rem' }} {...(max > 0 ? { value, max } : {})} />
      <span>{text}</span>
    </div>
  );
}

/** A label printer reports its job as queued, sending, then done (or failed / cancelled with a fault). */
function PrintJobBar({ job }: { job: PrintJob }) {
  const { t, i18n } = useTranslation();
  const finished = job.state === 'done';
  const running = job.state === 'queued' || job.state === 'sending';
  const fault = job.fault ? job.fault.message[i18n.language === 'en' ? 'en' : 'ru'] : '';
  return (
    <div className="toolbar" role="status" data-print-state={job.state}>
      <progress aria-label={t('labels.printing')} style={{ flex: '1 1 16rem' }} {...(running ? {} : { value: finished ? 1 : 0, max: 1 })} />
      <span>{t(`labels.job.${job.state}`, { title: job.title })}</span>
      {fault && <span className="error">{fault}</span>}
    </div>
  );
}
