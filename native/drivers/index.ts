// One entry point for the device manager: a device's configuration → the driver for its protocol.
import type { DeviceConfig } from '../../main/contract/devices.js';
import type { DeviceDriver, DriverContext } from './driver.js';
import { createLabDriver } from './lab.js';
import { createPrinterDriver } from './printer.js';
import { createScaleDriver } from './scale.js';
import { createScannerDriver } from './scanner.js';
import { createSensorDriver } from './sensor.js';

export function createDriver(config: DeviceConfig, context: DriverContext): DeviceDriver {
  switch (config.kind) {
    case 'scale':
      return createScaleDriver(config, context);
    case 'scanner':
      return createScannerDriver(config, context);
    case 'lab':
      return createLabDriver(config, context);
    case 'sensor':
      return createSensorDriver(config, context);
    case 'printer':
      return createPrinterDriver(config, context);
  }
}

export type { DeviceDriver, DriverContext, DriverListeners, LabMessage } from './driver.js';
