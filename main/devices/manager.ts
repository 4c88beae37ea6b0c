// The device manager: keeps every device of this PC open while the app runs, and turns what
// the devices report into events for the windows and records in the workspace.
//
// Per device: one driver for as long as its settings stay the same (reopened after a loss, so a
// printer's queue waits for it), a status published on change, reconnection with exponential backoff,
// the latest weight of a scale (for capture), sensor samples batched into `sensors.record` (and a
// null sample per channel while a sensor cannot be read, so its silence raises the alert), lab
// results put into inspections through `lab.record`, and print jobs.
// Everything a driver reports arrives in callbacks; nothing here may throw back into them.
import { realpathSync } from 'node:fs';
import type {
  CapturedWeight,
  Connection,
  DeviceConfig,
  DeviceFault,
  DeviceKind,
  DeviceStatus,
  PrintJob,
  ScaleOptions,
  ScanEvent,
  SensorOptions,
  SensorSampleEvent,
  WeightEvent,
} from '../contract/devices.js';
import { makeError, type Result } from '../contract/errors.js';
import type { OperationInput, OperationOutput } from '../contract/operations.js';
import { DomainError } from '../core/domain-error.js';
import type { EventHub } from '../host/events.js';
import { deviceActor, loadDeviceConfigs } from '../services/devices.js';
import type { Workspace } from '../workspace.js';
import { createDriver } from '../../native/drivers/index.js';
import { createTransport } from '../../native/transports/index.js';
import type { TransportFactory } from '../../native/transports/transport.js';
import { faultOf, type DeviceDriver, type DriverFactory, type DriverListeners, type LabMessage, type RetireReason } from '../../native/drivers/driver.js';
import { deviceError, deviceFailed, type Pair } from './errors.js';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** 0..1: each delay is shortened by up to this fraction, so devices do not all retry at once. */
  jitter: number;
}

export interface DeviceManagerOptions {
  now?: () => number;
  driverFactory?: DriverFactory;
  openTransport?: TransportFactory;
  backoff?: Partial<BackoffOptions>;
  /** A scale's weights reach the windows at most once per this interval (default 100 ms). */
  weightIntervalMs?: number;
  /**
   * Sensor samples are written every `flushMs` (default 5 s) or once `batch` (100) are waiting; while
   * the workspace keeps failing, at most `max` (50,000) wait per device and the oldest are dropped.
   */
  samples?: { flushMs?: number; batch?: number; max?: number };
  /** A line-output lab instrument's tie to an inspection lapses after this long without a reading (default 30 min). */
  labTieMs?: number;
  /** Problems nobody is waiting for (a failed write of samples, a reload that failed): for the log. */
  onError?: (what: string, error: unknown) => void;
}

const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 30_000, factor: 2, jitter: 0.2 };
/** The most samples one `sensors.record` call takes (its input limit). */
const MAX_RECORD = 10_000;
/** Samples one device may have waiting while the workspace keeps failing. */
const MAX_QUEUED_SAMPLES = 50_000;
/** A line-output instrument stays tied to an inspection this long after the tie or its last reading. */
const LAB_TIE_MS = 30 * 60_000;
/** Print jobs remembered for `printers.jobs` (this run only). */
const MAX_JOBS = 200;
/** Devices that talk only when something happens: an open connection is as good as a reading. */
const PASSIVE_KINDS = new Set<DeviceKind>(['scanner', 'lab', 'printer']);

type SampleRecord = OperationInput<'sensors.record'>['samples'][number];

interface Slot {
  config: DeviceConfig;
  /** The saved settings as text: a change of any of them restarts the device. */
  settings: string;
  /** One driver for the device's life with these settings, reopened on every attempt; null if none accepts them. */
  driver: DeviceDriver | null;
  /** The driver opened and has not closed. */
  open: boolean;
  connecting: Promise<void> | null;
  /** Shut for good (removed, settings changed, app stopping). */
  retired: boolean;
  status: DeviceStatus;
  retryTimer: NodeJS.Timeout | null;
  latest: { event: WeightEvent; raw: string; receivedAt: number } | null;
  throttle: { last: WeightEvent | null; lastAt: number; pending: WeightEvent | null; timer: NodeJS.Timeout | null };
  /** Line-output lab instruments: the inspection their next readings go into (kept across reconnects, lapses at `until`). */
  tie: { inspection: string; until: number; timer: NodeJS.Timeout } | null;
  /** Sensors while they cannot be read: writes a null sample per channel every poll. */
  silence: NodeJS.Timeout | null;
}

