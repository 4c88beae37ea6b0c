// Modbus RTU temperature/humidity sensors: pure code, no serial I/O. The register map (unit id,
// function, address, data type, word order, scale) is configuration validated with zod; decoding
// turns the 16-bit registers a read returns into a value or an error (never a NaN, never a
// "no sensor" sentinel passed off as a temperature). CRC-16, request building and response parsing
// are here for simulators and tests; the real transport uses modbus-serial.
import { z } from 'zod';
import {
  SENSOR_PRESETS,
  sensorPresetChannels,
  type SensorPreset as ContractSensorPreset,
  type SensorPresetKey,
} from '../../main/contract/device-presets.js';
import type { SensorChannel } from '../../main/contract/devices.js';

export const registerTypes = ['int16', 'uint16', 'int32', 'uint32', 'float32'] as const;
export type RegisterType = (typeof registerTypes)[number];

/** Default raw sentinels meaning "no sensor / sensor fault" for 16-bit signed registers. */
export const INT16_SENTINELS: readonly number[] = [0x7fff, 0x8000];

export const registerConfigSchema = z
  .object({
    unitId: z.number().int().min(1).max(247),
    function: z.union([z.literal(3), z.literal(4)]),
    address: z.number().int().min(0).max(65535),
    type: z.enum(registerTypes),
    /** Order of the two 16-bit words of a 32-bit value ('big' = high word first). Bytes within a word are always big-endian. */
    wordOrder: z.enum(['big', 'little']).default('big'),
    scale: z.number().finite().refine((n) => n !== 0, 'scale must not be 0'),
    offset: z.number().finite().optional(),
    quantity: z.enum(['temperature', 'humidity']),
    unit: z.enum(['°C', '%']),
    /** Raw (unscaled) values that mean a sensor error; defaults to 0x7FFF/0x8000 for int16. */
    sentinels: z.array(z.number().int()).optional(),
  })
  .refine((c) => c.address + registerCountOf(c.type) - 1 <= 65535, {
    message: 'register range runs past address 65535',
    path: ['address'],
  })
  .refine((c) => (c.quantity === 'temperature' ? c.unit === '°C' : c.unit === '%'), {
    message: 'unit does not match quantity (temperature → °C, humidity → %)',
    path: ['unit'],
  });

export type RegisterConfig = z.output<typeof registerConfigSchema>;
export type RegisterConfigInput = z.input<typeof registerConfigSchema>;

export function parseRegisterConfig(input: unknown): RegisterConfig {
  return registerConfigSchema.parse(input);
}

function registerCountOf(type: RegisterType): 1 | 2 {
  return type === 'int16' || type === 'uint16' ? 1 : 2;
}

export function registerCount(config: Pick<RegisterConfig, 'type'>): 1 | 2 {
  return registerCountOf(config.type);
}

export type DecodeResult = { value: number } | { error: string };

const isWord = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffff;

/** Decode the registers read at `config.address` (first element = register at that address). */
export function decodeRegisters(config: RegisterConfig, registers: readonly number[]): DecodeResult {
  const count = registerCount(config);
  if (registers.length < count) return { error: `expected ${count} register(s), got ${registers.length}` };
  const words = registers.slice(0, count);
  if (!words.every(isWord)) return { error: 'register values must be integers 0..65535' };
  const [w0, w1] = words as [number, number | undefined];

  let raw: number;
  if (count === 1) {
    raw = config.type === 'int16' ? (w0 << 16) >> 16 : w0;
    const sentinels = config.sentinels ?? (config.type === 'int16' ? INT16_SENTINELS : []);
    if (sentinels.includes(w0) || sentinels.includes(raw)) {
      return { error: `sensor error: raw value 0x${w0.toString(16).toUpperCase().padStart(4, '0')}` };
    }
  } else {
    const [hi, lo] = config.wordOrder === 'little' ? [w1!, w0] : [w0, w1!];
    const buf = new DataView(new ArrayBuffer(4));
    buf.setUint16(0, hi);
    buf.setUint16(2, lo);
    raw =
      config.type === 'int32' ? buf.getInt32(0) : config.type === 'uint32' ? buf.getUint32(0) : buf.getFloat32(0);
    if (Number.isNaN(raw)) return { error: 'sensor error: NaN' };
    if (!Number.isFinite(raw)) return { error: `sensor error: ${raw > 0 ? '+' : '-'}Infinity` };
    const u32 = buf.getUint32(0);
    if (config.sentinels?.includes(u32) || config.sentinels?.includes(raw)) {
      return { error: `sensor error: raw value 0x${u32.toString(16).toUpperCase().padStart(8, '0')}` };
    }
  }
  const value = raw * config.scale + (config.offset ?? 0);
  if (!Number.isFinite(value)) return { error: 'value out of range' };
  // Round away binary noise from the scale (0.1 × -200 = -20.000000000000004).
  return { value: Number.parseFloat(value.toPrecision(12)) };
}

// ---------------------------------------------------------------------------------------------
// Sensor channels and presets (main/contract/device-presets.ts) as register configs

/** A configured sensor channel as decoding reads it (the unit follows from the quantity). */
export function channelRegisterConfig(channel: SensorChannel): RegisterConfig {
  return parseRegisterConfig({ ...channel, unit: channel.quantity === 'temperature' ? '°C' : '%' });
}

export interface SensorPreset extends Omit<ContractSensorPreset, 'channels'> {
  registers: RegisterConfig[];
}

