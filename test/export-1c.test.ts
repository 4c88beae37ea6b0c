// The 1C EnterpriseData export of a plant's period, checked against the format package itself,
// and the `exports.1c` operation that writes it and keeps a record of what went to 1C.
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create } from 'xmlbuilder2';
import { describe, expect, test } from 'vitest';
import { runCli } from './cli-in-process.js';
import type { JobProgress } from '../main/contract/jobs.js';
import type { OperationOutput } from '../main/contract/operations.js';
import { DocumentService } from '../main/documents/service.js';
import { buildEnterpriseData, ENTERPRISE_DATA_NS, kgFromGrams } from '../main/exports/enterprise-data.js';
import { periodOfDays } from '../main/exports/period.js';
import { checkAgainstPackage, loadPackage, MESSAGE_NS } from '../main/exports/xdto.js';
import { DAY, plant, T0, tempDir, type TestPlant } from './helpers.js';
import { receive, releasedFinished, releasedRaw } from './scenarios.js';

const PERIOD = { from: T0 - DAY, to: T0 + DAY, now: T0 + 2 * DAY };
/** A plant-local date as the operation and the CLI take it (YYYY-MM-DD). */
const day = (ms: number) => new Date(ms).toLocaleDateString('sv-SE');
/** The counts of the day of work below. */
const DAY_OF_WORK_COUNTS = {
  'Справочник.Номенклатура': 2,
  'Справочник.СерииНоменклатуры': 3,
  'Документ.ПоступлениеТоваровУслуг': 2,
  'Документ.ВыпускПродукции': 1,
  'Документ.ПередачаМатериаловВПроизводство': 1,
  'Документ.ПеремещениеТоваров': 1,
  'Документ.РеализацияТоваровУслуг': 1,
};

/** A day of a fish plant: two receipts, a smoking batch, a move and a shipment to China. */
function dayOfWork(): { p: TestPlant; raw: string; small: string; batch: string; lot: string; shipment: string } {
  const p = plant();
  const raw = releasedRaw(p);
  const small = receive(p, { net_g: 25_350 });
  const { batch, lot } = releasedFinished(p, { raw });
  p.call('stock.move', { lot: raw, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 100_000 });
  const shipment = p.call('shipments.create', { customer: 'HENGTAI', consignee: 'DL-COLDCHAIN', planned_date: p.now, currency: 'CNY' }).number;
  p.call('shipments.addLine', { number: shipment, lot, qty_g: 120_500, gross_g: 130_000, packages: 24 });
  p.call('shipments.ship', { number: shipment });
  return { p, raw, small, batch, lot, shipment };
}

interface Node {
  name: string;
  text: string;
  children: Node[];
}

/** The message as a plain tree, read back with a real XML parser. */
function parse(xml: string): Node {
  type Dom = { nodeType: number; localName: string; namespaceURI: string | null; textContent: string | null; childNodes: ArrayLike<Dom> };
  const walk = (n: Dom): Node => ({
    name: n.namespaceURI === MESSAGE_NS ? `msg:${n.localName}` : n.localName,
    text: n.textContent ?? '',
    children: Array.from(n.childNodes).filter((c) => c.nodeType === 1).map(walk),
  });
  return walk(create(xml).root().node as unknown as Dom);
}

const child = (n: Node, name: string): Node => {
  const found = n.children.find((c) => c.name === name);
  if (!found) throw new Error(`no ${name} in ${n.name}`);
  return found;
};
const at = (n: Node, path: string): Node => path.split('/').reduce(child, n);
const body = (xml: string) => child(parse(xml), 'Body');
/** The Body objects of one type, in message order. */
const objectsOf = (xml: string, type: string) => body(xml).children.filter((o) => o.name === type);

