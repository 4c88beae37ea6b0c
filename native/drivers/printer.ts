// Label printers (ZPL, TSPL): a print queue. Jobs run one at a time; each job reports every change
// of state (queued → sending → done | failed, or cancelled while queued). A failed job keeps its
// fault and the next job still runs.
//
// Connections: serial ports and /dev/usb/lp* stay open while the driver is open (nobody else can
// use them, and an unplugged printer is noticed and reported as closed). Raw TCP 9100 opens one
// connection per job: a network printer serves one connection at a time, so holding it would lock
// out other PCs; printers drop idle connections, and a dead kept-open socket would only fail on
// the next write, after TCP's retransmission timeout. A fresh connection per job fails at once
// and clearly (refused, no route), with the job it belongs to. Opening the driver checks once
// that the printer answers.
//
// When a job is done: over TCP once the printer has read the whole job and closed the connection
// (see TcpTransport.finish); over serial and lp once the port has taken every byte. A printer that
// stops taking data (paper out, head open, paused) fails the job after its send time-out. Over TCP
// the connection is then reset and the rest of the job is dropped; a serial or lp write cannot be
// taken back and goes on, so that job may still print when the printer resumes, and every later
// job fails at once until it has gone through (starting more writes would only pile them up).
//
// Jobs still queued when the driver is retired (settings changed, app closing) fail with that
// reason, so nobody waits for labels that will never come and they can be printed again.
import { randomUUID } from 'node:crypto';
import type { DeviceConfig, DeviceFault, PrintJob } from '../../main/contract/devices.js';
import { deviceFault } from '../transports/faults.js';
import { DeviceFaultError, type Transport } from '../transports/transport.js';
import { TransportDriver, faultOf, notOpenFault, type DriverContext, type RetireReason } from './driver.js';

/** Finished jobs kept for the list (`jobs()`); queued and sending ones are always kept. */
export const JOB_HISTORY = 200;
/** More waiting jobs than this means the printer is not printing: new ones are refused. */
export const MAX_QUEUED = 200;
export const MAX_COPIES = 1_000;

/**
 * How long sending a job may take: a stalled printer (paper out, head open) stops reading and the
 * write never completes. Allows for the slowest line: bytes at the serial baud rate (10 bits a
 * byte), or 1 Mbit/s for network and USB, twice over, plus 15 s.
 */
export function sendTimeoutMs(bytes: number, bitsPerSecond: number): number {
  return 15_000 + Math.ceil(((bytes * 10) / bitsPerSecond) * 2_000);
}

export type SendTimeout = (bytes: number, bitsPerSecond: number) => number;

interface Entry {
  job: PrintJob;
  /** The label program; let go of (NO_DATA) once the job is settled. */
  data: Uint8Array;
}

const NO_DATA = new Uint8Array(0);

export class PrinterDriver extends TransportDriver {
  private readonly entries: Entry[] = [];
  private readonly perJob: boolean;
  /** TCP: the driver is open (there is no transport between jobs). */
  private ready = false;
  /** TCP: the connection of the job being sent. */
  private jobTransport: Transport | null = null;
  private current: Entry | null = null;
  /** Serial and lp: the write of a job that timed out, while the port is still busy with it. */
  private unfinished: Promise<void> | null = null;

  constructor(
    config: DeviceConfig,
    context: DriverContext,
    private readonly sendTimeout: SendTimeout = sendTimeoutMs,
  ) {
    super(config, context);
    this.perJob = config.connection.type === 'tcp';
  }

  override get isOpen(): boolean {
    return this.perJob ? this.ready : super.isOpen;
  }

  override async open(): Promise<void> {
    if (!this.perJob) {
      await super.open();
      return;
    }
    if (this.ready) return;
    await this.connected(() => Promise.resolve()); // the printer answers: it can print
    this.ready = true;
    this.pump();
  }

  override async close(): Promise<void> {
    if (!this.perJob) {
      await super.close();
      return;
    }
    this.ready = false;
    this.stopped(null);
    this.timers.clearAll();
    await this.jobTransport?.close().catch(() => undefined);
  }

