// The packaged app ships two of the nine Noto Sans SC weights: electron-builder.yml's `files`
// exclusions are matched against every file of the installed fonts package, the way
// electron-builder filters a dependency (app-builder-lib fileMatcher getNodeModuleFileMatcher:
// only the `!` patterns of `files` apply to node_modules, matched with `{ dot: true }` against
// the path from the app root). electron-builder matches with minimatch, which is not installed
// here; picomatch (installed with vitest) reads these glob forms (extglob, braces) the same way.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FONT_PATHS } from '../main/documents/pdf.js';

const require = createRequire(import.meta.url);
// Neither package ships type declarations: the slices used here.
const picomatch = require('picomatch') as (glob: string, options: { dot: boolean }) => (path: string) => boolean;
const yaml = require('js-yaml') as { load(text: string): unknown };

const ROOT = resolve(import.meta.dirname, '..');
const FONTS_PACKAGE = dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'));

/** The `files` exclusions of electron-builder.yml, as matchers of a path from the app root. */
function exclusions(): ((path: string) => boolean)[] {
  const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as { files: unknown[] };
  return config.files
    .filter((p): p is string => typeof p === 'string' && p.startsWith('!'))
    .map((p) => picomatch(p.slice(1), { dot: true }));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());
}

/** Whether electron-builder copies this file: no exclusion matches it or a folder it is in. */
function shipped(path: string, excluded: ((path: string) => boolean)[]): boolean {
  const parts = path.split('/');
  return parts.every((_, i) => !excluded.some((x) => x(parts.slice(0, i + 1).join('/'))));
}

describe('packaging', () => {
  test('of the fonts package only the two fonts the documents embed ship, with the licences and package.json', () => {
    const excluded = exclusions();
    const inApp = (file: string) => relative(ROOT, join(FONTS_PACKAGE, file)).split('\\').join('/');
    const files = filesUnder(FONTS_PACKAGE);
    expect(files.length, 'the fonts package is installed with its nine weights').toBeGreaterThan(20);

    const kept = files.filter((f) => shipped(inApp(f), excluded)).sort();
    const fonts = Object.values(FONT_PATHS).map((path) => relative(FONTS_PACKAGE, path).split('\\').join('/'));
    expect(kept).toEqual(['LICENSE', 'LICENSE_FONT', 'package.json', ...fonts].sort());
    // package.json is how pdf.ts finds the folder; LICENSE_FONT is the OFL the fonts ship under.
    const bytes = (list: string[]) => list.reduce((sum, f) => sum + statSync(join(FONTS_PACKAGE, f)).size, 0);
    expect(bytes(kept)).toBeLessThan(bytes(files) / 3);
  });

  test('the exclusions touch nothing outside the fonts package', () => {
    const excluded = exclusions();
    for (const path of ['node_modules/pdfmake/package.json', 'node_modules/pdfkit/js/pdfkit.js', 'node_modules/@expo-google-fonts/noto-sans-tc/index.js', 'dist/main/electron/main.js']) {
      expect(shipped(path, excluded), path).toBe(true);
    }
  });
});
