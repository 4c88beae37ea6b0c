/**
 * Common types and helpers for scale protocol decoders. Pure code: no I/O, no serialport, no electron.
 */

export type WeightUnit = 'kg' | 'g' | 'lb';
export type ReadingStatus = 'ok' | 'overload' | 'underload' | 'error';

/** One weight reading decoded from one complete, verified frame. */
export interface Reading {
  /** Weight in `unit` (0 when the frame carries no usable weight, e.g. an error reply). */
  weight: number;
  unit: WeightUnit;
  /** Weight converted to grams; null unless `status` is 'ok'. */
  grams: number | null;
  /** True only when the protocol says the weight is stable. */
  stable: boolean;
  status: ReadingStatus;
  net?: boolean;
  /** Tare in `unit`, when the protocol reports it. */
  tare?: number;
  /** The frame: hex bytes for binary protocols, text for line protocols. */
  raw: string;
  error?: string;
}

/** Answer to a zero or tare command (kept apart from weight readings on purpose). */
export interface ScaleReply {
  command: 'zero' | 'tare';
  ok: boolean;
  /** Tare value in `unit`, when the reply carries one. */
  tare?: number;
  unit?: WeightUnit;
  raw: string;
  error?: string;
}

/** Every decoder implements this; `push` never throws on any input. */
export interface ScaleDecoder {
  push(bytes: Uint8Array): Reading[];
  /** Zero/tare replies seen since the last call (bounded queue). */
  takeReplies(): ScaleReply[];
  reset(): void;
}

export const GRAMS_PER_UNIT: Readonly<Record<WeightUnit, number>> = { kg: 1000, g: 1, lb: 453.59237 };

/** Rounds away binary floating noise (1e-6 of the unit is far below any scale's division). */
export function round6(x: number): number {
  const r = Math.round(x * 1e6) / 1e6;
  return Object.is(r, -0) ? 0 : r;
}

export function toGrams(weight: number, unit: WeightUnit): number {
  return round6(weight * GRAMS_PER_UNIT[unit]);
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).toUpperCase().padStart(2, '0'));

/** `02 2D 30 …` — every binary frame is kept this way with its reading, so it is on the hot path. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += i === 0 ? HEX[bytes[i]!] : ` ${HEX[bytes[i]!]}`;
  return out;
}

export function fromHex(hex: string): Uint8Array {
  const parts = hex.trim().split(/\s+/).filter((p) => p.length > 0);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

export function okReading(
  weight: number,
  unit: WeightUnit,
  stable: boolean,
  raw: string,
  extra: { net?: boolean; tare?: number } = {},
): Reading {
  const w = round6(weight);
  return { weight: w, unit, grams: toGrams(w, unit), stable, status: 'ok', ...extra, raw };
}

export function badReading(
  status: Exclude<ReadingStatus, 'ok'>,
  unit: WeightUnit,
  raw: string,
  error: string,
  extra: { weight?: number; net?: boolean; tare?: number } = {},
): Reading {
  const { weight, ...rest } = extra;
  return { weight: round6(weight ?? 0), unit, grams: null, stable: false, status, ...rest, raw, error };
}

export const DEFAULT_MAX_BUFFER = 4096;
export const MAX_QUEUED_REPLIES = 64;

/**
 * Growable byte buffer with a hard bound: when it would exceed `max` bytes the oldest bytes are
 * dropped (they cannot belong to any frame the decoder accepts, whose sizes are far below `max`).
 */
export class BoundedBuffer {
  // Reading a frame only moves `start`; the bytes are copied once per append, not once per frame
  // (a backlog of hundreds of frames would otherwise be copied hundreds of times).
  private data = new Uint8Array(0);
  private start = 0;
  constructor(readonly max: number = DEFAULT_MAX_BUFFER) {
    if (!Number.isInteger(max) || max < 64) throw new RangeError('max buffer must be an integer >= 64');
  }
  get length(): number {
    return this.data.length - this.start;
  }
  /** The unread bytes (a view: valid until the next append). */
  get bytes(): Uint8Array {
    return this.data.subarray(this.start);
  }
  append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const kept = this.bytes;
    const next = new Uint8Array(Math.min(kept.length + chunk.length, this.max));
    if (chunk.length >= this.max) {
      next.set(chunk.subarray(chunk.length - this.max));
    } else {
      const keepOld = next.length - chunk.length;
      next.set(kept.subarray(kept.length - keepOld), 0);
      next.set(chunk, keepOld);
    }
    this.data = next;
    this.start = 0;
  }
  at(i: number): number {
    return i >= 0 && i < this.length ? this.data[this.start + i]! : -1;
  }
  consume(n: number): void {
    this.start = Math.min(this.start + n, this.data.length);
  }
  clear(): void {
    this.data = new Uint8Array(0);
    this.start = 0;
  }
}

/** Bounded FIFO for replies. */
export class ReplyQueue {
  private items: ScaleReply[] = [];
  add(r: ScaleReply): void {
    this.items.push(r);
    if (this.items.length > MAX_QUEUED_REPLIES) this.items.shift();
  }
  take(): ScaleReply[] {
    const out = this.items;
    this.items = [];
    return out;
  }
}

/**
 * What every decoder shares: a bounded receive buffer and the zero/tare reply queue. Subclasses
 * only say how frames are found and read (`readFrames`).
 */
export abstract class BufferedDecoder implements ScaleDecoder {
  protected readonly buf: BoundedBuffer;
  protected readonly replies = new ReplyQueue();

  constructor(maxBuffer: number) {
    this.buf = new BoundedBuffer(maxBuffer);
  }

  /**
   * A chunk bigger than the buffer (a backlog the OS hands over in one read) is taken in slices,
   * each read for frames before the next goes in, so the buffer's bound never drops a frame.
   */
  push(bytes: Uint8Array): Reading[] {
    const step = Math.floor(this.buf.max / 2);
    if (bytes.length <= step) {
      this.buf.append(bytes);
      return this.readFrames();
    }
    const out: Reading[] = [];
    for (let at = 0; at < bytes.length; at += step) {
      this.buf.append(bytes.subarray(at, at + step));
      for (const reading of this.readFrames()) out.push(reading);
    }
    return out;
  }

  /** Reads every complete frame now in the buffer, consuming what it reads or skips. */
  protected abstract readFrames(): Reading[];

  takeReplies(): ScaleReply[] {
    return this.replies.take();
  }

  /** Forgets partial frames and unread replies, e.g. after the port was reopened. */
  reset(): void {
    this.buf.clear();
    this.replies.take();
  }
}
