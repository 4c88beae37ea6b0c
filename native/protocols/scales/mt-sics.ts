/**
 * Mettler Toledo MT-SICS (ASCII, commands and replies end with CR LF).
 * Host commands: S (stable weight), SI (weight now), SIR (repeat), Z (zero), T (tare), @ (reset).
 */
import {
  BufferedDecoder,
  badReading,
  okReading,
  round6,
  type Reading,
  type WeightUnit,
} from './reading.js';

export type MtSicsCommand = 'S' | 'SI' | 'SIR' | 'Z' | 'T' | '@';

const COMMANDS: ReadonlySet<string> = new Set(['S', 'SI', 'SIR', 'Z', 'T', '@']);

export function encodeMtSics(command: MtSicsCommand): Uint8Array {
  if (!COMMANDS.has(command)) throw new RangeError(`unknown MT-SICS command ${String(command)}`);
  return new TextEncoder().encode(`${command}\r\n`);
}

/** Longest line the decoder keeps; MT-SICS replies are far shorter. */
export const MT_SICS_MAX_LINE = 128;

const UNITS: Readonly<Record<string, WeightUnit>> = { kg: 'kg', g: 'g', lb: 'lb' };
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const ERRORS: Readonly<Record<string, string>> = {
  ES: 'syntax error',
  ET: 'transmission error',
  EL: 'logical error',
};

function parseValue(value: string | undefined, unitText: string | undefined): { weight: number; unit: WeightUnit } | string {
  if (value === undefined || unitText === undefined || !NUMBER.test(value)) return 'malformed weight';
  const unit = UNITS[unitText];
  if (unit === undefined) return `unsupported unit ${unitText}`;
  return { weight: round6(Number(value)), unit };
}

export class MtSicsDecoder extends BufferedDecoder {
  /** Unit used for readings without one (S I, S +, errors): the last unit seen. */
  private lastUnit: WeightUnit = 'kg';

  constructor(opts: { maxBuffer?: number } = {}) {
    super(opts.maxBuffer ?? 1024);
  }

  protected readFrames(): Reading[] {
    const out: Reading[] = [];
    for (;;) {
      const data = this.buf.bytes;
      const lf = data.indexOf(0x0a);
      if (lf < 0) {
        // No line end: a line longer than any reply is garbage; keep only its tail.
        if (data.length > MT_SICS_MAX_LINE) this.buf.consume(data.length - MT_SICS_MAX_LINE);
        break;
      }
      const line = data.subarray(0, lf);
      this.buf.consume(lf + 1);
      if (line.length > MT_SICS_MAX_LINE) continue;
      this.line(line, out);
    }
    return out;
  }

  private line(bytes: Uint8Array, out: Reading[]): void {
    // Resynchronise: anything up to the last non-printable byte (binary garbage, a lone CR) is dropped.
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] ?? 0;
      if ((b < 0x20 || b > 0x7e) && !(b === 0x0d && i === bytes.length - 1)) start = i + 1;
    }
    let text = String.fromCharCode(...bytes.subarray(start));
    if (text.endsWith('\r')) text = text.slice(0, -1);
    text = text.trim();
    if (text.length === 0) return;
    const raw = text;
    const tok = text.split(/ +/);
    const [a, b, c, d] = tok;

    const err = a === undefined ? undefined : ERRORS[a];
    if (err !== undefined && tok.length === 1) {
      out.push(badReading('error', this.lastUnit, raw, err));
      return;
    }
    if (a === 'S') {
      // Replies to S, SI and SIR all start with "S".
      if ((b === 'S' || b === 'D') && tok.length === 4) {
        const v = parseValue(c, d);
        if (typeof v === 'string') {
          if (v.startsWith('unsupported')) out.push(badReading('error', this.lastUnit, raw, v));
          return; // malformed: no reading at all
        }
        this.lastUnit = v.unit;
        out.push(okReading(v.weight, v.unit, b === 'S', raw));
        return;
      }
      if (tok.length === 2) {
        if (b === 'I') out.push(badReading('error', this.lastUnit, raw, 'command not executable now'));
        else if (b === '+') out.push(badReading('overload', this.lastUnit, raw, 'overload'));
        else if (b === '-') out.push(badReading('underload', this.lastUnit, raw, 'underload'));
      }
      return;
    }
    if (a === 'Z' && tok.length === 2) {
      if (b === 'A') this.replies.add({ command: 'zero', ok: true, raw });
      else if (b === 'I') this.replies.add({ command: 'zero', ok: false, raw, error: 'zero not possible now' });
      else if (b === '+' || b === '-')
        this.replies.add({ command: 'zero', ok: false, raw, error: b === '+' ? 'upper limit exceeded' : 'lower limit exceeded' });
      return;
    }
    if (a === 'T') {
      if (b === 'S' && tok.length === 4) {
        const v = parseValue(c, d);
        if (typeof v === 'string') return;
        this.replies.add({ command: 'tare', ok: true, tare: v.weight, unit: v.unit, raw });
      } else if (tok.length === 2 && (b === 'I' || b === '+' || b === '-')) {
        const why = b === 'I' ? 'tare not possible now' : b === '+' ? 'upper limit exceeded' : 'lower limit exceeded';
        this.replies.add({ command: 'tare', ok: false, raw, error: why });
      }
    }
    // Anything else (I4 serial number after @, unknown commands) carries no weight: ignored.
  }
}
