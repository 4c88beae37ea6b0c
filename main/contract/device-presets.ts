// Ready-made settings of instruments and sensors seen at plants: the one copy the device settings
// screen, the native protocol code, the simulators, the demo and the CLI all take them from. Pure
// data typed by the contract, so a preset that drifts from what `deviceConfig` accepts fails the
// typecheck or the preset tests rather than a user's save.
import type { LabLineProfile, SensorChannel } from './devices.js';

/** A preset's name as the settings screen shows it. */
export interface PresetName {
  ru: string;
  en: string;
}

// ── line-output lab instruments ────────────────────────────────────────────────────────────

export interface LabLinePreset {
  name: PresetName;
  profile: LabLineProfile;
}

/** A number as instruments print it: sign (maybe spaced off), digits, point or comma. */
const NUMBER = String.raw`[+-]?\s*\d+(?:[.,]\d+)?`;

/**
 * Profiles of line-output instruments (DEVICES.md); the user picks one and adjusts the test code.
 * native/sim/lab-line.ts simulates each of them under the same key.
 */
export const LAB_LINE_PRESETS = {
  /** Sartorius MA moisture analysers print the result by themselves: `Moist +       22 %M`. */
  'sartorius-ma': {
    name: { ru: 'Sartorius MA (печатает сам)', en: 'Sartorius MA (prints by itself)' },
    profile: {
      pattern: String.raw`^\s*Moist\s*(?<value>${NUMBER})\s*%M\s*$`,
      unit: '%',
      testCode: 'moisture',
      intervalMs: 5_000,
    },
  },
  /** Ohaus MB moisture analysers answer `P` with the elapsed time and the reading: `5:30  12.34 %MC`. */
  'ohaus-mb': {
    name: { ru: 'Ohaus MB (команда P)', en: 'Ohaus MB (command P)' },
    profile: {
      command: 'P',
      pattern: String.raw`(?<value>${NUMBER})\s*%\s*MC\b`,
      unit: '%',
      testCode: 'moisture',
      intervalMs: 5_000,
    },
  },
  /** Hanna pH meters answer `PH?` (ended by a bare CR) with a line holding the pH: `pH 7.01`. */
  'hanna-ph': {
    name: { ru: 'Hanna pH-метр (команда PH?)', en: 'Hanna pH meter (command PH?)' },
    profile: {
      command: 'PH?\r',
      pattern: String.raw`^\s*(?:pH\s*)?(?<value>[+-]?\d{1,2}(?:[.,]\d{1,3})?)\s*(?:pH)?\s*$`,
      unit: 'pH',
      testCode: 'ph',
      intervalMs: 5_000,
    },
  },
} as const satisfies Record<string, LabLinePreset>;

export type LabLinePresetKey = keyof typeof LAB_LINE_PRESETS;
export const LAB_LINE_PRESET_KEYS = Object.keys(LAB_LINE_PRESETS) as LabLinePresetKey[];

// ── Modbus temperature/humidity sensors ────────────────────────────────────────────────────

/** Serial line settings from the sensor's manual. */
export interface SerialLine {
  baudRate: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
}

export interface SensorPreset {
  name: PresetName;
  line: SerialLine;
  /** The register map, for unit id 1 (see `sensorPresetChannels`). */
  channels: readonly SensorChannel[];
}

const LINE_9600_8N1 = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 } as const satisfies SerialLine;

/** Register maps of common RS-485 sensors (DEVICES.md). */
export const SENSOR_PRESETS = {
  /** XY-MD02 / SHT20: input registers 0x0001 temperature (signed ×0.1 °C), 0x0002 humidity (×0.1 %). */
  'xy-md02': {
    name: { ru: 'XY-MD02 / SHT20', en: 'XY-MD02 / SHT20' },
    line: LINE_9600_8N1,
    channels: [
      { quantity: 'temperature', unitId: 1, function: 4, address: 0x0001, type: 'int16', wordOrder: 'big', scale: 0.1, offset: 0 },
      { quantity: 'humidity', unitId: 1, function: 4, address: 0x0002, type: 'uint16', wordOrder: 'big', scale: 0.1, offset: 0 },
    ],
  },
  /** OWEN MV210-101: float32 temperature in holding registers 4000–4001; the word order is a device setting. */
  'owen-mv210': {
    name: { ru: 'ОВЕН МВ210-101', en: 'OWEN MV210-101' },
    line: LINE_9600_8N1,
    channels: [{ quantity: 'temperature', unitId: 1, function: 3, address: 4000, type: 'float32', wordOrder: 'big', scale: 1, offset: 0 }],
  },
} as const satisfies Record<string, SensorPreset>;

export type SensorPresetKey = keyof typeof SENSOR_PRESETS;
export const SENSOR_PRESET_KEYS = Object.keys(SENSOR_PRESETS) as SensorPresetKey[];

/**
 * A preset's channels for the sensor at `unitId`. `wordOrder` overrides the order of 32-bit values
 * (set on the OWEN module; 16-bit registers ignore it).
 */
export function sensorPresetChannels(key: SensorPresetKey, unitId = 1, wordOrder?: SensorChannel['wordOrder']): SensorChannel[] {
  return SENSOR_PRESETS[key].channels.map((c) => ({ ...c, unitId, wordOrder: wordOrder ?? c.wordOrder }));
}
