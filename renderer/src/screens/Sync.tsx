// «Синхронизация»: how this PC's replication with headquarters stands (for everyone), a run on
// demand with its progress (the run's own job.progress events), and for administrators the
// headquarters address, access key and schedule, and the conflicts the exchanges recorded.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperationOutput, SyncStatusView } from '../../../main/contract/operations';
import { useJobProgress, useMutation, useQuery, type Progress } from '../api/hooks';
import { useSession } from '../app/App';
import { DataTable, Pager, type Column } from '../components/DataTable';
import { Button, ErrorBanner, Field, fieldError, TextInput } from '../components/forms';
import { useAgo, useSyncStatus } from '../components/syncStatus';
import { dateTime } from '../format';

type Report = OperationOutput<'sync.run'>;
type Conflict = OperationOutput<'sync.conflicts'>['rows'][number];

const PAGE = 100;
/** The job name of the exchanges the sync service starts by itself (timer, reconnect). */
const BACKGROUND_JOB = 'sync';

function useNumber(): (n: number) => string {
  const { i18n } = useTranslation();
  return (n) => n.toLocaleString(i18n.language === 'en' ? 'en-GB' : 'ru-RU');
}

export function SyncScreen() {
  const { t } = useTranslation();
  const { can } = useSession();
  const { status, error, reload } = useSyncStatus();
  const admin = can('sync.manage');

  return (
    <>
      <h1>{t('sync.title')}</h1>
      <p className="muted sy-intro">{t('sync.intro')}</p>
      {status?.update_required && (
        <div className="banner banner-warn sy-update" role="alert" data-testid="sync-update-required">
          {t('sync.updateRequired')}
        </div>
      )}
      <ErrorBanner error={error} />
      {status ? <StatusPanel status={status} /> : !error && <div className="muted">{t('app.loading')}</div>}
      {status && <RunPanel onFinished={reload} />}
      {admin ? (
        <>
          {status && <SettingsForm status={status} onSaved={reload} />}
          <Conflicts />
        </>
      ) : (
        <p className="muted">{t('sync.adminOnly')}</p>
      )}
    </>
  );
}

/** What everyone sees: the server, when it last worked, what waits, the totals and the last error. */
function StatusPanel({ status }: { status: SyncStatusView }) {
  const { t, i18n } = useTranslation();
  const { now } = useSyncStatus();
  const ago = useAgo();
  const number = useNumber();
  const error = status.last_error;
  return (
    <section className="card sy-status" aria-label={t('sync.statusLabel')}>
      <div className="kpis">
        <div className="kpi" data-testid="sync-last-success">
          <div className="muted">{t('sync.lastSuccess')}</div>
          <div className="value sy-when">{status.last_success_at === null ? t('sync.never') : dateTime(status.last_success_at)}</div>
          {status.last_success_at !== null && <div className="muted">{ago(status.last_success_at, now)}</div>}
        </div>
        <div className={`kpi${status.pending_changes > 0 && (error || status.update_required) ? ' sy-kpi-warn' : ''}`} data-testid="sync-pending">
          <div className="muted">{t('sync.waiting')}</div>
          <div className="value">{number(status.pending_changes)}</div>
        </div>
        <div className="kpi" data-testid="sync-sent">
          <div className="muted">{t('sync.sentTotal')}</div>
          <div className="value">{number(status.pushed_total)}</div>
        </div>
        <div className="kpi" data-testid="sync-received">
          <div className="muted">{t('sync.receivedTotal')}</div>
          <div className="value">{number(status.pulled_total)}</div>
        </div>
      </div>
      <dl className="qc-facts sy-facts">
        <dt>{t('sync.server')}</dt>
        <dd className="lp-mono" data-testid="sync-server">
          {status.hq_url ?? <span className="muted">{t('sync.notSet')}</span>}
        </dd>
        <dt>{t('sync.interval')}</dt>
        <dd>{status.interval_min === 0 ? t('sync.manualOnly') : t('sync.everyMinutes', { n: status.interval_min })}</dd>
        <dt>{t('sync.lastAttempt')}</dt>
        <dd>{status.last_attempt_at === null ? t('sync.never') : dateTime(status.last_attempt_at)}</dd>
        <dt>{t('sync.conflictsTotal')}</dt>
        <dd>{number(status.conflicts)}</dd>
      </dl>
      {!status.configured && <p className="muted">{t('sync.notConfigured')}</p>}
      {error && (
        <div className="banner banner-error sy-last-error" data-testid="sync-last-error">
          <div className="sy-last-error-head">
            {t('sync.lastError', { at: dateTime(error.at) })} · <span className="lp-mono">{error.code}</span>
          </div>
          <div>{i18n.language === 'en' ? error.message.en : error.message.ru}</div>
        </div>
      )}
    </section>
  );
}

