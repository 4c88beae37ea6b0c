import { describe, expect, it } from 'vitest';
import {
  ACK,
  AstmParseError,
  AstmReceiver,
  AstmSender,
  ENQ,
  EOT,
  ETB,
  ETX,
  LF,
  NAK,
  STX,
  buildHeader,
  buildRecord,
  encodeFrame,
  encodeRecords,
  frameChecksum,
  parseMessage,
  parseNumeric,
  unescapeValue,
  type ReceiverEvent,
  type ReceiverResult,
} from '../../native/protocols/astm/index.js';
import { mulberry32 as prng } from '../../main/core/prng.js';

const te = new TextEncoder();
const ascii = (s: string): Uint8Array => te.encode(s);
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
const flip = (a: Uint8Array, i: number, mask: number): void => {
  a[i] = (a[i] ?? 0) ^ mask;
};

/** A fake clock for the injected `now`. */
function clock(start = 1_000_000): { now: () => number; t: number } {
  const c = { t: start, now: () => c.t };
  return c;
}

/** Push bytes one at a time; collect everything. */
function byteByByte(rx: AstmReceiver, bytes: Uint8Array): ReceiverResult {
  const replies: number[] = [];
  const messages: string[] = [];
  const events: ReceiverEvent[] = [];
  for (const x of bytes) {
    const r = rx.push(b(x));
    if (r.reply) replies.push(...r.reply);
    messages.push(...r.messages);
    events.push(...r.events);
  }
  return { reply: replies.length ? Uint8Array.from(replies) : null, messages, events };
}

// A fish-plant lab message: moisture, pH and salt for one sample of lot L-2024-117.
const RECORDS = [
  buildHeader('MOIST-LAB^1.2', '20240611093000'),
  'P|1|LOT-2024-117||||Smoked salmon',
  'O|1|SMP-0042||^^^MOIST\\^^^PH\\^^^SALT|R||20240611090000',
  'R|1|^^^MOIST^Moisture|62.4|%|55.0-65.0|||F||lab1|20240611091500|20240611092000|MB120',
  'R|2|^^^PH^pH|6,45||6.0-6.8|N||F||lab1||20240611092500|HI98161',
  'R|3|^^^SALT^Salt|3.9|%|2.5-3.5|H||F||lab1||20240611092900|',
  'C|1|I|Above target&F& re-check brine^injection|G',
  'L|1|N',
];

/** Runs a sender against a receiver directly (bytes delivered whole). */
function transfer(records: string[], rx: AstmReceiver): { messages: string[]; rxEvents: ReceiverEvent[] } {
  const tx = new AstmSender(records);
  const messages: string[] = [];
  const rxEvents: ReceiverEvent[] = [];
  let out = tx.start().send;
  while (out) {
    const r = rx.push(out);
    messages.push(...r.messages);
    rxEvents.push(...r.events);
    if (!r.reply) break;
    out = tx.push(r.reply).send;
  }
  expect(tx.state).toBe('done');
  return { messages, rxEvents };
}

// ------------------------------------------------------------------------------- frames

