// A new user meets PlantDesk: the first run creates the site and administrator, then login.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, launchBrowser, openPage, runApp, screenshot, type Running } from './browser.js';

const missing = browserMissing();

describe.skipIf(missing !== null)('first run and login in Chromium', () => {
  let browser: Browser;
  let app: Running;
  let page: Page;
  // One folder for the whole file: the app keeps its workspace open across the tests.
  const dir = mkdtempSync(join(tmpdir(), 'plantdesk-e2e-'));

  beforeAll(async () => {
    browser = await launchBrowser();
    app = await runApp(dir);
    page = await openPage(browser, { timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the first run asks for the site and the administrator; a wrong password is refused; login opens the workspace', async () => {
    await page.goto(app.host.url);
    await page.getByRole('heading', { name: 'Первый запуск: площадка и администратор' }).waitFor();
    await page.getByLabel('Код площадки').fill('bfp');
    await page.getByLabel('Наименование (рус.)').fill('ООО «Байкальский рыбный завод»');
    await page.getByLabel('Наименование (англ.)').fill('Baikal Fish Plant LLC');
    await page.getByLabel('Регистрационный номер в КНР').fill('CRU0380000123');
    await page.getByLabel('ФИО администратора').fill('Соколова Марина');
    await page.getByLabel('Пароль', { exact: true }).fill('short');
    await page.getByLabel('Пароль ещё раз').fill('short');
    await page.getByRole('button', { name: 'Создать' }).click();
    // The contract refuses a short password: shown next to the field, nothing created.
    await page.getByText('не менее 8 символов').waitFor();
    // Screen readers hear the error with the field.
    const passwordField = page.getByLabel('Пароль', { exact: true });
    expect(await passwordField.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await passwordField.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toContain('не менее 8 символов');
    expect(app.workspace.info().initialised).toBe(false);
    await screenshot(page, '01-first-run-error');

    await page.getByLabel('Пароль', { exact: true }).fill('admin-pass-1');
    await page.getByLabel('Пароль ещё раз').fill('admin-pass-1');
    await page.getByRole('button', { name: 'Создать' }).click();
    await page.getByRole('heading', { name: 'Вход в PlantDesk' }).waitFor();
    expect(app.workspace.info()).toMatchObject({ initialised: true, site_code: 'BFP' });

    await page.getByLabel('Имя пользователя').fill('admin');
    await page.getByLabel('Пароль').fill('wrong-password');
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByText('Неверное имя пользователя или пароль').waitFor();
    await page.getByLabel('Пароль').fill('admin-pass-1');
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByRole('navigation', { name: 'main' }).waitFor();
    await screenshot(page, '02-after-login');
    for (const section of ['Сводка', 'Приёмка сырья', 'Партии и остатки', 'Качество', 'Производство', 'Отгрузки', 'Прослеживаемость', 'Настройки']) {
      await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: section }).waitFor();
    }
  });

  test('the language switch turns the interface English and back', async () => {
    await page.getByLabel('Язык').first().selectOption('en');
    await page.getByRole('link', { name: 'Traceability' }).waitFor();
    await page.getByLabel('Language').first().selectOption('ru');
    await page.getByRole('link', { name: 'Прослеживаемость' }).waitFor();
  });
});
