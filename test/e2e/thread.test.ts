// The acceptance test of the issue: a new Baikal fish plant does its whole thread in Chromium
// against the real browser host, as its people would — first run, reference data, the raw omul
// received, inspected and released, smoked on a smokehouse, the hot-smoked lot inspected,
// verified by a second quality inspector, shipped in a container to China, and traced back to
// the fishing cooperative and forward to the consignee. Every step goes through the screens
// (found by role and label, Russian UI); the workspace underneath is checked after the key steps.
// The tests run in order and share one workspace, one browser page and the lots they make.
// Real time: dates are computed from now.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { gtinWithCheckDigit, TEMPLATES } from '../../main/demo/reference.js';
import { browserMissing, launchBrowser, openPage, runApp, screenshot, type Running } from './browser.js';
import { count, DAY, dateInput, field, fieldErrorOf, logIn, logOut, lotState, openSection, row, snapshot, waitText, waitValue } from './ui.js';

const missing = browserMissing();

const ADMIN = { username: 'admin', password: 'admin-pass-1' };
const INSPECTOR = { username: 'ivanova', password: 'quality-pass-1', name: 'Иванова Ольга Петровна' };
const OPERATOR = { username: 'petrov', password: 'operator-pass-1', name: 'Петров Алексей' };
const SUPPLIER = { code: 'ARTEL-BAIKAL', name: 'Рыболовецкая артель «Байкал»' };
const CONSIGNEE = { code: 'HENGTAI', name: 'Маньчжурская торговая компания «Хэнтай»' };
const VET_DOC = '0b3c2f4e-1d2a-4c8b-9e7f-123456789abc';
const CONTAINER = 'MSCU1234566';

