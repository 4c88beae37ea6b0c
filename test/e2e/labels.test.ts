// Labels end to end, in Chromium against the real browser host: an operator opens a released
// lot's card, renders N carton labels as a PDF (the progress bar reaches N of N; the saved file
// has N pages, as poppler counts them), then prints them on the plant's Zebra — a simulated
// ZPL printer on a real TCP socket — and follows the job until the printer has it.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FISH_PRODUCTS, gtinWithCheckDigit } from '../../main/demo/reference.js';
import { validateZpl } from '../../native/protocols/labels.js';
import { TcpPrinterSimulator } from '../../native/sim/index.js';
import { plant } from '../helpers.js';
import { browserMissing, copyWorkspace, launchBrowser, openPage, runApp, screenshot, type Running } from './browser.js';
import { logIn, waitText } from './ui.js';

const missing = browserMissing();
const OPERATOR = { username: 'packer', password: 'packer-pass-1' };
const COUNT = 12;

describe.skipIf(missing !== null)('labels from the lot card, in Chromium', () => {
  let browser: Browser;
  let app: Running;
  let page: Page;
  let dir: string;
  let printer: TcpPrinterSimulator;
  let lot = '';

  beforeAll(async () => {
    printer = await new TcpPrinterSimulator({ language: 'zpl' }).start();
    const p = plant();
    p.userToken(OPERATOR.username, ['operator']);
    p.advance(Date.now() - p.now); // the app runs on real time: the lot is made today
    p.call('products.upsert', { ...FISH_PRODUCTS[0]!, gtin: gtinWithCheckDigit('0460700100009') });
    lot = p.receiveOmul().lines[0]!.lot_code;
    p.release(lot);
    p.call('devices.save', {
      code: 'PR-1',
      name: 'Zebra ZT230',
      protocol: 'zpl',
      connection: { type: 'tcp', host: '127.0.0.1', port: printer.port },
      options: { dpi: 203, widthMm: 100, heightMm: 150 },
    });
    dir = copyWorkspace(p.ws, 'labels');
    app = await runApp(dir);
    browser = await launchBrowser();
    page = await openPage(browser, { acceptDownloads: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await printer?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test(`${COUNT} carton labels: a PDF of ${COUNT} pages, then printed on the label printer`, async () => {
    await page.goto(app.host.url);
    await logIn(page, OPERATOR.username, OPERATOR.password);
    await page.goto(`${app.host.url.split('#')[0]}#/stock/${encodeURIComponent(lot)}`);
    const panel = page.getByRole('region', { name: 'Этикетки' });
    await panel.getByLabel('Количество').fill(String(COUNT));
    await panel.getByLabel('Масса нетто короба, кг').fill('20');
    await panel.getByLabel('Размер PDF').selectOption('105x148');

    await panel.getByRole('button', { name: 'PDF', exact: true }).click();
    await waitText(panel.getByRole('status').filter({ has: page.getByRole('progressbar', { name: 'Подготовка этикеток' }) }), `${COUNT} из ${COUNT}`);
    const download = page.waitForEvent('download');
    await panel.getByRole('group', { name: 'PDF готов' }).getByRole('button', { name: 'Сохранить' }).click();
    const file = join(dir, 'labels.pdf');
    await (await download).saveAs(file);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(new RegExp(`Pages:\\s+${COUNT}\\n`));
    expect(info).toMatch(/Page size:\s+297\.6\d* x 419\.5\d* pts/); // A6, 105 × 148 mm
    expect(execFileSync('pdftotext', ['-f', '1', '-l', '1', file, '-'], { encoding: 'utf8' })).toContain('目的地');
    await screenshot(page, '45-labels-pdf');

    await panel.getByRole('button', { name: 'Печать на «Zebra ZT230»' }).click();
    const job = panel.locator('[data-print-state]');
    await expect.poll(() => job.getAttribute('data-print-state'), { timeout: 15_000 }).toBe('done');
    await waitText(job, 'отправлено на принтер');
    const [received] = await printer.waitForJobs(1);
    expect(received!.errors).toEqual([]);
    expect(validateZpl(received!.data)).toEqual([]);
    expect(received!.data).toContain(`^PQ${COUNT}`);
    expect(received!.data).toContain('^GFA,'); // Chinese as graphics: the printer has no CJK font
    await screenshot(page, '46-labels-printed');
  });

  test('a PDF too long for the print dialog is refused with a way out, before any page is drawn', async () => {
    const panel = page.getByRole('region', { name: 'Этикетки' });
    await panel.getByLabel('Количество').fill('201');
    await panel.getByRole('button', { name: 'PDF', exact: true }).click();
    await waitText(panel.getByRole('status').filter({ has: page.getByRole('progressbar', { name: 'Подготовка этикеток' }) }), '201 из 201');
    await panel.getByRole('group', { name: 'PDF готов' }).getByRole('button', { name: 'Печать', exact: true }).click();
    await waitText(panel.getByRole('alert'), 'В PDF 201 стр.: через окно печати печатается не больше 200 стр. за раз');
    expect(await page.locator('iframe#pdf-print-frame').count()).toBe(0);
  });
});
