import { describe, expect, it } from 'vitest';
import {
  CasDecoder,
  MassaKDecoder,
  MtSicsDecoder,
  ShtrihDecoder,
  SHTRIH_STATUS,
  ToledoDecoder,
  encodeCasFrame,
  encodeMassaKFrame,
  encodeMassaKGetWeight,
  encodeMassaKSetTare,
  encodeMassaKSetZero,
  encodeMassaKWeightReply,
  encodeMtSics,
  encodeShtrihEnq,
  encodeShtrihFrame,
  encodeShtrihGetWeight,
  encodeShtrihWeightReply,
  encodeShtrihZero,
  encodeToledoFrame,
  fromHex,
  massaKCrc,
  shtrihLrc,
  toGrams,
  toHex,
  toledoChecksum,
  type Reading,
  type ScaleDecoder,
} from '../../native/protocols/scales/index.js';
import { mulberry32 as prng } from '../../main/core/prng.js';

const te = new TextEncoder();
const ascii = (s: string): Uint8Array => te.encode(s);
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

const randomBytes = (rnd: () => number, n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));

function byteByByte(d: ScaleDecoder, bytes: Uint8Array): Reading[] {
  const out: Reading[] = [];
  for (const b of bytes) out.push(...d.push(Uint8Array.of(b)));
  return out;
}

/** Invariants every reading must satisfy whatever the protocol. */
function consistent(r: Reading): void {
  expect(Number.isFinite(r.weight)).toBe(true);
  expect(['kg', 'g', 'lb']).toContain(r.unit);
  expect(['ok', 'overload', 'underload', 'error']).toContain(r.status);
  expect(r.raw.length).toBeGreaterThan(0);
  if (r.status === 'ok') {
    expect(r.grams).toBe(toGrams(r.weight, r.unit));
    expect(r.error).toBeUndefined();
  } else {
    expect(r.grams).toBeNull();
    expect(r.stable).toBe(false);
    expect(typeof r.error).toBe('string');
  }
  if (r.tare !== undefined) expect(Number.isFinite(r.tare)).toBe(true);
}

const TOLEDO_12345 = (() => {
  const body = cat(Uint8Array.of(0x02, 0x2d, 0x30, 0x20), ascii('012345000000'), Uint8Array.of(0x0d));
  return cat(body, Uint8Array.of(toledoChecksum(body)));
})();

