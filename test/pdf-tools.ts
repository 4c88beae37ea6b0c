// What the document tests read PDFs and barcodes back with: poppler (pdftotext, pdftoppm) and
// zbar (zbarimg). Where they are missing a test file skips with the reason; on CI that is a failure.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export const SCREENSHOTS = resolve(import.meta.dirname, '..', 'test-results', 'screenshots');

const INSTALL: Record<string, string> = { pdftotext: 'poppler-utils', pdftoppm: 'poppler-utils', zbarimg: 'zbar-tools' };

/** Why `what` cannot be tested here (a tool is not installed), or null. */
export function toolsMissing(what: string, tools: readonly ('pdftotext' | 'pdftoppm' | 'zbarimg')[] = ['pdftotext', 'pdftoppm']): string | null {
  const absent = tools.filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (absent.length === 0) return null;
  const reason = `${absent.join(', ')} not installed (apt-get install ${[...new Set(absent.map((t) => INSTALL[t]))].join(' ')})`;
  if (process.env.CI === 'true') throw new Error(`CI must run the ${what} tests: ${reason}`);
  console.log(`${what} tests skipped: ${reason}`);
  return reason;
}
