// This PC's replication status, read once for the whole window: the indicator in the top bar and
// the «Синхронизация» screen share it. Read again every half minute, when a synchronisation
// ends (workspace.changed from sync.run) and, a moment later, when the workspace changes
// (changes then wait to be sent); progress events of any run say an exchange is going on.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperationError } from '../../../main/contract/errors';
import type { JobProgress } from '../../../main/contract/jobs';
import type { SyncStatusView } from '../../../main/contract/operations';
import { api } from '../api/client';

const POLL_MS = 30_000;
/** Workspace changes come in bursts on a busy line: one read after them, not one each. */
const SETTLE_MS = 2_000;
/** A run whose progress stopped arriving this long ago is not shown as running any more. */
const STALE_MS = 120_000;

export interface SyncStatusState {
  status: SyncStatusView | undefined;
  error: OperationError | undefined;
  /** The last progress of a running exchange (this window's or the timer's), while one runs. */
  live: JobProgress | undefined;
  running: boolean;
  /** When the status was last read: the "12 min ago" of the indicator counts from it. */
  now: number;
  reload(): void;
}

const SyncStatus = createContext<SyncStatusState | null>(null);

export function useSyncStatus(): SyncStatusState {
  const value = useContext(SyncStatus);
  if (!value) throw new Error('useSyncStatus outside SyncStatusProvider');
  return value;
}

export function SyncStatusProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SyncStatusView>();
  const [error, setError] = useState<OperationError>();
  const [live, setLive] = useState<{ progress: JobProgress; at: number }>();
  const [now, setNow] = useState(() => Date.now());
  const latest = useRef(0);

  const load = useCallback(async () => {
    const call = ++latest.current;
    const result = await api.result('sync.status', {});
    if (call !== latest.current) return; // a newer read won
    setNow(Date.now());
    if (result.ok) {
      setStatus(result.value);
      setError(undefined);
    } else setError(result.error);
  }, []);

  useEffect(() => {
    void load();
    const timer = window.setInterval(() => void load(), POLL_MS);
    let settle: number | undefined;
    const offChanged = api.subscribe('workspace.changed', (payload) => {
      if ((payload as { operation?: string } | null)?.operation === 'sync.run') {
        // An exchange ended (on the timer or on demand): read now.
        setLive(undefined);
        window.clearTimeout(settle);
        settle = undefined;
        void load();
        return;
      }
      settle ??= window.setTimeout(() => {
        settle = undefined;
        void load();
      }, SETTLE_MS);
    });
    const offProgress = api.subscribe('job.progress', (payload) => {
      const progress = payload as JobProgress;
      if (progress.operation === 'sync.run') setLive({ progress, at: Date.now() });
    });
    return () => {
      window.clearInterval(timer);
      window.clearTimeout(settle);
      offChanged();
      offProgress();
    };
  }, [load]);

  const current = live && now - live.at < STALE_MS ? live.progress : undefined;
  const reload = useCallback(() => void load(), [load]);
  return (
    <SyncStatus.Provider value={{ status, error, live: current, running: Boolean(status?.running || current), now, reload }}>
      {children}
    </SyncStatus.Provider>
  );
}

/** "12 мин назад" from `now`, or «никогда». */
export function useAgo(): (ms: number | null, now: number) => string {
  const { t } = useTranslation();
  return (ms, now) => {
    if (ms === null) return t('sync.never');
    const minutes = Math.floor(Math.max(0, now - ms) / 60_000);
    if (minutes < 1) return t('sync.ago.now');
    if (minutes < 60) return t('sync.ago.minutes', { n: minutes });
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return t('sync.ago.hours', { n: hours });
    return t('sync.ago.days', { n: Math.floor(hours / 24) });
  };
}

/** The top bar's «Синхр.: 12 мин назад · ждут 34»: warning colours after a failure; opens the screen. */
export function SyncIndicator() {
  const { t, i18n } = useTranslation();
  const { status, running, now } = useSyncStatus();
  const ago = useAgo();
  if (!status) return null;
  const warn = status.last_error !== null || status.update_required;
  const pending = status.pending_changes.toLocaleString(i18n.language === 'en' ? 'en-GB' : 'ru-RU');
  const text = !status.configured
    ? t('sync.indicator.off')
    : running
      ? t('sync.indicator.running')
      : status.update_required
        ? t('sync.indicator.update', { pending })
        : t('sync.indicator.text', { when: ago(status.last_success_at, now), pending });
  const state = !status.configured ? 'off' : running ? 'running' : warn ? 'warn' : 'ok';
  const error = status.last_error ? (i18n.language === 'en' ? status.last_error.message.en : status.last_error.message.ru) : undefined;
  return (
    <a href="#/sync" className={`sync-ind sync-ind-${state}`} data-testid="sync-indicator" data-state={state} title={error ?? t('sync.indicator.title')}>
      <span className="sync-dot" aria-hidden="true" />
      {text}
    </a>
  );
}
