// Serial ports (RS-232/485 adapters, USB CDC devices, pseudo-terminals in tests) via serialport.
//
// An unplugged USB adapter (or a closed pty) is not always reported by serialport on Linux and
// macOS: when the hung-up tty answers reads with end-of-file instead of EIO, its reader retries for
// ever (serialport/bindings-cpp#162). So an open port also checks that its device file is still
// the one it opened; when it is gone or points elsewhere, the port is closed as DISCONNECTED.
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import type { DeviceFault, SerialConnection } from '../../main/contract/devices.js';
import { disconnectedFault, serialFault } from './faults.js';
import { DeviceFaultError, ListenedTransport, type Transport } from './transport.js';

/** How often an open port checks that its device file is still there. */
const PRESENCE_CHECK_MS = 500;

/** The device number behind a path (symlinks followed), or null when there is none. */
function deviceOf(path: string): number | null {
  try {
    return statSync(path).rdev;
  } catch {
    return null;
  }
}

export class SerialTransport extends ListenedTransport implements Transport {
  readonly description: string;
  private port: SerialPort | null = null;
  private presence: NodeJS.Timeout | null = null;

  constructor(private readonly connection: SerialConnection) {
    super();
    const parity = connection.parity === 'none' ? 'N' : connection.parity === 'even' ? 'E' : 'O';
    this.description = `serial ${connection.path} ${connection.baudRate} ${connection.dataBits}${parity}${connection.stopBits}`;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  open(): Promise<void> {
    if (this.port) return Promise.reject(new Error(`${this.description} is already open`));
    const { path, baudRate, dataBits, parity, stopBits } = this.connection;
    const port = new SerialPort({ path, baudRate, dataBits, parity, stopBits, autoOpen: false });
    return new Promise((resolve, reject) => {
      port.open((error) => {
        if (error) {
          reject(new DeviceFaultError(serialFault(error, path)));
          return;
        }
        this.port = port;
        port.on('data', (chunk: Buffer) => {
          const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          this.emitData(bytes);
        });
        // Errors after opening surface as a close (serialport closes a port that failed).
        port.on('error', () => undefined);
        port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
          this.lost(port, err ? serialFault(err, path) : disconnectedFault(path));
        });
        this.watchPresence(port, path);
        resolve();
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port) return Promise.reject(new DeviceFaultError(disconnectedFault(this.connection.path, 'port is not open')));
    return new Promise((resolve, reject) => {
      port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (error) => {
        if (error) reject(new DeviceFaultError(serialFault(error, this.connection.path)));
      });
      port.drain((error) => (error ? reject(new DeviceFaultError(serialFault(error, this.connection.path))) : resolve()));
    });
  }

  close(): Promise<void> {
    const port = this.port;
    if (!port) return Promise.resolve();
    this.release();
    return new Promise((resolve) => {
      if (!port.isOpen) return resolve();
      port.close(() => resolve());
    });
  }

  /** The port went away under us: tell the listeners once (a close on purpose has already let go of it). */
  private lost(port: SerialPort, fault: DeviceFault): void {
    if (this.port !== port) return;
    this.release();
    if (port.isOpen) port.close(() => undefined);
    this.emitClose(fault);
  }

  private release(): void {
    this.port = null;
    if (this.presence) clearInterval(this.presence);
    this.presence = null;
  }

  /** Windows keeps COM ports out of the file system: there serialport's own errors are all we have. */
  private watchPresence(port: SerialPort, path: string): void {
    if (process.platform === 'win32') return;
    const device = deviceOf(path);
    if (device === null) return;
    this.presence = setInterval(() => {
      void stat(path).then(
        (s) => s.rdev !== device && this.lost(port, disconnectedFault(path, 'the device file now belongs to another device')),
        () => this.lost(port, disconnectedFault(path, 'the device file is gone')),
      );
    }, PRESENCE_CHECK_MS);
    this.presence.unref();
  }
}
