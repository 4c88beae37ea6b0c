/**
 * A barcode scanner in USB CDC / virtual COM mode: each scan is one line.
 *
 *   const scanner = await new ScannerSimulator({ suffix: 'crlf' }).start();
 *   await scanner.scan('010460123456789017261127\x1d10ABC', { aim: ']C1' })
 *     writes `]C1010460…<GS>10ABC` + suffix (default CR) the way `mode` says
 *
 * Data goes out as UTF-8; a GS (FNC1) separator is the byte 0x1D.
 */
import { ascii, Simulator, type SimulatorOptions } from './simulator.js';

export type ScanSuffix = 'cr' | 'lf' | 'crlf';

export interface ScannerSimulatorOptions extends SimulatorOptions {
  /** Default suffix of every scan (default CR, the factory setting of most scanners). */
  suffix?: ScanSuffix;
}

const SUFFIX: Record<ScanSuffix, string> = { cr: '\r', lf: '\n', crlf: '\r\n' };

export class ScannerSimulator extends Simulator {
  private readonly suffix: ScanSuffix;

  constructor(options: ScannerSimulatorOptions = {}) {
    super('scanner', options);
    this.suffix = options.suffix ?? 'cr';
  }

  /** One scan: optional AIM symbology identifier (e.g. `]C1`, `]d2`), the data, the suffix. */
  scan(data: string, options: { aim?: string; suffix?: ScanSuffix } = {}): Promise<void> {
    return this.transmit(ascii(`${options.aim ?? ''}${data}${SUFFIX[options.suffix ?? this.suffix]}`));
  }

  protected handle(): void {
    // a scanner in COM mode ignores what the host sends (configuration barcodes are scanned, not sent)
  }
}
