import { describe, expect, it } from 'vitest';
import {
  buildExceptionResponse,
  buildReadRequest,
  buildReadResponse,
  crc16,
  decodeRegisters,
  owenMv210Preset,
  parseReadResponse,
  parseRegisterConfig,
  registerConfigSchema,
  registerCount,
  xyMd02Preset,
  type RegisterConfigInput,
} from '../../native/protocols/modbus-registers.js';
import { mulberry32 } from '../../main/core/prng.js';

const hex = (u: ArrayLike<number>): string =>
  Array.from(u, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');
const cfg = (over: Partial<RegisterConfigInput>) =>
  parseRegisterConfig({ unitId: 1, function: 4, address: 1, type: 'int16', scale: 0.1, quantity: 'temperature', unit: '°C', ...over });

describe('CRC and frames', () => {
  it('builds the XY-MD02 request with the known CRC 20 0B', () => {
    expect(hex(buildReadRequest(1, 4, 0x0001, 2))).toBe('01 04 00 01 00 02 20 0B');
  });

  it('matches the standard CRC check value and a well-known read-holding request', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x4b37);
    expect(hex(buildReadRequest(1, 3, 0, 10))).toBe('01 03 00 00 00 0A C5 CD');
  });

  it('rejects bad request arguments', () => {
    expect(() => buildReadRequest(0, 4, 1, 1)).toThrow(RangeError);
    expect(() => buildReadRequest(248, 4, 1, 1)).toThrow(RangeError);
    expect(() => buildReadRequest(1, 6 as 3, 1, 1)).toThrow(RangeError);
    expect(() => buildReadRequest(1, 4, 65535, 2)).toThrow(RangeError);
    expect(() => buildReadRequest(1, 4, 0, 126)).toThrow(RangeError);
  });

  it('parses a read response and checks unit, function and count', () => {
    const frame = buildReadResponse(1, 4, [0x00e7, 0x01f4]);
    expect(hex(frame.slice(0, 7))).toBe('01 04 04 00 E7 01 F4');
    expect(parseReadResponse(frame, { unitId: 1, function: 4, count: 2 })).toEqual({
      ok: true, unitId: 1, function: 4, registers: [0x00e7, 0x01f4],
    });
    expect(parseReadResponse(frame, { unitId: 2 })).toMatchObject({ ok: false, kind: 'invalid' });
    expect(parseReadResponse(frame, { function: 3 })).toMatchObject({ ok: false, kind: 'invalid' });
    expect(parseReadResponse(frame, { count: 1 })).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('reports exception responses with their code', () => {
    const frame = buildExceptionResponse(1, 4, 2);
    expect(hex(frame.slice(0, 3))).toBe('01 84 02');
    expect(parseReadResponse(frame, { unitId: 1, function: 4 })).toEqual({
      ok: false, kind: 'exception', unitId: 1, function: 4, exceptionCode: 2, error: 'exception 2: illegal data address',
    });
  });

  it('rejects bad CRC, wrong byte count, short frames and foreign functions', () => {
    const frame = buildReadResponse(1, 4, [0x00e7]);
    for (let i = 0; i < frame.length; i++) {
      const bad = Uint8Array.from(frame);
      bad[i] = bad[i]! ^ 0x01;
      expect(parseReadResponse(bad).ok).toBe(false);
    }
    expect(parseReadResponse(Uint8Array.from(frame.slice(0, 4)))).toMatchObject({ ok: false });
    const body = [1, 4, 4, 0, 1];
    const crc = crc16(body);
    expect(parseReadResponse([...body, crc & 0xff, crc >> 8])).toMatchObject({ ok: false, kind: 'invalid' });
    const odd = [1, 4, 3, 0, 1, 2];
    const c2 = crc16(odd);
    expect(parseReadResponse([...odd, c2 & 0xff, c2 >> 8])).toMatchObject({ error: 'bad byte count 3' });
    const wr = [1, 6, 0, 1, 0, 3];
    const c3 = crc16(wr);
    expect(parseReadResponse([...wr, c3 & 0xff, c3 >> 8])).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('fuzz: random bytes never throw and never yield registers from a bad CRC', () => {
    const rnd = mulberry32(20240611);
    const good = buildReadResponse(1, 4, [0xff38, 0x0200]);
    for (let iter = 0; iter < 20000; iter++) {
      let bytes: number[];
      if (iter % 2 === 0) {
        bytes = Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256));
      } else {
        bytes = Array.from(good);
        const flips = 1 + Math.floor(rnd() * 3);
        for (let k = 0; k < flips; k++) {
          const i = Math.floor(rnd() * bytes.length);
          bytes[i] = bytes[i]! ^ (1 + Math.floor(rnd() * 255));
        }
      }
      const r = parseReadResponse(bytes);
      if (r.ok || r.kind === 'exception') {
        const n = bytes.length;
        expect(crc16(bytes, 0, n - 2)).toBe(bytes[n - 2]! | (bytes[n - 1]! << 8));
      }
      if (r.ok) {
        for (const c of [cfg({}), cfg({ type: 'float32', function: 3, scale: 1 })]) {
          const d = decodeRegisters(c, r.registers);
          if ('value' in d) expect(Number.isFinite(d.value)).toBe(true);
        }
      }
    }
  });
});

describe('register configuration', () => {
  it('validates ranges and consistency', () => {
    const base = { unitId: 1, function: 4, address: 1, type: 'int16', scale: 0.1, quantity: 'temperature', unit: '°C' };
    expect(registerConfigSchema.safeParse(base).success).toBe(true);
    expect(registerConfigSchema.safeParse({ ...base, unitId: 0 }).success).toBe(false);
    expect(registerConfigSchema.safeParse({ ...base, unitId: 248 }).success).toBe(false);
    expect(registerConfigSchema.safeParse({ ...base, function: 6 }).success).toBe(false);
    expect(registerConfigSchema.safeParse({ ...base, address: 65536 }).success).toBe(false);
    expect(registerConfigSchema.safeParse({ ...base, type: 'float32', address: 65535 }).success).toBe(false);
    expect(registerConfigSchema.safeParse({ ...base, type: 'float64' }).success).toBe(false);
    expect(registerConfigSchema.safeParse({ ...base, scale: 0 }).success).toBe(false);
    expect(registerConfigSchema.safeParse({ ...base, scale: Number.NaN }).success).toBe(false);
    expect(registerConfigSchema.safeParse({ ...base, unit: '%' }).success).toBe(false);
    expect(parseRegisterConfig(base).wordOrder).toBe('big');
  });

  it('counts registers per type', () => {
    expect(registerCount(cfg({ type: 'int16' }))).toBe(1);
    expect(registerCount(cfg({ type: 'uint16' }))).toBe(1);
    expect(registerCount(cfg({ type: 'int32' }))).toBe(2);
    expect(registerCount(cfg({ type: 'uint32' }))).toBe(2);
    expect(registerCount(cfg({ type: 'float32' }))).toBe(2);
  });
});

describe('decodeRegisters', () => {
  it('int16 signed with scale: 0xFF38 × 0.1 = −20.0 °C', () => {
    expect(decodeRegisters(cfg({}), [0xff38])).toEqual({ value: -20 });
    expect(decodeRegisters(cfg({}), [0x00e7])).toEqual({ value: 23.1 });
    expect(decodeRegisters(cfg({ offset: -0.5 }), [0x00e7])).toEqual({ value: 22.6 });
  });

  it('uint16 does not sign-extend', () => {
    expect(decodeRegisters(cfg({ type: 'uint16', quantity: 'humidity', unit: '%' }), [0x01f4])).toEqual({ value: 50 });
    expect(decodeRegisters(cfg({ type: 'uint16', scale: 1 }), [0xff38])).toEqual({ value: 65336 });
  });

  it('int32 and uint32 in both word orders', () => {
    // -123456 = 0xFFFE1DC0
    expect(decodeRegisters(cfg({ type: 'int32', scale: 0.01 }), [0xfffe, 0x1dc0])).toEqual({ value: -1234.56 });
    expect(decodeRegisters(cfg({ type: 'int32', scale: 0.01, wordOrder: 'little' }), [0x1dc0, 0xfffe])).toEqual({ value: -1234.56 });
    expect(decodeRegisters(cfg({ type: 'uint32', scale: 1 }), [0xfffe, 0x1dc0])).toEqual({ value: 0xfffe1dc0 });
    expect(decodeRegisters(cfg({ type: 'uint32', scale: 1, wordOrder: 'little' }), [0x0001, 0x0002])).toEqual({ value: 0x00020001 });
  });

  it('float32 in both word orders (OWEN MV210)', () => {
    // 25.5 = 0x41CC0000; -12.25 = 0xC1440000
    const [big] = owenMv210Preset(16).registers;
    const [little] = owenMv210Preset(16, 'little').registers;
    expect(big).toMatchObject({ unitId: 16, function: 3, address: 4000, type: 'float32', wordOrder: 'big' });
    expect(decodeRegisters(big!, [0x41cc, 0x0000])).toEqual({ value: 25.5 });
    expect(decodeRegisters(little!, [0x0000, 0x41cc])).toEqual({ value: 25.5 });
    expect(decodeRegisters(big!, [0xc144, 0x0000])).toEqual({ value: -12.25 });
    // 21.3 is not exact in float32; the decoded value is the float32 value, rounded of noise only.
    const v = decodeRegisters(big!, [0x41aa, 0x6666]);
    expect('value' in v && Math.abs(v.value - 21.3) < 1e-5).toBe(true);
  });

  it('NaN and Infinity are errors, not values', () => {
    const f = cfg({ type: 'float32', function: 3, scale: 1 });
    expect(decodeRegisters(f, [0x7fc0, 0x0000])).toEqual({ error: 'sensor error: NaN' });
    expect(decodeRegisters(f, [0xffff, 0xffff])).toEqual({ error: 'sensor error: NaN' });
    expect(decodeRegisters(f, [0x7f80, 0x0000])).toEqual({ error: 'sensor error: +Infinity' });
    expect(decodeRegisters(f, [0xff80, 0x0000])).toEqual({ error: 'sensor error: -Infinity' });
    expect(decodeRegisters({ ...f, wordOrder: 'little' }, [0x0000, 0x7f80])).toEqual({ error: 'sensor error: +Infinity' });
  });

  it('int16 sentinels 0x7FFF / 0x8000 mean "no sensor"', () => {
    expect(decodeRegisters(cfg({}), [0x7fff])).toEqual({ error: 'sensor error: raw value 0x7FFF' });
    expect(decodeRegisters(cfg({}), [0x8000])).toEqual({ error: 'sensor error: raw value 0x8000' });
    expect(decodeRegisters(cfg({ sentinels: [] }), [0x7fff])).toEqual({ value: 3276.7 });
    expect(decodeRegisters(cfg({ type: 'uint16', sentinels: [0xffff] }), [0xffff])).toMatchObject({ error: expect.any(String) });
    expect(decodeRegisters(cfg({ type: 'int32', scale: 1, sentinels: [0x7fffffff] }), [0x7fff, 0xffff])).toMatchObject({ error: expect.any(String) });
  });

  it('too few or malformed registers are errors', () => {
    expect(decodeRegisters(cfg({}), [])).toMatchObject({ error: expect.any(String) });
    expect(decodeRegisters(cfg({ type: 'float32' }), [0x41cc])).toMatchObject({ error: expect.any(String) });
    expect(decodeRegisters(cfg({}), [70000])).toMatchObject({ error: expect.any(String) });
    expect(decodeRegisters(cfg({}), [1.5])).toMatchObject({ error: expect.any(String) });
  });
});

describe('presets end to end on bytes', () => {
  it('XY-MD02: request, response, decode temperature and humidity', () => {
    const p = xyMd02Preset(1);
    expect(p.line).toEqual({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
    const [t, h] = p.registers;
    expect(t).toMatchObject({ function: 4, address: 1, type: 'int16', scale: 0.1, quantity: 'temperature', unit: '°C' });
    expect(h).toMatchObject({ function: 4, address: 2, scale: 0.1, quantity: 'humidity', unit: '%' });
    expect(hex(buildReadRequest(t!.unitId, t!.function, t!.address, 2))).toBe('01 04 00 01 00 02 20 0B');
    const resp = parseReadResponse(buildReadResponse(1, 4, [0xff38, 0x0267]), { unitId: 1, function: 4, count: 2 });
    expect(resp.ok).toBe(true);
    if (!resp.ok) return;
    expect(decodeRegisters(t!, resp.registers.slice(0, 1))).toEqual({ value: -20 });
    expect(decodeRegisters(h!, resp.registers.slice(1, 2))).toEqual({ value: 61.5 });
  });
});
