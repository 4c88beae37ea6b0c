// Barcode scanners that are not keyboards: serial / USB CDC scanners send lines, HID-POS scanners
// send input reports. Both end in a scan event read by `parseScan` (AIM symbology, GS1 fields,
// check digits, dates). Keyboard-wedge scanners are caught in the renderer, not here.
import type { DeviceConfig, DeviceFault, ScanEvent } from '../../main/contract/devices.js';
import { parseScan } from '../protocols/gs1.js';
import { HidPosDecoder } from '../protocols/hid-pos.js';
import { LineReader, MAX_LINE_BYTES } from '../protocols/lab-line.js';
import { deviceFault, protocolFault } from '../transports/faults.js';
import { TransportDriver, type DriverContext } from './driver.js';

export function scanEvent(device: string, at: number, raw: string): ScanEvent {
  // GS1 dates have two-digit years, read around the year of the scan
  const scan = parseScan(raw, { referenceYear: new Date(at).getUTCFullYear() });
  return {
    device,
    at,
    raw: scan.raw,
    symbology: scan.symbology,
    aim: scan.aim,
    gs1: scan.gs1,
    fields: scan.fields.map((f) => ({ ...f })),
    errors: scan.errors,
  };
}

abstract class ScannerDriver extends TransportDriver {
  protected scanned(raw: string): void {
    const event = scanEvent(this.config.code, this.context.now(), raw);
    this.emit((l) => l.scan?.(event));
  }
}

/**
 * Serial and USB-CDC scanners: one scan per line. Whatever suffix the scanner is set to (CR, LF,
 * CR LF), every one of them ends a line, so there is no setting to get wrong.
 */
class SerialScannerDriver extends ScannerDriver {
  private readonly lines = new LineReader(MAX_LINE_BYTES);

  protected override started(): void {
    this.lines.reset();
  }

  protected received(bytes: Uint8Array): void {
    for (const item of this.lines.push(bytes)) {
      if ('line' in item) this.scanned(item.line);
      else this.fault(tooLongFault(this.where, item.overflow));
    }
  }
}

function tooLongFault(where: string, bytes: number): DeviceFault {
  return deviceFault(
    'PROTOCOL',
    {
      ru: `${where}: строка длиной ${bytes} байт отброшена (больше ${MAX_LINE_BYTES})`,
      en: `${where}: a ${bytes}-byte line was dropped (over ${MAX_LINE_BYTES})`,
    },
    {
      ru: 'Проверьте, что сканер добавляет в конец CR или LF и скорость порта совпадает',
      en: 'Check that the scanner ends each scan with CR or LF and the baud rate matches',
    },
  );
}

/** HID-POS scanners: the transport delivers whole input reports. */
class HidScannerDriver extends ScannerDriver {
  private readonly reports = new HidPosDecoder();

  protected override started(): void {
    this.reports.reset();
  }

  protected received(report: Uint8Array): void {
    for (const item of this.reports.push(report, this.context.now())) {
      if ('scan' in item) this.scanned(item.scan);
      else this.fault(protocolFault(this.where, item.error));
    }
  }
}

export function createScannerDriver(config: DeviceConfig, context: DriverContext): TransportDriver {
  return config.protocol === 'scanner-hid' ? new HidScannerDriver(config, context) : new SerialScannerDriver(config, context);
}
