// USB printers through the Linux printer-class device file (/dev/usb/lp0): write-only, no
// status comes back, so `onData` never fires.
//
// The path comes from the device settings, so it is opened with care: never O_CREAT (when the
// printer is unplugged its device file is gone, and a plain file created in its place would
// swallow labels silently), and the open file must be a character device — anything else (a
// user's ~/.bashrc, the workspace database) is closed again before a byte is written.
//
// The file is opened non-blocking. A paused or paper-out printer stops taking data, and a blocking
// write to usblp then sleeps in the kernel with no time limit, holding one of libuv's four
// thread-pool threads (shared with all file, DNS and zlib work) — a few stuck jobs would freeze
// the app, and FileHandle.close() waits for the stuck write, so the driver could not even close.
// Non-blocking, a write takes what the device can take now, and EAGAIN means "not now": it is
// tried again on a timer, so no thread is ever held for longer than one quick system call. On a
// non-blocking usblp file each write hands over one transfer (up to 8 KiB) and returns; a write
// while that transfer is still in flight answers EAGAIN — so once every byte is handed over, an
// empty write is repeated until it succeeds: then the printer has taken the last transfer too.
// Should some driver ignore O_NONBLOCK and block anyway, close() gives up waiting after a while
// and the device is not opened again until that close has finished.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { DeviceFault } from '../../main/contract/devices.js';
import { deviceFault, disconnectedFault } from './faults.js';
import { DeviceFaultError, ListenedTransport, type Transport } from './transport.js';

/** Waits between tries of a write the printer is not ready for: short while it is taking data, longer while it is stalled. */
const RETRY_MIN_MS = 1;
const RETRY_MAX_MS = 100;
/** How long close() waits for the device file to close. */
const CLOSE_LIMIT_MS = 2_000;
/** Device files whose close did not finish within CLOSE_LIMIT_MS, until it does. */
const stillClosing = new Set<string>();

/** A fault for a failed open or write of a printer device file. */
export function lpFault(error: unknown, path: string): DeviceFault {
  const code = (error as { code?: unknown } | null)?.code;
  const cause = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'ENOENT':
      return deviceFault(
        'NOT_FOUND',
        { ru: `Принтер ${path} не найден`, en: `Printer ${path} does not exist` },
        {
          ru: 'Проверьте, что принтер включён и подключён по USB; номер lp может измениться после переподключения — выберите его из списка портов',
          en: 'Check that the printer is on and connected by USB; the lp number can change after replugging — pick it from the port list',
        },
        cause,
      );
    case 'EACCES':
    case 'EPERM':
      return deviceFault(
        'ACCESS_DENIED',
        { ru: `Нет доступа к принтеру ${path}`, en: `Access to printer ${path} is denied` },
        {
          ru: 'Добавьте пользователя в группу lp (sudo usermod -aG lp $USER) и войдите в систему заново',
          en: 'Add the user to the lp group (sudo usermod -aG lp $USER) and log in again',
        },
        cause,
      );
    case 'EBUSY':
      return deviceFault(
        'BUSY',
        { ru: `Принтер ${path} занят`, en: `Printer ${path} is busy` },
        {
          ru: 'Принтер открыт другой программой (например, CUPS): уберите его из CUPS или печатайте через сеть',
          en: 'Another program (for example CUPS) has the printer open: remove it from CUPS or print over the network',
        },
        cause,
      );
    case 'ENODEV':
    case 'ENXIO':
    case 'EIO':
      return disconnectedFault(path, cause);
    case 'EISDIR':
      return notADeviceFault(path, cause);
    default:
      return deviceFault('DEVICE_ERROR', { ru: `Ошибка принтера ${path}: ${cause}`, en: `Printer ${path} failed: ${cause}` }, undefined, cause);
  }
}

export class LpTransport extends ListenedTransport implements Transport {
  readonly description: string;
  private file: FileHandle | null = null;
  /** Writes go out one after another, in order. */
  private tail: Promise<void> = Promise.resolve();
  /** The timer of a write waiting to try again; close() cuts it short. */
  private retry: { timer: NodeJS.Timeout; wake: () => void } | null = null;

  constructor(private readonly connection: { path: string }) {
    super();
    this.description = `lp ${connection.path}`;
  }

  get isOpen(): boolean {
    return this.file !== null;
  }

