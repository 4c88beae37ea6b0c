// Exports for other systems: `export 1c` writes the period's stock documents as one
// EnterpriseData XML file for 1C. It runs the `exports.1c` operation like the app does, so the
// export is recorded (who, when, which period, the objects and the file) and audited; the file
// written to --out is the recorded one, byte for byte.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { serviceCall } from './documents.js';
import type { Command } from './main.js';

export const EXPORT_COMMANDS: Record<string, Command> = {
  'export 1c': {
    usage: 'export 1c --from YYYY-MM-DD --to YYYY-MM-DD --out FILE.xml [--json]  (both days included, plant local time)',
    summary: 'Write the period\'s receipts, production, moves and shipments as a 1C EnterpriseData 1.21 file, and record the export',
    async run(ctx) {
      const input = { from: ctx.opts.need('from').trim(), to: ctx.opts.need('to').trim() };
      const path = resolve(ctx.opts.need('out'));
      const recorded = await serviceCall(ctx, 'exports.1c', input);
      const file = await ctx.call('exports.file', { id: recorded.id });
      const bytes = Buffer.from(file.xml_base64, 'base64');
      writeFileSync(path, bytes);
      const counts = recorded.counts ?? {};
      const lines = Object.entries(counts).map(([type, n]) => `  ${type}: ${n}`);
      return {
        value: { id: recorded.id, path, bytes: bytes.length, sha256: file.sha256, counts },
        text: [`Written ${path} (${bytes.length} bytes, SHA-256 ${file.sha256})`, `Export ${recorded.id}, ${input.from} … ${input.to}`, ...lines].join('\n'),
      };
    },
  },
};
