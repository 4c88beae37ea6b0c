// USB printers through the Linux printer-class device file (/dev/usb/lp0): write-only, no
// status comes back, so `onData` never fires. The file is opened without O_CREAT: when the
// printer is unplugged its device file is gone, and creating a plain file in its place would
// swallow labels silently.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { DeviceFault } from '../../main/contract/devices.js';
import { deviceFault, disconnectedFault } from './faults.js';
import { DeviceFaultError, ListenedTransport, type Transport } from './transport.js';

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
    default:
      return deviceFault('DEVICE_ERROR', { ru: `Ошибка принтера ${path}: ${cause}`, en: `Printer ${path} failed: ${cause}` }, undefined, cause);
  }
}

export class LpTransport extends ListenedTransport implements Transport {
  readonly description: string;
  private file: FileHandle | null = null;

  constructor(private readonly connection: { path: string }) {
    super();
    this.description = `lp ${connection.path}`;
  }

  get isOpen(): boolean {
    return this.file !== null;
  }

  async open(): Promise<void> {
    if (this.file) throw new Error(`${this.description} is already open`);
    try {
      this.file = await open(this.connection.path, constants.O_WRONLY | constants.O_APPEND | constants.O_NOCTTY);
    } catch (error) {
      throw new DeviceFaultError(lpFault(error, this.connection.path));
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    const file = this.file;
    if (!file) throw new DeviceFaultError(disconnectedFault(this.connection.path, 'not open'));
    try {
      // A character device may take a write in parts.
      for (let offset = 0; offset < bytes.length; ) offset += (await file.write(bytes, offset)).bytesWritten;
    } catch (error) {
      const fault = lpFault(error, this.connection.path);
      // The kernel removed the printer under us: tell the owner as an unexpected close.
      if (fault.code === 'DISCONNECTED' && this.file === file) {
        this.file = null;
        await file.close().catch(() => undefined);
        this.emitClose(fault);
      }
      throw new DeviceFaultError(fault);
    }
  }

  async close(): Promise<void> {
    const file = this.file;
    if (!file) return;
    this.file = null;
    await file.close().catch(() => undefined);
  }
}
