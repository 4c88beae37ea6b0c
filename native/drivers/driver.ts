// What the device manager sees of any device: open it, hear what it reports, ask it to do things.
// A driver owns one transport (or, for Modbus, one modbus-serial client) and one protocol.
import type {
  Connection,
  DeviceConfig,
  DeviceFault,
  LabResultEvent,
  PrintJob,
  ScanEvent,
  SensorSampleEvent,
  WeightEvent,
} from '../../main/contract/devices.js';
import { deviceFault } from '../transports/faults.js';
import { DeviceFaultError, type Transport } from '../transports/transport.js';

/** Results of one instrument message (ASTM) or one matched line (line profiles), before mapping. */
export interface LabMessage {
  sampleId: string;
  results: { testCode: string; value: string; numeric: number | null; unit: string }[];
}

export interface DriverListeners {
  /** `raw` is the scale's own frame (hex or text), kept with a captured weight for disputes. */
  weight?(event: WeightEvent, raw: string): void;
  scan?(event: ScanEvent): void;
  lab?(message: LabMessage, at: number): void;
  sample?(event: SensorSampleEvent): void;
  /** A line of text the device sent that no profile matched (shown in the test panel). */
  line?(text: string): void;
  job?(job: PrintJob): void;
  /** A problem that does not close the connection (bad frame, no answer to a poll, sensor error). */
  fault?(fault: DeviceFault): void;
  /** The connection went away; the manager decides when to reopen. */
  closed(fault: DeviceFault): void;
}

export interface DeviceDriver {
  readonly config: DeviceConfig;
  /** Opens the connection and starts polling/listening; rejects with a DeviceFaultError. */
  open(): Promise<void>;
  /** Stops polling and closes; safe to call twice. */
  close(): Promise<void>;
  /** Scales: zero / tare; resolve when the scale confirms, reject with DeviceFaultError otherwise. */
  zero?(): Promise<void>;
  tare?(): Promise<void>;
  /** Printers: queue raw printer language bytes. */
  print?(title: string, data: Uint8Array, copies?: number): PrintJob;
  jobs?(): PrintJob[];
  cancel?(id: string): PrintJob | null;
  /** Printers, before the last close (settings changed, app closing): jobs still queued fail, saying why. */
  retire?(why: RetireReason): void;
  /** Line-output lab instruments: which sample the next readings belong to. */
  setSample?(sampleId: string | null): void;
}

export type RetireReason = 'settings' | 'closing';

export interface DriverContext {
  now(): number;
  listeners: DriverListeners;
  /**
   * Makes (does not open) the byte pipe for a connection: the manager passes the transports'
   * `createTransport`, tests a serial or TCP transport, so drivers do not care how bytes travel.
   */
  openTransport(connection: Connection): Transport;
}

export type DriverFactory = (config: DeviceConfig, context: DriverContext) => DeviceDriver;

// ── what every driver shares: faults, timers that are always cleared, a silence watchdog and
// the lifecycle of drivers that speak over one Transport ─────────────────────────────────────

/** Turns anything thrown at a driver into the fault the user reads. */
export function faultOf(error: unknown): DeviceFault {
  if (error instanceof DeviceFaultError) return error.fault;
  const cause = error instanceof Error ? error.message : String(error);
  return deviceFault('DEVICE_ERROR', { ru: `Ошибка драйвера: ${cause}`, en: `Driver error: ${cause}` }, undefined, cause);
}

/** Tells of a fault that does not close the link; a listener failing on it is ignored, as nobody is left to tell. */
export function tellFault(listeners: DriverListeners, fault: DeviceFault): void {
  try {
    listeners.fault?.(fault);
  } catch {
    // the driver must go on regardless
  }
}

/** Tells that the device went away: the last thing a driver does on a loss, so a throw goes nowhere. */
export function tellClosed(listeners: DriverListeners, fault: DeviceFault): void {
  try {
    listeners.closed(fault);
  } catch {
    // the driver is down already
  }
}

/** Runs device-driven code (data, timers, listener calls): whatever it throws becomes a fault. */
export function guarded(listeners: DriverListeners, run: () => void): void {
  try {
    run();
  } catch (error) {
    tellFault(listeners, faultOf(error));
  }
}

/**
 * Timers a driver owns, cleared all at once when it closes or loses its device. `wrap` runs each
 * callback (drivers pass their guard so a timer never throws).
 */
export class TimerSet {
  private readonly handles = new Set<NodeJS.Timeout>();

  constructor(private readonly wrap: (run: () => void) => void = (run) => run()) {}

  every(ms: number, run: () => void): NodeJS.Timeout {
    const handle = setInterval(() => this.wrap(run), ms);
    this.handles.add(handle);
    return handle;
  }

  after(ms: number, run: () => void): NodeJS.Timeout {
    const handle = setTimeout(() => {
      this.handles.delete(handle);
      this.wrap(run);
    }, ms);
    this.handles.add(handle);
    return handle;
  }

  /** False once the timer ran or was cleared (clearAll included). */
  has(handle: NodeJS.Timeout | null): boolean {
    return handle !== null && this.handles.has(handle);
  }

  clear(handle: NodeJS.Timeout | null): void {
    if (handle === null) return;
    clearTimeout(handle);
    this.handles.delete(handle);
  }

  clearAll(): void {
    for (const handle of this.handles) clearTimeout(handle); // clears intervals too (Node)
    this.handles.clear();
  }
}