  print(title: string, data: Uint8Array, copies = 1): PrintJob {
    if (!Number.isInteger(copies) || copies < 1 || copies > MAX_COPIES) {
      throw new DeviceFaultError(
        deviceFault('UNSUPPORTED', { ru: `Число копий должно быть от 1 до ${MAX_COPIES}`, en: `Copies must be 1 to ${MAX_COPIES}` }),
      );
    }
    // copies are whole repeats of the label program: ^XA…^XZ and TSPL's PRINT both print again
    const whole = new Uint8Array(data.length * copies);
    for (let i = 0; i < copies; i++) whole.set(data, i * data.length);
    const job: PrintJob = {
      id: randomUUID(),
      device: this.config.code,
      title,
      copies,
      bytes: whole.length,
      state: 'queued',
      createdAt: this.context.now(),
      finishedAt: null,
      fault: null,
    };
    const entry = { job, data: whole };
    this.entries.push(entry);
    if (this.entries.filter((e) => e.job.state === 'queued').length > MAX_QUEUED) {
      this.settle(entry, 'failed', queueFullFault(this.where));
    } else this.changed(entry);
    this.trim();
    this.pump();
    return { ...entry.job };
  }

  jobs(): PrintJob[] {
    return this.entries.map((e) => ({ ...e.job })).reverse();
  }

  /** Cancels a queued job; a job being sent or finished is returned as it is. Null: no such job. */
  cancel(id: string): PrintJob | null {
    const entry = this.entries.find((e) => e.job.id === id);
    if (!entry) return null;
    if (entry.job.state === 'queued') this.settle(entry, 'cancelled', null);
    return { ...entry.job };
  }

  /** The driver is being shut for good: the jobs still waiting will never be sent and fail, saying why. */
  retire(why: RetireReason): void {
    const fault = retiredFault(this.where, why);
    for (const entry of this.entries) if (entry.job.state === 'queued') this.settle(entry, 'failed', fault);
  }

  protected received(): void {
    // status bytes some printers send back are not used
  }

  protected override started(): void {
    this.pump();
  }

  protected override stopped(fault: DeviceFault | null): void {
    // the job on the wire cannot finish on this link; queued ones wait for the next open
    if (this.current) this.settle(this.current, 'failed', fault ?? notOpenFault(this.where));
    // a write stuck on the old link does not hold up the next one
    this.unfinished = null;
  }

  private pump(): void {
    if (this.current || !this.isOpen) return;
    const next = this.entries.find((e) => e.job.state === 'queued');
    if (!next) return;
    this.current = next;
    next.job.state = 'sending';
    this.changed(next);
    void this.deliver(next).then(
      () => this.settle(next, 'done', null),
      (error: unknown) => {
        const fault = faultOf(error);
        // (a job already failed by a close or a loss says nothing more)
        if (this.settle(next, 'failed', fault)) this.fault(fault);
      },
    );
  }

  private async deliver(entry: Entry): Promise<void> {
    const data = entry.data;
    const connection = this.config.connection;
    const bps = connection.type === 'serial' ? connection.baudRate : 1_000_000;
    const ms = this.sendTimeout(data.length, bps);
    if (this.perJob) {
      // Written and ended together, so that a time-out resets the connection at once (TcpTransport.close).
      const sent = (t: Transport): Promise<void> => Promise.all([t.write(data), t.finish?.()]).then(() => undefined);
      await this.connected((t) => this.within(ms, sent(t), () => notTakenFault(this.where, ms)));
      return;
    }
    if (this.unfinished) throw new DeviceFaultError(previousNotTakenFault(this.where));
    const writing = this.write(data);
    await this.within(ms, writing, () => {
      this.unfinished = writing;
      const done = (): void => {
        if (this.unfinished === writing) this.unfinished = null;
      };
      writing.then(done, done);
      return mayStillPrintFault(this.where, ms);
    });
  }

  /** A TCP connection for one job (or the check on opening), closed afterwards whatever happened. */
  private async connected(use: (t: Transport) => Promise<void>): Promise<void> {
    let transport: Transport;
    try {
      transport = this.context.openTransport(this.config.connection);
      await transport.open();
    } catch (error) {
      throw new DeviceFaultError(faultOf(error));
    }
    this.jobTransport = transport;
    try {
      await use(transport);
    } finally {
      this.jobTransport = null;
      await transport.close().catch(() => undefined);
    }
  }

