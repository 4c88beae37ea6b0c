// The browser host as a browser (or an attacker's page) meets it: real HTTP and WebSocket on a
// free port, a real workspace file, the built renderer.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { startBrowserHost, type BrowserHost } from '../main/host/browser-host.js';
import { RENDERER_DIR } from '../main/host/paths.js';
import { Workspace } from '../main/workspace.js';
import { FISH_SITE } from '../main/demo/reference.js';
import { tempDir } from './helpers.js';

let host: BrowserHost | undefined;
let ws: Workspace | undefined;
afterEach(async () => {
  await host?.close();
  ws?.close();
  host = undefined;
});

beforeAll(() => {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error('dist/renderer is missing: `npm test` builds it first (pretest)');
});

async function start(lan = false) {
  ws = Workspace.open(tempDir());
  host = await startBrowserHost({ workspace: ws, rendererDir: RENDERER_DIR, lan });
  return host;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host!.port, method, path, headers }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const invoke = (operation: string, input: unknown, extra: Record<string, string> = {}) =>
  http('POST', '/api/invoke', { 'Content-Type': 'application/json', 'X-PlantDesk-Host': host!.token, ...extra }, JSON.stringify({ operation, input }));

describe('browser host', () => {
  test('listens on 127.0.0.1 only, on a free port, and prints a URL carrying its token in the fragment', async () => {
    const h = await start();
    expect(h.address).toBe('127.0.0.1');
    expect(h.port).toBeGreaterThan(0);
    expect(h.url).toBe(`http://127.0.0.1:${h.port}/#host=${h.token}`);
    expect(h.token.length).toBeGreaterThanOrEqual(32);
  });

  test('serves the built renderer with a strict Content-Security-Policy', async () => {
    await start();
    const index = await http('GET', '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<div id="root">');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).not.toContain('unsafe-eval');
    // Connections only back to where the page came from (the event socket included): no ws: to anywhere.
    expect(index.headers['content-security-policy']).toContain("connect-src 'self';");
    expect(index.headers['content-security-policy']).not.toMatch(/\bwss?:/);
    expect(index.headers['x-frame-options']).toBe('DENY');
    // Unknown routes of the single page get index.html; unknown files are 404; no escaping the folder.
    expect((await http('GET', '/stock')).body).toContain('<div id="root">');
    expect((await http('GET', '/nope.js')).status).toBe(404);
    expect((await http('GET', '/../../package.json')).status).toBe(404);
    expect((await http('GET', '/%2e%2e/%2e%2e/package.json')).status).toBe(404);
  });

  test('runs the contract for a caller with the host token and a session', async () => {
    await start();
    const setup = JSON.parse((await invoke('setup.initialise', { site: FISH_SITE, admin: { username: 'admin', display_name: 'A', password: 'admin-pass-1' } })).body);
    expect(setup.ok).toBe(true);
    const login = JSON.parse((await invoke('auth.login', { username: 'admin', password: 'admin-pass-1' })).body);
    const me = JSON.parse((await invoke('auth.me', {}, { Authorization: `Bearer ${login.value.token}` })).body);
    expect(me.value.user.username).toBe('admin');
    // Refusals are values with the contract's error.
    const refused = JSON.parse((await invoke('users.list', {})).body);
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  test('refuses calls without the host token, from other origins and through DNS rebinding', async () => {
    await start();
    const noToken = await http('POST', '/api/invoke', { 'Content-Type': 'application/json' }, JSON.stringify({ operation: 'setup.status', input: {} }));
    expect(noToken.status).toBe(401);
    const wrongToken = await invoke('setup.status', {}, { 'X-PlantDesk-Host': 'x'.repeat(32) });
    expect(wrongToken.status).toBe(401);
    const otherOrigin = await invoke('setup.status', {}, { Origin: 'http://evil.example' });
    expect(otherOrigin.status).toBe(403);
    const rebinding = await invoke('setup.status', {}, { Host: `evil.example:${host!.port}` });
    expect(rebinding.status).toBe(403);
    const sameOrigin = await invoke('setup.status', {}, { Origin: `http://127.0.0.1:${host!.port}` });
    expect(JSON.parse(sameOrigin.body)).toMatchObject({ ok: true, value: { initialised: false } });
  });

  test('bad requests get a clear error and change nothing', async () => {
    await start();
    const notJson = await http('POST', '/api/invoke', { 'Content-Type': 'application/json', 'X-PlantDesk-Host': host!.token }, '{"operation": ');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const unknown = JSON.parse((await invoke('drop.tables', {})).body);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
    const huge = await http('POST', '/api/invoke', { 'Content-Type': 'application/json', 'X-PlantDesk-Host': host!.token }, 'x'.repeat(3 * 1024 * 1024));
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    // A cross-site form or text/plain POST cannot reach the API (no preflight would be granted).
    const plain = await http('POST', '/api/invoke', { 'Content-Type': 'text/plain', 'X-PlantDesk-Host': host!.token }, JSON.stringify({ operation: 'setup.status', input: {} }));
    expect(plain.status).toBe(415);
    // A malformed path (which any web page could request) is refused and the host stays up.
    expect((await http('GET', '/%E0%A4%A')).status).toBe(400);
    expect(JSON.parse((await invoke('setup.status', {})).body).value.initialised).toBe(false);
  });

  test('pushes workspace changes to every open page over the WebSocket', async () => {
    await start();
    const socket = new WebSocket(`ws://127.0.0.1:${host!.port}/api/events?host=${host!.token}`);
    await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
    const message = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    await invoke('setup.initialise', { site: FISH_SITE, admin: { username: 'admin', display_name: 'A', password: 'admin-pass-1' } });
    expect(JSON.parse(await message)).toEqual({ channel: 'workspace.changed', payload: { operation: 'setup.initialise' } });
    socket.close();
    const refused = new WebSocket(`ws://127.0.0.1:${host!.port}/api/events?host=wrong`);
    await expect(new Promise((resolve, reject) => (refused.once('open', resolve), refused.once('error', reject)))).rejects.toThrow(/403/);
  });

  test('LAN mode needs no host token but every user logs in, and first-run setup is refused from the LAN', async () => {
    await start(true);
    expect(host!.address).toBe('0.0.0.0');
    expect(host!.url).not.toContain(host!.token);
    const status = await http('POST', '/api/invoke', { 'Content-Type': 'application/json' }, JSON.stringify({ operation: 'setup.status', input: {} }));
    expect(JSON.parse(status.body).ok).toBe(true);
    const setup = await http(
      'POST',
      '/api/invoke',
      { 'Content-Type': 'application/json' },
      JSON.stringify({ operation: 'setup.initialise', input: { site: FISH_SITE, admin: { username: 'admin', display_name: 'A', password: 'admin-pass-1' } } }),
    );
    expect(setup.status).toBe(403);
    const lots = await http('POST', '/api/invoke', { 'Content-Type': 'application/json' }, JSON.stringify({ operation: 'lots.list', input: {} }));
    expect(JSON.parse(lots.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    // Only this PC's own names and addresses: a rebinding domain is refused in LAN mode too.
    const rebinding = await http('POST', '/api/invoke', { 'Content-Type': 'application/json', Host: `evil.example:${host!.port}` }, JSON.stringify({ operation: 'setup.status', input: {} }));
    expect(rebinding.status).toBe(403);
  });

  test('LAN mode: the event socket needs a live session, and closes when that session ends', async () => {
    await start(true);
    ws!.invoke('setup.initialise', { site: FISH_SITE, admin: { username: 'admin', display_name: 'A', password: 'admin-pass-1' } });
    const login = ws!.invoke('auth.login', { username: 'admin', password: 'admin-pass-1' });
    if (!login.ok) throw new Error('login failed');
    const open = (query: string) => {
      const socket = new WebSocket(`ws://127.0.0.1:${host!.port}/api/events${query}`);
      return new Promise<WebSocket>((resolve, reject) => (socket.once('open', () => resolve(socket)), socket.once('error', reject)));
    };
    // Weights, scans and lab results are not for whoever is on the LAN: no session, a made-up
    // one, or the host token (which only this PC's own window has) are all refused.
    await expect(open('')).rejects.toThrow(/401/);
    await expect(open(`?session=${'x'.repeat(43)}`)).rejects.toThrow(/401/);
    await expect(open(`?host=${host!.token}`)).rejects.toThrow(/401/);

    const socket = await open(`?session=${encodeURIComponent(login.value.token)}`);
    const message = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    const weight = { device: 'SCALE-1', at: Date.now(), weight: 12.5, unit: 'kg' as const, grams: 12_500, stable: true, status: 'ok' as const };
    host!.events.publish('device.weight', weight);
    expect(JSON.parse(await message)).toEqual({ channel: 'device.weight', payload: weight });

    // Logging out (from this tablet or anywhere) ends the stream for that session.
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    const logout = await http(
      'POST',
      '/api/invoke',
      { 'Content-Type': 'application/json', Authorization: `Bearer ${login.value.token}` },
      JSON.stringify({ operation: 'auth.logout', input: {} }),
    );
    expect(JSON.parse(logout.body).ok).toBe(true);
    expect(await closed).toBe(4401);
    await expect(open(`?session=${encodeURIComponent(login.value.token)}`)).rejects.toThrow(/401/);
  });
});
