// The app inside Electron itself: launch, the preload bridge, the window's security settings and
// one round trip through IPC. Electron's binary is downloaded from the internet on first use;
// where it cannot be, these tests say so and skip —
// everything they exercise besides Electron is covered by the browser-host and end-to-end tests.
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { APP_ROOT, findElectron } from '../main/host/paths.js';
import { tempDir } from './helpers.js';

const found = findElectron();
const missing = 'missing' in found ? found.missing : null;
if (missing) console.log(`Electron tests skipped: Electron's binary is not on this machine (${missing}); it is downloaded on first use and that needs the internet.`);

describe.skipIf(missing !== null)('PlantDesk in Electron', () => {
  let app: ElectronApplication;

  beforeAll(async () => {
    app = await electron.launch({
      executablePath: (found as { path: string }).path,
      args: [APP_ROOT, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
      env: { ...process.env, PLANTDESK_WORKSPACE: tempDir() } as Record<string, string>,
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  test('opens one window with the renderer loaded from the app itself', async () => {
    const page = await app.firstWindow();
    await page.waitForSelector('#root *');
    expect(page.url()).toMatch(/^file:.*\/dist\/renderer\/index\.html/);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  });

  test('the window is isolated and sandboxed, without Node in the page', async () => {
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      // getLastWebPreferences is Electron's own (undocumented) view of what the window runs with.
      const contents = BrowserWindow.getAllWindows()[0]!.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> | null };
      const p = contents.getLastWebPreferences();
      return { contextIsolation: p?.contextIsolation, sandbox: p?.sandbox, nodeIntegration: p?.nodeIntegration, webSecurity: p?.webSecurity };
    });
    expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    const page = await app.firstWindow();
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
  });

  test('the preload exposes exactly the contract, and one call goes through IPC to the workspace', async () => {
    const page = await app.firstWindow();
    const bridge = await page.evaluate(() => {
      const b = (globalThis as unknown as { plantdesk: { kind: string; operations: string[]; ipcRenderer?: unknown } }).plantdesk;
      return { kind: b.kind, operations: b.operations.length, raw: 'ipcRenderer' in b };
    });
    expect(bridge).toMatchObject({ kind: 'electron', raw: false });
    expect(bridge.operations).toBeGreaterThan(40);
    const status = await page.evaluate(() =>
      (globalThis as unknown as { plantdesk: { invoke(o: string, i: unknown, s: null): Promise<unknown> } }).plantdesk.invoke('setup.status', {}, null),
    );
    expect(status).toMatchObject({ ok: true, value: { initialised: false } });
    const unknown = await page.evaluate(() =>
      (globalThis as unknown as { plantdesk: { invoke(o: string, i: unknown, s: null): Promise<unknown> } }).plantdesk.invoke('drop.everything', {}, null),
    );
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
  });

  test('new windows and navigation away from the app are refused', async () => {
    const page = await app.firstWindow();
    await page.evaluate(() => (globalThis as unknown as { open(url: string): unknown }).open('https://example.com'));
    // Give a (wrongly) allowed window time to appear before counting.
    await page.waitForTimeout(300);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    await page.evaluate(() => ((globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com'));
    await page.waitForTimeout(300);
    expect(page.url()).toMatch(/^file:/);
  });
});
