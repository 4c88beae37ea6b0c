// Replication from the command line: `sync push|pull|run` exchange with headquarters as the CLI
// user (a scheduled task can run them), `sync status` shows where this PC got to, `sync
// configure` stores the address, key and interval, `sync bootstrap` makes a new PC of an
// existing site from headquarters' snapshot.
import { syncStatus } from '../services/sync.js';
import { bootstrapWorkspace, configuredClient, synchronise, type SyncDirection, type SyncReport } from '../sync/sync.js';
import { parseIntOption, UsageError } from './args.js';
import { dateTime } from './format.js';
import type { Command, Context } from './main.js';

/** --hq and --token for this run, else what `sync configure` stored; the key also from PLANTDESK_HQ_TOKEN. */
function endpoint(ctx: Context): { url?: string; token?: string } {
  const url = ctx.opts.get('hq');
  const token = ctx.opts.get('token') ?? process.env.PLANTDESK_HQ_TOKEN;
  return { ...(url !== undefined ? { url } : {}), ...(token !== undefined ? { token } : {}) };
}

function exchange(direction: SyncDirection): Command {
  const what = { push: 'Send the changes made here to headquarters', pull: 'Receive what headquarters has for this PC', both: 'Send, then receive' }[direction];
  return {
    usage: `sync ${direction === 'both' ? 'run' : direction} [--hq https://SERVER:PORT] [--token KEY] [--json]`,
    summary: `${what} (the address and key of "sync configure" unless given)`,
    async run(ctx) {
      const override = endpoint(ctx);
      ctx.opts.assertAllUsed();
      await ctx.login('session', `sync ${direction}`);
      const ws = ctx.workspace();
      const report = await synchronise(ws.db, configuredClient(ws.db, override), { direction });
      return { value: { ...report, conflicts: report.conflicts }, text: reportText(report, direction) };
    },
  };
}

function reportText(r: SyncReport, direction: SyncDirection): string {
  const lines: string[] = [];
  if (direction !== 'pull') lines.push(`Sent ${r.pushed} changes in ${r.batches} batches; ${r.pending} waiting`);
  if (direction !== 'push') lines.push(`Received ${r.pulled} rows in ${r.pages} pages${r.deferred ? `; ${r.deferred} wait for this PC's own changes to arrive first` : ''}`);
  if (r.refused) lines.push(`${r.refused} rows from headquarters could not be taken here: see "sync status"`);
  for (const c of r.conflicts) lines.push(`Not kept at headquarters: ${c.table} ${c.row_id} (${c.reason === 'older' ? 'a later version was there' : 'the row belongs to another site'})`);
  lines.push(`Done in ${(r.ms / 1000).toFixed(1)} s`);
  return lines.join('\n');
}

export const SYNC_COMMANDS: Record<string, Command> = {
  'sync push': exchange('push'),
  'sync pull': exchange('pull'),
  'sync run': exchange('both'),
  'sync status': {
    usage: 'sync status [--json]',
    summary: 'Where replication of this PC got to: last success, changes waiting, last error and its cause',
    async run(ctx) {
      ctx.opts.assertAllUsed();
      const status = syncStatus(ctx.workspace().q);
      const lang = ctx.lang;
      const lines = [
        `headquarters:   ${status.hq_url ?? '(not set: "plantdesk sync configure")'}${status.hq_url && !status.has_token ? ' (no access key)' : ''}`,
        `every:          ${status.interval_min === 0 ? 'on demand only' : `${status.interval_min} min`}`,
        `last success:   ${status.last_success_at === null ? 'never' : dateTime(status.last_success_at)}`,
        `waiting:        ${status.pending_changes} changes`,
        `sent/received:  ${status.pushed_total} / ${status.pulled_total}`,
        `conflicts:      ${status.conflicts}`,
      ];
      if (status.last_error) lines.push(`last error:     ${dateTime(status.last_error.at)} ${status.last_error.message[lang]}`);
      if (status.update_required) lines.push('UPDATE REQUIRED: headquarters no longer accepts this version of PlantDesk');
      return { value: status, text: lines.join('\n') };
    },
  },
  'sync configure': {
    usage: 'sync configure --hq https://SERVER:PORT [--token KEY] [--every MINUTES] [--json]',
    summary: 'Store the headquarters address, the access key and how often to synchronise (0: on demand)',
    async run(ctx) {
      const url = ctx.opts.need('hq');
      const token = ctx.opts.get('token') ?? process.env.PLANTDESK_HQ_TOKEN;
      const every = ctx.opts.get('every');
      const current = syncStatus(ctx.workspace().q);
      const status = await ctx.call('sync.configure', {
        hq_url: url,
        ...(token !== undefined ? { token } : {}),
        interval_min: every === undefined ? current.interval_min : parseIntOption(every, 'every'),
      });
      return { value: status, text: `Headquarters: ${status.hq_url}, every ${status.interval_min} min${status.has_token ? '' : ' — no access key yet (--token)'}` };
    },
  },
  'sync bootstrap': {
    usage: 'sync bootstrap --hq https://SERVER:PORT --token KEY --site CODE --station CODE [--workspace DIR] [--json]',
    summary: "Make this PC a further PC of an existing site: its data from headquarters' consistent snapshot",
    migrate: false,
    async run(ctx) {
      const url = ctx.opts.need('hq');
      const token = ctx.opts.get('token') ?? process.env.PLANTDESK_HQ_TOKEN;
      if (!token) throw new UsageError('--token (or PLANTDESK_HQ_TOKEN) is required');
      const siteCode = ctx.opts.need('site');
      const station = ctx.opts.need('station');
      ctx.opts.assertAllUsed();
      const report = await bootstrapWorkspace(ctx.workspaceDir(), { url, token, siteCode, station });
      return {
        value: report,
        text: `Workspace ${report.dir}: site ${report.site_code}, station ${station}, ${report.rows} rows from headquarters (up to change ${report.head}) in ${(report.ms / 1000).toFixed(1)} s. Log in with your site user name.`,
      };
    },
  },
};
