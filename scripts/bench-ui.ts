// UI figures for `npm run bench`, measured in Debian's Chromium against the real browser host:
//   renderer-load-ms      page open → login form ready for typing; baseline: an empty page
//   stock-table-50k-ms    choose "by lot" → the virtualised stock table holds all 50 000 lots;
//                         baseline: the same with 1 000 lots
// The stock workspaces are set up through the contract (site, admin, reference data) and then
// filled with lots in stock by prepared statements — bulk data bypasses the contract for speed.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { newId } from '../main/core/ids.js';
import type { Workspace } from '../main/workspace.js';
import { browserMissing, launchBrowser, runApp } from '../test/e2e/browser.js';
import { ADMIN, DAY, setupPlant } from './bench-data.js';

type Figure = (name: string, value: number, unit: string, baseline: number, ratio: number) => void;
type Note = (text: string) => void;

const RUNS = 15;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** `count` released lots of one product, each in stock in one location (rows the contract would write). */
function fillStock(ws: Workspace, count: number): void {
  const site = ws.q.sql<{ home_site_id: string }>('SELECT home_site_id FROM workspace')[0]!.home_site_id;
  const product = ws.q.sql<{ id: string }>("SELECT id FROM products WHERE code = 'OMUL-FZ'")[0]!.id;
  const locations = ws.q.sql<{ id: string }>('SELECT id FROM locations ORDER BY code').map((l) => l.id);
  const user = ws.q.sql<{ id: string }>("SELECT id FROM users WHERE username = 'admin'")[0]!.id;
  const now = Date.now();
  const lot = ws.db.prepare(
    `INSERT INTO lots (id, site_id, created_at, updated_at, code, product_id, origin, produced_at, expires_at, status, initial_g)
     VALUES (?, ?, ?, ?, ?, ?, 'production', ?, ?, 'released', ?)`,
  );
  const move = ws.db.prepare(
    `INSERT INTO movements (id, site_id, created_at, updated_at, at, kind, lot_id, product_id, to_location_id, qty_g, user_id)
     VALUES (?, ?, ?, ?, ?, 'output', ?, ?, ?, ?, ?)`,
  );
  const stock = ws.db.prepare('INSERT INTO stock (lot_id, location_id, product_id, site_id, expires_at, qty_g) VALUES (?, ?, ?, ?, ?, ?)');
  ws.db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = newId();
      const produced = now - (i % 200) * DAY;
      const expires = produced + 270 * DAY;
      const qty = 5_000 + (i % 97) * 250;
      const location = locations[i % locations.length]!;
      lot.run(id, site, now, now, `BENCH${String(i).padStart(8, '0')}`, product, produced, expires, qty);
      move.run(newId(), site, now, now, produced, id, product, location, qty, user);
      stock.run(id, location, product, site, expires, qty);
    }
  })();
}

async function login(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Имя пользователя').fill(ADMIN.username);
  await page.getByLabel('Пароль').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.getByRole('navigation', { name: 'main' }).waitFor();
}

async function stockTableMs(lots: number, note: Note): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'plantdesk-bench-ui-'));
  const browser = await launchBrowser();
  const app = await runApp(dir);
  try {
    setupPlant(app.workspace);
    fillStock(app.workspace, lots);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await login(page, app.host.url);
    const samples: number[] = [];
    for (let run = 0; run < 5; run++) {
      // A full page load each run (the tab keeps its session): nothing is left from the last run.
      await page.goto('about:blank');
      await page.goto(`${app.host.url.split('#')[0]}#/stock`);
      await page.getByLabel('Группировка').waitFor();
      const started = performance.now();
      await page.getByLabel('Группировка').selectOption('lot');
      await page.waitForFunction(
        (n) => {
          const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null; querySelector(s: string): unknown } | null } }).document;
          const table = doc.querySelector('[data-testid="stock-levels"]');
          return table?.getAttribute('aria-rowcount') === String(n) && table.querySelector('[role="row"][aria-rowindex="1"]') !== null;
        },
        lots,
        { timeout: 120_000 },
      );
      samples.push(performance.now() - started);
    }
    const rendered = await page.locator('[data-testid="stock-levels"] [role="row"][aria-rowindex]').count();
    note(`stock table, ${lots} lots: ${samples.map((s) => s.toFixed(0)).join(', ')} ms over 5 runs; rows in the DOM: ${rendered}`);
    return median(samples);
  } finally {
    await browser.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function loadMs(note: Note): Promise<{ app: number; empty: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'plantdesk-bench-ui-'));
  const browser = await launchBrowser();
  const app = await runApp(dir);
  const empty = createServer((_req, res) => res.end('<!doctype html><title>empty</title><p>ready</p>'));
  await new Promise<void>((done) => empty.listen(0, '127.0.0.1', done));
  try {
    setupPlant(app.workspace);
    const emptyUrl = `http://127.0.0.1:${(empty.address() as AddressInfo).port}/`;
    const appTimes: number[] = [];
    const emptyTimes: number[] = [];
    for (let run = 0; run < RUNS + 2; run++) {
      // A fresh context each time: no cache, no session — as when the app is opened.
      const context = await browser.newContext();
      const page = await context.newPage();
      let started = performance.now();
      await page.goto(emptyUrl);
      await page.getByText('ready').waitFor();
      const e = performance.now() - started;
      started = performance.now();
      await page.goto(app.host.url);
      await page.getByLabel('Имя пользователя').waitFor({ state: 'visible' });
      await page.getByLabel('Имя пользователя').focus();
      const a = performance.now() - started;
      if (run >= 2) {
        emptyTimes.push(e);
        appTimes.push(a);
      }
      await context.close();
    }
    note(`renderer load: median of ${RUNS} fresh contexts (2 warm-up runs not counted); app ${appTimes.map((s) => s.toFixed(0)).join(', ')} ms`);
    return { app: median(appTimes), empty: median(emptyTimes) };
  } finally {
    empty.close();
    await browser.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchUi(figure: Figure, note: Note): Promise<void> {
  const missing = browserMissing();
  if (missing) {
    note(`UI figures skipped: ${missing}`);
    return;
  }
  const load = await loadMs(note);
  note('renderer load to interactive: page open → login form ready for typing, through the browser host; baseline: an empty page from a plain Node server');
  figure('renderer-load-ms', load.app, 'ms', load.empty, load.app / load.empty);
  const small = await stockTableMs(1_000, note);
  const big = await stockTableMs(50_000, note);
  note('stock table: choose "by lot" → all lots fetched through the contract and the virtualised table ready; baseline: 1 000 lots');
  figure('stock-table-50k-ms', big, 'ms', small, big / small);
}
