// Hardware from the command line: the ports of this PC, a device read directly (no workspace
// needed — the first thing to try when a scale "does not work"), simulators for trying the app
// without hardware, and a test label. Faults are printed in the user's language, exit code 1.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  connection as connectionSchema,
  DEFAULT_BAUD,
  deviceConfig,
  printerOptions,
  type ConnectionInput,
  type DeviceConfig,
  type DeviceFault,
  type DeviceProtocol,
  type PrintJob,
} from '../contract/devices.js';
import { sensorPresetChannels } from '../contract/device-presets.js';
import { inLanguage } from '../contract/errors.js';
import { testLabelCommands, type LabelLanguage } from '../devices/test-label.js';
import { WORKSPACE_FILE } from '../workspace.js';
import { createDriver } from '../../native/drivers/index.js';
import type { DriverListeners } from '../../native/drivers/driver.js';
import { runScript, ScriptError, SIMULATED_PROTOCOLS, startSimulator, type SimulatedProtocol } from '../../native/sim/index.js';
import { createTransport, DeviceFaultError, listPorts, timeoutFault } from '../../native/transports/index.js';
import { parseIntOption, UsageError } from './args.js';
import { table } from './format.js';
import type { Command, Context, Lang } from './main.js';

/** What `devices read --protocol` accepts, and the contract protocol each one is. */
const READ_PROTOCOLS: Record<string, DeviceProtocol> = {
  'mt-sics': 'mt-sics',
  toledo: 'toledo',
  cas: 'cas',
  'massa-k': 'massa-k',
  shtrih: 'shtrih',
  astm: 'astm',
  modbus: 'modbus',
  scanner: 'scanner-serial',
};

