/**
 * Device simulators by protocol, for tests, demos and `plantdesk devices simulate`:
 *
 *   const scale = await startSimulator('toledo', { state: { weightKg: 12.345 } });   → ToledoSimulator
 *   const printer = await startSimulator('printer-tcp', { port: 9100 });              → TcpPrinterSimulator
 *
 * Every protocol of DEVICE_PROTOCOLS has one (zpl/tspl: a serial printer on a pty) except
 * scanner-hid: a HID device cannot be made from a pty, so that start fails with UNSUPPORTED — use
 * scanner-serial, which sends the same data.
 */
import { DEVICE_PROTOCOLS, type DeviceProtocol } from '../../main/contract/devices.js';
import { deviceFault } from '../transports/faults.js';
import { DeviceFaultError } from '../transports/transport.js';
import { AstmSimulator } from './astm.js';
import { LabLineSimulator, type LabLineSimulatorOptions } from './lab-line.js';
import { ModbusSimulator, type ModbusSimulatorOptions } from './modbus.js';
import { SerialPrinterSimulator, TcpPrinterSimulator, type TcpPrinterOptions } from './printer.js';
import {
  CasSimulator,
  MassaKSimulator,
  MtSicsSimulator,
  ShtrihSimulator,
  ToledoSimulator,
  type MassaKSimulatorOptions,
  type ScaleSimulatorOptions,
  type ShtrihSimulatorOptions,
  type ToledoSimulatorOptions,
} from './scales.js';
import { ScannerSimulator, type ScannerSimulatorOptions } from './scanner.js';
import type { SimulatorOptions } from './simulator.js';

export type SimulatedProtocol = DeviceProtocol | 'printer-tcp';

/** What `startSimulator` can start (scanner-hid cannot be made from a pty). */
export const SIMULATED_PROTOCOLS = [
  ...DEVICE_PROTOCOLS.filter((p): p is Exclude<DeviceProtocol, 'scanner-hid'> => p !== 'scanner-hid'),
  'printer-tcp',
] as const satisfies readonly SimulatedProtocol[];

export interface SimulatorByProtocol {
  'mt-sics': MtSicsSimulator;
  toledo: ToledoSimulator;
  cas: CasSimulator;
  'massa-k': MassaKSimulator;
  shtrih: ShtrihSimulator;
  'scanner-serial': ScannerSimulator;
  'scanner-hid': never;
  astm: AstmSimulator;
  'lab-line': LabLineSimulator;
  modbus: ModbusSimulator;
  zpl: SerialPrinterSimulator;
  tspl: SerialPrinterSimulator;
  'printer-tcp': TcpPrinterSimulator;
}

export interface OptionsByProtocol {
  'mt-sics': ScaleSimulatorOptions;
  toledo: ToledoSimulatorOptions;
  cas: ScaleSimulatorOptions;
  'massa-k': MassaKSimulatorOptions;
  shtrih: ShtrihSimulatorOptions;
  'scanner-serial': ScannerSimulatorOptions;
  'scanner-hid': SimulatorOptions;
  astm: SimulatorOptions;
  'lab-line': LabLineSimulatorOptions;
  modbus: ModbusSimulatorOptions;
  zpl: SimulatorOptions;
  tspl: SimulatorOptions;
  'printer-tcp': TcpPrinterOptions;
}

function create(protocol: SimulatedProtocol, options: object): { start(): Promise<unknown> } {
  switch (protocol) {
    case 'mt-sics':
      return new MtSicsSimulator(options);
    case 'toledo':
      return new ToledoSimulator(options);
    case 'cas':
      return new CasSimulator(options);
    case 'massa-k':
      return new MassaKSimulator(options);
    case 'shtrih':
      return new ShtrihSimulator(options);
    case 'scanner-serial':
      return new ScannerSimulator(options);
    case 'astm':
      return new AstmSimulator(options);
    case 'lab-line':
      return new LabLineSimulator(options);
    case 'modbus':
      return new ModbusSimulator(options);
    case 'zpl':
    case 'tspl':
      return new SerialPrinterSimulator({ ...options, language: protocol });
    case 'printer-tcp':
      return new TcpPrinterSimulator(options);
    case 'scanner-hid':
      throw new DeviceFaultError(
        deviceFault(
          'UNSUPPORTED',
          { ru: 'HID-сканер нельзя имитировать через псевдотерминал', en: 'A HID scanner cannot be simulated over a pseudo-terminal' },
          { ru: 'Используйте scanner-serial: он передаёт те же данные', en: 'Use scanner-serial: it sends the same data' },
        ),
      );
  }
}

/** Creates and starts the simulator of a protocol. */
export async function startSimulator<P extends SimulatedProtocol>(protocol: P, options: OptionsByProtocol[P] = {}): Promise<SimulatorByProtocol[P]> {
  return (await create(protocol, options).start()) as SimulatorByProtocol[P];
}

export * from './simulator.js';
export * from './scales.js';
export * from './scanner.js';
export * from './astm.js';
export * from './lab-line.js';
export * from './modbus.js';
export * from './printer.js';
export * from './script.js';
export { openPty, ptyUnsupportedReason, type PtyPair } from './pty.js';
