// «Обмен с 1С»: the period's stock documents as one EnterpriseData file for 1C. Pick the days,
// export (the progress comes from the export's own job.progress events), save the file; every
// export stays in the history, where its objects can be looked at and its file saved again.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Export1cObjectRow, Export1cObjectType } from '../../../main/contract/entities';
import type { OperationOutput } from '../../../main/contract/operations';
import { useJobProgress, useMutation, useQuery } from '../api/hooks';
import { DataTable, Pager, type Column } from '../components/DataTable';
import { blobOfBase64, saveBlob } from '../components/download';
import { Button, ErrorBanner, Field, fieldError, TextInput } from '../components/forms';
import { date, dateTime, fromDateInput, toDateInput } from '../format';

type Export = OperationOutput<'exports.1c'>;
type Period = { from: string; to: string };

const PAGE = 100;

/** Word keys of the 1C object types, in the message's order. */
const TYPE_KEYS: Record<Export1cObjectType, string> = {
  'Справочник.Номенклатура': 'items',
  'Справочник.СерииНоменклатуры': 'lots',
  'Документ.ПоступлениеТоваровУслуг': 'receipts',
  'Документ.ВыпускПродукции': 'outputs',
  'Документ.ПередачаМатериаловВПроизводство': 'consumptions',
  'Документ.ПеремещениеТоваров': 'moves',
  'Документ.РеализацияТоваровУслуг': 'sales',
};

/** A calendar month of the PC's time zone, `offset` months from this one, first to last day. */
function month(offset: number): Period {
  const now = new Date();
  return {
    from: toDateInput(new Date(now.getFullYear(), now.getMonth() + offset, 1).getTime()),
    to: toDateInput(new Date(now.getFullYear(), now.getMonth() + offset + 1, 0).getTime()),
  };
}

const day = (value: string) => date(fromDateInput(value));

export function Exchange1cScreen() {
  const { t } = useTranslation();
  const [selected, setSelected] = useState<string>();
  const [offset, setOffset] = useState(0);
  const history = useQuery('exports.list', { limit: PAGE, offset });

  const columns: Column<Export>[] = [
    { key: 'period', header: t('exchange1c.col.period'), width: 'minmax(12rem, 1fr)', render: (e) => `${day(e.period_from)} — ${day(e.period_to)}` },
    { key: 'when', header: t('exchange1c.col.when'), width: '9.5rem', render: (e) => dateTime(e.created_at) },
    { key: 'who', header: t('exchange1c.col.who'), width: 'minmax(8rem, 1fr)', render: (e) => e.exported_by_name ?? '—' },
    { key: 'objects', header: t('exchange1c.col.objects'), width: '6rem', align: 'right', render: (e) => e.objects },
    { key: 'size', header: t('exchange1c.col.size'), width: '7rem', align: 'right', render: (e) => <FileSize bytes={e.bytes} /> },
  ];

  return (
    <>
      <h1>{t('exchange1c.title')}</h1>
      <p className="muted">{t('exchange1c.intro')}</p>
      <ExportForm onExported={(e) => setSelected(e.id)} />
      <h2>{t('exchange1c.historyTitle')}</h2>
      <ErrorBanner error={history.error} />
      <DataTable columns={columns} rows={history.data?.rows ?? []} rowKey={(e) => e.id} label={t('exchange1c.historyLabel')} onActivate={(e) => setSelected(e.id)} height={260} testId="exports-table" />
      {history.data && <Pager offset={offset} limit={PAGE} total={history.data.total} onChange={setOffset} />}
      {selected && <ExportDetail key={selected} id={selected} />}
    </>
  );
}

/** The period, the export button and, while it runs, its progress; then the result. */
function ExportForm({ onExported }: { onExported(row: Export): void }) {
  const { t, i18n } = useTranslation();
  const [period, setPeriod] = useState<Period>(() => month(-1));
  const exporting = useMutation('exports.1c');
  const { progress, setProgress, begin, end } = useJobProgress();
  const [result, setResult] = useState<Export>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const job = begin();
    setResult(undefined);
    setProgress({ done: 0, total: 0 });
    const row = await exporting.run({ ...period, job });
    end();
    if (!row) {
      setProgress(undefined);
      return;
    }
    // The result may arrive before the last progress event (HTTP vs WebSocket): it is the end.
    setProgress(row.objects > 0 ? { done: row.objects, total: row.objects } : undefined);
    setResult(row);
    onExported(row);
  };
  const choose = (p: Period) => {
    setPeriod(p);
    exporting.clear();
  };

  return (
    <form className="card" onSubmit={submit} aria-label={t('exchange1c.periodLabel')}>
      <div className="toolbar">
        <Field label={t('exchange1c.from')} error={fieldError(exporting.error, 'from', i18n.language)}>
          {(id) => <TextInput id={id} type="date" value={period.from} onChange={(from) => choose({ ...period, from })} required />}
        </Field>
        <Field label={t('exchange1c.to')} error={fieldError(exporting.error, 'to', i18n.language)}>
          {(id) => <TextInput id={id} type="date" value={period.to} onChange={(to) => choose({ ...period, to })} required />}
        </Field>
        <Button type="button" onClick={() => choose(month(-1))}>
          {t('exchange1c.previousMonth')}
        </Button>
        <Button type="button" onClick={() => choose(month(0))}>
          {t('exchange1c.thisMonth')}
        </Button>
        <Button type="submit" kind="primary" pending={exporting.pending}>
          {t('exchange1c.export')}
        </Button>
      </div>
      <ErrorBanner error={exporting.error} shownFields={['from', 'to']} />
      {progress && <ExportProgress {...progress} />}
      {result && <ExportResult row={result} />}
    </form>
  );
}

