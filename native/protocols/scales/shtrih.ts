/**
 * Shtrih-M POS2: host sends ENQ; NAK = ready for a command, ACK = an answer is pending.
 * Frame `STX | LEN (1 + data) | CMD | DATA | LRC`, LRC = XOR of LEN, CMD and DATA; every frame is
 * ACK/NAK-ed. The first data byte of every reply is an error code.
 */
import {
  BufferedDecoder,
  badReading,
  okReading,
  round6,
  toHex,
  type Reading,
} from './reading.js';

export const SHTRIH = { STX: 0x02, ENQ: 0x05, ACK: 0x06, NAK: 0x15 } as const;
export const SHTRIH_CMD = { weightState: 0x3a, zero: 0x30, tare: 0x31 } as const;

export const encodeShtrihEnq = (): Uint8Array => Uint8Array.of(SHTRIH.ENQ);
export const encodeShtrihAck = (): Uint8Array => Uint8Array.of(SHTRIH.ACK);
export const encodeShtrihNak = (): Uint8Array => Uint8Array.of(SHTRIH.NAK);

export function shtrihLrc(lenCmdData: Uint8Array): number {
  let x = 0;
  for (const b of lenCmdData) x ^= b;
  return x;
}

export function encodeShtrihFrame(cmd: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (data.length > 254) throw new RangeError('Shtrih data too long');
  const inner = Uint8Array.from([data.length + 1, cmd & 0xff, ...data]);
  return Uint8Array.from([SHTRIH.STX, ...inner, shtrihLrc(inner)]);
}

function password(pw: string): Uint8Array {
  if (!/^\d{4}$/.test(pw)) throw new RangeError('Shtrih password is 4 ASCII digits');
  return Uint8Array.from(Array.from(pw, (c) => c.charCodeAt(0)));
}

export const encodeShtrihGetWeight = (pw: string): Uint8Array => encodeShtrihFrame(SHTRIH_CMD.weightState, password(pw));
export const encodeShtrihZero = (pw: string): Uint8Array => encodeShtrihFrame(SHTRIH_CMD.zero, password(pw));
export const encodeShtrihTare = (pw: string): Uint8Array => encodeShtrihFrame(SHTRIH_CMD.tare, password(pw));

export interface ShtrihWeightFields {
  error?: number;
  status: number;
  grams: number;
  tareGrams?: number;
}

/** A 0x3A reply frame (tests and simulators). */
export function encodeShtrihWeightReply(f: ShtrihWeightFields): Uint8Array {
  const d = new Uint8Array(9);
  const v = new DataView(d.buffer);
  d[0] = f.error ?? 0;
  v.setUint16(1, f.status, true);
  v.setInt32(3, f.grams, true);
  v.setUint16(7, f.tareGrams ?? 0, true);
  return encodeShtrihFrame(SHTRIH_CMD.weightState, d);
}

export const SHTRIH_STATUS = {
  fixed: 1 << 0,
  autoZero: 1 << 1,
  channelOn: 1 << 2,
  tareSet: 1 << 3,
  stable: 1 << 4,
  overload: 1 << 6,
  measurementError: 1 << 7,
  underload: 1 << 8,
} as const;

/** A frame is accepted only with a known command and the length that command's reply has. */
function knownLength(cmd: number, len: number): boolean {
  if (len === 2) return cmd === SHTRIH_CMD.weightState || cmd === SHTRIH_CMD.zero || cmd === SHTRIH_CMD.tare;
  return cmd === SHTRIH_CMD.weightState && len === 10;
}

export class ShtrihDecoder extends BufferedDecoder {
  private control: ('ACK' | 'NAK')[] = [];

  constructor(opts: { maxBuffer?: number } = {}) {
    super(opts.maxBuffer ?? 1024);
  }

  /** ACK/NAK bytes received outside frames since the last call (answers to ENQ and to our frames). */
  takeControl(): ('ACK' | 'NAK')[] {
    const c = this.control;
    this.control = [];
    return c;
  }

  protected readFrames(): Reading[] {
    const out: Reading[] = [];
    for (;;) {
      if (this.buf.length === 0) break;
      const first = this.buf.at(0);
      if (first !== SHTRIH.STX) {
        if (first === SHTRIH.ACK || first === SHTRIH.NAK) {
          this.control.push(first === SHTRIH.ACK ? 'ACK' : 'NAK');
          if (this.control.length > 64) this.control.shift();
        }
        this.buf.consume(1);
        continue;
      }
      if (this.buf.length < 2) break;
      const len = this.buf.at(1);
      const cmd = this.buf.at(2);
      if (len < 1 || (this.buf.length >= 3 && !knownLength(cmd, len))) {
        this.buf.consume(1);
        continue;
      }
      const size = len + 3; // STX + LEN + (CMD + DATA) + LRC
      if (this.buf.length < size) break;
      const frame = this.buf.bytes.slice(0, size);
      if (shtrihLrc(frame.subarray(1, size - 1)) !== frame[size - 1]) {
        this.buf.consume(1);
        continue;
      }
      this.buf.consume(size);
      this.frame(frame, out);
    }
    return out;
  }

  override reset(): void {
    super.reset();
    this.control = [];
  }

  private frame(frame: Uint8Array, out: Reading[]): void {
    const raw = toHex(frame);
    const cmd = frame[2];
    const err = frame[3] ?? 0;
    if (cmd === SHTRIH_CMD.zero || cmd === SHTRIH_CMD.tare) {
      const command = cmd === SHTRIH_CMD.zero ? 'zero' : 'tare';
      if (err === 0) this.replies.add({ command, ok: true, raw });
      else this.replies.add({ command, ok: false, raw, error: `error code ${err}` });
      return;
    }
    if (err !== 0 || frame.length < 13) {
      out.push(badReading('error', 'kg', raw, `error code ${err}`));
      return;
    }
    const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const status = v.getUint16(4, true);
    const grams = v.getInt32(6, true);
    const tareGrams = v.getUint16(10, true);
    const extra = { net: (status & SHTRIH_STATUS.tareSet) !== 0, tare: round6(tareGrams / 1000) };
    const weight = round6(grams / 1000);
    if (status & SHTRIH_STATUS.measurementError) out.push(badReading('error', 'kg', raw, 'measurement error', { weight, ...extra }));
    else if (status & SHTRIH_STATUS.overload) out.push(badReading('overload', 'kg', raw, 'overload', { weight, ...extra }));
    else if (status & SHTRIH_STATUS.underload) out.push(badReading('underload', 'kg', raw, 'underload', { weight, ...extra }));
    else out.push(okReading(weight, 'kg', (status & SHTRIH_STATUS.stable) !== 0, raw, extra));
  }
}
