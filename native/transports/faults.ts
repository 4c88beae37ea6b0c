// Turning what the OS and the libraries say (errno codes, library messages) into faults a plant
// user can act on: what happened, and what to do about it, in Russian and English.
import type { DeviceFault, FaultCode } from '../../main/contract/devices.js';

type Pair = { ru: string; en: string };

export function deviceFault(code: FaultCode, message: Pair, hint?: Pair, cause?: string): DeviceFault {
  return { code, message, ...(hint ? { hint } : {}), ...(cause ? { cause } : {}) };
}

function errnoOf(error: unknown): string {
  const e = error as { code?: unknown; errno?: unknown; message?: unknown } | null;
  if (e && typeof e.code === 'string') return e.code;
  const text = e && typeof e.message === 'string' ? e.message : String(error);
  // serialport's bindings put the errno name into the message: "Error: Permission denied, cannot open /dev/ttyS0"
  if (/permission denied|access denied|EACCES/i.test(text)) return 'EACCES';
  if (/no such file|ENOENT|cannot find|file not found/i.test(text)) return 'ENOENT';
  if (/resource busy|EBUSY|cannot lock port|locked/i.test(text)) return 'EBUSY';
  if (/bad file descriptor|EBADF|EIO|input\/output error/i.test(text)) return 'EIO';
  return '';
}

function causeOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

const DIALOUT_HINT: Pair = {
  ru: 'Добавьте пользователя в группу dialout (sudo usermod -aG dialout $USER) и войдите в систему заново, либо установите udev-правило PlantDesk',
  en: 'Add the user to the dialout group (sudo usermod -aG dialout $USER) and log in again, or install the PlantDesk udev rule',
};

/** A fault for a failed open/write of a serial port or device file. */
export function serialFault(error: unknown, path: string): DeviceFault {
  const cause = causeOf(error);
  if ((error as { disconnected?: unknown } | null)?.disconnected === true) return disconnectedFault(path, cause);
  switch (errnoOf(error)) {
    case 'ENOENT':
      return deviceFault(
        'NOT_FOUND',
        { ru: `Порт ${path} не найден`, en: `Port ${path} does not exist` },
        {
          ru: 'Проверьте, что устройство подключено и включено, и выберите порт из списка',
          en: 'Check that the device is plugged in and switched on, and pick the port from the list',
        },
        cause,
      );
    case 'EACCES':
    case 'EPERM':
      return deviceFault('ACCESS_DENIED', { ru: `Нет доступа к порту ${path}`, en: `Access to port ${path} is denied` }, DIALOUT_HINT, cause);
    case 'EBUSY':
      return deviceFault(
        'BUSY',
        { ru: `Порт ${path} занят другой программой`, en: `Port ${path} is in use by another program` },
        {
          ru: 'Закройте другую программу, работающую с устройством (драйвер весов, терминал, другой экземпляр PlantDesk)',
          en: 'Close the other program using the device (scale driver, terminal, another PlantDesk)',
        },
        cause,
      );
    case 'EIO':
    case 'ENXIO':
    case 'ENODEV':
      return disconnectedFault(path, cause);
    default:
      return deviceFault('DEVICE_ERROR', { ru: `Ошибка порта ${path}: ${cause}`, en: `Port ${path} failed: ${cause}` }, undefined, cause);
  }
}

export function disconnectedFault(where: string, cause?: string): DeviceFault {
  return deviceFault(
    'DISCONNECTED',
    { ru: `Устройство ${where} отключено`, en: `Device ${where} was disconnected` },
    {
      ru: 'Проверьте кабель и питание; PlantDesk переподключится сам, когда устройство вернётся',
      en: 'Check the cable and power; PlantDesk reconnects by itself when the device is back',
    },
    cause,
  );
}

export function timeoutFault(where: string, ms: number): DeviceFault {
  return deviceFault(
    'TIMEOUT',
    { ru: `${where}: нет ответа за ${ms} мс`, en: `${where}: no answer within ${ms} ms` },
    {
      ru: 'Проверьте протокол, скорость порта и адрес устройства в настройках, и что устройство включено',
      en: 'Check the protocol, baud rate and device address in the settings, and that the device is on',
    },
  );
}

export function protocolFault(where: string, detail: string): DeviceFault {
  return deviceFault(
    'PROTOCOL',
    { ru: `${where}: непонятный ответ (${detail})`, en: `${where}: unexpected answer (${detail})` },
    {
      ru: 'Проверьте, что выбран протокол этого устройства и скорость порта совпадает с настройкой устройства',
      en: 'Check that the protocol matches the device and the baud rate matches its setting',
    },
  );
}