/** «Синхронизировать сейчас»: the run, its progress while it goes, then its result or its error. */
function RunPanel({ onFinished }: { onFinished(): void }) {
  const { t, i18n } = useTranslation();
  const number = useNumber();
  const { live, running: busy } = useSyncStatus();
  const run = useMutation('sync.run');
  // This window's run: other windows' runs report on the same channel. A run already going
  // (the timer's) is the one a request joins, so its progress is followed too while waiting.
  const { progress, setProgress, begin, end } = useJobProgress(BACKGROUND_JOB);
  const [report, setReport] = useState<Report>();

  const start = async (event: FormEvent) => {
    event.preventDefault();
    const job = begin();
    setReport(undefined);
    setProgress(undefined);
    const result = await run.run({ job });
    end();
    setProgress(undefined);
    if (result) setReport(result);
    onFinished();
  };

  const shown = run.pending ? progress : undefined;
  return (
    <form className="card sy-run" onSubmit={start} aria-label={t('sync.runLabel')}>
      <div className="toolbar">
        <Button type="submit" kind="primary" pending={run.pending} disabled={busy && !run.pending}>
          {t('sync.run')}
        </Button>
        {!run.pending && busy && live && <span className="muted">{t('sync.backgroundRunning')}</span>}
      </div>
      {run.pending && <RunProgress progress={shown} />}
      {!run.pending && busy && live && <RunProgress progress={live} />}
      <ErrorBanner error={run.error} />
      {report && !run.pending && (
        <div className="banner banner-ok sy-report" role="status" data-testid="sync-report">
          <strong>{t('sync.doneTitle', { seconds: (report.ms / 1000).toLocaleString(i18n.language === 'en' ? 'en-GB' : 'ru-RU', { maximumFractionDigits: 1 }) })}</strong>{' '}
          {t('sync.report', { pushed: number(report.pushed), pulled: number(report.pulled), pending: number(report.pending) })}
          {report.conflicts > 0 && <> {t('sync.reportConflicts', { n: number(report.conflicts) })}</>}
          {report.deferred > 0 && <> {t('sync.reportDeferred', { n: number(report.deferred) })}</>}
          {report.refused > 0 && <> {t('sync.reportRefused', { n: number(report.refused) })}</>}
        </div>
      )}
    </form>
  );
}

function RunProgress({ progress }: { progress: Progress | undefined }) {
  const { t } = useTranslation();
  const number = useNumber();
  const [, tick] = useState(0);
  // The rate counts from the run's start: refresh it between events too.
  useEffect(() => {
    const timer = window.setInterval(() => tick((n) => n + 1), 1000);
    return () => window.clearInterval(timer);
  }, []);
  const counts = progress?.counts ?? {};
  // Everything sent: headquarters is being asked for this PC's data, how much is not known yet.
  const asking = progress?.phase === 'push' && progress.done >= progress.total;
  const phase = asking ? 'pull' : progress?.phase;
  const known = progress !== undefined && !asking && progress.total > 0;
  const pushed = counts.pushed ?? 0;
  const pulled = counts.pulled ?? 0;
  const started = counts.started_at;
  const seconds = started ? (Date.now() - started) / 1000 : 0;
  const rate = seconds >= 0.5 && pushed + pulled > 0 ? Math.round((pushed + pulled) / seconds) : undefined;
  return (
    <div className="sy-progress" data-testid="sync-progress">
      <div className="toolbar">
        <span className="sy-phase">{phase ? t(`sync.phase.${phase}`, { defaultValue: phase }) : t('sync.starting')}</span>
        <progress aria-label={t('sync.progressLabel')} style={{ flex: '1 1 20rem' }} {...(known ? { value: progress.done, max: progress.total } : {})} />
      </div>
      <span className="muted" role="status">
        {progress ? t('sync.counts', { pushed: number(pushed), pushTotal: number(counts.push_total ?? 0), pulled: number(pulled) }) : t('sync.starting')}
        {rate !== undefined && <> · {t('sync.rate', { rate: number(rate) })}</>}
      </span>
    </div>
  );
}

