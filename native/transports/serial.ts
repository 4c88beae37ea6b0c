// Serial ports (RS-232/485 adapters, USB CDC devices, pseudo-terminals in tests) via serialport.
//
// An unplugged USB adapter (or a closed pty) is not always reported by serialport on Linux and
// macOS: when the hung-up tty answers reads with end-of-file instead of EIO, its reader retries for
// ever (serialport/bindings-cpp#162). So an open port also checks that its device file is still
// the one it opened; when it is gone or points elsewhere, the port is closed as DISCONNECTED.
//
// A path that is not a character device (a regular file, a folder) is refused before anything is
// opened: whoever may test or save a device must not get PlantDesk to open arbitrary files as "ports".
import { stat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import type { DeviceFault, SerialConnection } from '../../main/contract/devices.js';
import { deviceFault, disconnectedFault, serialFault } from './faults.js';
import { PRESENCE_CHECK_MS, departure, deviceOf } from './presence.js';
import { DeviceFaultError, ListenedTransport, type Transport } from './transport.js';


/**
 * Why `path` cannot be a serial port, or null. Symlinks are followed (by-id links, simulators); a
 * path that cannot be looked at is left to the open, which reports it (not found, no access).
 * Windows COM ports are not files, so there is nothing to check.
 */
async function notAPort(path: string): Promise<DeviceFault | null> {
  if (process.platform === 'win32') return null;
  const found = await stat(path).catch(() => null);
  if (!found || found.isCharacterDevice()) return null;
  return deviceFault(
    'UNSUPPORTED',
    { ru: `${path} — не COM-порт (это не файл устройства)`, en: `${path} is not a serial port (not a device file)` },
    {
      ru: 'Выберите порт из списка портов этого компьютера (/dev/ttyUSB…, /dev/ttyACM…, /dev/serial/by-id/…)',
      en: "Pick the port from this PC's port list (/dev/ttyUSB…, /dev/ttyACM…, /dev/serial/by-id/…)",
    },
    `not a character device: ${found.isDirectory() ? 'a directory' : found.isFile() ? 'a regular file' : 'another kind of file'}`,
  );
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

  async open(): Promise<void> {
    if (this.port) throw new Error(`${this.description} is already open`);
    const { path, baudRate, dataBits, parity, stopBits } = this.connection;
    const refused = await notAPort(path);
    if (refused) throw new DeviceFaultError(refused);
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
    const device = deviceOf(path);
    if (device === null) return;
    this.presence = setInterval(() => {
      void departure(path, device).then((why) => why !== null && this.lost(port, disconnectedFault(path, why)));
    }, PRESENCE_CHECK_MS);
    this.presence.unref();
  }
}
