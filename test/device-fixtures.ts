// Shared by the device manager, service and CLI tests: simulators that are always closed, a
// recorder of what reaches the windows, and device settings pointing at simulators.
import { afterEach, expect } from 'vitest';
import type { OperationError } from '../main/contract/errors.js';
import { DomainError } from '../main/core/domain-error.js';
import { DeviceManager, type DeviceManagerOptions } from '../main/devices/manager.js';
import { EventHub, type EventChannel, type EventPayloads } from '../main/host/events.js';
import type { TestPlant } from './helpers.js';

const closers: (() => Promise<unknown>)[] = [];
// Registered after helpers.ts's own afterEach, so (hooks run as a stack) devices and simulators
// close before the workspace does: the manager's last sensor samples still find it open.
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** Closes `thing` after the test, whatever happens. */
export function own<T extends { close(): Promise<unknown> }>(thing: T): T {
  closers.push(() => thing.close());
  return thing;
}

export function later(close: () => Promise<unknown>): void {
  closers.push(close);
}

interface Recorded<C extends EventChannel = EventChannel> {
  channel: C;
  payload: EventPayloads[C];
}

/** Everything published on a hub, and a way to wait for what a test expects. */
export class Recorder {
  readonly events: Recorded[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(hub: EventHub) {
    hub.subscribe((channel, payload) => {
      this.events.push({ channel, payload } as Recorded);
      for (const check of [...this.waiters]) check();
    });
  }

  /** Where the record is now: `waitFor(…, mark)` looks only at what comes after. */
  mark(): number {
    return this.events.length;
  }

  of<C extends EventChannel>(channel: C, from = 0): EventPayloads[C][] {
    return this.events.slice(from).filter((e) => e.channel === channel).map((e) => e.payload as EventPayloads[C]);
  }

  waitFor<C extends EventChannel>(channel: C, match: (payload: EventPayloads[C]) => boolean, from = 0, timeoutMs = 5_000): Promise<EventPayloads[C]> {
    const find = () => this.of(channel, from).find(match);
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = find();
        if (!hit) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const seen = this.of(channel, from).slice(-5);
        reject(new Error(`no matching ${channel} within ${timeoutMs} ms; last seen: ${JSON.stringify(seen)}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }
}

/** Fast reconnects and sample writes, so tests do not wait for production timings. */
export const FAST: DeviceManagerOptions = { backoff: { initialMs: 50, maxMs: 200, jitter: 0 }, samples: { flushMs: 100 } };

/** Saves the devices through the registry (as the admin), then starts a manager on the workspace. */
export async function runDevices(p: TestPlant, devices: object[], options: DeviceManagerOptions = {}) {
  for (const device of devices) p.call('devices.save', device);
  const hub = new EventHub();
  const recorder = new Recorder(hub);
  const manager = new DeviceManager(p.ws, hub, { ...FAST, ...options });
  later(() => manager.stop());
  await manager.start();
  return { manager, hub, recorder };
}

/** Waits until `probe` returns something truthy (polling the workspace, e.g. for stored samples). */
export async function until<T>(what: string, probe: () => T | null | undefined | false, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function serial(path: string) {
  return { type: 'serial', path };
}

export function scaleDevice(path: string, options: object = {}, code = 'SC-1') {
  return { code, name: 'Весы приёмки', protocol: 'mt-sics', connection: serial(path), options: { pollMs: 50, staleMs: 1_000, maxGrams: 150_000, ...options } };
}

/** The refusal a call throws, checked to be readable in both languages. */
export function refusal(run: () => unknown): OperationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    const e = (error as DomainError).error;
    expect(e.message.ru).toMatch(/[А-Яа-яЁё]/);
    expect(e.message.en).toMatch(/[A-Za-z]/);
    expect(`${e.message.ru} ${e.message.en}`).not.toMatch(/\{\w+\}|\[object/);
    return e;
  }
  throw new Error('expected a refusal');
}