  /** Waits for `sending` for up to `ms`; then fails with the fault `timedOut` gives. */
  private within(ms: number, sending: Promise<void>, timedOut: () => DeviceFault): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = this.timers.after(ms, () => reject(new DeviceFaultError(timedOut())));
      sending.then(
        () => {
          this.timers.clear(timer);
          resolve();
        },
        (error: unknown) => {
          this.timers.clear(timer);
          reject(error);
        },
      );
    });
  }

  /**
   * Final state of a job; false for a late outcome of a job already settled (e.g. failed on
   * unplug), which is ignored.
   */
  private settle(entry: Entry, state: 'done' | 'failed' | 'cancelled', fault: DeviceFault | null): boolean {
    if (entry.job.state !== 'queued' && entry.job.state !== 'sending') return false;
    entry.job.state = state;
    entry.job.fault = fault;
    entry.job.finishedAt = this.context.now();
    entry.data = NO_DATA; // up to JOB_HISTORY finished jobs are kept, their labels (MBs each) are not
    this.changed(entry);
    if (this.current === entry) {
      this.current = null;
      this.pump();
    }
    return true;
  }

  private changed(entry: Entry): void {
    const snapshot = { ...entry.job };
    this.emit((l) => l.job?.(snapshot));
  }

  /** Keeps the newest JOB_HISTORY finished jobs. */
  private trim(): void {
    let finished = this.entries.filter((e) => e.job.finishedAt !== null).length;
    for (let i = 0; i < this.entries.length && finished > JOB_HISTORY; ) {
      if (this.entries[i]?.job.finishedAt !== null) {
        this.entries.splice(i, 1);
        finished--;
      } else i++;
    }
  }
}

const CHECK_PRINTER = {
  ru: 'Проверьте принтер: бумага, лента, закрыта ли печатающая головка, не стоит ли он на паузе',
  en: 'Check the printer: paper, ribbon, print head closed, not paused',
};

const seconds = (ms: number): number => Math.ceil(ms / 1000);

/** TCP: the printer did not read the job; the connection was reset, the rest of the job dropped. */
function notTakenFault(where: string, ms: number): DeviceFault {
  return deviceFault(
    'TIMEOUT',
    {
      ru: `${where}: принтер не принял этикетку за ${seconds(ms)} с`,
      en: `${where}: the printer did not take the label within ${seconds(ms)} s`,
    },
    { ru: `${CHECK_PRINTER.ru}; затем напечатайте этикетку снова`, en: `${CHECK_PRINTER.en}; then print the label again` },
  );
}

/** Serial and lp: the write cannot be taken back, the label may come out when the printer resumes. */
function mayStillPrintFault(where: string, ms: number): DeviceFault {
  return deviceFault(
    'TIMEOUT',
    {
      ru: `${where}: принтер не принял этикетку за ${seconds(ms)} с; она может напечататься, когда принтер продолжит работу`,
      en: `${where}: the printer did not take the label within ${seconds(ms)} s; it may still print when the printer resumes`,
    },
    {
      ru: `${CHECK_PRINTER.ru}. Прежде чем печатать снова, проверьте, не вышла ли этикетка`,
      en: `${CHECK_PRINTER.en}. Before printing again, check whether the label came out`,
    },
  );
}

function previousNotTakenFault(where: string): DeviceFault {
  return deviceFault(
    'DEVICE_ERROR',
    {
      ru: `${where}: принтер ещё не принял предыдущую этикетку — эта не отправлена`,
      en: `${where}: the printer has not taken the previous label yet — this one was not sent`,
    },
    {
      ru: `${CHECK_PRINTER.ru}. Предыдущая этикетка может напечататься, когда принтер продолжит работу; затем напечатайте эту снова`,
      en: `${CHECK_PRINTER.en}. The previous label may print when the printer resumes; then print this one again`,
    },
  );
}

function queueFullFault(where: string): DeviceFault {
  return deviceFault(
    'DEVICE_ERROR',
    {
      ru: `${where}: в очереди уже ${MAX_QUEUED} этикеток — принтер не печатает`,
      en: `${where}: ${MAX_QUEUED} labels are already waiting — the printer is not printing`,
    },
    { ru: 'Проверьте принтер (бумага, лента, крышка) и его подключение', en: 'Check the printer (paper, ribbon, head) and its connection' },
  );
}

function retiredFault(where: string, why: RetireReason): DeviceFault {
  const reason =
    why === 'settings'
      ? { ru: 'настройки принтера изменены', en: 'the printer settings were changed' }
      : { ru: 'программа закрывается', en: 'the app is closing' };
  return deviceFault(
    'DISCONNECTED',
    { ru: `${where}: этикетка не напечатана — ${reason.ru}`, en: `${where}: the label was not printed — ${reason.en}` },
    { ru: 'Напечатайте её снова', en: 'Print it again' },
  );
}

export function createPrinterDriver(config: DeviceConfig, context: DriverContext): PrinterDriver {
  return new PrinterDriver(config, context);
}