describe('E1381 frames', () => {
  it('encodes STX FN text ETX C1 C2 CR LF with the mod-256 checksum in uppercase hex', () => {
    const f = encodeFrame(1, 'L|1|N\r', true);
    const text = '1L|1|N\r\x03';
    const sum = [...text].reduce((s, c) => s + c.charCodeAt(0), 0) % 256;
    expect(Array.from(f)).toEqual([STX, ...ascii(text), ...ascii(sum.toString(16).toUpperCase().padStart(2, '0')), 0x0d, LF]);
    // hand-computed: '1'=0x31 'L'=0x4C '|'=0x7C '1'=0x31 '|'=0x7C 'N'=0x4E CR=0x0D ETX=0x03 → 0x204 → 04
    expect(new TextDecoder().decode(f.subarray(f.length - 4, f.length - 2))).toBe('04');
    expect(frameChecksum(b(0xff, 0x01))).toBe('00');
    expect(frameChecksum(b(0x0a))).toBe('0A');
  });

  it('numbers frames 1..7, 0, 1 … and splits records over 240 bytes into ETB frames', () => {
    const frames = encodeRecords(Array.from({ length: 9 }, (_, i) => `C|${i + 1}|I|x`));
    expect(frames.map((f) => String.fromCharCode(f[1] ?? 0))).toEqual(['1', '2', '3', '4', '5', '6', '7', '0', '1']);

    const long = `R|1|^^^NOTE|${'x'.repeat(600)}`; // 612 chars + CR = 613 bytes → 240 + 240 + 133
    const parts = encodeRecords([long]);
    expect(parts).toHaveLength(3);
    expect(parts.map((f) => f[f.length - 5])).toEqual([ETB, ETB, ETX]);
    expect(parts.map((f) => f.length - 7)).toEqual([240, 240, 133]);
    expect(() => encodeFrame(8, 'x', true)).toThrow(RangeError);
    expect(() => encodeFrame(1, 'x'.repeat(241), true)).toThrow(RangeError);
  });

  it('does not cut a multi-byte UTF-8 character between frames', () => {
    const rec = `C|1|I|${'я'.repeat(200)}`; // 6 + 400 bytes + CR
    const frames = encodeRecords([rec]);
    expect(frames.length).toBe(2);
    for (const f of frames) expect(f.length - 7).toBeLessThanOrEqual(240);
    const rx = new AstmReceiver({ now: () => 0 });
    const out = byteByByte(rx, cat(b(ENQ), ...frames, ascii(''), encodeRecords(['L|1'], 3)[0]!, b(EOT)));
    expect(out.messages).toEqual([`${rec}\rL|1`]);
  });
});

// ----------------------------------------------------------------------------- receiver

