/**
 * ASTM E1381 / CLSI LIS1-A low-level protocol: frames, checksums, and the receiver and sender
 * state machines. Pure code: no I/O and no timers; time comes from an injected clock and `tick()`.
 *
 * Frame: STX FN text ETB|ETX C1 C2 CR LF. FN cycles '1'..'7','0'. Text holds at most 240 bytes;
 * a longer record continues in further frames ending with ETB, its last frame ends with ETX.
 * Checksum: sum of the bytes FN..ETB/ETX modulo 256, as two uppercase hex digits.
 */

export const ENQ = 0x05;
export const ACK = 0x06;
export const NAK = 0x15;
export const EOT = 0x04;
export const STX = 0x02;
export const ETX = 0x03;
export const ETB = 0x17;
export const CR = 0x0d;
export const LF = 0x0a;

/** Maximum text bytes per frame (E1381: 247-byte frame minus the 7 framing characters). */
export const MAX_FRAME_TEXT = 240;
/** E1381 link timeout: 15 s. */
export const DEFAULT_TIMEOUT_MS = 15_000;
/** E1381: a sender whose ENQ was NAKed (receiver busy) waits at least 10 s before trying again. */
export const DEFAULT_BUSY_RETRY_MS = 10_000;
/** E1381: a frame is given up after 6 unsuccessful tries. */
export const DEFAULT_MAX_TRIES = 6;

const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8');

const byte = (b: number): Uint8Array => Uint8Array.of(b);
const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** Checksum over `bytes[from..to]` inclusive (FN through ETB/ETX) as two uppercase hex digits. */
export function frameChecksum(bytes: Uint8Array, from = 0, to = bytes.length - 1): string {
  let sum = 0;
  for (let i = from; i <= to; i++) sum = (sum + (bytes[i] ?? 0)) & 0xff;
  return sum.toString(16).toUpperCase().padStart(2, '0');
}

/** One frame. `fn` is 0..7 (digit sent as ASCII); `final` picks ETX (else ETB). */
export function encodeFrame(fn: number, text: string | Uint8Array, final: boolean): Uint8Array {
  if (!Number.isInteger(fn) || fn < 0 || fn > 7) throw new RangeError(`frame number must be 0..7, got ${fn}`);
  const body = typeof text === 'string' ? utf8.encode(text) : text;
  if (body.length > MAX_FRAME_TEXT) throw new RangeError(`frame text is ${body.length} bytes, at most ${MAX_FRAME_TEXT}`);
  const out = new Uint8Array(body.length + 7);
  out[0] = STX;
  out[1] = 0x30 + fn;
  out.set(body, 2);
  const t = 2 + body.length;
  out[t] = final ? ETX : ETB;
  const cs = frameChecksum(out, 1, t);
  out[t + 1] = cs.charCodeAt(0);
  out[t + 2] = cs.charCodeAt(1);
  out[t + 3] = CR;
  out[t + 4] = LF;
  return out;
}

/** Split bytes into chunks of at most `max` bytes without cutting a UTF-8 sequence. */
function splitUtf8(bytes: Uint8Array, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  while (bytes.length - start > max) {
    let end = start + max;
    // back off while the first byte after the cut is a UTF-8 continuation byte
    while (end > start + 1 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    out.push(bytes.subarray(start, end));
    start = end;
  }
  out.push(bytes.subarray(start));
  return out;
}

/**
 * Frames for a whole transmission: each record (CR appended) starts a new frame; a record longer
 * than 240 bytes goes out as ETB frames followed by one ETX frame. Frame numbers start at
 * `firstFn` (1 for a new transmission) and wrap 7 → 0.
 */
export function encodeRecords(records: readonly string[], firstFn = 1): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let fn = firstFn & 7;
  for (const rec of records) {
    const chunks = splitUtf8(utf8.encode(rec.endsWith('\r') ? rec : `${rec}\r`), MAX_FRAME_TEXT);
    chunks.forEach((chunk, i) => {
      frames.push(encodeFrame(fn, chunk, i === chunks.length - 1));
      fn = (fn + 1) & 7;
    });
  }
  return frames;
}

// ----------------------------------------------------------------------------------- receiver

export type BadFrameReason = 'checksum' | 'frame-number' | 'format';

export type ReceiverEvent =
  | { type: 'enq' }
  | { type: 'frame'; fn: number; final: boolean; text: string }
  | { type: 'duplicate'; fn: number }
  | { type: 'bad-frame'; reason: BadFrameReason; fn: number | null }
  | { type: 'eot' }
  | { type: 'garbage'; bytes: number }
  | { type: 'timeout' }
  | { type: 'discarded'; reason: 'timeout' | 'eot' | 'enq' | 'overflow'; bytes: number };