describe.skipIf(missing !== null)('the whole thread of a new fish plant in Chromium', () => {
  let browser: Browser;
  let app: Running;
  let page: Page;
  let dir: string;
  // What the thread makes, carried from step to step.
  let rawLot = '';
  let batch = '';
  let smokedLot = '';
  let incoming = '';
  let final = '';
  let shipment = '';

  const one = <T>(sql: string, ...params: unknown[]): T => {
    const rows = app.workspace.q.sql<T>(sql, ...params);
    expect(rows, sql).toHaveLength(1);
    return rows[0]!;
  };

  beforeAll(async () => {
    // Not tempDir(): its clean-up runs after every test, and this workspace lives for all of them.
    dir = mkdtempSync(join(tmpdir(), 'plantdesk-thread-'));
    browser = await launchBrowser();
    app = await runApp(dir);
    // Reduced motion: the dashboard's charts are drawn at once, so their screenshots show the real figures.
    page = await openPage(browser, { reducedMotion: 'reduce', timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('first run: the site BFP and its administrator are created, the administrator logs in', async () => {
    await page.goto(app.host.url);
    await page.getByRole('heading', { name: 'Первый запуск: площадка и администратор' }).waitFor();
    await page.getByLabel('Код площадки').fill('BFP');
    await page.getByLabel('Наименование (рус.)').fill('ООО «Байкальский рыбный завод»');
    await page.getByLabel('Наименование (англ.)').fill('Baikal Fish Plant LLC');
    await page.getByLabel('Регистрационный номер в КНР').fill('CRU0380000123');
    await page.getByLabel('Ветеринарный номер предприятия').fill('38-01-03');
    await page.getByLabel('ФИО администратора').fill('Соколова Марина');
    await page.getByLabel('Пароль', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Пароль ещё раз').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Создать' }).click();
    await logIn(page, ADMIN.username, ADMIN.password);
    expect(app.workspace.info()).toMatchObject({ initialised: true, site_code: 'BFP' });
    await page.getByRole('region', { name: 'Основные показатели' }).waitFor();
    await screenshot(page, '10-dashboard-new-plant');
  });

  test('Settings: partners, locations, equipment, products and users are entered through the screens', async () => {
    await openSection(page, 'Настройки');
    await page.getByRole('heading', { name: 'Настройки', level: 1 }).waitFor();
    const panel = page.getByRole('tabpanel');
    const form = panel.getByRole('form');
    const save = async (code: string) => {
      await form.getByRole('button', { name: 'Сохранить' }).click();
      await waitText(form.getByRole('status'), `Сохранено: ${code}`);
    };

    // Partners: the cooperative that supplies the omul, the Chinese importer that buys and receives it.
    await page.getByRole('tab', { name: 'Контрагенты' }).click();
    await panel.getByRole('button', { name: 'Новый контрагент' }).click();
    await form.getByLabel('Код', { exact: true }).fill(SUPPLIER.code);
    await form.getByLabel('Страна', { exact: true }).fill('RU');
    await form.getByLabel('поставщик', { exact: true }).check();
    await form.getByLabel('Наименование (рус.)').fill(SUPPLIER.name);
    await form.getByLabel('Наименование (англ.)').fill('Fishing cooperative Baikal');
    await form.getByLabel('Адрес (рус.)').fill('Республика Бурятия, Кабанский район, с. Сухая');
    await form.getByLabel('ИНН / налоговый номер').fill('0309000001');
    await save(SUPPLIER.code);

    await panel.getByRole('button', { name: 'Новый контрагент' }).click();
    await form.getByLabel('Код', { exact: true }).fill(CONSIGNEE.code);
    await waitValue(form.getByLabel('Страна', { exact: true }), 'CN');
    await form.getByLabel('покупатель', { exact: true }).check();
    await form.getByLabel('грузополучатель', { exact: true }).check();
    await form.getByLabel('Наименование (рус.)').fill(CONSIGNEE.name);
    await form.getByLabel('Наименование (англ.)').fill('Manzhouli Hengtai Trading Co., Ltd.');
    await form.getByLabel('Наименование (кит.)').fill('满洲里恒泰贸易有限公司');
    await form.getByLabel('Адрес (англ.)').fill('18 Xinhua Road, Manzhouli, Inner Mongolia, China');
    await form.getByLabel('ИНН / налоговый номер').fill('91150781000000001X');
    await save(CONSIGNEE.code);
    await row(panel.getByRole('grid', { name: 'Контрагенты' }), CONSIGNEE.code).waitFor();
    await screenshot(page, '11-settings-partners');

    // Storage: the raw-material quarantine room and the cold room for smoked fish.
    await page.getByRole('tab', { name: 'Места хранения' }).click();
    for (const l of [
      { code: 'BF-QUAR', name: 'Камера карантина сырья', kind: 'quarantine', min: '0', max: '4' },
      { code: 'BF-CR2', name: 'Холодильная камера №2 (копчёная рыба)', kind: 'cold_room', min: '0', max: '3,3' },
    ]) {
      await panel.getByRole('button', { name: 'Новое место хранения' }).click();
      await form.getByLabel('Код', { exact: true }).fill(l.code);
      await form.getByLabel('Тип', { exact: true }).selectOption(l.kind);
      await form.getByLabel('Наименование', { exact: true }).fill(l.name);
      await form.getByLabel('Температура от, °C').fill(l.min);
      await form.getByLabel('Температура до, °C').fill(l.max);
      await save(l.code);
    }

    await page.getByRole('tab', { name: 'Оборудование' }).click();
    await panel.getByRole('button', { name: 'Новое оборудование' }).click();
    await form.getByLabel('Код', { exact: true }).fill('BF-SMOKER-1');
    await form.getByLabel('Тип', { exact: true }).selectOption('smoker');
    await form.getByLabel('Наименование', { exact: true }).fill('Коптильная камера №1 (горячее копчение)');
    await form.getByLabel('Максимальная загрузка, кг').fill('400');
    await save('BF-SMOKER-1');

    // Products: chilled omul as caught, and the hot-smoked omul made of it.
    await page.getByRole('tab', { name: 'Продукция' }).click();
    for (const p of [
      { code: 'OMUL-RAW', kind: 'raw', ru: 'Омуль байкальский охлаждённый', en: 'Chilled Baikal omul', zh: '冰鲜贝加尔秋白鲑', gtin: '', hs: '030219', days: '5', min: '0', max: '4' },
      {
        code: 'OMUL-HS',
        kind: 'finished',
        ru: 'Омуль байкальский горячего копчения',
        en: 'Hot-smoked Baikal omul',
        zh: '热熏贝加尔秋白鲑',
        gtin: gtinWithCheckDigit('0460700100001'),
        hs: '030549',
        days: '10',
        min: '0',
        max: '3,3',
      },
    ]) {
      await panel.getByRole('button', { name: 'Новый продукт' }).click();
      await form.getByLabel('Код', { exact: true }).fill(p.code);
      await form.getByLabel('Вид', { exact: true }).selectOption(p.kind);
      await form.getByLabel('Наименование (рус.)').fill(p.ru);
      await form.getByLabel('Наименование (англ.)').fill(p.en);
      await form.getByLabel('Наименование (кит.)').fill(p.zh);
      await form.getByLabel('Латинское название').fill('Coregonus migratorius');
      await form.getByLabel('Происхождение').selectOption('wild');
      if (p.gtin) await form.getByLabel('GTIN').fill(p.gtin);
      await form.getByLabel('Код ТН ВЭД').fill(p.hs);
      await form.getByLabel('Срок годности, дней').fill(p.days);
      await form.getByLabel('Температура хранения от, °C').fill(p.min);
      await form.getByLabel('Температура хранения до, °C').fill(p.max);
      await save(p.code);
    }
    await row(panel.getByRole('grid', { name: 'Продукция' }), 'OMUL-HS').waitFor();
    await screenshot(page, '12-settings-products');

    // People: a second quality inspector (the HACCP second signature) and a line operator.
    await page.getByRole('tab', { name: 'Пользователи и роли' }).click();
    for (const u of [
      { ...INSPECTOR, role: 'Контролёр качества' },
      { ...OPERATOR, role: 'Оператор линии' },
    ]) {
      await panel.getByRole('button', { name: 'Новый пользователь' }).click();
      const user = panel.getByRole('form', { name: 'Новый пользователь' });
      await user.getByLabel('Имя пользователя').fill(u.username);
      await user.getByLabel('ФИО').fill(u.name);
      await user.getByLabel('Пароль', { exact: true }).fill(u.password);
      await user.getByLabel('Пароль ещё раз').fill(u.password);
      await user.getByLabel(u.role).check();
      await user.getByRole('button', { name: 'Создать пользователя' }).click();
      await panel.getByRole('heading', { name: `Пользователь ${u.username}` }).waitFor();
    }
    await row(panel.getByRole('grid', { name: 'Пользователи' }), OPERATOR.username).waitFor();
    await screenshot(page, '13-settings-users');

    // Inspection templates have no screen yet (Settings offers none, Quality only picks them), so
    // the two this thread needs go in through the contract, with a session of the administrator.
    const login = app.workspace.invoke('auth.login', ADMIN, null);
    if (!login.ok) throw new Error(login.error.message.en);
    const session = { token: login.value.token };
    for (const template of TEMPLATES.filter((t) => t.code === 'IN-FISH' || t.code === 'FIN-SMOKED')) {
      const saved = app.workspace.invoke('templates.upsert', template, session);
      expect(saved.ok, JSON.stringify(saved)).toBe(true);
    }
    expect(app.workspace.invoke('auth.logout', {}, session).ok).toBe(true);

    const partners = app.workspace.q.sql('SELECT code, is_supplier, is_customer, is_consignee, country FROM partners ORDER BY code');
    expect(partners).toEqual([
      { code: SUPPLIER.code, is_supplier: 1, is_customer: 0, is_consignee: 0, country: 'RU' },
      { code: CONSIGNEE.code, is_supplier: 0, is_customer: 1, is_consignee: 1, country: 'CN' },
    ]);
    expect(app.workspace.q.sql('SELECT code, kind, temp_min, temp_max FROM locations ORDER BY code')).toEqual([
      { code: 'BF-CR2', kind: 'cold_room', temp_min: 0, temp_max: 3.3 },
      { code: 'BF-QUAR', kind: 'quarantine', temp_min: 0, temp_max: 4 },
    ]);
    expect(app.workspace.q.sql('SELECT code, kind, capacity_g FROM equipment')).toEqual([{ code: 'BF-SMOKER-1', kind: 'smoker', capacity_g: 400_000 }]);
    expect(app.workspace.q.sql('SELECT code, kind, shelf_life_days, gtin, catch_weight FROM products ORDER BY code')).toEqual([
      { code: 'OMUL-HS', kind: 'finished', shelf_life_days: 10, gtin: gtinWithCheckDigit('0460700100001'), catch_weight: 1 },
      { code: 'OMUL-RAW', kind: 'raw', shelf_life_days: 5, gtin: null, catch_weight: 1 },
    ]);
    expect(app.workspace.q.sql('SELECT username, roles FROM users ORDER BY username')).toEqual([
      { username: 'admin', roles: expect.stringContaining('admin') },
      { username: INSPECTOR.username, roles: expect.stringContaining('quality_inspector') },
      { username: OPERATOR.username, roles: expect.stringContaining('operator') },
    ]);
  });

  test('Receipts: a net that is not gross − tare, or a vet document that is not a UUID, is refused next to its field and saves nothing', async () => {
    await openSection(page, 'Приёмка сырья');
    const form = page.getByRole('form', { name: 'Новая приёмка' });
    const line = form.getByRole('listitem', { name: 'Строка 1' });
    const before = snapshot(app.workspace);

    await form.getByLabel('Поставщик').selectOption(SUPPLIER.code);
    await form.getByLabel('Автомобиль (госномер)').fill('А123ВС 03');
    await line.getByLabel('Продукт').selectOption('OMUL-RAW');
    await line.getByLabel('Место хранения').selectOption('BF-QUAR');
    await line.getByLabel('ВСД (UUID, Меркурий)').fill(VET_DOC);
    await line.getByLabel('Район вылова').fill('FAO 04, оз. Байкал, Чивыркуйский залив');
    await line.getByLabel('Дата вылова / изготовления').fill(dateInput(Date.now() - DAY));
    await line.getByLabel('Температура при приёмке, °C').fill('2,1');
    await line.getByLabel('Брутто, кг').fill('520');
    await line.getByLabel('Тара, кг').fill('20');
    await line.getByLabel('Нетто, кг').fill('499');
    await line.getByLabel('Количество мест').fill('25');
    // The mismatch is pointed out as typed, and the workspace refuses it when sent anyway.
    await waitText(fieldErrorOf(page, 'Нетто, кг', line), 'Не равно брутто − тара (500,000 кг)');
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/invoke') && r.request().postData()?.includes('receipts.create') === true);
    await form.getByRole('button', { name: 'Оформить приёмку' }).click();
    expect(await (await answer).json()).toMatchObject({ ok: false, error: { code: 'WEIGHT_INCONSISTENT', field: 'lines.0.net_g' } });
    // The workspace refused it (nothing saved, below); the field keeps saying why, in kilograms.
    await waitText(fieldErrorOf(page, 'Нетто, кг', line), 'Не равно брутто − тара (500,000 кг)');
    await screenshot(page, '14-receipt-net-refused');
    expect(snapshot(app.workspace)).toEqual(before);

    // Net left to the computer; a vet document number that is no UUID.
    await line.getByLabel('Нетто, кг').fill('');
    await line.getByLabel('ВСД (UUID, Меркурий)').fill('ВСД-12345');
    await form.getByRole('button', { name: 'Оформить приёмку' }).click();
    await waitText(fieldErrorOf(page, 'ВСД (UUID, Меркурий)', line), 'UUID');
    await screenshot(page, '14-receipt-vet-refused');
    expect(await fieldErrorOf(page, 'Нетто, кг', line).count()).toBe(0);
    expect(snapshot(app.workspace)).toEqual(before);
    expect(count(app.workspace, 'receipts') + count(app.workspace, 'lots') + count(app.workspace, 'receipt_lines')).toBe(0);
    await waitText(page.getByRole('grid', { name: 'Приёмки сырья' }), 'Нет данных');
  });

  test('Receipts: the corrected receipt of raw omul creates a quarantined lot in stock', async () => {
    const form = page.getByRole('form', { name: 'Новая приёмка' });
    const line = form.getByRole('listitem', { name: 'Строка 1' });
    await line.getByLabel('ВСД (UUID, Меркурий)').fill(VET_DOC);
    await waitText(field(page, 'Нетто, кг', line), '= брутто − тара: 500,000 кг');
    await form.getByRole('button', { name: 'Оформить приёмку' }).click();
    const created = page.getByRole('status').filter({ hasText: 'оформлена' });
    await waitText(created, /Приёмка \S+ оформлена\. Создано партий: 1 \(в карантине\)/);

    const lot = one<{ code: string; status: string; initial_g: number; vet_doc_uuid: string; catch_area: string; supplier: string; packages: number }>(
      `SELECT l.code, l.status, l.initial_g, l.vet_doc_uuid, l.catch_area, p.code AS supplier, l.packages
       FROM lots l JOIN partners p ON p.id = l.supplier_id`,
    );
    rawLot = lot.code;
    expect(lot).toMatchObject({ status: 'quarantine', initial_g: 500_000, vet_doc_uuid: VET_DOC, catch_area: 'FAO 04, оз. Байкал, Чивыркуйский залив', supplier: SUPPLIER.code, packages: 25 });
    expect(one('SELECT gross_g, tare_g, net_g, arrival_temp FROM receipt_lines')).toEqual({ gross_g: 520_000, tare_g: 20_000, net_g: 500_000, arrival_temp: 2.1 });
    expect(app.workspace.q.sql('SELECT lc.code AS location, s.qty_g FROM stock s JOIN locations lc ON lc.id = s.location_id')).toEqual([{ location: 'BF-QUAR', qty_g: 500_000 }]);
    await waitText(created, rawLot);
    await row(page.getByRole('grid', { name: 'Приёмки сырья' }), SUPPLIER.name).waitFor();
    await screenshot(page, '15-receipts');

    // The lot in stock, and its card.
    await openSection(page, 'Партии и остатки');
    await row(page.getByRole('grid', { name: 'Остатки' }), 'OMUL-RAW').waitFor();
    await screenshot(page, '16-stock');
    await page.getByRole('tab', { name: 'Партии' }).click();
    await row(page.getByRole('grid', { name: 'Партии' }), rawLot).click();
    const card = page.getByRole('complementary', { name: `Карточка партии ${rawLot}` });
    await waitText(card, SUPPLIER.name);
    await waitText(card, 'карантин');
    await waitText(card, VET_DOC);
    await screenshot(page, '17-stock-lot');
  });

  test('Quality: the incoming inspection shows its verdict as results are typed and releases the raw lot', async () => {
    await openSection(page, 'Качество');
    await row(page.getByTestId('qc-quarantine'), rawLot).click();
    const open = page.getByRole('form', { name: 'Новая проверка' });
    await waitValue(open.getByLabel('Шаблон контроля'), 'IN-FISH');
    await open.getByRole('button', { name: 'Начать проверку' }).click();
    const results = page.getByRole('form', { name: 'Показатели' });
    await results.waitFor();
    incoming = one<{ number: string }>("SELECT number FROM inspections WHERE stage = 'incoming'").number;
    await page.getByRole('heading', { name: `Проверка ${incoming}` }).waitFor();

    const overall = page.getByTestId('qc-overall');
    await waitText(overall, 'Итог: не всё заполнено');
    await results.getByLabel('Температура в толще, °C').fill('6,5');
    await waitText(overall, 'Итог: не соответствует · не соответствуют: Температура в толще');
    await results.getByLabel('Температура в толще, °C').fill('2,5');
    for (const name of ['Органолептика в норме', 'Паразиты не обнаружены', 'ВСД погашен в «Меркурии»']) {
      await results.getByRole('radiogroup', { name }).getByRole('radio', { name: 'Соответствует', exact: true }).check();
    }
    await waitText(overall, /^Итог: соответствует$/);
    await screenshot(page, '18-quality-incoming');
    await results.getByRole('button', { name: 'Завершить проверку' }).click();
    await waitText(page.getByRole('status').filter({ hasText: 'завершена' }), `Проверка ${incoming} завершена: соответствует. Партия ${rawLot} — допущено.`);

    expect(one('SELECT status, verdict FROM inspections WHERE number = ?', incoming)).toEqual({ status: 'completed', verdict: 'pass' });
    expect(lotState(app.workspace, rawLot)).toMatchObject({ status: 'released', qty_g: 500_000 });
  });

  test('Production: a batch planned on the smokehouse consumes the raw lot by FEFO, records the hot-smoked output and finishes', async () => {
    await openSection(page, 'Производство');
    await page.getByRole('tab', { name: 'Запланировать партию' }).click();
    const plan = page.getByRole('form', { name: 'Новая производственная партия' });
    await plan.getByLabel('Продукт (полуфабрикат или готовый)').selectOption('OMUL-HS');
    await plan.getByLabel('Оборудование', { exact: true }).selectOption('BF-SMOKER-1');
    await plan.getByLabel('Плановая масса выпуска, кг').fill('300');
    await plan.getByRole('button', { name: 'Запланировать' }).click();
    await waitText(plan.getByRole('status'), /Партия \S+ запланирована/);
    batch = one<{ number: string }>('SELECT number FROM batches').number;
    expect(one('SELECT status, planned_g FROM batches')).toEqual({ status: 'planned', planned_g: 300_000 });

    await page.getByRole('tab', { name: 'Доска партий' }).click();
    const card = page.getByRole('region', { name: /Запланированы/ }).getByRole('link', { name: new RegExp(batch) });
    await card.waitFor();
    await screenshot(page, '19-production-board');
    await card.click();
    await page.getByRole('heading', { name: `Производственная партия ${batch}` }).waitFor();
    await page.getByRole('button', { name: 'Начать партию' }).click();
    await page.getByRole('button', { name: 'Завершить партию' }).waitFor();

    await page.getByLabel('Сырьё для подбора').selectOption('OMUL-RAW');
    await page.getByLabel('Нужно сырья, кг').fill('480');
    await page.getByRole('button', { name: 'Подобрать' }).click();
    const pick = row(page.getByRole('table', { name: 'Подбор по FEFO' }), rawLot);
    await waitText(pick, '480,000');
    await pick.getByRole('button', { name: 'Списать 480,000 кг' }).click();
    await waitText(page.getByRole('status').filter({ hasText: 'Списано' }), `Списано: партия ${rawLot}, 480,000 кг.`);
    expect(lotState(app.workspace, rawLot)).toMatchObject({ status: 'released', qty_g: 20_000 });
    // The need is met and the field emptied: nothing to complain about.
    expect(await fieldErrorOf(page, 'Нужно сырья, кг').count()).toBe(0);

    const output = page.getByRole('form', { name: 'Выпуск продукции' });
    await output.getByLabel('Масса выпуска, кг').fill('300');
    await output.getByLabel('Место хранения выпуска').selectOption('BF-CR2');
    await output.getByLabel('Количество мест (коробок)').fill('30');
    await output.getByRole('button', { name: 'Записать выпуск' }).click();
    await waitText(output.getByRole('status'), /Новая партия \S+: 300,000 кг/);
    smokedLot = one<{ code: string }>("SELECT code FROM lots WHERE origin = 'production'").code;
    await waitText(output.getByRole('status'), smokedLot);
    await screenshot(page, '20-production-batch');

    await page.getByRole('button', { name: 'Завершить партию' }).click();
    await waitText(page.getByRole('heading', { level: 1 }), `Производственная партия ${batch} завершена`);
    expect(one('SELECT status FROM batches')).toEqual({ status: 'done' });
    expect(lotState(app.workspace, smokedLot)).toEqual({ code: smokedLot, status: 'quarantine', initial_g: 300_000, qty_g: 300_000 });
    expect(one("SELECT COALESCE(SUM(qty_g), 0) AS consumed FROM batch_inputs")).toEqual({ consumed: 480_000 });
    await waitText(page.getByRole('grid', { name: 'Выпущенные партии' }), smokedLot);
  });

  test('Quality: the final inspection releases the hot-smoked lot; its inspector cannot give the second signature', async () => {
    await openSection(page, 'Качество');
    await row(page.getByTestId('qc-quarantine'), smokedLot).click();
    const open = page.getByRole('form', { name: 'Новая проверка' });
    await waitValue(open.getByLabel('Этап контроля'), 'final');
    await waitValue(open.getByLabel('Шаблон контроля'), 'FIN-SMOKED');
    await open.getByRole('button', { name: 'Начать проверку' }).click();
    const results = page.getByRole('form', { name: 'Показатели' });
    await results.waitFor();
    final = one<{ number: string }>("SELECT number FROM inspections WHERE stage = 'final'").number;

    await results.getByLabel('Массовая доля соли, %').fill('3,2');
    await results.getByLabel('Массовая доля влаги, %').fill('62');
    await results.getByLabel('Общий летучий азот, mg/100 g').fill('14');
    for (const name of ['L. monocytogenes в 25 г не обнаружены', 'Органолептика в норме']) {
      await results.getByRole('radiogroup', { name }).getByRole('radio', { name: 'Соответствует', exact: true }).check();
    }
    await waitText(page.getByTestId('qc-overall'), /^Итог: соответствует$/);
    await results.getByRole('button', { name: 'Завершить проверку' }).click();
    await waitText(page.getByRole('status').filter({ hasText: 'завершена' }), `Проверка ${final} завершена: соответствует. Партия ${smokedLot} — допущено.`);
    // HACCP: whoever inspected may not verify.
    await waitText(page.locator('.qc-verify'), 'Вы вводили результаты или завершали эту проверку');
    expect(await page.getByRole('button', { name: 'Подтвердить (вторая подпись)' }).isDisabled()).toBe(true);
    await screenshot(page, '21-quality-final');

    expect(one('SELECT status, verdict, verifier_id FROM inspections WHERE number = ?', final)).toEqual({ status: 'completed', verdict: 'pass', verifier_id: null });
    expect(lotState(app.workspace, smokedLot)).toMatchObject({ status: 'released', qty_g: 300_000 });
  });

  test('Shipments: a container with an ISO 6346 number and the released lot go on a shipment, which is refused until the final inspection is verified', async () => {
    await openSection(page, 'Отгрузки');
    await page.getByRole('button', { name: 'Новая отгрузка' }).click();
    const create = page.getByRole('form', { name: 'Новая экспортная отгрузка' });
    await create.getByLabel('Покупатель').selectOption(CONSIGNEE.code);
    await waitValue(create.getByLabel('Грузополучатель'), CONSIGNEE.code);
    await create.getByLabel('Транспорт').fill('автотранспорт, рефконтейнер');
    await create.getByLabel('Пункт пропуска').fill('МАПП Забайкальск — Маньчжурия');
    await create.getByRole('button', { name: 'Создать отгрузку' }).click();
    shipment = (await (async () => {
      await page.getByRole('heading', { name: /^Отгрузка \S+ черновик$/ }).waitFor();
      return one<{ number: string }>('SELECT number FROM shipments').number;
    })());

    const containers = page.getByRole('form', { name: 'Добавить контейнер' });
    await containers.getByLabel('Номер контейнера').fill('MSCU1234567');
    await waitText(fieldErrorOf(page, 'Номер контейнера', containers), 'последней цифрой должна быть 6');
    await containers.getByLabel('Номер контейнера').fill(CONTAINER.toLowerCase());
    expect(await fieldErrorOf(page, 'Номер контейнера', containers).count()).toBe(0);
    await containers.getByLabel('Номер пломбы').fill('RU 0412345');
    await containers.getByRole('button', { name: 'Добавить контейнер' }).click();
    await waitText(containers.getByRole('status'), `Контейнер ${CONTAINER} добавлен`);

    await row(page.getByTestId('released-lots'), smokedLot).click();
    const add = page.getByRole('form', { name: `Добавить партию ${smokedLot}` });
    await waitValue(add.getByLabel('Масса нетто, кг'), '300,000');
    await waitValue(add.getByLabel('Количество мест'), '30');
    await waitValue(add.getByLabel('Контейнер'), CONTAINER);
    await add.getByLabel('Масса брутто, кг').fill('318');
    await add.getByRole('button', { name: 'Добавить в отгрузку' }).click();
    await row(page.getByRole('grid', { name: 'Строки отгрузки' }), smokedLot).waitFor();
    await waitText(page.getByTestId('total-net'), '300,000');
    await waitText(page.getByTestId('total-gross'), '318,000');

    await page.getByRole('button', { name: 'Отгрузить' }).click();
    await page.getByRole('button', { name: 'Подтвердить отгрузку' }).click();
    await waitText(page.getByRole('alert').filter({ hasText: 'ХАССП' }), 'Отгрузка невозможна: нет подтверждённой итоговой проверки (ХАССП)');
    await screenshot(page, '22-shipment-refused-unverified');
    expect(one('SELECT status FROM shipments')).toEqual({ status: 'draft' });
    expect(app.workspace.q.sql('SELECT container_no, seal_no FROM shipment_containers')).toEqual([{ container_no: CONTAINER, seal_no: 'RU 0412345' }]);
    expect(one('SELECT qty_g, gross_g, packages FROM shipment_lines')).toEqual({ qty_g: 300_000, gross_g: 318_000, packages: 30 });
    expect(lotState(app.workspace, smokedLot).qty_g).toBe(300_000);
  });

  test('Quality: the second quality inspector logs in and verifies both inspections', async () => {
    await logOut(page);
    await logIn(page, INSPECTOR.username, INSPECTOR.password);
    const nav = page.getByRole('navigation', { name: 'main' });
    expect(await nav.getByRole('link', { name: 'Настройки' }).count()).toBe(0);
    await openSection(page, 'Качество');
    for (const number of [final, incoming]) {
      await row(page.getByTestId('qc-verify'), number).click();
      await page.getByRole('heading', { name: `Проверка ${number}` }).waitFor();
      await page.getByRole('button', { name: 'Подтвердить (вторая подпись)' }).click();
      await waitText(page.locator('.qc-panel .banner-ok').filter({ hasText: 'Подтверждено' }), `Подтверждено: ${INSPECTOR.name}`);
      if (number === final) await screenshot(page, '23-quality-verified');
    }
    await waitText(page.getByRole('heading', { name: /Завершены, ждут второй подписи/ }), '(0)');
    const verifier = one<{ id: string }>('SELECT id FROM users WHERE username = ?', INSPECTOR.username).id;
    expect(app.workspace.q.sql('SELECT number, verifier_id FROM inspections ORDER BY number')).toEqual(
      [final, incoming].sort().map((number) => ({ number, verifier_id: verifier })),
    );
    await logOut(page);
  });

  test('Shipments: once verified, the administrator ships; stock leaves the plant', async () => {
    await logIn(page, ADMIN.username, ADMIN.password);
    await openSection(page, 'Отгрузки');
    await row(page.getByTestId('shipments-table'), shipment).click();
    await page.getByRole('button', { name: 'Отгрузить' }).click();
    await page.getByRole('button', { name: 'Подтвердить отгрузку' }).click();
    await page.getByRole('heading', { name: `Отгрузка ${shipment} отгружено` }).waitFor();
    await screenshot(page, '24-shipment-shipped');

    expect(one('SELECT status, shipped_at IS NOT NULL AS shipped FROM shipments')).toEqual({ status: 'shipped', shipped: 1 });
    expect(lotState(app.workspace, smokedLot)).toMatchObject({ status: 'released', qty_g: 0 });
    expect(one("SELECT SUM(qty_g) AS qty_g FROM movements WHERE kind = 'shipment'")).toEqual({ qty_g: 300_000 });
    await page.getByRole('button', { name: '← К списку отгрузок' }).click();
    await waitText(row(page.getByTestId('shipments-table'), shipment), 'отгружено');
    await screenshot(page, '25-shipments');
  });

  test('Traceability: the shipped lot traces back to the cooperative and forward to the shipment and its consignee', async () => {
    await openSection(page, 'Прослеживаемость');
    await page.getByLabel('Код партии').fill(smokedLot);
    await page.getByRole('button', { name: 'Проследить' }).click();
    const backward = page.getByRole('region', { name: 'Дерево прослеживаемости назад' });
    const forward = page.getByRole('region', { name: 'Дерево прослеживаемости вперёд' });
    const receipt = one<{ number: string }>('SELECT number FROM receipts').number;
    await waitText(backward, SUPPLIER.name);
    for (const text of [batch, rawLot, receipt, '480,000 кг']) await waitText(backward, text);
    await waitText(forward, CONSIGNEE.name);
    await waitText(forward, `${shipment} отгружено`);
    await waitText(page.getByRole('region', { name: 'Сводка прослеживаемости' }), `Грузополучатели: ${CONSIGNEE.name}`);
    await screenshot(page, '26-trace');

    // From the raw lot the same thread runs forward to the consignee.
    await backward.getByRole('link', { name: rawLot }).click();
    await page.getByRole('heading', { name: new RegExp(rawLot) }).waitFor();
    await waitText(forward, smokedLot);
    await waitText(forward, CONSIGNEE.name);
    await waitText(backward, SUPPLIER.name);
  });

  test('Dashboard: the month shows the shipment and the hot-smoked output', async () => {
    await openSection(page, 'Сводка');
    const kpis = page.getByRole('region', { name: 'Основные показатели' });
    await waitText(kpis, /Отгружено в этом месяце 1/);
    await waitText(kpis, /Партий в карантине 0/);
    // The charts' figures, as screen readers get them.
    await waitText(page.getByRole('table', { name: /Выпуск продукции по дням/ }), /OMUL-HS.*300 кг/);
    await waitText(page.getByRole('table', { name: 'Выход продукции по продуктам, %' }), 'OMUL-HS 62,5 %');
    await screenshot(page, '27-dashboard');
  });

  test('an operator logs in on the line and cannot open Settings', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ru-RU' });
    try {
      const line = await context.newPage();
      line.setDefaultTimeout(10_000);
      await line.goto(app.host.url);
      await logIn(line, OPERATOR.username, OPERATOR.password);
      const nav = line.getByRole('navigation', { name: 'main' });
      for (const section of ['Приёмка сырья', 'Производство', 'Партии и остатки']) await nav.getByRole('link', { name: section }).waitFor();
      expect(await nav.getByRole('link', { name: 'Настройки' }).count()).toBe(0);
      // Operators start in line mode: big targets and digits.
      expect(await line.evaluate(() => (globalThis as unknown as { document: { body: { className: string } } }).document.body.className)).toContain('line-mode');
      await line.goto(`${new URL(app.host.url).origin}/#/settings`);
      await line.getByText('Для этого раздела у вас нет прав').waitFor();
      expect(await line.getByRole('heading', { name: 'Настройки' }).count()).toBe(0);
      await screenshot(line, '28-operator-no-settings');
    } finally {
      await context.close();
    }
  });
});
