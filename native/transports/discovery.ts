// Ports the user can pick a device from: serial ports (serialport's list, which needs udev on
// Linux), HID devices (node-hid) and USB printer device files. Without udev — containers, minimal
// installs — serial ports are found by scanning /dev as well, and the list says so. "Without udev"
// is either serialport's list failing (no udevadm) or no running udev daemon: in a container
// udevadm may be installed while /run/udev is not there, and the list then succeeds but misses
// ports. Nothing here fails as a whole: a part that cannot be listed becomes a notice above the list.
import { constants, existsSync } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import type { DeviceFault, PortInfo, PortList } from '../../main/contract/devices.js';
import { deviceFault } from './faults.js';
import { HID_POS_USAGE_PAGE, loadNodeHid, noHidFault, type HidDeviceInfo } from './hid.js';
import { DeviceFaultError } from './transport.js';

/** What serialport's `SerialPort.list()` reports per port (ids are hex strings). */
export interface SerialListEntry {
  path: string;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
}

export interface ListPortsOptions {
  /** Serial port enumeration; default `SerialPort.list` (udev on Linux). */
  listSerial?: () => Promise<SerialListEntry[]>;
  /** Where device files live; default `/dev`. */
  devDir?: string;
  /** The running udev daemon's control socket (Linux); default `/run/udev/control`. */
  udevControl?: string;
  /** HID enumeration; default node-hid's `devicesAsync` (a NO_HID notice when node-hid cannot load). */
  listHid?: () => Promise<HidDeviceInfo[]>;
  platform?: NodeJS.Platform;
}

/** Serial device names worth offering when scanning /dev: USB adapters, CDC devices, UARTs, Bluetooth. */
const SERIAL_NAME = /^(ttyUSB|ttyACM|ttyS|ttyAMA|rfcomm)\d+$/;
const LP_NAME = /^lp\d+$/;

const byPath = (a: PortInfo, b: PortInfo): number => a.path.localeCompare(b.path, 'en', { numeric: true });
const causeOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const hexId = (id: string | undefined): number | null => {
  const n = id ? parseInt(id, 16) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 0xffff ? n : null;
};

function port(path: string, kind: PortInfo['kind'], info: Partial<Omit<PortInfo, 'path' | 'kind'>> = {}): PortInfo {
  return {
    path,
    kind,
    manufacturer: info.manufacturer ?? null,
    serialNumber: info.serialNumber ?? null,
    vendorId: info.vendorId ?? null,
    productId: info.productId ?? null,
    product: info.product ?? null,
    accessible: info.accessible ?? null,
    ...(info.hidPos ? { hidPos: true } : {}),
  };
}

