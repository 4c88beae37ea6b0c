// GS1 scans: pure parsing of what a barcode scanner sends (AIM symbology identifier + GS1 element
// string, the bracketed human-readable form, or a plain EAN-13). No I/O. Anything that cannot be
// read with certainty becomes an entry in `errors` (a code, its specifics and the message in
// Russian and English); a field is only reported once it is valid.
import { gs1CheckDigit } from '../../main/contract/check-digits.js';
import type { ScanError, ScanErrorCode } from '../../main/contract/devices.js';
import { fill, type ErrorParams } from '../../main/contract/errors.js';

export type { ScanError };

export type Symbology = 'gs1-128' | 'gs1-datamatrix' | 'gs1-qr' | 'gs1-databar' | 'ean-13' | 'unknown';

export interface ScanField {
  ai: string;
  name: string;
  value: string;
  /** YYYY-MM-DD (a calendar date, never a timestamp); day 00 is resolved to the month's last day. */
  date?: string;
  /** Numeric value with the implied decimals applied (weights in kg, temperature in °C). */
  decimal?: number;
}

export interface Scan {
  raw: string;
  symbology: Symbology;
  aim: string | null;
  gs1: boolean;
  fields: ScanField[];
  errors: ScanError[];
}

export interface ParseScanOptions {
  /** Year used for the GS1 century window of YYMMDD dates; defaults to the current year. */
  referenceYear?: number;
}

export const GS = '\u001d';

const AIM_SYMBOLOGIES: Record<string, Symbology> = {
  ']C1': 'gs1-128',
  ']d2': 'gs1-datamatrix',
  ']Q3': 'gs1-qr',
  ']e0': 'gs1-databar',
  ']E0': 'ean-13',
};

type Kind = 'check' | 'date' | 'dates' | 'decimal' | 'temperature' | 'text' | 'country' | 'approval';

interface AiDef {
  ai: string;
  name: string;
  kind: Kind;
  /** Set for AIs with a predefined length (no FNC1/GS needed after them). */
  fixed?: number;
  min: number;
  max: number;
  decimals?: number;
}

const AIS = new Map<string, AiDef>();
function def(d: AiDef): void {
  AIS.set(d.ai, d);
}
def({ ai: '00', name: 'SSCC', kind: 'check', fixed: 18, min: 18, max: 18 });
def({ ai: '01', name: 'GTIN', kind: 'check', fixed: 14, min: 14, max: 14 });
def({ ai: '10', name: 'BATCH/LOT', kind: 'text', min: 1, max: 20 });
def({ ai: '11', name: 'PROD DATE', kind: 'date', fixed: 6, min: 6, max: 6 });
def({ ai: '13', name: 'PACK DATE', kind: 'date', fixed: 6, min: 6, max: 6 });
def({ ai: '15', name: 'BEST BEFORE', kind: 'date', fixed: 6, min: 6, max: 6 });
def({ ai: '17', name: 'USE BY OR EXPIRY', kind: 'date', fixed: 6, min: 6, max: 6 });
def({ ai: '21', name: 'SERIAL', kind: 'text', min: 1, max: 20 });
for (let n = 0; n <= 5; n++) {
  def({ ai: `310${n}`, name: 'NET WEIGHT (kg)', kind: 'decimal', fixed: 6, min: 6, max: 6, decimals: n });
  def({ ai: `330${n}`, name: 'GROSS WEIGHT (kg)', kind: 'decimal', fixed: 6, min: 6, max: 6, decimals: n });
}
def({ ai: '422', name: 'ORIGIN', kind: 'country', min: 3, max: 3 });
def({ ai: '4331', name: 'MAX TEMP C', kind: 'temperature', min: 6, max: 7 });
def({ ai: '7002', name: 'MEAT CUT', kind: 'text', min: 1, max: 30 });
def({ ai: '7005', name: 'CATCH AREA', kind: 'text', min: 1, max: 12 });
def({ ai: '7006', name: 'FIRST FREEZE DATE', kind: 'date', min: 6, max: 6 });
def({ ai: '7007', name: 'HARVEST DATE', kind: 'dates', min: 6, max: 12 });
def({ ai: '7008', name: 'AQUATIC SPECIES', kind: 'text', min: 1, max: 3 });
def({ ai: '7009', name: 'FISHING GEAR TYPE', kind: 'text', min: 1, max: 10 });
def({ ai: '7010', name: 'PROD METHOD', kind: 'text', min: 1, max: 2 });
for (let s = 0; s <= 9; s++) {
  def({ ai: `703${s}`, name: `PROCESSOR # ${s}`, kind: 'approval', min: 4, max: 30 });
}