// ---------------------------------------------------------------- MT-SICS
describe('MT-SICS', () => {
  it('encodes host commands with CR LF', () => {
    expect(toHex(encodeMtSics('S'))).toBe('53 0D 0A');
    expect(new TextDecoder().decode(encodeMtSics('SI'))).toBe('SI\r\n');
    expect(new TextDecoder().decode(encodeMtSics('SIR'))).toBe('SIR\r\n');
    expect(new TextDecoder().decode(encodeMtSics('Z'))).toBe('Z\r\n');
    expect(new TextDecoder().decode(encodeMtSics('T'))).toBe('T\r\n');
    expect(() => encodeMtSics('X' as 'S')).toThrow();
  });

  it('decodes stable and dynamic weights', () => {
    const d = new MtSicsDecoder();
    const [s, m] = d.push(ascii('S S     12.345 kg\r\nS D      0.120 kg\r\n'));
    expect(s).toEqual({ weight: 12.345, unit: 'kg', grams: 12345, stable: true, status: 'ok', raw: 'S S     12.345 kg' });
    expect(m).toMatchObject({ weight: 0.12, stable: false, status: 'ok', grams: 120 });
    expect(d.push(ascii('S S   -250.5 g\r\nS S 2.5 lb\r\n'))).toMatchObject([
      { weight: -250.5, unit: 'g', grams: -250.5 },
      { weight: 2.5, unit: 'lb', grams: 1133.980925 },
    ]);
  });

  it('reports overload, underload, cannot-execute and error replies', () => {
    const d = new MtSicsDecoder();
    const rs = d.push(ascii('S +\r\nS -\r\nS I\r\nES\r\nET\r\nEL\r\n'));
    expect(rs.map((r) => r.status)).toEqual(['overload', 'underload', 'error', 'error', 'error', 'error']);
    rs.forEach(consistent);
    expect(rs[3]?.error).toBe('syntax error');
  });

  it('keeps zero/tare replies out of readings', () => {
    const d = new MtSicsDecoder();
    expect(d.push(ascii('Z A\r\nT S 1.200 kg\r\nZ I\r\nT I\r\n'))).toEqual([]);
    expect(d.takeReplies()).toMatchObject([
      { command: 'zero', ok: true },
      { command: 'tare', ok: true, tare: 1.2, unit: 'kg' },
      { command: 'zero', ok: false },
      { command: 'tare', ok: false },
    ]);
    expect(d.takeReplies()).toEqual([]);
  });

  it('handles split, merged and garbage-prefixed lines, and ignores malformed ones', () => {
    const d = new MtSicsDecoder();
    expect(byteByByte(d, ascii('S S 1.000 kg\r\n'))).toHaveLength(1);
    const rs = d.push(cat(Uint8Array.of(0x00, 0xff, 0x13), ascii('S S 2.000 kg\r\nnoise\r\nS S abc kg\r\nS S 3 kg\r\n')));
    expect(rs.map((r) => r.weight)).toEqual([2, 3]);
    expect(d.push(ascii('S S 1 oz\r\n'))[0]).toMatchObject({ status: 'error', grams: null });
  });

  it('bounds a line that never ends', () => {
    const d = new MtSicsDecoder();
    for (let i = 0; i < 1000; i++) expect(d.push(ascii('SSSSSSSSSS'))).toEqual([]);
    expect(d.push(ascii('\r\nS S 1 kg\r\n'))).toHaveLength(1);
  });
});

// ---------------------------------------------------------------- Toledo
describe('Toledo continuous', () => {
  it('decodes the spec example 12.345 kg stable gross', () => {
    const d = new ToledoDecoder();
    expect(d.push(TOLEDO_12345)).toEqual([
      { weight: 12.345, unit: 'kg', grams: 12345, stable: true, status: 'ok', net: false, tare: 0, raw: toHex(TOLEDO_12345) },
    ]);
    expect(toHex(encodeToledoFrame({ weight: 12.345, tare: 0, decimalCode: 5 }))).toBe(toHex(TOLEDO_12345));
    // checksum: sum of all 18 bytes has its low 7 bits clear
    expect(TOLEDO_12345.reduce((a, b) => a + b, 0) & 0x7f).toBe(0);
  });

  it('decodes motion, net/tare, negative, lb and decimal codes', () => {
    const d = new ToledoDecoder();
    const rs = d.push(
      cat(
        encodeToledoFrame({ weight: 1.5, tare: 0, decimalCode: 3, motion: true }),
        encodeToledoFrame({ weight: 10.25, tare: 0.75, decimalCode: 4, net: true }),
        encodeToledoFrame({ weight: 0.02, tare: 0, decimalCode: 4, negative: true }),
        encodeToledoFrame({ weight: 12.5, tare: 0, decimalCode: 3, unit: 'lb' }),
        encodeToledoFrame({ weight: 1200, tare: 0, decimalCode: 0 }),
      ),
    );
    expect(rs).toMatchObject([
      { weight: 1.5, stable: false, status: 'ok' },
      { weight: 10.25, net: true, tare: 0.75, stable: true },
      { weight: -0.02, grams: -20 },
      { weight: 12.5, unit: 'lb' },
      { weight: 1200, grams: 1200000 },
    ]);
  });

  it('reports over and under range', () => {
    const d = new ToledoDecoder();
    const rs = d.push(
      cat(
        encodeToledoFrame({ weight: 999.999, tare: 0, decimalCode: 5, outOfRange: true }),
        encodeToledoFrame({ weight: 1, tare: 0, decimalCode: 5, outOfRange: true, negative: true }),
      ),
    );
    expect(rs.map((r) => r.status)).toEqual(['overload', 'underload']);
    rs.forEach(consistent);
  });

  it('handles split, merged frames and garbage before/between', () => {
    const d = new ToledoDecoder();
    expect(byteByByte(d, TOLEDO_12345)).toHaveLength(1);
    const stream = cat(Uint8Array.of(0x02, 0x02, 0x41, 0x0d), TOLEDO_12345, ascii('junk\x02\x2d'), TOLEDO_12345, TOLEDO_12345);
    expect(d.push(stream).map((r) => r.weight)).toEqual([12.345, 12.345, 12.345]);
    expect(byteByByte(new ToledoDecoder(), stream)).toHaveLength(3);
  });

  it('rejects a bad checksum and corrupted digits; checksum can be disabled', () => {
    const bad = TOLEDO_12345.slice();
    bad[17] = (bad[17]! + 1) & 0x7f;
    const d = new ToledoDecoder();
    expect(d.push(bad)).toEqual([]);
    const digit = TOLEDO_12345.slice();
    digit[6] = 0x39; // 019345 with the old checksum
    expect(d.push(digit)).toEqual([]);
    expect(d.push(TOLEDO_12345)).toHaveLength(1);
    const plain = new ToledoDecoder({ checksum: false });
    expect(plain.push(cat(TOLEDO_12345.subarray(0, 17), TOLEDO_12345.subarray(0, 17)))).toHaveLength(2);
  });
});