describe('buildEnterpriseData', () => {
  test('writes the envelope and header 1C expects, UTF-8 with a declaration', () => {
    const { p } = dayOfWork();
    const { xml } = buildEnterpriseData(p.ws.q, PERIOD);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const doc = create(xml).root().node as unknown as { localName: string; namespaceURI: string | null };
    expect([doc.localName, doc.namespaceURI]).toEqual(['Message', null]);
    const message = parse(xml);
    const header = child(message, 'msg:Header');
    expect(header.children.map((c) => c.name)).toEqual(['msg:Format', 'msg:CreationDate', 'msg:AvailableVersion']);
    expect(at(header, 'msg:Format').text).toBe(ENTERPRISE_DATA_NS);
    expect(at(header, 'msg:CreationDate').text).toMatch(/^2026-11-0\dT\d{2}:\d{2}:\d{2}$/);
    expect(at(header, 'msg:AvailableVersion').text).toBe('1.21');
    expect(xml).toContain(`<Body xmlns="${ENTERPRISE_DATA_NS}">`);
  });

  test('exports every document of the period with its items and lots, and each passes the format package', () => {
    const { p, raw, small, batch, lot, shipment } = dayOfWork();
    const result = buildEnterpriseData(p.ws.q, PERIOD);
    expect(result.counts).toEqual(DAY_OF_WORK_COUNTS);
    expect(checkAgainstPackage(result.xml)).toEqual([]);

    const lots = objectsOf(result.xml, 'Справочник.СерииНоменклатуры').map((o) => at(o, 'КлючевыеСвойства/СерийныйНомер').text);
    expect(lots.sort()).toEqual([raw, small, lot].sort());

    const output = objectsOf(result.xml, 'Документ.ВыпускПродукции')[0]!;
    expect(at(output, 'КлючевыеСвойства/Номер').text).toBe(batch);
    expect(at(output, 'Продукция/Строка/ДанныеНоменклатуры/Серия/СерийныйНомер').text).toBe(lot);
    expect(at(output, 'Продукция/Строка/Количество').text).toBe('300.000');
    // The material line names the consumed raw lot and the lot it went into.
    expect(at(output, 'Материалы/Строка/ДанныеНоменклатуры/Серия/СерийныйНомер').text).toBe(raw);
    expect(at(output, 'Материалы/Строка/Количество').text).toBe('400.000');
    expect(at(output, 'Материалы/Строка/СерияПродукции/СерийныйНомер').text).toBe(lot);

    const consumption = objectsOf(result.xml, 'Документ.ПередачаМатериаловВПроизводство')[0]!;
    expect(at(consumption, 'Склад/Наименование').text).toBe('Камера карантина сырья');
    expect(at(consumption, 'Товары/Строка/ТипЗапасов').text).toBe('СырьеИМатериалы');

    const move = objectsOf(result.xml, 'Документ.ПеремещениеТоваров')[0]!;
    expect([at(move, 'СкладОтправитель/Наименование').text, at(move, 'СкладПолучатель/Наименование').text]).toEqual([
      'Камера карантина сырья',
      'Холодильная камера №1 (охлаждённая рыба)',
    ]);
    expect(at(move, 'Товары/Строка/Количество').text).toBe('100.000');

    const sale = objectsOf(result.xml, 'Документ.РеализацияТоваровУслуг')[0]!;
    expect(at(sale, 'КлючевыеСвойства/Номер').text).toBe(shipment);
    expect(at(sale, 'Валюта/ДанныеКлассификатора/Код').text).toBe('156');
    expect(at(sale, 'Товары/Строка/Количество').text).toBe('120.500');
    expect(at(sale, 'Товары/Строка/ТипЗапасов').text).toBe('ГотоваяПродукция');

    const receipts = objectsOf(result.xml, 'Документ.ПоступлениеТоваровУслуг');
    expect(receipts.map((r) => at(r, 'КлючевыеСвойства/Контрагент/Наименование').text)).toEqual([
      expect.stringMatching(/\S/),
      expect.stringMatching(/\S/),
    ]);
    expect(receipts.map((r) => [at(r, 'Валюта/ДанныеКлассификатора/Код').text, at(r, 'ВидОперации').text])).toEqual([
      ['643', 'ПокупкаУПоставщика'],
      ['643', 'ПокупкаУПоставщика'],
    ]);
  });

  test('quantities are exact kilograms with three decimals, from grams', () => {
    const { p, small } = dayOfWork();
    const { xml } = buildEnterpriseData(p.ws.q, PERIOD);
    const receipt = objectsOf(xml, 'Документ.ПоступлениеТоваровУслуг').find(
      (r) => at(r, 'Товары/Строка/ДанныеНоменклатуры/Серия/СерийныйНомер').text === small,
    )!;
    expect(at(receipt, 'Товары/Строка/Количество').text).toBe('25.350');
    // Small amounts keep their leading zeros; the largest ТипКоличество (15 digits) stays exact.
    expect(kgFromGrams(300)).toBe('0.300');
    expect(kgFromGrams(1)).toBe('0.001');
    expect(kgFromGrams(999_999_999_999_999)).toBe('999999999999.999');
  });

  test('a re-export gives every object the same GUID, so 1C updates instead of duplicating', () => {
    const { p } = dayOfWork();
    const first = buildEnterpriseData(p.ws.q, PERIOD);
    const again = buildEnterpriseData(p.ws.q, { ...PERIOD, now: PERIOD.now + DAY });
    expect(again.objects).toEqual(first.objects);
    const guids = first.objects.map((o) => o.guid);
    expect(new Set(guids).size).toBe(guids.length);
    for (const guid of guids) expect(guid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    // The header date is the only difference.
    expect(again.xml.replace(/<msg:CreationDate>.*<\/msg:CreationDate>/, '')).toBe(
      first.xml.replace(/<msg:CreationDate>.*<\/msg:CreationDate>/, ''),
    );
  });

  test('a period with nothing in it gives a valid message with an empty body', () => {
    const { p } = dayOfWork();
    const result = buildEnterpriseData(p.ws.q, { from: T0 + 10 * DAY, to: T0 + 20 * DAY, now: T0 });
    expect(Object.values(result.counts).every((n) => n === 0)).toBe(true);
    expect(body(result.xml).children).toEqual([]);
    expect(checkAgainstPackage(result.xml)).toEqual([]);
  });

  test('the XML is well-formed for xmllint', (ctx) => {
    if (!existsSync('/usr/bin/xmllint')) {
      if (process.env.CI === 'true') throw new Error('xmllint is required in CI');
      ctx.skip(); // xmllint (libxml2-utils) is not installed on this machine
    }
    const { p } = dayOfWork();
    const file = join(tempDir(), 'export.xml');
    writeFileSync(file, buildEnterpriseData(p.ws.q, PERIOD).xml);
    const lint = spawnSync('/usr/bin/xmllint', ['--noout', file], { encoding: 'utf8' });
    expect(lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });
});

describe('checkAgainstPackage', () => {
  test('reads the package: required and repeated properties, value facets', () => {
    const pkg = loadPackage();
    const release = pkg.objectTypes.get('Документ.ВыпускПродукции')!;
    expect(release.properties.find((p) => p.name === 'ВидОперации')).toMatchObject({ required: true, many: false });
    expect(release.properties.find((p) => p.name === 'Материалы')).toMatchObject({ required: false });
    expect(pkg.objectTypes.get('Документ.ВыпускПродукции.Продукция')!.properties[0]).toMatchObject({ name: 'Строка', many: true });
    expect(pkg.valueTypes.get('ТипКоличество')).toMatchObject({ base: 'xs:decimal', totalDigits: 15, fractionDigits: 3 });
  });

  test('catches a removed required property, with its path', () => {
    const { p } = dayOfWork();
    const { xml } = buildEnterpriseData(p.ws.q, PERIOD);
    const broken = xml.replace(/<ВидОперации>ВыпускПродукцииНаСклад<\/ВидОперации>/, '');
    expect(broken).not.toBe(xml);
    expect(checkAgainstPackage(broken)).toEqual([
      { path: 'Документ.ВыпускПродукции[1]/ВидОперации', message: 'required property of Документ.ВыпускПродукции missing' },
    ]);
  });

  test('catches a quantity with four decimals, a malformed GUID, a bad date and an unknown property', () => {
    const { p } = dayOfWork();
    const { xml } = buildEnterpriseData(p.ws.q, PERIOD);
    const problems = checkAgainstPackage(
      xml
        .replace('<Количество>25.350</Количество>', '<Количество>25.3501</Количество>')
        .replace(/(<Документ\.ПеремещениеТоваров>\s*<КлючевыеСвойства>\s*<Ссылка>)[^<]+/, '$1not-a-guid')
        .replace(/<ГоденДо>[^<]+<\/ГоденДо>/, '<ГоденДо>2026-13-40</ГоденДо>')
        .replace('<ВидОперации>РеализацияКлиенту</ВидОперации>', '<ВидОперации>РеализацияКлиенту</ВидОперации><Скидка>5</Скидка>'),
    );
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining('is not a dateTime'),
      expect.stringContaining('"25.3501" has more than 3 fraction digits'),
      '"not-a-guid" is not a GUID',
      'not a property of Документ.РеализацияТоваровУслуг',
    ]);
    expect(problems[1]!.path).toMatch(/^Документ\.ПоступлениеТоваровУслуг\[\d\]\/Товары\/Строка\/Количество$/);
  });
});

