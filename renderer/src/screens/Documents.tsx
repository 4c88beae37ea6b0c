// «Документы»: the registry of issued documents. Filter by type, status, number or subject; a
// selected document shows all versions of its number and, for those allowed, previewing in the
// app, opening in a window, saving, printing, voiding (with a reason) and reissuing it.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperationOutput } from '../../../main/contract/operations';
import { useMutation, useQuery } from '../api/hooks';
import { useSession } from '../app/App';
import { DataTable, Pager, type Column } from '../components/DataTable';
import { PdfActionsView, usePdfActions, type DocumentRow } from '../components/DocumentParts';
import { Button, ErrorBanner, Field, fieldError, SelectInput, TextInput } from '../components/forms';
import { dateTime } from '../format';
import { LangField, type Lang } from './documentIssue';

type Document = OperationOutput<'documents.get'>;

const PAGE = 100;
const TYPES = ['certificate', 'invoice', 'packing_list', 'vet_data', 'origin_application', 'recall'] as const;
const LANGS = ['ru', 'en', 'zh'] as const;

function DocStatus({ value }: { value: DocumentRow['status'] }) {
  const { t } = useTranslation();
  return <span className={`status status-${value === 'void' ? 'cancelled' : 'released'}`}>{t(`documents.status.${value}`)}</span>;
}

export function DocumentsScreen() {
  const { t } = useTranslation();
  const [type, setType] = useState('');
  const [status, setStatus] = useState('');
  const [number, setNumber] = useState('');
  const [subject, setSubject] = useState('');
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<string>();
  const filter = (set: (v: string) => void) => (v: string) => {
    set(v);
    setOffset(0);
  };
  const list = useQuery('documents.list', {
    ...(type ? { type } : {}),
    ...(status ? { status } : {}),
    ...(number.trim() ? { number: number.trim() } : {}),
    ...(subject.trim() ? { subject: subject.trim() } : {}),
    limit: PAGE,
    offset,
  });

  const columns: Column<DocumentRow>[] = [
    { key: 'number', header: t('documents.col.number'), width: '14rem', render: (d) => <span className="lp-mono">{d.number}</span> },
    { key: 'version', header: t('documents.col.version'), width: '4.5rem', align: 'right', render: (d) => d.version },
    { key: 'type', header: t('documents.col.type'), width: 'minmax(10rem, 1fr)', render: (d) => t(`documents.type.${d.type}`) },
    { key: 'subject', header: t('documents.col.subject'), width: 'minmax(8rem, 1fr)', render: (d) => d.subject },
    { key: 'lang', header: t('documents.col.lang'), width: '4rem', render: (d) => d.lang },
    { key: 'status', header: t('documents.col.status'), width: '8rem', render: (d) => <DocStatus value={d.status} /> },
    { key: 'issued', header: t('documents.col.issuedAt'), width: '9.5rem', render: (d) => dateTime(d.created_at) },
  ];

  return (
    <>
      <h1>{t('documents.title')}</h1>
      <div className="toolbar">
        <Field label={t('documents.filterType')}>
          {(id) => <SelectInput id={id} value={type} onChange={filter(setType)} placeholder={t('documents.allTypes')} options={TYPES.map((v) => ({ value: v, label: t(`documents.type.${v}`) }))} />}
        </Field>
        <Field label={t('documents.filterStatus')}>
          {(id) => (
            <SelectInput id={id} value={status} onChange={filter(setStatus)} placeholder={t('documents.allStatuses')} options={(['issued', 'void'] as const).map((v) => ({ value: v, label: t(`documents.status.${v}`) }))} />
          )}
        </Field>
        <Field label={t('documents.filterNumber')}>{(id) => <TextInput id={id} type="search" value={number} onChange={filter(setNumber)} maxLength={60} />}</Field>
        <Field label={t('documents.filterSubject')}>{(id) => <TextInput id={id} type="search" value={subject} onChange={filter(setSubject)} maxLength={60} />}</Field>
      </div>
      <ErrorBanner error={list.error} />
      <DataTable columns={columns} rows={list.data?.rows ?? []} rowKey={(d) => d.id} label={t('documents.listLabel')} onActivate={(d) => setSelected(d.id)} height={360} testId="documents-table" />
      {list.data && <Pager offset={offset} limit={PAGE} total={list.data.total} onChange={setOffset} />}
      {selected && <DocumentDetail id={selected} onSelect={setSelected} />}
    </>
  );
}