// ---------------------------------------------------------------- CAS
describe('CAS 22-byte', () => {
  it('decodes stable, unstable, net and overload frames', () => {
    const st = encodeCasFrame({ header: 'ST', weight: '  12.345' });
    expect(st.length).toBe(22);
    const d = new CasDecoder();
    const rs = d.push(
      cat(
        st,
        encodeCasFrame({ header: 'US', weight: '   0.515' }),
        encodeCasFrame({ header: 'ST', net: true, weight: '-  1.000' }),
        encodeCasFrame({ header: 'ST', weight: '  1250.0', unit: ' g' }),
        encodeCasFrame({ header: 'OL', weight: '        ' }),
      ),
    );
    expect(rs[0]).toEqual({ weight: 12.345, unit: 'kg', grams: 12345, stable: true, status: 'ok', net: false, raw: toHex(st) });
    expect(rs.slice(1)).toMatchObject([
      { weight: 0.515, stable: false },
      { weight: -1, net: true, stable: true },
      { weight: 1250, unit: 'g', grams: 1250 },
      { status: 'overload', grams: null },
    ]);
  });

  it('handles split frames, merged frames and garbage; rejects malformed frames', () => {
    const f = encodeCasFrame({ header: 'ST', weight: '   2.000' });
    expect(byteByByte(new CasDecoder(), f)).toHaveLength(1);
    const broken = f.slice();
    broken[20] = 0x00; // lost CR
    const d = new CasDecoder();
    const rs = d.push(cat(ascii('STUSOL,xx'), f, Uint8Array.of(0xff, 0x53), broken, ascii('ST,GS'), f));
    expect(rs.map((r) => r.weight)).toEqual([2, 2]);
  });
});

