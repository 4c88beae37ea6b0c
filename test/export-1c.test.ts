// The 1C EnterpriseData export of a plant's period, checked against the format package itself.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create } from 'xmlbuilder2';
import { describe, expect, test } from 'vitest';
import { runCli } from './cli-in-process.js';
import { buildEnterpriseData, ENTERPRISE_DATA_NS, kgFromGrams } from '../main/exports/enterprise-data.js';
import { checkAgainstPackage, loadPackage, MESSAGE_NS } from '../main/exports/xdto.js';
import { DAY, plant, T0, tempDir, type TestPlant } from './helpers.js';
import { receive, releasedFinished, releasedRaw } from './scenarios.js';

const PERIOD = { from: T0 - DAY, to: T0 + DAY, now: T0 + 2 * DAY };

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
    expect(result.counts).toEqual({
      'Справочник.Номенклатура': 2,
      'Справочник.СерииНоменклатуры': 3,
      'Документ.ПоступлениеТоваровУслуг': 2,
      'Документ.ВыпускПродукции': 1,
      'Документ.ПередачаМатериаловВПроизводство': 1,
      'Документ.ПеремещениеТоваров': 1,
      'Документ.РеализацияТоваровУслуг': 1,
    });
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

describe('plantdesk export 1c', () => {
  test('writes the file and prints its path, size, SHA-256 and counts', async () => {
    const { p } = dayOfWork();
    const file = join(tempDir(), 'ed.xml');
    const day = (ms: number) => new Date(ms).toLocaleDateString('sv-SE'); // YYYY-MM-DD, local
    const { code, out, err } = await runCli(
      ['export', '1c', '--from', day(T0), '--to', day(T0), '--out', file, '--workspace', p.ws.dir, '--user', 'admin', '--password', 'admin-pass-1', '--json'],
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    const printed = JSON.parse(out) as { path: string; bytes: number; sha256: string; counts: Record<string, number> };
    const written = readFileSync(file);
    expect(printed.path).toBe(file);
    expect(printed.bytes).toBe(written.length);
    expect(printed.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(printed.counts['Документ.РеализацияТоваровУслуг']).toBe(1);
    expect(checkAgainstPackage(written.toString('utf8'))).toEqual([]);
  });
});
