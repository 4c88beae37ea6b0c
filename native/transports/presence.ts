// Is a serial device still there? An unplugged USB adapter is not always reported by the serial
// libraries on Linux and macOS (a hung-up tty may answer reads with end-of-file for ever,
// serialport/bindings-cpp#162), so whoever holds a port also checks that its device file is still
// the one it opened. Windows keeps COM ports out of the file system: there is nothing to check.
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';

/** How often an open port checks that its device file is still there. */
export const PRESENCE_CHECK_MS = 500;

/** The device number behind a path (symlinks followed), or null when there is none (or on Windows). */
export function deviceOf(path: string): number | null {
  if (process.platform === 'win32') return null;
  try {
    return statSync(path).rdev;
  } catch {
    return null;
  }
}

/** Why the device file at `path` is no longer `device` (gone, or another device now), or null while it is. */
export async function departure(path: string, device: number): Promise<string | null> {
  try {
    return (await stat(path)).rdev === device ? null : 'the device file now belongs to another device';
  } catch {
    return 'the device file is gone';
  }
}
