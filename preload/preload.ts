// The bridge between the sandboxed renderer and the main process. It exposes exactly the
// operations of the contract and the event channels — never `ipcRenderer` itself — and checks
// names before anything crosses. Bundled to CommonJS (preload.cjs), as sandboxed preloads need.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { OPERATION_NAMES } from '../main/contract/operations.js';
import { EVENT_CHANNELS } from '../main/host/events.js';
import { IPC_EVENT, IPC_INVOKE } from './channels.js';

const operations = new Set<string>(OPERATION_NAMES);
const channels = new Set<string>(EVENT_CHANNELS);

const bridge = {
  kind: 'electron' as const,
  operations: [...OPERATION_NAMES],
  invoke(operation: string, input: unknown, session: string | null): Promise<unknown> {
    if (!operations.has(operation)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'UNKNOWN_OPERATION', message: { ru: `Неизвестная операция «${operation}»`, en: `Unknown operation "${operation}"` } },
      });
    }
    return ipcRenderer.invoke(IPC_INVOKE, { operation, input, session });
  },
  subscribe(channel: string, listener: (payload: unknown) => void): () => void {
    if (!channels.has(channel)) throw new Error(`unknown event channel ${channel}`);
    const handler = (_event: IpcRendererEvent, message: { channel: string; payload: unknown }) => {
      if (message.channel === channel) listener(message.payload);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT, handler);
  },
};

contextBridge.exposeInMainWorld('plantdesk', bridge);