/** Whether this process may open the file for reading and writing (false: permissions or gone). */
async function accessible(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Serial ports as /dev shows them, stable /dev/serial/by-id links included (broken links left out). */
async function scanSerial(devDir: string): Promise<PortInfo[]> {
  const ports: PortInfo[] = [];
  for (const name of await names(devDir)) {
    if (!SERIAL_NAME.test(name)) continue;
    const path = join(devDir, name);
    ports.push(port(path, 'serial', { accessible: await accessible(path) }));
  }
  const byId = join(devDir, 'serial', 'by-id');
  for (const name of await names(byId)) {
    const path = join(byId, name);
    const target = await stat(path).catch(() => null);
    if (!target) continue;
    ports.push(port(path, 'serial', { product: name, accessible: await accessible(path) }));
  }
  return ports;
}

function noUdevNotice(devDir: string, cause: string): DeviceFault {
  return deviceFault(
    'NO_UDEV',
    {
      ru: `Список портов составлен по содержимому ${devDir} (udev недоступен): в нём могут быть порты, к которым ничего не подключено`,
      en: `The port list was made from ${devDir} (udev is not available): it may include ports with nothing attached`,
    },
    {
      ru: 'Выберите порт по имени устройства (/dev/serial/by-id/… — надёжнее всего); в контейнере пробросьте устройство внутрь',
      en: 'Pick the port by its device name (/dev/serial/by-id/… is the most reliable); in a container, pass the device through',
    },
    cause,
  );
}

type Resolved = Required<Pick<ListPortsOptions, 'devDir' | 'platform' | 'udevControl'>> & ListPortsOptions;

async function serialPorts(options: Resolved, notices: DeviceFault[]): Promise<PortInfo[]> {
  const list = options.listSerial ?? (() => SerialPort.list());
  const checkAccess = options.platform !== 'win32';
  let listed: PortInfo[];
  try {
    const entries = await list();
    listed = await Promise.all(
      entries.map(async (e) =>
        port(e.path, 'serial', {
          manufacturer: e.manufacturer ?? null,
          serialNumber: e.serialNumber ?? null,
          vendorId: hexId(e.vendorId),
          productId: hexId(e.productId),
          accessible: checkAccess ? await accessible(e.path) : null,
        }),
      ),
    );
  } catch (error) {
    if (options.platform === 'linux') {
      notices.push(noUdevNotice(options.devDir, causeOf(error)));
      return scanSerial(options.devDir);
    }
    notices.push(
      deviceFault(
        'DEVICE_ERROR',
        { ru: 'Не удалось получить список COM-портов', en: 'Could not list the serial ports' },
        undefined,
        causeOf(error),
      ),
    );
    return [];
  }
  if (options.platform !== 'linux' || existsSync(options.udevControl)) return listed;
  // udevadm answered from an empty database: add what /dev shows, the listed entries (with their
  // ids) winning over scanned ones of the same path.
  notices.push(noUdevNotice(options.devDir, `${options.udevControl} does not exist (udev is not running)`));
  const known = new Set(listed.map((p) => p.path));
  return [...listed, ...(await scanSerial(options.devDir)).filter((p) => !known.has(p.path))];
}

async function hidPorts(options: ListPortsOptions & { platform: NodeJS.Platform }, notices: DeviceFault[]): Promise<PortInfo[]> {
  let devices: HidDeviceInfo[];
  try {
    devices = await (options.listHid ?? (() => loadNodeHid().devicesAsync()))();
  } catch (error) {
    notices.push(error instanceof DeviceFaultError ? error.fault : noHidFault(causeOf(error)));
    return [];
  }
  // node-hid lists every top-level collection; one device path is one port.
  const seen = new Map<string, PortInfo>();
  for (const d of devices) {
    const path = d.path ?? `${d.vendorId.toString(16).padStart(4, '0')}:${d.productId.toString(16).padStart(4, '0')}`;
    const hidPos = d.usagePage === HID_POS_USAGE_PAGE;
    const known = seen.get(path);
    if (known) {
      if (hidPos) known.hidPos = true;
      continue;
    }
    const isFile = options.platform === 'linux' && path.startsWith('/');
    seen.set(
      path,
      port(path, 'hid', {
        manufacturer: d.manufacturer || null,
        serialNumber: d.serialNumber || null,
        vendorId: d.vendorId,
        productId: d.productId,
        product: d.product || null,
        accessible: isFile ? await accessible(path) : null,
        hidPos,
      }),
    );
  }
  return [...seen.values()];
}

async function lpPorts(devDir: string): Promise<PortInfo[]> {
  const dir = join(devDir, 'usb');
  const ports: PortInfo[] = [];
  for (const name of await names(dir)) {
    if (!LP_NAME.test(name)) continue;
    const path = join(dir, name);
    ports.push(port(path, 'lp', { accessible: await accessible(path) }));
  }
  return ports;
}

/** Every port of this PC the user may configure a device on, with notices where the list may be incomplete. */
export async function listPorts(options: ListPortsOptions = {}): Promise<PortList> {
  const all = {
    ...options,
    devDir: options.devDir ?? '/dev',
    udevControl: options.udevControl ?? '/run/udev/control',
    platform: options.platform ?? process.platform,
  };
  const notices: DeviceFault[] = [];
  const [serial, hid, lp] = await Promise.all([
    serialPorts(all, notices),
    hidPorts(all, notices),
    all.platform === 'linux' ? lpPorts(all.devDir) : Promise.resolve([]),
  ]);
  return { ports: [...serial.sort(byPath), ...hid.sort(byPath), ...lp.sort(byPath)], notices };
}