function ExportProgress({ done, total }: { done: number; total: number }) {
  const { t } = useTranslation();
  // Until the period is read the total is unknown: an indeterminate bar.
  const known = total > 0;
  return (
    <div className="toolbar">
      <progress aria-label={t('exchange1c.progressLabel')} style={{ flex: '1 1 20rem' }} {...(known ? { value: done, max: total } : {})} />
      <span className="muted" role="status">
        {known ? t('exchange1c.progress', { done, total }) : t('exchange1c.reading')}
      </span>
    </div>
  );
}

function ExportResult({ row }: { row: Export }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="export-result-title">
      <h3 id="export-result-title">{t('exchange1c.doneTitle', { from: day(row.period_from), to: day(row.period_to) })}</h3>
      <ExportFacts row={row} />
      {row.counts && <Counts counts={row.counts} />}
    </section>
  );
}

/** File name, size and SHA-256 of an export, with the button that saves its file. */
function ExportFacts({ row }: { row: Export }) {
  const { t } = useTranslation();
  const file = useMutation('exports.file');
  const save = async () => {
    const stored = await file.run({ id: row.id });
    if (stored) saveBlob(blobOfBase64(stored.xml_base64, 'application/xml'), stored.file_name);
  };
  return (
    <>
      <dl className="qc-facts">
        <dt>{t('exchange1c.file')}</dt>
        <dd className="lp-mono">{row.file_name}</dd>
        <dt>{t('exchange1c.size')}</dt>
        <dd>
          <FileSize bytes={row.bytes} exact />
        </dd>
        <dt>{t('exchange1c.objects')}</dt>
        <dd>{row.objects}</dd>
        <dt>SHA-256</dt>
        <dd className="lp-mono" data-testid="export-sha256">
          {row.sha256}
        </dd>
      </dl>
      <div className="actions">
        <Button type="button" onClick={() => void save()} pending={file.pending} aria-label={t('exchange1c.saveNamed', { name: row.file_name })}>
          {t('exchange1c.save')}
        </Button>
      </div>
      <ErrorBanner error={file.error} />
    </>
  );
}

function Counts({ counts }: { counts: NonNullable<Export['counts']> }) {
  const { t } = useTranslation();
  return (
    <table className="dv-table" aria-label={t('exchange1c.countsLabel')}>
      <thead>
        <tr>
          <th>{t('exchange1c.col.type')}</th>
          <th className="num">{t('exchange1c.col.count')}</th>
        </tr>
      </thead>
      <tbody>
        {(Object.keys(TYPE_KEYS) as Export1cObjectType[]).map((type) => (
          <tr key={type}>
            <td title={type}>{t(`exchange1c.type.${TYPE_KEYS[type]}`)}</td>
            <td className="num">{counts[type]}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A past export: its facts, the file to save again, and the objects it carried. */
function ExportDetail({ id }: { id: string }) {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const detail = useQuery('exports.get', { id, limit: PAGE, offset });
  const d = detail.data;
  if (!d) return detail.error ? <ErrorBanner error={detail.error} /> : <div className="muted">{t('app.loading')}</div>;

  const columns: Column<Export1cObjectRow>[] = [
    { key: 'type', header: t('exchange1c.col.type'), width: 'minmax(12rem, 1fr)', render: (o) => <span title={o.object_type}>{t(`exchange1c.type.${TYPE_KEYS[o.object_type]}`)}</span> },
    { key: 'label', header: t('exchange1c.col.label'), width: 'minmax(10rem, 1fr)', render: (o) => <span className="lp-mono">{o.label}</span> },
    { key: 'guid', header: t('exchange1c.col.guid'), width: '22rem', render: (o) => <span className="lp-mono">{o.guid}</span> },
  ];
  return (
    <section className="card" aria-labelledby="export-detail-title">
      <h2 id="export-detail-title">{t('exchange1c.detailTitle', { from: day(d.period_from), to: day(d.period_to) })}</h2>
      <p className="muted">
        {dateTime(d.created_at)} · {d.exported_by_name ?? '—'}
      </p>
      <ExportFacts row={d} />
      {d.counts === null ? (
        <p className="muted">{t('exchange1c.elsewhere')}</p>
      ) : (
        <>
          <DataTable columns={columns} rows={d.contents.rows} rowKey={(o) => o.guid} label={t('exchange1c.detailObjectsLabel')} height={Math.min(360, d.contents.rows.length * 36 + 40)} />
          <Pager offset={offset} limit={PAGE} total={d.contents.total} onChange={setOffset} />
        </>
      )}
    </section>
  );
}

function FileSize({ bytes, exact = false }: { bytes: number; exact?: boolean }) {
  const { t, i18n } = useTranslation();
  const number = (n: number, digits: number) => n.toLocaleString(i18n.language === 'en' ? 'en-GB' : 'ru-RU', { maximumFractionDigits: digits });
  const kb = t('exchange1c.kb', { value: number(bytes / 1024, 1) });
  return <>{exact ? t('exchange1c.sizeExact', { kb, bytes: number(bytes, 0) }) : kb}</>;
}
