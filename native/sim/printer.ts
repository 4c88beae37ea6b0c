/**
 * Label printers: a network printer (raw TCP, port 9100 style) and a serial one, both collecting
 * the jobs they receive.
 *
 *   const printer = await new TcpPrinterSimulator({ language: 'zpl' }).start();   127.0.0.1, port 0 = any free
 *   printer.port, printer.jobs                 jobs: { language, data, errors, at }
 *   await printer.waitForJobs(2)
 *   await printer.refuse(true)                 stop listening: connections are refused (ECONNREFUSED)
 *   printer.dropNext(100)                      the connection the next data arrives on is cut after 100 bytes (mid-job)
 *   await printer.close()
 *
 *   const serial = await new SerialPrinterSimulator({ language: 'tspl' }).start();  same `jobs`, over a pty
 *
 * ZPL jobs are the `^XA … ^XZ` formats, checked with validateZpl (`errors`); TSPL jobs end at a
 * `PRINT` line (not checked). Text outside ZPL formats (`~` commands) is not a job. A job cut off by a
 * dropped connection is discarded, as a printer does.
 */
import net from 'node:net';
import { validateZpl } from '../protocols/labels.js';
import { Simulator, type SimulatorOptions } from './simulator.js';

export type PrinterLanguage = 'zpl' | 'tspl';

export interface ReceivedJob {
  language: PrinterLanguage;
  data: string;
  /** Syntax problems (ZPL only); empty = valid. */
  errors: string[];
  at: number;
}

/** Cuts a byte stream into jobs. One per connection: a job never spans two connections. */
export class JobCollector {
  private text = '';
  private readonly decoder = new TextDecoder();

  constructor(private readonly language: PrinterLanguage) {}

  push(bytes: Uint8Array): ReceivedJob[] {
    this.text += this.decoder.decode(bytes, { stream: true });
    return this.language === 'zpl' ? this.zpl() : this.tspl();
  }

  private zpl(): ReceivedJob[] {
    const jobs: ReceivedJob[] = [];
    for (;;) {
      const start = this.text.indexOf('^XA');
      if (start < 0) {
        this.text = this.text.slice(-2); // keep a possible `^X` split across chunks
        return jobs;
      }
      const end = this.text.indexOf('^XZ', start + 3);
      if (end < 0) {
        this.text = this.text.slice(start);
        return jobs;
      }
      const data = this.text.slice(start, end + 3);
      this.text = this.text.slice(end + 3);
      jobs.push({ language: 'zpl', data, errors: validateZpl(data), at: Date.now() });
    }
  }

  private tspl(): ReceivedJob[] {
    const jobs: ReceivedJob[] = [];
    const printLine = /^[ \t]*PRINT\b[^\r\n]*(?:\r\n|\n|\r)/im;
    for (let m = printLine.exec(this.text); m; m = printLine.exec(this.text)) {
      const end = m.index + m[0].length;
      jobs.push({ language: 'tspl', data: this.text.slice(0, end).trim(), errors: [], at: Date.now() });
      this.text = this.text.slice(end);
    }
    return jobs;
  }
}

/** Job list shared by both printers: who waits for how many jobs. */
class JobLog {
  readonly jobs: ReceivedJob[] = [];
  private readonly listeners = new Set<(job: ReceivedJob) => void>();

  add(jobs: readonly ReceivedJob[]): void {
    for (const job of jobs) {
      this.jobs.push(job);
      for (const listener of this.listeners) listener(job);
    }
  }

  onJob(listener: (job: ReceivedJob) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  waitFor(count: number, timeoutMs: number, who: string): Promise<ReceivedJob[]> {
    if (this.jobs.length >= count) return Promise.resolve(this.jobs.slice(0, count));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`${who}: ${this.jobs.length} of ${count} jobs within ${timeoutMs} ms`));
      }, timeoutMs);
      const stop = this.onJob(() => {
        if (this.jobs.length < count) return;
        clearTimeout(timer);
        stop();
        resolve(this.jobs.slice(0, count));
      });
    });
  }
}

export interface TcpPrinterOptions {
  host?: string;
  /** 0 (default) = any free port. */
  port?: number;
  language?: PrinterLanguage;
}

export class TcpPrinterSimulator {
  readonly host: string;
  readonly language: PrinterLanguage;
  /** Connections cut by `dropNext`. */
  dropped = 0;
  private server: net.Server | null = null;
  private boundPort: number;
  private readonly sockets = new Set<net.Socket>();
  private readonly jobLog = new JobLog();
  private drop: { after: number; received: number; socket: net.Socket | null } | null = null;

  constructor(options: TcpPrinterOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    this.boundPort = options.port ?? 0;
    this.language = options.language ?? 'zpl';
  }

  get jobs(): readonly ReceivedJob[] {
    return this.jobLog.jobs;
  }

  get port(): number {
    return this.boundPort;
  }

  /** `host:port`, where the app connects. */
  get path(): string {
    return `${this.host}:${this.boundPort}`;
  }

  async start(): Promise<this> {
    await this.listen();
    return this;
  }

  onJob(listener: (job: ReceivedJob) => void): () => void {
    return this.jobLog.onJob(listener);
  }

  waitForJobs(count: number, timeoutMs = 2_000): Promise<ReceivedJob[]> {
    return this.jobLog.waitFor(count, timeoutMs, `printer ${this.host}:${this.port}`);
  }

  /** true: stop listening (new connections are refused); false: listen again on the same port. */
  async refuse(on: boolean): Promise<void> {
    if (on) await this.unlisten();
    else if (!this.server) await this.listen();
  }

  /** The connection the next data arrives on is cut after `afterBytes` more bytes (a job cut in the middle). */
  dropNext(afterBytes = 1): void {
    this.drop = { after: afterBytes, received: 0, socket: null };
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await this.unlisten();
  }

  private listen(): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, this.host, () => {
        server.off('error', reject);
        this.server = server;
        this.boundPort = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private unlisten(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    const collector = new JobCollector(this.language);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      const drop = this.drop;
      if (drop && (drop.socket === null || drop.socket === socket)) {
        drop.socket = socket;
        const room = drop.after - drop.received;
        if (chunk.length >= room) {
          // What arrived before the cut still counts; the job it breaks off is lost, as on a printer.
          this.drop = null;
          this.jobLog.add(collector.push(chunk.subarray(0, room)));
          this.dropped++;
          socket.resetAndDestroy();
          return;
        }
        drop.received += chunk.length;
      }
      this.jobLog.add(collector.push(chunk));
    });
  }
}

export interface SerialPrinterOptions extends SimulatorOptions {
  language?: PrinterLanguage;
}

export class SerialPrinterSimulator extends Simulator {
  readonly language: PrinterLanguage;
  private collector: JobCollector;
  private readonly jobLog = new JobLog();

  constructor(options: SerialPrinterOptions = {}) {
    super(`printer-${options.language ?? 'zpl'}`, options);
    this.language = options.language ?? 'zpl';
    this.collector = new JobCollector(this.language);
  }

  get jobs(): readonly ReceivedJob[] {
    return this.jobLog.jobs;
  }

  onJob(listener: (job: ReceivedJob) => void): () => void {
    return this.jobLog.onJob(listener);
  }

  waitForJobs(count: number, timeoutMs = 2_000): Promise<ReceivedJob[]> {
    return this.jobLog.waitFor(count, timeoutMs, `printer ${this.path}`);
  }

  protected override replugged(): void {
    this.collector = new JobCollector(this.language); // a job cut by the unplug is lost
  }

  protected handle(bytes: Uint8Array): void {
    this.jobLog.add(this.collector.push(bytes));
  }
}
