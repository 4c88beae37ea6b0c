// The browser host: the built renderer and the operation contract over HTTP and a WebSocket, so
// the real UI runs in any browser — Chromium in the tests, a tablet on the line in LAN mode.
//
// Security: by default it listens on 127.0.0.1 only, and every API call must carry the host
// token made for this run (handed to the browser in the URL fragment, which is never sent over
// the network or logged). Host and Origin headers are checked, so another web page open in
// the same browser cannot call the API (CSRF) nor reach it through DNS rebinding. LAN mode is
// an explicit option: it listens on all interfaces, needs no host token, and so every operation
// except first-run status and login needs a logged-in user (which the contract demands anyway);
// first-run setup is refused from the LAN. The event socket carries weights, scans, lab results
// and alerts, so in LAN mode it too needs a session (in the query: a browser cannot set headers
// on a WebSocket), and it is closed when that session ends.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { makeError, type Result } from '../contract/errors.js';
import type { DeviceService } from '../devices/service.js';
import { DocumentService } from '../documents/service.js';
import { syncService } from '../sync/host.js';
import type { SyncService } from '../sync/service.js';
import type { Workspace } from '../workspace.js';
import { EventHub } from './events.js';
import { handleRequest } from './invoke.js';
import { CONTENT_SECURITY_POLICY } from './security.js';

export interface BrowserHostOptions {
  workspace: Workspace;
  /** Folder of the built renderer (index.html and assets/). */
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Listen on all interfaces for tablets on the line. */
  lan?: boolean;
  events?: EventHub;
  /** This PC's device service; without it, hardware operations answer DEVICES_UNAVAILABLE. */
  devices?: DeviceService;
  /** This PC's sync service (the app host starts its timer); without it, one that syncs on demand only. */
  sync?: SyncService;
}

export interface BrowserHost {
  /** The URL to open, host token included (in the fragment). */
  url: string;
  port: number;
  /** The address it listens on: 127.0.0.1, or 0.0.0.0 in LAN mode. */
  address: string;
  token: string;
  events: EventHub;
  close(): Promise<void>;
}

const MAX_BODY = 2 * 1024 * 1024;
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  // The PDF.js worker keeps its .mjs name in the build; a module worker needs a JavaScript type.
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.map': 'application/json; charset=utf-8',
};
const LAN_REFUSED = new Set(['setup.initialise']);
/** How often a LAN event socket's session is checked again, so an expired one stops hearing. */
const SESSION_RECHECK_MS = 60_000;

/** In LAN mode the page must have been opened by one of this PC's own addresses (no DNS rebinding). */
function lanHostNames(): string[] {
  const names = ['127.0.0.1', 'localhost', hostname(), `${hostname()}.local`];
  for (const address of Object.values(networkInterfaces()).flat()) {
    if (address) names.push(address.family === 'IPv6' ? `[${address.address}]` : address.address);
  }
  return names;
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(body);
}

function sendResult(res: ServerResponse, status: number, result: Result<unknown>): void {
  send(res, status, JSON.stringify(result), 'application/json; charset=utf-8');
}

class TooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is drained and dropped, so the answer can still be sent.
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => (size > MAX_BODY ? reject(new TooLarge(`request over ${MAX_BODY} bytes`)) : resolveBody(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const rendererDir = resolve(options.rendererDir);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`the renderer is not built: ${join(rendererDir, 'index.html')} is missing — run "npm run build"`);
  }
  const token = randomBytes(24).toString('base64url');
  const events = options.events ?? new EventHub();
  // Rendering documents needs only the workspace, so every browser host serves it.
  const documents = new DocumentService(options.workspace, { onProgress: (progress) => events.publish('job.progress', progress) });
  const sync = options.sync ?? syncService(options.workspace, events);
  const lan = options.lan ?? false;
  let port = 0;

  /** Requests must name this host (no DNS rebinding) and, if cross-origin at all, come from it. */
  const trustedOrigin = (req: IncomingMessage): boolean => {
    const host = req.headers.host ?? '';
    const ownNames = lan ? lanHostNames() : ['127.0.0.1', 'localhost'];
    if (!ownNames.some((name) => host === `${name}:${port}`)) return false;
    const origin = req.headers.origin;
    return origin === undefined || origin === `http://${host}`;
  };

  const api = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return send(res, 405, 'POST only', 'text/plain', { Allow: 'POST' });
    if (!trustedOrigin(req)) return sendResult(res, 403, { ok: false, error: makeError('FORBIDDEN', { operation: 'api', permission: 'same-origin' }) });
    // Only JSON: a cross-site form or text/plain POST (no preflight) is refused outright.
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return sendResult(res, 415, { ok: false, error: makeError('VALIDATION', { details: 'Content-Type must be application/json' }) });
    }
    if (!lan && !sameToken(req.headers['x-plantdesk-host'] as string | undefined, token)) {
      return sendResult(res, 401, { ok: false, error: makeError('UNAUTHENTICATED') });
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      const status = error instanceof TooLarge ? 413 : 400;
      return sendResult(res, status, { ok: false, error: makeError('VALIDATION', { details: `request body: ${(error as Error).message}` }) });
    }
    const request = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (lan && typeof request.operation === 'string' && LAN_REFUSED.has(request.operation)) {
      return sendResult(res, 403, { ok: false, error: makeError('FORBIDDEN', { operation: request.operation, permission: 'this PC' }) });
    }
    const auth = req.headers.authorization;
    const session = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : null;
    // Errors are values with status 200: the request itself was fine, the operation said no.
    sendResult(res, 200, await handleRequest(options.workspace, events, { operation: request.operation, input: request.input, session }, options.devices, documents, sync));
  };

  const staticFile = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'GET only', 'text/plain');
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return send(res, 400, 'bad path', 'text/plain');
    }
    const relative = normalize(path === '/' ? '/index.html' : path).replace(/^([/\\])+/, '');
    let file = join(rendererDir, relative);
    if (!file.startsWith(rendererDir + sep)) return send(res, 404, 'not found', 'text/plain');
    // The renderer is a single page: unknown paths without an extension get index.html.
    if (!existsSync(file) || !statSync(file).isFile()) {
      if (extname(relative)) return send(res, 404, 'not found', 'text/plain');
      file = join(rendererDir, 'index.html');
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cache-Control': file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-store',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  };

  const fail = (res: ServerResponse, error: unknown) => {
    if (!res.headersSent) sendResult(res, 500, { ok: false, error: makeError('INTERNAL', { details: (error as Error).message }) });
    else res.destroy();
  };
  // Nothing a request carries may take the host down: every handler's throw becomes a 500.
  const server = createServer((req, res) => {
    try {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path === '/api/invoke') return void api(req, res).catch((error: unknown) => fail(res, error));
      if (path === '/api/health') return send(res, 200, JSON.stringify({ ok: true }), 'application/json');
      staticFile(req, res);
    } catch (error) {
      fail(res, error);
    }
  });

  // Whoever may see this PC's device status may hear its events: any logged-in user.
  const sessionValid = (session: string): boolean => options.workspace.registry.admit('devices.status', {}, { token: session }).ok;

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  /** Open event sockets, with the session each was opened with in LAN mode. */
  const sockets = new Map<WebSocket, string | null>();
  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: string) => {
      socket.write(`HTTP/1.1 ${status}\r\n\r\n`);
      socket.destroy();
    };
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/api/events' || !trustedOrigin(req)) return refuse('403 Forbidden');
    const session = url.searchParams.get('session');
    if (lan && !(session && sessionValid(session))) return refuse('401 Unauthorized');
    if (!lan && !sameToken(url.searchParams.get('host') ?? undefined, token)) return refuse('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.set(ws, lan ? session : null);
      ws.on('close', () => sockets.delete(ws));
      // The event socket only listens; anything a page sends is ignored.
      ws.on('message', () => undefined);
    });
  });
  /** LAN sockets whose session has ended (logout, expiry, user deactivated) are closed. */
  const dropEndedSessions = () => {
    for (const [ws, session] of sockets) {
      if (session !== null && !sessionValid(session)) ws.close(4401, 'session ended');
    }
  };
  const recheck = lan ? setInterval(dropEndedSessions, SESSION_RECHECK_MS).unref() : undefined;
  const unsubscribe = events.subscribe((channel, payload) => {
    // A logout or a user's deactivation is a workspace change: nobody hears on after it.
    if (lan && channel === 'workspace.changed') dropEndedSessions();
    const message = JSON.stringify({ channel, payload });
    for (const ws of sockets.keys()) if (ws.readyState === ws.OPEN) ws.send(message);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, lan ? '0.0.0.0' : '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;

  return {
    // LAN mode needs no host token; tablets use this PC's addresses (printed by npm start).
    url: lan ? `http://127.0.0.1:${port}/` : `http://127.0.0.1:${port}/#host=${token}`,
    port,
    address: (server.address() as AddressInfo).address,
    token,
    events,
    async close() {
      unsubscribe();
      clearInterval(recheck);
      for (const ws of sockets.keys()) ws.terminate();
      wss.close();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