export class DeviceManager {
  private readonly now: () => number;
  private readonly driverFactory: DriverFactory;
  private readonly openTransport: TransportFactory;
  private readonly backoff: BackoffOptions;
  private readonly weightIntervalMs: number;
  private readonly flushMs: number;
  private readonly batch: number;
  private readonly maxQueued: number;
  private readonly labTieMs: number;
  private readonly slots = new Map<string, Slot>();
  private readonly samples = new Map<string, SampleRecord[]>();
  /** Samples dropped per device since its samples were last written. */
  private readonly dropped = new Map<string, number>();
  private readonly jobList = new Map<string, PrintJob>();
  private flushTimer: NodeJS.Timeout | null = null;
  private running = false;
  /** start/reload/stop run one after another. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly workspace: Workspace,
    private readonly events: EventHub,
    private readonly options: DeviceManagerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.driverFactory = options.driverFactory ?? createDriver;
    this.openTransport = options.openTransport ?? createTransport;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.weightIntervalMs = options.weightIntervalMs ?? 100;
    this.flushMs = options.samples?.flushMs ?? 5_000;
    this.batch = options.samples?.batch ?? 100;
    this.maxQueued = options.samples?.max ?? MAX_QUEUED_SAMPLES;
    this.labTieMs = options.labTieMs ?? LAB_TIE_MS;
  }

  /** Opens this PC's active devices; resolves when each has had its first attempt. */
  start(): Promise<void> {
    this.running = true;
    return this.reload();
  }

  /** Applies saved settings: changed devices restart, deactivated ones close, new ones open. Never rejects. */
  reload(): Promise<void> {
    // Opening happens outside the queue: a printer that takes seconds to refuse must not hold up a stop.
    const attempts: Promise<void>[] = [];
    const applied = this.serially(async () => {
      if (!this.running) return;
      const configs = this.load();
      if (!configs) return;
      const wanted = new Map(configs.map((c) => [c.code, c]));
      for (const [code, slot] of this.slots) {
        const config = wanted.get(code);
        if (config && settingsOf(config) === slot.settings) continue;
        await this.shut(slot, 'settings');
        this.slots.delete(code);
        // Switched off: the windows hear it is gone (a changed device is announced as it reopens).
        if (!config) this.setStatus(slot, { state: 'disabled', fault: null, attempt: 0, retryAt: null });
      }
      for (const config of configs) {
        if (this.slots.has(config.code)) continue;
        const slot = this.newSlot(config);
        this.slots.set(config.code, slot);
        this.publishStatus(slot);
        attempts.push(this.connect(slot));
      }
    });
    return applied.then(() => Promise.all(attempts)).then(() => undefined);
  }

  /** Closes every device and writes the samples still waiting; leaves no timers behind. */
  stop(): Promise<void> {
    return this.serially(async () => {
      this.running = false;
      await Promise.all([...this.slots.values()].map((slot) => this.shut(slot, 'closing')));
      this.slots.clear();
      this.flushSamples();
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = null;
    });
  }

  /** The settings of a device this PC runs (of the given kind). */
  config(code: string, kind?: DeviceKind): DeviceConfig {
    return this.slot(code, kind).config;
  }

  statuses(): DeviceStatus[] {
    return [...this.slots.values()].map((s) => ({ ...s.status }));
  }

  /** The device configured on this PC that uses the same port or address, if any is in use. */
  deviceUsing(connection: Connection): DeviceConfig | null {
    const key = connectionKey(connection);
    for (const slot of this.slots.values()) {
      if (connectionKey(slot.config.connection) === key) return slot.config;
    }
    return null;
  }

  /** Tries a device again now instead of at its next retry. */
  async reconnect(code: string): Promise<DeviceStatus> {
    const slot = this.slot(code);
    await this.connect(slot);
    return { ...slot.status };
  }

