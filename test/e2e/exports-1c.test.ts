// The 1C exchange end to end, in Chromium against the real browser host on a demo workspace: the
// storekeeper picks a period (a refused one first), exports it, watches the progress reach the
// end, finds the export in the history with its objects, and saves the file — the recorded
// bytes (SHA-256 checked), an EnterpriseData message with the period's counts.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO_USER_PASSWORD, seedDemo } from '../../main/demo/seed.js';
import { buildEnterpriseData } from '../../main/exports/enterprise-data.js';
import { periodOfDays } from '../../main/exports/period.js';
import { checkAgainstPackage } from '../../main/exports/xdto.js';
import { Workspace } from '../../main/workspace.js';
import { browserMissing, launchBrowser, openPage, runApp, screenshot, type Running } from './browser.js';
import { count, DAY, dateInput, fieldErrorOf, logIn, openSection, row, waitText } from './ui.js';

const missing = browserMissing();
const DAYS = 8;

describe.skipIf(missing !== null)('the 1C exchange in the app, in Chromium', () => {
  let browser: Browser;
  let app: Running;
  let page: Page;
  const dir = mkdtempSync(join(tmpdir(), 'plantdesk-exports-e2e-'));

  beforeAll(async () => {
    // The demo's last days of work at both plants, up to yesterday.
    const ws = Workspace.open(dir);
    seedDemo(ws, { days: DAYS, seed: 7, adminPassword: 'admin-pass-1' });
    ws.close();
    app = await runApp(dir);
    browser = await launchBrowser();
    page = await openPage(browser, { acceptDownloads: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a period is exported with progress, recorded in the history, and saved as the recorded EnterpriseData file', async () => {
    await page.goto(app.host.url);
    await logIn(page, 'fish.storekeeper', DEMO_USER_PASSWORD);
    await openSection(page, 'Обмен с 1С');
    const form = page.getByRole('form', { name: 'Период выгрузки' });
    const from = form.getByLabel('С даты');
    const to = form.getByLabel('По дату (включительно)');

    // The quick choice fills in the previous calendar month.
    await form.getByRole('button', { name: 'Прошлый месяц' }).click();
    const today = new Date();
    expect([await from.inputValue(), await to.inputValue()]).toEqual([
      dateInput(new Date(today.getFullYear(), today.getMonth() - 1, 1).getTime()),
      dateInput(new Date(today.getFullYear(), today.getMonth(), 0).getTime()),
    ]);

    // A period that ends before it starts is refused under its field, and nothing is recorded.
    const first = dateInput(Date.now() - DAYS * DAY);
    const last = dateInput(Date.now() - DAY);
    await from.fill(last);
    await to.fill(first);
    await form.getByRole('button', { name: 'Выгрузить' }).click();
    await waitText(fieldErrorOf(page, 'По дату (включительно)', form), 'конец периода раньше его начала');
    expect(count(app.workspace, 'exports_1c')).toBe(0);

    await from.fill(first);
    await to.fill(last);
    await form.getByRole('button', { name: 'Выгрузить' }).click();
    const expected = buildEnterpriseData(app.workspace.q, { ...periodOfDays(first, last), now: Date.now() });
    const total = expected.objects.length;
    expect(total).toBeGreaterThan(25); // several chunks, so the bar has moved through the export

    // The bar of this export ends full, with the count of objects written.
    await waitText(form.getByRole('status'), `Записано объектов: ${total} из ${total}`);
    const bar = form.getByRole('progressbar', { name: 'Ход выгрузки' });
    expect(await bar.evaluate((el) => [(el as unknown as { value: number }).value, (el as unknown as { max: number }).max])).toEqual([total, total]);

    const [recorded] = app.workspace.q.sql<{ id: string; sha256: string; bytes: number; file_name: string; period_from: string; period_to: string; objects: number }>(
      'SELECT id, sha256, bytes, file_name, period_from, period_to, objects FROM exports_1c',
    );
    expect(recorded).toMatchObject({ period_from: first, period_to: last, objects: total });
    const result = page.getByRole('region', { name: /^Выгрузка за .* готова$/ });
    await waitText(result, recorded!.sha256);
    await waitText(result, recorded!.file_name);
    const counts = result.getByRole('table', { name: 'Объекты выгрузки по видам' });
    await waitText(row(counts, 'Поступление товаров'), String(expected.counts['Документ.ПоступлениеТоваровУслуг']));
    await waitText(row(counts, 'Реализация товаров'), String(expected.counts['Документ.РеализацияТоваровУслуг']));
    await screenshot(page, '50-exchange-1c-exported');

    // The history lists it with who made it; its objects are listed under it.
    const history = page.getByRole('grid', { name: 'Прошлые выгрузки' });
    const entry = row(history, 'Иванова Ольга (кладовщик)');
    await waitText(entry, String(total));
    await entry.click();
    const detail = page.getByRole('region', { name: /^Выгрузка за \S+ — \S+$/ });
    const objects = detail.getByRole('grid', { name: 'Объекты выгрузки' });
    // Listed as the file has them, catalogs first: the first item is in the first rows on screen.
    const [firstItem] = expected.objects.filter((o) => o.type === 'Справочник.Номенклатура').sort((a, b) => (a.label < b.label ? -1 : 1));
    await waitText(row(objects, firstItem!.label), firstItem!.guid);

    // Saved again from the history: the very bytes recorded, an EnterpriseData message of the period.
    const download = page.waitForEvent('download');
    await detail.getByRole('button', { name: `Сохранить ${recorded!.file_name}` }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toBe(recorded!.file_name);
    const file = join(dir, 'saved.xml');
    await saved.saveAs(file);
    const bytes = readFileSync(file);
    expect(bytes.length).toBe(recorded!.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(recorded!.sha256);
    const xml = bytes.toString('utf8');
    expect(xml).toContain('<msg:Format>http://v8.1c.ru/edi/edi_stnd/EnterpriseData/1.21</msg:Format>');
    expect(checkAgainstPackage(xml)).toEqual([]);
    for (const [type, n] of Object.entries(expected.counts)) expect(xml.split(`<${type}>`).length - 1, type).toBe(n);
    await screenshot(page, '51-exchange-1c-history');
  });
});
