// Devices end to end, in Chromium against the real browser host and device manager, with the
// devices simulated over real pseudo-terminals: the administrator sets up the receiving scale in
// Settings and tests it; the storekeeper weighs a crate on the receipt form (a moving weight
// cannot be taken, a settled one can), fills a line from a supplier's label read by a
// keyboard-wedge scanner, and the scale comes back by itself after its cable was pulled; the
// chiller sensor goes above its limit, the alert shows on every screen until a quality inspector
// acknowledges it with the action taken. The tests run in order on one workspace and one page.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { gtinWithCheckDigit } from '../../main/demo/reference.js';
import { MassaKSimulator, ModbusSimulator } from '../../native/sim/index.js';
import { plant } from '../helpers.js';
import { browserMissing, copyWorkspace, launchBrowser, openPage, runApp, screenshot, type Running } from './browser.js';
import { count, logIn, logOut, openSection, row, waitText } from './ui.js';

const missing = browserMissing();

const ADMIN = { username: 'admin', password: 'admin-pass-1' };
// Users made by the test plant get the password `<username>-pass-1`.
const CLERK = { username: 'sidorova', password: 'sidorova-pass-1' };
const INSPECTOR = { username: 'ivanova', password: 'ivanova-pass-1' };
/** The supplier's GTIN for raw omul, as printed on the cooperative's crate labels. */
const OMUL_GTIN = gtinWithCheckDigit('0460700900001');

/** A GS1-128 crate label as a keyboard-wedge scanner types it: GTIN, net 25.350 kg, catch date, lot last (no GS needed). */
function crateLabel(caught: Date): string {
  const yymmdd = [caught.getUTCFullYear() % 100, caught.getUTCMonth() + 1, caught.getUTCDate()].map((n) => String(n).padStart(2, '0')).join('');
  return `01${OMUL_GTIN}3103025350` + `11${yymmdd}` + '10ART-2611-07';
}

