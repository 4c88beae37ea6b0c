import { describe, expect, it } from 'vitest';
import { SCAN_ERROR_CODES } from '../../main/contract/devices.js';
import { GS, gs1Date, parseScan, SCAN_ERROR_MESSAGES, type Scan, type ScanError } from '../../native/protocols/gs1.js';
import { mulberry32 as rng } from '../../main/core/prng.js';

const Y = { referenceYear: 2026 };
const parse = (raw: string): Scan => parseScan(raw, Y);
const field = (scan: Scan, ai: string) => scan.fields.find((f) => f.ai === ai);
/** The one error of a scan (asserts there is exactly one). */
function onlyError(raw: string): ScanError {
  const { errors } = parse(raw);
  expect(errors).toHaveLength(1);
  return errors[0]!;
}

const GTIN = '04607001000013'; // check digit 3
const SSCC = '346070010000000014'; // check digit 4
const CARTON = `]C101${GTIN}10BFP2611230001${GS}11261123172611273103012345` + `7030643XYZ`;

describe('GS1-128 carton label', () => {
  it('reads GTIN, lot, dates, net weight and processor approval', () => {
    const s = parse(CARTON);
    expect(s.errors).toEqual([]);
    expect(s).toMatchObject({ symbology: 'gs1-128', aim: ']C1', gs1: true, raw: CARTON });
    expect(s.fields.map((f) => f.ai)).toEqual(['01', '10', '11', '17', '3103', '7030']);
    expect(field(s, '01')).toEqual({ ai: '01', name: 'GTIN', value: GTIN });
    expect(field(s, '10')?.value).toBe('BFP2611230001');
    expect(field(s, '11')?.date).toBe('2026-11-23');
    expect(field(s, '17')?.date).toBe('2026-11-27');
    expect(field(s, '3103')).toMatchObject({ value: '012345', decimal: 12.345, name: 'NET WEIGHT (kg)' });
    expect(field(s, '7030')?.value).toBe('643XYZ');
  });

  it('applies 0–5 implied decimals to net and gross weights', () => {
    const s = parse(`]C13100000012310512345633020012503301000100`);
    expect(s.errors).toEqual([]);
    expect(s.fields.map((f) => f.decimal)).toEqual([12, 1.23456, 12.5, 10]);
    expect(s.fields.map((f) => f.name)).toEqual([
      'NET WEIGHT (kg)',
      'NET WEIGHT (kg)',
      'GROSS WEIGHT (kg)',
      'GROSS WEIGHT (kg)',
    ]);
  });

  it('reads the fish and meat AIs', () => {
    const raw =
      `]d201${GTIN}422643${GS}4331000450-${GS}7002SB0101${GS}700527${GS}7006260115${GS}` +
      `7007260110260112${GS}7008COD${GS}700903.12${GS}701001${GS}21SN-0007${GS}13260200`;
    const s = parse(raw);
    expect(s.errors).toEqual([]);
    expect(s.symbology).toBe('gs1-datamatrix');
    expect(field(s, '422')?.value).toBe('643');
    expect(field(s, '4331')).toMatchObject({ value: '000450-', decimal: -4.5 });
    expect(field(s, '7002')?.value).toBe('SB0101');
    expect(field(s, '7005')?.value).toBe('27');
    expect(field(s, '7006')?.date).toBe('2026-01-15');
    expect(field(s, '7007')).toMatchObject({ value: '260110260112', date: '2026-01-10' });
    expect(field(s, '7008')?.value).toBe('COD');
    expect(field(s, '7009')?.value).toBe('03.12');
    expect(field(s, '7010')?.value).toBe('01');
    expect(field(s, '21')?.value).toBe('SN-0007');
    expect(field(s, '13')?.date).toBe('2026-02-28'); // day 00
  });

  it('recognises every AIM prefix', () => {
    expect(parse(`]Q301${GTIN}`).symbology).toBe('gs1-qr');
    expect(parse(`]e001${GTIN}`).symbology).toBe('gs1-databar');
    expect(parse(`]d201${GTIN}`).symbology).toBe('gs1-datamatrix');
    const other = parse(']C0HELLO');
    expect(other).toMatchObject({ symbology: 'unknown', aim: ']C0', gs1: false, fields: [], errors: [] });
  });

  it('accepts a leading GS (FNC1 in first position), a GS after fixed fields and a CR LF suffix', () => {
    const s = parse(`]C1${GS}01${GTIN}${GS}17261127${GS}10LOT1\r\n`);
    expect(s.errors).toEqual([]);
    expect(s.fields.map((f) => [f.ai, f.value])).toEqual([
      ['01', GTIN],
      ['17', '261127'],
      ['10', 'LOT1'],
    ]);
  });
});