export interface ReceiverResult {
  /** Bytes to send back (ACK/NAK; several concatenated if one push completed several steps). */
  reply: Uint8Array | null;
  /** Complete messages (H … L), records joined with CR. */
  messages: string[];
  events: ReceiverEvent[];
}

export interface ReceiverOptions {
  /** Link timeout in ms (default 15 000). */
  timeoutMs?: number;
  /** Clock used by `push()` (ms). Inject for tests; defaults to Date.now. */
  now?: () => number;
  /** Cap on the text of one unfinished message; beyond it the message is dropped. */
  maxMessageBytes?: number;
  /** Longest frame text accepted before the frame is treated as broken (lenient above 240). */
  maxFrameText?: number;
}

type RxState = 'idle' | 'receiving';

/**
 * Receiver side of E1381. Feed it whatever the port delivers with `push()`; send `reply` back.
 * Call `tick(now)` periodically so a silent sender times out.
 */
export class AstmReceiver {
  private state: RxState = 'idle';
  private buf: number[] = [];
  /** Index of ETB/ETX in `buf`, or -1 while the frame text is still arriving. */
  private termAt = -1;
  /** Last accepted frame number, or -1 before the first frame of a transmission. */
  private lastFn = -1;
  /** Text of frames received since the last complete record (an unfinished ETB chain). */
  private pendingText: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Complete records of the unfinished message. */
  private records: string[] = [];
  private recordBytes = 0;
  private lastActivity = 0;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly maxMessageBytes: number;
  private readonly maxFrameText: number;

  constructor(opts: ReceiverOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = opts.now ?? Date.now;
    this.maxMessageBytes = opts.maxMessageBytes ?? 1_000_000;
    this.maxFrameText = opts.maxFrameText ?? 1024;
  }

  get linkState(): RxState {
    return this.state;
  }

  /** Back to idle, dropping everything (e.g. after the port was reopened). */
  reset(): void {
    this.state = 'idle';
    this.buf = [];
    this.termAt = -1;
    this.lastFn = -1;
    this.clearMessage();
  }

  /** Enforce the link timeout at time `nowMs`. */
  tick(nowMs: number): ReceiverResult {
    const res: ReceiverResult = { reply: null, messages: [], events: [] };
    this.checkTimeout(nowMs, res.events);
    return res;
  }

  push(bytes: Uint8Array): ReceiverResult {
    const events: ReceiverEvent[] = [];
    const messages: string[] = [];
    const replies: number[] = [];
    const now = this.now();
    this.checkTimeout(now, events);

    let garbage = 0;
    const flushGarbage = (): void => {
      if (garbage > 0) events.push({ type: 'garbage', bytes: garbage });
      garbage = 0;
    };

    for (const b of bytes) {
      if (this.state === 'idle') {
        if (b === ENQ) {
          flushGarbage();
          this.beginTransmission(now, events);
          replies.push(ACK);
        } else {
          garbage++; // idle line noise, stray EOT, frames without ENQ
        }
        continue;
      }
      // receiving
      if (this.buf.length === 0) {
        if (b === STX) {
          flushGarbage();
          this.buf.push(b);
        } else if (b === EOT) {
          flushGarbage();
          this.endTransmission(events);
        } else if (b === ENQ) {
          // the sender started over (it gave up on us or timed out): new transmission
          flushGarbage();
          this.discardMessage('enq', events);
          this.beginTransmission(now, events);
          replies.push(ACK);
        } else {
          garbage++; // includes stray CR/LF after a rejected frame
        }
        continue;
      }
      // inside a frame (buf[0] is STX)
      if (b === STX) {
        garbage += this.buf.length; // truncated frame: start over at the new STX
        this.buf = [STX];
        this.termAt = -1;
        continue;
      }
      if (b === EOT && !this.awaitingTrailer()) {
        garbage += this.buf.length;
        this.buf = [];
        this.termAt = -1;
        flushGarbage();
        this.endTransmission(events);
        continue;
      }
      this.buf.push(b);
      const reply = this.tryCompleteFrame(now, events, messages);
      if (reply !== null) {
        flushGarbage();
        replies.push(reply);
      } else if (this.buf.length > this.maxFrameText + 7) {
        // runaway frame without terminator: drop it
        garbage += this.buf.length;
        this.buf = [];
        this.termAt = -1;
      }
    }
    flushGarbage();
    return { reply: replies.length ? Uint8Array.from(replies) : null, messages, events };
  }

  // --------------------------------------------------------------------------- internals

  /** True when ETB/ETX was seen and only checksum/CR/LF bytes are still expected. */
  private awaitingTrailer(): boolean {
    return this.termAt >= 0;
  }