/** The supported AI that `data` starts with at `pos` (AIs are prefix-free: 2, 3 or 4 digits). */
function lookupAi(data: string, pos: number): AiDef | null {
  for (const len of [2, 3, 4]) {
    const d = AIS.get(data.slice(pos, pos + len));
    if (d) return d;
  }
  return null;
}

// GS1 character set 82 (the "X" in the AI table).
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+$/;
const DIGITS = /^\d+$/;

/**
 * The message of each error, `{name}` filled from its params. Those about one AI (or an EAN-13)
 * get it in front — "AI 01 (GTIN): " — so they start in lower case; the rest are sentences.
 */
export const SCAN_ERROR_MESSAGES = {
  EMPTY: { ru: 'Пустая строка данных GS1', en: 'Empty GS1 element string' },
  BRACKETS: {
    ru: 'Читаемая форма GS1 должна начинаться с «(AI)»: «{value}»',
    en: 'The bracketed form must start with "(AI)": "{value}"',
  },
  AI_TRUNCATED: {
    ru: 'Неполный идентификатор применения (AI) в позиции {position}: «{value}»',
    en: 'Truncated application identifier at position {position}: "{value}"',
  },
  UNKNOWN_AI: {
    ru: 'Неизвестный или неподдерживаемый AI в позиции {position}: «{value}»',
    en: 'Unknown or unsupported AI at position {position}: "{value}"',
  },
  FIELD_TRUNCATED: {
    ru: 'значение обрезано (ожидалось символов: {expected}, получено: {found})',
    en: 'truncated (expected {expected} characters, got {found})',
  },
  TOO_LONG: {
    ru: 'символов: {found}, допускается не больше {max} (пропущен разделитель GS?): «{value}»',
    en: '{found} characters, at most {max} allowed (missing GS separator?): "{value}"',
  },
  LENGTH: {
    ru: 'неверная длина (ожидалось символов: {expected}, получено: {found}): «{value}»',
    en: 'wrong length (expected {expected} characters, got {found}): "{value}"',
  },
  NOT_NUMERIC: { ru: 'допускаются только цифры: «{value}»', en: 'not numeric: "{value}"' },
  CHECK_DIGIT: {
    ru: 'неверная контрольная цифра (ожидалась {expected}, получена {found}): «{value}»',
    en: 'wrong check digit (expected {expected}, got {found}): "{value}"',
  },
  INVALID_DATE: { ru: 'несуществующая дата (формат ГГММДД): «{value}»', en: 'invalid date (YYMMDD): "{value}"' },
  DATES_LENGTH: {
    ru: 'ожидалось 6 или 12 цифр, получено {found}: «{value}»',
    en: 'expected 6 or 12 digits, got {found}: "{value}"',
  },
  DATE_RANGE_REVERSED: {
    ru: 'период заканчивается раньше, чем начинается: «{value}»',
    en: 'the date range ends before it starts: "{value}"',
  },
  TEMPERATURE_FORMAT: {
    ru: 'ожидалось 6 цифр и «-» для температуры ниже нуля: «{value}»',
    en: 'expected 6 digits and a \'-\' for below zero: "{value}"',
  },
  COUNTRY_CODE: {
    ru: 'должно начинаться с цифрового кода страны ISO 3166: «{value}»',
    en: 'must start with an ISO 3166 numeric country code: "{value}"',
  },
  INVALID_CHARACTERS: {
    ru: 'недопустимые символы (разрешён набор GS1 из 82 символов): «{value}»',
    en: 'invalid characters (GS1 82-character set allowed): "{value}"',
  },
} as const satisfies Record<ScanErrorCode, { ru: string; en: string }>;

/** Data as it can be shown in a message: GS visible, other control characters escaped. */
function shown(s: string): string {
  return JSON.stringify(s.replace(/\u001d/g, '<GS>')).slice(1, -1);
}

/** The AI an error is about, or the EAN-13 (which has none). */
type Subject = AiDef | 'EAN-13';

function scanError(code: ScanErrorCode, params: ErrorParams = {}, subject?: Subject): ScanError {
  const { ru, en } = SCAN_ERROR_MESSAGES[code];
  const prefix = subject === undefined ? '' : subject === 'EAN-13' ? 'EAN-13: ' : `AI ${subject.ai} (${subject.name}): `;
  return {
    code,
    ...(typeof subject === 'object' ? { ai: subject.ai } : {}),
    params,
    ru: prefix + fill(ru, params),
    en: prefix + fill(en, params),
  };
}

