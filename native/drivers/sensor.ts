// Temperature/humidity sensors on an RS-485 Modbus RTU bus, read with modbus-serial. Every pollMs
// each channel is read in turn — never two requests on the bus at once, as RS-485 is half duplex
// and the sensors share it. A channel that cannot be read is still a sample (value null, the
// reason in `error`) plus a fault, so a chart shows the gap and the alert logic sees it.
//
// How modbus-serial behaves, and what is done about it:
// - an unplugged adapter: usually the serial port closes and the client emits `close` (without a
//   reason) → closed(DISCONNECTED), once. A hung-up USB tty may never close, so the port's device
//   file is also watched (gone, or another device now), and a bus where no channel answered
//   SILENT_POLLS polls in a row is taken for a lost adapter too: either way closed(DISCONNECTED),
//   and the manager reopens it;
// - a pending request keeps its own reply timer after the port closed: `destroy()` cancels it (it
//   also leaves the promise unsettled, so a poll cycle checks it still owns the client);
// - a silent slave: the request rejects with TransactionTimedOutError after setTimeout(ms);
// - an exception reply: an Error carrying `modbusCode`;
// - the client emits `error` events (e.g. a write to a dying port) that would throw without a
//   listener; the same failure reaches us as a failed request or a close.
import modbusSerial from 'modbus-serial';
import type { DeviceConfig, DeviceFault, SensorOptions, SensorSampleEvent } from '../../main/contract/devices.js';
import { channelRegisterConfig, decodeRegisters, exceptionNames, registerCount, type RegisterConfig } from '../protocols/modbus-registers.js';
import { deviceFault, disconnectedFault, protocolFault, serialFault, timeoutFault } from '../transports/faults.js';
import { PRESENCE_CHECK_MS, departure, deviceOf } from '../transports/presence.js';
import { DeviceFaultError } from '../transports/transport.js';
import { TimerSet, faultOf, guarded, tellClosed, tellFault, type DeviceDriver, type DriverContext } from './driver.js';

// a CommonJS package whose typings declare an ES default export: under NodeNext that is `.default`
// (at run time the package sets `module.exports.default = module.exports`)
const ModbusRTU = modbusSerial.default;
type ModbusRTU = InstanceType<typeof ModbusRTU>;

/** Polls in a row in which no channel answered at all before the adapter is taken for lost. */
export const SILENT_POLLS = 3;

/** What one channel read gave: a value, or why not (the sample's error text and the fault). */
type Outcome = { value: number } | { error: string; fault: DeviceFault };

function channelConfigs(where: string, options: SensorOptions): RegisterConfig[] {
  return options.channels.map((c, i) => {
    try {
      return channelRegisterConfig(c);
    } catch {
      throw new DeviceFaultError(
        deviceFault(
          'PROTOCOL',
          {
            ru: `${where}: канал ${i + 1} настроен неверно (регистры за пределами 0…65535)`,
            en: `${where}: channel ${i + 1} is misconfigured (registers beyond 0…65535)`,
          },
          { ru: 'Исправьте адрес регистра в настройках датчика', en: 'Correct the register address in the sensor settings' },
        ),
      );
    }
  });
}

export class SensorDriver implements DeviceDriver {
  private readonly options: SensorOptions;
  private readonly timers = new TimerSet((run) => guarded(this.context.listeners, run));
  private client: ModbusRTU | null = null;
  private channels: RegisterConfig[] = [];
  /** A poll cycle is reading: the next tick waits its turn instead of talking over it. */
  private busy = false;
  /** Poll cycles in a row in which every channel timed out. */
  private silentPolls = 0;

  constructor(
    readonly config: DeviceConfig,
    private readonly context: DriverContext,
  ) {
    this.options = config.options as SensorOptions;
  }

  private get where(): string {
    return this.config.name;
  }

  async open(): Promise<void> {
    if (this.client) return;
    const connection = this.config.connection;
    if (connection.type !== 'serial') {
      throw new DeviceFaultError(
        deviceFault('UNSUPPORTED', { ru: `${this.where}: Modbus RTU работает только через COM-порт`, en: `${this.where}: Modbus RTU needs a serial port` }),
      );
    }
    this.channels = channelConfigs(this.where, this.options);
    const client = new ModbusRTU();
    this.client = client;
    client.on('error', () => undefined); // reported as the failed request or the close that follows
    const { path, baudRate, dataBits, parity, stopBits } = connection;
    try {
      await client.connectRTUBuffered(path, { baudRate, dataBits, parity, stopBits });
    } catch (error) {
      if (this.client === client) this.client = null;
      throw new DeviceFaultError(serialFault(error, path));
    }
    if (this.client !== client) {
      await release(client); // closed while opening
      return;
    }
    client.setTimeout(this.options.timeoutMs);
    client.on('close', () => this.lost(client, disconnectedFault(path)));
    this.watchPresence(client, path);
    this.busy = false;
    this.silentPolls = 0;
    this.poll(client);
    this.timers.every(this.options.pollMs, () => {
      if (!this.busy) this.poll(client);
    });
  }

