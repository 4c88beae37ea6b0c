// Devices as the contract sees them: how a device is configured (kind, protocol, connection,
// options), what it reports (status, weights, scans, lab results, sensor samples, print jobs) and
// the faults a user can meet. Pure zod: the renderer, the CLI, the device manager and the native
// drivers all derive their types from here.
import { z } from 'zod';
import { code, epochMs, id, text } from './entities.js';
import { say } from './errors.js';

// ── what a device is ────────────────────────────────────────────────────────────────────────

export const DEVICE_KINDS = ['scale', 'scanner', 'lab', 'sensor', 'printer'] as const;
export const deviceKind = z.enum(DEVICE_KINDS);
export type DeviceKind = z.infer<typeof deviceKind>;

export const SCALE_PROTOCOLS = ['mt-sics', 'toledo', 'cas', 'massa-k', 'shtrih'] as const;
export const PROTOCOLS_BY_KIND = {
  scale: SCALE_PROTOCOLS,
  scanner: ['scanner-serial', 'scanner-hid'],
  lab: ['astm', 'lab-line'],
  sensor: ['modbus'],
  printer: ['zpl', 'tspl'],
} as const satisfies Record<DeviceKind, readonly string[]>;
export const DEVICE_PROTOCOLS = [
  ...SCALE_PROTOCOLS,
  'scanner-serial',
  'scanner-hid',
  'astm',
  'lab-line',
  'modbus',
  'zpl',
  'tspl',
] as const;
export const deviceProtocol = z.enum(DEVICE_PROTOCOLS);
export type DeviceProtocol = z.infer<typeof deviceProtocol>;
export type ScaleProtocol = (typeof SCALE_PROTOCOLS)[number];

export function kindOfProtocol(protocol: DeviceProtocol): DeviceKind {
  for (const kind of DEVICE_KINDS) if ((PROTOCOLS_BY_KIND[kind] as readonly string[]).includes(protocol)) return kind;
  throw new Error(`unknown protocol ${protocol}`);
}

/** Default line settings per protocol, from the manufacturers' manuals (DEVICES.md). */
export const DEFAULT_BAUD: Record<DeviceProtocol, number> = {
  'mt-sics': 9600,
  toledo: 9600,
  cas: 9600,
  'massa-k': 4800,
  shtrih: 4800,
  'scanner-serial': 9600,
  'scanner-hid': 0,
  astm: 9600,
  'lab-line': 9600,
  modbus: 9600,
  zpl: 9600,
  tspl: 9600,
};

const devicePath = z
  .string()
  .trim()
  .min(1)
  .max(260)
  .refine((p) => !p.includes('\0'), say('недопустимый символ в пути', 'invalid character in path'));

export const serialConnection = z
  .object({
    type: z.literal('serial'),
    /** /dev/ttyUSB0, /dev/serial/by-id/…, COM3 */
    path: devicePath,
    baudRate: z.number().int().min(50).max(4_000_000).default(9600),
    dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
    parity: z.enum(['none', 'even', 'odd']).default('none'),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
  })
  .strict();

export const tcpConnection = z
  .object({
    type: z.literal('tcp'),
    host: z
      .string()
      .trim()
      .min(1)
      .max(253)
      .regex(/^[A-Za-z0-9.\-:[\]]+$/, say('имя или адрес узла', 'a host name or address')),
    port: z.number().int().min(1).max(65535).default(9100),
  })
  .strict();

export const hidConnection = z
  .object({
    type: z.literal('hid'),
    vendorId: z.number().int().min(0).max(0xffff),
    productId: z.number().int().min(0).max(0xffff),
    /** The hidraw path when several identical devices are attached. */
    path: devicePath.optional(),
  })
  .strict();

/** A write-only printer device file: /dev/usb/lp0 (Linux USB printer class). */
export const lpConnection = z.object({ type: z.literal('lp'), path: devicePath }).strict();

export const connection = z.discriminatedUnion('type', [serialConnection, tcpConnection, hidConnection, lpConnection]);
export type Connection = z.output<typeof connection>;
export type ConnectionInput = z.input<typeof connection>;
export type SerialConnection = z.output<typeof serialConnection>;

