// Label model and encoders for label printers: ZPL II (Zebra and compatibles) and TSPL (TSC,
// Mertech, Xprinter). Pure code: strings in, printer command strings out; transports live apart.
import { GS, parseScan } from './gs1.js';

export type Dpi = 203 | 300;

/** One GS1 element: AI and its value, e.g. `{ ai: '10', value: 'BFP2611230001' }`. */
export interface Gs1Element {
  ai: string;
  value: string;
}

export interface TextElement {
  kind: 'text';
  /** Top-left corner in mm from the label's top-left. */
  x: number;
  y: number;
  /** Character height in mm. */
  heightMm: number;
  /** Any Unicode text (Latin, Cyrillic, Chinese); control characters are printed as spaces. */
  text: string;
}

export interface Barcode128Element {
  kind: 'barcode128';
  x: number;
  y: number;
  /** Bar height in mm (the human-readable line is printed below it). */
  heightMm: number;
  /** GS1 element strings in order; FNC1 start and separators are added by the encoders. */
  gs1: Gs1Element[];
  /** Narrow bar width in dots (default 2). */
  moduleDots?: number;
  /** Prints `(01)…(10)…` below the bars (default true). */
  humanReadable?: boolean;
}

export interface BoxElement {
  kind: 'box';
  x: number;
  y: number;
  widthMm: number;
  heightMm: number;
  /** Line thickness in mm (default 0.5). */
  thicknessMm?: number;
}

/**
 * A 1-bit image: `height` rows top-down, each `bytesPerRow` (= ceil(width / 8)) bytes, the most
 * significant bit leftmost, 1 = a printed (black) dot. What ZPL's ^GF field carries.
 */
export interface Bitmap {
  width: number;
  height: number;
  bytesPerRow: number;
  data: Uint8Array;
}

/** A bitmap printed dot for dot (text the printer has no font for, rasterised on the PC). */
export interface GraphicElement {
  kind: 'graphic';
  x: number;
  y: number;
  bitmap: Bitmap;
}

export type LabelElement = TextElement | Barcode128Element | BoxElement | GraphicElement;

export interface Label {
  widthMm: number;
  heightMm: number;
  dpi: Dpi;
  elements: LabelElement[];
  /** Number of copies (default 1). */
  copies?: number;
}

export interface ZplOptions {
  /**
   * Printer font for text containing CJK characters (e.g. `E:SIMSUN.TTF`, downloaded to the
   * printer). Without it such text uses `^A0`, which a stock printer cannot draw in Chinese.
   */
  cjkFont?: string;
}

export interface TsplOptions {
  /** Gap between labels in mm (default 2). */
  gapMm?: number;
  /** Font for text containing CJK characters (default `TSS24.BF2`, simplified Chinese). */
  cjkFont?: string;
}

export class LabelError extends Error {
  override name = 'LabelError';
}

/** Printer dot pitch: 203 dpi heads are 8 dots/mm, 300 dpi heads are 12 dots/mm. */
export function dotsPerMm(dpi: Dpi): number {
  return dpi === 203 ? 8 : 12;
}

export function mmToDots(mm: number, dpi: Dpi): number {
  return Math.round(mm * dotsPerMm(dpi));
}

// GS1 General Specifications, figure 5.10.1-2: AIs whose first two digits are in this table have
// a predefined length and need no FNC1 after them; all others are variable-length.
const PREDEFINED_LENGTH = new Set([
  '00', '01', '02', '03', '04', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20',
  '31', '32', '33', '34', '35', '36', '41',
]);

export function isVariableLengthAi(ai: string): boolean {
  return !PREDEFINED_LENGTH.has(ai.slice(0, 2));
}

/** `(01)04607001000013(10)LOT…` */
export function gs1HumanReadable(elements: Gs1Element[]): string {
  return elements.map((e) => `(${e.ai})${e.value}`).join('');
}

/** Tokens of a GS1-128 symbol after the leading FNC1: characters and FNC1 separators. */
type Token = string | typeof FNC1;
const FNC1 = Symbol('FNC1');

/**
 * Checks the elements by reading them back with the scanner-side parser (AIs, lengths, check
 * digits, dates, character set 82) and returns the token stream. Throws `LabelError`.
 */
