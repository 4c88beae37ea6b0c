// The presets the settings screen offers, the CLI reads with and the demo sets up: each must be a
// device the contract accepts as it is, or picking one would end in a refusal on save.
import { describe, expect, it } from 'vitest';
import { LAB_LINE_PRESET_KEYS, LAB_LINE_PRESETS, SENSOR_PRESET_KEYS, SENSOR_PRESETS, sensorPresetChannels } from '../main/contract/device-presets.js';
import { deviceConfig, type LabOptions, type SensorOptions } from '../main/contract/devices.js';

const port = { type: 'serial', path: '/dev/ttyUSB0' } as const;

describe('device presets', () => {
  it.each(LAB_LINE_PRESET_KEYS)('lab-line %s is a device the contract accepts, profile unchanged', (key) => {
    const { profile } = LAB_LINE_PRESETS[key];
    const device = deviceConfig.parse({ code: 'LAB-1', name: 'Анализатор', protocol: 'lab-line', connection: port, options: { profile } });
    expect((device.options as LabOptions).profile).toEqual(profile);
  });

  it.each(SENSOR_PRESET_KEYS)('sensor %s with its line settings is a device the contract accepts, channels unchanged', (key) => {
    const channels = sensorPresetChannels(key, 12);
    const device = deviceConfig.parse({ code: 'TS-1', name: 'Датчик', protocol: 'modbus', connection: { ...port, ...SENSOR_PRESETS[key].line }, options: { channels } });
    expect((device.options as SensorOptions).channels).toEqual(channels);
    expect(device.connection).toEqual({ ...port, ...SENSOR_PRESETS[key].line });
  });

  it('XY-MD02: temperature int16 ×0.1 at input register 1, humidity ×0.1 at 2, 9600 8N1', () => {
    expect(SENSOR_PRESETS['xy-md02'].line).toEqual({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
    expect(sensorPresetChannels('xy-md02', 3)).toEqual([
      { quantity: 'temperature', unitId: 3, function: 4, address: 1, type: 'int16', wordOrder: 'big', scale: 0.1, offset: 0 },
      { quantity: 'humidity', unitId: 3, function: 4, address: 2, type: 'uint16', wordOrder: 'big', scale: 0.1, offset: 0 },
    ]);
  });

  it('OWEN MV210: float32 at holding register 4000 in the word order the module is set to; the preset itself stays as it was', () => {
    expect(sensorPresetChannels('owen-mv210', 16, 'little')).toEqual([
      { quantity: 'temperature', unitId: 16, function: 3, address: 4000, type: 'float32', wordOrder: 'little', scale: 1, offset: 0 },
    ]);
    expect(sensorPresetChannels('owen-mv210')[0]).toMatchObject({ unitId: 1, wordOrder: 'big' });
  });
});
