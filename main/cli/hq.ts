// Headquarters: `hq init` creates or migrates the central PostgreSQL schema. It needs no
// workspace; the URL names the database and the role that owns the schema.
import { CENTRAL_VERSION, initCentral, safeUrl } from '../hq/schema.js';
import { UsageError } from './args.js';
import type { Command } from './main.js';

export const HQ_COMMANDS: Record<string, Command> = {
  'hq init': {
    usage: 'hq init --url postgres://USER:PASSWORD@HOST:PORT/DATABASE [--json]',
    summary: `Create or migrate the central PostgreSQL schema at headquarters (version ${CENTRAL_VERSION})`,
    async run(ctx) {
      const url = ctx.opts.need('url');
      if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError('--url: expected postgres://user:password@host:port/database');
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
};