  /** Returns ACK/NAK when `buf` holds a whole frame (then consumed), else null. */
  private tryCompleteFrame(now: number, events: ReceiverEvent[], messages: string[]): number | null {
    const buf = this.buf;
    if (this.termAt < 0) {
      const last = buf[buf.length - 1];
      if (buf.length > 1 && (last === ETX || last === ETB)) this.termAt = buf.length - 1;
      return null;
    }
    const t = this.termAt;
    if (buf.length < t + 5) return null;
    this.buf = [];
    this.termAt = -1;
    this.lastActivity = now;
    const frame = Uint8Array.from(buf);
    const fnByte = frame[1] ?? 0;
    const fn = fnByte >= 0x30 && fnByte <= 0x37 ? fnByte - 0x30 : null;
    if (t < 2 || fn === null || frame[t + 3] !== CR || frame[t + 4] !== LF) {
      events.push({ type: 'bad-frame', reason: 'format', fn });
      return NAK;
    }
    const got = String.fromCharCode(frame[t + 1] ?? 0, frame[t + 2] ?? 0).toUpperCase();
    if (got !== frameChecksum(frame, 1, t)) {
      events.push({ type: 'bad-frame', reason: 'checksum', fn });
      return NAK;
    }
    const text = frame.subarray(2, t);
    if (text.some((c) => c < 0x20 && c !== CR && c !== 0x09)) {
      // control characters are not allowed in frame text
      events.push({ type: 'bad-frame', reason: 'format', fn });
      return NAK;
    }
    const expected = this.lastFn < 0 ? 1 : (this.lastFn + 1) & 7;
    if (fn !== expected) {
      if (this.lastFn >= 0 && fn === this.lastFn) {
        // our ACK was lost and the sender repeated the frame: acknowledge, do not use it twice
        events.push({ type: 'duplicate', fn });
        return ACK;
      }
      events.push({ type: 'bad-frame', reason: 'frame-number', fn });
      return NAK;
    }
    this.lastFn = fn;
    const final = frame[t] === ETX;
    events.push({ type: 'frame', fn, final, text: utf8d.decode(text) });
    this.pendingText.push(text.slice());
    this.pendingBytes += text.length;
    if (final) this.completeRecords(messages);
    if (this.pendingBytes + this.recordBytes > this.maxMessageBytes) this.discardMessage('overflow', events);
    return ACK;
  }

  /** After an ETX frame: the joined text holds one or more CR-terminated records. */
  private completeRecords(messages: string[]): void {
    const whole = utf8d.decode(concat(this.pendingText));
    this.pendingText = [];
    this.pendingBytes = 0;
    for (const raw of whole.split('\r')) {
      const rec = raw.replace(/^\n+/, '');
      if (rec === '') continue;
      this.records.push(rec);
      this.recordBytes += rec.length;
      if (rec[0] === 'L' || rec[0] === 'l') {
        messages.push(this.records.join('\r'));
        this.records = [];
        this.recordBytes = 0;
      }
    }
  }

  private beginTransmission(now: number, events: ReceiverEvent[]): void {
    this.state = 'receiving';
    this.lastFn = -1;
    this.buf = [];
    this.termAt = -1;
    this.lastActivity = now;
    events.push({ type: 'enq' });
  }

  private endTransmission(events: ReceiverEvent[]): void {
    events.push({ type: 'eot' });
    // a message without its L record is incomplete (e.g. the sender gave up): never emit it
    this.discardMessage('eot', events);
    this.state = 'idle';
    this.lastFn = -1;
    this.buf = [];
    this.termAt = -1;
  }

  private discardMessage(reason: 'timeout' | 'eot' | 'enq' | 'overflow', events: ReceiverEvent[]): void {
    const bytes = this.pendingBytes + this.recordBytes;
    if (bytes > 0 || this.records.length > 0) events.push({ type: 'discarded', reason, bytes });
    this.clearMessage();
  }

  private clearMessage(): void {
    this.pendingText = [];
    this.pendingBytes = 0;
    this.records = [];
    this.recordBytes = 0;
  }

  private checkTimeout(nowMs: number, events: ReceiverEvent[]): void {
    if (this.state === 'idle' || nowMs - this.lastActivity < this.timeoutMs) return;
    events.push({ type: 'timeout' });
    this.discardMessage('timeout', events);
    this.state = 'idle';
    this.lastFn = -1;
    this.buf = [];
    this.termAt = -1;
  }
}

// ------------------------------------------------------------------------------------- sender

export type SenderState = 'idle' | 'awaiting-enq-reply' | 'busy' | 'awaiting-frame-reply' | 'done' | 'failed';

