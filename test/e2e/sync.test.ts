// Synchronisation with headquarters end to end, in Chromium against the real browser host and a
// real headquarters (PostgreSQL + the HQ sync server): the administrator opens «Синхронизация»,
// enters the server address and access key (a short key is refused under its field first),
// synchronises with the progress on screen and sees «ждут 0» in the top bar; then headquarters
// goes down, a new change waits, and the next run says in Russian that the server is
// unreachable while the waiting count stays. An operator sees the status but not the settings.
import { createServer, request, type Server } from 'node:http';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createToken } from '../../main/hq/admin.js';
import { initCentral } from '../../main/hq/schema.js';
import { startHqServer, type HqServer } from '../../main/hq/server.js';
import { startPostgres, type TestPostgres } from '../hq-postgres.js';
import { omulReceipt, plant } from '../helpers.js';
import { browserMissing, copyWorkspace, launchBrowser, openPage, runApp, screenshot, type Running } from './browser.js';
import { count, fieldErrorOf, logIn, logOut, openSection, waitText } from './ui.js';

const missing = browserMissing();
const OPERATOR = { username: 'packer', password: 'packer-pass-1' };
const RECEIPTS = 6;
/** The plant's line to headquarters: each request waits this long, so the run's progress is on screen for a while. */
const LINK_DELAY_MS = 700;