function gs1Tokens(elements: Gs1Element[]): Token[] {
  if (elements.length === 0) throw new LabelError('GS1-128 barcode without elements');
  const tokens: Token[] = [];
  let raw = '';
  elements.forEach((e, i) => {
    if (!/^\d{2,4}$/.test(e.ai)) throw new LabelError(`bad AI ${JSON.stringify(e.ai)}`);
    tokens.push(...e.ai, ...e.value);
    raw += e.ai + e.value;
    if (isVariableLengthAi(e.ai) && i < elements.length - 1) {
      tokens.push(FNC1);
      raw += GS;
    }
  });
  const scan = parseScan(`]C1${raw}`);
  if (scan.errors.length > 0) throw new LabelError(`invalid GS1 data: ${scan.errors.map((e) => e.en).join('; ')}`);
  const ais = scan.fields.map((f) => f.ai).join(',');
  if (ais !== elements.map((e) => e.ai).join(',')) throw new LabelError(`GS1 data does not read back: ${ais}`);
  return tokens;
}

type CodeSet = 'B' | 'C';

/**
 * Splits the tokens into Code 128 code-set runs starting in set C: digit pairs in C, anything
 * else (and a lone digit) in B; switches to C only for runs of 4+ digits.
 */
function codeSetRuns(tokens: Token[]): { set: CodeSet; tokens: Token[] }[] {
  const runs: { set: CodeSet; tokens: Token[] }[] = [];
  const put = (set: CodeSet, t: Token[]): void => {
    const last = runs[runs.length - 1];
    if (last && (last.set === set || (t.length === 1 && t[0] === FNC1))) last.tokens.push(...t);
    else runs.push({ set, tokens: [...t] });
  };
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t === FNC1) {
      put(runs[runs.length - 1]?.set ?? 'C', [t]);
      i++;
      continue;
    }
    let j = i;
    while (j < tokens.length && typeof tokens[j] === 'string' && /\d/.test(tokens[j] as string)) j++;
    const digits = j - i;
    const current = runs[runs.length - 1]?.set ?? 'C';
    if (digits >= 2 && (current === 'C' || digits >= 4)) {
      if (digits % 2 === 1 && current === 'B') {
        put('B', [t]); // odd run in B: the first digit stays in B, the rest pairs in C
        i++;
      }
      const even = (j - i) - ((j - i) % 2);
      put('C', tokens.slice(i, i + even));
      i += even;
      if (i < j) put('B', [tokens[i]!]), i++;
    } else if (digits > 0) {
      put('B', tokens.slice(i, j));
      i = j;
    } else {
      put('B', [t]);
      i++;
    }
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------
// ZPL

/**
 * Hex-escapes field data for `^FH` (indicator `_`): `^`, `~`, `\`, `_` and control characters
 * become `_XX` (their UTF-8 bytes), so user text can never end the field or start a command.
 */
export function zplFieldHex(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '^' || ch === '~' || ch === '\\' || ch === '_' || c < 0x20 || c === 0x7f) {
      for (const b of Buffer.from(ch, 'utf8')) out += `_${b.toString(16).toUpperCase().padStart(2, '0')}`;
    } else {
      out += ch;
    }
  }
  return out;
}

const CJK = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[\u{20000}-\u{2fa1f}]/u;

/** `^BC` data in mode N: `>;` start in set C, `>8` FNC1, `>6`/`>5` switch to B/C, `><` for `>`. */
function zplGs1Data(elements: Gs1Element[]): string {
  let out = '>;>8';
  let set: CodeSet = 'C';
  for (const run of codeSetRuns(gs1Tokens(elements))) {
    if (run.set !== set) out += run.set === 'B' ? '>6' : '>5';
    set = run.set;
    for (const t of run.tokens) out += t === FNC1 ? '>8' : t === '>' ? '><' : t;
  }
  return out;
}

function zplText(x: number, y: number, h: number, text: string, options: ZplOptions): string {
  const font = options.cjkFont && CJK.test(text) ? `^A@N,${h},${h},${options.cjkFont}` : `^A0N,${h},${h}`;
  return `^FO${x},${y}${font}^FH^FD${zplFieldHex(text)}^FS`;
}

function positive(n: number, what: string): void {
  if (!Number.isFinite(n) || n < 0) throw new LabelError(`${what} must be a finite number ≥ 0, got ${n}`);
}

function copiesOf(label: Label): number {
  const copies = label.copies ?? 1;
  if (!Number.isInteger(copies) || copies < 1 || copies > 99_999) throw new LabelError(`bad copies: ${copies}`);
  return copies;
}

function checkLabel(label: Label): void {
  if (label.dpi !== 203 && label.dpi !== 300) throw new LabelError(`unsupported dpi ${String(label.dpi)}`);
  positive(label.widthMm, 'widthMm');
  positive(label.heightMm, 'heightMm');
  for (const e of label.elements) {
    positive(e.x, 'x');
    positive(e.y, 'y');
    if (e.kind === 'graphic') checkBitmap(e.bitmap);
    else positive(e.heightMm, 'heightMm');
    if (e.kind === 'box') positive(e.widthMm, 'widthMm');
  }
}