export const DEVICE_COMMANDS: Record<string, Command> = {
  'devices list': {
    usage: 'devices list [--json]',
    summary: 'Serial, HID and printer ports of this PC, and the devices set up in the workspace',
    async run(ctx) {
      const ports = await listPorts();
      // Ports are this PC's business; the workspace's devices are shown only where there is one.
      const hasWorkspace = existsSync(join(ctx.workspaceDir(), WORKSPACE_FILE)) && ctx.workspace().info().initialised;
      const devices = hasWorkspace ? (await ctx.call('devices.list', {})).rows : null;
      const text = [
        ...ports.notices.map((n) => `! ${n.message[ctx.lang]}${n.hint ? ` — ${n.hint[ctx.lang]}` : ''}`),
        table(
          ['port', 'kind', 'product', 'manufacturer', 'usb id', 'access'],
          ports.ports.map((p) => [
            p.path,
            p.kind,
            p.product,
            p.manufacturer,
            p.vendorId === null ? '' : `${hex(p.vendorId)}:${hex(p.productId ?? 0)}`,
            p.accessible === null ? '' : p.accessible ? 'ok' : 'denied',
          ]),
        ),
        ...(devices
          ? [
              '',
              table(
                ['device', 'name', 'kind', 'protocol', 'connection', 'active'],
                devices.map((d) => [d.code, d.name, d.kind, d.protocol, describeConnection(d.connection_config), d.active ? 'yes' : 'no']),
              ),
            ]
          : []),
      ].join('\n');
      return { value: { ports: ports.ports, notices: ports.notices, devices }, text };
    },
  },

  'devices read': {
    usage:
      'devices read --protocol mt-sics|toledo|cas|massa-k|shtrih|astm|modbus|scanner --port PATH|tcp://HOST:PORT [--baud N] [--count N] [--timeout-ms 5000] [--json]  (modbus: [--unit 1] [--address N --type int16|uint16|int32|uint32|float32 --function 3|4 --scale 0.1 --quantity temperature|humidity]; XY-MD02 without --address)',
    summary: 'Read a device directly (no workspace): one line per reading until --count or Ctrl-C',
    async run(ctx) {
      const config = readConfig(ctx);
      const count = optionalInt(ctx, 'count');
      const timeoutMs = optionalInt(ctx, 'timeout-ms') ?? 5_000;
      const json = ctx.opts.flag('json');
      ctx.opts.assertAllUsed();
      const stop = interruptible(ctx.signal);
      let readings = 0;
      let lastFault: DeviceFault | null = null;
      const print = (value: object, text: string) => {
        ctx.out.write(`${json ? JSON.stringify(value) : text}\n`);
        if (++readings === count) stop.abort();
      };
      const driver = createDriver(config, {
        now: Date.now,
        openTransport: createTransport,
        listeners: {
          weight: (e, raw) => print({ ...e, raw }, `${e.weight} ${e.unit}  ${e.stable ? 'stable' : 'moving'}  ${e.status}${e.net ? '  net' : ''}`),
          scan: (s) => print(s, `${s.raw.replace(/\x1d/g, '<GS>')}  ${s.symbology}  ${s.fields.map((f) => `(${f.ai})${f.value}`).join('')}${s.errors.length ? `  errors: ${s.errors.map((e) => e[ctx.lang]).join('; ')}` : ''}`),
          lab: (m, at) => print({ at, ...m }, `${m.sampleId}: ${m.results.map((r) => `${r.testCode}=${r.value}${r.unit ? ` ${r.unit}` : ''}`).join(', ')}`),
          sample: (s) => print(s, `${s.quantity} ${s.value ?? '—'}${s.error ? `  ${s.error}` : ''}`),
          fault: (fault) => void (lastFault = fault),
          closed: (fault) => stop.abort(new DeviceFaultError(fault)),
        },
      });
      // Silence is a fault too: the protocol's own complaint if it had one, else a plain timeout.
      const timer = setTimeout(() => {
        if (readings === 0) stop.abort(new DeviceFaultError(lastFault ?? timeoutFault(config.name, timeoutMs)));
      }, timeoutMs);
      try {
        await driver.open();
        await aborted(stop.signal);
        if (stop.signal.reason instanceof DeviceFaultError) throw stop.signal.reason;
      } finally {
        clearTimeout(timer);
        stop.dispose();
        await driver.close().catch(() => undefined);
      }
      return { value: undefined, streamed: true };
    },
  },

  'devices simulate': {
    usage: `devices simulate ${SIMULATED_PROTOCOLS.join('|')} [--script FILE] [--link PATH] [--json]`,
    summary: 'A simulated device on a pseudo-terminal (Linux, macOS) for trying the app without hardware; runs until Ctrl-C',
    async run(ctx) {
      const protocol = ctx.args[0];
      if (!protocol || !(SIMULATED_PROTOCOLS as readonly string[]).includes(protocol)) {
        throw new UsageError(`devices simulate needs a protocol: ${SIMULATED_PROTOCOLS.join(', ')}`);
      }
      const scriptFile = ctx.opts.get('script');
      const link = ctx.opts.get('link');
      const json = ctx.opts.flag('json');
      ctx.opts.assertAllUsed();
      if (link !== undefined && protocol === 'printer-tcp') throw new UsageError('--link is for simulators on a pseudo-terminal, not printer-tcp');
      const script = scriptFile === undefined ? null : readScript(scriptFile);
      const stop = interruptible(ctx.signal);
      const sim = await startSimulator(protocol as SimulatedProtocol, link === undefined ? {} : { dir: dirname(resolve(link)), name: basename(link) });
      try {
        ctx.out.write(`${json ? JSON.stringify({ protocol, path: sim.path }) : `${protocol} simulator at ${sim.path} — Ctrl-C stops it`}\n`);
        if (script !== null) {
          await runScript(sim, script, { signal: stop.signal }).catch((error: unknown) => {
            if (error instanceof ScriptError) throw new UsageError(`--script ${scriptFile}:\n${error.problems.map((p) => `  ${p[ctx.lang]}`).join('\n')}`);
            if (!stop.signal.aborted) throw error;
          });
        }
        await aborted(stop.signal);
      } finally {
        stop.dispose();
        await sim.close();
      }
      return { value: undefined, streamed: true };
    },
  },

  'print-test': {
    usage: 'print-test --printer tcp://HOST:9100|serial:/dev/ttyUSB0?baud=9600|lp:/dev/usb/lp0 [--language zpl|tspl] [--json]',
    summary: 'Print a test label (Cyrillic text, GS1-128 barcode) on a label printer, without a workspace',
    async run(ctx) {
      const spec = ctx.opts.need('printer');
      const language = ctx.opts.get('language') ?? 'zpl';
      if (language !== 'zpl' && language !== 'tspl') throw new UsageError(`--language: zpl or tspl, not "${language}"`);
      ctx.opts.assertAllUsed();
      const config = checkedConfig({ code: 'PRINT-TEST', name: spec, protocol: language, connection: parseConnectionSpec(spec, DEFAULT_BAUD[language]) });
      const job = await printTestLabel(config, language as LabelLanguage);
      const text = `Test label → ${spec}: ${job.state}, ${job.bytes} bytes${job.fault ? `\n${faultText(job.fault, ctx.lang)}` : ''}`;
      return { value: job, text, exitCode: job.state === 'done' ? 0 : 1 };
    },
  },
};

/** Sends the test label and waits until the printer took it, the job failed or the printer went away. */
async function printTestLabel(config: DeviceConfig, language: LabelLanguage): Promise<PrintJob> {
  const finished = (job: PrintJob) => job.state === 'done' || job.state === 'failed' || job.state === 'cancelled';
  let settle: (outcome: PrintJob | DeviceFault) => void = () => undefined;
  const outcome = new Promise<PrintJob | DeviceFault>((resolve) => (settle = resolve));
  const driver = createDriver(config, {
    now: Date.now,
    openTransport: createTransport,
    listeners: { job: (job) => finished(job) && settle(job), closed: (fault) => settle(fault) },
  });
  await driver.open();
  try {
    const commands = testLabelCommands(language, printerOptions.parse({}), new Date());
    const queued = driver.print!('Test label / Тестовая этикетка', new TextEncoder().encode(commands));
    const result = await outcome;
    return 'state' in result ? result : { ...queued, state: 'failed', finishedAt: Date.now(), fault: result };
  } finally {
    await driver.close().catch(() => undefined);
  }
}