describe.skipIf(missing !== null)('devices in the app, in Chromium', () => {
  let browser: Browser;
  let app: Running;
  let page: Page;
  let dir: string;
  let scale: MassaKSimulator;
  let sensor: ModbusSimulator;

  beforeAll(async () => {
    // A set-up fish plant (site, reference data, templates); the people and devices of this test are added here.
    const p = plant();
    p.userToken(CLERK.username, ['inventory_clerk']);
    p.userToken(INSPECTOR.username, ['quality_inspector']);
    const omul = p.call('products.list', {}).rows.find((r) => r.code === 'OMUL-RAW')!;
    p.call('products.upsert', { ...productInput(omul), gtin: OMUL_GTIN });
    // Not tempDir(): its clean-up runs after every test, and this workspace lives for all of them.
    dir = copyWorkspace(p.ws, 'devices');

    scale = await new MassaKSimulator({ state: { weightKg: 0, stable: true } }).start();
    sensor = await new ModbusSimulator({ temperature: 2.5, humidity: 85 }).start();
    app = await runApp(dir, { devices: { backoff: { initialMs: 100, maxMs: 400, jitter: 0 }, samples: { flushMs: 200 } } });
    // The chiller sensor is set up through the contract (the scale goes through the screens below).
    const admin = app.workspace.invoke('auth.login', { username: ADMIN.username, password: ADMIN.password });
    if (!admin.ok) throw new Error(admin.error.message.en);
    const saved = app.workspace.invoke(
      'devices.save',
      {
        code: 'TS-CR1',
        name: 'Датчик камеры №1',
        protocol: 'modbus',
        connection: { type: 'serial', path: sensor.path },
        // A reply may come late on a loaded machine: one late reply must not read as the sensor gone quiet.
        options: { pollMs: 300, timeoutMs: 3000, location: 'BF-CR1', alertDelayMs: 0, channels: [{ quantity: 'temperature', address: 1 }] },
      },
      { token: admin.value.token },
    );
    if (!saved.ok) throw new Error(saved.error.message.en);
    await app.manager.reload();

    browser = await launchBrowser();
    page = await openPage(browser, { reducedMotion: 'reduce', timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await scale?.close();
    await sensor?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('Settings → Devices: the administrator sets up the receiving scale, tests it and sees it reading', async () => {
    scale.set({ weightKg: 12.5, stable: true });
    await page.goto(app.host.url);
    await logIn(page, ADMIN.username, ADMIN.password);
    await openSection(page, 'Настройки');
    await page.getByRole('tab', { name: 'Устройства' }).click();
    await page.getByRole('button', { name: 'Новое устройство' }).click();
    await page.getByLabel('Код устройства').fill('SCALE-1');
    await page.getByLabel('Наименование', { exact: true }).fill('Весы приёмки №1');
    await page.getByLabel('Вид устройства').selectOption('scale');
    await page.getByLabel('Протокол').selectOption('massa-k');
    await page.getByLabel('Порт', { exact: true }).fill(scale.path);
    await expect.poll(() => page.getByLabel('Скорость, бод').inputValue()).toBe('4800');

    // The live test opens the scale with the unsaved settings and shows what it sends.
    await page.getByRole('button', { name: 'Проверить' }).click();
    await waitText(page.getByTestId('device-test'), '12,500');
    await screenshot(page, '30-device-settings-test');

    await page.getByRole('button', { name: 'Сохранить', exact: true }).click();
    const table = page.getByRole('grid', { name: 'Устройства этого ПК' });
    await waitText(row(table, 'SCALE-1'), /идут данные|на связи/);
    expect(app.workspace.q.sql('SELECT code, kind, protocol FROM devices ORDER BY code')).toEqual([
      { code: 'SCALE-1', kind: 'scale', protocol: 'massa-k' },
      { code: 'TS-CR1', kind: 'sensor', protocol: 'modbus' },
    ]);
    await screenshot(page, '31-device-list');

    // This PC's keyboard-wedge scanner is given a wider gap between keys (as for a Bluetooth
    // scanner) — here so that a loaded test machine, which delivers the "scanner's" keys late,
    // still reads them as a scan.
    const wedge = page.getByRole('form', { name: 'Сканер-клавиатура (USB HID)' });
    await wedge.getByLabel('Наибольший интервал между символами, мс').fill('200');
    await waitText(wedge, 'От 10 до 80 мс');
    await expect.poll(() => wedge.getByRole('button', { name: 'Сохранить для этого ПК' }).isDisabled()).toBe(true);
    await wedge.getByLabel('Наибольший интервал между символами, мс').fill('80');
    await wedge.getByRole('button', { name: 'Сохранить для этого ПК' }).click();
    await waitText(wedge, 'Сохранено');
    await logOut(page);
  });

  test('Receipts: a moving weight cannot be taken; the settled crate fills the line from the scale', async () => {
    await logIn(page, CLERK.username, CLERK.password);
    await openSection(page, 'Приёмка сырья');
    const widget = page.getByRole('region', { name: 'Весы' });
    const form = page.getByRole('form', { name: 'Новая приёмка' });
    const line = form.getByRole('listitem', { name: 'Строка 1' });

    scale.set({ weightKg: 31.2, stable: false });
    await waitText(widget.getByTestId('weight-value'), '31,200');
    await expect.poll(() => widget.getByRole('button', { name: 'Взять вес' }).isDisabled()).toBe(true);
    await screenshot(page, '32-weight-moving');

    scale.set({ weightKg: 27.85, stable: true });
    await waitText(widget.getByTestId('weight-value'), '27,850');
    await widget.getByRole('button', { name: 'Взять вес' }).click();
    await expect.poll(() => line.getByLabel('Брутто, кг').inputValue()).toBe('27,850');
    await waitText(line.getByTestId('line-scale'), 'SCALE-1');
    await screenshot(page, '33-weight-taken');

    await form.getByLabel('Поставщик').selectOption('ARTEL-BAIKAL');
    await line.getByLabel('Продукт').selectOption('OMUL-RAW');
    await line.getByLabel('Место хранения').selectOption('BF-QUAR');
    await line.getByLabel('Дата вылова / изготовления').fill(new Date(Date.now() - 86_400_000).toISOString().slice(0, 10));
    await line.getByLabel('Тара, кг').fill('2,5');
    await form.getByRole('button', { name: 'Оформить приёмку' }).click();
    await expect.poll(() => count(app.workspace, 'receipt_lines')).toBe(1);
    expect(app.workspace.q.sql('SELECT gross_g, tare_g, net_g FROM receipt_lines')).toEqual([{ gross_g: 27_850, tare_g: 2_500, net_g: 25_350 }]);
  });

  test('Receipts: a supplier label read by a keyboard-wedge scanner fills a new line; a typist is not taken for a scanner', async () => {
    const form = page.getByRole('form', { name: 'Новая приёмка' });
    const caught = new Date(Date.now() - 2 * 86_400_000);
    // A person typing into the vehicle field, slowly: that text stays where it was typed.
    await form.getByLabel('Автомобиль (госномер)').pressSequentially('А777АА', { delay: 150 });
    await expect.poll(() => form.getByLabel('Автомобиль (госномер)').inputValue()).toBe('А777АА');
    // The scanner "types" the label much faster than a person, ending with Enter.
    await page.keyboard.type(crateLabel(caught), { delay: 4 });
    await page.keyboard.press('Enter');
    const report = page.getByRole('region', { name: 'Отсканированный штрихкод' });
    await waitText(report, 'Считан штрихкод');
    await waitText(report.getByRole('table', { name: 'Поля штрихкода GS1' }), 'ART-2611-07');
    await expect.poll(() => form.getByLabel('Автомобиль (госномер)').inputValue()).toBe('А777АА');
    const lineItems = form.getByRole('listitem', { name: /^Строка \d+$/ });
    const line = lineItems.last();
    await expect.poll(() => line.getByLabel('Продукт').inputValue()).toBe('OMUL-RAW');
    await expect.poll(() => line.getByLabel('Нетто, кг').inputValue().catch(() => '')).toMatch(/25,35/);
    await screenshot(page, '34-label-scanned');

    // A label with a wrong check digit is refused, with the reason, and fills nothing.
    const lines = await lineItems.count();
    const bad = crateLabel(caught).replace(OMUL_GTIN, OMUL_GTIN.slice(0, 13) + String((Number(OMUL_GTIN[13]) + 1) % 10));
    await page.keyboard.type(bad, { delay: 4 });
    await page.keyboard.press('Enter');
    await waitText(report, 'Штрихкод отклонён');
    await waitText(report, 'AI 01 (GTIN): неверная контрольная цифра');
    expect(await lineItems.count()).toBe(lines);
    expect(await form.getByLabel('Автомобиль (госномер)').inputValue()).toBe('А777АА');
  });

  test('the scale unplugged shows offline, and comes back by itself when plugged in again', async () => {
    const widget = page.getByRole('region', { name: 'Весы' });
    await scale.unplug();
    await widget.getByRole('button', { name: 'Переподключить' }).waitFor();
    await expect.poll(() => widget.getByRole('button', { name: 'Взять вес' }).isDisabled()).toBe(true);
    await screenshot(page, '35-scale-unplugged');
    scale.set({ weightKg: 14.1, stable: true });
    await scale.replug();
    await waitText(widget.getByTestId('weight-value'), '14,100', 15_000);
    await logOut(page);
  });

  test('Temperature: the chiller goes above 4 °C, the alert shows on every screen until a quality inspector acknowledges it', async () => {
    await logIn(page, INSPECTOR.username, INSPECTOR.password);
    await openSection(page, 'Температура');
    const card = page.getByRole('article', { name: /Датчик камеры №1 · Температура/ });
    await waitText(card.getByTestId('sensor-value'), '2,5');

    sensor.setTemperature(9.4);
    const banner = page.getByTestId('alert-banner');
    await banner.waitFor({ timeout: 15_000 });
    await waitText(card.getByTestId('sensor-value'), '9,4');
    await openSection(page, 'Партии и остатки');
    await banner.waitFor(); // on every screen
    await screenshot(page, '36-alert-banner');

    await banner.getByRole('link', { name: 'Открыть мониторинг температуры' }).click();
    const alerts = page.getByRole('grid', { name: 'Температурные тревоги' });
    await row(alerts, 'Датчик камеры №1').click();
    await page.getByLabel('Принятые меры').fill('Дверь камеры закрыта, продукция переложена в камеру №2');
    await page.getByRole('button', { name: 'Квитировать' }).click();
    await expect.poll(() => banner.count()).toBe(0);
    await screenshot(page, '37-alert-acknowledged');
    const stored = app.workspace.q.sql<{ kind: string; limit_value: number; note: string; acknowledged_by: string | null }>(
      'SELECT kind, limit_value, note, acknowledged_by FROM sensor_alerts',
    );
    expect(stored).toEqual([expect.objectContaining({ kind: 'above', limit_value: 4, note: 'Дверь камеры закрыта, продукция переложена в камеру №2' })]);
    expect(stored[0]!.acknowledged_by).not.toBeNull();
  });
});

/** A product row as `products.upsert` takes it back. */
function productInput(row: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, site_id: _site, created_at: _c, updated_at: _u, ...rest } = row;
  return rest;
}
