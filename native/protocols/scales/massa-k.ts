/**
 * Massa-K "Protocol 100": `F8 55 CE | len (u16 LE) | body | CRC16 (LE)`, CRC over the body only
 * (polynomial 0x1021, init 0, the non-standard table-less form from the manufacturer's code).
 */
import {
  BufferedDecoder,
  badReading,
  okReading,
  round6,
  toHex,
  type Reading,
} from './reading.js';

export const MASSA_K_HEADER = [0xf8, 0x55, 0xce] as const;
export const MASSA_K_CMD = {
  getWeight: 0x23,
  weight: 0x24,
  setZero: 0x72,
  zeroOk: 0x27,
  setTare: 0xa3,
  tareOk: 0x12,
  tareRefused: 0x15,
  error: 0x28,
  nack: 0xf0,
} as const;
/** Bodies longer than this are treated as a corrupt length field. */
export const MASSA_K_MAX_BODY = 256;

/** Exactly the spec's pseudo-code (not CRC-16/XMODEM). */
export function massaKCrc(body: Uint8Array): number {
  let crc = 0;
  for (const byte of body) {
    let acc = 0;
    let t = (crc >> 8) << 8;
    for (let i = 0; i < 8; i++) {
      if ((t ^ acc) & 0x8000) acc = ((acc << 1) ^ 0x1021) & 0xffff;
      else acc = (acc << 1) & 0xffff;
      t = (t << 1) & 0xffff;
    }
    crc = (acc ^ ((crc << 8) & 0xffff) ^ (byte & 0xff)) & 0xffff;
  }
  return crc;
}

export function encodeMassaKFrame(body: Uint8Array): Uint8Array {
  if (body.length === 0 || body.length > MASSA_K_MAX_BODY) throw new RangeError('bad Massa-K body length');
  const crc = massaKCrc(body);
  return Uint8Array.from([...MASSA_K_HEADER, body.length & 0xff, body.length >> 8, ...body, crc & 0xff, crc >> 8]);
}

export const encodeMassaKGetWeight = (): Uint8Array => encodeMassaKFrame(Uint8Array.of(MASSA_K_CMD.getWeight));
export const encodeMassaKSetZero = (): Uint8Array => encodeMassaKFrame(Uint8Array.of(MASSA_K_CMD.setZero));
/** Set tare. With `tareDivisions` the value is sent as int32 LE; without it, just the command. */
export function encodeMassaKSetTare(tareDivisions?: number): Uint8Array {
  if (tareDivisions === undefined) return encodeMassaKFrame(Uint8Array.of(MASSA_K_CMD.setTare));
  const b = new Uint8Array(5);
  b[0] = MASSA_K_CMD.setTare;
  new DataView(b.buffer).setInt32(1, tareDivisions, true);
  return encodeMassaKFrame(b);
}

/** Grams per division for division codes 0..4. */
export const MASSA_K_DIVISION_GRAMS = [0.1, 1, 10, 100, 1000] as const;

export interface MassaKWeightFields {
  divisions: number;
  divisionCode: number;
  stable: boolean;
  net?: boolean;
  zero?: boolean;
  tareDivisions?: number;
}

/** Body of a 0x24 weight reply (tests and simulators). */
export function encodeMassaKWeightReply(f: MassaKWeightFields): Uint8Array {
  const withTare = f.tareDivisions !== undefined;
  const b = new Uint8Array(withTare ? 13 : 9);
  const v = new DataView(b.buffer);
  b[0] = MASSA_K_CMD.weight;
  v.setInt32(1, f.divisions, true);
  b[5] = f.divisionCode;
  b[6] = f.stable ? 1 : 0;
  b[7] = f.net ? 1 : 0;
  b[8] = f.zero ? 1 : 0;
  if (withTare) v.setInt32(9, f.tareDivisions ?? 0, true);
  return encodeMassaKFrame(b);
}

const ERROR_CODES: Readonly<Record<number, string>> = {
  0x07: 'command not supported',
  0x08: 'overload',
  0x09: 'not in weighing mode',
  0x15: 'cannot set zero',
  0x17: 'no weighing module',
  0x19: 'weighing module fault',
};

export class MassaKDecoder extends BufferedDecoder {

  constructor(opts: { maxBuffer?: number } = {}) {
    // never smaller than the largest acceptable frame
    super(Math.max(opts.maxBuffer ?? 2048, 5 + MASSA_K_MAX_BODY + 2));
  }

  protected readFrames(): Reading[] {
    const out: Reading[] = [];
    for (;;) {
      const data = this.buf.bytes;
      const start = data.indexOf(0xf8);
      if (start < 0) {
        this.buf.clear();
        break;
      }
      if (start > 0) this.buf.consume(start);
      const n = this.buf.length;
      if ((n > 1 && this.buf.at(1) !== 0x55) || (n > 2 && this.buf.at(2) !== 0xce)) {
        this.buf.consume(1);
        continue;
      }
      if (n < 5) break;
      const len = this.buf.at(3) | (this.buf.at(4) << 8);
      if (len === 0 || len > MASSA_K_MAX_BODY) {
        this.buf.consume(1);
        continue;
      }
      if (n < 5 + len + 2) break;
      const frame = this.buf.bytes.slice(0, 5 + len + 2);
      const body = frame.subarray(5, 5 + len);
      const crc = (frame[5 + len] ?? 0) | ((frame[6 + len] ?? 0) << 8);
      if (massaKCrc(body) !== crc) {
        this.buf.consume(1); // bad CRC: never trust it, rescan inside it
        continue;
      }
      this.buf.consume(frame.length);
      this.frame(body, toHex(frame), out);
    }
    return out;
  }

  private frame(body: Uint8Array, raw: string, out: Reading[]): void {
    const cmd = body[0];
    const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
    switch (cmd) {
      case MASSA_K_CMD.weight: {
        if (body.length < 9) {
          out.push(badReading('error', 'kg', raw, 'short weight reply'));
          return;
        }
        const divisions = v.getInt32(1, true);
        const code = body[5] ?? 255;
        const step = MASSA_K_DIVISION_GRAMS[code as 0];
        if (step === undefined) {
          out.push(badReading('error', 'kg', raw, `unknown division code ${code}`));
          return;
        }
        const kg = (d: number): number => round6((d * step) / 1000);
        const extra: { net: boolean; tare?: number } = { net: body[7] === 1 };
        if (body.length >= 13) extra.tare = kg(v.getInt32(9, true));
        out.push(okReading(kg(divisions), 'kg', body[6] === 1, raw, extra));
        return;
      }
      case MASSA_K_CMD.zeroOk:
        this.replies.add({ command: 'zero', ok: true, raw });
        return;
      case MASSA_K_CMD.tareOk:
        this.replies.add({ command: 'tare', ok: true, raw });
        return;
      case MASSA_K_CMD.tareRefused:
        this.replies.add({ command: 'tare', ok: false, raw, error: 'tare refused' });
        return;
      case MASSA_K_CMD.error: {
        const code = body[1] ?? -1;
        const why = ERROR_CODES[code] ?? `error code ${code}`;
        if (code === 0x08) out.push(badReading('overload', 'kg', raw, why));
        else if (code === 0x15) this.replies.add({ command: 'zero', ok: false, raw, error: why });
        else out.push(badReading('error', 'kg', raw, why));
        return;
      }
      case MASSA_K_CMD.nack:
        out.push(badReading('error', 'kg', raw, 'NACK: command not recognised'));
        return;
      default:
        return; // host commands or unknown replies carry no weight
    }
  }
}
