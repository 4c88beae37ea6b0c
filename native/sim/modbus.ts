/**
 * A Modbus RTU slave (temperature/humidity sensor) on an RS-485 line.
 *
 *   const sensor = await new ModbusSimulator({ unitId: 1, layout: 'xy-md02' }).start();
 *   sensor.setTemperature(-18.5)      XY-MD02: input register 1 = int16 ×0.1; OWEN MV210: float32 at holding 4000
 *   sensor.setHumidity(61.2)          XY-MD02 only: input register 2 = ×0.1
 *   sensor.sensorError()              the probe is broken: 0x7FFF (XY-MD02) / NaN (MV210) in the temperature register
 *   sensor.setRegisters(3, 100, [1, 2])   any register map
 *   sensor.silent = true              no answers at all: the host times out
 *   sensor.corruptNext()              the next answer has a wrong CRC
 *   sensor.requests                   how many requests for this unit were answered
 *
 * Answers read requests (functions 3 and 4) for its unit id: registers from the map, exception 02
 * (illegal data address) when any requested register is not in it, 03 for a bad count, 01 for other
 * functions. A request with a wrong CRC or for another unit gets silence, as on a real bus. A frame
 * ends after a short pause, as RTU framing says.
 */
import { buildExceptionResponse, buildReadResponse, crc16 } from '../protocols/modbus-registers.js';
import { Simulator, type SimulatorOptions } from './simulator.js';

export type ModbusLayout = 'xy-md02' | 'owen-mv210' | 'none';

export interface ModbusSimulatorOptions extends SimulatorOptions {
  unitId?: number;
  /** Register layout of `setTemperature`/`setHumidity`; default xy-md02. */
  layout?: ModbusLayout;
  /** OWEN MV210 float word order (default big: high word first). */
  wordOrder?: 'big' | 'little';
  /** Initial temperature (°C) and humidity (%) for the layout. */
  temperature?: number;
  humidity?: number;
}

/** RTU frames end after 3.5 character times of silence; at 9600 baud that is about 4 ms. */
const FRAME_GAP_MS = 4;
const EXCEPTION = { illegalFunction: 1, illegalAddress: 2, illegalValue: 3 } as const;
const XY_TEMPERATURE = 0x0001;
const XY_HUMIDITY = 0x0002;
const MV210_TEMPERATURE = 4000;

const int16 = (value: number): number => Math.round(value) & 0xffff;

export class ModbusSimulator extends Simulator {
  readonly unitId: number;
  readonly layout: ModbusLayout;
  silent = false;
  /** Requests for this unit answered so far (exceptions included). */
  requests = 0;
  private readonly wordOrder: 'big' | 'little';
  private readonly registers = { 3: new Map<number, number>(), 4: new Map<number, number>() };
  private frame: number[] = [];
  private gap: NodeJS.Timeout | null = null;
  private corrupt = false;

  constructor(options: ModbusSimulatorOptions = {}) {
    super(`modbus-${options.unitId ?? 1}`, options);
    this.unitId = options.unitId ?? 1;
    this.layout = options.layout ?? 'xy-md02';
    this.wordOrder = options.wordOrder ?? 'big';
    if (this.layout !== 'none') this.setTemperature(options.temperature ?? 4.0);
    if (this.layout === 'xy-md02') this.setHumidity(options.humidity ?? 60.0);
  }

  setRegisters(fn: 3 | 4, address: number, values: readonly number[]): void {
    values.forEach((v, i) => this.registers[fn].set(address + i, v & 0xffff));
  }

  clearRegisters(): void {
    this.registers[3].clear();
    this.registers[4].clear();
  }

  setTemperature(celsius: number): void {
    if (this.layout === 'xy-md02') this.setRegisters(4, XY_TEMPERATURE, [int16(celsius * 10)]);
    else if (this.layout === 'owen-mv210') this.setFloat(MV210_TEMPERATURE, celsius);
    else throw new Error('setTemperature needs a register layout (xy-md02 or owen-mv210)');
  }

  setHumidity(percent: number): void {
    if (this.layout !== 'xy-md02') throw new Error('setHumidity needs the xy-md02 layout');
    this.setRegisters(4, XY_HUMIDITY, [Math.round(percent * 10) & 0xffff]);
  }

  /** The probe is broken or missing: what the sensor reports then. */
  sensorError(): void {
    if (this.layout === 'xy-md02') this.setRegisters(4, XY_TEMPERATURE, [0x7fff]);
    else if (this.layout === 'owen-mv210') this.setFloat(MV210_TEMPERATURE, NaN);
  }

  corruptNext(): void {
    this.corrupt = true;
  }

  protected override replugged(): void {
    this.frame = [];
  }

  protected override stopped(): void {
    if (this.gap) clearTimeout(this.gap);
    this.gap = null;
  }

  protected handle(bytes: Uint8Array): void {
    this.frame.push(...bytes);
    if (this.gap) clearTimeout(this.gap);
    this.gap = setTimeout(() => {
      this.gap = null;
      const frame = this.frame;
      this.frame = [];
      const answer = this.answer(frame);
      if (!answer || this.silent) return;
      this.requests++;
      if (this.corrupt) {
        this.corrupt = false;
        answer[answer.length - 1] = (answer[answer.length - 1] ?? 0) ^ 0x01;
      }
      void this.transmit(answer);
    }, FRAME_GAP_MS);
  }

  /** The answer to one request frame, or null for silence. */
  private answer(frame: number[]): Uint8Array | null {
    const n = frame.length;
    if (n < 4) return null;
    const crc = crc16(frame, 0, n - 2);
    if (crc !== ((frame[n - 2] ?? 0) | ((frame[n - 1] ?? 0) << 8))) return null;
    if (frame[0] !== this.unitId) return null;
    const fn = frame[1] ?? 0;
    if (fn !== 3 && fn !== 4) return buildExceptionResponse(this.unitId, fn, EXCEPTION.illegalFunction);
    if (n !== 8) return buildExceptionResponse(this.unitId, fn, EXCEPTION.illegalValue);
    const address = ((frame[2] ?? 0) << 8) | (frame[3] ?? 0);
    const count = ((frame[4] ?? 0) << 8) | (frame[5] ?? 0);
    if (count < 1 || count > 125) return buildExceptionResponse(this.unitId, fn, EXCEPTION.illegalValue);
    const values: number[] = [];
    for (let a = address; a < address + count; a++) {
      const v = this.registers[fn].get(a);
      if (v === undefined) return buildExceptionResponse(this.unitId, fn, EXCEPTION.illegalAddress);
      values.push(v);
    }
    return buildReadResponse(this.unitId, fn, values);
  }

  private setFloat(address: number, value: number): void {
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value, false);
    const high = view.getUint16(0, false);
    const low = view.getUint16(2, false);
    this.setRegisters(3, address, this.wordOrder === 'big' ? [high, low] : [low, high]);
  }
}
