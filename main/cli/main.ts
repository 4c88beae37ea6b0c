// `plantdesk` — the command line over the same operation contract the app uses.
// Every domain command is one contract operation; `plantdesk call <operation> <json>` reaches
// any of them directly. Results go to stdout (`--json` for machines), errors to stderr with a
// non-zero exit code.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { OperationError } from '../contract/errors.js';
import { OPERATION_NAMES, operations, type OperationName, type OperationOutput } from '../contract/operations.js';
import { ROLES, type Permission } from '../contract/roles.js';
import { DomainError } from '../core/domain-error.js';
import { migrate } from '../db/open.js';
import { Tx, type Actor } from '../db/tx.js';
import { actorOf, authenticate } from '../services/users.js';
import { defaultWorkspaceDir, Workspace, WORKSPACE_FILE } from '../workspace.js';
import { seedDemo } from '../demo/seed.js';
import { DeviceFaultError } from '../../native/transports/transport.js';
import { list, parseIntOption, parseJson, parseKg, parseResult, parseWhen, UsageError } from './args.js';
import { DEVICE_COMMANDS } from './devices.js';
import { DOCUMENT_COMMANDS } from './documents.js';
import { EXPORT_COMMANDS } from './exports.js';
import { HQ_COMMANDS } from './hq.js';
import { SYNC_COMMANDS } from './sync.js';
import { date, dateTime, kg, table, tree } from './format.js';

export type Lang = 'ru' | 'en';

interface Parsed {
  positionals: string[];
  options: Map<string, string[]>;
}

const FLAGS = new Set(['json', 'help', 'backward', 'forward', 'in-stock', 'version', 'headquarters']);

export function parseArgv(argv: string[]): Parsed {
  const positionals: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!token.startsWith('--') || token === '-') {
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq > 0 ? eq : undefined);
    let value: string;
    if (eq > 0) value = token.slice(eq + 1);
    else if (FLAGS.has(name)) value = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    options.set(name, [...(options.get(name) ?? []), value]);
  }
  return { positionals, options };
}

export class Options {
  private readonly used = new Set<string>(['json', 'help', 'workspace', 'user', 'password', 'lang']);
  constructor(private readonly parsed: Parsed) {}
  get(name: string): string | undefined {
    this.used.add(name);
    return this.parsed.options.get(name)?.at(-1);
  }
  all(name: string): string[] {
    this.used.add(name);
    return this.parsed.options.get(name) ?? [];
  }
  need(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw new UsageError(`--${name} is required`);
    return value;
  }
  flag(name: string): boolean {
    return this.get(name) === 'true';
  }
  /** Options the command did not read are typos; say so instead of ignoring them. */
  assertAllUsed(): void {
    const unknown = [...this.parsed.options.keys()].filter((k) => !this.used.has(k));
    if (unknown.length) throw new UsageError(`unknown option(s): ${unknown.map((u) => `--${u}`).join(', ')}`);
  }
}

export interface Context {
  opts: Options;
  args: string[];
  lang: Lang;
  /** For commands that report as they go (device readings) instead of one result at the end. */
  out: NodeJS.WritableStream;
  /** Aborted when the caller stops a command that runs until interrupted (tests; Ctrl-C is the command's own). */
  signal: AbortSignal;
  /** The workspace folder chosen (--workspace, PLANTDESK_WORKSPACE or the default), resolved. */
  workspaceDir(): string;
  workspace(): Workspace;
  /**
   * The CLI user (--user and --password, asked for at a terminal), authenticated; with a
   * permission, refuses a user who lacks it. For commands that write without an operation.
   */
  login(permission?: Permission, what?: string): Promise<Actor>;
  /**
   * Runs an operation as the CLI user; throws the operation error if refused. Unknown options
   * are refused first: a command reads all its options while building the input, so a typo
   * never lets a write through.
   */
  call<N extends OperationName>(name: N, input: unknown): Promise<OperationOutput<N>>;
}

export interface Output {
  value: unknown;
  text?: string;
  /** The exit code of a command that ran but found a problem (default 0). */
  exitCode?: number;
  /** The command wrote its output to `out` as it went: nothing is left to print. */
  streamed?: true;
}

export interface Command {
  usage: string;
  summary: string;
  /** `false` opens the workspace as it is (info, migrate); every other command migrates first. */
  migrate?: false;
  run(ctx: Context): Output | Promise<Output>;
}

