/**
 * Mettler Toledo continuous output: STX SWA SWB SWC, 6 digits weight, 6 digits tare, CR,
 * optional checksum (two's complement of the low 7 bits of the sum of all preceding bytes).
 * The scale streams; the host sends nothing.
 */
import {
  BufferedDecoder,
  BoundedBuffer,
  badReading,
  okReading,
  round6,
  toHex,
  type Reading,
  type WeightUnit,
} from './reading.js';

const STX = 0x02;
const CR = 0x0d;
/** Frame length without / with the checksum byte. */
export const TOLEDO_FRAME = 17;

/** Checksum byte for the bytes before it: (-sum) & 0x7F, so that sum + cs ≡ 0 (mod 128). */
export function toledoChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum += b;
  return -sum & 0x7f;
}

/** Multiplier applied to the 6 digits for SWA bits 0..2. */
const DECIMAL_FACTOR = [100, 10, 1, 0.1, 0.01, 0.001, 0.0001, 0.00001] as const;
const DECIMALS = [0, 0, 0, 1, 2, 3, 4, 5] as const;

export interface ToledoFrameFields {
  /** Displayed weight (absolute value; use `negative`). */
  weight: number;
  tare: number;
  decimalCode: number; // 0..7
  net?: boolean;
  negative?: boolean;
  outOfRange?: boolean;
  motion?: boolean;
  unit?: 'kg' | 'lb';
  printRequest?: boolean;
  checksum?: boolean;
}

/** Builds a frame (used by tests and simulators). */
export function encodeToledoFrame(f: ToledoFrameFields): Uint8Array {
  const code = f.decimalCode & 7;
  const digits = (v: number): string => {
    const n = Math.round(Math.abs(v) / (DECIMAL_FACTOR[code] ?? 1));
    return String(Math.min(n, 999999)).padStart(6, '0');
  };
  const swa = 0x20 | 0x08 | code; // increment x1
  const swb =
    0x20 |
    (f.net ? 0x01 : 0) |
    (f.negative ? 0x02 : 0) |
    (f.outOfRange ? 0x04 : 0) |
    (f.motion ? 0x08 : 0) |
    ((f.unit ?? 'kg') === 'kg' ? 0x10 : 0);
  const swc = 0x20 | (f.printRequest ? 0x08 : 0);
  const text = `${digits(f.weight)}${digits(f.tare)}`;
  const body = Uint8Array.from([STX, swa, swb, swc, ...Array.from(text, (c) => c.charCodeAt(0)), CR]);
  if (f.checksum === false) return body;
  return Uint8Array.from([...body, toledoChecksum(body)]);
}

function readDigits(buf: BoundedBuffer, from: number): number | null {
  let n = 0;
  for (let i = from; i < from + 6; i++) {
    const b = buf.at(i);
    if (b === 0x20) continue; // leading blanks count as zeros
    if (b < 0x30 || b > 0x39) return null;
    n = n * 10 + (b - 0x30);
  }
  return n;
}

const isStatus = (b: number): boolean => b >= 0x20 && b <= 0x7f && (b & 0x20) !== 0;

export class ToledoDecoder extends BufferedDecoder {
  private readonly checksum: boolean;

  /** `checksum` (default true): the scale appends the checksum byte and it must verify. */
  constructor(opts: { checksum?: boolean; maxBuffer?: number } = {}) {
    super(opts.maxBuffer ?? 1024);
    this.checksum = opts.checksum ?? true;
  }

  protected readFrames(): Reading[] {
    const out: Reading[] = [];
    const size = TOLEDO_FRAME + (this.checksum ? 1 : 0);
    for (;;) {
      const data = this.buf.bytes;
      const stx = data.indexOf(STX);
      if (stx < 0) {
        this.buf.clear();
        break;
      }
      if (stx > 0) this.buf.consume(stx);
      if (this.buf.length < size) {
        if (!this.plausiblePrefix()) {
          this.buf.consume(1);
          continue;
        }
        break;
      }
      const reading = this.frame(size);
      if (reading === null) {
        this.buf.consume(1); // not a frame at this STX: resynchronise on the next one
        continue;
      }
      out.push(reading);
      this.buf.consume(size);
    }
    return out;
  }

  /** Early rejection of a partial frame so garbage STX bytes do not delay the next real frame. */
  private plausiblePrefix(): boolean {
    for (let i = 1; i < Math.min(this.buf.length, 4); i++) if (!isStatus(this.buf.at(i))) return false;
    for (let i = 4; i < Math.min(this.buf.length, 16); i++) {
      const b = this.buf.at(i);
      if (b !== 0x20 && (b < 0x30 || b > 0x39)) return false;
    }
    if (this.buf.length > 16 && this.buf.at(16) !== CR) return false;
    return true;
  }

  private frame(size: number): Reading | null {
    const swa = this.buf.at(1);
    const swb = this.buf.at(2);
    const swc = this.buf.at(3);
    if (!isStatus(swa) || !isStatus(swb) || !isStatus(swc)) return null;
    if (this.buf.at(16) !== CR) return null;
    const w = readDigits(this.buf, 4);
    const t = readDigits(this.buf, 10);
    if (w === null || t === null) return null;
    const frame = this.buf.bytes.subarray(0, size);
    if (this.checksum && toledoChecksum(frame.subarray(0, TOLEDO_FRAME)) !== this.buf.at(TOLEDO_FRAME)) return null;
    const raw = toHex(frame);

    const code = swa & 7;
    const factor = DECIMAL_FACTOR[code] ?? 1;
    const decimals = DECIMALS[code] ?? 0;
    const scale = (n: number): number => round6(Number((n * factor).toFixed(decimals)));
    const negative = (swb & 0x02) !== 0;
    const weight = (negative ? -1 : 1) * scale(w);
    const tare = scale(t);
    const net = (swb & 0x01) !== 0;
    const unitCode = swc & 7;
    if (unitCode !== 0 && unitCode !== 1) {
      return badReading('error', (swb & 0x10) !== 0 ? 'kg' : 'lb', raw, `unsupported unit code ${unitCode}`);
    }
    const unit: WeightUnit = unitCode === 1 ? 'g' : (swb & 0x10) !== 0 ? 'kg' : 'lb';
    if ((swb & 0x04) !== 0) {
      return negative
        ? badReading('underload', unit, raw, 'under range', { weight, net, tare })
        : badReading('overload', unit, raw, 'over range', { weight, net, tare });
    }
    return okReading(weight, unit, (swb & 0x08) === 0, raw, { net, tare });
  }
}
