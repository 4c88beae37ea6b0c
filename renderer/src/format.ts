// How numbers and dates look on screen: kilograms with three decimals, local dates.
import i18next from 'i18next';

const locale = () => (i18next.language === 'en' ? 'en-GB' : 'ru-RU');

export function kg(grams: number | null | undefined): string {
  if (grams === null || grams === undefined) return '—';
  return (grams / 1000).toLocaleString(locale(), { minimumFractionDigits: 3, maximumFractionDigits: 3 });
}

/** A sensor reading with its unit: "−18,5 °C", "72,0 %". */
export function sensorValue(value: number | null, quantity: 'temperature' | 'humidity'): string {
  if (value === null) return '—';
  const number = value.toLocaleString(locale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).replace('-', '−');
  return `${number} ${quantity === 'temperature' ? '°C' : '%'}`;
}

export function date(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toLocaleDateString(locale(), { day: '2-digit', month: '2-digit', year: 'numeric' });
}

export function dateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toLocaleString(locale(), { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** Kilograms as typed ("12,345" or "12.345", up to 3 decimals) → grams, or null if not a weight. */
export function parseKg(text: string): number | null {
  const normal = text.trim().replace(/\s/g, '').replace(',', '.');
  if (!/^\d+(\.\d{1,3})?$/.test(normal)) return null;
  const [whole, frac = ''] = normal.split('.');
  return Number(whole) * 1000 + Number(frac.padEnd(3, '0'));
}

/** A datetime-local input's value ↔ epoch ms, in the PC's time zone. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
export function fromLocalInput(value: string): number | null {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}
export function toDateInput(ms: number): string {
  return toLocalInput(ms).slice(0, 10);
}
export function fromDateInput(value: string): number | null {
  return value ? fromLocalInput(`${value}T00:00`) : null;
}
