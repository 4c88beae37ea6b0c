// Transports and port discovery against real things: TCP sockets on 127.0.0.1, files in temp
// folders, pseudo-terminals, and node-hid as installed here (no HID devices attached).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { portList, serialConnection, type DeviceFault } from '../../main/contract/devices.js';
import { openPty, type PtyPair } from '../../native/sim/pty.js';
import {
  DeviceFaultError,
  HidTransport,
  LpTransport,
  SerialTransport,
  TcpTransport,
  createTransport,
  hidFault,
  listPorts,
  loadNodeHid,
  lpFault,
  tcpFault,
  type Transport,
} from '../../native/transports/index.js';

const root = mkdtempSync(join(tmpdir(), 'plantdesk-transports-'));
const cleanups: (() => unknown)[] = [];
const transports: Transport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function track<T extends Transport>(t: T): T {
  transports.push(t);
  return t;
}

async function until(check: () => boolean, what: string, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The fault a promise rejects with (fails the test if it resolves or rejects otherwise). */
async function faultOf(p: Promise<unknown>): Promise<DeviceFault> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeviceFaultError);
  return (error as DeviceFaultError).fault;
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A TCP server on 127.0.0.1 that records what it gets and hands out its sockets. */
async function server(): Promise<{ port: number; received: () => string; sockets: net.Socket[] }> {
  let received = '';
  const sockets: net.Socket[] = [];
  const srv = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (d) => (received += d.toString()));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  );
  return { port: (srv.address() as net.AddressInfo).port, received: () => received, sockets };
}