  /** The weight on the scale now, if it may go into a document: fresh, stable, above zero, in range. */
  capture(code: string): CapturedWeight {
    const slot = this.slot(code, 'scale');
    const device = slot.config.code;
    if (!slot.open) throw this.offline(slot);
    const options = slot.config.options as ScaleOptions;
    const latest = slot.latest;
    // Quiet since the last weight, or since the connection opened when none came yet.
    const quiet = this.now() - (latest?.receivedAt ?? slot.status.since);
    if (!latest || quiet > options.staleMs) {
      const seconds = (quiet / 1000).toFixed(1);
      throw deviceError('WEIGHT_NO_READING', { device, ago: { ru: `${seconds} с`, en: `${seconds} s` } });
    }
    const w = latest.event;
    if (w.status === 'overload') throw deviceError('WEIGHT_OVERLOAD');
    if (w.status === 'underload') throw deviceError('WEIGHT_UNDERLOAD');
    if (w.status === 'error' || w.grams === null) throw deviceError('WEIGHT_SCALE_ERROR', { reason: w.error ?? w.status });
    if (!w.stable) throw deviceError('WEIGHT_NOT_STABLE');
    const grams = Math.round(w.grams);
    if (grams < 0) throw deviceError('WEIGHT_UNDERLOAD');
    if (grams === 0 || grams < options.minGrams || grams > options.maxGrams) {
      throw deviceError('WEIGHT_OUT_OF_RANGE', { weight: kg(grams), min: kg(options.minGrams), max: kg(options.maxGrams) });
    }
    // A net weight whose tare the scale does not tell (CAS "NT") would go into the document as gross = net.
    const tareGrams = w.net ? w.tareGrams : 0;
    if (tareGrams === null || tareGrams === undefined) throw deviceError('WEIGHT_TARE_UNKNOWN', { device });
    const tare = Math.round(tareGrams);
    return { device, at: w.at, gross_g: grams + tare, tare_g: tare, net_g: grams, raw: latest.raw };
  }

  zero(code: string): Promise<void> {
    return this.scaleCommand(code, 'zero');
  }

  tare(code: string): Promise<void> {
    return this.scaleCommand(code, 'tare');
  }

  /**
   * Ties a line-output instrument to the inspection its next readings go into, or unties it. With
   * `release`, only a tie to that inspection is undone: someone else may have tied it since.
   */
  setSample(code: string, inspection: string | null, release?: string): DeviceStatus {
    const slot = this.slot(code, 'lab');
    if (slot.config.protocol !== 'lab-line') {
      throw deviceError('DEVICE_WRONG_KIND', { device: code, kind: { ru: 'прибор с построчным выводом', en: 'line-output instrument' } });
    }
    if (inspection !== null) this.tie(slot, inspection);
    else if (release === undefined || slot.tie?.inspection === release) this.untie(slot);
    return { ...slot.status };
  }

  /**
   * Queues a label; jobs are sent one at a time. While a serial or USB printer is disconnected, or
   * a network printer did not answer when its connection was last (re)opened, jobs wait in the
   * queue until it is back. A job whose own send fails (refused, the printer did not take it in
   * time, or is still busy with an earlier job that timed out) fails; so do the jobs still waiting
   * when the printer's settings change or the app closes.
   */
  print(code: string, title: string, data: Uint8Array, copies = 1): PrintJob {
    const slot = this.slot(code, 'printer');
    // (a printer being shut takes no more jobs: nothing would ever send them)
    if (slot.retired || !slot.driver?.print) throw this.offline(slot);
    try {
      // The driver reports the job (queued, sending, done) through its listener.
      return slot.driver.print(title, data, copies);
    } catch (error) {
      throw deviceFailed(code, error);
    }
  }

  /** Print jobs of this run, newest first. */
  jobs(): PrintJob[] {
    return [...this.jobList.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  cancel(id: string): PrintJob {
    const job = this.jobList.get(id);
    if (!job) throw deviceError('NOT_FOUND', { entity: JOB, key: id });
    const now = this.slots.get(job.device)?.driver?.cancel?.(id) ?? job;
    if (now.state !== 'cancelled') throw deviceError('INVALID_STATE', { entity: JOB, key: id, state: now.state, action: { ru: 'отменить', en: 'cancel' } });
    return now;
  }

  // ── connections ───────────────────────────────────────────────────────────────────────────

  private serially(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task).catch((error: unknown) => this.options.onError?.('devices', error));
    this.queue = run;
    return run;
  }

  /** This PC's active devices; none before the workspace is set up; null when they cannot be read. */
  private load(): DeviceConfig[] | null {
    try {
      return loadDeviceConfigs(this.workspace.q).filter((c) => c.active === 1);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'WORKSPACE_NOT_INITIALISED') return [];
      this.options.onError?.('devices: reading the device settings', error);
      return null;
    }
  }