class OperationFailed extends Error {
  constructor(readonly error: OperationError) {
    super(error.message.en);
  }
}

const optional = <T>(value: string | undefined, parse: (v: string) => T): T | undefined =>
  value === undefined ? undefined : parse(value);

const COMMANDS: Record<string, Command> = {
  'workspace init': {
    usage:
      'workspace init --site-code BFP --site-name-ru "…" --site-name-en "…" [--china-reg-no …] [--vet-approval-no …] [--address-ru …] [--address-en …] [--admin admin] [--admin-name "…"] [--station 2] (password: --password or PLANTDESK_PASSWORD; --station on a site\'s second and further PCs)',
    summary: 'Create the workspace, its home site and the administrator',
    async run(ctx) {
      const site = {
        code: ctx.opts.need('site-code'),
        name_ru: ctx.opts.need('site-name-ru'),
        name_en: ctx.opts.need('site-name-en'),
        china_reg_no: ctx.opts.get('china-reg-no'),
        vet_approval_no: ctx.opts.get('vet-approval-no'),
        address_ru: ctx.opts.get('address-ru'),
        address_en: ctx.opts.get('address-en'),
      };
      const admin = { username: ctx.opts.get('admin') ?? 'admin', display_name: ctx.opts.get('admin-name') ?? 'Administrator' };
      const station = ctx.opts.get('station');
      ctx.opts.assertAllUsed();
      const ws = ctx.workspace();
      // Initialising is public and refused once done, so a new workspace needs no login.
      const password = await passwordFrom(ctx.opts, 'administrator password');
      const result = ws.invoke('setup.initialise', { site, admin: { ...admin, password }, ...(station !== undefined ? { station_code: station } : {}) });
      if (!result.ok) throw new OperationFailed(result.error);
      return {
        value: { workspace: ws.dir, site: result.value.site.code, admin: result.value.admin.username },
        text: `Workspace ${ws.dir}: site ${result.value.site.code}, administrator ${result.value.admin.username}`,
      };
    },
  },
  'workspace migrate': {
    usage: 'workspace migrate',
    summary: 'Apply pending schema migrations',
    migrate: false,
    async run(ctx) {
      ctx.opts.assertAllUsed();
      const ws = ctx.workspace();
      const applied = migrate(ws.db);
      const info = ws.info();
      return {
        value: { applied, schema_version: info.schema_version },
        text: applied.length ? `Applied migrations ${applied.join(', ')}; schema ${info.schema_version}` : `Up to date (schema ${info.schema_version})`,
      };
    },
  },
  'workspace info': {
    usage: 'workspace info',
    summary: 'Where the workspace is, its schema version and sizes',
    migrate: false,
    async run(ctx) {
      // Looking must not create: a mistyped path is an error, not a new empty workspace.
      const file = join(ctx.workspaceDir(), WORKSPACE_FILE);
      if (!existsSync(file)) {
        throw new UsageError(`no workspace at ${ctx.workspaceDir()} (${WORKSPACE_FILE} not found); "plantdesk workspace init" creates one`);
      }
      const info = ctx.workspace().info();
      const lines = [
        `workspace: ${info.dir}`,
        `file:      ${info.file}`,
        `schema:    ${info.schema_version} (this app: ${info.app_schema_version}${info.schema_version < info.app_schema_version ? ' — run "plantdesk workspace migrate"' : ''})`,
        `site:      ${info.site_code ?? '(not initialised)'}`,
        ...Object.entries(info.counts).map(([k, v]) => `${k}: ${v}`),
      ];
      return { value: info, text: lines.join('\n') };
    },
  },
  'workspace verify-audit': {
    usage: 'workspace verify-audit',
    summary: 'Check the audit hash chain; exit code 1 if it was tampered with',
    async run(ctx) {
      const result = await ctx.call('audit.verify', {});
      const text = result.ok
        ? `Audit chain intact: ${result.entries} entries`
        : [`Audit chain BROKEN (${result.entries} entries):`, ...result.problems.map((p) => `  #${p.seq} ${p.kind}: ${p.message[ctx.lang]}`)].join('\n');
      return { value: result, text, exitCode: result.ok ? 0 : 1 };
    },
  },
  'workspace backup': {
    usage: 'workspace backup <file>',
    summary: 'Consistent copy of the workspace while it is in use (administrators)',
    async run(ctx) {
      const file = ctx.args[0];
      if (!file) throw new UsageError('workspace backup needs a target file');
      ctx.opts.assertAllUsed();
      // A copy holds every row, password hashes included: administrators only.
      await ctx.login('workspace.admin', 'workspace backup');
      const result = await ctx.workspace().backup(file);
      return { value: result, text: `Backup written to ${result.file} (${result.pages} pages)` };
    },
  },
  'user add': {
    usage: `user add --username U --name "…" --roles ${ROLES.join(',')} [--site CODE] (new user's password: --new-password or PLANTDESK_NEW_PASSWORD)`,
    summary: 'Add a local user with roles',
    async run(ctx) {
      const password = ctx.opts.get('new-password') ?? process.env.PLANTDESK_NEW_PASSWORD;
      if (!password) throw new UsageError('the new user needs a password: --new-password or PLANTDESK_NEW_PASSWORD');
      const user = await ctx.call('users.create', {
        username: ctx.opts.need('username'),
        display_name: ctx.opts.need('name'),
        roles: list(ctx.opts.need('roles')),
        password,
        site: ctx.opts.get('site'),
      });
      return { value: user, text: `User ${user.username} (${user.roles.join(', ')}) added` };
    },
  },
  'demo seed': {
    usage:
      'demo seed [--days 30] [--seed 42] (a new workspace gets user "admin" with --password, PLANTDESK_PASSWORD or "plantdesk"; an initialised one needs an administrator\'s --user/--password)',
    summary: 'Fill the workspace with a month of realistic work at both plants',
    async run(ctx) {
      const days = optional(ctx.opts.get('days'), (v) => parseIntOption(v, 'days')) ?? 30;
      const seed = optional(ctx.opts.get('seed'), (v) => parseIntOption(v, 'seed')) ?? 42;
      ctx.opts.assertAllUsed();
      const ws = ctx.workspace();
      // A new workspace is created with its administrator; an initialised one belongs to its
      // users, and only an administrator may fill it.
      const admin = ws.info().initialised ? await ctx.login('users.manage', 'demo seed') : undefined;
      const summary = seedDemo(ws, {
        days,
        seed,
        adminPassword: ctx.opts.get('password') ?? process.env.PLANTDESK_PASSWORD ?? 'plantdesk',
        admin,
      });
      const text = [
        `Demo data in ${ws.dir}:`,
        ...Object.entries(summary.counts).map(([k, v]) => `  ${k}: ${v}`),
        `Users (password "${summary.userPassword}"): ${summary.users.join(', ')}`,
      ].join('\n');
      return { value: summary, text };
    },
  },
  'lots list': {
    usage: 'lots list [--product CODE] [--status quarantine|released|blocked] [--location CODE] [--search TEXT] [--in-stock] [--limit N] [--offset N]',
    summary: 'Lots with remaining quantity and shelf life',
    async run(ctx) {
      const page = await ctx.call('lots.list', {
        product: ctx.opts.get('product'),
        status: ctx.opts.get('status'),
        location: ctx.opts.get('location'),
        search: ctx.opts.get('search'),
        in_stock: ctx.opts.flag('in-stock') || undefined,
        limit: optional(ctx.opts.get('limit'), (v) => parseIntOption(v, 'limit')),
        offset: optional(ctx.opts.get('offset'), (v) => parseIntOption(v, 'offset')),
      });
      const text = table(
        ['lot', 'product', 'status', 'in stock kg', 'produced', 'expires', 'days left', 'supplier'],
        page.rows.map((l) => [l.code, l.product_code, l.status, kg(l.qty_g), date(l.produced_at), date(l.expires_at), l.days_left, l.supplier_name]),
      );
      return { value: page, text: `${text}\n${page.rows.length} of ${page.total}` };
    },
  },
  'shipments list': {
    usage: 'shipments list [--status draft|shipped|cancelled] [--limit N]',
    summary: 'Export shipments',
    async run(ctx) {
      const page = await ctx.call('shipments.list', {
        status: ctx.opts.get('status'),
        limit: optional(ctx.opts.get('limit'), (v) => parseIntOption(v, 'limit')),
      });
      const text = table(
        ['number', 'status', 'planned', 'shipped', 'customer', 'consignee', 'net kg', 'gross kg', 'packages'],
        page.rows.map((s) => [s.number, s.status, date(s.planned_date), date(s.shipped_at), s.customer_name, s.consignee_name, kg(s.net_g), kg(s.gross_g), s.packages]),
      );
      return { value: page, text: `${text}\n${page.rows.length} of ${page.total}` };
    },
  },
  trace: {
    usage: 'trace <lot-code> [--backward|--forward]',
    summary: 'Backward to suppliers and forward to consignees, with quantities',
    async run(ctx) {
      const code = ctx.args[0];
      if (!code) throw new UsageError('trace needs a lot code');
      const backward = ctx.opts.flag('backward');
      const forward = ctx.opts.flag('forward');
      const direction = backward && !forward ? 'backward' : forward && !backward ? 'forward' : 'both';
      const result = await ctx.call('trace.lot', { code, direction });
      const parts = [`Lot ${result.lot.code} · ${result.lot.product_code} · ${kg(result.lot.initial_g)} kg · ${result.lot.status}`];
      if (result.backward) parts.push('', 'Backward (origin):', tree(result.backward, '  '));
      if (result.forward) parts.push('', 'Forward (use):', tree(result.forward, '  '));
      return { value: result, text: parts.join('\n') };
    },
  },
  receive: {
    usage:
      'receive --supplier CODE --product CODE --location CODE --gross-kg N [--tare-kg N] [--net-kg N] --produced YYYY-MM-DD [--vet-doc UUID] [--catch-area TEXT] [--temp °C] [--packages N] [--vehicle TEXT] [--at YYYY-MM-DDTHH:MM]  |  receive --supplier CODE --lines-json \'[…]\' [--vehicle TEXT] [--at YYYY-MM-DDTHH:MM]',
    summary: 'Receive raw material (one quarantined lot per line)',
    async run(ctx) {
      const linesJson = ctx.opts.get('lines-json');
      const lines = linesJson
        ? parseJson(linesJson, '--lines-json')
        : [
            {
              product: ctx.opts.need('product'),
              location: ctx.opts.need('location'),
              gross_g: parseKg(ctx.opts.need('gross-kg'), 'gross-kg'),
              tare_g: optional(ctx.opts.get('tare-kg'), (v) => parseKg(v, 'tare-kg')) ?? 0,
              net_g: optional(ctx.opts.get('net-kg'), (v) => parseKg(v, 'net-kg')),
              produced_at: parseWhen(ctx.opts.need('produced'), 'produced'),
              vet_doc_uuid: ctx.opts.get('vet-doc'),
              catch_area: ctx.opts.get('catch-area'),
              arrival_temp: optional(ctx.opts.get('temp'), (v) => Number(v.replace(',', '.'))),
              packages: optional(ctx.opts.get('packages'), (v) => parseIntOption(v, 'packages')),
            },
          ];
      const receipt = await ctx.call('receipts.create', {
        supplier: ctx.opts.need('supplier'),
        vehicle: ctx.opts.get('vehicle'),
        received_at: optional(ctx.opts.get('at'), (v) => parseWhen(v, 'at')),
        lines,
      });
      const text = [
        `Receipt ${receipt.number} from ${receipt.supplier_name}: ${kg(receipt.net_g)} kg`,
        ...receipt.lines.map((l) => `  lot ${l.lot_code}  ${l.product_code}  ${kg(l.net_g)} kg → ${l.location_code} (quarantine)`),
      ].join('\n');
      return { value: receipt, text };
    },
  },
  'inspect open': {
    usage: 'inspect open --lot CODE [--template CODE] [--stage incoming|in_process|final]',
    summary: 'Start an inspection of a lot',
    run: async (ctx) =>
      inspection(ctx, await ctx.call('inspections.open', { lot: ctx.opts.need('lot'), template: ctx.opts.get('template'), stage: ctx.opts.get('stage') })),
  },
  'inspect record': {
    usage: 'inspect record --number QC-… --result CODE=value [--result CODE=value …]',
    summary: 'Record results (verdict from the limits)',
    run: async (ctx) => {
      const results = ctx.opts.all('result').map(parseResult);
      return inspection(ctx, await ctx.call('inspections.record', { number: ctx.opts.need('number'), results }));
    },
  },
  'inspect complete': {
    usage: 'inspect complete --number QC-… [--note TEXT]',
    summary: 'Complete: release on pass, block on fail',
    run: async (ctx) => inspection(ctx, await ctx.call('inspections.complete', { number: ctx.opts.need('number'), note: ctx.opts.get('note') })),
  },
  'inspect verify': {
    usage: 'inspect verify --number QC-…',
    summary: 'Verification sign-off (by someone other than the inspector)',
    run: async (ctx) => inspection(ctx, await ctx.call('inspections.verify', { number: ctx.opts.need('number') })),
  },
  'batch plan': {
    usage: 'batch plan --product CODE --equipment CODE --planned-kg N --start YYYY-MM-DDTHH:MM --end YYYY-MM-DDTHH:MM [--note TEXT]',
    summary: 'Plan a production batch on equipment',
    run: async (ctx) =>
      batch(
        await ctx.call('batches.plan', {
          product: ctx.opts.need('product'),
          equipment: ctx.opts.need('equipment'),
          planned_g: parseKg(ctx.opts.need('planned-kg'), 'planned-kg'),
          planned_start: parseWhen(ctx.opts.need('start'), 'start'),
          planned_end: parseWhen(ctx.opts.need('end'), 'end'),
          note: ctx.opts.get('note'),
        }),
      ),
  },
  'batch consume': {
    usage: 'batch consume --number BAT-… --lot CODE --kg N [--location CODE]',
    summary: 'Consume a released input lot',
    run: async (ctx) =>
      batch(
        await ctx.call('batches.consume', {
          number: ctx.opts.need('number'),
          lot: ctx.opts.need('lot'),
          qty_g: parseKg(ctx.opts.need('kg'), 'kg'),
          location: ctx.opts.get('location'),
        }),
      ),
  },
  'batch output': {
    usage: 'batch output --number BAT-… --kg N --location CODE [--packages N]',
    summary: 'Record an output lot (quarantined until final inspection)',
    async run(ctx) {
      const result = await ctx.call('batches.output', {
        number: ctx.opts.need('number'),
        qty_g: parseKg(ctx.opts.need('kg'), 'kg'),
        location: ctx.opts.need('location'),
        packages: optional(ctx.opts.get('packages'), (v) => parseIntOption(v, 'packages')),
      });
      const out = batch(result.batch);
      return { value: result, text: `Output lot ${result.lot.code}: ${kg(result.lot.initial_g)} kg, expires ${date(result.lot.expires_at)}\n${out.text}` };
    },
  },
  'batch finish': {
    usage: 'batch finish --number BAT-…',
    summary: 'Finish a batch',
    run: async (ctx) => batch(await ctx.call('batches.finish', { number: ctx.opts.need('number') })),
  },
  'batch suggest': {
    usage: 'batch suggest --product CODE --kg N [--location CODE]',
    summary: 'First-expiry-first-out picking suggestion',
    async run(ctx) {
      const s = await ctx.call('stock.fefo', {
        product: ctx.opts.need('product'),
        qty_g: parseKg(ctx.opts.need('kg'), 'kg'),
        location: ctx.opts.get('location'),
      });
      const text = table(
        ['lot', 'location', 'expires', 'days left', 'available kg', 'take kg'],
        s.picks.map((p) => [p.lot_code, p.location_code, date(p.expires_at), p.days_left, kg(p.available_g), kg(p.take_g)]),
      );
      return { value: s, text: `${text}\ncovered ${kg(s.covered_g)} of ${kg(s.requested_g)} kg${s.shortfall_g ? `, short ${kg(s.shortfall_g)} kg` : ''}` };
    },
  },
  move: {
    usage: 'move --lot CODE --from CODE --to CODE --kg N',
    summary: 'Move stock between locations',
    async run(ctx) {
      const m = await ctx.call('stock.move', {
        lot: ctx.opts.need('lot'),
        from: ctx.opts.need('from'),
        to: ctx.opts.need('to'),
        qty_g: parseKg(ctx.opts.need('kg'), 'kg'),
      });
      return { value: m, text: `Moved ${kg(m.qty_g)} kg of ${ctx.opts.get('lot')} from ${ctx.opts.get('from')} to ${ctx.opts.get('to')}` };
    },
  },
  'stock levels': {
    usage: 'stock levels [--by product|location|lot] [--product CODE] [--location CODE]',
    summary: 'Stock levels',
    async run(ctx) {
      const page = await ctx.call('stock.levels', { by: ctx.opts.get('by') ?? 'product', product: ctx.opts.get('product'), location: ctx.opts.get('location') });
      const text = table(['', 'kg', 'lots', 'earliest expiry'], page.rows.map((r) => [r.label, kg(r.qty_g), r.lots, date(r.earliest_expiry)]));
      return { value: page, text };
    },
  },
  'stock expiring': {
    usage: 'stock expiring [--days 7] [--location CODE]',
    summary: 'Expired lots in stock and those expiring soon',
    async run(ctx) {
      const r = await ctx.call('stock.expiring', {
        within_days: optional(ctx.opts.get('days'), (v) => parseIntOption(v, 'days')),
        location: ctx.opts.get('location'),
      });
      const rows = (title: string, lots: typeof r.expired) =>
        `${title}:\n` + table(['lot', 'product', 'kg', 'expires', 'days left'], lots.map((l) => [l.code, l.product_code, kg(l.qty_g), date(l.expires_at), l.days_left]));
      return { value: r, text: `${rows('Expired', r.expired)}\n\n${rows('Expiring', r.expiring)}` };
    },
  },
  'ship create': {
    usage: 'ship create --customer CODE --consignee CODE --date YYYY-MM-DD [--incoterms FCA] [--currency CNY] [--transport TEXT] [--border TEXT]',
    summary: 'Start an export shipment',
    run: async (ctx) =>
      shipment(
        await ctx.call('shipments.create', {
          customer: ctx.opts.need('customer'),
          consignee: ctx.opts.need('consignee'),
          planned_date: parseWhen(ctx.opts.need('date'), 'date'),
          incoterms: ctx.opts.get('incoterms'),
          currency: ctx.opts.get('currency'),
          transport: ctx.opts.get('transport'),
          border_crossing: ctx.opts.get('border'),
        }),
      ),
  },
  'ship container': {
    usage: 'ship container --number SHP-… --container MSCU1234566 [--seal TEXT]',
    summary: 'Add a container and its seal',
    run: async (ctx) =>
      shipment(
        await ctx.call('shipments.addContainer', {
          number: ctx.opts.need('number'),
          container_no: ctx.opts.need('container'),
          seal_no: ctx.opts.get('seal'),
        }),
      ),
  },
  'ship add': {
    usage: 'ship add --number SHP-… --lot CODE --kg N --gross-kg N --packages N [--container CODE]',
    summary: 'Add a released finished lot',
    run: async (ctx) =>
      shipment(
        await ctx.call('shipments.addLine', {
          number: ctx.opts.need('number'),
          lot: ctx.opts.need('lot'),
          qty_g: parseKg(ctx.opts.need('kg'), 'kg'),
          gross_g: parseKg(ctx.opts.need('gross-kg'), 'gross-kg'),
          packages: parseIntOption(ctx.opts.need('packages'), 'packages'),
          container_no: ctx.opts.get('container'),
        }),
      ),
  },
  'ship send': {
    usage: 'ship send --number SHP-…',
    summary: 'Ship: moves the stock out',
    run: async (ctx) => shipment(await ctx.call('shipments.ship', { number: ctx.opts.need('number') })),
  },
  operations: {
    usage: 'operations',
    summary: 'Every contract operation with its permission',
    run() {
      const rows = OPERATION_NAMES.map((n) => [n, operations[n].permission, operations[n].mutation ? 'write' : 'read', operations[n].summary]);
      return { value: OPERATION_NAMES.map((name) => ({ name, permission: operations[name].permission, mutation: operations[name].mutation })), text: table(['operation', 'permission', 'kind', 'what it does'], rows) };
    },
  },
  call: {
    usage: "call <operation> ['<json input>']",
    summary: 'Run any contract operation with a JSON input',
    async run(ctx) {
      const [name, json] = ctx.args;
      if (!name) throw new UsageError('call needs an operation name (see `plantdesk operations`)');
      const value = await ctx.call(name as OperationName, json === undefined ? {} : parseJson(json, 'input'));
      return { value, text: JSON.stringify(value, null, 2) };
    },
  },
  ...DEVICE_COMMANDS,
  ...DOCUMENT_COMMANDS,
  ...EXPORT_COMMANDS,
  ...HQ_COMMANDS,
  ...SYNC_COMMANDS,
};