describe('exports.1c: the export as a recorded operation', () => {
  type Export = OperationOutput<'exports.1c'>;

  /** Runs the operation through the document service as a host would, collecting its progress events. */
  async function exportAs(p: TestPlant, input: Record<string, unknown>, token = p.adminToken) {
    const events: JobProgress[] = [];
    const service = new DocumentService(p.ws, { onProgress: (e) => events.push(e) });
    const result = await service.invokeDocument('exports.1c', input, { token });
    return { result, events };
  }

  async function exported(p: TestPlant, input: Record<string, unknown> = { from: day(T0), to: day(T0) }): Promise<Export> {
    const { result } = await exportAs(p, input);
    if (!result.ok) throw new Error(`exports.1c failed: ${result.error.message.en}`);
    return result.value as Export;
  }

  const fileOf = (p: TestPlant, id: string) => {
    const file = p.call('exports.file', { id });
    return { ...file, xml: Buffer.from(file.xml_base64, 'base64') };
  };

  test('records the export: the row with its counts, every object with its GUID, and the file under its SHA-256', async () => {
    const { p } = dayOfWork();
    const record = await exported(p);
    expect(record).toMatchObject({
      period_from: day(T0),
      period_to: day(T0),
      format_version: '1.21',
      file_name: `EnterpriseData_BFP_${day(T0)}_${day(T0)}.xml`,
      objects: 11,
      exported_by_name: 'Администратор',
      counts: DAY_OF_WORK_COUNTS,
    });

    // The stored file is the message of the period, byte for byte what its hash says.
    const file = fileOf(p, record.id);
    expect(createHash('sha256').update(file.xml).digest('hex')).toBe(record.sha256);
    expect([file.sha256, file.bytes, file.file_name]).toEqual([record.sha256, file.xml.length, record.file_name]);
    const xml = file.xml.toString('utf8');
    expect(checkAgainstPackage(xml)).toEqual([]);
    const built = buildEnterpriseData(p.ws.q, { ...periodOfDays(day(T0), day(T0)), now: p.now });
    expect(xml).toBe(built.xml);

    // Every object the message carries is recorded, catalogs first as in the file.
    const got = p.call('exports.get', { id: record.id, limit: 4 });
    expect(got.contents.total).toBe(11);
    expect(got.contents.rows.map((o) => o.object_type)).toEqual(['Справочник.Номенклатура', 'Справочник.Номенклатура', 'Справочник.СерииНоменклатуры', 'Справочник.СерииНоменклатуры']);
    const all = p.call('exports.get', { id: record.id }).contents.rows;
    expect(all.map((o) => [o.object_type, o.guid, o.source_id, o.label]).sort()).toEqual(built.objects.map((o) => [o.type, o.guid, o.source_id, o.label]).sort());

    // Audited and replicated like every other recorded act.
    const audit = p.ws.q.sql<{ operation: string; username: string; changes: string }>('SELECT operation, username, changes FROM audit_log ORDER BY seq DESC LIMIT 1')[0]!;
    expect([audit.operation, audit.username]).toEqual(['exports.1c', 'admin']);
    expect(audit.changes).toContain(record.sha256);
    expect(p.ws.q.sql('SELECT row_id FROM change_log WHERE table_name = ?', 'exports_1c')).toEqual([{ row_id: record.id }]);
  });

  test('exporting a period again makes a second record with the same GUIDs, listed newest first', async () => {
    const { p } = dayOfWork();
    const first = await exported(p);
    p.advance(60_000);
    const second = await exported(p);
    expect(second.id).not.toBe(first.id);
    // Made at another moment (msg:CreationDate), so another file; the objects are the same.
    expect(second.sha256).not.toBe(first.sha256);
    const guids = (id: string) => p.call('exports.get', { id }).contents.rows.map((o) => o.guid).sort();
    expect(guids(second.id)).toEqual(guids(first.id));
    const list = p.call('exports.list', {});
    expect(list.total).toBe(2);
    expect(list.rows.map((r) => r.id)).toEqual([second.id, first.id]);
    expect(list.rows[1]).toEqual({ ...first });
    expect(fileOf(p, first.id).sha256).toBe(first.sha256);
  });

  test('refuses a period that ends before it starts, is longer than a year or names no date, and writes nothing', async () => {
    const { p } = dayOfWork();
    const before = p.snapshot();
    const refusals = [
      [{ from: '2026-11-10', to: '2026-11-09' }, 'to', /конец периода раньше его начала/, /the period ends before it starts/],
      [{ from: '2025-11-01', to: '2026-11-02' }, 'to', /длиннее 366 дней/, /longer than 366 days/],
      [{ from: '2026-02-30', to: '2026-03-01' }, 'from', /такой даты нет/, /no such date/],
      [{ from: '01.11.2026', to: '2026-11-30' }, 'from', /ГГГГ-ММ-ДД/, /YYYY-MM-DD/],
    ] as const;
    for (const [input, field, ru, en] of refusals) {
      const { result, events } = await exportAs(p, { ...input, job: randomUUID() });
      expect(result.ok, JSON.stringify(input)).toBe(false);
      if (result.ok) continue;
      expect(result.error).toMatchObject({ code: 'VALIDATION', field });
      expect(result.error.message.ru).toMatch(ru);
      expect(result.error.message.en).toMatch(en);
      expect(events).toEqual([]);
    }
    expect(p.snapshot()).toEqual(before);
    // A whole leap year is a period one export may cover.
    expect((await exportAs(p, { from: '2028-01-01', to: '2028-12-31' })).result).toMatchObject({ ok: true, value: { objects: 0 } });
  });

  test("reports progress to the caller's job while the event loop keeps turning, ending at the total", async () => {
    const { p, raw } = dayOfWork();
    // Enough documents for the message to be written in several chunks.
    for (let i = 0; i < 40; i++) p.call('stock.move', { lot: raw, from: 'BF-CR1', to: 'BF-QUAR', qty_g: 1000 });
    const job = randomUUID();
    let turns = 0;
    const ticking = setInterval(() => (turns += 1), 0);
    const seen: { done: number; total: number; turns: number }[] = [];
    const service = new DocumentService(p.ws, {
      onProgress: (e) => {
        expect(e).toMatchObject({ job, operation: 'exports.1c' });
        seen.push({ done: e.done, total: e.total, turns });
      },
    });
    const result = await service.invokeDocument('exports.1c', { from: day(T0), to: day(T0), job }, { token: p.adminToken });
    clearInterval(ticking);
    expect(result.ok).toBe(true);
    const total = (result as { value: Export }).value.objects;
    expect(total).toBeGreaterThan(50);
    expect(seen[0]).toMatchObject({ done: 0, total });
    expect(seen.at(-1)).toMatchObject({ done: total, total });
    expect(seen.some((e) => e.done > 0 && e.done < total)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.done).toBeGreaterThan(seen[i - 1]!.done);
    // Other work ran between the chunks: the windows hear the progress while the export works.
    expect(seen.at(-1)!.turns).toBeGreaterThan(0);

    // Without a job nobody listens, and nothing is reported.
    const quiet = await exportAs(p, { from: day(T0), to: day(T0) });
    expect(quiet.result.ok).toBe(true);
    expect(quiet.events).toEqual([]);
  });

  test('needs the exports.1c permission: a line operator is refused, a storekeeper may export', async () => {
    const { p } = dayOfWork();
    const before = p.snapshot();
    const operator = p.userToken('line', ['operator']);
    const { result } = await exportAs(p, { from: day(T0), to: day(T0) }, operator);
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(p.refuse('exports.list', {}, operator).code).toBe('FORBIDDEN');
    expect(p.snapshot().exports_1c).toEqual(before.exports_1c);
    expect(p.ws.q.sql('SELECT COUNT(*) AS n FROM export_1c_objects')).toEqual([{ n: 0 }]);

    const clerk = p.userToken('store', ['inventory_clerk']);
    expect((await exportAs(p, { from: day(T0), to: day(T0) }, clerk)).result).toMatchObject({ ok: true, value: { exported_by_name: 'store' } });
  });
});

