#!/usr/bin/env node
// Launcher for the compiled CLI (built by `npm install` / `npm run build` into dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('plantdesk: the CLI is not built yet — run "npm run build" in the PlantDesk folder.\n');
  process.exit(70);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
