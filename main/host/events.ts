// Events the main process pushes to every open window (Electron IPC or the browser host's
// WebSocket): workspace changes and what the devices report. The channel list is the contract;
// preload and the renderer import it, so it stays a plain list of names.
import { DEVICE_EVENT_CHANNELS, type DeviceEventPayloads } from '../contract/devices.js';
import { JOB_EVENT_CHANNELS, type JobEventPayloads } from '../contract/jobs.js';

export const EVENT_CHANNELS = ['workspace.changed', ...DEVICE_EVENT_CHANNELS, ...JOB_EVENT_CHANNELS] as const;
export type EventChannel = (typeof EVENT_CHANNELS)[number];

export interface WorkspaceChanged {
  operation: string;
}

export interface EventPayloads extends DeviceEventPayloads, JobEventPayloads {
  'workspace.changed': WorkspaceChanged;
}

type Listener = <C extends EventChannel>(channel: C, payload: EventPayloads[C]) => void;

/** A tiny publish/subscribe hub; hosts subscribe once and fan out to their windows. */
export class EventHub {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish<C extends EventChannel>(channel: C, payload: EventPayloads[C]): void {
    for (const listener of this.listeners) {
      try {
        listener(channel, payload);
      } catch {
        // One broken window must not stop the others from hearing.
      }
    }
  }
}
