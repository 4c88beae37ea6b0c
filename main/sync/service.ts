// The sync service of this PC: runs the exchange with headquarters on demand (`sync.run`), on a
// timer (the configured interval) and on reconnect (while headquarters cannot be reached, a
// cheap health check every half minute; the moment it answers, a synchronisation). One exchange
// at a time; a request during one waits for it and gets its result. Never throws to its callers:
// refusals and failures come back as Results, and are recorded in the workspace's sync state.
import { z } from 'zod';
import type { JobProgress } from '../contract/jobs.js';
import { healthResponse } from '../contract/sync.js';
import { makeError, type Result } from '../contract/errors.js';
import { isOperationName, isSyncOperation, operations, type OperationOutput, type Operations, type SyncOperationName } from '../contract/operations.js';
import type { Actor } from '../db/tx.js';
import type { Credentials } from '../registry.js';
import { syncStatus } from '../services/sync.js';
import type { Workspace } from '../workspace.js';
import { asOperationError, configuredClient, synchronise, type SyncDirection, type SyncProgress, type SyncReport } from './sync.js';

type Input<N extends SyncOperationName> = z.output<Operations[N]['input']>;

export interface SyncServiceOptions {
  onProgress?: (progress: JobProgress) => void;
  /** After every exchange (success or failure): the workspace and the status changed. */
  onFinished?: (result: Result<SyncReport>) => void;
  /** While headquarters is unreachable, how often to check whether it is back (ms). */
  probeEveryMs?: number;
  now?: () => number;
}

/** Errors that mean "not reachable now" rather than "refused": worth retrying on reconnect. */
const TRANSIENT = new Set(['HQ_UNREACHABLE', 'SYNC_FAILED']);
const REFUSED_RETRY_MS = 15 * 60_000;

export class SyncService {
  private running: Promise<Result<SyncReport>> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(
    readonly workspace: Workspace,
    private readonly options: SyncServiceOptions = {},
  ) {}

  invokeSync(name: string, input: unknown, credentials: Credentials = null): Promise<Result<unknown>> {
    if (!isOperationName(name) || !isSyncOperation(name)) return Promise.resolve({ ok: false, error: makeError('UNKNOWN_OPERATION', { operation: String(name).slice(0, 80) }) });
    return this.run(name, this.workspace.registry.admit(name, input, credentials));
  }

  /** For trusted in-process callers that authenticated the user themselves (the CLI). */
  invokeSyncAs<N extends SyncOperationName>(name: N, input: unknown, actor: Actor): Promise<Result<OperationOutput<N>>> {
    return this.run(name, this.workspace.registry.admitAs(name, input, actor)) as Promise<Result<OperationOutput<N>>>;
  }

  get isRunning(): boolean {
    return this.running !== null;
  }

  private async run(name: SyncOperationName, admitted: Result<{ actor: Actor; input: unknown }>): Promise<Result<unknown>> {
    if (!admitted.ok) return admitted;
    const input = admitted.value.input as Input<'sync.run'>;
    const result = await this.exchange(input.direction, input.job);
    if (!result.ok) return result;
    const report = { ...result.value, conflicts: result.value.conflicts.length };
    if (this.workspace.validatesOutputs) operations[name].output.parse(report);
    return { ok: true, value: report };
  }

  /** One exchange, or the one already running. */
  exchange(direction: SyncDirection = 'both', job = 'sync'): Promise<Result<SyncReport>> {
    if (this.running) return this.running;
    const running = this.exchangeNow(direction, job).finally(() => {
      this.running = null;
      this.schedule();
    });
    this.running = running;
    return running;
  }

  private async exchangeNow(direction: SyncDirection, job: string): Promise<Result<SyncReport>> {
    let result: Result<SyncReport>;
    try {
      const db = this.workspace.db;
      const client = configuredClient(db);
      const report = await synchronise(db, client, {
        direction,
        ...(this.options.now ? { now: this.options.now } : {}),
        onProgress: (p) => this.options.onProgress?.(progressEvent(job, p)),
      });
      result = { ok: true, value: report };
    } catch (error) {
      result = { ok: false, error: asOperationError(error) };
    }
    this.options.onFinished?.(result);
    return result;
  }

  /** Starts the timer: the configured interval after a success, a reconnect probe after a transient failure. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayOverride?: number): void {
    if (this.stopped || !this.workspace.db.open) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let status;
    try {
      status = syncStatus(this.workspace.q);
    } catch {
      return; // a workspace not set up yet: nothing to synchronise
    }
    if (!status.configured) return;
    const probe = this.options.probeEveryMs ?? 30_000;
    const offline = status.last_error !== null && TRANSIENT.has(status.last_error.code);
    const refused = status.last_error !== null && !offline;
    if (!offline && status.interval_min === 0 && delayOverride === undefined) return; // on demand only
    const interval = status.interval_min * 60_000;
    const now = (this.options.now ?? Date.now)();
    // After a refusal (a revoked key, an outdated version, a gap) nothing changes by asking again
    // at once: the next try waits the interval, at least REFUSED_RETRY_MS, from the last attempt.
    const delay =
      delayOverride ??
      (offline
        ? probe
        : refused
        ? Math.max(0, (status.last_attempt_at ?? now) + Math.max(interval, REFUSED_RETRY_MS) - now)
        : Math.max(0, (status.last_success_at ?? 0) + interval - now));
    this.timer = setTimeout(() => void this.tick(offline), delay);
    this.timer.unref();
  }

  private async tick(offline: boolean): Promise<void> {
    this.timer = null;
    if (offline) {
      // Reconnect: a health check is cheap; only when headquarters answers does the exchange run.
      try {
        const status = syncStatus(this.workspace.q);
        const res = await fetch(`${(status.hq_url ?? '').replace(/\/$/, '')}/v1/health`, { signal: AbortSignal.timeout(10_000) });
        healthResponse.parse(await res.json()); // headquarters' sync service, not a proxy's error page
      } catch {
        return this.schedule();
      }
      if (this.stopped) return;
    }
    await this.exchange('both');
  }
}

function progressEvent(job: string, p: SyncProgress): JobProgress {
  const pushing = p.phase === 'push';
  return {
    job,
    operation: 'sync.run',
    phase: p.phase,
    done: pushing ? p.pushed : p.pullDone,
    total: pushing ? p.pushTotal : p.pullTotal,
    counts: { pushed: p.pushed, push_total: p.pushTotal, pulled: p.pulled, started_at: p.startedAt },
  };
}