describe('E1381 receiver', () => {
  it('receives a full moisture/pH/salt message in several frames and parses the results', () => {
    const c = clock();
    const rx = new AstmReceiver({ now: c.now });
    const frames = encodeRecords(RECORDS);
    expect(frames.length).toBe(RECORDS.length);

    let r = rx.push(b(ENQ));
    expect(r.reply).toEqual(b(ACK));
    const messages: string[] = [];
    for (const f of frames) {
      c.t += 200;
      r = byteByByte(rx, f);
      expect(r.reply).toEqual(b(ACK));
      messages.push(...r.messages);
    }
    expect(rx.push(b(EOT)).events).toEqual([{ type: 'eot' }]);
    expect(rx.linkState).toBe('idle');
    expect(messages).toEqual([RECORDS.join('\r')]);

    const msg = parseMessage(messages[0]!);
    expect(msg.sender).toBe('MOIST-LAB');
    expect(msg.patientId).toBe('LOT-2024-117');
    expect(msg.sampleId).toBe('SMP-0042');
    expect(msg.terminated).toBe(true);
    expect(msg.results.map(({ sampleId, testCode, value, numeric, unit, referenceRange, flags, status }) => ({ sampleId, testCode, value, numeric, unit, referenceRange, flags, status }))).toEqual([
      { sampleId: 'SMP-0042', testCode: 'MOIST', value: '62.4', numeric: 62.4, unit: '%', referenceRange: '55.0-65.0', flags: [], status: 'F' },
      { sampleId: 'SMP-0042', testCode: 'PH', value: '6,45', numeric: 6.45, unit: '', referenceRange: '6.0-6.8', flags: ['N'], status: 'F' },
      { sampleId: 'SMP-0042', testCode: 'SALT', value: '3.9', numeric: 3.9, unit: '%', referenceRange: '2.5-3.5', flags: ['H'], status: 'F' },
    ]);
    expect(msg.results[0]!.testId).toEqual(['', '', '', 'MOIST', 'Moisture']);
    expect(msg.results[0]!.completedAt).toBe('20240611092000');
    expect(msg.results[0]!.instrument).toBe('MB120');
    expect(msg.results[2]!.comments).toEqual(['Above target| re-check brine injection']);
  });

  it('handles the whole transmission delivered in a single read, and via the sender', () => {
    const rx = new AstmReceiver({ now: () => 0 });
    const r = rx.push(cat(b(ENQ), ...encodeRecords(RECORDS), b(EOT)));
    expect(Array.from(r.reply ?? [])).toEqual(Array(RECORDS.length + 1).fill(ACK));
    expect(r.messages).toEqual([RECORDS.join('\r')]);
    expect(transfer(RECORDS, new AstmReceiver({ now: () => 0 })).messages).toEqual([RECORDS.join('\r')]);
  });

  it('joins ETB continuations of a long record', () => {
    const note = 'Sample taken from batch 7, '.repeat(30).trim(); // ~ 800 chars
    const records = [buildHeader('LAB'), 'O|1|SMP-9', `R|1|^^^SALT|2.1|%`, buildRecord('C', ['1', 'I', note, 'G']), 'L|1|N'];
    const frames = encodeRecords(records);
    expect(frames.length).toBeGreaterThan(records.length + 2);
    const rx = new AstmReceiver({ now: () => 0 });
    const out = byteByByte(rx, cat(b(ENQ), ...frames, b(EOT)));
    expect(out.events.filter((e) => e.type === 'frame' && !e.final).length).toBe(frames.length - records.length);
    expect(out.messages).toEqual([records.join('\r')]);
    expect(parseMessage(out.messages[0]!).results[0]!.comments).toEqual([note]);
  });

  it('NAKs a bad checksum, then accepts the retransmitted frame', () => {
    const rx = new AstmReceiver({ now: () => 0 });
    const frames = encodeRecords(['H|\\^&', 'R|1|^^^PH|6.5', 'L|1']);
    rx.push(b(ENQ));
    expect(rx.push(frames[0]!).reply).toEqual(b(ACK));
    const bad = frames[1]!.slice();
    bad[bad.length - 4] = bad[bad.length - 4] === 0x30 ? 0x31 : 0x30; // corrupt C1
    let r = rx.push(bad);
    expect(r.reply).toEqual(b(NAK));
    expect(r.events).toContainEqual({ type: 'bad-frame', reason: 'checksum', fn: 2 });
    const flipped = frames[1]!.slice();
    flip(flipped, 5, 0x01); // corrupt a text byte
    expect(rx.push(flipped).reply).toEqual(b(NAK));
    r = rx.push(frames[1]!);
    expect(r.reply).toEqual(b(ACK));
    r = rx.push(frames[2]!);
    expect(r.reply).toEqual(b(ACK));
    expect(r.messages).toEqual(['H|\\^&\rR|1|^^^PH|6.5\rL|1']);
  });

  it('ACKs a duplicate frame (lost ACK) without using it twice, NAKs a wrong frame number', () => {
    const rx = new AstmReceiver({ now: () => 0 });
    const frames = encodeRecords(['H|\\^&', 'R|1|^^^PH|6.5', 'L|1']);
    rx.push(b(ENQ));
    rx.push(frames[0]!);
    rx.push(frames[1]!);
    let r = rx.push(frames[1]!);
    expect(r.reply).toEqual(b(ACK));
    expect(r.events).toEqual([{ type: 'duplicate', fn: 2 }]);
    // frame 4 where 3 is expected
    r = rx.push(encodeFrame(4, 'L|1\r', true));
    expect(r.reply).toEqual(b(NAK));
    expect(r.events).toEqual([{ type: 'bad-frame', reason: 'frame-number', fn: 4 }]);
    r = rx.push(frames[2]!);
    expect(r.messages).toEqual(['H|\\^&\rR|1|^^^PH|6.5\rL|1']);
    // the first frame of a transmission must be 1
    rx.push(b(EOT, ENQ));
    expect(rx.push(encodeFrame(2, 'H|\\^&\r', true)).reply).toEqual(b(NAK));
  });

  it('times out mid-message through the injected clock, discarding the partial message', () => {
    const c = clock();
    const rx = new AstmReceiver({ now: c.now });
    const frames = encodeRecords(['H|\\^&', 'O|1|SMP-1', 'R|1|^^^MOIST|70.1|%', 'L|1']);
    rx.push(b(ENQ));
    rx.push(cat(frames[0]!, frames[1]!));
    c.t += 14_999;
    expect(rx.tick(c.t).events).toEqual([]);
    expect(rx.linkState).toBe('receiving');
    c.t += 1;
    const t = rx.tick(c.t);
    expect(t.events[0]).toEqual({ type: 'timeout' });
    expect(t.events[1]).toMatchObject({ type: 'discarded', reason: 'timeout' });
    expect(rx.linkState).toBe('idle');
    // the rest of the old transmission is noise now: no reply, no message
    const late = rx.push(cat(frames[2]!, frames[3]!, b(EOT)));
    expect(late.reply).toBeNull();
    expect(late.messages).toEqual([]);
    // a fresh transmission works and does not contain the discarded records
    const again = rx.push(cat(b(ENQ), ...encodeRecords(['H|\\^&', 'R|1|^^^PH|6.2', 'L|1']), b(EOT)));
    expect(again.messages).toEqual(['H|\\^&\rR|1|^^^PH|6.2\rL|1']);
  });

  it('also notices the timeout on the next push, and each frame restarts the timer', () => {
    const c = clock();
    const rx = new AstmReceiver({ now: c.now, timeoutMs: 15_000 });
    const frames = encodeRecords(['H|\\^&', 'R|1|^^^PH|6.2', 'L|1']);
    rx.push(b(ENQ));
    c.t += 10_000;
    rx.push(frames[0]!);
    c.t += 10_000; // 20 s after ENQ, 10 s after the last frame
    expect(rx.push(frames[1]!).reply).toEqual(b(ACK));
    c.t += 15_000;
    const r = rx.push(frames[2]!);
    expect(r.events[0]).toEqual({ type: 'timeout' });
    expect(r.reply).toBeNull();
    expect(r.messages).toEqual([]);
  });

  it('ignores garbage before ENQ and between frames', () => {
    const rx = new AstmReceiver({ now: () => 0 });
    const frames = encodeRecords(RECORDS);
    const noise = ascii('\r\n??noise 12.5 kg\r\n');
    const stream = cat(noise, b(0x00, 0xff, STX), ascii('1H|garbage'), b(ENQ), ...frames.flatMap((f) => [f, noise, b(0x13, 0x7f)]), b(EOT));
    const out = byteByByte(rx, stream);
    expect(out.messages).toEqual([RECORDS.join('\r')]);
    expect(Array.from(out.reply ?? []).every((x) => x === ACK)).toBe(true);
    expect(out.events.some((e) => e.type === 'garbage')).toBe(true);
    // a truncated frame followed by a new STX is dropped and the new frame is used
    const rx2 = new AstmReceiver({ now: () => 0 });
    const r = rx2.push(cat(b(ENQ, STX), ascii('1H|\\^&|||trunc'), ...encodeRecords(['H|\\^&', 'L|1'])));
    expect(r.messages).toEqual(['H|\\^&\rL|1']);
  });

  it('discards a message without its L record when the sender ends with EOT', () => {
    const rx = new AstmReceiver({ now: () => 0 });
    const r = rx.push(cat(b(ENQ), ...encodeRecords(['H|\\^&', 'R|1|^^^PH|6.2']), b(EOT)));
    expect(r.messages).toEqual([]);
    expect(r.events).toContainEqual(expect.objectContaining({ type: 'discarded', reason: 'eot' }));
  });

  it('emits two messages sent in one transmission', () => {
    const rx = new AstmReceiver({ now: () => 0 });
    const one = ['H|\\^&', 'O|1|A', 'R|1|^^^PH|6.1', 'L|1'];
    const two = ['H|\\^&', 'O|1|B', 'R|1|^^^PH|6.3', 'L|1'];
    const r = rx.push(cat(b(ENQ), ...encodeRecords([...one, ...two]), b(EOT)));
    expect(r.messages).toEqual([one.join('\r'), two.join('\r')]);
  });
});

