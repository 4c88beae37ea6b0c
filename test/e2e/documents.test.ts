// Documents end to end, in Chromium against the real browser host: a quality inspector issues a
// Chinese quality certificate from the lot card and sees it in the app's preview, finds it in the
// registry with its number, downloads the PDF the registry stored (the same bytes: SHA-256
// checked), previews and prints it (pages drawn by PDF.js, no PDF viewer plugin, nothing fetched
// from the network), and voids it with a reason.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { plant } from '../helpers.js';
import { browserMissing, copyWorkspace, launchBrowser, openPage, runApp, screenshot, type Running } from './browser.js';
import { logIn, openSection, row, waitText } from './ui.js';

const missing = browserMissing();

const INSPECTOR = { username: 'ivanova', password: 'ivanova-pass-1' };

/** Each page's size in points, as poppler reads the file. */
function pdfPages(file: string): { width: number; height: number }[] {
  const info = execFileSync('pdfinfo', ['-f', '1', '-l', '9999', file], { encoding: 'utf8' });
  return [...info.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((m) => ({ width: Number(m[1]), height: Number(m[2]) }));
}

/** What the test reads of a canvas in the page. */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

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
    dir = copyWorkspace(p.ws, 'documents');
    app = await runApp(dir);
    browser = await launchBrowser();
    page = await openPage(browser, { acceptDownloads: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a certificate issued from the lot card is numbered, stored, downloadable as the same bytes, previewed, printed, and can be voided', async () => {
    // Anything PDF.js or the CSP complains about, and any request leaving the app's own origin.
    const complaints: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning' || /warning|refused|security policy/i.test(m.text())) complaints.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => complaints.push(`pageerror: ${e.message}`));
    const origin = new URL(app.host.url).origin;
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!/^(blob|data):/.test(r.url()) && new URL(r.url()).origin !== origin) foreign.push(r.url());
    });
    // window.print() opens the system print dialog, which is outside the page and which headless
    // Chromium cannot show: the test stops at that call. Every frame (the print frame is one)
    // counts its calls in the top window instead of printing.
    // (In-page code is given as text where it needs the DOM: the tests are typed for Node.)
    await page.addInitScript('window.print = () => { window.top.printCalls = (window.top.printCalls ?? 0) + 1; };');
    await page.goto(app.host.url);
    await logIn(page, INSPECTOR.username, INSPECTOR.password);
    await page.goto(`${app.host.url.split('#')[0]}#/stock/${encodeURIComponent(lot)}`);
    const panel = page.getByRole('region', { name: 'Документы' });
    await panel.getByLabel('Язык документа').selectOption('zh');
    await panel.getByRole('button', { name: 'Сертификат качества' }).click();
    const issued = page.getByRole('status').filter({ hasText: 'Выпущен: Сертификат качества' });
    await waitText(issued, /№ CRT-\S+, версия 1/);
    // A single issued document is shown at once, in the app; Esc closes the preview.
    const preview = page.getByRole('dialog', { name: /^Просмотр: CRT-\S+-v1\.pdf$/ });
    await preview.getByRole('img', { name: /^Страница 1 из \d+$/ }).locator('canvas').waitFor();
    await page.keyboard.press('Escape');
    await preview.waitFor({ state: 'detached' });
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

    // The preview draws every page of the stored PDF, and draws something on each.
    const pages = pdfPages(file);
    await page.getByRole('button', { name: 'Открыть', exact: true }).click();
    await expect.poll(() => preview.getByRole('status').first().textContent()).toMatch(new RegExp(`^${pages.length} страниц`));
    const shown = preview.getByRole('img', { name: /^Страница \d+ из \d+$/ });
    expect(await shown.count()).toBe(pages.length);
    for (let i = 0; i < pages.length; i++) {
      await shown.nth(i).scrollIntoViewIfNeeded();
      const canvas = shown.nth(i).locator('canvas');
      await canvas.waitFor();
      // Share of dark pixels: text, tables and the QR code; a blank page has none.
      const ink = await canvas.evaluate((c: Canvas) => {
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        let dark = 0;
        for (let p = 0; p < data.length; p += 4) if (data[p]! + data[p + 1]! + data[p + 2]! < 384) dark++;
        return dark / (c.width * c.height);
      });
      expect(ink, `page ${i + 1}`).toBeGreaterThan(0.005);
    }
    await shown.first().scrollIntoViewIfNeeded();
    await screenshot(page, '42-certificate-preview');

    // Printing: one image per page, at print resolution and the page's proportions, in a frame
    // whose sheets are the PDF's pages; then the frame's print() (the system dialog) is called.
    await preview.getByRole('button', { name: 'Печать', exact: true }).click();
    await expect.poll(() => page.evaluate('window.printCalls ?? 0')).toBe(1);
    // A copy of the frame with the page images inlined, to print to PDF in a page of its own below.
    const frame = await page.evaluate<{ html: string; images: { width: number; height: number }[] }>(`(() => {
      const d = document.getElementById('pdf-print-frame').contentDocument;
      const copy = d.documentElement.cloneNode(true);
      copy.querySelectorAll('img').forEach((img, i) => {
        const source = d.images[i];
        const canvas = document.createElement('canvas');
        canvas.width = source.naturalWidth;
        canvas.height = source.naturalHeight;
        canvas.getContext('2d').drawImage(source, 0, 0);
        img.src = canvas.toDataURL('image/png');
      });
      return { html: copy.outerHTML, images: [...d.images].map((img) => ({ width: img.naturalWidth, height: img.naturalHeight })) };
    })()`);
    expect(frame.images).toHaveLength(pages.length);
    frame.images.forEach((img, i) => {
      const { width, height } = pages[i]!;
      expect(img.width / img.height).toBeCloseTo(width / height, 2);
      expect(img.width / (width / 72)).toBeGreaterThanOrEqual(200);
    });
    // The frame printed to PDF by Chromium itself gives one sheet per page, each the PDF page's size.
    const printed = await browser.newPage();
    await printed.setContent(frame.html);
    const sheets = join(dir, 'printed.pdf');
    writeFileSync(sheets, await printed.pdf({ preferCSSPageSize: true }));
    await printed.close();
    expect(pdfPages(sheets).map((p) => [p.width, p.height])).toEqual(pages.map((p) => [expect.closeTo(p.width, 0), expect.closeTo(p.height, 0)]));
    await page.keyboard.press('Escape');
    await preview.waitFor({ state: 'detached' });
    expect(complaints).toEqual([]);
    expect(foreign).toEqual([]);

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