/** A free port nobody listens on. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('TcpTransport', () => {
  it('carries data both ways and closes on purpose without a fault', async () => {
    const srv = await server();
    const tcp = track(new TcpTransport({ host: '127.0.0.1', port: srv.port }));
    const got: string[] = [];
    const faults: DeviceFault[] = [];
    tcp.onData((b) => got.push(new TextDecoder().decode(b)));
    tcp.onClose((f) => faults.push(f));
    await tcp.open();
    expect(tcp.isOpen).toBe(true);
    expect(tcp.description).toBe(`tcp 127.0.0.1:${srv.port}`);
    await tcp.write(bytes('^XA^FDhello^FS^XZ'));
    await until(() => srv.received() === '^XA^FDhello^FS^XZ', 'the server to receive');
    srv.sockets[0]?.write('~HS reply');
    await until(() => got.join('') === '~HS reply', 'the reply');
    await tcp.close();
    expect(tcp.isOpen).toBe(false);
    expect(faults).toEqual([]);
    await expect(tcp.write(bytes('x'))).rejects.toMatchObject({ fault: { code: 'DISCONNECTED' } });
  });

  it('an unreachable network is NOT_FOUND, a reset mid-way DISCONNECTED', () => {
    const errno = (code: string): Error => Object.assign(new Error(`connect ${code} 10.1.2.3:9100`), { code });
    expect(tcpFault(errno('EHOSTUNREACH'), '10.1.2.3:9100').code).toBe('NOT_FOUND');
    expect(tcpFault(errno('ENETUNREACH'), '10.1.2.3:9100').code).toBe('NOT_FOUND');
    expect(tcpFault(errno('ECONNRESET'), '10.1.2.3:9100').code).toBe('DISCONNECTED');
  });

  it('a closed port is REFUSED; an unknown host is NOT_FOUND', async () => {
    const refused = await faultOf(track(new TcpTransport({ host: '127.0.0.1', port: await closedPort() })).open());
    expect(refused).toMatchObject({ code: 'REFUSED', hint: { en: expect.stringContaining('9100') } });
    const unknown = await faultOf(track(new TcpTransport({ host: 'printer.invalid', port: 9100 })).open());
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.message.ru).toContain('printer.invalid:9100');
  });

  it('a server that never accepts makes the connect time out', async () => {
    // A listener whose process never runs its event loop: once its backlog is full, SYNs go unanswered.
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '-e',
        `const s = require('net').createServer();
         s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
           process.stdout.write(s.address().port + '\\n');
           Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
         });`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    cleanups.push(() => child.kill());
    const port = await new Promise<number>((resolve) => child.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    const fillers = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
          }),
      ),
    );
    cleanups.push(() => fillers.forEach((s) => s.destroy()));
    const fault = await faultOf(track(new TcpTransport({ host: '127.0.0.1', port }, { connectTimeoutMs: 300 })).open());
    expect(fault).toMatchObject({ code: 'TIMEOUT', cause: 'no connection within 300 ms' });
  });

  it('finish: resolves only once the device has read everything and closed its side', async () => {
    const srv = await server();
    const tcp = track(new TcpTransport({ host: '127.0.0.1', port: srv.port }));
    const faults: DeviceFault[] = [];
    tcp.onClose((f) => faults.push(f));
    await tcp.open();
    await until(() => srv.sockets.length === 1, 'the connection');
    srv.sockets[0]?.pause(); // a printer busy with something else
    const label = 'A'.repeat(300_000);
    let readAtFinish = -1;
    const written = tcp.write(bytes(label));
    const finished = tcp.finish().then(() => (readAtFinish = srv.received().length));
    await written; // in the kernel's buffers: not yet on the printer
    await new Promise((r) => setTimeout(r, 150));
    expect(readAtFinish).toBe(-1);
    srv.sockets[0]?.resume();
    await finished;
    expect(readAtFinish).toBe(label.length);
    expect(tcp.isOpen).toBe(false);
    expect(faults).toEqual([]); // the device closing after finish() is the expected end
  });

  it('finish: a device that stops reading never finishes; close resets the connection at once', async () => {
    const srv = await server();
    const tcp = track(new TcpTransport({ host: '127.0.0.1', port: srv.port }));
    await tcp.open();
    await until(() => srv.sockets.length === 1, 'the connection');
    const peer = srv.sockets[0]!;
    peer.pause();
    let peerClosed = false;
    peer.on('close', () => (peerClosed = true));
    // More than the device's receive buffer: the rest waits in ours (or still in Node's).
    const total = 2_000_000;
    void tcp.write(bytes('A'.repeat(total))).catch(() => undefined);
    const finishing = faultOf(tcp.finish());
    await new Promise((r) => setTimeout(r, 150));
    expect(srv.received()).toBe('');
    await tcp.close();
    expect(await finishing).toMatchObject({ code: 'DISCONNECTED' });
    // The device, reading again, gets what reached it before the cut: the rest is dropped, not
    // delivered later (a plain close would let the kernel send it on).
    peer.resume();
    await until(() => peerClosed, 'the device to see the connection end');
    expect(srv.received().length).toBeLessThan(total);
  });

  it('the device closing or resetting the connection is DISCONNECTED', async () => {
    const srv = await server();
    for (const cut of ['end', 'reset'] as const) {
      const tcp = track(new TcpTransport({ host: '127.0.0.1', port: srv.port }));
      const faults: DeviceFault[] = [];
      tcp.onClose((f) => faults.push(f));
      await tcp.open();
      await until(() => srv.sockets.length > 0, 'the connection');
      const socket = srv.sockets.pop();
      if (cut === 'end') socket?.end();
      else socket?.resetAndDestroy();
      await until(() => faults.length === 1, `DISCONNECTED after ${cut}`);
      expect(faults[0]?.code).toBe('DISCONNECTED');
      expect(tcp.isOpen).toBe(false);
    }
  });
});

describe('SerialTransport', () => {
  async function pty(): Promise<PtyPair> {
    const p = await openPty();
    cleanups.push(() => p.close());
    return p;
  }

  it('a device file that disappears or is taken over by another device closes the port as DISCONNECTED', async () => {
    const [first, second] = [await pty(), await pty()];
    const link = join(root, 'ttyLINK');
    symlinkSync(first.path, link);
    cleanups.push(() => rmSync(link, { force: true }));
    const serial = track(new SerialTransport(serialConnection.parse({ type: 'serial', path: link })));
    const faults: DeviceFault[] = [];
    serial.onClose((f) => faults.push(f));

    await serial.open();
    symlinkSync(second.path, `${link}.new`);
    renameSync(`${link}.new`, link); // like a replug that got another device number
    await until(() => faults.length === 1, 'the takeover');
    expect(faults[0]).toMatchObject({ code: 'DISCONNECTED', cause: 'the device file now belongs to another device' });

    await serial.open();
    rmSync(link);
    await until(() => faults.length === 2, 'the removal');
    expect(faults[1]).toMatchObject({ code: 'DISCONNECTED', cause: 'the device file is gone' });
    expect(serial.isOpen).toBe(false);
  });

  it('refuses a path that is not a device file, also behind a symlink, and leaves the file as it was', async () => {
    const file = join(root, 'notes.txt');
    writeFileSync(file, 'not a port\n');
    const link = join(root, 'ttyNOTES');
    symlinkSync(file, link);
    cleanups.push(() => rmSync(link, { force: true }));
    for (const path of [file, link, root]) {
      const serial = track(new SerialTransport(serialConnection.parse({ type: 'serial', path })));
      const fault = await faultOf(serial.open());
      expect(fault).toMatchObject({ code: 'UNSUPPORTED', message: { en: `${path} is not a serial port (not a device file)` } });
      expect(fault.message.ru).toContain('не COM-порт');
      expect(serial.isOpen).toBe(false);
    }
    expect(readFileSync(file, 'utf8')).toBe('not a port\n');
    // A real port still opens.
    const pair = await pty();
    const ok = track(new SerialTransport(serialConnection.parse({ type: 'serial', path: pair.path })));
    await ok.open();
    expect(ok.isOpen).toBe(true);
  });
});

describe('LpTransport', () => {
  it('writes to a character device (/dev/null) and never reports data', async () => {
    const lp: Transport = track(new LpTransport({ path: '/dev/null' }));
    let data = 0;
    lp.onData(() => data++);
    await lp.open();
    expect(lp.isOpen).toBe(true);
    await lp.write(bytes('SIZE 58 mm,40 mm\r\n'));
    await lp.write(bytes('PRINT 1,1\r\n'));
    await lp.close();
    expect(lp.isOpen).toBe(false);
    expect(data).toBe(0);
  });

  it('refuses anything that is not a character device (a user file, a link to it, a folder) and leaves it as it was', async () => {
    const file = join(root, 'bashrc');
    writeFileSync(file, 'export PATH=$HOME/bin:$PATH\n');
    const link = join(root, 'lp-link');
    symlinkSync(file, link);
    cleanups.push(() => rmSync(link, { force: true }));
    for (const path of [file, link, root]) {
      const lp = track(new LpTransport({ path }));
      const fault = await faultOf(lp.open());
      expect(fault).toMatchObject({ code: 'UNSUPPORTED', message: { en: `${path} is not a printer device` }, hint: { en: expect.stringContaining('/dev/usb/lp0') } });
      expect(fault.message.ru).toContain('не устройство принтера');
      expect(lp.isOpen).toBe(false);
      await expect(lp.write(bytes('echo pwned\n'))).rejects.toBeInstanceOf(DeviceFaultError);
    }
    expect(readFileSync(file, 'utf8')).toBe('export PATH=$HOME/bin:$PATH\n');
  });

  it('a printer that stops taking data holds no thread: the write waits, close returns and ends it', async () => {
    const pair = await openPty(); // a tty is a character device that stops taking data when nobody reads
    cleanups.push(() => pair.close());
    pair.master.pause();
    const lp = track(new LpTransport({ path: pair.path }));
    await lp.open();
    let outcome: unknown = null;
    const writing = lp.write(new Uint8Array(200_000).fill(0x41)).then(
      () => (outcome = 'done'),
      (error: unknown) => (outcome = error),
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(outcome).toBeNull();
    // A blocking write would be stuck in the kernel, and closing would wait for it for ever.
    await lp.close();
    await writing;
    expect(outcome).toMatchObject({ fault: { code: 'DISCONNECTED', cause: 'closed while writing' } });
  });

  it('writes in order and finishes once a stalled printer takes data again', async () => {
    const pair = await openPty();
    cleanups.push(() => pair.close());
    pair.master.pause();
    const lp = track(new LpTransport({ path: pair.path }));
    await lp.open();
    const big = new Uint8Array(100_000).fill(0x41);
    const both = Promise.all([lp.write(big), lp.write(bytes('PRINT 1,1\r\n'))]);
    await new Promise((r) => setTimeout(r, 100));
    const received: Buffer[] = [];
    pair.master.on('data', (chunk: Buffer) => received.push(chunk));
    pair.master.resume();
    await both;
    await until(() => Buffer.concat(received).length === big.length + 11, 'every byte');
    expect(Buffer.concat(received).toString('latin1')).toBe(`${'A'.repeat(100_000)}PRINT 1,1\r\n`);
  });

  it('a missing printer is NOT_FOUND and no file is created in its place', async () => {
    const path = join(root, 'usb', 'lp7');
    mkdirSync(join(root, 'usb'), { recursive: true });
    const fault = await faultOf(track(new LpTransport({ path })).open());
    expect(fault).toMatchObject({ code: 'NOT_FOUND', message: { en: `Printer ${path} does not exist` } });
    expect(existsSync(path)).toBe(false);
  });

  it('explains permissions (group lp) and a vanished printer', () => {
    const errno = (code: string): Error => Object.assign(new Error(`${code}: failed`), { code });
    expect(lpFault(errno('EACCES'), '/dev/usb/lp0')).toMatchObject({ code: 'ACCESS_DENIED', hint: { en: expect.stringContaining('lp group') } });
    expect(lpFault(errno('ENODEV'), '/dev/usb/lp0').code).toBe('DISCONNECTED');
    expect(lpFault(errno('EBUSY'), '/dev/usb/lp0').hint?.en).toContain('CUPS');
  });
});

describe('HidTransport', () => {
  it('node-hid loads here; a device that is not attached is NOT_FOUND', async () => {
    const hid = loadNodeHid();
    expect(hid.getHidapiVersion()).toMatch(/^\d+\.\d+/);
    const byId = await faultOf(track(new HidTransport({ vendorId: 0x1234, productId: 0x5678 })).open());
    expect(byId).toMatchObject({ code: 'NOT_FOUND', message: { en: 'HID device 1234:5678 was not found' } });
    const byPath = await faultOf(track(new HidTransport({ vendorId: 0x1234, productId: 0x5678, path: '/dev/hidraw99' })).open());
    expect(byPath.code).toBe('NOT_FOUND');
  });

  it('explains hidraw permissions with the udev rule', () => {
    const denied = hidFault(
      new Error("cannot open device with path /dev/hidraw3: Failed to open a device with path '/dev/hidraw3': Permission denied"),
      '/dev/hidraw3',
    );
    expect(denied).toMatchObject({ code: 'ACCESS_DENIED', hint: { en: expect.stringContaining('udev rule') } });
  });

  it('a missing HID library is a NO_HID fault with the install hint, not a crash', async () => {
    const transport = track(
      new HidTransport(
        { vendorId: 0x0c2e, productId: 0x0b61 },
        {
          load: () => {
            throw new Error('libusb-1.0.so.0: cannot open shared object file');
          },
        },
      ),
    );
    const fault = await faultOf(transport.open());
    expect(fault).toMatchObject({ code: 'NO_HID', cause: 'libusb-1.0.so.0: cannot open shared object file' });
    expect(fault.hint?.en).toContain('apt install libusb-1.0-0');
  });
});

describe('createTransport', () => {
  it('picks the transport for each connection type', () => {
    expect(createTransport({ type: 'serial', path: '/dev/ttyUSB0', baudRate: 4800, dataBits: 8, parity: 'even', stopBits: 1 }).description).toBe(
      'serial /dev/ttyUSB0 4800 8E1',
    );
    expect(createTransport({ type: 'tcp', host: '10.0.0.5', port: 9100 })).toBeInstanceOf(TcpTransport);
    expect(createTransport({ type: 'hid', vendorId: 0x0c2e, productId: 0x0b61 }).description).toBe('hid 0c2e:0b61');
    expect(createTransport({ type: 'lp', path: '/dev/usb/lp0' })).toBeInstanceOf(LpTransport);
  });
});

describe('listPorts', () => {
  /** A /dev look-alike of real files: what a machine without udev shows. */
  function devDir(): string {
    const dev = mkdtempSync(join(root, 'dev-'));
    for (const name of ['ttyUSB0', 'ttyACM1', 'ttyS0', 'ttyS10', 'ttyS2', 'ttyAMA0', 'rfcomm0', 'tty', 'tty1', 'console', 'ttyUSBx']) {
      writeFileSync(join(dev, name), '');
    }
    mkdirSync(join(dev, 'serial', 'by-id'), { recursive: true });
    symlinkSync('../../ttyUSB0', join(dev, 'serial', 'by-id', 'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0'));
    symlinkSync('../../ttyUSB9', join(dev, 'serial', 'by-id', 'usb-gone-if00-port0')); // broken: left out
    mkdirSync(join(dev, 'usb'));
    writeFileSync(join(dev, 'usb', 'lp0'), '');
    writeFileSync(join(dev, 'usb', 'hiddev0'), '');
    return dev;
  }

  it('without udev: scans the dev folder, says so, and lists printers', async () => {
    const dev = devDir();
    const list = await listPorts({
      platform: 'linux',
      devDir: dev,
      listSerial: () => Promise.reject(new Error('spawn udevadm ENOENT')),
      listHid: () => Promise.resolve([]),
    });
    expect(portList.parse(list)).toEqual(list);
    expect(list.notices.map((n) => [n.code, n.cause])).toEqual([['NO_UDEV', 'spawn udevadm ENOENT']]);
    expect(list.notices[0]?.message.en).toContain('may include ports with nothing attached');
    expect(list.ports.map((p) => [p.kind, p.path.slice(dev.length + 1)])).toEqual([
      ['serial', 'rfcomm0'],
      ['serial', 'serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0'],
      ['serial', 'ttyACM1'],
      ['serial', 'ttyAMA0'],
      ['serial', 'ttyS0'],
      ['serial', 'ttyS2'],
      ['serial', 'ttyS10'],
      ['serial', 'ttyUSB0'],
      ['lp', 'usb/lp0'],
    ]);
    expect(list.ports.every((p) => p.accessible === true)).toBe(true);
    expect(list.ports[1]?.product).toBe('usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0');
  });

  /** A stand-in for the running udev daemon's control socket. */
  function udevRunning(): string {
    const control = join(mkdtempSync(join(root, 'run-udev-')), 'control');
    writeFileSync(control, '');
    return control;
  }

  it('with udev: takes serialport’s list (hex ids, access checked) and does not scan', async () => {
    const dev = devDir();
    const list = await listPorts({
      platform: 'linux',
      devDir: dev,
      udevControl: udevRunning(),
      listSerial: () =>
        Promise.resolve([
          { path: join(dev, 'ttyUSB0'), manufacturer: 'FTDI', serialNumber: 'A50285BI', vendorId: '0403', productId: '6001' },
          { path: join(dev, 'ttyUSB5') },
        ]),
      listHid: () => Promise.resolve([]),
    });
    expect(list.notices).toEqual([]);
    expect(list.ports.filter((p) => p.kind === 'serial')).toEqual([
      { path: join(dev, 'ttyUSB0'), kind: 'serial', manufacturer: 'FTDI', serialNumber: 'A50285BI', vendorId: 0x0403, productId: 0x6001, product: null, accessible: true },
      { path: join(dev, 'ttyUSB5'), kind: 'serial', manufacturer: null, serialNumber: null, vendorId: null, productId: null, product: null, accessible: false },
    ]);
  });

  it('udevadm installed but udev not running (a container): adds what the dev folder shows, once, and says so', async () => {
    const dev = devDir();
    const list = await listPorts({
      platform: 'linux',
      devDir: dev,
      udevControl: join(root, 'no-run-udev', 'control'),
      listSerial: () => Promise.resolve([{ path: join(dev, 'ttyUSB0'), manufacturer: 'FTDI', vendorId: '0403', productId: '6001' }]),
      listHid: () => Promise.resolve([]),
    });
    expect(portList.parse(list)).toEqual(list);
    expect(list.notices).toMatchObject([{ code: 'NO_UDEV', cause: `${join(root, 'no-run-udev', 'control')} does not exist (udev is not running)` }]);
    const serial = list.ports.filter((p) => p.kind === 'serial');
    expect(serial.map((p) => p.path.slice(dev.length + 1))).toEqual([
      'rfcomm0',
      'serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0',
      'ttyACM1',
      'ttyAMA0',
      'ttyS0',
      'ttyS2',
      'ttyS10',
      'ttyUSB0',
    ]);
    // The listed entry keeps what udevadm knew about it.
    expect(serial.at(-1)).toMatchObject({ manufacturer: 'FTDI', vendorId: 0x0403, productId: 0x6001 });
  });

  it('marks HID-POS scanners; a HID library that cannot load is a notice, not an error', async () => {
    const common = { platform: 'linux' as const, devDir: join(root, 'nothing'), udevControl: udevRunning(), listSerial: () => Promise.resolve([]) };
    const scanner = { vendorId: 0x0c2e, productId: 0x0b61, path: join(root, 'nothing', 'hidraw3'), manufacturer: 'Honeywell', product: 'Scanner' };
    const withHid = await listPorts({
      ...common,
      listHid: () =>
        Promise.resolve([
          { ...scanner, usagePage: 0x01, usage: 0x06 },
          { ...scanner, usagePage: 0x8c, usage: 0x02 },
          { vendorId: 0x046d, productId: 0xc52b, path: join(root, 'nothing', 'hidraw0'), usagePage: 0x01 },
        ]),
    });
    expect(withHid.ports.map((p) => [p.path.slice(-7), p.kind, p.hidPos ?? false, p.accessible])).toEqual([
      ['hidraw0', 'hid', false, false],
      ['hidraw3', 'hid', true, false],
    ]);
    const noHid = await listPorts({ ...common, listHid: () => Promise.reject(new Error('libusb missing')) });
    expect(noHid.ports).toEqual([]);
    expect(noHid.notices).toMatchObject([{ code: 'NO_HID', cause: 'libusb missing' }]);
  });

  it('on this machine: lists without throwing, in the contract’s shape', async () => {
    const list = await listPorts();
    expect(portList.parse(list)).toEqual(list);
    expect(list.notices.filter((n) => n.code !== 'NO_UDEV' && n.code !== 'NO_HID')).toEqual([]);
  });
});
