// The Electron entry — the only main-process file that imports `electron`. Everything it serves
// comes from the workspace and the registry, which run under plain Node and are tested there.
import { app, BrowserWindow, dialog, ipcMain, session, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DeviceManager } from '../devices/manager.js';
import { DeviceService } from '../devices/service.js';
import { DocumentService } from '../documents/service.js';
import { syncService } from '../sync/host.js';
import type { SyncService } from '../sync/service.js';
import { EventHub, EVENT_CHANNELS } from '../host/events.js';
import { handleRequest } from '../host/invoke.js';
import { CONTENT_SECURITY_POLICY, isAllowedExternalUrl } from '../host/security.js';
import { Workspace } from '../workspace.js';
import { IPC_EVENT, IPC_INVOKE } from '../../preload/channels.js';

const here = fileURLToPath(new URL('.', import.meta.url));
// dist/main/electron → dist/renderer and dist/preload
const RENDERER_INDEX = join(here, '..', '..', 'renderer', 'index.html');
const PRELOAD = join(here, '..', '..', 'preload', 'preload.cjs');
const RENDERER_URL = pathToFileURL(RENDERER_INDEX).href;

let workspace: Workspace | undefined;
let devices: DeviceService | undefined;
let documents: DocumentService | undefined;
let sync: SyncService | undefined;
let mainWindow: BrowserWindow | undefined;
const events = new EventHub();

/** Only our own renderer, in its top frame, may call the workspace. */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame === event.sender.mainFrame && frame.url.split('#')[0] === RENDERER_URL;
}

function harden(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    // An issued document's PDF: a Blob URL only this renderer can have made (documents.pdf),
    // shown in a window of its own by the built-in PDF viewer (a plugin, hence `plugins`).
    // That window opens nothing and goes nowhere else; its page is not our renderer, so IPC refuses it.
    if (url.startsWith('blob:')) {
      return { action: 'allow', overrideBrowserWindowOptions: { autoHideMenuBar: true, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, plugins: true } } };
    }
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('did-create-window', (window) => {
    window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    window.webContents.on('will-navigate', (event, url) => {
      if (!url.startsWith('blob:')) event.preventDefault();
    });
  });
  contents.on('will-navigate', (event, url) => {
    if (url.split('#')[0] !== RENDERER_URL) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 700,
    title: 'PlantDesk',
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      // No plugins: the app draws and prints PDFs itself with PDF.js (components/documentPdf.ts);
      // window.print() needs no preference or permission. Only "open in a new window" uses the
      // PDF viewer plugin, in a window of its own (below).
    },
  });
  harden(mainWindow.webContents);
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => (mainWindow = undefined));
  void mainWindow.loadFile(RENDERER_INDEX);
}

function start(): void {
  workspace = Workspace.open(process.env.PLANTDESK_WORKSPACE ?? join(app.getPath('userData'), 'workspace'));
  const manager = new DeviceManager(workspace, events, { onError: (what, error) => console.error(`${what}:`, error) });
  devices = new DeviceService(workspace, manager);
  documents = new DocumentService(workspace, {
    onInternalError: (what, error) => console.error(`${what}:`, error),
    onProgress: (progress) => events.publish('job.progress', progress),
  });
  sync = syncService(workspace, events);
  sync.start();

  // CSP as a header on what comes over HTTP(S) — file:// responses get none, so for the app's own
  // pages the meta tag in index.html (the same policy) is what applies.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));

  ipcMain.handle(IPC_INVOKE, (event, request: unknown) => {
    if (!trustedSender(event)) return { ok: false, error: { code: 'FORBIDDEN', message: { ru: 'Недоверенный источник', en: 'Untrusted sender' } } };
    const r = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
    return handleRequest(workspace!, events, { operation: r.operation, input: r.input, session: r.session }, devices, documents, sync);
  });
  events.subscribe((channel, payload) => {
    if (!(EVENT_CHANNELS as readonly string[]).includes(channel)) return;
    for (const window of BrowserWindow.getAllWindows()) window.webContents.send(IPC_EVENT, { channel, payload });
  });
  createWindow();
  // Devices open in the background: a slow one (a TCP printer that is switched off) must not hold up the window.
  void manager.start();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  app.on('web-contents-created', (_event, contents) => harden(contents));
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      // E.g. better-sqlite3 built for Node rather than Electron: say so instead of a silent, window-less process.
      dialog.showErrorBox('PlantDesk could not start', `${(error as Error).message}\n\nIf this mentions NODE_MODULE_VERSION, run "npx electron-builder install-app-deps".`);
      app.exit(1);
    });
  app.on('window-all-closed', () => app.quit());
  // Close the devices (writing the sensor samples still waiting) and then the database cleanly
  // (WAL checkpoint) before the process ends.
  app.on('will-quit', (event) => {
    sync?.stop();
    const closing = devices;
    devices = undefined;
    if (!closing) return workspace?.close();
    event.preventDefault();
    void closing.manager.stop().finally(() => {
      workspace?.close();
      app.quit();
    });
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0 && workspace) createWindow();
  });
}
