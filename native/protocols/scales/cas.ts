/**
 * CAS 22-byte continuous format:
 * `ST|US|OL` `,` `GS|NT` `,` id lamp `,` 8-char weight ` ` unit(2) CR LF.
 * Lamp byte: bit 6 stable, bit 4 hold, bit 2 gross, bit 1 tare, bit 0 zero. The scale streams.
 */
import {
  BufferedDecoder,
  badReading,
  okReading,
  round6,
  toHex,
  type Reading,
  type WeightUnit,
} from './reading.js';

export const CAS_FRAME = 22;

export interface CasFrameFields {
  header: 'ST' | 'US' | 'OL';
  net?: boolean;
  deviceId?: number;
  lamp?: number;
  /** Exactly 8 characters after padding, e.g. `  12.345`. */
  weight: string;
  unit?: 'kg' | ' g' | 'lb';
}

export function encodeCasFrame(f: CasFrameFields): Uint8Array {
  const w = f.weight.padStart(8, ' ');
  if (w.length !== 8) throw new RangeError('CAS weight field is 8 characters');
  const lamp = f.lamp ?? (f.header === 'ST' ? 0x40 : 0) | (f.net ? 0x02 : 0x04);
  const s = `${f.header},${f.net ? 'NT' : 'GS'},`;
  const tail = `,${w} ${f.unit ?? 'kg'}\r\n`;
  return Uint8Array.from([
    ...Array.from(s, (c) => c.charCodeAt(0)),
    f.deviceId ?? 0x31,
    lamp & 0xff,
    ...Array.from(tail, (c) => c.charCodeAt(0)),
  ]);
}

const HEADERS = ['ST', 'US', 'OL'] as const;
const UNITS: Readonly<Record<string, WeightUnit>> = { kg: 'kg', g: 'g', lb: 'lb' };
const WEIGHT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

function isHeaderAt(b: Uint8Array, i: number): boolean {
  const c0 = b[i];
  const c1 = b[i + 1];
  return HEADERS.some((h) => h.charCodeAt(0) === c0 && (c1 === undefined || h.charCodeAt(1) === c1));
}

export class CasDecoder extends BufferedDecoder {

  constructor(opts: { maxBuffer?: number } = {}) {
    super(opts.maxBuffer ?? 1024);
  }

  protected readFrames(): Reading[] {
    const out: Reading[] = [];
    for (;;) {
      const data = this.buf.bytes;
      let start = -1;
      for (let i = 0; i < data.length; i++) {
        if (isHeaderAt(data, i)) {
          start = i;
          break;
        }
      }
      if (start < 0) {
        this.buf.clear();
        break;
      }
      if (start > 0) this.buf.consume(start);
      if (this.buf.length < CAS_FRAME) break;
      const r = this.frame(this.buf.bytes.subarray(0, CAS_FRAME));
      if (r === null) {
        this.buf.consume(1);
        continue;
      }
      out.push(r);
      this.buf.consume(CAS_FRAME);
    }
    return out;
  }

  private frame(f: Uint8Array): Reading | null {
    const text = (from: number, to: number): string => String.fromCharCode(...f.subarray(from, to));
    const header = text(0, 2);
    const mode = text(3, 5);
    if (f[2] !== 0x2c || f[5] !== 0x2c || f[8] !== 0x2c || f[17] !== 0x20 || f[20] !== 0x0d || f[21] !== 0x0a) return null;
    if (mode !== 'GS' && mode !== 'NT') return null;
    for (let i = 9; i < 20; i++) {
      const b = f[i] ?? 0;
      if (b < 0x20 || b > 0x7e) return null;
    }
    const unit = UNITS[text(18, 20).trim()];
    if (unit === undefined) return null;
    const raw = toHex(f);
    const net = mode === 'NT';
    const w = text(9, 17).replace(/ /g, '');
    const parsed = WEIGHT.test(w) ? round6(Number(w)) : null;
    if (header === 'OL') return badReading('overload', unit, raw, 'overload', { weight: parsed ?? 0, net });
    if (parsed === null) return null;
    return okReading(parsed, unit, header === 'ST', raw, { net });
  }
}