function inspection(ctx: Context, i: OperationOutput<'inspections.get'>): Output {
  const text = [
    `Inspection ${i.number} of lot ${i.lot_code} (${i.template_code}, ${i.stage}): ${i.status}, verdict ${i.verdict ?? i.provisional_verdict}`,
    table(
      ['parameter', 'value', 'limits', 'verdict'],
      i.parameters.map((p) => {
        const r = i.results.find((x) => x.parameter_id === p.id);
        const value = r ? (r.value_num ?? (r.value_bool === null ? r.value_text : r.value_bool ? 'yes' : 'no')) : '';
        // A recorded result shows the limits it was judged against, not the template's current ones.
        const [min, max, unit] = r ? [r.min_value, r.max_value, r.unit] : [p.min_value, p.max_value, p.unit];
        const limits = p.kind === 'numeric' ? `${min ?? ''}…${max ?? ''} ${unit ?? ''}`.trim() : '';
        return [`${p.code} ${ctx.lang === 'ru' ? p.name_ru : p.name_en}`, value, limits, r?.verdict ?? (p.required ? 'missing' : '')];
      }),
    ),
  ].join('\n');
  return { value: i, text };
}

function batch(b: OperationOutput<'batches.get'>): Output {
  const text = [
    `Batch ${b.number}: ${b.product_code} on ${b.equipment_code}, ${b.status}, planned ${kg(b.planned_g)} kg ${dateTime(b.planned_start)}–${dateTime(b.planned_end)}`,
    `  input ${kg(b.input_g)} kg, output ${kg(b.output_g)} kg, yield ${b.yield_pct ?? '—'} %`,
    ...b.inputs.map((i) => `  in:  ${i.lot_code} ${i.product_code} ${kg(i.qty_g)} kg`),
    ...b.outputs.map((o) => `  out: ${o.code} ${kg(o.initial_g)} kg, expires ${date(o.expires_at)}, ${o.status}`),
  ].join('\n');
  return { value: b, text };
}