// ------------------------------------------------------------------------------- sender

describe('E1381 sender', () => {
  it('retransmits on NAK until ACK, then ends with EOT', () => {
    const tx = new AstmSender(['H|\\^&', 'L|1'], { now: () => 0 });
    expect(tx.start().send).toEqual(b(ENQ));
    const f1 = tx.push(b(ACK));
    expect(f1.send).toEqual(tx.frames[0]);
    for (let i = 2; i <= 4; i++) {
      const s = tx.push(b(NAK));
      expect(s.send).toEqual(tx.frames[0]);
      expect(s.events).toContainEqual({ type: 'frame', index: 0, attempt: i });
    }
    expect(tx.push(b(ACK)).send).toEqual(tx.frames[1]);
    const end = tx.push(b(ACK));
    expect(end.send).toEqual(b(EOT));
    expect(end.state).toBe('done');
  });

  it('gives up after 6 NAKs of the same frame (6 tries) with EOT', () => {
    const tx = new AstmSender(['H|\\^&', 'L|1'], { now: () => 0 });
    tx.start();
    tx.push(b(ACK)); // try 1 of frame 1
    let sent = 1;
    let last = tx.push(b(NAK));
    while (last.state === 'awaiting-frame-reply') {
      expect(last.send).toEqual(tx.frames[0]);
      sent++;
      last = tx.push(b(NAK));
    }
    expect(sent).toBe(6);
    expect(last.send).toEqual(b(EOT));
    expect(last.state).toBe('failed');
    expect(last.events).toContainEqual({ type: 'failed', reason: 'nak-limit' });
    expect(tx.push(b(ACK)).send).toBeNull();
  });

  it('counts tries per frame: a NAK on frame 1 does not use up frame 2', () => {
    const tx = new AstmSender(['H|\\^&', 'L|1'], { now: () => 0 });
    tx.start();
    tx.push(b(ACK));
    for (let i = 0; i < 5; i++) tx.push(b(NAK));
    expect(tx.push(b(ACK)).send).toEqual(tx.frames[1]); // frame 1 went through on try 6
    for (let i = 0; i < 5; i++) expect(tx.push(b(NAK)).send).toEqual(tx.frames[1]);
    expect(tx.push(b(ACK)).send).toEqual(b(EOT));
    expect(tx.state).toBe('done');
  });

  it('against a receiver over a noisy line: corrupted frames are NAKed and resent until they pass', () => {
    const rnd = prng(7);
    const rx = new AstmReceiver({ now: () => 0 });
    const tx = new AstmSender(RECORDS, { now: () => 0 });
    const messages: string[] = [];
    let naks = 0;
    let out = tx.start().send;
    const state = (): string => tx.state;
    while (out && state() !== 'done' && state() !== 'failed') {
      const wire = out.slice();
      // corrupt FN or a text byte: the checksum (or format) check must catch it
      if (wire.length > 1 && rnd() < 0.4) flip(wire, 1 + Math.floor(rnd() * (wire.length - 6)), 0x20);
      const r = rx.push(wire);
      messages.push(...r.messages);
      if (r.reply?.[0] === NAK) naks++;
      out = r.reply ? tx.push(r.reply).send : null;
      if (out && state() === 'done') messages.push(...rx.push(out).messages);
    }
    expect(naks).toBeGreaterThan(0);
    expect(tx.state).toBe('done');
    expect(messages).toEqual([RECORDS.join('\r')]);
  });

  it('fails with EOT when no reply comes within 15 s, and retries ENQ after a busy NAK', () => {
    const c = clock();
    const tx = new AstmSender(['H|\\^&', 'L|1'], { now: c.now });
    tx.start();
    expect(tx.push(b(NAK)).state).toBe('busy');
    c.t += 9_999;
    expect(tx.tick(c.t).send).toBeNull();
    c.t += 1;
    expect(tx.tick(c.t).send).toEqual(b(ENQ));
    tx.push(b(ACK));
    c.t += 15_000;
    const t = tx.tick(c.t);
    expect(t.send).toEqual(b(EOT));
    expect(t.events).toEqual([{ type: 'failed', reason: 'timeout' }]);
  });
});

