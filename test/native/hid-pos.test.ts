import { describe, expect, it } from 'vitest';
import { GS, parseScan } from '../../native/protocols/gs1.js';
import {
  HID_POS_GAP_MS,
  HID_POS_MAX_DATA,
  HID_POS_MAX_SCAN,
  HidPosDecoder,
  encodeHidPosReports,
  type HidPosEvent,
} from '../../native/protocols/hid-pos.js';
import { mulberry32 as prng } from '../../main/core/prng.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const LABEL = `01046070010000131026-11${GS}17261127`;

function decodeAll(reports: Uint8Array[], start = 0): HidPosEvent[] {
  const decoder = new HidPosDecoder();
  return reports.flatMap((r, i) => decoder.push(r, start + i));
}

describe('HID-POS scanned-data reports', () => {
  it('reads a one-report scan with the report id in front (Linux hidraw, Windows)', () => {
    const [report] = encodeHidPosReports(utf8(LABEL), ']C1', true);
    expect(report).toHaveLength(64);
    expect(report?.[0]).toBe(0x02);
    expect(decodeAll([report!])).toEqual([{ scan: `]C1${LABEL}`, aim: ']C1' }]);
  });

  it('reads the same scan with the report id stripped', () => {
    const [report] = encodeHidPosReports(utf8(LABEL), ']C1', false);
    expect(report).toHaveLength(63);
    expect(decodeAll([report!])).toEqual([{ scan: `]C1${LABEL}`, aim: ']C1' }]);
  });

  it('gives parseScan what a serial scanner would: AIM, GS1 fields, dates', () => {
    const [event] = decodeAll(encodeHidPosReports(utf8(LABEL), ']C1'));
    const scan = parseScan((event as { scan: string }).scan, { referenceYear: 2026 });
    expect(scan.errors).toEqual([]);
    expect(scan.fields.map((f) => [f.ai, f.value])).toEqual([
      ['01', '04607001000013'],
      ['10', '26-11'],
      ['17', '261127'],
    ]);
  });

  it('joins continuation reports, even when a UTF-8 character is cut between two', () => {
    const text = `${'Я'.repeat(27)}x${'Ж'.repeat(40)}`; // 'x' shifts the two-byte letters across the 56-byte boundary
    const bytes = utf8(text);
    const reports = encodeHidPosReports(bytes, ']Q1');
    expect(reports.length).toBe(Math.ceil(bytes.length / HID_POS_MAX_DATA));
    const decoder = new HidPosDecoder();
    expect(decoder.push(reports[0]!, 0)).toEqual([]); // more follow: nothing yet
    const events = reports.slice(1).flatMap((r, i) => decoder.push(r, i + 1));
    expect(events).toEqual([{ scan: `]Q1${text}`, aim: ']Q1' }]);
  });

  it('reads scans without an AIM identifier (zeros) as plain data', () => {
    for (const withId of [true, false]) {
      expect(decodeAll(encodeHidPosReports(utf8('4607001000013'), null, withId))).toEqual([{ scan: '4607001000013', aim: null }]);
    }
  });

  it('ignores other reports of the device', () => {
    const status = new Uint8Array(64);
    status[0] = 0x01;
    status[1] = 5;
    expect(decodeAll([status])).toEqual([]);
  });

  it('refuses a report whose length byte does not fit', () => {
    const [report] = encodeHidPosReports(utf8('ABC'), ']C0');
    const tooLong = report!.slice();
    tooLong[1] = HID_POS_MAX_DATA + 1;
    const [event] = decodeAll([tooLong]);
    expect(event).toMatchObject({ error: expect.stringMatching(/malformed/) });
    const short = encodeHidPosReports(utf8('ABCDEFGHIJ'), ']C0', false)[0]!.subarray(0, 8); // cut off by the OS
    expect(decodeAll([short])[0]).toMatchObject({ error: expect.stringMatching(/malformed/) });
  });

  it('reports a scan whose last report never came, and reads the next one', () => {
    const first = encodeHidPosReports(utf8('A'.repeat(100)), ']C0')[0]!;
    const next = encodeHidPosReports(utf8('NEXT'), ']C0')[0]!;
    const decoder = new HidPosDecoder();
    expect(decoder.push(first, 0)).toEqual([]);
    expect(decoder.push(next, HID_POS_GAP_MS + 1)).toEqual([
      { error: expect.stringMatching(/cut off/) },
      { scan: ']C0NEXT', aim: ']C0' },
    ]);
  });

  it('bounds the size of one scan, drops the rest of it and reads the next one', () => {
    const oversized = encodeHidPosReports(new Uint8Array(HID_POS_MAX_SCAN + 100).fill(0x41), ']C0');
    const events = decodeAll([...oversized, ...encodeHidPosReports(utf8('NEXT'), ']C0')]);
    expect(events).toEqual([{ error: expect.stringMatching(/longer than/) }, { scan: ']C0NEXT', aim: ']C0' }]);
  });

  it('never throws on random reports, and reads a good scan afterwards', () => {
    const random = prng(0x8c02);
    const decoder = new HidPosDecoder();
    let at = 0;
    for (let n = 0; n < 5_000; n++) {
      const report = Uint8Array.from({ length: Math.floor(random() * 80) }, () => Math.floor(random() * 256));
      if (random() < 0.3 && report.length > 0) report[0] = 0x02;
      if (random() < 0.2 && report.length > 4) report.set([0x5d, 0x43, 0x31], 2);
      at += Math.floor(random() * 50);
      for (const event of decoder.push(report, at)) {
        if ('scan' in event) expect(event.scan.length).toBeLessThanOrEqual(HID_POS_MAX_SCAN + 3);
        else expect(event.error).toEqual(expect.any(String));
      }
    }
    const events = decoder.push(encodeHidPosReports(utf8(LABEL), ']C1')[0]!, at + HID_POS_GAP_MS + 1);
    expect(events.at(-1)).toEqual({ scan: `]C1${LABEL}`, aim: ']C1' });
  });
});