function shipment(s: OperationOutput<'shipments.get'>): Output {
  const text = [
    `Shipment ${s.number} (${s.status}) to ${s.consignee_name}, planned ${date(s.planned_date)}: ${kg(s.net_g)} kg net, ${kg(s.gross_g)} kg gross, ${s.packages} packages`,
    ...s.containers.map((c) => `  container ${c.container_no} seal ${c.seal_no ?? '—'}`),
    ...s.lines.map((l) => `  ${l.lot_code} ${l.product_code} ${kg(l.qty_g)} kg ${l.packages} pkg ${l.container_no ?? ''}`.trimEnd()),
  ].join('\n');
  return { value: s, text };
}

/** --password, else PLANTDESK_PASSWORD, else asked for without echo at a terminal; refused otherwise. */
async function passwordFrom(opts: Options, what: string): Promise<string> {
  const given = opts.get('password') ?? process.env.PLANTDESK_PASSWORD;
  if (given !== undefined) return given;
  if (!process.stdin.isTTY) throw new UsageError(`${what}: give --password or set PLANTDESK_PASSWORD`);
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Do not echo the password while it is typed.
  const output = rl as unknown as { _writeToOutput?: (s: string) => void };
  process.stderr.write(`${what}: `);
  output._writeToOutput = () => undefined;
  // Ctrl-D or Ctrl-C at the prompt gives up instead of leaving the command hanging or exiting 0.
  rl.on('SIGINT', () => rl.close());
  const answer = await new Promise<string>((resolve, reject) => {
    rl.on('close', () => reject(new UsageError(`${what}: no password given`)));
    rl.question('', resolve);
  }).finally(() => {
    rl.close();
    process.stderr.write('\n');
  });
  return answer;
}