describe.skipIf(missing !== null)('synchronisation with headquarters, in Chromium', () => {
  let pgs: TestPostgres;
  let hq: HqServer | undefined;
  let link: Server | undefined;
  let linkUrl = '';
  let token = '';
  let browser: Browser;
  let app: Running;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    pgs = await startPostgres();
    await initCentral(pgs.url);
    hq = await startHqServer({ url: pgs.url });
    link = await slowLink(hq.url, LINK_DELAY_MS);
    linkUrl = `http://127.0.0.1:${(link.address() as AddressInfo).port}`;
    token = (await createToken(pgs.url, 'fish plant', false)).token;

    const p = plant();
    p.userToken(OPERATOR.username, ['operator']);
    p.advance(Date.now() - p.now); // the app runs on real time
    for (let i = 0; i < RECEIPTS; i++) p.receiveOmul(300 + i);
    dir = copyWorkspace(p.ws, 'sync');
    app = await runApp(dir);
    browser = await launchBrowser();
    page = await openPage(browser);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await closeServer(link);
    await hq?.close();
    await pgs?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('set up, synchronised with progress, then headquarters unreachable: the error in Russian, the changes kept', async () => {
    await page.goto(app.host.url);
    await logIn(page, 'admin', 'admin-pass-1');
    const indicator = page.getByTestId('sync-indicator');
    await waitText(indicator, 'Синхр.: не настроена');

    await openSection(page, 'Синхронизация');
    await page.getByRole('heading', { name: 'Синхронизация', level: 1 }).waitFor();
    const status = page.getByRole('region', { name: 'Состояние синхронизации' });
    await waitText(status.getByTestId('sync-last-success'), 'никогда');
    const before = count(app.workspace, 'change_log');
    expect(before).toBeGreaterThan(RECEIPTS);
    await waitText(status.getByTestId('sync-pending'), ru(before));

    // A key shorter than headquarters issues is refused under its field; nothing is stored.
    const settings = page.getByRole('form', { name: 'Настройки синхронизации' });
    const key = settings.getByLabel('Ключ доступа');
    expect(await key.getAttribute('type')).toBe('password');
    expect(await key.getAttribute('placeholder')).toBe('Ключ, выданный центральным офисом');
    await settings.getByLabel('Адрес сервера центрального офиса').fill(linkUrl);
    await key.fill('short');
    await settings.getByLabel('Интервал, мин').fill('0');
    await settings.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(fieldErrorOf(page, 'Ключ доступа', settings), /16/);
    expect(app.workspace.q.sql('SELECT hq_url, token FROM sync_state')).toEqual([{ hq_url: null, token: null }]);

    await key.fill(token);
    await settings.getByRole('button', { name: 'Сохранить' }).click();
    await waitText(settings.getByRole('status'), 'Настройки синхронизации сохранены.');
    expect(app.workspace.q.sql('SELECT hq_url, token, interval_min FROM sync_state')).toEqual([{ hq_url: linkUrl, token, interval_min: 0 }]);
    // The key is never shown again: the field is empty and says one is stored.
    await expect.poll(() => key.getAttribute('placeholder')).toBe('Ключ сохранён — оставьте пустым, чтобы не менять');
    expect(await key.inputValue()).toBe('');
    await waitText(status.getByTestId('sync-server'), linkUrl);
    await waitText(status, 'только вручную');
    const waiting = count(app.workspace, 'change_log');
    await waitText(indicator, `Синхр.: никогда · ждут ${ru(waiting)}`);

    // Synchronise now: the bar with the counts while it runs (the button disabled), then the result.
    const run = page.getByRole('form', { name: 'Запуск синхронизации' });
    await run.getByRole('button', { name: 'Синхронизировать сейчас' }).click();
    const progress = run.getByTestId('sync-progress');
    // The bar shows what is sent while headquarters is asked for this PC's data (a slow line).
    await progress.filter({ hasText: new RegExp(`отправлено ${ru(waiting)} из ${ru(waiting)}`.replace(/ /g, '\\s')) }).waitFor();
    expect(await run.locator('button[type=submit]').isDisabled()).toBe(true);
    await screenshot(page, '60-sync-running');
    const report = run.getByTestId('sync-report');
    await waitText(report, /^Синхронизация завершена за [\d,]+ с/);
    await waitText(report, new RegExp(`Отправлено ${ru(waiting).replace(/ /g, '\\s')}, получено \\d+, ждут отправки 0\\.`));
    expect(await progress.count()).toBe(0);
    expect(await run.getByRole('button', { name: 'Синхронизировать сейчас' }).isEnabled()).toBe(true);
    await waitText(status.getByTestId('sync-pending'), '0');
    await waitText(status.getByTestId('sync-sent'), ru(waiting));
    await waitText(status.getByTestId('sync-last-success'), 'только что');
    await waitText(indicator, 'Синхр.: только что · ждут 0');
    expect(await indicator.getAttribute('data-state')).toBe('ok');
    expect(count(app.workspace, 'change_log')).toBe(0);
    // Headquarters has this PC's lots.
    const central = await centralLots(pgs.url);
    expect(central).toBe(RECEIPTS);
    await waitText(page.getByTestId('sync-no-conflicts'), 'Конфликтов нет.');
    await screenshot(page, '61-sync-done');

    // Headquarters goes down; a new receipt on this PC waits to be sent.
    await closeServer(link);
    link = undefined;
    await hq!.close();
    hq = undefined;
    const session = app.workspace.invoke('auth.login', { username: 'admin', password: 'admin-pass-1' }, { token: '' });
    if (!session.ok) throw new Error(session.error.message.en);
    const receipt = app.workspace.invoke(
      'receipts.create',
      omulReceipt(200, Date.now() - 86_400_000),
      { token: (session.value as { token: string }).token },
    );
    expect(receipt.ok).toBe(true);
    const kept = count(app.workspace, 'change_log');
    expect(kept).toBeGreaterThan(0);

    await run.getByRole('button', { name: 'Синхронизировать сейчас' }).click();
    const refusal = run.getByRole('alert');
    await waitText(refusal, 'HQ_UNREACHABLE');
    await waitText(refusal, `Сервер центрального офиса ${linkUrl} недоступен`);
    expect(await run.getByTestId('sync-report').count()).toBe(0);
    // The status says so too, with the time; what waits is still counted.
    const lastError = status.getByTestId('sync-last-error');
    await waitText(lastError, /^Последняя ошибка \(\d\d\.\d\d\.\d{4}, \d\d:\d\d\) · HQ_UNREACHABLE/);
    await waitText(lastError, 'недоступен');
    await waitText(status.getByTestId('sync-pending'), ru(kept));
    await waitText(indicator, new RegExp(`^Синхр\\.: (только что|\\d+ мин назад) · ждут ${ru(kept).replace(/ /g, '\\s')}$`));
    expect(await indicator.getAttribute('data-state')).toBe('warn');
    expect(await indicator.getAttribute('title')).toContain('недоступен');
    expect(count(app.workspace, 'change_log')).toBe(kept);
    await screenshot(page, '62-sync-unreachable');

    // The indicator is on every screen and opens this one.
    await openSection(page, 'Документы');
    await page.locator('[data-screen="documents"]').waitFor();
    await waitText(indicator, `ждут ${ru(kept)}`);
    await indicator.click();
    await page.locator('[data-screen="sync"]').waitFor();

    // An operator sees how it stands and may run it, but neither the key nor the conflicts.
    await logOut(page);
    await logIn(page, OPERATOR.username, OPERATOR.password);
    await waitText(page.getByTestId('sync-indicator'), /ждут \d+/);
    await openSection(page, 'Синхронизация');
    await waitText(page.getByRole('region', { name: 'Состояние синхронизации' }).getByTestId('sync-server'), linkUrl);
    await waitText(page.locator('[data-screen="sync"]'), 'Адрес сервера, ключ доступа и конфликты видит администратор.');
    expect(await page.getByRole('form', { name: 'Настройки синхронизации' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Конфликты' }).count()).toBe(0);
    await expect.poll(() => page.getByRole('button', { name: 'Синхронизировать сейчас' }).isEnabled()).toBe(true);

    // In English the last error reads in English.
    await page.getByRole('combobox', { name: 'Язык' }).selectOption('en');
    await waitText(page.getByTestId('sync-last-error'), `The headquarters server ${linkUrl} cannot be reached`);
    await waitText(page.getByTestId('sync-indicator'), /^Sync: .* · waiting \d+$/);
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ru');
  }, 120_000);
});

/** A count as the screen shows it (ru-RU groups thousands with a no-break space), with a plain space. */
function ru(n: number): string {
  return n.toLocaleString('ru-RU').replace(/\s/g, ' ');
}

/** An HTTP relay that holds every request for `delayMs` before passing it on: a slow line. */
function slowLink(target: string, delayMs: number): Promise<Server> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    setTimeout(() => {
      const upstream = request({ hostname: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    }, delayMs);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function centralLots(url: string): Promise<number> {
  const { withCentral } = await import('../../main/hq/admin.js');
  return withCentral(url, async (db) => Number((await db.query<{ n: string }>('SELECT COUNT(*) AS n FROM lots')).rows[0]!.n));
}
