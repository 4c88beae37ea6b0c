// The renderer's one way to the workspace. At start it picks the Electron preload bridge when
// present, the browser host's HTTP/WebSocket client otherwise; screens never know which.
import type { OperationError, Result } from '../../../main/contract/errors';
import type { OperationName, OperationOutput } from '../../../main/contract/operations';
import type { DeviceEventPayloads } from '../../../main/contract/devices';
import type { JobEventPayloads } from '../../../main/contract/jobs';

/**
 * What each event channel carries: the host's EVENT_CHANNELS (main/host/events.ts), spelled out
 * here because the renderer may take only the contract from main/.
 */
export interface EventPayloads extends DeviceEventPayloads, JobEventPayloads {
  'workspace.changed': { operation: string };
}
export type EventChannel = keyof EventPayloads;

interface Bridge {
  kind: 'electron' | 'browser';
  invoke(operation: string, input: unknown, session: string | null): Promise<unknown>;
  subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void;
  /** Told on login and logout; a bridge whose events need the session reconnects with it. */
  sessionChanged?(session: string | null): void;
}

declare global {
  interface Window {
    plantdesk?: Bridge;
  }
}

/** An operation that said no; carries the contract's error (code, ru/en message, field). */
export class OperationFailed extends Error {
  constructor(readonly error: OperationError) {
    super(error.message.en);
  }
}

const HOST_TOKEN_KEY = 'plantdesk.host';

/** The browser host hands its per-run token in the URL fragment; keep it for this tab only. */
function hostToken(): string | null {
  const match = /(?:^#|&)host=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(HOST_TOKEN_KEY, match[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(HOST_TOKEN_KEY);
}

function browserBridge(initialSession: string | null): Bridge {
  const token = hostToken();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let eventSession = initialSession;
  let socket: WebSocket | null = null;
  let retry = 500;
  let reconnect: ReturnType<typeof setTimeout> | undefined;
  /** This PC's own window proves itself with the host token; a tablet on the LAN with its session. */
  const eventsUrl = (): string | null => {
    const query = token ? `host=${encodeURIComponent(token)}` : eventSession ? `session=${encodeURIComponent(eventSession)}` : null;
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    return query && `${scheme}://${window.location.host}/api/events?${query}`;
  };
  const connect = () => {
    reconnect = undefined;
    const url = eventsUrl();
    // From the LAN nothing is heard before login.
    if (!url) return;
    const current = new WebSocket(url);
    socket = current;
    current.onopen = () => (retry = 500);
    current.onmessage = (message) => {
      try {
        const { channel, payload } = JSON.parse(String(message.data)) as { channel: string; payload: unknown };
        for (const listener of listeners.get(channel) ?? []) listener(payload);
      } catch {
        // A malformed event is ignored; the next one will do.
      }
    };
    // The host may restart (npm run dev): reconnect with backoff. A socket replaced on a
    // session change is not reconnected.
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      reconnect = setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };
  connect();
  return {
    kind: 'browser',
    async invoke(operation, input, session) {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (token) headers['X-PlantDesk-Host'] = token;
      if (session) headers.Authorization = `Bearer ${session}`;
      try {
        const response = await fetch('/api/invoke', { method: 'POST', headers, body: JSON.stringify({ operation, input }) });
        return (await response.json()) as unknown;
      } catch (error) {
        return {
          ok: false,
          error: {
            code: 'INTERNAL',
            message: {
              ru: `Нет связи с PlantDesk (${(error as Error).message}). Данные не изменены.`,
              en: `PlantDesk cannot be reached (${(error as Error).message}). Nothing was changed.`,
            },
          },
        };
      }
    },
    subscribe(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
      return () => set.delete(listener);
    },
    sessionChanged(next) {
      eventSession = next;
      // With the host token the socket does not depend on who is logged in.
      if (token) return;
      const old = socket;
      socket = null;
      old?.close();
      clearTimeout(reconnect);
      retry = 500;
      connect();
    },
  };
}

const SESSION_KEY = 'plantdesk.session';
let session: string | null = sessionStorage.getItem(SESSION_KEY);

const bridge: Bridge = window.plantdesk ?? browserBridge(session);

export const api = {
  kind: bridge.kind,
  setSession(token: string | null): void {
    const changed = token !== session;
    session = token;
    if (token) sessionStorage.setItem(SESSION_KEY, token);
    else sessionStorage.removeItem(SESSION_KEY);
    if (changed) bridge.sessionChanged?.(token);
  },
  hasSession(): boolean {
    return session !== null;
  },
  /** Runs an operation; resolves with its result value (never throws). */
  async result<N extends OperationName>(name: N, input: unknown): Promise<Result<OperationOutput<N>>> {
    return (await bridge.invoke(name, input, session)) as Result<OperationOutput<N>>;
  },
  /** Runs an operation; throws OperationFailed when it is refused. */
  async call<N extends OperationName>(name: N, input: unknown): Promise<OperationOutput<N>> {
    const result = await this.result(name, input);
    if (!result.ok) throw new OperationFailed(result.error);
    return result.value;
  },
  /**
   * Listens to a channel. A host that does not know the channel (an older main process) refuses
   * it; the screen then simply hears nothing instead of failing.
   */
  subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void {
    try {
      return bridge.subscribe(channel, listener);
    } catch {
      return () => {};
    }
  },
};