/** Grams; the range a captured weight must fall in (the scale's min and max load). */
const gramsLimit = z.number().int().min(0).max(100_000_000);

export const scaleOptions = z
  .object({
    /** Polling interval for protocols that are asked (MT-SICS, Massa-K, Shtrih); streaming ones ignore it. */
    pollMs: z.number().int().min(50).max(60_000).default(250),
    /** MT-SICS: ask with `SIR` (continuous) instead of polling `SI`. */
    stream: z.boolean().default(false),
    /** Toledo continuous: the frame carries a checksum byte. */
    checksum: z.boolean().default(true),
    /** Shtrih: 4-digit password. */
    password: z.string().regex(/^\d{4}$/).default('0030'),
    minGrams: gramsLimit.default(20),
    maxGrams: gramsLimit.default(600_000),
    /** A reading older than this is not captured (the scale went quiet). */
    staleMs: z.number().int().min(100).max(60_000).default(2_000),
  })
  .strict();

/**
 * No options: a serial/CDC scanner's line ends at CR, LF or CR LF alike, whatever suffix the
 * scanner is set to, so there is nothing to choose.
 */
export const scannerOptions = z.object({}).strict();

/** A simple line-output instrument (moisture analyser, pH meter): ask, match a line, take a value. */
export const labLineProfile = z
  .object({
    /** Text sent to ask for a reading (e.g. `P`, `PH?`); none for instruments that print by themselves. */
    command: z.string().max(40).optional(),
    /** Regular expression with a named group `value` (decimal point or comma). */
    pattern: z
      .string()
      .min(1)
      .max(400)
      .refine((p) => {
        try {
          return new RegExp(p).source.includes('?<value>');
        } catch {
          return false;
        }
      }, say('регулярное выражение с группой (?<value>…)', 'a regular expression with a (?<value>…) group')),
    unit: z.string().max(20).default(''),
    /** Inspection template parameter (its test code) the value is recorded as. */
    testCode: z.string().trim().min(1).max(40),
    /** How often to ask, when `command` is set. */
    intervalMs: z.number().int().min(200).max(3_600_000).default(5_000),
  })
  .strict();

export const labOptions = z
  .object({
    /** How the instrument's sample id names what was tested. */
    sampleId: z.enum(['inspection', 'lot']).default('lot'),
    /** Instrument test code → template parameter test code, where they differ. */
    testCodes: z.record(z.string().max(40), z.string().max(40)).default({}),
    /** lab-line only; its readings go into the inspection chosen in the app (`sampleId` is for ASTM). */
    profile: labLineProfile.optional(),
  })
  .strict();

export const sensorChannel = z
  .object({
    quantity: z.enum(['temperature', 'humidity']),
    unitId: z.number().int().min(1).max(247).default(1),
    function: z.union([z.literal(3), z.literal(4)]).default(4),
    address: z.number().int().min(0).max(65535),
    type: z.enum(['int16', 'uint16', 'int32', 'uint32', 'float32']).default('int16'),
    wordOrder: z.enum(['big', 'little']).default('big'),
    scale: z.number().refine((s) => s !== 0, say('не ноль', 'not zero')).default(0.1),
    offset: z.number().default(0),
  })
  .strict();
export type SensorChannel = z.output<typeof sensorChannel>;

export const sensorOptions = z
  .object({
    pollMs: z.number().int().min(200).max(3_600_000).default(10_000),
    /** Modbus reply timeout. */
    timeoutMs: z.number().int().min(50).max(10_000).default(1_000),
    channels: z.array(sensorChannel).min(1).max(16),
    /** Where the sensor hangs: its limits come from the location (temp_min/temp_max) unless set here. */
    location: code.nullable().default(null),
    equipment: code.nullable().default(null),
    tempMin: z.number().min(-80).max(400).nullable().default(null),
    tempMax: z.number().min(-80).max(400).nullable().default(null),
    /** A limit must be crossed for this long before an alert is raised (door opened for a moment). */
    alertDelayMs: z.number().int().min(0).max(86_400_000).default(300_000),
  })
  .strict();

/** How a ZPL label prints its text: printer fonts, what they lack as images, or everything as images. */
export const LABEL_TEXT_MODES = ['font', 'graphic', 'graphic-all'] as const;
export type LabelTextMode = (typeof LABEL_TEXT_MODES)[number];

