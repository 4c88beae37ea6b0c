// Plain-text output for people at a terminal; `--json` bypasses all of this.
import type { TraceNode } from '../contract/operations.js';

export function kg(grams: number | null | undefined): string {
  if (grams === null || grams === undefined) return '';
  return (grams / 1000).toLocaleString('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 }).replace(/,/g, ' ');
}

export function date(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function dateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date(ms)} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function tree(node: TraceNode, indent = ''): string {
  const qty = node.qty_g !== null ? `  ${kg(node.qty_g)} kg` : '';
  const when = node.at !== null ? `  ${date(node.at)}` : '';
  const own = `${indent}${node.kind}: ${node.label}${qty}${when}`;
  return [own, ...node.children.map((c) => tree(c, indent + '  '))].join('\n');
}
