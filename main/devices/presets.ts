// Ready-made sensor settings: a register preset (native/protocols/modbus-registers.ts) as the
// channels a sensor device is configured with. Used by the demo and by `plantdesk devices read`.
import type { SensorChannel } from '../contract/devices.js';
import { xyMd02Preset } from '../../native/protocols/modbus-registers.js';

/** XY-MD02 / SHT20: temperature and humidity, function 4, registers 1 and 2, ×0.1. */
export function xyMd02Channels(unitId = 1): SensorChannel[] {
  return xyMd02Preset(unitId).registers.map((r) => ({
    quantity: r.quantity,
    unitId: r.unitId,
    function: r.function,
    address: r.address,
    type: r.type,
    wordOrder: r.wordOrder,
    scale: r.scale,
    offset: r.offset ?? 0,
  }));
}