/** Address, key and schedule of this PC (sync.manage). The key is never shown: empty keeps it. */
function SettingsForm({ status, onSaved }: { status: SyncStatusView; onSaved(): void }) {
  const { t, i18n } = useTranslation();
  const configure = useMutation('sync.configure');
  const [url, setUrl] = useState(status.hq_url ?? '');
  const [token, setToken] = useState('');
  const [interval, setMinutes] = useState(String(status.interval_min));
  const [saved, setSaved] = useState(false);
  // Settings changed elsewhere (another window) show here unless the user is editing them.
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    if (dirty) return;
    setUrl(status.hq_url ?? '');
    setMinutes(String(status.interval_min));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [status.hq_url, status.interval_min]);
  const lang = i18n.language;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const minutes = interval.trim() === '' ? null : Number(interval);
    const result = await configure.run({
      hq_url: url.trim() === '' ? null : url.trim(),
      ...(token.trim() !== '' ? { token: token.trim() } : {}),
      interval_min: minutes,
    });
    if (!result) return;
    setToken('');
    setDirty(false);
    setSaved(true);
    onSaved();
  };
  const edit = (set: (v: string) => void) => (value: string) => {
    set(value);
    setDirty(true);
    setSaved(false);
  };

  return (
    <form className="card sy-settings" onSubmit={submit} aria-label={t('sync.settingsLabel')}>
      <h2>{t('sync.settingsTitle')}</h2>
      <div className="sy-settings-grid">
        <Field label={t('sync.hqUrl')} error={fieldError(configure.error, 'hq_url', lang)} hint={t('sync.hqUrlHint')}>
          {(id) => <TextInput id={id} value={url} onChange={edit(setUrl)} inputMode="url" autoComplete="off" spellCheck={false} placeholder="https://hq.example.ru:8443" />}
        </Field>
        <Field label={t('sync.token')} error={fieldError(configure.error, 'token', lang)} hint={t('sync.tokenHint')}>
          {(id) => (
            <TextInput id={id} type="password" value={token} onChange={edit(setToken)} autoComplete="new-password" placeholder={status.has_token ? t('sync.tokenStored') : t('sync.tokenNew')} />
          )}
        </Field>
        <Field label={t('sync.intervalMin')} error={fieldError(configure.error, 'interval_min', lang)} hint={t('sync.intervalHint')}>
          {(id) => <TextInput id={id} type="number" min={0} max={1440} step={1} value={interval} onChange={edit(setMinutes)} />}
        </Field>
      </div>
      <ErrorBanner error={configure.error} shownFields={['hq_url', 'token', 'interval_min']} />
      {saved && (
        <div className="banner banner-ok" role="status">
          {t('sync.saved')}
        </div>
      )}
      <div className="actions">
        <Button type="submit" kind="primary" pending={configure.pending}>
          {t('sync.save')}
        </Button>
      </div>
    </form>
  );
}

/** Versions lost at headquarters and rows refused here, newest first (sync.manage). */
function Conflicts() {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const conflicts = useQuery('sync.conflicts', { limit: PAGE, offset });
  const rows = conflicts.data?.rows ?? [];
  const columns: Column<Conflict>[] = [
    { key: 'at', header: t('sync.col.at'), width: '9.5rem', render: (c) => dateTime(c.at) },
    { key: 'side', header: t('sync.col.side'), width: 'minmax(14rem, 1.4fr)', render: (c) => <span title={c.side}>{t(`sync.side.${c.side}`, { defaultValue: c.side })}</span> },
    { key: 'table', header: t('sync.col.table'), width: 'minmax(8rem, 0.8fr)', render: (c) => <span className="lp-mono">{c.table_name}</span> },
    { key: 'row', header: t('sync.col.row'), width: 'minmax(10rem, 1fr)', render: (c) => <span className="lp-mono" title={c.row_id}>{c.row_id}</span> },
    { key: 'reason', header: t('sync.col.reason'), width: 'minmax(14rem, 1.4fr)', render: (c) => <span title={c.details ?? c.reason}>{t(`sync.reason.${c.reason}`, { defaultValue: c.reason })}</span> },
  ];
  return (
    <section className="sy-conflicts" aria-labelledby="sync-conflicts-title">
      <h2 id="sync-conflicts-title">{t('sync.conflictsTitle')}</h2>
      <p className="muted">{t('sync.conflictsIntro')}</p>
      <ErrorBanner error={conflicts.error} />
      {conflicts.data && conflicts.data.total === 0 ? (
        <p className="muted" data-testid="sync-no-conflicts">
          {t('sync.noConflicts')}
        </p>
      ) : (
        <>
          <DataTable columns={columns} rows={rows} rowKey={(c) => String(c.id)} label={t('sync.conflictsLabel')} height={Math.min(360, rows.length * 36 + 40)} testId="sync-conflicts" />
          {conflicts.data && <Pager offset={offset} limit={PAGE} total={conflicts.data.total} onChange={setOffset} />}
        </>
      )}
    </section>
  );
}