/**
 * Notices a device that went quiet: `onSilence(first)` runs when nothing was fed for `ms`, and
 * again every `ms` while the silence lasts (`first` is true only the first time, so a fault is
 * raised once until data comes back). Its timer lives in the driver's TimerSet.
 */
export class Watchdog {
  private timer: NodeJS.Timeout | null = null;
  private silent = false;
  private fedAt = 0;

  constructor(
    private readonly timers: TimerSet,
    readonly ms: number,
    private readonly onSilence: (first: boolean) => void,
  ) {}

  /**
   * Data arrived (or the link just opened): restart the countdown. Only the time is noted — a
   * streaming scale feeds this for every frame, and re-arming a timer each time costs more than
   * reading the frame; the pending timer looks at the time when it fires instead.
   */
  feed(): void {
    this.silent = false;
    this.fedAt = performance.now();
    // (a driver that lost its device cleared every timer: the reopened link arms a new one)
    if (!this.timers.has(this.timer)) this.arm(this.ms);
  }

  private arm(ms: number): void {
    this.timer = this.timers.after(ms, () => {
      const quiet = performance.now() - this.fedAt;
      if (quiet < this.ms) return this.arm(this.ms - quiet);
      const first = !this.silent;
      this.silent = true;
      this.fedAt = performance.now();
      this.arm(this.ms);
      this.onSilence(first);
    });
  }
}

/**
 * The lifecycle of a driver that speaks over one Transport: open it (rejecting with the fault),
 * hear its bytes, report an unexpected close once with every timer stopped, close on purpose
 * without reporting. Device bytes and listener bugs never throw into the transport's callbacks.
 * A driver can be opened again after a close or a loss (the manager reconnects the same driver).
 */
export abstract class TransportDriver implements DeviceDriver {
  protected readonly timers = new TimerSet((run) => this.guard(run));
  private transport: Transport | null = null;
  private detach: (() => void)[] = [];

  constructor(
    readonly config: DeviceConfig,
    protected readonly context: DriverContext,
  ) {}

  /** True from a successful open until close() or the loss of the device. */
  get isOpen(): boolean {
    return this.transport !== null && this.detach.length > 0;
  }

  /** The device as the user named it, for fault messages. */
  protected get where(): string {
    return this.config.name;
  }

  async open(): Promise<void> {
    if (this.transport) return;
    let transport: Transport;
    try {
      transport = this.context.openTransport(this.config.connection);
    } catch (error) {
      throw new DeviceFaultError(faultOf(error));
    }
    this.transport = transport;
    const detach = [
      transport.onData((bytes) => this.guard(() => this.received(bytes))),
      transport.onClose((fault) => this.lost(transport, fault)),
    ];
    try {
      await transport.open();
    } catch (error) {
      for (const off of detach) off();
      if (this.transport === transport) this.transport = null;
      throw new DeviceFaultError(faultOf(error));
    }
    if (this.transport !== transport) {
      // close() was called while opening
      for (const off of detach) off();
      await transport.close().catch(() => undefined);
      return;
    }
    this.detach = detach;
    this.guard(() => this.started());
  }

  async close(): Promise<void> {
    const transport = this.transport;
    if (!transport) return;
    this.shutdown(null);
    await transport.close().catch(() => undefined); // closing on purpose: nothing left to tell
  }

  /** Bytes from the device, in arbitrary chunks. */
  protected abstract received(bytes: Uint8Array): void;

  /** The link is up: start polling. */
  protected started(): void {}

  /** The link is down (`fault` null when closed on purpose): settle what was waiting on it. */
  protected stopped(_fault: DeviceFault | null): void {}

  /** Sends without waiting; a failed write on a live link is a fault (a dead link reports its close). */
  protected send(bytes: Uint8Array): void {
    const transport = this.transport;
    if (!transport || !this.isOpen) return;
    transport.write(bytes).catch((error: unknown) => {
      if (this.transport === transport && transport.isOpen) this.fault(faultOf(error));
    });
  }

  /** Sends and waits until the bytes were handed to the OS. */
  protected write(bytes: Uint8Array): Promise<void> {
    const transport = this.transport;
    if (!transport || !this.isOpen) return Promise.reject(new DeviceFaultError(notOpenFault(this.where)));
    return transport.write(bytes);
  }

  /** Tells the listeners; a listener that throws costs only its own event (reported as a fault). */
  protected emit(call: (listeners: DriverListeners) => void): void {
    this.guard(() => call(this.context.listeners));
  }

  /** A problem that does not close the link. */
  protected fault(fault: DeviceFault): void {
    tellFault(this.context.listeners, fault);
  }

  /** Device-driven code never throws into the transport's callbacks. */
  protected guard(run: () => void): void {
    guarded(this.context.listeners, run);
  }

  private lost(transport: Transport, fault: DeviceFault): void {
    if (this.transport !== transport || !this.isOpen) return;
    this.shutdown(fault);
    tellClosed(this.context.listeners, fault);
  }

  private shutdown(fault: DeviceFault | null): void {
    for (const off of this.detach) off();
    this.detach = [];
    this.transport = null;
    this.timers.clearAll();
    this.guard(() => this.stopped(fault));
  }
}

export function notOpenFault(where: string): DeviceFault {
  return deviceFault(
    'DISCONNECTED',
    { ru: `${where}: устройство не подключено`, en: `${where}: the device is not connected` },
    { ru: 'Дождитесь переподключения или проверьте кабель', en: 'Wait for it to reconnect or check the cable' },
  );
}