function registerPreset(key: SensorPresetKey, unitId: number, wordOrder?: 'big' | 'little'): SensorPreset {
  const { name, line } = SENSOR_PRESETS[key];
  return { name, line, registers: sensorPresetChannels(key, unitId, wordOrder).map(channelRegisterConfig) };
}

/** XY-MD02 / SHT20 RS-485 sensor: 9600 8N1, input registers 0x0001 temperature, 0x0002 humidity. */
export function xyMd02Preset(unitId = 1): SensorPreset {
  return registerPreset('xy-md02', unitId);
}

/** OWEN MV210-101: float32 temperature at register 4000 (holding registers), high word first by default. */
export function owenMv210Preset(unitId = 1, wordOrder: 'big' | 'little' = 'big'): SensorPreset {
  return registerPreset('owen-mv210', unitId, wordOrder);
}

// ---------------------------------------------------------------------------------------------
// Modbus RTU frames

/** Modbus RTU CRC-16 (poly 0xA001 reflected, init 0xFFFF). Transmitted low byte first. */
export function crc16(bytes: ArrayLike<number>, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]! & 0xff;
    for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

function withCrc(body: number[]): Uint8Array {
  const crc = crc16(body);
  return Uint8Array.from([...body, crc & 0xff, crc >>> 8]);
}

/** Read Holding (3) / Input (4) Registers request: unit fn addrHi addrLo countHi countLo crcLo crcHi. */
export function buildReadRequest(unitId: number, fn: 3 | 4, address: number, count: number): Uint8Array {
  if (!Number.isInteger(unitId) || unitId < 1 || unitId > 247) throw new RangeError(`unit id ${unitId} not in 1..247`);
  if (fn !== 3 && fn !== 4) throw new RangeError(`function ${String(fn)} is not 3 or 4`);
  if (!Number.isInteger(address) || address < 0 || address > 0xffff) throw new RangeError(`address ${address} not in 0..65535`);
  if (!Number.isInteger(count) || count < 1 || count > 125) throw new RangeError(`count ${count} not in 1..125`);
  if (address + count - 1 > 0xffff) throw new RangeError('register range runs past 65535');
  return withCrc([unitId, fn, address >>> 8, address & 0xff, count >>> 8, count & 0xff]);
}

/** Response to a read (for simulators): unit fn byteCount data… crc. */
export function buildReadResponse(unitId: number, fn: 3 | 4, registers: readonly number[]): Uint8Array {
  const body = [unitId, fn, registers.length * 2];
  for (const r of registers) body.push((r >>> 8) & 0xff, r & 0xff);
  return withCrc(body);
}

/** Exception response (for simulators): unit fn|0x80 code crc. */
export function buildExceptionResponse(unitId: number, fn: number, code: number): Uint8Array {
  return withCrc([unitId, (fn | 0x80) & 0xff, code & 0xff]);
}

export const exceptionNames: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

export type ReadResponse =
  | { ok: true; unitId: number; function: 3 | 4; registers: number[] }
  | { ok: false; kind: 'exception'; unitId: number; function: number; exceptionCode: number; error: string }
  | { ok: false; kind: 'invalid'; error: string };

export interface ReadExpectation {
  unitId?: number;
  function?: 3 | 4;
  /** Number of registers requested. */
  count?: number;
}

/** Parse one complete RTU response frame. Never throws; anything doubtful is `ok: false`. */
export function parseReadResponse(bytes: ArrayLike<number>, expect: ReadExpectation = {}): ReadResponse {
  const invalid = (error: string): ReadResponse => ({ ok: false, kind: 'invalid', error });
  const n = bytes.length;
  if (n < 5) return invalid(`frame too short (${n} bytes)`);
  const crc = crc16(bytes, 0, n - 2);
  const got = (bytes[n - 2]! & 0xff) | ((bytes[n - 1]! & 0xff) << 8);
  if (crc !== got) return invalid('CRC mismatch');
  const unitId = bytes[0]! & 0xff;
  const fn = bytes[1]! & 0xff;
  if (expect.unitId !== undefined && unitId !== expect.unitId) return invalid(`unexpected unit id ${unitId}`);
  if (fn & 0x80) {
    const base = fn & 0x7f;
    if (expect.function !== undefined && base !== expect.function) return invalid(`unexpected function ${fn}`);
    if (n !== 5) return invalid('exception frame must be 5 bytes');
    const code = bytes[2]! & 0xff;
    return {
      ok: false,
      kind: 'exception',
      unitId,
      function: base,
      exceptionCode: code,
      error: `exception ${code}: ${exceptionNames[code] ?? 'unknown'}`,
    };
  }
  if (fn !== 3 && fn !== 4) return invalid(`unsupported function ${fn}`);
  if (expect.function !== undefined && fn !== expect.function) return invalid(`unexpected function ${fn}`);
  const byteCount = bytes[2]! & 0xff;
  if (byteCount === 0 || byteCount % 2 !== 0) return invalid(`bad byte count ${byteCount}`);
  if (n !== 5 + byteCount) return invalid(`byte count ${byteCount} does not match frame length ${n}`);
  if (expect.count !== undefined && byteCount !== expect.count * 2) {
    return invalid(`expected ${expect.count} register(s), got ${byteCount / 2}`);
  }
  const registers: number[] = [];
  for (let i = 0; i < byteCount; i += 2) registers.push(((bytes[3 + i]! & 0xff) << 8) | (bytes[4 + i]! & 0xff));
  return { ok: true, unitId, function: fn, registers };
}
