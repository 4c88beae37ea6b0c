// Turning command-line words into contract inputs: dates in the plant's local time, weights in
// kilograms with up to three decimals (grams inside), lists separated by commas.

export class UsageError extends Error {}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** `2026-11-05` (local midnight), `2026-11-05T14:30` (local time), or epoch milliseconds. */
export function parseWhen(value: string, option: string): number {
  if (/^\d{12,}$/.test(value)) return Number(value);
  const m = DATE_RE.exec(value.trim());
  if (!m) throw new UsageError(`--${option}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM, got "${value}"`);
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (date.getMonth() !== Number(mo) - 1 || date.getDate() !== Number(d)) {
    throw new UsageError(`--${option}: no such date "${value}"`);
  }
  return date.getTime();
}

/** Kilograms as typed by a person ("12.345", "12,345") → integer grams. */
export function parseKg(value: string, option: string): number {
  const normal = value.trim().replace(',', '.');
  if (!/^-?\d+(\.\d{1,3})?$/.test(normal)) {
    throw new UsageError(`--${option}: expected kilograms with up to 3 decimals, got "${value}"`);
  }
  const [whole, frac = ''] = normal.replace('-', '').split('.');
  const grams = Number(whole) * 1000 + Number(frac.padEnd(3, '0'));
  return normal.startsWith('-') ? -grams : grams;
}

export function parseIntOption(value: string, option: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--${option}: expected a whole number, got "${value}"`);
  return Number(value);
}

export function parseJson(value: string, what: string): unknown {
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new UsageError(`${what}: not valid JSON (${(error as Error).message})`);
  }
}

export function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `CODE=value` → a typed result value: true/false/yes/no → boolean, numbers → number, else text. */
export function parseResult(spec: string): { parameter: string; value: number | boolean | string } {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--result: expected CODE=value, got "${spec}"`);
  const parameter = spec.slice(0, eq).trim();
  const raw = spec.slice(eq + 1).trim();
  const lower = raw.toLowerCase();
  if (['true', 'yes', 'pass', 'да'].includes(lower)) return { parameter, value: true };
  if (['false', 'no', 'fail', 'нет'].includes(lower)) return { parameter, value: false };
  const num = Number(raw.replace(',', '.'));
  if (raw !== '' && Number.isFinite(num)) return { parameter, value: num };
  return { parameter, value: raw };
}
