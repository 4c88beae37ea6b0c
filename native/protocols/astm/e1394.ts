/**
 * ASTM E1394 / CLSI LIS2-A2 records: a message (records separated by CR) → sample id and results.
 * Delimiters come from the H record (`H|\^&` by default: field `|`, repeat `\`, component `^`,
 * escape `&`). Escape sequences: &F& &S& &R& &E& (delimiters), &Xhh..& (hex bytes as UTF-8),
 * &H& / &N& (highlighting, dropped); an unknown or unterminated sequence is kept as written.
 */

export interface Delimiters {
  field: string;
  repeat: string;
  component: string;
  escape: string;
}

export const DEFAULT_DELIMITERS: Delimiters = { field: '|', repeat: '\\', component: '^', escape: '&' };

/** One record split into fields; `fields[0]` is the record type, so E1394 field N is `fields[N-1]`. */
export interface AstmRecord {
  type: string;
  fields: string[];
  raw: string;
}

export interface AstmResult {
  /** Sample id of the order this result belongs to (null when the message has no O record). */
  sampleId: string | null;
  sequence: number | null;
  /** Instrument's test code: the manufacturer's local code (4th component) or the first non-empty one. */
  testCode: string;
  /** All components of the universal test id, decoded. */
  testId: string[];
  /** Data value as sent (decoded, first repeat). */
  value: string;
  /** `value` as a number where it is one (`22.5`, `+7.01`, `3,2`), else null (`<0.5`, `POS`, ''). */
  numeric: number | null;
  unit: string;
  referenceRange: string;
  /** Abnormal flags (repeats split), e.g. ['H'], [] when none. */
  flags: string[];
  /** Result status (F final, P preliminary, C correction, …), '' when absent. */
  status: string;
  /** Date/time test completed (YYYYMMDDHHMMSS as sent), '' when absent. */
  completedAt: string;
  instrument: string;
  /** Comment records (C) that followed this result. */
  comments: string[];
}

export interface AstmMessage {
  delimiters: Delimiters;
  records: AstmRecord[];
  /** First order's specimen id (O.3, else O.4), or null. */
  sampleId: string | null;
  /** Patient (here: sample owner / lot) id from P.3 (else P.4, P.5), or null. */
  patientId: string | null;
  /** Sender name from H.5, or ''. */
  sender: string;
  results: AstmResult[];
  /** Comments not attached to a result. */
  comments: string[];
  /** True when the message ends with an L record. */
  terminated: boolean;
}

export class AstmParseError extends Error {
  override name = 'AstmParseError';
}

/** Delimiters from an H record (`H|\^&…`); throws on a header that cannot declare them. */
export function delimitersFromHeader(h: string): Delimiters {
  if (h.length < 5 || (h[0] !== 'H' && h[0] !== 'h')) throw new AstmParseError('message does not start with an H record');
  const [field, repeat, component, escape] = [h[1] ?? '', h[2] ?? '', h[3] ?? '', h[4] ?? ''];
  const set = new Set([field, repeat, component, escape]);
  if (set.size !== 4 || [...set].some((c) => /[A-Za-z0-9\s]/.test(c))) {
    throw new AstmParseError(`H record declares unusable delimiters ${JSON.stringify(h.slice(1, 5))}`);
  }
  return { field, repeat, component, escape };
}

const utf8d = new TextDecoder('utf-8');

/** Undo escape sequences in one (already split) value. */
export function unescapeValue(s: string, d: Delimiters = DEFAULT_DELIMITERS): string {
  const e = d.escape;
  if (!s.includes(e)) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i] ?? '';
    if (c !== e) {
      out += c;
      i++;
      continue;
    }
    const end = s.indexOf(e, i + 1);
    if (end < 0) {
      out += s.slice(i);
      break;
    }
    const code = s.slice(i + 1, end);
    let rep: string | null = null;
    if (code === 'F') rep = d.field;
    else if (code === 'S') rep = d.component;
    else if (code === 'R') rep = d.repeat;
    else if (code === 'E') rep = d.escape;
    else if (code === 'H' || code === 'N') rep = '';
    else if (/^X([0-9A-Fa-f]{2})+$/.test(code)) {
      const hex = code.slice(1);
      const bytes = Uint8Array.from({ length: hex.length / 2 }, (_, k) => parseInt(hex.slice(2 * k, 2 * k + 2), 16));
      rep = utf8d.decode(bytes);
    }
    if (rep === null) {
      out += c; // unknown sequence: keep the escape character literally and go on
      i++;
    } else {
      out += rep;
      i = end + 1;
    }
  }
  return out;
}

/** Split a message into records (CR, CRLF or LF separated; empty lines dropped). */
export function splitRecords(message: string): string[] {
  return message.split(/\r\n|\r|\n/).filter((r) => r.trim() !== '');
}

