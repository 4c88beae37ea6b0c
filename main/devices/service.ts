// The device service: the hardware operations of the contract (`runs: 'device'`), served by
// every host of this PC under the same names as the rest. Each call is admitted by the
// registry exactly as any other operation (input validation, session, permission), then runs
// here, asynchronously and outside any database transaction. Never throws: refusals and
// failures come back as Results.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { deviceConfig, type DeviceConfig, type DeviceFault, type PortList, type PrinterOptions } from '../contract/devices.js';
import { makeError, type OperationError, type Result } from '../contract/errors.js';
import { isDeviceOperation, isOperationName, operations, type DeviceOperationName, type Operations } from '../contract/operations.js';
import { DomainError } from '../core/domain-error.js';
import { validationError } from '../core/validation-error.js';
import type { Credentials } from '../registry.js';
import type { Workspace } from '../workspace.js';
import { faultOf, type DeviceDriver, type DriverFactory } from '../../native/drivers/driver.js';
import { createDriver } from '../../native/drivers/index.js';
import { createTransport, listPorts, timeoutFault, type TransportFactory } from '../../native/transports/index.js';
import type { DeviceManager } from './manager.js';
import { testLabelCommands } from './test-label.js';

export interface DeviceServiceOptions {
  now?: () => number;
  listPorts?: () => Promise<PortList>;
  /** For `devices.test`, which opens a driver of its own. */
  driverFactory?: DriverFactory;
  openTransport?: TransportFactory;
  onInternalError?: (operation: string, error: unknown) => void;
}

type Input<N extends DeviceOperationName> = z.output<Operations[N]['input']>;
type Output<N extends DeviceOperationName> = z.input<Operations[N]['output']>;
type DeviceHandlers = { [N in DeviceOperationName]: (input: Input<N>) => Output<N> | Promise<Output<N>> };
type TestOutput = Output<'devices.test'>;

/** What a test keeps of each kind of report: enough to judge a device, bounded for a fast stream. */
const TEST_KEEP = 200;
/** Kinds that report by themselves within a test; silence from them is a fault. */
const TALKING_KINDS = new Set(['scale', 'sensor']);

export class DeviceService {
  private readonly now: () => number;
  private readonly handlers: DeviceHandlers;

  constructor(
    readonly workspace: Workspace,
    readonly manager: DeviceManager,
    private readonly options: DeviceServiceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    const m = manager;
    this.handlers = {
      'devices.ports': () => (options.listPorts ?? listPorts)(),
      'devices.status': () => ({ rows: m.statuses() }),
      'devices.test': (input) => this.test(input),
      'devices.capture': (input) => m.capture(input.device),
      'devices.zero': async (input) => (await m.zero(input.device), { ok: true as const }),
      'devices.tare': async (input) => (await m.tare(input.device), { ok: true as const }),
      'devices.reconnect': (input) => m.reconnect(input.device),
      'devices.sample': (input) => m.setSample(input.device, input.inspection, input.release),
      'printers.print': (input) => m.print(input.device, input.title, new TextEncoder().encode(input.data)),
      'printers.test': (input) => {
        const config = m.config(input.device, 'printer');
        const commands = testLabelCommands(config.protocol === 'tspl' ? 'tspl' : 'zpl', config.options as PrinterOptions, new Date(this.now()));
        return m.print(input.device, 'Test label / Тестовая этикетка', new TextEncoder().encode(commands));
      },
      'printers.jobs': () => ({ rows: m.jobs() }),
      'printers.cancel': (input) => m.cancel(input.id),
    };
  }