function DocumentDetail({ id, onSelect }: { id: string; onSelect(id: string): void }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const doc = useQuery('documents.get', { id });
  const pdf = usePdfActions();
  const [mode, setMode] = useState<'idle' | 'void' | 'reissue'>('idle');
  const d = doc.data;

  const versionColumns: Column<DocumentRow>[] = [
    { key: 'version', header: t('documents.col.version'), width: '4.5rem', align: 'right', render: (v) => v.version },
    { key: 'lang', header: t('documents.col.lang'), width: '4rem', render: (v) => v.lang },
    { key: 'status', header: t('documents.col.status'), width: '8rem', render: (v) => <DocStatus value={v.status} /> },
    { key: 'issued', header: t('documents.col.issuedAt'), width: '9.5rem', render: (v) => dateTime(v.created_at) },
    { key: 'reason', header: t('documents.col.voidReason'), width: 'minmax(6rem, 1fr)', render: (v) => v.void_reason ?? '' },
    { key: 'sha', header: 'SHA-256', width: 'minmax(6rem, 1fr)', render: (v) => <span className="lp-mono" title={v.sha256}>{v.sha256.slice(0, 16)}…</span> },
  ];

  if (!d) return doc.error ? <ErrorBanner error={doc.error} /> : <div className="muted">{t('app.loading')}</div>;
  // A number whose latest version is void cannot be reissued (the registry refuses it too).
  const latest = d.versions.reduce((a, b) => (b.version > a.version ? b : a), d);
  return (
    <section className="card" aria-labelledby="document-title">
      <h2 id="document-title">
        {t('documents.detailTitle', { type: t(`documents.type.${d.type}`), number: d.number, version: d.version })} <DocStatus value={d.status} />
      </h2>
      <p>
        {t('documents.col.subject')}: <strong>{d.subject}</strong>
        {d.void_reason && <> · {t('documents.voidNote', { reason: d.void_reason })}</>}
      </p>
      <div className="toolbar">
        <Button type="button" kind="primary" onClick={() => void pdf.run(d.id, 'open')} pending={pdf.pending === 'open'}>
          {t('documents.open')}
        </Button>
        <Button type="button" onClick={() => void pdf.run(d.id, 'window')} pending={pdf.pending === 'window'}>
          {t('pdf.openWindow')}
        </Button>
        <Button type="button" onClick={() => void pdf.run(d.id, 'save')} pending={pdf.pending === 'save'}>
          {t('documents.save')}
        </Button>
        <Button type="button" onClick={() => void pdf.run(d.id, 'print')} pending={pdf.pending === 'print'}>
          {t('documents.print')}
        </Button>
        {can('documents.void') && d.status === 'issued' && (
          <Button type="button" kind="danger" aria-expanded={mode === 'void'} onClick={() => setMode(mode === 'void' ? 'idle' : 'void')}>
            {t('documents.void')}
          </Button>
        )}
        {can('documents.issue') && latest.status === 'issued' && (
          <Button type="button" aria-expanded={mode === 'reissue'} onClick={() => setMode(mode === 'reissue' ? 'idle' : 'reissue')}>
            {t('documents.reissue')}
          </Button>
        )}
      </div>
      <ErrorBanner error={pdf.error} />
      <PdfActionsView pdf={pdf} />
      {mode === 'void' && <VoidForm doc={d} onDone={() => setMode('idle')} />}
      {mode === 'reissue' && (
        <ReissueForm
          doc={latest}
          onDone={(row) => {
            setMode('idle');
            onSelect(row.id);
            void pdf.run(row.id, 'open');
          }}
        />
      )}
      <h3>{t('documents.versionsTitle')}</h3>
      <DataTable
        columns={versionColumns}
        rows={[...d.versions].sort((a, b) => b.version - a.version)}
        rowKey={(v) => v.id}
        label={t('documents.versionsLabel', { number: d.number })}
        onActivate={(v) => onSelect(v.id)}
        height={Math.min(200, d.versions.length * 36 + 4)}
      />
    </section>
  );
}

function VoidForm({ doc, onDone }: { doc: Document; onDone(): void }) {
  const { t, i18n } = useTranslation();
  const voiding = useMutation('documents.void');
  const [reason, setReason] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await voiding.run({ id: doc.id, reason })) onDone();
  };
  return (
    <form className="card" onSubmit={submit} aria-label={t('documents.void')}>
      <Field label={t('documents.voidReason')} error={fieldError(voiding.error, 'reason', i18n.language)} wide>
        {(id) => <textarea id={id} value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={500} required autoFocus />}
      </Field>
      <ErrorBanner error={voiding.error} shownFields={['reason']} />
      <div className="actions">
        <Button type="button" onClick={onDone}>
          {t('documents.back')}
        </Button>
        <Button kind="danger" type="submit" pending={voiding.pending} disabled={reason.trim() === ''}>
          {t('documents.voidConfirm', { number: doc.number, version: doc.version })}
        </Button>
      </div>
    </form>
  );
}

/**
 * A new version of the number from the current data, in the language chosen. The options of the
 * latest version (an invoice's prices and terms, a signatory) are kept by the document service.
 */
function ReissueForm({ doc, onDone }: { doc: DocumentRow; onDone(row: DocumentRow): void }) {
  const { t, i18n } = useTranslation();
  const reissue = useMutation('documents.reissue');
  const [lang, setLang] = useState<Lang>(doc.lang as Lang);
  const langs = doc.type === 'recall' ? LANGS.filter((l) => l !== 'zh') : LANGS;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const row = await reissue.run({ id: doc.id, lang });
    if (row) onDone(row);
  };
  return (
    <form className="card" onSubmit={submit} aria-label={t('documents.reissue')}>
      <LangField value={lang} onChange={setLang} error={fieldError(reissue.error, 'lang', i18n.language)} langs={langs} />
      <ErrorBanner error={reissue.error} shownFields={['lang']} />
      <div className="actions">
        <Button type="submit" kind="primary" pending={reissue.pending}>
          {t('documents.reissueConfirm', { number: doc.number, version: doc.version + 1 })}
        </Button>
      </div>
    </form>
  );
}
