// Documents end to end, in Chromium against the real browser host: a quality inspector issues a
// Chinese quality certificate from the lot card, finds it in the registry with its number, opens
// the PDF the registry stored (the same bytes: SHA-256 checked), and voids it with a reason.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { WORKSPACE_FILE } from '../../main/workspace.js';
import { plant } from '../helpers.js';
import { browserMissing, launchBrowser, runApp, screenshot, type Running } from './browser.js';
import { logIn, openSection, row, waitText } from './ui.js';

const missing = browserMissing();
const INSPECTOR = { username: 'ivanova', password: 'ivanova-pass-1' };

describe.skipIf(missing !== null)('documents in the app, in Chromium', () => {
  let browser: Browser;
  let app: Running;
  let page: Page;
  let dir: string;
  let lot = '';

  beforeAll(async () => {
    // A released and verified lot of raw omul (the deciding inspection passed, a second person signed).
    const p = plant();
    p.userToken(INSPECTOR.username, ['quality_inspector']);
    // The test plant's clock stands at a fixed day; the app runs on real time, so the lot is made today.
    p.advance(Date.now() - p.now);
    lot = p.receiveOmul().lines[0]!.lot_code;
    p.verify(p.release(lot));
    p.ws.close();
    dir = mkdtempSync(join(tmpdir(), 'plantdesk-documents-e2e-'));
    copyFileSync(join(p.ws.dir, WORKSPACE_FILE), join(dir, WORKSPACE_FILE));
    app = await runApp(dir);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'ru-RU', acceptDownloads: true });
    page.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a certificate issued from the lot card is numbered, stored, downloadable as the same bytes, and can be voided', async () => {
    await page.goto(app.host.url);
    await logIn(page, INSPECTOR.username, INSPECTOR.password);
    await page.goto(`${app.host.url.split('#')[0]}#/stock/${encodeURIComponent(lot)}`);
    const panel = page.getByRole('region', { name: 'Документы' });
    await panel.getByLabel('Язык документа').selectOption('zh');
    // The PDF opens in a new window; it is not needed here (the download below checks the bytes).
    page.context().on('page', (opened) => void opened.close());
    await panel.getByRole('button', { name: 'Сертификат качества' }).click();
    const issued = page.getByRole('status').filter({ hasText: 'Выпущен: Сертификат качества' });
    await waitText(issued, /№ CRT-\S+, версия 1/);
    await screenshot(page, '40-certificate-issued');

    const stored = app.workspace.q.sql<{ id: string; number: string; sha256: string; lang: string; status: string }>(
      "SELECT id, number, sha256, lang, status FROM documents WHERE type = 'certificate'",
    );
    expect(stored).toEqual([expect.objectContaining({ lang: 'zh', status: 'issued' })]);
    const number = stored[0]!.number;

    await openSection(page, 'Документы');
    const table = page.getByRole('grid', { name: 'Документы' });
    await row(table, number).click();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Сохранить', exact: true }).click();
    const file = join(dir, 'downloaded.pdf');
    await (await download).saveAs(file);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(stored[0]!.sha256);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain(number);
    expect(text).toContain('质量证书');
    expect(text).toContain(lot);

    await page.getByRole('button', { name: 'Аннулировать', exact: true }).click();
    const form = page.getByRole('form', { name: 'Аннулировать' });
    const confirm = form.getByRole('button', { name: new RegExp(`^Аннулировать ${number}`) });
    await expect.poll(() => confirm.isDisabled()).toBe(true);
    await form.getByLabel('Причина аннулирования').fill('Ошибка в дате выработки');
    await confirm.click();
    await expect
      .poll(() => app.workspace.q.sql<{ status: string; void_reason: string }>('SELECT status, void_reason FROM documents')[0])
      .toEqual({ status: 'void', void_reason: 'Ошибка в дате выработки' });
    await screenshot(page, '41-certificate-voided');
  });
});
