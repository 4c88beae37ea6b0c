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

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
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
  private buf = new Uint8Array(0);
  constructor(readonly max: number = DEFAULT_MAX_BUFFER) {
    if (!Number.isInteger(max) || max < 64) throw new RangeError('max buffer must be an integer >= 64');
  }
  get length(): number {
    return this.buf.length;
  }
  get bytes(): Uint8Array {
    return this.buf;
  }
  append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const total = this.buf.length + chunk.length;
    const next = new Uint8Array(Math.min(total, this.max));
    if (chunk.length >= this.max) {
      next.set(chunk.subarray(chunk.length - this.max));
    } else {
      const keepOld = next.length - chunk.length;
      next.set(this.buf.subarray(this.buf.length - keepOld), 0);
      next.set(chunk, keepOld);
    }
    this.buf = next;
  }
  at(i: number): number {
    return this.buf[i] ?? -1;
  }
  consume(n: number): void {
    this.buf = this.buf.slice(Math.min(n, this.buf.length));
  }
  clear(): void {
    this.buf = new Uint8Array(0);
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
 * only say how frames are found and read (`push`).
 */
export abstract class BufferedDecoder implements ScaleDecoder {
  protected readonly buf: BoundedBuffer;
  protected readonly replies = new ReplyQueue();

  constructor(maxBuffer: number) {
    this.buf = new BoundedBuffer(maxBuffer);
  }

  abstract push(bytes: Uint8Array): Reading[];

  takeReplies(): ScaleReply[] {
    return this.replies.take();
  }

  /** Forgets partial frames and unread replies, e.g. after the port was reopened. */
  reset(): void {
    this.buf.clear();
    this.replies.take();
  }
}
