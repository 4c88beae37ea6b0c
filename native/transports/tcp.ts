// TCP connections: network label printers (raw port 9100), Ethernet scale indicators and
// instruments behind serial-to-Ethernet converters. Keepalive is on so a printer switched off
// without closing the connection is noticed by the OS instead of hanging forever.
import net from 'node:net';
import type { DeviceFault } from '../../main/contract/devices.js';
import { deviceFault, disconnectedFault } from './faults.js';
import { DeviceFaultError, ListenedTransport, type Transport } from './transport.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const KEEPALIVE_DELAY_MS = 10_000;
/** How long `close()` waits for the peer to finish after our FIN before cutting the connection. */
const CLOSE_GRACE_MS = 1_000;

export interface TcpOptions {
  connectTimeoutMs?: number;
}

const CHECK_NETWORK_HINT = {
  ru: 'Проверьте адрес и порт в настройках, что устройство включено и подключено к сети, и что брандмауэр не блокирует порт',
  en: 'Check the address and port in the settings, that the device is on and on the network, and that no firewall blocks the port',
};

/** A fault for a failed connect or a broken connection to `where` (host:port). */
export function tcpFault(error: unknown, where: string): DeviceFault {
  const code = (error as { code?: unknown } | null)?.code;
  const cause = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'ECONNREFUSED':
      return deviceFault(
        'REFUSED',
        { ru: `${where} отказал в подключении`, en: `${where} refused the connection` },
        {
          ru: 'Устройство в сети, но порт закрыт: проверьте номер порта (принтеры — обычно 9100) и что сетевой интерфейс устройства включён',
          en: 'The device is on the network but the port is closed: check the port number (printers usually use 9100) and that the device’s network interface is enabled',
        },
        cause,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return deviceFault('NOT_FOUND', { ru: `Узел ${where} недоступен`, en: `Host ${where} cannot be reached` }, CHECK_NETWORK_HINT, cause);
    case 'ETIMEDOUT':
      return connectTimeoutFault(where, cause);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return disconnectedFault(where, cause);
    default:
      return deviceFault('DEVICE_ERROR', { ru: `Ошибка связи с ${where}: ${cause}`, en: `Connection to ${where} failed: ${cause}` }, CHECK_NETWORK_HINT, cause);
  }
}

function connectTimeoutFault(where: string, cause: string): DeviceFault {
  return deviceFault('TIMEOUT', { ru: `${where} не отвечает`, en: `${where} does not answer` }, CHECK_NETWORK_HINT, cause);
}

export class TcpTransport extends ListenedTransport implements Transport {
  readonly description: string;
  private socket: net.Socket | null = null;
  /** Ended by `finish()`, waiting for the device to close its side. */
  private finishing: net.Socket | null = null;
  private readonly where: string;
  private readonly connectTimeoutMs: number;

  constructor(
    private readonly connection: { host: string; port: number },
    options: TcpOptions = {},
  ) {
    super();
    // An IPv6 literal needs brackets to be told from its port.
    this.where = connection.host.includes(':') ? `[${connection.host}]:${connection.port}` : `${connection.host}:${connection.port}`;
    this.description = `tcp ${this.where}`;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  }

  get isOpen(): boolean {
    return this.socket !== null;
  }

  open(): Promise<void> {
    if (this.socket) return Promise.reject(new Error(`${this.description} is already open`));
    const host = this.connection.host.replace(/^\[(.*)\]$/, '$1');
    const socket = net.connect({ host, port: this.connection.port });
    return new Promise((resolve, reject) => {
      const fail = (fault: DeviceFault): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(new DeviceFaultError(fault));
      };
      const timer = setTimeout(() => fail(connectTimeoutFault(this.where, `no connection within ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs);
      socket.once('error', (error) => fail(tcpFault(error, this.where)));
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setKeepAlive(true, KEEPALIVE_DELAY_MS);
        socket.setNoDelay(true);
        this.attach(socket);
        resolve();
      });
    });
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    let failure: unknown = null;
    socket.on('data', (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      this.emitData(bytes);
    });
    socket.on('error', (error) => {
      failure = error;
    });
    socket.on('close', () => {
      // Only a close nobody asked for is news: close() has already let go of the socket.
      if (this.socket !== socket) return;
      this.socket = null;
      const fault = failure ? tcpFault(failure, this.where) : disconnectedFault(this.where, 'connection closed by the device');
      this.emitClose(fault);
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new DeviceFaultError(disconnectedFault(this.where, 'not connected')));
    return new Promise((resolve, reject) => {
      socket.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (error) => {
        if (error) reject(new DeviceFaultError(tcpFault(error, this.where)));
        else resolve();
      });
    });
  }

  /**
   * A device that sends nothing back (a raw-9100 label printer) shows it has taken the bytes only
   * one way: it reads up to our FIN and then closes its side. The write callback means no more
   * than that the kernel's send buffer has them — a printer that stopped reading (paper out,
   * paused) would look done. A reset, or a close without the device's FIN, is a failure.
   */
  finish(): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new DeviceFaultError(disconnectedFault(this.where, 'not connected')));
    // The device closing now is the expected end, not news for the onClose listeners.
    this.socket = null;
    this.finishing = socket;
    return new Promise((resolve, reject) => {
      let failure: unknown = null;
      let ended = false;
      socket.on('error', (error) => (failure = error));
      socket.once('end', () => (ended = true));
      socket.once('close', () => {
        if (this.finishing === socket) this.finishing = null;
        if (failure) reject(new DeviceFaultError(tcpFault(failure, this.where)));
        else if (!ended) reject(new DeviceFaultError(disconnectedFault(this.where, 'cut before the device had read everything')));
        else resolve();
      });
      socket.end();
    });
  }

  /**
   * Sends what is still buffered, then FIN; a peer that does not finish is cut off after a grace
   * period. A connection `finish()` is waiting on is reset at once: its caller has given up, and
   * what the device has not taken yet is dropped rather than delivered later (a plain close would
   * leave the kernel sending it on in the background — a label printed after it was reported failed).
   */
  close(): Promise<void> {
    const finishing = this.finishing;
    if (finishing) {
      this.finishing = null;
      finishing.resetAndDestroy();
      return Promise.resolve();
    }
    const socket = this.socket;
    if (!socket) return Promise.resolve();
    this.socket = null;
    return new Promise((resolve) => {
      if (socket.destroyed) return resolve();
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }
}