export type SenderEvent =
  | { type: 'enq'; attempt: number }
  | { type: 'busy' }
  | { type: 'frame'; index: number; attempt: number }
  | { type: 'nak'; index: number; attempt: number }
  | { type: 'acked'; index: number }
  | { type: 'done' }
  | { type: 'failed'; reason: 'nak-limit' | 'timeout' | 'busy-limit' };

export interface SenderStep {
  /** Bytes to write to the port now, or null. */
  send: Uint8Array | null;
  state: SenderState;
  events: SenderEvent[];
}

export interface SenderOptions {
  maxTries?: number;
  timeoutMs?: number;
  busyRetryMs?: number;
  now?: () => number;
}

/**
 * Sender side of E1381 for one transmission: `start()` gives the ENQ; feed replies with `push()`;
 * call `tick(now)` for the 15 s reply timeout and the 10 s busy wait. A frame NAKed 6 times (6
 * tries) makes the sender give up with EOT.
 */
export class AstmSender {
  readonly frames: readonly Uint8Array[];
  private st: SenderState = 'idle';
  private index = 0;
  private tries = 0;
  private enqTries = 0;
  private since = 0;
  private readonly maxTries: number;
  private readonly timeoutMs: number;
  private readonly busyRetryMs: number;
  private readonly now: () => number;

  constructor(records: readonly string[], opts: SenderOptions = {}) {
    this.frames = encodeRecords(records);
    this.maxTries = opts.maxTries ?? DEFAULT_MAX_TRIES;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.busyRetryMs = opts.busyRetryMs ?? DEFAULT_BUSY_RETRY_MS;
    this.now = opts.now ?? Date.now;
  }

  get state(): SenderState {
    return this.st;
  }

  start(): SenderStep {
    if (this.st !== 'idle') throw new Error(`sender already started (${this.st})`);
    return this.sendEnq([]);
  }

  push(bytes: Uint8Array): SenderStep {
    const events: SenderEvent[] = [];
    const out: Uint8Array[] = [];
    for (const b of bytes) {
      if (this.st === 'awaiting-enq-reply') {
        if (b === ACK) out.push(this.sendFrame(0, events));
        else if (b === NAK) {
          this.st = 'busy';
          this.since = this.now();
          events.push({ type: 'busy' });
        }
      } else if (this.st === 'awaiting-frame-reply') {
        if (b === ACK || b === EOT) {
          // EOT as a reply is an ACK plus a request to stop soon; we finish our message
          events.push({ type: 'acked', index: this.index });
          if (this.index + 1 >= this.frames.length) out.push(this.finish('done', events));
          else out.push(this.sendFrame(this.index + 1, events));
        } else if (b === NAK) {
          events.push({ type: 'nak', index: this.index, attempt: this.tries });
          if (this.tries >= this.maxTries) out.push(this.finish('failed', events, 'nak-limit'));
          else out.push(this.sendFrame(this.index, events));
        }
      }
      // other bytes (and anything after done/failed) are noise
    }
    return { send: out.length ? concat(out) : null, state: this.st, events };
  }

  tick(nowMs: number): SenderStep {
    const events: SenderEvent[] = [];
    let send: Uint8Array | null = null;
    if ((this.st === 'awaiting-enq-reply' || this.st === 'awaiting-frame-reply') && nowMs - this.since >= this.timeoutMs) {
      send = this.finish('failed', events, 'timeout');
    } else if (this.st === 'busy' && nowMs - this.since >= this.busyRetryMs) {
      if (this.enqTries >= this.maxTries) {
        this.st = 'failed';
        events.push({ type: 'failed', reason: 'busy-limit' });
      } else return this.sendEnq(events);
    }
    return { send, state: this.st, events };
  }

  private sendEnq(events: SenderEvent[]): SenderStep {
    this.enqTries++;
    this.st = 'awaiting-enq-reply';
    this.since = this.now();
    events.push({ type: 'enq', attempt: this.enqTries });
    return { send: byte(ENQ), state: this.st, events };
  }

  private sendFrame(index: number, events: SenderEvent[]): Uint8Array {
    if (index !== this.index || this.st !== 'awaiting-frame-reply') this.tries = 0;
    this.index = index;
    this.tries++;
    this.st = 'awaiting-frame-reply';
    this.since = this.now();
    events.push({ type: 'frame', index, attempt: this.tries });
    const frame = this.frames[index];
    if (!frame) return this.finish('done', events); // no records: just close the link
    return frame;
  }

  private finish(st: 'done' | 'failed', events: SenderEvent[], reason?: 'nak-limit' | 'timeout'): Uint8Array {
    this.st = st;
    events.push(st === 'done' ? { type: 'done' } : { type: 'failed', reason: reason ?? 'timeout' });
    return byte(EOT);
  }
}