  private newSlot(config: DeviceConfig): Slot {
    const slot: Slot = {
      config,
      settings: settingsOf(config),
      driver: null,
      open: false,
      connecting: null,
      retired: false,
      status: {
        code: config.code,
        kind: config.kind,
        protocol: config.protocol,
        state: 'connecting',
        fault: null,
        since: this.now(),
        lastReadingAt: null,
        attempt: 0,
        retryAt: null,
      },
      retryTimer: null,
      latest: null,
      throttle: { last: null, lastAt: 0, pending: null, timer: null },
      tie: null,
      silence: null,
    };
    if (config.protocol === 'lab-line') slot.status.tiedTo = null;
    try {
      slot.driver = this.driverFactory(config, { now: this.now, listeners: this.listeners(slot), openTransport: this.openTransport });
    } catch (error) {
      // Settings no driver accepts: retrying would not help; the status says why until they change.
      slot.status = { ...slot.status, state: 'error', fault: faultOf(error) };
    }
    return slot;
  }

  /** One attempt at a time per device: asking again while one runs waits for it. */
  private connect(slot: Slot): Promise<void> {
    slot.connecting ??= this.attempt(slot).finally(() => (slot.connecting = null));
    return slot.connecting;
  }

  private async attempt(slot: Slot): Promise<void> {
    const driver = slot.driver;
    if (!driver || slot.retired) return;
    this.clearRetry(slot);
    if (slot.open) {
      slot.open = false;
      this.forgetWeight(slot);
      await driver.close().catch(() => undefined);
    }
    this.setStatus(slot, { state: 'connecting', retryAt: null });
    try {
      await driver.open();
    } catch (error) {
      if (!slot.retired) this.failed(slot, faultOf(error));
      return;
    }
    // Shut while opening: the driver was closed already.
    if (slot.retired) return;
    slot.open = true;
    this.stopSilence(slot);
    if (slot.tie) driver.setSample?.(slot.tie.inspection);
    // A streaming device may have sent its first reading before open() returned.
    if (slot.status.state === 'connecting') {
      const attempt = PASSIVE_KINDS.has(slot.config.kind) ? 0 : slot.status.attempt;
      this.setStatus(slot, { state: 'connected', attempt, retryAt: null });
    }
  }

  /**
   * The device leaves (removed, settings changed, app stopping); what it still reports is ignored,
   * and a printer's waiting jobs fail, saying why.
   */
  private async shut(slot: Slot, why: RetireReason): Promise<void> {
    slot.retired = true;
    slot.open = false;
    this.clearRetry(slot);
    this.forgetWeight(slot);
    this.stopSilence(slot);
    if (slot.tie) clearTimeout(slot.tie.timer);
    slot.driver?.retire?.(why);
    await slot.driver?.close().catch(() => undefined);
  }

  private clearRetry(slot: Slot): void {
    if (slot.retryTimer) clearTimeout(slot.retryTimer);
    slot.retryTimer = null;
  }

  /** A scale that is gone has no weight: neither for capture nor still on its way to the windows. */
  private forgetWeight(slot: Slot): void {
    slot.latest = null;
    if (slot.throttle.timer) clearTimeout(slot.throttle.timer);
    slot.throttle.timer = null;
    slot.throttle.pending = null;
  }

  /** The device could not be opened or went away: say why and try again later, each time later. */
  private failed(slot: Slot, fault: DeviceFault): void {
    slot.open = false;
    this.forgetWeight(slot);
    // Whatever the driver still holds (a poll timer, half an open port) is let go.
    void slot.driver?.close().catch(() => undefined);
    if (!this.running) return;
    if (slot.config.kind === 'sensor') this.recordSilence(slot, fault);
    const attempt = slot.status.attempt + 1;
    const delay = this.delay(attempt);
    slot.retryTimer = setTimeout(() => {
      slot.retryTimer = null;
      void this.connect(slot);
    }, delay);
    const at = this.now(); // one reading of the clock: the retry is exactly `delay` after the error
    this.setStatus(slot, { state: 'error', fault, attempt, since: at, retryAt: at + delay });
  }