function checkBitmap(b: Bitmap): void {
  const whole = (n: number): boolean => Number.isInteger(n) && n >= 1;
  if (!whole(b.width) || !whole(b.height) || b.bytesPerRow !== Math.ceil(b.width / 8) || b.data.length !== b.bytesPerRow * b.height) {
    throw new LabelError(`bad bitmap ${b.width}×${b.height}, ${b.bytesPerRow} bytes per row, ${b.data.length} bytes`);
  }
}

// ZPL II "alternative data compression scheme" for ASCII-hex graphics: G…Y repeat the next
// hex digit 1…19 times, g…z 20…400 times (added up, e.g. hK = 45); ',' fills the rest of the
// row with 0, '!' with F; ':' repeats the previous row.
const REPEAT_UNITS = 'GHIJKLMNOPQRSTUVWXY';
const REPEAT_TWENTIES = 'ghijklmnopqrstuvwxyz';
const MAX_REPEAT = 400;

function repeatCount(n: number): string {
  return (n >= 20 ? REPEAT_TWENTIES[Math.floor(n / 20) - 1]! : '') + (n % 20 > 0 ? REPEAT_UNITS[(n % 20) - 1]! : '');
}

function compressRow(hex: string): string {
  const trimmed = hex.replace(/0+$/, '');
  const tail = trimmed.length < hex.length ? ',' : '';
  let out = '';
  for (let i = 0; i < trimmed.length; ) {
    let j = i;
    while (j < trimmed.length && trimmed[j] === trimmed[i] && j - i < MAX_REPEAT) j++;
    out += (j - i > 2 ? repeatCount(j - i) : trimmed[i]!.repeat(j - i - 1)) + trimmed[i]!;
    i = j;
  }
  return out + tail;
}

/** `^GFA,total,total,bytesPerRow,data` with the data compressed row by row. */
export function zplGraphicField(b: Bitmap): string {
  checkBitmap(b);
  const total = b.data.length;
  let data = '';
  let previous: string | null = null;
  for (let row = 0; row < b.height; row++) {
    const hex = Buffer.from(b.data.subarray(row * b.bytesPerRow, (row + 1) * b.bytesPerRow)).toString('hex').toUpperCase();
    data += hex === previous ? ':' : compressRow(hex);
    previous = hex;
  }
  return `^GFA,${total},${total},${b.bytesPerRow},${data}`;
}

/**
 * Reads the parameters of a `^GFA` command (what follows `^GF`) back into a bitmap, expanding
 * the compression; its width is `bytesPerRow × 8` (ZPL does not carry the exact width). Throws `LabelError` when they are not a consistent ASCII-hex graphic.
 */
export function decodeZplGraphic(params: string): Bitmap {
  const m = /^A,(\d+),(\d+),(\d+),([\s\S]*)$/.exec(params);
  if (!m) throw new LabelError('^GF: expected A,total,total,bytesPerRow,data');
  const [total, fieldCount, bytesPerRow] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (total !== fieldCount || bytesPerRow < 1 || total % bytesPerRow !== 0) throw new LabelError(`^GF: inconsistent sizes ${total},${fieldCount},${bytesPerRow}`);
  const rowChars = bytesPerRow * 2;
  const rows: string[] = [];
  let row = '';
  let count = 0;
  const endRow = (fill: string): void => {
    rows.push(row + fill.repeat(rowChars - row.length));
    row = '';
  };
  for (const ch of m[4]!.replace(/\s+/g, '')) {
    const unit = REPEAT_UNITS.indexOf(ch);
    const twenties = REPEAT_TWENTIES.indexOf(ch);
    if (unit >= 0) count += unit + 1;
    else if (twenties >= 0) count += (twenties + 1) * 20;
    else if (/[0-9A-Fa-f]/.test(ch)) {
      row += ch.toUpperCase().repeat(Math.max(1, count));
      count = 0;
      if (row.length > rowChars) throw new LabelError(`^GF: row ${rows.length + 1} longer than ${bytesPerRow} bytes`);
      if (row.length === rowChars) endRow('');
    } else if (count !== 0) throw new LabelError(`^GF: repeat count before ${JSON.stringify(ch)}`);
    else if (ch === ',' || ch === '!') endRow(ch === ',' ? '0' : 'F');
    else if (ch === ':') {
      if (row !== '' || rows.length === 0) throw new LabelError('^GF: ":" must follow a whole row');
      rows.push(rows[rows.length - 1]!);
    } else throw new LabelError(`^GF: unexpected ${JSON.stringify(ch)} in data`);
  }
  if (row !== '' || count !== 0) throw new LabelError('^GF: data ends inside a row');
  if (rows.length * bytesPerRow !== total) throw new LabelError(`^GF: ${rows.length * bytesPerRow} bytes of data, ${total} declared`);
  const data = Uint8Array.from(Buffer.from(rows.join(''), 'hex'));
  return { width: bytesPerRow * 8, height: rows.length, bytesPerRow, data };
}