  /** Runs a hardware operation for a host's caller, proven by a session token only. */
  async invokeDevice(name: string, input: unknown, credentials: Credentials = null): Promise<Result<unknown>> {
    // Only hardware operations come here; the registry serves (and refuses) everything else.
    if (!isOperationName(name) || !isDeviceOperation(name)) {
      return { ok: false, error: makeError('UNKNOWN_OPERATION', { operation: String(name).slice(0, 80) }) };
    }
    const admitted = this.workspace.registry.admit(name, input, credentials);
    if (!admitted.ok) return admitted;
    try {
      const handler = this.handlers[name] as (input: unknown) => unknown;
      const value = await handler(admitted.value.input);
      if (this.workspace.validatesOutputs) {
        const checked = operations[name].output.safeParse(value);
        if (!checked.success) throw new Error(`output of ${name}: ${z.prettifyError(checked.error)}`);
      }
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: this.toError(name, error) };
    }
  }

  /**
   * Opens a device with unsaved settings for a while and reports what it sent. A port the
   * manager already holds is not fought over: the answer says which device uses it.
   */
  private async test(input: Input<'devices.test'>): Promise<TestOutput> {
    const parsed = deviceConfig.safeParse(input.device);
    if (!parsed.success) {
      const error = validationError(deviceConfig, input.device, parsed.error);
      // Fields are named from the operation's input, where the settings sit under `device`.
      if (error.field) error.field = `device.${error.field}`;
      for (const issue of error.issues ?? []) issue.field = `device.${issue.field}`;
      throw DomainError.of(error);
    }
    const config = parsed.data;
    const report: TestOutput = { ok: false, fault: null, weights: [], scans: [], lines: [], samples: [] };
    const owner = this.manager.deviceUsing(config.connection);
    if (owner) return { ...report, fault: busyFault(owner) };

    let heard = 0;
    let closed: DeviceFault | null = null;
    let lastFault: DeviceFault | null = null;
    // A fault the device got over (one garbled frame, then good ones) is not the verdict.
    const got = <T>(list: T[], item: T) => {
      heard++;
      lastFault = null;
      if (list.length < TEST_KEEP) list.push(item);
    };
    const ended = new AbortController();
    let driver: DeviceDriver | null = null;
    try {
      driver = (this.options.driverFactory ?? createDriver)(config, {
        now: this.now,
        openTransport: this.options.openTransport ?? createTransport,
        listeners: {
          weight: (event) => got(report.weights, event),
          scan: (event) => got(report.scans, event),
          lab: (message) => {
            for (const r of message.results) got(report.lines, `${message.sampleId}: ${r.testCode} = ${r.value} ${r.unit}`.trim());
          },
          sample: (event) => got(report.samples, { quantity: event.quantity, value: event.value, ...(event.error ? { error: event.error } : {}) }),
          line: (text) => got(report.lines, text),
          fault: (fault) => void (lastFault = fault),
          closed: (fault) => {
            closed = fault;
            ended.abort();
          },
        },
      });
      await driver.open();
      await sleep(input.durationMs, undefined, { signal: ended.signal }).catch(() => undefined);
    } catch (error) {
      return { ...report, fault: faultOf(error) };
    } finally {
      await driver?.close().catch(() => undefined);
    }
    const silent = heard === 0 && TALKING_KINDS.has(config.kind) ? timeoutFault(config.name, input.durationMs) : null;
    const fault = closed ?? lastFault ?? silent;
    return { ...report, ok: fault === null, fault };
  }

  private toError(operation: string, error: unknown): OperationError {
    if (error instanceof DomainError) return error.error;
    this.options.onInternalError?.(operation, error);
    return makeError('INTERNAL', { details: error instanceof Error ? error.message : String(error) });
  }
}

function busyFault(owner: DeviceConfig): DeviceFault {
  return {
    code: 'BUSY',
    message: {
      ru: `Порт уже открыт PlantDesk для устройства «${owner.name}» (${owner.code})`,
      en: `The port is already open in PlantDesk for device "${owner.name}" (${owner.code})`,
    },
    hint: {
      ru: 'Сохраните настройки этого устройства — оно переподключится с ними; или отключите его, чтобы проверить порт',
      en: 'Save the settings of that device and it reconnects with them, or switch it off to test the port',
    },
  };
}