  private delay(attempt: number): number {
    const { initialMs, maxMs, factor, jitter } = this.backoff;
    const base = Math.min(maxMs, initialMs * factor ** (attempt - 1));
    return Math.max(0, Math.round(base * (1 - jitter * Math.random())));
  }

  private setStatus(slot: Slot, patch: Partial<DeviceStatus>): void {
    const before = slot.status;
    const next = { ...before, ...patch };
    if (next.state !== before.state && patch.since === undefined) next.since = this.now();
    slot.status = next;
    const changed =
      next.state !== before.state ||
      next.attempt !== before.attempt ||
      next.retryAt !== before.retryAt ||
      JSON.stringify(next.fault) !== JSON.stringify(before.fault) ||
      JSON.stringify(next.tiedTo) !== JSON.stringify(before.tiedTo);
    if (changed) this.publishStatus(slot);
  }

  private publishStatus(slot: Slot): void {
    this.events.publish('device.status', { ...slot.status });
  }

  // ── what drivers report ───────────────────────────────────────────────────────────────────

  private listeners(slot: Slot): DriverListeners {
    // What a retired device still says is dropped (except the fate of print jobs it had taken);
    // none of the callbacks may throw back into the driver.
    const safe =
      <A extends unknown[]>(handle: (...args: A) => void, always = false) =>
      (...args: A): void => {
        if (slot.retired && !always) return;
        try {
          handle(...args);
        } catch (error) {
          this.options.onError?.(`device ${slot.config.code}`, error);
        }
      };
    return {
      weight: safe((event: WeightEvent, raw: string) => this.onWeight(slot, event, raw)),
      scan: safe((event: ScanEvent) => {
        this.reading(slot, event.at);
        this.events.publish('device.scan', event);
      }),
      lab: safe((message: LabMessage, at: number) => {
        this.reading(slot, at);
        this.onLab(slot, message, at);
      }),
      sample: safe((event: SensorSampleEvent) => {
        this.reading(slot, event.at);
        this.onSample(slot, event);
      }),
      job: safe((job: PrintJob) => this.onJob(slot, job), true),
      fault: safe((fault: DeviceFault) => this.setStatus(slot, { state: 'error', fault })),
      closed: safe((fault: DeviceFault) => this.failed(slot, fault)),
    };
  }

  /** The device talks: it is reading, and the backoff starts again from the beginning. */
  private reading(slot: Slot, at: number): void {
    slot.status.lastReadingAt = at;
    if (slot.status.state !== 'reading') this.setStatus(slot, { state: 'reading', attempt: 0, retryAt: null });
  }

  private onWeight(slot: Slot, event: WeightEvent, raw: string): void {
    this.reading(slot, event.at);
    slot.latest = { event, raw, receivedAt: this.now() };
    const t = slot.throttle;
    // A weight settling (or the scale going into overload) is news at once; motion is sampled.
    const news = t.last === null || t.last.stable !== event.stable || t.last.status !== event.status;
    const wait = t.lastAt + this.weightIntervalMs - this.now();
    if (news || wait <= 0) return this.publishWeight(slot, event);
    t.pending = event;
    t.timer ??= setTimeout(() => {
      t.timer = null;
      if (t.pending) this.publishWeight(slot, t.pending);
    }, wait);
  }

  private publishWeight(slot: Slot, event: WeightEvent): void {
    const t = slot.throttle;
    if (t.timer) clearTimeout(t.timer);
    t.timer = null;
    t.pending = null;
    t.last = event;
    t.lastAt = this.now();
    this.events.publish('device.weight', event);
  }

  private onLab(slot: Slot, message: LabMessage, at: number): void {
    const device = slot.config.code;
    // A line-output instrument's readings name the inspection it is tied to (its sampleId setting is
    // for ASTM sample ids); each reading keeps the tie alive.
    const lineOutput = slot.config.protocol === 'lab-line';
    if (lineOutput && slot.tie) this.tie(slot, slot.tie.inspection);
    const input = { device, sampleId: message.sampleId, results: message.results, ...(lineOutput ? { sampleIs: 'inspection' as const } : {}) };
    const result = this.workspace.invokeAs('lab.record', input, deviceActor(this.workspace.q, device));
    if (result.ok) {
      for (const event of result.value.results) this.events.publish('device.lab', event);
      this.events.publish('workspace.changed', { operation: 'lab.record' });
      return;
    }
    // Refused as a whole (e.g. an unreadable sample id): every result says why, nothing is lost silently.
    for (const r of message.results) {
      this.events.publish('device.lab', { device, at, sampleId: message.sampleId, ...r, inspection: null, refused: result.error.message });
    }
  }

