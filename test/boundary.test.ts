// The runtime boundary, checked on every import in the tree:
//  - only the Electron entry (main/electron/) and preload/ may import `electron`;
//  - renderer/ may take nothing from main/ or native/ except the pure contract (main/contract/);
//  - the contract itself is pure: zod and its own files only, so any host and the renderer can load it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SOURCE_DIRS = ['main', 'preload', 'renderer', 'native', 'scripts', 'test'];

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const full = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|mts|cts|js|mjs)$/.test(name) ? [full] : [];
  });
}

/** Every module specifier a file imports, re-exports or requires (static and dynamic). */
export function importsOf(file: string): string[] {
  // Comments out first so a commented-out import neither hides nor fakes anything.
  const code = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) found.push(m[1]!);
  return found;
}

function rel(file: string): string {
  return relative(ROOT, file).split('\\').join('/');
}

function target(file: string, spec: string): string | null {
  return spec.startsWith('.') ? rel(resolve(dirname(file), spec)) : null;
}

const files = SOURCE_DIRS.flatMap((d) => sourceFiles(join(ROOT, d)));

describe('runtime boundary', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('imports electron only from the Electron entry and the preload', () => {
    const offenders = files
      .filter((f) => !rel(f).startsWith('main/electron/') && !rel(f).startsWith('preload/'))
      .filter((f) => importsOf(f).some((s) => s === 'electron' || s.startsWith('electron/')))
      .map(rel);
    expect(offenders).toEqual([]);
  });

  it('keeps the renderer away from main-process and device code, except the contract', () => {
    const offenders: string[] = [];
    for (const f of files.filter((f) => rel(f).startsWith('renderer/'))) {
      for (const spec of importsOf(f)) {
        const to = target(f, spec);
        const crosses = to !== null && (to.startsWith('main/') || to.startsWith('native/'));
        const node = spec.startsWith('node:') || ['better-sqlite3', 'serialport', 'node-hid', 'pg', 'electron'].includes(spec);
        if ((crosses && !to!.startsWith('main/contract/')) || node) offenders.push(`${rel(f)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('keeps the contract pure (zod and itself only)', () => {
    const offenders: string[] = [];
    for (const f of files.filter((f) => rel(f).startsWith('main/contract/'))) {
      for (const spec of importsOf(f)) {
        const to = target(f, spec);
        if (spec !== 'zod' && !(to && to.startsWith('main/contract/'))) offenders.push(`${rel(f)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('detects a forbidden import (the checker itself works)', () => {
    const probe = join(ROOT, 'test', 'fixtures', 'boundary-probe.ts.txt');
    expect(importsOf(probe)).toEqual(['electron', '../../main/db/open.js', 'node:fs']);
  });
});