// ---------------------------------------------------------------- Massa-K
describe('Massa-K Protocol 100', () => {
  const REQ = 'F8 55 CE 01 00 23 23 00';
  const REPLY = 'F8 55 CE 0D 00 24 00 00 00 00 01 01 00 01 00 00 00 00 FC 23';

  it('CRC and encoders match the reference frames', () => {
    expect(massaKCrc(Uint8Array.of(0x23))).toBe(0x0023);
    expect(massaKCrc(fromHex('24 00 00 00 00 01 01 00 01 00 00 00 00'))).toBe(0x23fc);
    expect(toHex(encodeMassaKGetWeight())).toBe(REQ);
    expect(toHex(encodeMassaKWeightReply({ divisions: 0, divisionCode: 1, stable: true, zero: true, tareDivisions: 0 }))).toBe(REPLY);
    expect(toHex(encodeMassaKSetZero()).startsWith('F8 55 CE 01 00 72')).toBe(true);
    expect(toHex(encodeMassaKSetTare()).startsWith('F8 55 CE 01 00 A3')).toBe(true);
    expect(toHex(encodeMassaKSetTare(500))).toMatch(/^F8 55 CE 05 00 A3 F4 01 00 00/);
  });

  it('decodes the reference reply and weights with divisions, motion, net and tare', () => {
    const d = new MassaKDecoder();
    expect(d.push(fromHex(REPLY))).toEqual([
      { weight: 0, unit: 'kg', grams: 0, stable: true, status: 'ok', net: false, tare: 0, raw: REPLY },
    ]);
    const rs = d.push(
      cat(
        encodeMassaKWeightReply({ divisions: 12345, divisionCode: 1, stable: true }),
        encodeMassaKWeightReply({ divisions: 1234, divisionCode: 2, stable: false }),
        encodeMassaKWeightReply({ divisions: -5, divisionCode: 0, stable: true, net: true, tareDivisions: 7 }),
        encodeMassaKWeightReply({ divisions: 3, divisionCode: 4, stable: true }),
        encodeMassaKWeightReply({ divisions: 3, divisionCode: 9, stable: true }),
      ),
    );
    expect(rs).toMatchObject([
      { weight: 12.345, grams: 12345, stable: true },
      { weight: 12.34, stable: false },
      { weight: -0.0005, grams: -0.5, net: true, tare: 0.0007 },
      { weight: 3, grams: 3000 },
      { status: 'error' },
    ]);
    rs.forEach(consistent);
  });

  it('decodes zero/tare replies, errors and NACK', () => {
    const d = new MassaKDecoder();
    const rs = d.push(
      cat(
        encodeMassaKFrame(Uint8Array.of(0x27)),
        encodeMassaKFrame(Uint8Array.of(0x12)),
        encodeMassaKFrame(Uint8Array.of(0x15)),
        encodeMassaKFrame(Uint8Array.of(0x28, 0x15)),
        encodeMassaKFrame(Uint8Array.of(0x28, 0x08)),
        encodeMassaKFrame(Uint8Array.of(0x28, 0x09)),
        encodeMassaKFrame(Uint8Array.of(0xf0)),
      ),
    );
    expect(rs.map((r) => r.status)).toEqual(['overload', 'error', 'error']);
    expect(d.takeReplies()).toMatchObject([
      { command: 'zero', ok: true },
      { command: 'tare', ok: true },
      { command: 'tare', ok: false },
      { command: 'zero', ok: false, error: 'cannot set zero' },
    ]);
  });

  it('handles split/merged frames, garbage, bad CRC and bad lengths', () => {
    const good = fromHex(REPLY);
    expect(byteByByte(new MassaKDecoder(), good)).toHaveLength(1);
    const badCrc = good.slice();
    badCrc[19] = 0x24;
    const badBody = good.slice();
    badBody[6] = 0x01; // weight changed, CRC stale
    const hugeLen = fromHex('F8 55 CE FF FF 24');
    const d = new MassaKDecoder();
    const stream = cat(fromHex('00 F8 F8 55 11'), badCrc, good, badBody, hugeLen, good, Uint8Array.of(0xf8, 0x55), good);
    expect(d.push(stream)).toHaveLength(3);
    expect(byteByByte(new MassaKDecoder(), stream)).toHaveLength(3);
  });
});

