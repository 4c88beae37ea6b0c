// Pseudo-terminal pairs for simulators and tests: the simulator writes and reads the master
// side; the app opens the slave path (/dev/pts/N) with serialport, exactly like a USB-serial
// adapter. Ptys carry bytes but not baud rate or parity. Linux and macOS only (node-pty's
// UnixTerminal); on Windows a simulator needs a virtual COM pair (com0com).
import { closeSync, constants, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { SerialPort } from 'serialport';

export interface PtyPair {
  /** Open this with serialport. */
  readonly path: string;
  /** The device side. */
  readonly master: Socket;
  /** Closes both sides: whoever has `path` open sees a hang-up, like an unplugged adapter. */
  close(): void;
}

interface UnixTerminalStatic {
  open(options: object): { _pty: string; _master: Socket; _slave: Socket };
}

export function ptyUnsupportedReason(): string | null {
  if (process.platform === 'win32') {
    return 'pseudo-terminals do not exist on Windows: install a virtual COM port pair (com0com) to simulate devices';
  }
  return null;
}

/**
 * A new pair in raw mode (no echo, no line editing, no CR/LF translation) — what serialport sets
 * when it opens a port, done once up front so bytes written before the app opens the port are
 * not echoed back to the simulator or cooked.
 */
export async function openPty(): Promise<PtyPair> {
  const reason = ptyUnsupportedReason();
  if (reason) throw new Error(reason);
  const require = createRequire(import.meta.url);
  const { UnixTerminal } = require('node-pty/lib/unixTerminal') as { UnixTerminal: UnixTerminalStatic };
  // encoding null: the master emits Buffers. node-pty's default (utf8) hands out strings, which
  // mangles every binary frame a device reads (STX, ENQ, CRC bytes).
  const t = UnixTerminal.open({ encoding: null });
  const path = t._pty;
  // node-pty's own slave socket would read (and steal) the bytes meant for the app even when
  // paused, so it goes; a plain fd that is never read keeps the pty alive while the app closes
  // and reopens the port, as a USB adapter stays when a program lets go of it.
  const hold = openSync(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  t._slave.destroy();
  await new Promise<void>((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
    port.open((error) => (error ? reject(error) : port.close(() => resolve())));
  });
  let closed = false;
  return {
    path,
    master: t._master,
    close() {
      if (closed) return;
      closed = true;
      t._master.destroy();
      closeSync(hold);
    },
  };
}