  async close(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = null;
    this.timers.clearAll();
    await release(client);
  }

  private lost(client: ModbusRTU, fault: DeviceFault): void {
    if (this.client !== client) return;
    this.client = null;
    this.timers.clearAll();
    void release(client);
    tellClosed(this.context.listeners, fault);
  }

  /** The port's device file must stay the one opened (see the top of this file). */
  private watchPresence(client: ModbusRTU, path: string): void {
    const device = deviceOf(path);
    if (device === null) return;
    this.timers.every(PRESENCE_CHECK_MS, () => {
      void departure(path, device).then((cause) => cause !== null && this.lost(client, disconnectedFault(path, cause)));
    });
  }

  private poll(client: ModbusRTU): void {
    this.cycle(client).catch((error: unknown) => tellFault(this.context.listeners, faultOf(error)));
  }

  /** Reads every channel once, one request at a time. */
  private async cycle(client: ModbusRTU): Promise<void> {
    this.busy = true;
    try {
      let answered = false;
      for (const channel of this.channels) {
        const outcome = await this.read(client, channel);
        if (this.client !== client) return; // closed or unplugged meanwhile: nobody wants it
        if (!('fault' in outcome) || outcome.fault.code !== 'TIMEOUT') answered = true;
        const at = this.context.now();
        const sample: SensorSampleEvent =
          'value' in outcome
            ? { device: this.config.code, at, quantity: channel.quantity, value: outcome.value }
            : { device: this.config.code, at, quantity: channel.quantity, value: null, error: outcome.error };
        guarded(this.context.listeners, () => this.context.listeners.sample?.(sample));
        if ('fault' in outcome) tellFault(this.context.listeners, outcome.fault);
      }
      this.silentPolls = answered ? 0 : this.silentPolls + 1;
      if (this.silentPolls >= SILENT_POLLS) this.lost(client, silentBusFault(this.where, SILENT_POLLS));
    } finally {
      this.busy = false;
    }
  }

  private async read(client: ModbusRTU, channel: RegisterConfig): Promise<Outcome> {
    const count = registerCount(channel);
    try {
      client.setID(channel.unitId);
      const reply =
        channel.function === 4
          ? await client.readInputRegisters(channel.address, count)
          : await client.readHoldingRegisters(channel.address, count);
      const decoded = decodeRegisters(channel, reply.data);
      if ('value' in decoded) return decoded;
      return { error: decoded.error, fault: sensorFault(this.where, channel, decoded.error) };
    } catch (error) {
      return this.failed(error, channel);
    }
  }

  private failed(error: unknown, channel: RegisterConfig): Outcome {
    const e = error as { name?: unknown; modbusCode?: unknown; message?: unknown } | null;
    if (e?.name === 'TransactionTimedOutError') {
      return { error: `no answer within ${this.options.timeoutMs} ms`, fault: timeoutFault(this.where, this.options.timeoutMs) };
    }
    if (typeof e?.modbusCode === 'number') {
      const text = `Modbus exception ${e.modbusCode}: ${exceptionNames[e.modbusCode] ?? 'unknown'}`;
      return { error: text, fault: sensorFault(this.where, channel, text) };
    }
    const text = typeof e?.message === 'string' ? e.message : String(error);
    const fault = e?.name === 'PortNotOpenError' ? disconnectedFault(this.where, text) : protocolFault(this.where, text);
    return { error: text, fault };
  }

}

function sensorFault(where: string, channel: RegisterConfig, detail: string): DeviceFault {
  const what = channel.quantity === 'temperature' ? { ru: 'температура', en: 'temperature' } : { ru: 'влажность', en: 'humidity' };
  return deviceFault(
    'DEVICE_ERROR',
    {
      ru: `${where}: датчик ${channel.unitId} (${what.ru}) сообщил об ошибке: ${detail}`,
      en: `${where}: sensor ${channel.unitId} (${what.en}) reported an error: ${detail}`,
    },
    {
      ru: 'Проверьте датчик и его зонд, адрес и номер регистра в настройках',
      en: 'Check the sensor and its probe, and the address and register number in the settings',
    },
  );
}

function silentBusFault(where: string, polls: number): DeviceFault {
  return deviceFault(
    'DISCONNECTED',
    {
      ru: `${where}: ни один датчик не ответил на ${polls} опроса подряд — адаптер, похоже, отключён`,
      en: `${where}: no sensor answered ${polls} polls in a row — the adapter seems to be unplugged`,
    },
    {
      ru: 'Проверьте USB-адаптер RS-485, питание датчиков и линию; PlantDesk переподключится сам',
      en: 'Check the RS-485 USB adapter, the sensors’ power and the line; PlantDesk reconnects by itself',
    },
  );
}

/** Cancels the pending request's timer and lets the port go (it may be gone already). */
function release(client: ModbusRTU): Promise<void> {
  return new Promise((resolve) => {
    client.destroy(() => undefined);
    client.close(() => resolve());
  });
}

export function createSensorDriver(config: DeviceConfig, context: DriverContext): DeviceDriver {
  return new SensorDriver(config, context);
}
