// A byte pipe to a device: serial port, TCP socket, HID device or a printer device file.
// Protocol code never sees which one; drivers get a Transport and speak bytes over it.
import type { Connection, DeviceFault } from '../../main/contract/devices.js';

export interface Transport {
  /** e.g. "serial /dev/ttyUSB0 9600 8N1", "tcp 10.0.0.5:9100" — for logs and status lines. */
  readonly description: string;
  readonly isOpen: boolean;
  /** Opens the device; rejects with a `DeviceFaultError` (not found, access denied, busy, …). */
  open(): Promise<void>;
  /** Resolves when the bytes were handed to the OS (drained for serial); rejects with a `DeviceFaultError`. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes on purpose; `onClose` listeners are not told (they hear only unexpected closes). */
  close(): Promise<void>;
  /** Bytes as they arrive, in arbitrary chunks. Returns an unsubscribe function. */
  onData(listener: (bytes: Uint8Array) => void): () => void;
  /** The device went away (unplugged, connection reset, hang-up) while open. */
  onClose(listener: (fault: DeviceFault) => void): () => void;
}

/** Errors from transports and drivers carry the fault the user reads. */
export class DeviceFaultError extends Error {
  constructor(readonly fault: DeviceFault) {
    super(fault.message.en);
    this.name = 'DeviceFaultError';
  }
}

export type TransportFactory = (connection: Connection) => Transport;