  /** (Re)ties a line-output instrument to an inspection until `labTieMs` from now. */
  private tie(slot: Slot, inspection: string): void {
    if (slot.tie) clearTimeout(slot.tie.timer);
    const until = this.now() + this.labTieMs;
    // A closed window or a crashed one never unties it: the tie lapses by itself.
    slot.tie = { inspection, until, timer: setTimeout(() => this.untie(slot), this.labTieMs) };
    if (slot.open) slot.driver?.setSample?.(inspection);
    this.setStatus(slot, { tiedTo: { inspection, until } });
  }

  private untie(slot: Slot): void {
    if (!slot.tie) return;
    clearTimeout(slot.tie.timer);
    slot.tie = null;
    if (slot.open) slot.driver?.setSample?.(null);
    this.setStatus(slot, { tiedTo: null });
  }

  /**
   * A sensor that cannot be read is recorded as such — a null sample per channel now and every poll
   * until it opens again — so the chart shows the gap and the `sensor` alert opens after its delay
   * (alerts are decided from stored samples alone).
   */
  private recordSilence(slot: Slot, fault: DeviceFault): void {
    const { channels, pollMs } = slot.config.options as SensorOptions;
    const reason = `no connection: ${fault.message.en}`;
    const record = (): void => {
      const at = this.now();
      try {
        for (const { quantity } of channels) this.onSample(slot, { device: slot.config.code, at, quantity, value: null, error: reason });
      } catch (error) {
        this.options.onError?.(`device ${slot.config.code}`, error);
      }
    };
    this.stopSilence(slot);
    record();
    slot.silence = setInterval(record, pollMs);
  }

  private stopSilence(slot: Slot): void {
    if (slot.silence) clearInterval(slot.silence);
    slot.silence = null;
  }

  private onSample(slot: Slot, event: SensorSampleEvent): void {
    this.events.publish('device.sample', event);
    const device = slot.config.code;
    const record: SampleRecord = { at: event.at, quantity: event.quantity, value: event.value };
    if (event.error !== undefined) record.error = event.error.slice(0, 200);
    // A misconfigured scale factor can give values no sensor measures; keep them as errors.
    if (record.value !== null && !(Math.abs(record.value) <= 1000)) {
      record.error = `value out of range: ${record.value}`;
      record.value = null;
    }
    const queue = this.samples.get(device) ?? [];
    queue.push(record);
    this.samples.set(device, queue);
    if (queue.length > this.maxQueued) {
      // The workspace keeps failing: memory is not given up to it; the log hears when dropping starts.
      queue.splice(0, queue.length - this.maxQueued);
      const dropped = (this.dropped.get(device) ?? 0) + 1;
      this.dropped.set(device, dropped);
      if (dropped === 1) {
        this.options.onError?.(`device ${device}: storing samples`, new Error(`the workspace keeps failing: the oldest samples are dropped, ${this.maxQueued} are kept`));
      }
    }
    if (queue.length >= this.batch) this.flushSamples();
    else this.flushTimer ??= setTimeout(() => this.flushSamples(), this.flushMs);
  }

  /** Writes waiting samples; what could not be written stays and is tried again later. */
  private flushSamples(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    for (const [device, queue] of this.samples) {
      while (queue.length > 0) {
        const chunk = queue.slice(0, MAX_RECORD);
        const result = this.record(device, chunk);
        if (!result.ok) {
          this.options.onError?.(`device ${device}: storing samples`, result.error);
          // A busy or failing workspace is tried again; samples it refuses outright would block the rest forever.
          if (result.error.code === 'INTERNAL') break;
        }
        queue.splice(0, chunk.length);
        const dropped = this.dropped.get(device);
        if (result.ok && dropped !== undefined) {
          this.dropped.delete(device);
          this.options.onError?.(`device ${device}: storing samples`, new Error(`${dropped} samples were dropped while the workspace was failing`));
        }
        // Samples alone reach the windows as device.sample events; only an alert raised or closed
        // changes what other screens show (every open screen re-reads on workspace.changed).
        if (result.ok && result.value.alerts.length > 0) {
          for (const alert of result.value.alerts) this.events.publish('device.alert', alert);
          this.events.publish('workspace.changed', { operation: 'sensors.record' });
        }
      }
      if (queue.length === 0) this.samples.delete(device);
    }
    if (this.samples.size > 0 && this.running) this.flushTimer = setTimeout(() => this.flushSamples(), this.flushMs);
  }