/** YYMMDD → YYYY-MM-DD with the GS1 century window; day 00 = last day of the month. */
export function gs1Date(yymmdd: string, referenceYear: number): string | null {
  if (!/^\d{6}$/.test(yymmdd)) return null;
  const yy = Number(yymmdd.slice(0, 2));
  const mm = Number(yymmdd.slice(2, 4));
  let dd = Number(yymmdd.slice(4, 6));
  // GS1 General Specifications 7.12: a year more than 50 years ahead is last century, more
  // than 49 years back is next century.
  const refCentury = Math.floor(referenceYear / 100) * 100;
  const diff = yy - (referenceYear % 100);
  const year = refCentury + yy + (diff >= 51 ? -100 : diff <= -50 ? 100 : 0);
  if (mm < 1 || mm > 12) return null;
  const lastDay = new Date(Date.UTC(year, mm, 0)).getUTCDate();
  if (dd === 0) dd = lastDay;
  if (dd > lastDay) return null;
  return `${String(year).padStart(4, '0')}-${String(mm).padStart(2, '0')}-${String(dd).padStart(2, '0')}`;
}

/** A wrong GS1 check digit (the last digit of `digits`), or null when it is right. */
function checkDigitError(digits: string, subject: Subject): ScanError | null {
  const expected = gs1CheckDigit(digits.slice(0, -1));
  const found = Number(digits.at(-1));
  return expected === found ? null : scanError('CHECK_DIGIT', { expected, found, value: digits }, subject);
}

/** Validates one AI's value; returns the field or the error. */
function toField(d: AiDef, value: string, referenceYear: number): ScanField | ScanError {
  const fail = (code: ScanErrorCode, params: ErrorParams = {}) => scanError(code, { value: shown(value), ...params }, d);
  if (value.length < d.min || value.length > d.max) {
    return fail('LENGTH', { expected: d.min === d.max ? d.min : `${d.min}–${d.max}`, found: value.length });
  }
  const field: ScanField = { ai: d.ai, name: d.name, value };
  switch (d.kind) {
    case 'check':
      if (!DIGITS.test(value)) return fail('NOT_NUMERIC');
      return checkDigitError(value, d) ?? field;
    case 'date': {
      const date = gs1Date(value, referenceYear);
      if (!date) return fail('INVALID_DATE');
      return { ...field, date };
    }
    case 'dates': {
      // YYMMDD, or a YYMMDDYYMMDD range; `date` is the first (or only) date.
      if (value.length !== 6 && value.length !== 12) return fail('DATES_LENGTH', { found: value.length });
      const first = gs1Date(value.slice(0, 6), referenceYear);
      const second = value.length === 12 ? gs1Date(value.slice(6), referenceYear) : first;
      if (!first || !second) return fail('INVALID_DATE');
      if (second < first) return fail('DATE_RANGE_REVERSED');
      return { ...field, date: first };
    }
    case 'decimal': {
      if (!DIGITS.test(value)) return fail('NOT_NUMERIC');
      const n = d.decimals ?? 0;
      return { ...field, decimal: Number(`${value.slice(0, value.length - n)}.${value.slice(value.length - n)}`) };
    }
    case 'temperature': {
      // N6 with two implied decimals, optionally followed by '-' for below zero.
      const m = /^(\d{4})(\d{2})(-?)$/.exec(value);
      if (!m) return fail('TEMPERATURE_FORMAT');
      const abs = Number(`${m[1]}.${m[2]}`);
      return { ...field, decimal: m[3] ? -abs : abs };
    }
    case 'country':
      if (!DIGITS.test(value)) return fail('COUNTRY_CODE');
      return field;
    case 'approval':
      if (!/^\d{3}/.test(value)) return fail('COUNTRY_CODE');
      if (!CSET82.test(value.slice(3))) return fail('INVALID_CHARACTERS');
      return field;
    case 'text':
      if (!CSET82.test(value)) return fail('INVALID_CHARACTERS');
      return field;
  }
}

interface Parsed {
  fields: ScanField[];
  errors: ScanError[];
}

/** A field that was read, or the reason it was not. */
function add(out: Parsed, result: ScanField | ScanError): void {
  if ('code' in result) out.errors.push(result);
  else out.fields.push(result);
}

