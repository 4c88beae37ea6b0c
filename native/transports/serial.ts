// Serial ports (RS-232/485 adapters, USB CDC devices, pseudo-terminals in tests) via serialport.
import { SerialPort } from 'serialport';
import type { DeviceFault, SerialConnection } from '../../main/contract/devices.js';
import { disconnectedFault, serialFault } from './faults.js';
import { DeviceFaultError, type Transport } from './transport.js';

export class SerialTransport implements Transport {
  readonly description: string;
  private port: SerialPort | null = null;
  private readonly dataListeners = new Set<(bytes: Uint8Array) => void>();
  private readonly closeListeners = new Set<(fault: DeviceFault) => void>();
  private closingOnPurpose = false;

  constructor(private readonly connection: SerialConnection) {
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
    this.closingOnPurpose = false;
    return new Promise((resolve, reject) => {
      port.open((error) => {
        if (error) {
          reject(new DeviceFaultError(serialFault(error, path)));
          return;
        }
        this.port = port;
        port.on('data', (chunk: Buffer) => {
          const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          for (const listener of this.dataListeners) listener(bytes);
        });
        // Errors after opening surface as a close (serialport closes a port that failed).
        port.on('error', () => undefined);
        port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
          this.port = null;
          if (this.closingOnPurpose) return;
          const fault = err ? serialFault(err, path) : disconnectedFault(path);
          for (const listener of this.closeListeners) listener(fault);
        });
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
    this.closingOnPurpose = true;
    this.port = null;
    return new Promise((resolve) => {
      if (!port.isOpen) return resolve();
      port.close(() => resolve());
    });
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: (fault: DeviceFault) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }
}
