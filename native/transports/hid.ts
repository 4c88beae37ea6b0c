// USB HID devices through node-hid: barcode scanners in HID-POS mode, some scale indicators.
// Each data chunk is one whole input report. node-hid is loaded lazily: its native part needs
// hidraw (Linux) or libusb, and a missing library must become a NO_HID fault the user can act
// on, never a crash when the main process starts.
import { createRequire } from 'node:module';
import type { DeviceFault } from '../../main/contract/devices.js';
import { deviceFault, disconnectedFault } from './faults.js';
import { DeviceFaultError, ListenedTransport, type Transport } from './transport.js';

/** The part of node-hid 3.x used here. */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
  usagePage?: number | undefined;
  usage?: number | undefined;
  interface?: number;
}

interface HidDevice {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  write(values: number[] | Buffer): Promise<number>;
  close(): Promise<void>;
}

export interface NodeHid {
  HIDAsync: {
    open(path: string): Promise<HidDevice>;
    open(vendorId: number, productId: number): Promise<HidDevice>;
  };
  devicesAsync(): Promise<HidDeviceInfo[]>;
  getHidapiVersion(): string;
}

/** HID-POS (barcode scanner) usage page. */
export const HID_POS_USAGE_PAGE = 0x8c;

const UDEV_HINT = {
  ru: 'Установите udev-правило PlantDesk для HID-устройств (входит в пакет .deb) и переподключите устройство',
  en: 'Install the PlantDesk udev rule for HID devices (shipped with the .deb package) and replug the device',
};

export function noHidFault(cause: string): DeviceFault {
  return deviceFault(
    'NO_HID',
    { ru: 'Библиотека HID-устройств недоступна', en: 'The HID device library is not available' },
    {
      ru: 'Debian/Ubuntu: sudo apt install libusb-1.0-0; для доступа к /dev/hidraw* установите udev-правило PlantDesk. Сканер можно перевести в режим клавиатуры или COM-порта',
      en: 'Debian/Ubuntu: sudo apt install libusb-1.0-0; for access to /dev/hidraw* install the PlantDesk udev rule. The scanner can also be switched to keyboard or COM-port mode',
    },
    cause,
  );
}

let cached: NodeHid | null = null;

/**
 * node-hid with its native binding loaded (node-hid itself loads the binding on first use, so a
 * version query forces it here). Throws a DeviceFaultError with NO_HID when that fails.
 */
export function loadNodeHid(): NodeHid {
  if (cached) return cached;
  try {
    const hid = createRequire(import.meta.url)('node-hid') as NodeHid;
    hid.getHidapiVersion();
    cached = hid;
    return hid;
  } catch (error) {
    throw new DeviceFaultError(noHidFault(error instanceof Error ? error.message : String(error)));
  }
}

/** A fault for a failed open or read of a HID device (node-hid reports hidapi's text, no errno). */
export function hidFault(error: unknown, where: string): DeviceFault {
  const cause = error instanceof Error ? error.message : String(error);
  if (/permission denied|EACCES|access denied/i.test(cause)) {
    return deviceFault('ACCESS_DENIED', { ru: `Нет доступа к HID-устройству ${where}`, en: `Access to HID device ${where} is denied` }, UDEV_HINT, cause);
  }
  if (/no such file|no HID devices with requested|not found|ENOENT/i.test(cause)) {
    return deviceFault(
      'NOT_FOUND',
      { ru: `HID-устройство ${where} не найдено`, en: `HID device ${where} was not found` },
      {
        ru: 'Проверьте, что устройство подключено, и выберите его из списка портов',
        en: 'Check that the device is plugged in and pick it from the port list',
      },
      cause,
    );
  }
  if (/busy|EBUSY|exclusive/i.test(cause)) {
    return deviceFault(
      'BUSY',
      { ru: `HID-устройство ${where} занято другой программой`, en: `HID device ${where} is in use by another program` },
      undefined,
      cause,
    );
  }
  return deviceFault('DEVICE_ERROR', { ru: `Ошибка HID-устройства ${where}: ${cause}`, en: `HID device ${where} failed: ${cause}` }, undefined, cause);
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

export interface HidOptions {
  /** How node-hid is obtained (default `loadNodeHid`); lets tests and callers see NO_HID without uninstalling libraries. */
  load?: () => NodeHid;
}

export class HidTransport extends ListenedTransport implements Transport {
  readonly description: string;
  private device: HidDevice | null = null;
  private readonly where: string;
  private readonly load: () => NodeHid;

  constructor(
    private readonly connection: { vendorId: number; productId: number; path?: string | undefined },
    options: HidOptions = {},
  ) {
    super();
    this.where = connection.path ?? `${hex4(connection.vendorId)}:${hex4(connection.productId)}`;
    this.description = `hid ${this.where}`;
    this.load = options.load ?? loadNodeHid;
  }

  get isOpen(): boolean {
    return this.device !== null;
  }

  async open(): Promise<void> {
    if (this.device) throw new Error(`${this.description} is already open`);
    let hid: NodeHid;
    try {
      hid = this.load();
    } catch (error) {
      if (error instanceof DeviceFaultError) throw error;
      throw new DeviceFaultError(noHidFault(error instanceof Error ? error.message : String(error)));
    }
    const { path, vendorId, productId } = this.connection;
    let device: HidDevice;
    try {
      device = path ? await hid.HIDAsync.open(path) : await hid.HIDAsync.open(vendorId, productId);
    } catch (error) {
      throw new DeviceFaultError(hidFault(error, this.where));
    }
    this.device = device;
    device.on('data', (data: Buffer) => {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      this.emitData(bytes);
    });
    // hidapi's read fails once the device is unplugged: that is the only notice we get.
    device.on('error', (error: unknown) => {
      if (this.device !== device) return;
      this.device = null;
      void device.close().catch(() => undefined);
      const fault = disconnectedFault(this.where, error instanceof Error ? error.message : String(error));
      this.emitClose(fault);
    });
  }

  /** Sends one output report; the first byte is the report id (0 when the device uses none). */
  async write(bytes: Uint8Array): Promise<void> {
    const device = this.device;
    if (!device) throw new DeviceFaultError(disconnectedFault(this.where, 'not open'));
    try {
      await device.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (error) {
      throw new DeviceFaultError(hidFault(error, this.where));
    }
  }

  async close(): Promise<void> {
    const device = this.device;
    if (!device) return;
    this.device = null;
    await device.close().catch(() => undefined);
  }
}