describe('SSCC pallet labels', () => {
  it('validates the SSCC check digit', () => {
    const s = parse(`]C100${SSCC}`);
    expect(s.errors).toEqual([]);
    expect(s.fields).toEqual([{ ai: '00', name: 'SSCC', value: SSCC }]);
  });

  it('reads a pallet label with gross weight and lot', () => {
    const s = parse(`]C100${SSCC}3302050000${GS}10BFP-26${GS}15261231`);
    expect(s.errors).toEqual([]);
    expect(field(s, '3302')?.decimal).toBe(500);
    expect(field(s, '15')?.date).toBe('2026-12-31');
  });

  it('rejects a bad SSCC check digit but keeps reading the fixed-length fields after it', () => {
    const s = parse(`]C100346070010000000015${'17261127'}`);
    expect(s.errors).toEqual([expect.objectContaining({ code: 'CHECK_DIGIT', ai: '00', params: { expected: 4, found: 5, value: '346070010000000015' } })]);
    expect(s.fields.map((f) => f.ai)).toEqual(['17']);
  });
});

describe('dates', () => {
  it('resolves day 00 to the last day of the month, leap years included', () => {
    expect(gs1Date('260200', 2026)).toBe('2026-02-28');
    expect(gs1Date('280200', 2026)).toBe('2028-02-29');
    expect(gs1Date('261100', 2026)).toBe('2026-11-30');
    expect(gs1Date('261200', 2026)).toBe('2026-12-31');
    expect(parse(']C117260400').fields[0]).toEqual({
      ai: '17',
      name: 'USE BY OR EXPIRY',
      value: '260400',
      date: '2026-04-30',
    });
  });

  it('uses the GS1 century window', () => {
    expect(gs1Date('760101', 2026)).toBe('2076-01-01'); // 50 ahead: this century
    expect(gs1Date('770101', 2026)).toBe('1977-01-01'); // 51 ahead: last century
    expect(gs1Date('990101', 2050)).toBe('2099-01-01');
    expect(gs1Date('000101', 2050)).toBe('2100-01-01'); // 50 back: next century
  });

  it('turns impossible dates into errors, not values', () => {
    for (const bad of ['261301', '260001', '260230', '260431', '2611AA']) {
      const s = parse(`]C117${bad}`);
      expect(s.fields).toEqual([]);
      expect(s.errors).toEqual([expect.objectContaining({ code: 'INVALID_DATE', ai: '17', params: { value: bad } })]);
    }
    expect(onlyError(`]C17007260112260110`)).toMatchObject({ code: 'DATE_RANGE_REVERSED', ai: '7007' });
    expect(onlyError(`]C17007260112261`)).toMatchObject({ code: 'DATES_LENGTH', ai: '7007', params: { found: 9 } });
  });
});