/** ZPL II for one label format; one command per line. Throws `LabelError` on invalid input. */
export function toZpl(label: Label, options: ZplOptions = {}): string {
  checkLabel(label);
  const d = (mm: number): number => mmToDots(mm, label.dpi);
  const lines = ['^XA', '^CI28', `^PW${d(label.widthMm)}`, `^LL${d(label.heightMm)}`, '^LH0,0'];
  for (const e of label.elements) {
    switch (e.kind) {
      case 'text':
        lines.push(zplText(d(e.x), d(e.y), Math.max(1, d(e.heightMm)), e.text, options));
        break;
      case 'box': {
        const t = Math.max(1, d(e.thicknessMm ?? 0.5));
        const w = Math.max(t, d(e.widthMm));
        const h = Math.max(t, d(e.heightMm));
        lines.push(`^FO${d(e.x)},${d(e.y)}^GB${w},${h},${t}^FS`);
        break;
      }
      case 'graphic':
        lines.push(`^FO${d(e.x)},${d(e.y)}${zplGraphicField(e.bitmap)}^FS`);
        break;
      case 'barcode128': {
        const module = e.moduleDots ?? 2;
        if (!Number.isInteger(module) || module < 1 || module > 10) throw new LabelError(`bad moduleDots ${module}`);
        const h = Math.max(1, d(e.heightMm));
        // Interpretation line off: the printer's own line cannot show AIs in brackets.
        lines.push(`^FO${d(e.x)},${d(e.y)}^BY${module}^BCN,${h},N,N,N^FH^FD${zplFieldHex(zplGs1Data(e.gs1))}^FS`);
        if (e.humanReadable ?? true) {
          const th = Math.max(1, d(2.5));
          lines.push(zplText(d(e.x), d(e.y) + h + d(1), th, gs1HumanReadable(e.gs1), options));
        }
        break;
      }
    }
  }
  lines.push(`^PQ${copiesOf(label)}`, '^XZ');
  return `${lines.join('\n')}\n`;
}

/**
 * Syntax check of ZPL (used by tests): every command is `^` or `~` plus two characters
 * (A–Z, 0–9, @), `^` commands only between `^XA` and `^XZ` (balanced, not nested), every `^FD`
 * closed by `^FS` before any other command, `^FH` data with valid `_XX` escapes, nothing but
 * whitespace outside formats, `^GFA` graphics whose data fills exactly the declared size. Returns
 * the problems found (empty = valid).
 */
export function validateZpl(zpl: string): string[] {
  const errors: string[] = [];
  let open = false;
  let formats = 0;
  let hex = false; // ^FH seen for the current field
  let field: { at: number; hex: boolean } | null = null;
  let i = 0;
  while (i < zpl.length) {
    const ch = zpl[i]!;
    if (ch !== '^' && ch !== '~') {
      if (!open && !/\s/.test(ch)) {
        errors.push(`text outside ^XA…^XZ at ${i}`);
        while (i < zpl.length && zpl[i] !== '^' && zpl[i] !== '~') i++;
      } else i++;
      continue;
    }
    const name = zpl.slice(i + 1, i + 3);
    if (!/^[A-Z0-9@]{2}$/.test(name)) {
      errors.push(`bad command ${JSON.stringify(zpl.slice(i, i + 3))} at ${i}`);
      i++;
      continue;
    }
    const cmd = ch + name;
    // Parameters / field data run to the next ^ or ~.
    let end = i + 3;
    while (end < zpl.length && zpl[end] !== '^' && zpl[end] !== '~') end++;
    const params = zpl.slice(i + 3, end);
    if (field && cmd !== '^FS') {
      errors.push(`^FD at ${field.at} not closed by ^FS (found ${cmd} at ${i})`);
      field = null;
    }
    if (cmd === '^XA') {
      if (open) errors.push(`nested ^XA at ${i}`);
      open = true;
    } else if (cmd === '^XZ') {
      if (!open) errors.push(`^XZ without ^XA at ${i}`);
      else formats++;
      open = false;
      hex = false;
    } else if (ch === '^' && !open) {
      errors.push(`${cmd} outside ^XA…^XZ at ${i}`);
    } else if (cmd === '^FH') {
      if (params !== '' && params !== '_') errors.push(`unsupported ^FH indicator ${JSON.stringify(params)} at ${i}`);
      hex = true;
    } else if (cmd === '^FD') {
      if (hex && /_(?![0-9A-Fa-f]{2})/.test(params)) errors.push(`bad ^FH escape in field data at ${i}`);
      field = { at: i, hex };
    } else if (cmd === '^FS') {
      hex = false;
      field = null;
    } else if (cmd === '^GF') {
      try {
        decodeZplGraphic(params);
      } catch (e) {
        errors.push(`${(e as Error).message} at ${i}`);
      }
    }
    i = end;
  }
  if (field) errors.push(`^FD at ${field.at} not closed by ^FS`);
  if (open) errors.push('^XA without ^XZ');
  if (formats === 0 && errors.length === 0) errors.push('no ^XA…^XZ format');
  return errors;
}

