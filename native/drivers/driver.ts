// What the device manager sees of any device: open it, hear what it reports, ask it to do things.
// A driver owns one transport (or, for Modbus, one modbus-serial client) and one protocol.
import type {
  DeviceConfig,
  DeviceFault,
  LabResultEvent,
  PrintJob,
  ScanEvent,
  SensorSampleEvent,
  WeightEvent,
} from '../../main/contract/devices.js';

/** Results of one instrument message (ASTM) or one matched line (line profiles), before mapping. */
export interface LabMessage {
  sampleId: string;
  results: { testCode: string; value: string; numeric: number | null; unit: string }[];
}

export interface DriverListeners {
  weight?(event: WeightEvent): void;
  scan?(event: ScanEvent): void;
  lab?(message: LabMessage, at: number): void;
  sample?(event: SensorSampleEvent): void;
  /** A line of text the device sent that no profile matched (shown in the test panel). */
  line?(text: string): void;
  job?(job: PrintJob): void;
  /** A problem that does not close the connection (bad frame, no answer to a poll, sensor error). */
  fault?(fault: DeviceFault): void;
  /** The connection went away; the manager decides when to reopen. */
  closed(fault: DeviceFault): void;
}

export interface DeviceDriver {
  readonly config: DeviceConfig;
  /** Opens the connection and starts polling/listening; rejects with a DeviceFaultError. */
  open(): Promise<void>;
  /** Stops polling and closes; safe to call twice. */
  close(): Promise<void>;
  /** Scales: zero / tare; resolve when the scale confirms, reject with DeviceFaultError otherwise. */
  zero?(): Promise<void>;
  tare?(): Promise<void>;
  /** Printers: queue raw printer language bytes. */
  print?(title: string, data: Uint8Array, copies?: number): PrintJob;
  jobs?(): PrintJob[];
  cancel?(id: string): PrintJob | null;
  /** Line-output lab instruments: which sample the next readings belong to. */
  setSample?(sampleId: string | null): void;
}

export interface DriverContext {
  now(): number;
  listeners: DriverListeners;
}

export type DriverFactory = (config: DeviceConfig, context: DriverContext) => DeviceDriver;