// ------------------------------------------------------------------------------- E1394

describe('E1394 records', () => {
  it('uses the delimiters declared in the H record and decodes escapes', () => {
    const msg = parseMessage(['H!~#$!!!PH-METER', 'O!1!S#1~S2', 'R!1!###PH!7$F$1!!6$S$8!H~A!!P', 'L!1'].join('\n'));
    expect(msg.delimiters).toEqual({ field: '!', repeat: '~', component: '#', escape: '$' });
    expect(msg.sender).toBe('PH-METER');
    expect(msg.sampleId).toBe('S');
    const r = msg.results[0]!;
    expect(r.testCode).toBe('PH');
    expect(r.value).toBe('7!1');
    expect(r.numeric).toBeNull();
    expect(r.referenceRange).toBe('6#8');
    expect(r.flags).toEqual(['H', 'A']);
    expect(r.status).toBe('P');
  });

  it('decodes &F& &S& &R& &E& &Xhh& and drops &H&/&N&, keeping unknown sequences', () => {
    expect(unescapeValue('a&F&b&S&c&R&d&E&e')).toBe('a|b^c\\d&e');
    expect(unescapeValue('&X4A4B&-&XD0B0&')).toBe('JK-а');
    expect(unescapeValue('&H&bold&N& text')).toBe('bold text');
    expect(unescapeValue('5 & 6 &Q& end&')).toBe('5 & 6 &Q& end&');
    const rec = buildRecord('C', ['1', 'I', 'a|b^c\\d&e', 'G']);
    expect(parseMessage(`H|\\^&\r${rec}\rL|1`).comments).toEqual(['a|b^c\\d&e']);
  });

  it('parses numbers as instruments print them', () => {
    expect(['22.5', '+7.01', '-0.5', '3,2', '.5', '1e3', ' 12 '].map(parseNumeric)).toEqual([22.5, 7.01, -0.5, 3.2, 0.5, 1000, 12]);
    expect(['<0.5', 'POS', '', '1.2.3', 'NaN', 'Infinity', '12%'].map(parseNumeric)).toEqual(Array(7).fill(null));
  });

  it('assigns results to the order before them and takes the test code from the first non-empty component', () => {
    const msg = parseMessage(['H|\\^&', 'P|1', 'O|1|A-1', 'R|1|^^^SALT|2.0|%', 'O|2||INST-7', 'R|1|MOIST|70|%', 'L|1|N'].join('\r'));
    expect(msg.sampleId).toBe('A-1');
    expect(msg.patientId).toBeNull();
    expect(msg.results.map((r) => [r.sampleId, r.testCode, r.numeric])).toEqual([
      ['A-1', 'SALT', 2],
      ['INST-7', 'MOIST', 70],
    ]);
  });

  it('rejects messages that do not start with a usable H record', () => {
    expect(() => parseMessage('')).toThrow(AstmParseError);
    expect(() => parseMessage('R|1|^^^PH|7')).toThrow(AstmParseError);
    expect(() => parseMessage('H||||')).toThrow(AstmParseError);
  });
});

