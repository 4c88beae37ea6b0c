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
  /**
   * Stream connections (TCP): ends our side after what was written and resolves once the device
   * has read it all and closed its side; rejects with a `DeviceFaultError` if the connection breaks
   * instead. No time limit of its own: a `close()` meanwhile cuts the connection at once.
   */
  finish?(): Promise<void>;
  /** Bytes as they arrive, in arbitrary chunks. Returns an unsubscribe function. */
  onData(listener: (bytes: Uint8Array) => void): () => void;
  /** The device went away (unplugged, connection reset, hang-up) while open. */
  onClose(listener: (fault: DeviceFault) => void): () => void;
}

/**
 * The listener bookkeeping every transport shares: subclasses say `emitData` when bytes arrive and
 * `emitClose` when the device went away.
 */
export abstract class ListenedTransport {
  private readonly dataListeners = new Set<(bytes: Uint8Array) => void>();
  private readonly closeListeners = new Set<(fault: DeviceFault) => void>();

  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: (fault: DeviceFault) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  protected emitData(bytes: Uint8Array): void {
    for (const listener of this.dataListeners) listener(bytes);
  }

  protected emitClose(fault: DeviceFault): void {
    for (const listener of this.closeListeners) listener(fault);
  }
}

/** Errors from transports and drivers carry the fault the user reads. */
export class DeviceFaultError extends Error {
  constructor(readonly fault: DeviceFault) {
    super(fault.message.en);
    this.name = 'DeviceFaultError';
  }
}

export type TransportFactory = (connection: Connection) => Transport;