export const printerOptions = z
  .object({
    dpi: z.union([z.literal(203), z.literal(300)]).default(203),
    widthMm: z.number().min(10).max(220).default(100),
    heightMm: z.number().min(10).max(400).default(150),
    /** Font stored on the printer for Chinese text (e.g. `E:SIMSUN.TTF`); without it Chinese is printed as an image. */
    cjkFont: z.string().max(60).optional(),
    /** ZPL text: `font` (printer fonts, Chinese in cjkFont), `graphic` (what the stock font lacks, as images) or `graphic-all`; default: font with a cjkFont, else graphic. */
    textAs: z.enum(LABEL_TEXT_MODES).optional(),
    gapMm: z.number().min(0).max(20).default(3),
  })
  .strict();

export const OPTIONS_BY_KIND = {
  scale: scaleOptions,
  scanner: scannerOptions,
  lab: labOptions,
  sensor: sensorOptions,
  printer: printerOptions,
} as const;
export type ScaleOptions = z.output<typeof scaleOptions>;
export type ScannerOptions = z.output<typeof scannerOptions>;
export type LabOptions = z.output<typeof labOptions>;
export type SensorOptions = z.output<typeof sensorOptions>;
export type PrinterOptions = z.output<typeof printerOptions>;
export type LabLineProfile = z.output<typeof labLineProfile>;

/** Which connection types a protocol can use. */
export const CONNECTIONS_BY_PROTOCOL: Record<DeviceProtocol, readonly Connection['type'][]> = {
  'mt-sics': ['serial', 'tcp'],
  toledo: ['serial', 'tcp'],
  cas: ['serial', 'tcp'],
  'massa-k': ['serial', 'tcp'],
  shtrih: ['serial'],
  'scanner-serial': ['serial'],
  'scanner-hid': ['hid'],
  astm: ['serial', 'tcp'],
  'lab-line': ['serial'],
  modbus: ['serial'],
  zpl: ['tcp', 'serial', 'lp'],
  tspl: ['tcp', 'serial', 'lp'],
};

/** A device as the user configures it (input of `devices.save`). */
export const deviceConfigInput = z
  .object({
    code,
    name: text(200),
    protocol: deviceProtocol,
    connection,
    /** Options of the device's kind; defaults filled in. Checked against the kind by `parseDeviceConfig`. */
    options: z.record(z.string(), z.unknown()).default({}),
    active: z.union([z.literal(0), z.literal(1)]).optional(),
  })
  .strict();

export interface DeviceConfig {
  code: string;
  name: string;
  kind: DeviceKind;
  protocol: DeviceProtocol;
  connection: Connection;
  options: ScaleOptions | ScannerOptions | LabOptions | SensorOptions | PrinterOptions;
  active: 0 | 1;
}

/** Validates a whole device: the options against its kind, the connection against its protocol. */
export const deviceConfig = deviceConfigInput.transform((d, ctx): DeviceConfig => {
  const kind = kindOfProtocol(d.protocol);
  if (!CONNECTIONS_BY_PROTOCOL[d.protocol].includes(d.connection.type)) {
    ctx.addIssue({
      code: 'custom',
      path: ['connection', 'type'],
      message: say(
        `протокол ${d.protocol} не работает через ${d.connection.type}`,
        `protocol ${d.protocol} does not work over ${d.connection.type}`,
      ),
    });
    return z.NEVER;
  }
  const parsed = OPTIONS_BY_KIND[kind].safeParse(d.options);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ['options', ...issue.path] } as never);
    return z.NEVER;
  }
  if (kind === 'scale') {
    const o = parsed.data as ScaleOptions;
    if (o.minGrams >= o.maxGrams) {
      ctx.addIssue({ code: 'custom', path: ['options', 'maxGrams'], message: say('больше минимума', 'above the minimum') });
      return z.NEVER;
    }
  }
  if (kind === 'lab' && d.protocol === 'lab-line' && !(parsed.data as LabOptions).profile) {
    ctx.addIssue({ code: 'custom', path: ['options', 'profile'], message: say('нужен профиль прибора', 'an instrument profile is needed') });
    return z.NEVER;
  }
  return { code: d.code, name: d.name, kind, protocol: d.protocol, connection: d.connection, options: parsed.data, active: d.active ?? 1 };
});

