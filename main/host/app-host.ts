// The browser host together with this PC's devices: what `npm start`, `npm run dev` and the
// end-to-end tests run. Devices open in the background — a slow one (a TCP printer that is
// switched off) must not hold up the start — and close before the workspace does.
import { DeviceManager, type DeviceManagerOptions } from '../devices/manager.js';
import { DeviceService } from '../devices/service.js';
import type { Workspace } from '../workspace.js';
import { startBrowserHost, type BrowserHost, type BrowserHostOptions } from './browser-host.js';
import { EventHub } from './events.js';

export interface AppHost {
  host: BrowserHost;
  manager: DeviceManager;
  /** Stops the host and the devices; the workspace stays open (its owner closes it). */
  close(): Promise<void>;
}

export async function startAppHost(
  workspace: Workspace,
  options: Omit<BrowserHostOptions, 'workspace' | 'events' | 'devices'> & { devices?: DeviceManagerOptions },
): Promise<AppHost> {
  const { devices: deviceOptions, ...hostOptions } = options;
  const events = new EventHub();
  const manager = new DeviceManager(workspace, events, {
    onError: (what, error) => console.error(`${what}:`, error),
    ...deviceOptions,
  });
  const host = await startBrowserHost({ ...hostOptions, workspace, events, devices: new DeviceService(workspace, manager) });
  void manager.start();
  return {
    host,
    manager,
    async close() {
      await host.close();
      await manager.stop();
    },
  };
}