describe('errors', () => {
  it('bad GTIN check digit', () => {
    const s = parse(`]C10104607001000014`);
    expect(s.fields).toEqual([]);
    expect(s.errors).toEqual([
      {
        code: 'CHECK_DIGIT',
        ai: '01',
        params: { expected: 3, found: 4, value: '04607001000014' },
        ru: 'AI 01 (GTIN): неверная контрольная цифра (ожидалась 3, получена 4): «04607001000014»',
        en: 'AI 01 (GTIN): wrong check digit (expected 3, got 4): "04607001000014"',
      },
    ]);
  });

  it('truncated fixed-length fields', () => {
    const s = parse(`]C101${GTIN}17261`);
    expect(s.fields.map((f) => f.ai)).toEqual(['01']);
    expect(s.errors).toEqual([expect.objectContaining({ code: 'FIELD_TRUNCATED', ai: '17', params: { expected: 6, found: 3 } })]);
    expect(onlyError(`]C10146070010`)).toMatchObject({ code: 'FIELD_TRUNCATED', ai: '01' });
    // a GS inside a fixed-length field marks it as short; the next field is still found
    const g = parse(`]C11726${GS}10LOT`);
    expect(g.errors).toEqual([expect.objectContaining({ code: 'FIELD_TRUNCATED', ai: '17', params: { expected: 6, found: 2 } })]);
    expect(g.fields).toEqual([{ ai: '10', name: 'BATCH/LOT', value: 'LOT' }]);
  });

  it('truncated AI and empty variable field', () => {
    expect(onlyError(`]C101${GTIN}3`)).toMatchObject({ code: 'AI_TRUNCATED', params: { position: 16, value: '3' } });
    expect(onlyError(`]C101${GTIN}310`)).toMatchObject({ code: 'AI_TRUNCATED', params: { position: 16, value: '310' } });
    expect(onlyError(`]C101${GTIN}10`)).toMatchObject({ code: 'LENGTH', ai: '10', params: { expected: '1–20', found: 0 } });
    expect(onlyError(`]C1`)).toMatchObject({ code: 'EMPTY', params: {} });
  });

  it('missing GS after a variable-length field is caught when the value overruns its maximum', () => {
    const s = parse(`]C101${GTIN}10BFP2611230001112611231726112731030123456`);
    expect(s.fields.map((f) => f.ai)).toEqual(['01']);
    expect(s.errors).toEqual([expect.objectContaining({ code: 'TOO_LONG', ai: '10', params: expect.objectContaining({ found: 40, max: 20 }) })]);
  });

  it('unknown AIs stop the parse with an error', () => {
    const s = parse(`]C101${GTIN}99ABC${GS}10LOT`);
    expect(s.fields.map((f) => f.ai)).toEqual(['01']);
    expect(s.errors).toEqual([expect.objectContaining({ code: 'UNKNOWN_AI', params: { position: 16, value: '99AB' } })]);
    expect(s.errors[0]).not.toHaveProperty('ai'); // its length, and so the AI itself, is unknown
    expect(onlyError(`]C13106000123`)).toMatchObject({ code: 'UNKNOWN_AI', params: { value: '3106' } }); // 6 decimals: not allowed
  });

  it('rejects invalid characters and malformed values', () => {
    expect(onlyError(`]C110LOT 1`)).toMatchObject({ code: 'INVALID_CHARACTERS', ai: '10', params: { value: 'LOT 1' } });
    expect(onlyError(`]C17030643X Z`)).toMatchObject({ code: 'INVALID_CHARACTERS', ai: '7030' });
    expect(onlyError(`]C1422RU`)).toMatchObject({ code: 'LENGTH', ai: '422', params: { expected: 3, found: 2 } });
    expect(onlyError(`]C1422RUS`)).toMatchObject({ code: 'COUNTRY_CODE', ai: '422' });
    expect(onlyError(`]C14331+00450`)).toMatchObject({ code: 'TEMPERATURE_FORMAT', ai: '4331' });
    expect(onlyError(`]C17030XYZ123`)).toMatchObject({ code: 'COUNTRY_CODE', ai: '7030' });
    expect(onlyError(`]C1310300012A`)).toMatchObject({ code: 'NOT_NUMERIC', ai: '3103' });
    expect(onlyError(`]C100${'0'.repeat(17)}A`)).toMatchObject({ code: 'NOT_NUMERIC', ai: '00' });
  });
});

describe('bracketed human-readable form', () => {
  it('reads the same fields as the element string', () => {
    const s = parse('(01)04607001000013(10)BFP2611230001(11)261123(17)261127(3103)012345(7030)643XYZ');
    expect(s.errors).toEqual([]);
    expect(s.gs1).toBe(true);
    expect(s.aim).toBeNull();
    expect(s.fields).toEqual(parse(CARTON).fields);
  });

  it('reports errors per field and carries on (the brackets delimit every field)', () => {
    const s = parse(']C1(01)04607001000014(99)X(17)2611(10)LOT');
    expect(s.symbology).toBe('gs1-128');
    expect(s.fields.map((f) => f.ai)).toEqual(['10']);
    expect(s.errors.map((e) => [e.code, e.ai])).toEqual([
      ['CHECK_DIGIT', '01'],
      ['UNKNOWN_AI', undefined],
      ['LENGTH', '17'],
    ]);
    expect(s.errors[1]?.params).toEqual({ position: 18, value: '(99)' });
  });

  it('refuses text that does not start with a bracketed AI', () => {
    expect(onlyError(']C1(AB)01')).toMatchObject({ code: 'BRACKETS', params: { value: '(AB)01' } });
  });
});

describe('EAN-13 and scans without an AIM prefix', () => {
  it('validates a plain EAN-13 and reports it as a GTIN-14', () => {
    for (const raw of [']E04607001000013', '4607001000013']) {
      const s = parse(raw);
      expect(s).toMatchObject({ symbology: 'ean-13', gs1: false, errors: [] });
      expect(s.fields).toEqual([{ ai: '01', name: 'GTIN', value: '04607001000013' }]);
    }
  });

  it('rejects a bad EAN-13 check digit or length', () => {
    expect(onlyError('4607001000012')).toMatchObject({
      code: 'CHECK_DIGIT',
      params: { expected: 3, found: 2 },
      ru: expect.stringMatching(/^EAN-13: неверная контрольная цифра \(ожидалась 3, получена 2\)/),
      en: expect.stringMatching(/^EAN-13: wrong check digit \(expected 3, got 2\)/),
    });
    expect(onlyError('4607001000012')).not.toHaveProperty('ai'); // an EAN-13 has none
    expect(parse('4607001000012').fields).toEqual([]);
    expect(onlyError(']E0460700100001')).toMatchObject({ code: 'LENGTH', params: { expected: 13, found: 12 } });
    expect(onlyError(']E0460700100001X')).toMatchObject({ code: 'NOT_NUMERIC' });
  });

  it('reads an element string without AIM when it starts with a supported AI or a GS', () => {
    const s = parse(`01${GTIN}10LOT${GS}17261127`);
    expect(s).toMatchObject({ symbology: 'unknown', aim: null, gs1: true, errors: [] });
    expect(s.fields.map((f) => f.ai)).toEqual(['01', '10', '17']);
    expect(onlyError(`${GS}99X`)).toMatchObject({ code: 'UNKNOWN_AI' });
  });

  it('leaves other data alone', () => {
    expect(parse('HELLO')).toEqual({ raw: 'HELLO', symbology: 'unknown', aim: null, gs1: false, fields: [], errors: [] });
    expect(parse('')).toMatchObject({ gs1: false, fields: [], errors: [] });
  });
});