// ---------------------------------------------------------------- Shtrih
describe('Shtrih-M POS2', () => {
  it('encodes ENQ and command frames with LRC', () => {
    expect(toHex(encodeShtrihEnq())).toBe('05');
    const f = encodeShtrihGetWeight('0030');
    expect(toHex(f)).toBe(`02 05 3A 30 30 33 30 ${(0x05 ^ 0x3a ^ 0x30 ^ 0x30 ^ 0x33 ^ 0x30).toString(16).toUpperCase().padStart(2, '0')}`);
    expect(shtrihLrc(f.subarray(1, f.length - 1))).toBe(f[f.length - 1]);
    expect(toHex(encodeShtrihZero('1234')).slice(0, 8)).toBe('02 05 30');
    expect(() => encodeShtrihGetWeight('12a4')).toThrow();
  });

  it('decodes weight state: stable, motion, tare, overload, underload, measurement error', () => {
    const d = new ShtrihDecoder();
    const S = SHTRIH_STATUS;
    const rs = d.push(
      cat(
        encodeShtrihWeightReply({ status: S.channelOn | S.stable, grams: 12345 }),
        encodeShtrihWeightReply({ status: S.channelOn, grams: 500 }),
        encodeShtrihWeightReply({ status: S.channelOn | S.stable | S.tareSet, grams: -250, tareGrams: 1200 }),
        encodeShtrihWeightReply({ status: S.overload, grams: 0 }),
        encodeShtrihWeightReply({ status: S.underload, grams: 0 }),
        encodeShtrihWeightReply({ status: S.measurementError, grams: 0 }),
        encodeShtrihFrame(0x3a, Uint8Array.of(0x58)),
      ),
    );
    expect(rs[0]).toMatchObject({ weight: 12.345, unit: 'kg', grams: 12345, stable: true, status: 'ok', net: false, tare: 0 });
    expect(rs.slice(1).map((r) => [r.status, r.stable])).toEqual([
      ['ok', false],
      ['ok', true],
      ['overload', false],
      ['underload', false],
      ['error', false],
      ['error', false],
    ]);
    expect(rs[2]).toMatchObject({ weight: -0.25, net: true, tare: 1.2 });
    rs.forEach(consistent);
  });

  it('reports ACK/NAK control bytes and zero/tare replies', () => {
    const d = new ShtrihDecoder();
    expect(d.push(cat(Uint8Array.of(0x15, 0x06), encodeShtrihFrame(0x30, Uint8Array.of(0)), encodeShtrihFrame(0x31, Uint8Array.of(3))))).toEqual([]);
    expect(d.takeControl()).toEqual(['NAK', 'ACK']);
    expect(d.takeReplies()).toMatchObject([
      { command: 'zero', ok: true },
      { command: 'tare', ok: false, error: 'error code 3' },
    ]);
  });

  it('handles split/merged frames, garbage and bad LRC', () => {
    const good = encodeShtrihWeightReply({ status: SHTRIH_STATUS.stable, grams: 1000 });
    expect(byteByByte(new ShtrihDecoder(), good)).toHaveLength(1);
    const bad = good.slice();
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0x01;
    const bad2 = good.slice();
    bad2[6] = (bad2[6] ?? 0) ^ 0x10; // weight changed, LRC stale
    const stream = cat(fromHex('02 02 FF 02 0A'), bad, good, bad2, Uint8Array.of(0x02), good, good);
    expect(new ShtrihDecoder().push(stream)).toHaveLength(3);
    expect(byteByByte(new ShtrihDecoder(), stream)).toHaveLength(3);
  });
});

// ---------------------------------------------------------------- fuzz
type Maker = () => ScaleDecoder;
const DECODERS: [string, Maker, boolean][] = [
  ['mt-sics', () => new MtSicsDecoder(), false],
  ['toledo', () => new ToledoDecoder(), true],
  ['cas', () => new CasDecoder(), false],
  ['massa-k', () => new MassaKDecoder(), true],
  ['shtrih', () => new ShtrihDecoder(), true],
];

function verifiesChecksum(name: string, raw: string): boolean {
  const b = fromHex(raw);
  if (name === 'toledo') return b.length === 18 && b[0] === 2 && toledoChecksum(b.subarray(0, 17)) === b[17];
  if (name === 'massa-k') {
    const len = (b[3] ?? 0) | ((b[4] ?? 0) << 8);
    return b.length === len + 7 && massaKCrc(b.subarray(5, 5 + len)) === ((b[5 + len] ?? 0) | ((b[6 + len] ?? 0) << 8));
  }
  if (name === 'shtrih') return b[0] === 2 && b.length === (b[1] ?? 0) + 3 && shtrihLrc(b.subarray(1, b.length - 1)) === b[b.length - 1];
  return true;
}