// ── what devices report ─────────────────────────────────────────────────────────────────────

export const FAULT_CODES = [
  'NOT_FOUND', // port or host does not exist / device unplugged
  'ACCESS_DENIED', // permissions (dialout group, udev rule)
  'BUSY', // port opened by another program
  'DISCONNECTED', // was open, went away
  'TIMEOUT', // no answer in time
  'NO_UDEV', // port discovery without udev: fell back to scanning /dev
  'NO_HID', // node-hid / libusb / hidraw missing
  'PROTOCOL', // answered, but not in the configured protocol
  'DEVICE_ERROR', // the device reported an error (sensor fault, printer paused, …)
  'UNSUPPORTED', // not possible on this OS / transport
  'REFUSED', // connection refused (TCP)
] as const;
export const faultCode = z.enum(FAULT_CODES);
export type FaultCode = z.infer<typeof faultCode>;

const pair = z.object({ ru: z.string(), en: z.string() });

/** A device problem as the user reads it: what happened, and what to do about it. */
export const deviceFault = z.object({
  code: faultCode,
  message: pair,
  hint: pair.optional(),
  /** The system's own words (errno, library message), for the support engineer. */
  cause: z.string().optional(),
});
export type DeviceFault = z.infer<typeof deviceFault>;

export const connectionState = z.enum(['disabled', 'connecting', 'connected', 'reading', 'error']);
export type ConnectionState = z.infer<typeof connectionState>;

export const deviceStatus = z.object({
  code: z.string(),
  kind: deviceKind,
  protocol: deviceProtocol,
  state: connectionState,
  /** Set while `state` is `error` (and kept as the last error after a reconnect). */
  fault: deviceFault.nullable(),
  since: epochMs,
  /** When the last reading (of any kind) arrived. */
  lastReadingAt: epochMs.nullable(),
  /** Reconnect attempt number while the device is away; next try at `retryAt`. */
  attempt: z.number().int().min(0),
  retryAt: epochMs.nullable(),
  /**
   * Line-output lab instruments: the inspection their next readings go into, chosen in the app;
   * the tie lapses at `until` unless a reading comes first (absent for other devices).
   */
  tiedTo: z.object({ inspection: z.string(), until: epochMs }).nullable().optional(),
});
export type DeviceStatus = z.infer<typeof deviceStatus>;

export const weightEvent = z.object({
  device: z.string(),
  at: epochMs,
  weight: z.number(),
  unit: z.enum(['kg', 'g', 'lb']),
  grams: z.number().nullable(),
  stable: z.boolean(),
  status: z.enum(['ok', 'overload', 'underload', 'error']),
  net: z.boolean().optional(),
  tareGrams: z.number().nullable().optional(),
  error: z.string().optional(),
});
export type WeightEvent = z.infer<typeof weightEvent>;

export const scanFieldView = z.object({
  ai: z.string(),
  name: z.string(),
  value: z.string(),
  date: z.string().optional(),
  decimal: z.number().optional(),
});

/** What can be wrong with a scan; native/protocols/gs1.ts holds the message of each. */
export const SCAN_ERROR_CODES = [
  'EMPTY',
  'BRACKETS',
  'AI_TRUNCATED',
  'UNKNOWN_AI',
  'FIELD_TRUNCATED',
  'TOO_LONG',
  'LENGTH',
  'NOT_NUMERIC',
  'CHECK_DIGIT',
  'INVALID_DATE',
  'DATES_LENGTH',
  'DATE_RANGE_REVERSED',
  'TEMPERATURE_FORMAT',
  'COUNTRY_CODE',
  'INVALID_CHARACTERS',
] as const;
export const scanErrorCode = z.enum(SCAN_ERROR_CODES);
export type ScanErrorCode = z.infer<typeof scanErrorCode>;

export const scanError = z.object({
  code: scanErrorCode,
  /** The application identifier the error is about, when it is known. */
  ai: z.string().optional(),
  /** The specifics the message is made of (expected and found values, position). */
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  ru: z.string(),
  en: z.string(),
});
export type ScanError = z.infer<typeof scanError>;