function splitRecord(raw: string, d: Delimiters): AstmRecord {
  const type = (raw[0] ?? '').toUpperCase();
  if (type === 'H') {
    // H.2 is the delimiter definition itself and must not be split
    const rest = raw.slice(5);
    const fields = ['H', raw.slice(2, 5), ...(rest.startsWith(d.field) ? rest.slice(1).split(d.field) : rest ? [rest] : [])];
    return { type, fields, raw };
  }
  const fields = raw.split(d.field);
  fields[0] = type;
  return { type, fields, raw };
}

/** Field N (1-based as in E1394) of a record, raw (still escaped). */
const field = (r: AstmRecord, n: number): string => r.fields[n - 1] ?? '';
const repeats = (v: string, d: Delimiters): string[] => v.split(d.repeat);
const components = (v: string, d: Delimiters): string[] => v.split(d.component).map((c) => unescapeValue(c, d));
/** First repeat, first component, decoded and trimmed. */
const first = (v: string, d: Delimiters): string => (components(repeats(v, d)[0] ?? '', d)[0] ?? '').trim();
/** First repeat, all components decoded and joined back with the component delimiter. */
const whole = (v: string, d: Delimiters): string => unescapeValue(repeats(v, d)[0] ?? '', d).trim();

/** Numbers as instruments print them: optional sign, decimal point or comma, exponent. */
export function parseNumeric(v: string): number | null {
  const t = v.trim().replace(/\s+/g, '');
  if (!/^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  const n = Number(t.replace(',', '.'));
  return Number.isFinite(n) ? n : null;
}

function nonEmpty(...vals: string[]): string | null {
  for (const v of vals) if (v !== '') return v;
  return null;
}

/** Parse one E1394 message. Throws AstmParseError when it does not start with an H record. */
export function parseMessage(message: string): AstmMessage {
  const raws = splitRecords(message);
  const head = raws[0];
  if (head === undefined) throw new AstmParseError('empty message');
  const d = delimitersFromHeader(head);
  const records = raws.map((r) => splitRecord(r, d));

  let sampleId: string | null = null;
  let patientId: string | null = null;
  let currentSample: string | null = null;
  let lastResult: AstmResult | null = null;
  const results: AstmResult[] = [];
  const comments: string[] = [];
  let terminated = false;

  for (const r of records) {
    switch (r.type) {
      case 'P':
        patientId ??= nonEmpty(first(field(r, 3), d), first(field(r, 4), d), first(field(r, 5), d));
        lastResult = null;
        break;
      case 'O':
        currentSample = nonEmpty(first(field(r, 3), d), first(field(r, 4), d));
        sampleId ??= currentSample;
        lastResult = null;
        break;
      case 'R': {
        const testId = components(repeats(field(r, 3), d)[0] ?? '', d).map((c) => c.trim());
        const testCode = nonEmpty(testId[3] ?? '', ...testId) ?? '';
        const value = whole(field(r, 4), d);
        const seq = parseNumeric(field(r, 2));
        const res: AstmResult = {
          sampleId: currentSample,
          sequence: seq !== null && Number.isInteger(seq) ? seq : null,
          testCode,
          testId,
          value,
          numeric: parseNumeric(first(field(r, 4), d)),
          unit: whole(field(r, 5), d),
          referenceRange: whole(field(r, 6), d),
          flags: repeats(field(r, 7), d)
            .map((f) => unescapeValue(f, d).trim())
            .filter((f) => f !== ''),
          status: first(field(r, 9), d),
          completedAt: first(field(r, 13), d),
          instrument: first(field(r, 14), d),
          comments: [],
        };
        results.push(res);
        lastResult = res;
        break;
      }
      case 'C': {
        const text = repeats(field(r, 4), d)
          .map((rep) => components(rep, d).join(' ').trim())
          .filter((t) => t !== '')
          .join('\n');
        if (lastResult) lastResult.comments.push(text);
        else comments.push(text);
        break;
      }
      case 'L':
        terminated = true;
        break;
      default:
        break; // H, Q, M, S and unknown record types carry nothing we use here
    }
  }

  const h = records[0];
  return {
    delimiters: d,
    records,
    sampleId,
    patientId,
    sender: h ? first(field(h, 5), d) : '',
    results,
    comments,
    terminated,
  };
}

/** Build a record from decoded field values, escaping delimiters (for simulators and tests). */
export function buildRecord(type: string, fields: readonly (string | readonly string[])[], d: Delimiters = DEFAULT_DELIMITERS): string {
  const esc = (v: string): string =>
    v
      .split(d.escape)
      .map((p) => p.split(d.field).join(`${d.escape}F${d.escape}`))
      .map((p) => p.split(d.component).join(`${d.escape}S${d.escape}`))
      .map((p) => p.split(d.repeat).join(`${d.escape}R${d.escape}`))
      .join(`${d.escape}E${d.escape}`);
  const enc = fields.map((f) => (typeof f === 'string' ? esc(f) : f.map(esc).join(d.component)));
  return [type, ...enc].join(d.field);
}

/** The default header record: `H|\^&|||<sender>|||||||P|1|<timestamp>`. */
export function buildHeader(sender: string, timestamp = ''): string {
  return `H|\\^&|||${sender}|||||||P|1|${timestamp}`;
}