describe('plantdesk export 1c', () => {
  test('writes the file, records the export and prints its id, path, size, SHA-256 and counts', async () => {
    const { p } = dayOfWork();
    const file = join(tempDir(), 'ed.xml');
    const { code, out, err } = await runCli(
      ['export', '1c', '--from', day(T0), '--to', day(T0), '--out', file, '--workspace', p.ws.dir, '--user', 'admin', '--password', 'admin-pass-1', '--json'],
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    const printed = JSON.parse(out) as { id: string; path: string; bytes: number; sha256: string; counts: Record<string, number> };
    const written = readFileSync(file);
    expect(printed.path).toBe(file);
    expect(printed.bytes).toBe(written.length);
    expect(printed.sha256).toBe(createHash('sha256').update(written).digest('hex'));
    expect(printed.counts).toEqual(DAY_OF_WORK_COUNTS);
    expect(checkAgainstPackage(written.toString('utf8'))).toEqual([]);
    // Recorded like an export from the app: the row, and the file it wrote.
    const recorded = p.call('exports.list', {}).rows;
    expect(recorded.map((r) => [r.id, r.sha256, r.period_from, r.period_to])).toEqual([[printed.id, printed.sha256, day(T0), day(T0)]]);
  });

  test('refuses a period that ends before it starts, in words, and records nothing', async () => {
    const { p } = dayOfWork();
    const file = join(tempDir(), 'ed.xml');
    const { code, out, err } = await runCli(
      ['export', '1c', '--from', '2026-11-10', '--to', '2026-11-09', '--out', file, '--workspace', p.ws.dir, '--user', 'admin', '--password', 'admin-pass-1', '--lang', 'en'],
    );
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain('the period ends before it starts');
    expect(existsSync(file)).toBe(false);
    expect(p.call('exports.list', {}).total).toBe(0);
  });
});
