// The browser host together with this PC's devices: what `npm start`, `npm run dev` and the
// end-to-end tests run. Devices open in the background — a slow one (a TCP printer that is
// switched off) must not hold up the start — and close before the workspace does.
import { DeviceManager, type DeviceManagerOptions } from '../devices/manager.js';
import { DeviceService } from '../devices/service.js';
import type { Workspace } from '../workspace.js';
import { startBrowserHost, type BrowserHost, type BrowserHostOptions } from './browser-host.js';
import { EventHub } from './events.js';
import { syncService } from '../sync/host.js';

export interface AppHost {
  host: BrowserHost;
  manager: DeviceManager;
  /** Stops the host and the devices; the workspace stays open (its owner closes it). */
  close(): Promise<void>;
}

export async function startAppHost(
  workspace: Workspace,
  options: Omit<BrowserHostOptions, 'workspace' | 'events' | 'devices' | 'sync'> & { devices?: DeviceManagerOptions },
): Promise<AppHost> {
  const { devices: deviceOptions, ...hostOptions } = options;
  const events = new EventHub();
  const manager = new DeviceManager(workspace, events, {
    onError: (what, error) => console.error(`${what}:`, error),
    ...deviceOptions,
  });
  const sync = syncService(workspace, events);
  const host = await startBrowserHost({ ...hostOptions, workspace, events, devices: new DeviceService(workspace, manager), sync });
  void manager.start();
  sync.start();
  return {
    host,
    manager,
    async close() {
      sync.stop();
      await host.close();
      await manager.stop();
    },
  };
}