describe('fuzz: random bytes', () => {
  for (const [name, make, checksummed] of DECODERS) {
    it(`${name}: 20,000 random chunks, no exception, no false reading`, () => {
      const rnd = prng(0xc0ffee ^ name.length);
      const d = make();
      const readings: Reading[] = [];
      for (let i = 0; i < 20_000; i++) {
        const chunk = randomBytes(rnd, 1 + Math.floor(rnd() * 64));
        readings.push(...d.push(chunk));
        d.takeReplies();
      }
      readings.forEach(consistent);
      for (const r of readings) expect(verifiesChecksum(name, r.raw)).toBe(true);
      if (checksummed) expect(readings).toHaveLength(0);
      // the structured ASCII formats also produce nothing from noise with this seed
      expect(readings.length).toBe(0);
    });
  }

  const VALID: Record<string, Uint8Array[]> = {
    'mt-sics': [ascii('S S 1.250 kg\r\n'), ascii('S D 0.005 kg\r\n'), ascii('S +\r\n')],
    toledo: [TOLEDO_12345, encodeToledoFrame({ weight: 3.5, tare: 1, decimalCode: 3, motion: true, net: true })],
    cas: [encodeCasFrame({ header: 'ST', weight: '   1.250' }), encodeCasFrame({ header: 'US', weight: '   0.005' })],
    'massa-k': [encodeMassaKWeightReply({ divisions: 1250, divisionCode: 1, stable: true }), encodeMassaKWeightReply({ divisions: 5, divisionCode: 1, stable: false })],
    shtrih: [encodeShtrihWeightReply({ status: SHTRIH_STATUS.stable, grams: 1250 }), encodeShtrihWeightReply({ status: 0, grams: 5 })],
  };

  for (const [name, make] of DECODERS) {
    it(`${name}: valid frames in noise, random chunking: only real frames come out`, () => {
      const rnd = prng(42 + name.length);
      const frames = VALID[name]!;
      const parts: Uint8Array[] = [];
      let sent = 0;
      for (let i = 0; i < 2000; i++) {
        // noise ends in CR LF for the line protocol so a frame can start on a fresh line
        const noise = randomBytes(rnd, Math.floor(rnd() * 24));
        parts.push(name === 'mt-sics' ? cat(noise, ascii('\r\n')) : noise);
        parts.push(frames[Math.floor(rnd() * frames.length)]!);
        sent++;
      }
      const stream = cat(...parts);
      const d = make();
      const readings: Reading[] = [];
      for (let at = 0; at < stream.length; ) {
        const n = 1 + Math.floor(rnd() * 40);
        readings.push(...d.push(stream.subarray(at, at + n)));
        at += n;
      }
      const expectedRaw = new Set(frames.map((f) => (name === 'mt-sics' ? new TextDecoder().decode(f).trim() : toHex(f))));
      readings.forEach(consistent);
      for (const r of readings) expect(expectedRaw.has(r.raw)).toBe(true);
      expect(readings.length).toBeGreaterThanOrEqual(Math.floor(sent * 0.95));
      expect(readings.length).toBeLessThanOrEqual(sent);
    });
  }

  for (const [name, make] of DECODERS) {
    it(`${name}: a backlog of 1,000 frames in one read (far beyond the buffer bound) loses none`, () => {
      const frames = VALID[name]!;
      const stream = cat(...Array.from({ length: 1000 }, (_, i) => frames[i % frames.length]!));
      expect(stream.length).toBeGreaterThan(8 * 1024);
      const readings = make().push(stream);
      expect(readings).toHaveLength(1000);
      readings.forEach(consistent);
    });
  }

  it('buffers stay bounded under a flood without frame ends', () => {
    const d = new MassaKDecoder({ maxBuffer: 256 });
    for (let i = 0; i < 1000; i++) d.push(fromHex('F8 55 CE 00 01'));
    expect(d.push(encodeMassaKGetWeight())).toEqual([]);
    const t = new ToledoDecoder({ maxBuffer: 128 });
    for (let i = 0; i < 1000; i++) t.push(Uint8Array.of(0x02, 0x2d, 0x30, 0x20, 0x30));
    expect(t.push(TOLEDO_12345)).toHaveLength(1);
  });
});