  async open(): Promise<void> {
    if (this.file) throw new Error(`${this.description} is already open`);
    const path = this.connection.path;
    if (stillClosing.has(path)) throw new DeviceFaultError(stuckFault(path));
    let file: FileHandle;
    try {
      // O_NONBLOCK also keeps the open itself from hanging (a FIFO with no reader).
      file = await open(path, constants.O_WRONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
    } catch (error) {
      throw new DeviceFaultError(lpFault(error, path));
    }
    const stats = await file.stat().catch(() => null);
    if (!stats?.isCharacterDevice()) {
      await file.close().catch(() => undefined);
      const kind = !stats ? 'cannot be examined' : stats.isFile() ? 'a regular file' : 'another kind of file';
      throw new DeviceFaultError(notADeviceFault(path, `not a character device: ${kind}`));
    }
    this.file = file;
  }

  write(bytes: Uint8Array): Promise<void> {
    const file = this.file;
    if (!file) return Promise.reject(new DeviceFaultError(disconnectedFault(this.connection.path, 'not open')));
    const run = this.tail.then(() => this.writeAll(file, bytes));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Ends a write in progress (it rejects) and closes, waiting for that at most CLOSE_LIMIT_MS. */
  async close(): Promise<void> {
    const file = this.file;
    if (!file) return;
    this.file = null;
    this.wake();
    const path = this.connection.path;
    let timer: NodeJS.Timeout | undefined;
    const closed = file.close().catch(() => undefined);
    const inTime = await Promise.race([closed.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(resolve, CLOSE_LIMIT_MS, false)))]);
    clearTimeout(timer);
    if (!inTime) {
      // Not waited for any longer; the next open says why the printer cannot be used yet.
      stillClosing.add(path);
      void closed.then(() => stillClosing.delete(path));
    }
  }

  /** Every byte, then an empty write: done once the device has taken the last of them (see above). */
  private async writeAll(file: FileHandle, bytes: Uint8Array): Promise<void> {
    let pause = RETRY_MIN_MS;
    for (let offset = 0; ; ) {
      if (this.file !== file) throw new DeviceFaultError(disconnectedFault(this.connection.path, 'closed while writing'));
      try {
        if (offset === bytes.length) {
          // (length 0 of a non-empty buffer: Node skips the system call for an empty buffer)
          await file.write(PROBE, 0, 0);
          return;
        }
        offset += (await file.write(bytes, offset)).bytesWritten;
        pause = RETRY_MIN_MS;
      } catch (error) {
        if ((error as { code?: unknown } | null)?.code === 'EAGAIN' && this.file === file) {
          await this.sleep(pause);
          pause = Math.min(pause * 2, RETRY_MAX_MS);
          continue;
        }
        throw this.failed(file, error);
      }
    }
  }

  /** A write failed: the fault, and if the kernel removed the printer under us, an unexpected close. */
  private failed(file: FileHandle, error: unknown): DeviceFaultError {
    const fault = lpFault(error, this.connection.path);
    if (fault.code === 'DISCONNECTED' && this.file === file) {
      this.file = null;
      void file.close().catch(() => undefined);
      this.emitClose(fault);
    }
    return new DeviceFaultError(fault);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.retry = null;
        resolve();
      }, ms);
      this.retry = { timer, wake: resolve };
    });
  }

  private wake(): void {
    if (!this.retry) return;
    clearTimeout(this.retry.timer);
    this.retry.wake();
    this.retry = null;
  }
}

const PROBE = new Uint8Array(1);

function notADeviceFault(path: string, cause: string): DeviceFault {
  // UNSUPPORTED, as for a serial "port" that is no device file: nothing to grant, a wrong path.
  return deviceFault(
    'UNSUPPORTED',
    { ru: `${path} — не устройство принтера`, en: `${path} is not a printer device` },
    {
      ru: 'Печать идёт только в файл устройства принтера (например, /dev/usb/lp0): выберите принтер из списка портов',
      en: 'Labels go only to a printer device file (such as /dev/usb/lp0): pick the printer from the port list',
    },
    cause,
  );
}

function stuckFault(path: string): DeviceFault {
  return deviceFault(
    'BUSY',
    { ru: `Принтер ${path} ещё не освобождён: он не принимает данные`, en: `Printer ${path} is not released yet: it does not take data` },
    {
      ru: 'Проверьте принтер (бумага, лента, пауза) или выключите и включите его; PlantDesk подключится, когда он освободится',
      en: 'Check the printer (paper, ribbon, pause) or switch it off and on; PlantDesk reconnects once it is released',
    },
  );
}