  private record(device: string, samples: SampleRecord[]): Result<OperationOutput<'sensors.record'>> {
    try {
      return this.workspace.invokeAs('sensors.record', { device, samples }, deviceActor(this.workspace.q, device));
    } catch (error) {
      return { ok: false, error: makeError('INTERNAL', { details: error instanceof Error ? error.message : String(error) }) };
    }
  }

  private onJob(slot: Slot, job: PrintJob): void {
    this.remember(job);
    // A printer has no readings: a label it took shows that it works again after a failed job.
    if (job.state === 'done' && slot.open && slot.status.state === 'error') this.setStatus(slot, { state: 'connected' });
  }

  private remember(job: PrintJob): void {
    this.jobList.delete(job.id);
    this.jobList.set(job.id, job);
    while (this.jobList.size > MAX_JOBS) this.jobList.delete(this.jobList.keys().next().value!);
    this.events.publish('device.printJob', job);
  }

  // ── lookups ───────────────────────────────────────────────────────────────────────────────

  private slot(code: string, kind?: DeviceKind): Slot {
    const slot = this.slots.get(code);
    if (!slot) throw deviceError('DEVICE_NOT_FOUND', { device: code });
    if (kind && slot.config.kind !== kind) throw deviceError('DEVICE_WRONG_KIND', { device: code, kind: KIND_NAMES[kind] });
    return slot;
  }

  private openDriver(code: string, kind: DeviceKind): { slot: Slot; driver: DeviceDriver } {
    const slot = this.slot(code, kind);
    if (!slot.open || !slot.driver) throw this.offline(slot);
    return { slot, driver: slot.driver };
  }

  /** Zero or tare; resolves when the scale confirmed it. */
  private async scaleCommand(code: string, command: 'zero' | 'tare'): Promise<void> {
    const { slot, driver } = this.openDriver(code, 'scale');
    const run = command === 'zero' ? driver.zero : driver.tare;
    if (!run) throw deviceError('DEVICE_WRONG_KIND', { device: code, kind: KIND_NAMES.scale });
    await run.call(driver).catch((error: unknown) => Promise.reject(deviceFailed(slot.config.code, error)));
  }

  private offline(slot: Slot) {
    const reason: Pair = slot.status.fault?.message ?? { ru: 'подключается', en: 'connecting' };
    return deviceError('DEVICE_OFFLINE', { device: slot.config.code, reason });
  }
}

const KIND_NAMES: Record<DeviceKind, Pair> = {
  scale: { ru: 'весы', en: 'scale' },
  scanner: { ru: 'сканер', en: 'scanner' },
  lab: { ru: 'лабораторный прибор', en: 'lab instrument' },
  sensor: { ru: 'датчик', en: 'sensor' },
  printer: { ru: 'принтер этикеток', en: 'label printer' },
};
const JOB: Pair = { ru: 'Задание печати', en: 'Print job' };

function settingsOf(config: DeviceConfig): string {
  return JSON.stringify([config.name, config.protocol, config.connection, config.options, config.active]);
}

function kg(grams: number): string {
  return (grams / 1000).toFixed(3);
}

/** The port or address a connection uses, so two names of one port (a symlink and /dev/pts/N) match. */
function connectionKey(connection: Connection): string {
  const real = (path: string) => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  };
  switch (connection.type) {
    case 'serial':
    case 'lp':
      return `file:${real(connection.path)}`;
    case 'tcp':
      return `tcp:${connection.host.toLowerCase()}:${connection.port}`;
    case 'hid':
      return `hid:${connection.vendorId}:${connection.productId}:${connection.path ?? ''}`;
  }
}