// ---------------------------------------------------------------------------------------------
// TSPL

/**
 * A TSPL string literal: `"` becomes `\["]` (TSPL's escape) and control characters (a CR/LF
 * would end the command line) become spaces.
 */
export function tsplString(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${text.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/"/g, '\\["]')}"`;
}

/** `128M` content: `!105` start C, `!102` FNC1, `!100` / `!099` switch to B / C. */
function tsplGs1Data(elements: Gs1Element[]): string {
  let out = '!105!102';
  let set: CodeSet = 'C';
  for (const run of codeSetRuns(gs1Tokens(elements))) {
    if (run.set !== set) out += run.set === 'B' ? '!100' : '!099';
    set = run.set;
    for (const t of run.tokens) {
      if (t === '!' || t === '"') throw new LabelError(`character ${t} is not supported in TSPL 128M data`);
      out += t === FNC1 ? '!102' : t;
    }
  }
  return out;
}

/** Font height in mm → TSPL scalable font "0" size in points. */
function points(mm: number): number {
  return Math.max(1, Math.round((mm * 72) / 25.4));
}

/** TSPL for one label; CRLF line ends. Throws `LabelError` on invalid input. */
export function toTspl(label: Label, options: TsplOptions = {}): string {
  checkLabel(label);
  const d = (mm: number): number => mmToDots(mm, label.dpi);
  const gap = options.gapMm ?? 2;
  positive(gap, 'gapMm');
  const cjk = options.cjkFont ?? 'TSS24.BF2';
  const text = (x: number, y: number, mm: number, s: string): string =>
    CJK.test(s)
      ? // Bitmap CJK font (24 dots high at 203 dpi), scaled by an integer multiplier.
        `TEXT ${x},${y},${tsplString(cjk)},0,${Math.max(1, Math.round(d(mm) / 24))},${Math.max(1, Math.round(d(mm) / 24))},${tsplString(s)}`
      : `TEXT ${x},${y},"0",0,${points(mm)},${points(mm)},${tsplString(s)}`;
  const lines = [
    `SIZE ${label.widthMm} mm,${label.heightMm} mm`,
    `GAP ${gap} mm,0 mm`,
    'DIRECTION 1',
    'CODEPAGE UTF-8',
    'CLS',
  ];
  for (const e of label.elements) {
    switch (e.kind) {
      case 'text':
        lines.push(text(d(e.x), d(e.y), e.heightMm, e.text));
        break;
      case 'box': {
        const t = Math.max(1, d(e.thicknessMm ?? 0.5));
        lines.push(`BOX ${d(e.x)},${d(e.y)},${d(e.x + e.widthMm)},${d(e.y + e.heightMm)},${t}`);
        break;
      }
      case 'graphic':
        // TSPL's BITMAP takes raw binary after the command: not expressible in this text output.
        throw new LabelError('graphic elements are printed with ZPL only');
      case 'barcode128': {
        const module = e.moduleDots ?? 2;
        if (!Number.isInteger(module) || module < 1 || module > 10) throw new LabelError(`bad moduleDots ${module}`);
        const h = Math.max(1, d(e.heightMm));
        lines.push(`BARCODE ${d(e.x)},${d(e.y)},"128M",${h},0,0,${module},${module},${tsplString(tsplGs1Data(e.gs1))}`);
        if (e.humanReadable ?? true) lines.push(text(d(e.x), d(e.y) + h + d(1), 2.5, gs1HumanReadable(e.gs1)));
        break;
      }
    }
  }
  lines.push(`PRINT 1,${copiesOf(label)}`);
  return `${lines.join('\r\n')}\r\n`;
}