function readConfig(ctx: Context): DeviceConfig {
  const name = ctx.opts.need('protocol');
  const protocol = READ_PROTOCOLS[name];
  if (!protocol) throw new UsageError(`--protocol: one of ${Object.keys(READ_PROTOCOLS).join(', ')}, not "${name}"`);
  const port = ctx.opts.need('port');
  const connection = parseConnectionSpec(port, optionalInt(ctx, 'baud') ?? DEFAULT_BAUD[protocol]);
  const options = protocol === 'modbus' ? { pollMs: 1_000, channels: modbusChannels(ctx) } : {};
  return checkedConfig({ code: 'CLI', name: port, protocol, connection, options });
}

/** XY-MD02 temperature and humidity by default; one register of your choice with --address. */
function modbusChannels(ctx: Context): object[] {
  const unitId = optionalInt(ctx, 'unit') ?? 1;
  const address = optionalInt(ctx, 'address');
  const type = ctx.opts.get('type');
  const fn = ctx.opts.get('function');
  const scale = ctx.opts.get('scale');
  const quantity = ctx.opts.get('quantity') ?? 'temperature';
  if (address === undefined) {
    if (type !== undefined || fn !== undefined || scale !== undefined) throw new UsageError('--type, --function and --scale go with --address');
    return sensorPresetChannels('xy-md02', unitId);
  }
  return [
    {
      quantity,
      unitId,
      address,
      ...(type === undefined ? {} : { type }),
      ...(fn === undefined ? {} : { function: Number(fn) }),
      ...(scale === undefined ? {} : { scale: Number(scale.replace(',', '.')) }),
    },
  ];
}

/** A configuration from the command line, checked by the contract; its complaints name the setting. */
function checkedConfig(input: { code: string; name: string; protocol: DeviceProtocol; connection: ConnectionInput; options?: object }): DeviceConfig {
  const parsed = deviceConfig.safeParse({ options: {}, ...input });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${inLanguage(i.message, 'en')}`);
  throw new UsageError(`device settings: ${problems.join('; ')}`);
}

/** `tcp://host:9100`, `serial:/dev/ttyUSB0?baud=9600`, `lp:/dev/usb/lp0`, or a bare port path (serial). */
export function parseConnectionSpec(spec: string, baudRate: number): ConnectionInput {
  let parsed: ConnectionInput;
  if (spec.startsWith('tcp://')) {
    let url: URL;
    try {
      url = new URL(spec);
    } catch {
      throw new UsageError(`"${spec}": expected tcp://HOST:PORT`);
    }
    parsed = { type: 'tcp', host: url.hostname, port: url.port === '' ? 9100 : Number(url.port) };
  } else if (spec.startsWith('lp:')) {
    parsed = { type: 'lp', path: spec.slice(3) };
  } else {
    const [path = '', query = ''] = (spec.startsWith('serial:') ? spec.slice(7) : spec).split('?');
    const baud = new URLSearchParams(query).get('baud');
    if (baud !== null && !/^\d+$/.test(baud)) throw new UsageError(`"${spec}": baud must be a whole number`);
    parsed = { type: 'serial', path, baudRate: baud === null ? baudRate : Number(baud) };
  }
  const checked = connectionSchema.safeParse(parsed);
  if (!checked.success) throw new UsageError(`"${spec}": ${checked.error.issues.map((i) => `${i.path.join('.') || 'connection'}: ${inLanguage(i.message, 'en')}`).join('; ')}`);
  return parsed;
}

function describeConnection(c: Record<string, unknown>): string {
  switch (c.type) {
    case 'serial':
      return `${String(c.path)} ${String(c.baudRate)} ${String(c.dataBits)}${String(c.parity).charAt(0).toUpperCase()}${String(c.stopBits)}`;
    case 'tcp':
      return `tcp://${String(c.host)}:${String(c.port)}`;
    case 'hid':
      return `hid ${hex(Number(c.vendorId))}:${hex(Number(c.productId))}${c.path ? ` ${String(c.path)}` : ''}`;
    default:
      return `${String(c.type)}:${String(c.path)}`;
  }
}

function readScript(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--script: cannot read ${file} (${(error as Error).message})`);
  }
}

function optionalInt(ctx: Context, name: string): number | undefined {
  const value = ctx.opts.get(name);
  return value === undefined ? undefined : parseIntOption(value, name);
}

function faultText(fault: DeviceFault, lang: Lang): string {
  return `${fault.code}: ${fault.message[lang]}${fault.hint ? ` — ${fault.hint[lang]}` : ''}`;
}

const hex = (n: number) => n.toString(16).padStart(4, '0');

/** Stops on the caller's signal, on Ctrl-C or on SIGTERM — whichever comes first. */
function interruptible(signal: AbortSignal) {
  const controller = new AbortController();
  const stop = () => controller.abort();
  signal.addEventListener('abort', stop, { once: true });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    abort: (reason?: unknown) => controller.abort(reason),
    dispose() {
      signal.removeEventListener('abort', stop);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