function helpText(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(24)} ${c.summary}`);
  return [
    'plantdesk — PlantDesk workspace from the command line',
    '',
    'Usage: plantdesk <command> [options] [--workspace DIR] [--user NAME] [--json] [--lang ru|en]',
    '',
    'Commands:',
    ...rows,
    '',
    'Every command acts as a workspace user: --user (or PLANTDESK_USER, default "admin") with the',
    'password from --password or PLANTDESK_PASSWORD (asked for at a terminal). Roles apply as in the app.',
    'No login: "workspace init" of a new workspace, "workspace info", "workspace migrate", "operations",',
    '"demo seed" of a new workspace, the hardware commands "devices read", "devices simulate" and "print-test"',
    '(and "devices list" without a workspace), and --help.',
    `The workspace is --workspace DIR, else PLANTDESK_WORKSPACE, else ${defaultWorkspaceDir()}.`,
    "`plantdesk <command> --help` shows a command's options.",
  ].join('\n');
}

function findCommand(positionals: string[]): { name: string; command: Command; args: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = positionals.slice(0, words).join(' ');
    const command = COMMANDS[name];
    if (command && positionals.length >= words) return { name, command, args: positionals.slice(words) };
  }
  return undefined;
}

function languageOf(opts: Options): Lang {
  const chosen = opts.get('lang') ?? process.env.PLANTDESK_LANG;
  if (chosen === 'ru' || chosen === 'en') return chosen;
  return (process.env.LANG ?? '').toLowerCase().startsWith('en') ? 'en' : 'ru';
}

/** Runs the CLI; returns the exit code. Streams are parameters so tests can run it in-process. */
export async function main(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  signal: AbortSignal = new AbortController().signal,
): Promise<number> {
  let workspace: Workspace | undefined;
  let lang: Lang = 'ru';
  try {
    const parsed = parseArgv(argv);
    const opts = new Options(parsed);
    lang = languageOf(opts);
    const found = findCommand(parsed.positionals);
    if (!found || (parsed.positionals.length === 0 && opts.flag('help'))) {
      if (parsed.positionals.length === 0 || opts.flag('help')) {
        out.write(helpText() + '\n');
        return 0;
      }
      throw new UsageError(`unknown command "${parsed.positionals.join(' ')}"`);
    }
    if (opts.flag('help')) {
      out.write(`plantdesk ${found.command.usage}\n\n${found.command.summary}\n`);
      return 0;
    }
    let actor: Actor | undefined;
    const ctx: Context = {
      opts,
      args: found.args,
      lang,
      out,
      signal,
      workspaceDir: () => resolve(opts.get('workspace') ?? defaultWorkspaceDir()),
      workspace() {
        workspace ??= Workspace.open(this.workspaceDir(), { migrate: found.command.migrate ?? true });
        return workspace;
      },
      async login(permission, what = found.name) {
        actor ??= await cliActor(this.workspace(), opts);
        if (permission && !actor.permissions.has(permission)) throw new DomainError('FORBIDDEN', { operation: what, permission });
        return actor;
      },
      async call(name, input) {
        opts.assertAllUsed();
        const result = this.workspace().invokeAs(name, input, await this.login());
        if (!result.ok) throw new OperationFailed(result.error);
        return result.value;
      },
    };
    const output = await found.command.run(ctx);
    // Commands that only read may notice a typo last; writing ones checked before writing.
    opts.assertAllUsed();
    if (output.streamed) return output.exitCode ?? 0;
    const json = opts.flag('json');
    out.write((json ? JSON.stringify(output.value) : (output.text ?? JSON.stringify(output.value, null, 2))) + '\n');
    return output.exitCode ?? 0;
  } catch (error) {
    return report(error, lang, err);
  } finally {
    workspace?.close();
  }
}

/** The CLI user: --user (PLANTDESK_USER, "admin") with a password given or asked for at a terminal. */
async function cliActor(ws: Workspace, opts: Options): Promise<Actor> {
  const username = opts.get('user') ?? process.env.PLANTDESK_USER ?? 'admin';
  const password = await passwordFrom(opts, `password for user "${username}"`);
  const probe = new Tx(ws.q, { userId: null, username, siteId: '', roles: [], permissions: new Set() }, Date.now(), 'cli.authenticate');
  const user = ws.db.transaction(() => authenticate(probe, username, password))();
  return actorOf(user);
}

function report(error: unknown, lang: Lang, err: NodeJS.WritableStream): number {
  if (error instanceof UsageError) {
    err.write(`plantdesk: ${error.message}\nRun "plantdesk --help" for usage.\n`);
    return 2;
  }
  if (error instanceof DeviceFaultError) {
    const { fault } = error;
    err.write(`plantdesk: ${fault.code}: ${fault.message[lang]}\n${fault.hint ? `  ${fault.hint[lang]}\n` : ''}`);
    return 1;
  }
  const opError = error instanceof OperationFailed ? error.error : error instanceof DomainError ? error.error : undefined;
  if (opError) {
    const field = opError.field ? ` [${opError.field}]` : '';
    err.write(`plantdesk: ${opError.code}${field}: ${opError.message[lang]}\n`);
    return opError.code === 'WORKSPACE_TOO_NEW' ? 3 : 1;
  }
  err.write(`plantdesk: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 70;
}
