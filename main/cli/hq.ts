// Headquarters: `hq init` creates or migrates the central PostgreSQL schema, `hq serve` runs the
// sync service the plant PCs talk to, `hq token`, `hq subscribe` and `hq conflicts` administer
// it. None needs a workspace; the URL names the database and a role that owns the schema.
import { once } from 'node:events';
import { createToken, listConflicts, listTokens, revokeToken, subscribe } from '../hq/admin.js';
import { CENTRAL_VERSION, initCentral, safeUrl } from '../hq/schema.js';
import { startHqServer } from '../hq/server.js';
import { list, parseIntOption, UsageError } from './args.js';
import type { Command, Context } from './main.js';

function centralUrl(ctx: Context): string {
  const url = ctx.opts.get('url') ?? process.env.PLANTDESK_HQ_DATABASE;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) throw new UsageError('--url (or PLANTDESK_HQ_DATABASE): expected postgres://user:password@host:port/database');
  return url;
}

export const HQ_COMMANDS: Record<string, Command> = {
  'hq init': {
    usage: 'hq init --url postgres://USER:PASSWORD@HOST:PORT/DATABASE [--json]',
    summary: `Create or migrate the central PostgreSQL schema at headquarters (version ${CENTRAL_VERSION})`,
    async run(ctx) {
      const url = centralUrl(ctx);
      ctx.opts.assertAllUsed();
      const result = await initCentral(url);
      const server = safeUrl(url);
      return {
        value: { server, ...result },
        text:
          result.applied.length === 0
            ? `The central schema at ${server} is up to date (version ${result.version})`
            : `The central schema at ${server} is at version ${result.version}; applied: ${result.applied.join(', ')}`,
      };
    },
  },
  'hq serve': {
    usage: 'hq serve --url postgres://… [--port 8787] [--host 0.0.0.0] [--tls-cert FILE --tls-key FILE]',
    summary: 'Run the headquarters sync service the plant PCs replicate through (until stopped)',
    async run(ctx) {
      const url = centralUrl(ctx);
      const port = parseIntOption(ctx.opts.get('port') ?? '8787', 'port');
      const host = ctx.opts.get('host') ?? '127.0.0.1';
      const cert = ctx.opts.get('tls-cert');
      const key = ctx.opts.get('tls-key');
      if ((cert === undefined) !== (key === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
      ctx.opts.assertAllUsed();
      const server = await startHqServer({
        url,
        port,
        host,
        ...(cert && key ? { tls: { cert, key } } : {}),
        log: (line) => ctx.out.write(`${new Date().toISOString()} ${line}\n`),
      });
      ctx.out.write(`PlantDesk headquarters sync service on ${server.url} (database ${safeUrl(url)}); Ctrl-C stops it\n`);
      await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM'), once(ctx.signal, 'abort')]);
      await server.close();
      return { value: { stopped: true }, streamed: true };
    },
  },
  'hq token': {
    usage: 'hq token --url postgres://… --label TEXT [--headquarters] [--json]',
    summary: 'Issue an access key for a PC or a site (shown once); --headquarters: its site owns the reference data',
    async run(ctx) {
      const url = centralUrl(ctx);
      const label = ctx.opts.need('label');
      const headquarters = ctx.opts.flag('headquarters');
      ctx.opts.assertAllUsed();
      const issued = await createToken(url, label, headquarters);
      return {
        value: issued,
        text: `Access key ${issued.id} (${label}${headquarters ? ', headquarters' : ''}):\n  ${issued.token}\nIt is shown only now. It belongs to the first site that synchronises with it.`,
      };
    },
  },
  'hq tokens': {
    usage: 'hq tokens --url postgres://… [--json]',
    summary: 'The access keys issued: the site each speaks for, when last used, revoked ones',
    async run(ctx) {
      const url = centralUrl(ctx);
      ctx.opts.assertAllUsed();
      const rows = await listTokens(url);
      const text = rows.length === 0 ? 'No access keys' : rows
        .map((t) => `${String(t.id).padStart(4)}  ${t.label}${t.headquarters ? ' (headquarters)' : ''}  site ${t.site_code ?? '—'}  last used ${t.last_used_at ?? 'never'}${t.revoked_at ? `  REVOKED ${t.revoked_at}` : ''}`)
        .join('\n');
      return { value: { rows }, text };
    },
  },
  'hq revoke': {
    usage: 'hq revoke --url postgres://… --id N',
    summary: 'Revoke an access key: the PCs using it can no longer synchronise',
    async run(ctx) {
      const url = centralUrl(ctx);
      const id = parseIntOption(ctx.opts.need('id'), 'id');
      ctx.opts.assertAllUsed();
      const revoked = await revokeToken(url, id);
      return { value: { id, revoked }, text: revoked ? `Access key ${id} revoked` : `No active access key ${id}`, exitCode: revoked ? 0 : 1 };
    },
  },
  'hq subscribe': {
    usage: 'hq subscribe --url postgres://… --site CODE --from CODE --tables lots,inspections,…',
    summary: "Let a site receive another site's rows of some tables (an export office following the plants' lots)",
    async run(ctx) {
      const url = centralUrl(ctx);
      const site = ctx.opts.need('site');
      const from = ctx.opts.need('from');
      const tables = list(ctx.opts.need('tables'));
      ctx.opts.assertAllUsed();
      const result = await subscribe(url, site, from, tables);
      return { value: result, text: `${site} receives ${result.tables.join(', ')} of ${from}; ${result.rows} rows will go with its next pull` };
    },
  },
  'hq conflicts': {
    usage: 'hq conflicts --url postgres://… [--limit N] [--json]',
    summary: 'Versions headquarters did not keep (a later one won, or the row belongs to another site), newest first',
    async run(ctx) {
      const url = centralUrl(ctx);
      const limit = parseIntOption(ctx.opts.get('limit') ?? '50', 'limit');
      ctx.opts.assertAllUsed();
      const rows = await listConflicts(url, limit);
      const text = rows.length === 0 ? 'No conflicts' : rows.map((r) => `${r.at} ${r.table_name} ${r.row_id}: ${r.reason}; kept ${r.kept_hlc}, lost ${r.lost_hlc} from ${r.lost_origin}`).join('\n');
      return { value: { rows }, text };
    },
  },
};