describe('error messages', () => {
  const placeholders = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it.each(SCAN_ERROR_CODES)('%s has a Russian and an English message with the same placeholders', (code) => {
    const { ru, en } = SCAN_ERROR_MESSAGES[code];
    expect(ru.trim()).not.toBe('');
    expect(en.trim()).not.toBe('');
    expect(ru).toMatch(/[а-яё]/i);
    expect(en).not.toMatch(/[а-яё]/i);
    expect(placeholders(ru)).toEqual(placeholders(en));
  });

  // One scan for each error code: every message is reached, and filled in completely.
  const SAMPLES: Record<(typeof SCAN_ERROR_CODES)[number], string> = {
    EMPTY: ']C1',
    BRACKETS: ']C1(AB)',
    AI_TRUNCATED: `]C101${GTIN}31`,
    UNKNOWN_AI: ']C199X',
    FIELD_TRUNCATED: ']C117261',
    TOO_LONG: `]C121${'S'.repeat(21)}`,
    LENGTH: ']C1422RU',
    NOT_NUMERIC: ']C10104607001OOOO13',
    CHECK_DIGIT: ']C10104607001000014',
    INVALID_DATE: ']C117261301',
    DATES_LENGTH: ']C170072601122',
    DATE_RANGE_REVERSED: ']C17007260112260110',
    TEMPERATURE_FORMAT: ']C14331000450+',
    COUNTRY_CODE: ']C17030RUS123',
    INVALID_CHARACTERS: ']C110LOT#1',
  };

  it.each(Object.entries(SAMPLES))('%s is reported in both languages with its specifics filled in', (code, raw) => {
    const error = onlyError(raw);
    expect(error.code).toBe(code);
    for (const message of [error.ru, error.en]) {
      expect(message).not.toMatch(/\{\w+\}/);
      for (const value of Object.values(error.params)) expect(message).toContain(String(value));
    }
    expect(error.ru).toMatch(/[а-яё]/i);
    if (error.ai !== undefined) {
      expect(error.ru).toMatch(new RegExp(`^AI ${error.ai} \\(`));
      expect(error.en).toMatch(new RegExp(`^AI ${error.ai} \\(`));
    }
  });
});

describe('fuzz', () => {
  const alphabet = `0123456789()]CdQeE1230${GS}${GS}${GS}ABZaz -\r\n\u0000\u00ff😀`;

  it('never throws and never reports a field that fails validation', () => {
    const next = rng(1234);
    const prefixes = ['', ']C1', ']d2', ']Q3', ']e0', ']E0', '(', ']C1(', `]C101${GTIN}`];
    for (let i = 0; i < 5000; i++) {
      const len = Math.floor(next() * 60);
      let s = prefixes[Math.floor(next() * prefixes.length)] ?? '';
      for (let j = 0; j < len; j++) s += alphabet[Math.floor(next() * alphabet.length)] ?? '';
      const scan = parseScan(s, Y);
      expect(scan.raw).toBe(s);
      for (const e of scan.errors) expect(e.ru && e.en).toBeTruthy();
      for (const f of scan.fields) {
        expect(f.value).not.toContain(GS);
        if (f.date !== undefined) expect(f.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        if (f.decimal !== undefined) expect(Number.isFinite(f.decimal)).toBe(true);
      }
    }
  });

  it('mutations of a valid label never throw and are never silently accepted with a changed GTIN', () => {
    const next = rng(99);
    for (let i = 0; i < 3000; i++) {
      const chars = [...CARTON];
      const at = 3 + Math.floor(next() * (chars.length - 3));
      chars[at] = alphabet[Math.floor(next() * alphabet.length)] ?? '';
      const scan = parseScan(chars.join(''), Y);
      const gtin = field(scan, '01')?.value;
      if (gtin !== undefined && gtin !== GTIN) {
        // a single changed digit in a GTIN is always caught by the mod-10 check
        throw new Error(`accepted a corrupted GTIN ${gtin}`);
      }
    }
  });
});
