// Where the built app lives, and whether Electron's binary is here to run it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// This file runs from main/host/ (tsx, two levels below the root) or dist/main/host/ (built, three).
const here = dirname(fileURLToPath(import.meta.url));
export const APP_ROOT = existsSync(join(here, '..', '..', 'package.json')) ? resolve(here, '..', '..') : resolve(here, '..', '..', '..');
export const RENDERER_DIR = join(APP_ROOT, 'dist', 'renderer');

/** The Electron binary, or why there is none. */
export function findElectron(): { path: string } | { missing: string } {
  try {
    // The `electron` package exports the path of its binary; it throws when the binary was never downloaded.
    const path = createRequire(import.meta.url)('electron') as unknown;
    if (typeof path === 'string' && existsSync(path)) return { path };
    return { missing: `the Electron binary ${String(path)} does not exist` };
  } catch (error) {
    return { missing: (error as Error).message.split('\n')[0] ?? 'electron is not installed' };
  }
}

