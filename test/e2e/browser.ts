// End-to-end fixtures: the real browser host on a real workspace, the real renderer in Debian's
// Chromium driven by Playwright, and a screenshot of every screen kept under test-results/.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import type { DeviceManager, DeviceManagerOptions } from '../../main/devices/manager.js';
import { startAppHost } from '../../main/host/app-host.js';
import type { BrowserHost } from '../../main/host/browser-host.js';
import { RENDERER_DIR } from '../../main/host/paths.js';
import { Workspace, WORKSPACE_FILE } from '../../main/workspace.js';

export const CHROMIUM = process.env.PLANTDESK_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = resolve(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

/** Why the browser tests cannot run here, or null. On CI a missing browser is a failure, not a skip. */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const reason = `Chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set PLANTDESK_CHROMIUM)`;
  if (process.env.CI === 'true') throw new Error(`CI must run the browser tests: ${reason}`);
  console.log(`Browser tests skipped: ${reason}`);
  return reason;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Russian first, as on the plant's PCs (date inputs, number formats).
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--lang=ru'],
  });
}

/** A page as the plant's office PC shows it: a wide screen in Russian; a default wait for every step. */
export async function openPage(browser: Browser, options: BrowserContextOptions & { timeoutMs?: number } = {}): Promise<Page> {
  const { timeoutMs = 15_000, ...context } = options;
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'ru-RU', ...context });
  page.setDefaultTimeout(timeoutMs);
  return page;
}

/** Closes a test workspace and copies its file into a fresh folder the app then runs on. */
export function copyWorkspace(ws: Workspace, name: string): string {
  ws.close();
  const dir = mkdtempSync(join(tmpdir(), `plantdesk-${name}-e2e-`));
  copyFileSync(join(ws.dir, WORKSPACE_FILE), join(dir, WORKSPACE_FILE));
  return dir;
}

export interface Running {
  workspace: Workspace;
  host: BrowserHost;
  manager: DeviceManager;
  close(): Promise<void>;
}

/** The app as `npm start` runs it: browser host and this PC's devices on a workspace folder. */
export async function runApp(dir: string, options: { clock?: () => number; devices?: DeviceManagerOptions } = {}): Promise<Running> {
  const workspace = Workspace.open(dir, options.clock ? { clock: options.clock } : {});
  const app = await startAppHost(workspace, { rendererDir: RENDERER_DIR, ...(options.devices ? { devices: options.devices } : {}) });
  return {
    workspace,
    host: app.host,
    manager: app.manager,
    async close() {
      await app.close();
      workspace.close();
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
