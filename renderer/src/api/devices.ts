// React hooks over what the devices of this PC push to the windows: any device event, the live
// connection state of every device, and a scale's latest weight. Events are checked against the
// contract's schemas on arrival, so a malformed one is dropped instead of breaking a screen.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { OperationError } from '../../../main/contract/errors';
import {
  alertEvent,
  deviceStatus,
  labResultEvent,
  printJob,
  scanEvent,
  sensorSampleEvent,
  weightEvent,
  type DeviceEventPayloads,
  type DeviceKind,
  type DeviceStatus,
  type WeightEvent,
} from '../../../main/contract/devices';
import type { OperationOutput } from '../../../main/contract/operations';
import { api } from './client';
import { useQuery } from './hooks';

export type DeviceChannel = keyof DeviceEventPayloads;
export type DeviceRow = OperationOutput<'devices.list'>['rows'][number];

const SCHEMAS: { [C in DeviceChannel]: { safeParse(v: unknown): { success: true; data: DeviceEventPayloads[C] } | { success: false } } } = {
  'device.status': deviceStatus,
  'device.weight': weightEvent,
  'device.scan': scanEvent,
  'device.lab': labResultEvent,
  'device.sample': sensorSampleEvent,
  'device.printJob': printJob,
  'device.alert': alertEvent,
};

/** Calls `listener` with every event of `channel` (the latest listener; no resubscribing per render). */
export function useDeviceEvent<C extends DeviceChannel>(channel: C, listener: (payload: DeviceEventPayloads[C]) => void, enabled = true): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => {
    if (!enabled) return;
    return api.subscribe(channel, (payload) => {
      const parsed = SCHEMAS[channel].safeParse(payload);
      if (parsed.success) latest.current(parsed.data);
    });
  }, [channel, enabled]);
}

/** This PC's devices (optionally of one kind), as configured. */
export function useDevices(kind?: DeviceKind) {
  const query = useQuery('devices.list', {});
  const rows = useMemo(() => (query.data?.rows ?? []).filter((d) => !kind || d.kind === kind), [query.data, kind]);
  return { rows, loading: query.loading, error: query.error, loaded: query.data !== undefined };
}

/** Which of two reports of one device's state is the more recent. */
function newer(a: DeviceStatus, b: DeviceStatus): DeviceStatus {
  if (a.since !== b.since) return a.since > b.since ? a : b;
  return (a.lastReadingAt ?? 0) >= (b.lastReadingAt ?? 0) ? a : b;
}

/**
 * The connection state of every device of this PC: asked once (and again when the workspace
 * changes, e.g. a device was saved), then kept current by `device.status` events. `error` is set
 * where devices cannot be reached at all (a browser on another PC).
 */
export function useDeviceStatus(): { statuses: ReadonlyMap<string, DeviceStatus>; error: OperationError | undefined } {
  const query = useQuery('devices.status', {});
  const [live, setLive] = useState<ReadonlyMap<string, DeviceStatus>>(() => new Map());
  useDeviceEvent('device.status', (status) => setLive((map) => new Map(map).set(status.code, status)));
  const statuses = useMemo(() => {
    const merged = new Map((query.data?.rows ?? []).map((s) => [s.code, s]));
    for (const s of live.values()) {
      const known = merged.get(s.code);
      merged.set(s.code, known ? newer(known, s) : s);
    }
    return merged;
  }, [query.data, live]);
  return { statuses, error: query.error };
}

/** A weight as this window got it: `receivedAt` is this machine's clock, unlike the event's `at`. */
export interface ReceivedWeight {
  weight: WeightEvent;
  receivedAt: number;
}

/**
 * A scale's latest weight and connection state (nothing until it sends a weight). A tablet's
 * clock is not the PC's, so whether the weight on screen is still fresh is judged by when it
 * arrived here (`receivedAt`); the main process still decides what may be captured.
 */
export function useScale(device: string | null): { latest: ReceivedWeight | null; status: DeviceStatus | null; error: OperationError | undefined } {
  const { statuses, error } = useDeviceStatus();
  const [latest, setLatest] = useState<ReceivedWeight | null>(null);
  useEffect(() => setLatest(null), [device]);
  useDeviceEvent(
    'device.weight',
    (weight) => {
      if (weight.device === device) setLatest({ weight, receivedAt: Date.now() });
    },
    device !== null,
  );
  return { latest, status: device ? (statuses.get(device) ?? null) : null, error };
}

/** Now, refreshed every `everyMs` while mounted: for "is this reading still fresh?". */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
