// `npm start -- --demo`: simulated devices to try the device screens without hardware — a
// receiving scale weighing crates and a beef quarter in a loop, a temperature sensor in chiller
// No. 1 that drifts and now and then goes above the limit (a door left open), and a network label
// printer. They run in this process behind stable paths, and are set up in the demo workspace
// (devices.save as an administrator) so whichever app opens the workspace connects to them.
import { sensorPresetChannels } from '../contract/device-presets.js';
import { qb } from '../db/query.js';
import type { Actor } from '../db/tx.js';
import { actorOf } from '../services/users.js';
import type { Workspace } from '../workspace.js';
import { ptyUnsupportedReason, runScript, startSimulator, type ModbusSimulator } from '../../native/sim/index.js';

export interface DemoDevices {
  /** Where each simulator is (or why there are none), for the console. */
  summary: string;
  close(): Promise<void>;
}

/** A platform scale at receiving: empty, a crate of fish goes on, wobbles, settles, off; then a beef quarter. */
const SCALE_SCRIPT = `
weight 0
stable
wait 3s
# a crate of omul: the platform wobbles, then settles
unstable
weight 18.4
wait 300ms
weight 27.05
wait 300ms
weight 24.6
wait 300ms
weight 25.35
wait 500ms
stable
wait 5s
unstable
weight 6.2
wait 300ms
weight 0
stable
wait 3s
# a beef quarter
unstable
weight 61.3
wait 400ms
weight 92.8
wait 400ms
weight 86.9
wait 400ms
weight 88.45
wait 500ms
stable
wait 5s
unstable
weight 20.1
wait 300ms
weight 0
stable
wait 2s
loop
`;

/** Chiller No. 1 (0…4 °C): one cycle of drift, with a door-open excursion above 4 °C in it. */
const CYCLE_S = 420;
const EXCURSION = { from: 240, to: 360, peak: 6.2 };

function chillerTemperature(seconds: number): number {
  const t = seconds % CYCLE_S;
  const drift = 2.4 + 0.5 * Math.sin((2 * Math.PI * t) / CYCLE_S) + 0.1 * Math.sin(t / 7);
  if (t < EXCURSION.from || t > EXCURSION.to) return drift;
  // Up and down again, like a door opened for a couple of minutes.
  const phase = (t - EXCURSION.from) / (EXCURSION.to - EXCURSION.from);
  return drift + (EXCURSION.peak - drift) * Math.sin(Math.PI * phase);
}

// Per process: two demo runs at once (two workspaces) must not take each other's devices. Each
// start saves the devices again with the paths of this run.
const SIM_NAMES = { scale: `demo-scale-${process.pid}`, sensor: `demo-chiller-${process.pid}` };

export async function startDemoDevices(workspace: Workspace): Promise<DemoDevices> {
  const unsupported = ptyUnsupportedReason();
  if (unsupported) return { summary: `Simulated devices are not started: ${unsupported}`, close: async () => undefined };
  const admin = administrator(workspace);
  if (!admin) return { summary: 'Simulated devices are not started: the workspace has no active administrator to set them up', close: async () => undefined };

  const scale = await startSimulator('massa-k', { name: SIM_NAMES.scale });
  const sensor = await startSimulator('modbus', { name: SIM_NAMES.sensor, temperature: chillerTemperature(0), humidity: 86 });
  const printer = await startSimulator('printer-tcp', { language: 'zpl' });
  const running = new AbortController();
  void runScript(scale, SCALE_SCRIPT, { signal: running.signal }).catch(() => undefined);
  const started = Date.now();
  const drift = setInterval(() => driftSensor(sensor, (Date.now() - started) / 1000), 2_000);

  const devices = [
    {
      code: 'DEMO-SCALE',
      name: 'Весы приёмки (симулятор Massa-K)',
      protocol: 'massa-k',
      connection: { type: 'serial', path: scale.path, baudRate: 4800 },
      options: { pollMs: 200 },
    },
    {
      code: 'DEMO-CHILLER',
      name: 'Датчик камеры №1 (симулятор XY-MD02)',
      protocol: 'modbus',
      connection: { type: 'serial', path: sensor.path },
      options: {
        pollMs: 5_000,
        channels: sensorPresetChannels('xy-md02'),
        location: 'BF-CR1',
        // A minute instead of five, so the demo shows an alert within one excursion.
        alertDelayMs: 60_000,
      },
    },
    {
      code: 'DEMO-PRINTER',
      name: 'Принтер этикеток (симулятор ZPL)',
      protocol: 'zpl',
      connection: { type: 'tcp', host: printer.host, port: printer.port },
      options: {},
    },
  ];
  const lines = ['Simulated devices:'];
  for (const device of devices) {
    const saved = workspace.invokeAs('devices.save', device, admin);
    const where = device.connection.type === 'tcp' ? `tcp://${printer.host}:${printer.port}` : String(device.connection.path);
    lines.push(`  ${device.code.padEnd(13)} ${where}${saved.ok ? '' : `  (not set up: ${saved.error.message.en})`}`);
  }
  return {
    summary: lines.join('\n'),
    async close() {
      running.abort();
      clearInterval(drift);
      await Promise.all([scale.close(), sensor.close(), printer.close()]);
    },
  };
}

function driftSensor(sensor: ModbusSimulator, seconds: number): void {
  sensor.setTemperature(Math.round(chillerTemperature(seconds) * 10) / 10);
  sensor.setHumidity(Math.round((86 + 3 * Math.sin(seconds / 50)) * 10) / 10);
}

/** The demo's `admin`, or any active administrator of an existing workspace. */
function administrator(workspace: Workspace): Actor | null {
  const users = workspace.q.all(qb.selectFrom('users').selectAll().where('active', '=', 1).orderBy('username'));
  const admin = users.find((u) => u.username === 'admin' && actorOf(u).roles.includes('admin')) ?? users.find((u) => actorOf(u).roles.includes('admin'));
  return admin ? actorOf(admin) : null;
}