/** An element string as sent by a scanner: AIs back to back, GS after variable-length values. */
function parseElementString(data: string, referenceYear: number): Parsed {
  const out: Parsed = { fields: [], errors: [] };
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === GS) {
      pos++; // FNC1 after a fixed-length field, or a doubled separator: harmless
      continue;
    }
    const d = lookupAi(data, pos);
    if (!d) {
      const rest = data.slice(pos);
      out.errors.push(
        /^\d{0,3}$/.test(rest)
          ? scanError('AI_TRUNCATED', { position: pos, value: shown(rest) })
          : scanError('UNKNOWN_AI', { position: pos, value: shown(rest.slice(0, 4)) }),
      );
      return out; // its length is unknown, so nothing after it can be located
    }
    const start = pos + d.ai.length;
    let value: string;
    if (d.fixed !== undefined) {
      value = data.slice(start, start + d.fixed);
      const gsAt = value.indexOf(GS);
      if (value.length < d.fixed || gsAt >= 0) {
        out.errors.push(scanError('FIELD_TRUNCATED', { expected: d.fixed, found: gsAt >= 0 ? gsAt : value.length }, d));
        if (gsAt < 0) return out;
        pos = start + gsAt + 1; // the GS tells where the next field starts
        continue;
      }
      pos = start + d.fixed;
    } else {
      const gsAt = data.indexOf(GS, start);
      const end = gsAt < 0 ? data.length : gsAt;
      value = data.slice(start, end);
      pos = end;
      if (value.length > d.max) {
        out.errors.push(scanError('TOO_LONG', { found: value.length, max: d.max, value: shown(value) }, d));
        continue;
      }
    }
    add(out, toField(d, value, referenceYear));
  }
  return out;
}

/** The human-readable form `(01)04607001000013(10)LOT…`. */
function parseBracketed(data: string, referenceYear: number): Parsed {
  const out: Parsed = { fields: [], errors: [] };
  const re = /\((\d{2,4})\)/g;
  const heads: { ai: string; at: number; end: number }[] = [];
  for (let m = re.exec(data); m; m = re.exec(data)) heads.push({ ai: m[1] ?? '', at: m.index, end: re.lastIndex });
  if (heads.length === 0 || heads[0]?.at !== 0) {
    out.errors.push(scanError('BRACKETS', { value: shown(data.slice(0, 10)) }));
    return out;
  }
  heads.forEach((h, i) => {
    const value = data.slice(h.end, heads[i + 1]?.at ?? data.length);
    const d = AIS.get(h.ai);
    if (!d) out.errors.push(scanError('UNKNOWN_AI', { position: h.at, value: `(${h.ai})` }));
    else add(out, toField(d, value, referenceYear));
  });
  return out;
}

function parseEan13(data: string): Parsed {
  const error =
    data.length !== 13
      ? scanError('LENGTH', { expected: 13, found: data.length, value: shown(data) }, 'EAN-13')
      : !DIGITS.test(data)
        ? scanError('NOT_NUMERIC', { value: shown(data) }, 'EAN-13')
        : checkDigitError(data, 'EAN-13');
  if (error) return { fields: [], errors: [error] };
  // Reported as the GTIN-14 it stands for, so callers compare GTINs one way.
  return { fields: [{ ai: '01', name: 'GTIN', value: `0${data}` }], errors: [] };
}

/**
 * Parses one scan. `errors` non-empty means the scan must not be accepted as is; `fields` then
 * holds only the fields that were read and validated. Never throws.
 */
export function parseScan(raw: string, options: ParseScanOptions = {}): Scan {
  const referenceYear = options.referenceYear ?? new Date().getFullYear();
  let data = raw.replace(/[\r\n]+$/, ''); // CR / CR LF suffix of serial and wedge scanners
  let aim: string | null = null;
  let symbology: Symbology = 'unknown';
  const m = /^\][A-Za-z][0-9A-Za-z]/.exec(data);
  if (m) {
    aim = m[0];
    symbology = AIM_SYMBOLOGIES[aim] ?? 'unknown';
    data = data.slice(3);
  }
  const scan = (gs1: boolean, parsed: Parsed): Scan => ({ raw, symbology, aim, gs1, ...parsed });

  if (symbology === 'ean-13') return scan(false, parseEan13(data));
  if (aim !== null && symbology === 'unknown') return scan(false, { fields: [], errors: [] }); // not GS1 data
  if (data.startsWith('(')) return scan(true, parseBracketed(data, referenceYear));
  if (aim === null && /^\d{13}$/.test(data)) {
    symbology = 'ean-13';
    return scan(false, parseEan13(data));
  }
  const body = data.replace(/^\u001d+/, ''); // FNC1 in first position sent as GS by some scanners
  if (aim !== null) {
    if (body.length === 0) return scan(true, { fields: [], errors: [scanError('EMPTY')] });
    return scan(true, parseElementString(body, referenceYear));
  }
  // No AIM prefix: only read it as GS1 when it starts like one.
  if (body.length > 0 && (body !== data || lookupAi(body, 0))) return scan(true, parseElementString(body, referenceYear));
  return scan(false, { fields: [], errors: [] });
}
