// One entry point for drivers and the device manager: a transport for any configured connection.
import type { Connection } from '../../main/contract/devices.js';
import { HidTransport } from './hid.js';
import { LpTransport } from './lp.js';
import { SerialTransport } from './serial.js';
import { TcpTransport } from './tcp.js';
import type { Transport } from './transport.js';

export function createTransport(connection: Connection): Transport {
  switch (connection.type) {
    case 'serial':
      return new SerialTransport(connection);
    case 'tcp':
      return new TcpTransport(connection);
    case 'hid':
      return new HidTransport(connection);
    case 'lp':
      return new LpTransport(connection);
  }
}

export * from './transport.js';
export * from './faults.js';
export * from './serial.js';
export * from './tcp.js';
export * from './hid.js';
export * from './lp.js';
export * from './discovery.js';