export const scanEvent = z.object({
  /** The device code; `keyboard` for a keyboard-wedge scan caught in the renderer. */
  device: z.string(),
  at: epochMs,
  raw: z.string(),
  symbology: z.string(),
  aim: z.string().nullable(),
  gs1: z.boolean(),
  fields: z.array(scanFieldView),
  /** Why the scan cannot be used as is; empty for a good scan. */
  errors: z.array(scanError),
});
export type ScanEvent = z.infer<typeof scanEvent>;

export const labResultEvent = z.object({
  device: z.string(),
  at: epochMs,
  sampleId: z.string(),
  testCode: z.string(),
  value: z.string(),
  numeric: z.number().nullable(),
  unit: z.string(),
  /** Where it landed: the inspection number, or why it did not. */
  inspection: z.string().nullable(),
  refused: pair.nullable(),
});
export type LabResultEvent = z.infer<typeof labResultEvent>;

export const sensorSampleEvent = z.object({
  device: z.string(),
  at: epochMs,
  quantity: z.enum(['temperature', 'humidity']),
  value: z.number().nullable(),
  error: z.string().optional(),
});
export type SensorSampleEvent = z.infer<typeof sensorSampleEvent>;

export const printJobState = z.enum(['queued', 'sending', 'done', 'failed', 'cancelled']);
export const printJob = z.object({
  id: z.string(),
  device: z.string(),
  title: z.string(),
  copies: z.number().int(),
  bytes: z.number().int(),
  state: printJobState,
  createdAt: epochMs,
  finishedAt: epochMs.nullable(),
  fault: deviceFault.nullable(),
});
export type PrintJob = z.infer<typeof printJob>;

export const alertEvent = z.object({
  id,
  device: z.string(),
  kind: z.enum(['above', 'below', 'sensor']),
  state: z.enum(['open', 'closed']),
  value: z.number().nullable(),
  limit: z.number().nullable(),
  at: epochMs,
});
export type AlertEvent = z.infer<typeof alertEvent>;

/** A port the user can pick: from the OS (udev, SetupAPI) or, without udev, found in /dev. */
export const portInfo = z.object({
  path: z.string(),
  kind: z.enum(['serial', 'hid', 'lp']),
  manufacturer: z.string().nullable(),
  serialNumber: z.string().nullable(),
  vendorId: z.number().int().nullable(),
  productId: z.number().int().nullable(),
  product: z.string().nullable(),
  /** Whether this process may open it (false: permissions; see `hint`). */
  accessible: z.boolean().nullable(),
  /** HID only: a barcode scanner in HID-POS mode (usage page 0x8C), readable with the scanner-hid protocol. */
  hidPos: z.boolean().optional(),
});
export type PortInfo = z.infer<typeof portInfo>;

export const portList = z.object({
  ports: z.array(portInfo),
  /** Why the list may be incomplete (no udev, no HID library) — shown above the list. */
  notices: z.array(deviceFault),
});
export type PortList = z.infer<typeof portList>;

/** A stable weight taken into a document: what the operator saw and accepted. */
export const capturedWeight = z.object({
  device: z.string(),
  at: epochMs,
  gross_g: z.number().int(),
  tare_g: z.number().int(),
  net_g: z.number().int(),
  /**
   * The scale's own frame, shown to the operator with the weight. Documents keep gross/tare/net
   * only (receipt lines have no column for the frame yet — see docs/devices.md).
   */
  raw: z.string(),
});
export type CapturedWeight = z.infer<typeof capturedWeight>;

/** Every kind of event a device can push to the windows. */
export interface DeviceEventPayloads {
  'device.status': DeviceStatus;
  'device.weight': WeightEvent;
  'device.scan': ScanEvent;
  'device.lab': LabResultEvent;
  'device.sample': SensorSampleEvent;
  'device.printJob': PrintJob;
  'device.alert': AlertEvent;
}
export const DEVICE_EVENT_CHANNELS = [
  'device.status',
  'device.weight',
  'device.scan',
  'device.lab',
  'device.sample',
  'device.printJob',
  'device.alert',
] as const satisfies readonly (keyof DeviceEventPayloads)[];

