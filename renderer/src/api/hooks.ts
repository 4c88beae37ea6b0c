// React hooks over the client: reads that refresh when the workspace changes, writes that keep
// their error next to the form, and a signal when the session has ended.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { OperationError } from '../../../main/contract/errors';
import type { JobProgress } from '../../../main/contract/jobs';
import type { OperationName, OperationOutput } from '../../../main/contract/operations';
import { api } from './client';

const authLostListeners = new Set<() => void>();
export function onAuthLost(listener: () => void): () => void {
  authLostListeners.add(listener);
  return () => authLostListeners.delete(listener);
}
function checkAuth(error: OperationError): void {
  if (error.code === 'SESSION_EXPIRED' || error.code === 'UNAUTHENTICATED') for (const l of authLostListeners) l();
}

export interface Query<T> {
  data: T | undefined;
  error: OperationError | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * Reads an operation's result and reads it again whenever any window changes the workspace.
 * `input === null` skips the call (e.g. until a lot is chosen).
 */
export function useQuery<N extends OperationName>(name: N, input: unknown): Query<OperationOutput<N>> {
  const key = JSON.stringify(input);
  const [state, setState] = useState<{ data?: OperationOutput<N>; error?: OperationError; loading: boolean }>({ loading: input !== null });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    if (input === null) {
      setState({ loading: false });
      return;
    }
    const call = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    void api.result(name, JSON.parse(key)).then((result) => {
      if (call !== latest.current) return; // a newer request won
      if (result.ok) setState({ data: result.value, loading: false });
      else {
        checkAuth(result.error);
        setState({ error: result.error, loading: false });
      }
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [name, key, tick]);
  useEffect(() => api.subscribe('workspace.changed', () => setTick((t) => t + 1)), []);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export interface Mutation<N extends OperationName> {
  run(input: unknown): Promise<OperationOutput<N> | undefined>;
  pending: boolean;
  error: OperationError | undefined;
  clear(): void;
}

/** Runs a write; its refusal stays in `error` (with the field it belongs to) until cleared or retried. */
export function useMutation<N extends OperationName>(name: N): Mutation<N> {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<OperationError>();
  const run = useCallback(
    async (input: unknown) => {
      setPending(true);
      setError(undefined);
      try {
        const result = await api.result(name, input);
        if (result.ok) return result.value;
        checkAuth(result.error);
        setError(result.error);
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [name],
  );
  return { run, pending, error, clear: useCallback(() => setError(undefined), []) };
}

/** Units done of total, and for jobs with stages what the job reported besides. */
export type Progress = { done: number; total: number } & Partial<Pick<JobProgress, 'phase' | 'counts'>>;

/**
 * The progress of this window's own long call: every window hears every job's `job.progress`
 * on one channel, so `begin()` names a new job (its id goes into the call's input) and only its
 * events are kept until `end()`. `alsoJob` is another job followed while one of ours runs (the
 * background synchronisation a request joined).
 */
export function useJobProgress(alsoJob?: string) {
  const [progress, setProgress] = useState<Progress>();
  const job = useRef<string>(undefined);
  useEffect(
    () =>
      api.subscribe('job.progress', (payload) => {
        const event = payload as JobProgress;
        if (job.current !== undefined && (event.job === job.current || event.job === alsoJob)) {
          setProgress({ done: event.done, total: event.total, phase: event.phase, counts: event.counts });
        }
      }),
    [alsoJob],
  );
  const begin = useCallback((): string => (job.current = crypto.randomUUID()), []);
  const end = useCallback((): void => void (job.current = undefined), []);
  return { progress, setProgress, begin, end };
}
