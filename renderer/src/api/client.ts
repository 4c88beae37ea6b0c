// The renderer's one way to the workspace. At start it picks the Electron preload bridge when
// present, the browser host's HTTP/WebSocket client otherwise; screens never know which.
import type { OperationError, Result } from '../../../main/contract/errors';
import type { OperationName, OperationOutput } from '../../../main/contract/operations';
import type { DeviceEventPayloads } from '../../../main/contract/devices';

/**
 * What each event channel carries: the host's EVENT_CHANNELS (main/host/events.ts), spelled out
 * here because the renderer may take only the contract from main/.
 */
export interface EventPayloads extends DeviceEventPayloads {
  'workspace.changed': { operation: string };
}
export type EventChannel = keyof EventPayloads;

interface Bridge {
  kind: 'electron' | 'browser';
  invoke(operation: string, input: unknown, session: string | null): Promise<unknown>;
  subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void;
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

function browserBridge(): Bridge {
  const token = hostToken();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let socket: WebSocket | null = null;
  let retry = 500;
  const connect = () => {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${window.location.host}/api/events${token ? `?host=${encodeURIComponent(token)}` : ''}`);
    socket.onopen = () => (retry = 500);
    socket.onmessage = (message) => {
      try {
        const { channel, payload } = JSON.parse(String(message.data)) as { channel: string; payload: unknown };
        for (const listener of listeners.get(channel) ?? []) listener(payload);
      } catch {
        // A malformed event is ignored; the next one will do.
      }
    };
    // The host may restart (npm run dev): reconnect with backoff.
    socket.onclose = () => {
      setTimeout(connect, retry);
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
  };
}

const bridge: Bridge = window.plantdesk ?? browserBridge();

const SESSION_KEY = 'plantdesk.session';
let session: string | null = sessionStorage.getItem(SESSION_KEY);

export const api = {
  kind: bridge.kind,
  setSession(token: string | null): void {
    session = token;
    if (token) sessionStorage.setItem(SESSION_KEY, token);
    else sessionStorage.removeItem(SESSION_KEY);
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