// --------------------------------------------------------------------------------- fuzz

describe('fuzz', () => {
  it('receiver: random bytes (with ENQ/STX/ETX/EOT sprinkled) never throw and never make a message', () => {
    const rnd = prng(1381);
    const c = clock();
    const rx = new AstmReceiver({ now: c.now });
    const special = [ENQ, STX, ETX, ETB, EOT, 0x0d, LF, 0x31, 0x7c];
    let replies = 0;
    for (let i = 0; i < 20_000; i++) {
      const n = 1 + Math.floor(rnd() * 64);
      const chunk = Uint8Array.from({ length: n }, () => (rnd() < 0.15 ? special[Math.floor(rnd() * special.length)]! : Math.floor(rnd() * 256)));
      c.t += Math.floor(rnd() * 2000);
      const r = rx.push(chunk);
      expect(r.messages).toEqual([]);
      if (r.reply) replies += r.reply.length;
      if (i % 100 === 0) rx.tick(c.t);
    }
    expect(replies).toBeGreaterThan(0); // ENQs were answered, so the frame path was exercised
  });

  it('receiver: valid transmissions in noise still come through intact', () => {
    const rnd = prng(99);
    const rx = new AstmReceiver({ now: () => 0 });
    const noise = (): Uint8Array => Uint8Array.from({ length: Math.floor(rnd() * 20) }, () => [0x20, 0x41, 0x7e, 0x0d, 0xff][Math.floor(rnd() * 5)]!);
    const got: string[] = [];
    for (let i = 0; i < 50; i++) {
      const records = ['H|\\^&', `O|1|S-${i}`, `R|1|^^^PH|${(6 + rnd()).toFixed(2)}`, 'L|1'];
      const stream = cat(noise(), b(ENQ), ...encodeRecords(records).flatMap((f) => [noise(), f]), noise(), b(EOT));
      let pos = 0;
      while (pos < stream.length) {
        const n = 1 + Math.floor(rnd() * 40);
        got.push(...rx.push(stream.subarray(pos, pos + n)).messages);
        pos += n;
      }
      expect(got[got.length - 1]).toBe(records.join('\r'));
    }
    expect(got).toHaveLength(50);
  });

  it('parser: random text either parses or throws AstmParseError, nothing else', () => {
    const rnd = prng(1394);
    const alphabet = 'HPORCL|\\^&!#$~X0123456789ABF.,-\r\n ';
    for (let i = 0; i < 5_000; i++) {
      const s = (rnd() < 0.5 ? 'H|\\^&' : '') + Array.from({ length: Math.floor(rnd() * 200) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      try {
        const m = parseMessage(s);
        for (const r of m.results) expect(r.numeric === null || Number.isFinite(r.numeric)).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(AstmParseError);
      }
    }
  });
});
