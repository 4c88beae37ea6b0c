// `npm start`: the desktop app in Electron where its binary is installed; otherwise — as on a
// build server, or before Electron's one-time download — the same app in the browser host.
//   --browser          always use the browser host
//   --lan              browser host on all interfaces, for tablets on the line (login required)
//   --port N           browser host port (default: a free one)
//   --workspace DIR    instead of the default workspace in the user-data folder
//   --demo             fill a new workspace with demo data first (admin password "plantdesk"), and
//                      run simulated devices (a scale, a chiller sensor, a label printer) set up in it
import { spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';
import { seedDemo } from '../demo/seed.js';
import { startDemoDevices, type DemoDevices } from '../devices/demo.js';
import { homeSiteId } from '../services/users.js';
import { defaultWorkspaceDir, Workspace } from '../workspace.js';
import { startAppHost } from './app-host.js';
import { APP_ROOT, findElectron, RENDERER_DIR } from './paths.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      browser: { type: 'boolean', default: false },
      lan: { type: 'boolean', default: false },
      port: { type: 'string' },
      workspace: { type: 'string' },
      demo: { type: 'boolean', default: false },
    },
  });
  const dir = values.workspace ?? defaultWorkspaceDir();
  if (values.lan && values.demo) throw new Error('--demo sets the known password "plantdesk": not together with --lan');
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected 0–65535, got "${values.port}"`);

  // Simulated devices live in this process, whichever app (Electron or the browser host) opens them.
  let demo: DemoDevices | null = null;
  if (values.demo) {
    const ws = Workspace.open(dir);
    try {
      if (homeSiteId(ws.q) === null) {
        const summary = seedDemo(ws, { days: 30, seed: 42, adminPassword: 'plantdesk' });
        console.log(`Demo data: ${summary.counts.receipts} receipts, ${summary.counts.lots} lots; log in as admin / plantdesk`);
      }
      demo = await startDemoDevices(ws);
      console.log(demo.summary);
    } finally {
      ws.close();
    }
  }

  if (!values.browser && !values.lan) {
    const electron = findElectron();
    if ('path' in electron) {
      const child = spawn(electron.path, [APP_ROOT], { stdio: 'inherit', env: { ...process.env, PLANTDESK_WORKSPACE: dir } });
      child.on('exit', (code) => void (demo?.close() ?? Promise.resolve()).finally(() => process.exit(code ?? 0)));
      return;
    }
    console.log(`Electron cannot start here: ${electron.missing}`);
    console.log('(Electron downloads its binary on first use, which needs the internet.) Starting the browser host instead.');
  }

  const workspace = Workspace.open(dir);
  const app = await startAppHost(workspace, { rendererDir: RENDERER_DIR, port, lan: values.lan });
  const host = app.host;
  console.log(`PlantDesk workspace: ${workspace.dir}`);
  if (values.lan) {
    const addresses = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
      .map((a) => `http://${a!.address}:${host.port}/`);
    console.log(`Open on the tablets: ${addresses.join('  ') || `port ${host.port} of this PC`}`);
    console.log(`On this PC: http://127.0.0.1:${host.port}/`);
    console.log('LAN mode: every user logs in; first-run setup is only possible through "npm start" without --lan.');
  } else {
    console.log(`Open ${host.url}`);
  }
  const stop = async () => {
    await app.close();
    await demo?.close();
    workspace.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

try {
  await main();
} catch (error) {
  console.error(`plantdesk: ${(error as Error).message}`);
  process.exitCode = 2;
}
