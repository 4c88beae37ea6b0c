// Exports for other systems: `export 1c` writes the period's stock documents as one
// EnterpriseData XML file for 1C. Reading only (stock.read), so it runs without an operation.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildEnterpriseData } from '../exports/enterprise-data.js';
import { parseWhen, UsageError } from './args.js';
import type { Command } from './main.js';

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

export const EXPORT_COMMANDS: Record<string, Command> = {
  'export 1c': {
    usage: 'export 1c --from YYYY-MM-DD --to YYYY-MM-DD --out FILE.xml [--json]  (both days included, plant local time)',
    summary: 'Write the period\'s receipts, production, moves and shipments as a 1C EnterpriseData 1.21 file',
    async run(ctx) {
      const from = day(ctx.opts.need('from'), 'from');
      // --to names the last day of the period; the builder takes the end exclusive.
      const end = new Date(day(ctx.opts.need('to'), 'to'));
      end.setDate(end.getDate() + 1); // local midnight after the last day, DST-safe
      const to = end.getTime();
      if (to <= from) throw new UsageError('--to must not be before --from');
      const path = resolve(ctx.opts.need('out'));
      ctx.opts.assertAllUsed();
      await ctx.login('stock.read', 'export 1c');
      const result = buildEnterpriseData(ctx.workspace().q, { from, to, now: Date.now() });
      const bytes = Buffer.from(result.xml, 'utf8');
      writeFileSync(path, bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const lines = Object.entries(result.counts).map(([type, n]) => `  ${type}: ${n}`);
      return {
        value: { path, bytes: bytes.length, sha256, counts: result.counts },
        text: [`Written ${path} (${bytes.length} bytes, SHA-256 ${sha256})`, ...lines].join('\n'),
      };
    },
  },
};

function day(value: string, option: string): number {
  if (!DAY_RE.test(value.trim())) throw new UsageError(`--${option}: expected YYYY-MM-DD, got "${value}"`);
  return parseWhen(value, option);
}
