// Every operation PlantDesk offers, declared once: name, input schema, output schema, the
// permission it needs and whether it writes. Electron IPC, the browser host and the CLI all
// serve exactly this list through the one handler registry (main/registry.ts).
// Pure: no Node, no database. The renderer may import this file (types and schemas only).
import { z } from 'zod';
import {
  batchInputRow,
  batchRow,
  celsius,
  code,
  containerRow,
  epochMs,
  equipmentKind,
  equipmentRow,
  flag,
  grams,
  inspectionRow,
  locationKind,
  locationRow,
  lotRow,
  lotStatus,
  movementKind,
  movementRow,
  optText,
  parameterKind,
  parameterRow,
  partnerRow,
  positiveGrams,
  productKind,
  productRow,
  receiptLineRow,
  receiptRow,
  resultRow,
  shipmentLineRow,
  shipmentRow,
  shipmentStatus,
  siteRow,
  stage,
  templateRow,
  text,
  batchStatus,
  deviceRow,
  sensorAlertRow,
  documentLang,
  documentRow,
  documentType,
  export1cObjectRow,
  export1cObjectType,
  export1cRow,
} from './entities.js';
import { isValidContainerNumber, isValidGtin } from './check-digits.js';
import { say } from './errors.js';
import { jobId } from './jobs.js';
import { ROLES, type Permission } from './roles.js';
import {
  alertEvent,
  capturedWeight,
  deviceConfigInput,
  deviceProtocol,
  deviceStatus,
  labResultEvent,
  portList,
  printJob,
  scanEvent,
  weightEvent,
} from './devices.js';

export interface OperationDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** `public` operations run without a session (first-run setup, login). */
  permission: Permission | 'public';
  /** Writes run in an immediate transaction and leave an audit entry. */
  mutation: boolean;
  summary: string;
  /**
   * Operations that run asynchronously in a service of the main process, outside any single
   * database transaction, instead of the registry: `device` ones talk to hardware
   * (main/devices/service.ts), `documents` ones render PDFs and then store them
   * (main/documents/service.ts). The registry admits them (input, session, permission) but does
   * not run them. Every kind is served by every host under the same names.
   */
  runs?: Service;
}

export type Service = 'device' | 'documents' | 'sync';

function op<I extends z.ZodType, O extends z.ZodType>(def: OperationDef<I, O>): OperationDef<I, O> {
  return def;
}

/** An operation served by one of the main process's asynchronous services. */
function serviceOp<S extends Service, I extends z.ZodType, O extends z.ZodType, M extends boolean>(
  runs: S,
  def: Omit<OperationDef<I, O>, 'runs' | 'mutation'> & { mutation: M },
): OperationDef<I, O> & { runs: S; mutation: M } {
  return { ...def, runs };
}

/** A hardware operation: never a write to the workspace by itself. */
function deviceOp<I extends z.ZodType, O extends z.ZodType>(
  def: Omit<OperationDef<I, O>, 'runs' | 'mutation'>,
): OperationDef<I, O> & { runs: 'device'; mutation: false } {
  return serviceOp('device', { ...def, mutation: false });
}

const obj = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape);
const empty = obj({});
const ok = obj({ ok: z.literal(true) });
const paging = {
  limit: z.number().int().min(1).max(10_000).default(200),
  offset: z.number().int().min(0).default(0),
};
/** Stock by lot is scrolled whole in a virtualised table: pages up to 100 000 rows. */
const bigPaging = {
  limit: z.number().int().min(1).max(100_000).default(200),
  offset: z.number().int().min(0).default(0),
};
const page = <T extends z.ZodType>(row: T) => obj({ rows: z.array(row), total: z.number().int() });
const password = z.string().min(8, say('не менее 8 символов', 'at least 8 characters')).max(200);
const username = z
  .string()
  .trim()
  .min(2)
  .max(40)
  .regex(/^[a-zA-Z0-9._-]+$/, say('латинские буквы, цифры и . _ -', 'latin letters, digits and . _ - only'));
const role = z.enum(ROLES);
const vetDocUuid = z.string().uuid(say('UUID ветеринарного документа (Меркурий)', 'a Mercury/VetIS document UUID'));
const reason = text(500);

// ── views (rows joined with what a screen or a report shows next to them) ──────────────────

export const userView = obj({
  id: z.string(),
  site_id: z.string(),
  username: z.string(),
  display_name: z.string(),
  roles: z.array(role),
  active: flag,
});

export const sessionView = obj({
  token: z.string(),
  expires_at: epochMs,
  user: userView,
  permissions: z.array(z.string()),
});

export const lotView = lotRow.extend({
  product_code: z.string(),
  product_name_ru: z.string(),
  product_name_en: z.string(),
  product_kind: productKind,
  supplier_name: z.string().nullable(),
  qty_g: z.number().int(),
  days_left: z.number().int(),
});

export const stockLevel = obj({
  key: z.string(),
  label: z.string(),
  product_code: z.string().nullable(),
  location_code: z.string().nullable(),
  lot_code: z.string().nullable(),
  qty_g: z.number().int(),
  lots: z.number().int(),
  earliest_expiry: epochMs.nullable(),
});

export const fefoPick = obj({
  lot_code: z.string(),
  location_code: z.string(),
  expires_at: epochMs,
  days_left: z.number().int(),
  available_g: z.number().int(),
  take_g: z.number().int(),
});
export const fefoSuggestion = obj({
  picks: z.array(fefoPick),
  requested_g: z.number().int(),
  covered_g: z.number().int(),
  shortfall_g: z.number().int(),
});

export const movementView = movementRow.extend({
  lot_code: z.string(),
  from_location_code: z.string().nullable(),
  to_location_code: z.string().nullable(),
});

export const templateView = templateRow.extend({
  product_code: z.string().nullable(),
  parameters: z.array(parameterRow),
});

/** A result with its parameter's name; unit and limits are the result's own (those it was judged against). */
export const resultView = resultRow.extend({
  parameter_code: z.string(),
  parameter_name_ru: z.string(),
  parameter_name_en: z.string(),
  /** 0 when the parameter has since been dropped from the template: the result no longer counts toward the verdict. */
  parameter_active: flag,
});

export const inspectionView = inspectionRow.extend({
  lot_code: z.string(),
  product_code: z.string(),
  template_code: z.string(),
  inspector: z.string(),
  verifier: z.string().nullable(),
  provisional_verdict: z.enum(['pass', 'fail', 'incomplete']),
  missing: z.array(z.string()),
  results: z.array(resultView),
  parameters: z.array(parameterRow),
});

export const batchView = batchRow.extend({
  product_code: z.string(),
  product_name_ru: z.string(),
  equipment_code: z.string(),
  input_g: z.number().int(),
  output_g: z.number().int(),
  yield_pct: z.number().nullable(),
  inputs: z.array(batchInputRow.extend({ lot_code: z.string(), product_code: z.string() })),
  outputs: z.array(lotRow.pick({ id: true, code: true, initial_g: true, expires_at: true, status: true })),
});

export const shipmentView = shipmentRow.extend({
  customer_name: z.string(),
  consignee_name: z.string(),
  net_g: z.number().int(),
  gross_g: z.number().int(),
  packages: z.number().int(),
  containers: z.array(containerRow),
  lines: z.array(
    shipmentLineRow.extend({ lot_code: z.string(), product_code: z.string(), container_no: z.string().nullable() }),
  ),
});

export const receiptView = receiptRow.extend({
  supplier_name: z.string(),
  net_g: z.number().int(),
  lines: z.array(receiptLineRow.extend({ lot_code: z.string(), product_code: z.string(), location_code: z.string() })),
});

export interface TraceNode {
  kind: 'lot' | 'receipt' | 'supplier' | 'batch' | 'shipment' | 'consignee';
  key: string;
  label: string;
  qty_g: number | null;
  at: number | null;
  children: TraceNode[];
}
export const traceNode: z.ZodType<TraceNode> = z.lazy(() =>
  obj({
    kind: z.enum(['lot', 'receipt', 'supplier', 'batch', 'shipment', 'consignee']),
    key: z.string(),
    label: z.string(),
    qty_g: z.number().int().nullable(),
    at: epochMs.nullable(),
    children: z.array(traceNode),
  }),
);

export const auditProblem = obj({
  seq: z.number().int(),
  kind: z.enum(['edited', 'inserted', 'deleted', 'reordered', 'truncated']),
  message: obj({ ru: z.string(), en: z.string() }),
});

// ── inputs shared by several operations ─────────────────────────────────────────────────────

/** Site codes go into every lot code and document number: short, Latin capitals and digits. */
const siteCode = z
  .string()
  .trim()
  .regex(/^[A-Z0-9]{2,6}$/, say('2–6 заглавных латинских букв или цифр, например BFP', '2–6 capital Latin letters or digits, e.g. BFP'));

const siteInput = obj({
  code: siteCode,
  name_ru: text(200),
  name_en: text(200),
  name_zh: optText(200),
  address_ru: optText(),
  address_en: optText(),
  address_zh: optText(),
  country: z.string().length(2).default('RU'),
  region: optText(200),
  china_reg_no: optText(60),
  vet_approval_no: optText(60),
  phone: optText(60),
  active: flag.optional(),
});

const gtin = z
  .string()
  .regex(/^\d{14}$/, say('14 цифр (GTIN-14)', '14 digits (GTIN-14)'))
  .refine(isValidGtin, say('неверная контрольная цифра GTIN', 'wrong GTIN check digit'));

const productInput = obj({
  code,
  kind: productKind,
  gtin: gtin.nullable().optional(),
  name_ru: text(200),
  name_en: text(200),
  name_zh: optText(200),
  latin_name: optText(200),
  species_code: z.string().regex(/^[A-Z]{3}$/, say('трёхбуквенный код ФАО', 'FAO 3-alpha code')).nullable().optional(),
  production_method: z.enum(['wild', 'farmed']).nullable().optional(),
  hs_code: z.string().regex(/^\d{4,10}$/, say('от 4 до 10 цифр', '4 to 10 digits')).nullable().optional(),
  shelf_life_days: z.number().int().min(1).max(3650),
  /** 1 for products whose processing starts the shelf life anew (freezing): output expiry is not capped by the inputs. */
  restarts_shelf_life: flag.optional(),
  storage_temp_min: celsius.nullable().optional(),
  storage_temp_max: celsius.nullable().optional(),
  catch_weight: flag.optional(),
  unit: z.enum(['kg', 'pcs']).optional(),
  nominal_net_g: positiveGrams.nullable().optional(),
  active: flag.optional(),
});

const partnerInput = obj({
  code,
  is_supplier: flag.optional(),
  is_customer: flag.optional(),
  is_consignee: flag.optional(),
  name_ru: text(300),
  name_en: optText(300),
  name_zh: optText(300),
  address_ru: optText(),
  address_en: optText(),
  address_zh: optText(),
  country: z.string().length(2),
  tax_id: optText(40),
  contact: optText(200),
  active: flag.optional(),
});

const locationInput = obj({
  code,
  name: text(200),
  kind: locationKind,
  temp_min: celsius.nullable().optional(),
  temp_max: celsius.nullable().optional(),
  active: flag.optional(),
});

const equipmentInput = obj({
  code,
  name: text(200),
  kind: equipmentKind,
  capacity_g: positiveGrams.nullable().optional(),
  active: flag.optional(),
});

const receiptLineInput = obj({
  product: code,
  location: code,
  vet_doc_uuid: vetDocUuid.nullable().optional(),
  catch_area: optText(100),
  produced_at: epochMs,
  arrival_temp: celsius.nullable().optional(),
  gross_g: positiveGrams,
  tare_g: grams.default(0),
  /** Optional: when given it must equal gross − tare (a typed net that disagrees is refused). */
  net_g: positiveGrams.optional(),
  packages: z.number().int().min(1).max(1_000_000).nullable().optional(),
});

const parameterInput = obj({
  code,
  name_ru: text(200),
  name_en: text(200),
  name_zh: optText(200),
  kind: parameterKind,
  unit: optText(20),
  min_value: z.number().nullable().optional(),
  max_value: z.number().nullable().optional(),
  required: flag.optional(),
  test_code: optText(40),
});

const resultInput = obj({
  parameter: code,
  value: z.union([z.number(), z.boolean(), z.string().max(2000)]),
  source: z.enum(['manual', 'device']).optional(),
});


export const deviceView = deviceRow.extend({
  /** Parsed connection and options (defaults filled in). */
  connection_config: z.record(z.string(), z.unknown()),
  options_config: z.record(z.string(), z.unknown()),
  protocol: deviceProtocol,
});

export const alertView = sensorAlertRow.extend({
  device_code: z.string(),
  device_name: z.string(),
  location_code: z.string().nullable(),
  equipment_code: z.string().nullable(),
  acknowledged_by_name: z.string().nullable(),
});

// ── the operations ──────────────────────────────────────────────────────────────────────────

/** What the document service needs besides the subject; each document type reads the options it uses. */
const documentOptions = {
  /** Invoice: unit prices by product code, in the currency per kg net. */
  prices: z.record(code, z.number().positive().max(1_000_000)).optional(),
  /** Invoice: ISO 4217 currency and incoterms instead of the shipment's. */
  currency: z.string().regex(/^[A-Z]{3}$/, say('код валюты ISO 4217, например USD', 'an ISO 4217 currency code, e.g. USD')).optional(),
  incoterms: text(40).optional(),
  /** Vet data sheet: packing as the certificate states it. */
  packing: text(200).optional(),
  /** Certificate: who signs it (default: the issuing user). */
  signatory: obj({ name: text(120), position: text(120) }).optional(),
};

/** Which subject each document type is about. */
const SUBJECTS: Record<z.infer<typeof documentType>, readonly ('lot' | 'shipment')[]> = {
  certificate: ['lot', 'shipment'],
  invoice: ['shipment'],
  packing_list: ['shipment'],
  vet_data: ['shipment'],
  origin_application: ['shipment'],
  recall: ['lot'],
};

export const documentIssueInput = obj({
  type: documentType,
  lot: code.optional(),
  shipment: text(40).optional(),
  lang: documentLang.default('en'),
  ...documentOptions,
}).superRefine((input, ctx) => {
  const allowed = SUBJECTS[input.type];
  const given = (['lot', 'shipment'] as const).filter((k) => input[k] !== undefined);
  if (given.length !== 1 || !allowed.includes(given[0]!)) {
    ctx.addIssue({
      code: 'custom',
      path: [given.find((k) => !allowed.includes(k)) ?? allowed[0]!],
      message: say(`${input.type}: укажите ровно одно из: ${allowed.join(', ')}`, `${input.type}: give exactly one of: ${allowed.join(', ')}`),
    });
  }
  if (input.type === 'recall' && input.lang === 'zh') {
    ctx.addIssue({ code: 'custom', path: ['lang'], message: say('отчёт об отзыве: ru или en', 'recall report: ru or en') });
  }
});

/** A calendar day as people pick it: the plant's local date, YYYY-MM-DD. */
const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, say('дата в виде ГГГГ-ММ-ДД', 'a date as YYYY-MM-DD'))
  .refine((day) => dayNumber(day) !== null, say('такой даты нет', 'no such date'));

/** Days since 1970-01-01 of a YYYY-MM-DD date, or null if there is no such date. Zone-free: dates only. */
function dayNumber(day: string): number | null {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const utc = new Date(Date.UTC(y, m - 1, d));
  return utc.getUTCFullYear() === y && utc.getUTCMonth() === m - 1 && utc.getUTCDate() === d ? utc.getTime() / 86_400_000 : null;
}

/** The longest period one 1C export covers: a year (a leap year included). */
export const MAX_EXPORT_DAYS = 366;

export const export1cInput = obj({ from: calendarDay, to: calendarDay, job: jobId }).superRefine((input, ctx) => {
  const days = dayNumber(input.to)! - dayNumber(input.from)! + 1;
  if (days < 1) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: say('конец периода раньше его начала', 'the period ends before it starts') });
  } else if (days > MAX_EXPORT_DAYS) {
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: say(`период длиннее ${MAX_EXPORT_DAYS} дней: выгружайте по частям`, `the period is longer than ${MAX_EXPORT_DAYS} days: export it in parts`),
    });
  }
});

/** An export as the history shows it: who wrote it and how many objects of each 1C type it carried. */
export const export1cView = export1cRow.extend({
  exported_by_name: z.string().nullable(),
  /** Null on a PC that did not write the export (its objects stay where it was written). */
  counts: z.record(export1cObjectType, z.number().int()).nullable(),
});

const messagePair = obj({ ru: z.string(), en: z.string() });

/** This PC's replication as the status bar and the settings show it (never the access key itself). */
export const syncStatusView = obj({
  configured: z.boolean(),
  hq_url: z.string().nullable(),
  has_token: z.boolean(),
  interval_min: z.number().int(),
  pending_changes: z.number().int(),
  pull_cursor: z.number().int(),
  last_attempt_at: z.number().int().nullable(),
  last_success_at: z.number().int().nullable(),
  last_error: obj({ code: z.string(), message: messagePair, at: z.number().int() }).nullable(),
  /** Headquarters refused this version of PlantDesk: changes wait here until it is updated. */
  update_required: z.boolean(),
  pushed_total: z.number().int(),
  pulled_total: z.number().int(),
  conflicts: z.number().int(),
  /** An exchange is running now (known to the sync service; false from the registry alone). */
  running: z.boolean(),
});
export type SyncStatusView = z.infer<typeof syncStatusView>;

export const syncConflictView = obj({
  id: z.number().int(),
  at: z.number().int(),
  /** hq: headquarters kept another version of a row written here; local: a row from headquarters was refused here. */
  side: z.enum(['hq', 'local']),
  table_name: z.string(),
  row_id: z.string(),
  reason: z.string(),
  kept_hlc: z.string().nullable(),
  lost_hlc: z.string().nullable(),
  details: z.string().nullable(),
});

export const syncReportView = obj({
  pushed: z.number().int(),
  batches: z.number().int(),
  conflicts: z.number().int(),
  pulled: z.number().int(),
  pages: z.number().int(),
  deferred: z.number().int(),
  refused: z.number().int(),
  pending: z.number().int(),
  ms: z.number().int(),
});

/** The most a print job carries (characters of ZPL or TSPL). */
export const MAX_PRINT_DATA = 2_000_000;
/** Labels one `labels.render` call renders: a pallet run or a day of cartons; more is split into calls. */
export const MAX_LABELS = 5_000;

export const labelsRenderInput = obj({
  lot: code,
  kind: z.enum(['carton', 'pallet']),
  count: z
    .number()
    .int()
    .min(1, say('хотя бы одна этикетка', 'at least one label'))
    .max(MAX_LABELS, say(`не больше ${MAX_LABELS} этикеток за раз`, `at most ${MAX_LABELS} labels at a time`)),
  format: z.enum(['pdf', 'zpl']),
  /** PDF page size in mm; ZPL takes the printer's label size when a `printer` is given. */
  widthMm: z.number().min(40).max(220).default(100),
  heightMm: z.number().min(40).max(400).default(150),
  /** ZPL: the label printer of this PC whose dpi, label size and text settings (cjkFont, textAs) the ZPL follows. */
  printer: code.optional(),
  /** ZPL without a printer: the dot pitch to render for. */
  dpi: z.union([z.literal(203), z.literal(300)]).default(203),
  /** Carton: net weight in grams when the product has no nominal pack weight. */
  netG: positiveGrams.max(999_999).optional(),
  /** Pallet: GS1 company prefix and the first serial reference; the labels take consecutive serials. */
  companyPrefix: z.string().regex(/^\d{7,10}$/, say('префикс компании GS1: 7–10 цифр', 'GS1 company prefix: 7–10 digits')).optional(),
  serial: z.number().int().min(0).optional(),
  extension: z.number().int().min(0).max(9).optional(),
  job: jobId,
}).superRefine((input, ctx) => {
  if (input.kind !== 'pallet') return;
  for (const key of ['companyPrefix', 'serial'] as const) {
    if (input[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: say('нужен для этикетки паллеты', 'needed for a pallet label') });
  }
});

export const labelsRenderOutput = obj({
  lot: z.string(),
  kind: z.enum(['carton', 'pallet']),
  format: z.enum(['pdf', 'zpl']),
  count: z.number().int(),
  bytes: z.number().int(),
  sha256: z.string(),
  /** The PDF, base64 (format pdf). */
  pdf_base64: z.string().optional(),
  /** The ZPL (format zpl), ready for `printers.print`. */
  zpl: z.string().optional(),
});

export const operations = {
  // Setup and sessions
  'setup.status': op({
    input: empty,
    output: obj({ initialised: z.boolean(), site_code: z.string().nullable(), schema_version: z.number().int() }),
    permission: 'public',
    mutation: false,
    summary: 'Whether this workspace has its site and administrator yet',
  }),
  'setup.initialise': op({
    input: obj({
      site: siteInput,
      admin: obj({ username, display_name: text(200), password }),
      /** Empty on a site's first PC; '2', 'B'… on further PCs of the same site. */
      station_code: z
        .string()
        .trim()
        .regex(/^[A-Z0-9]{0,2}$/, say('до 2 заглавных латинских букв или цифр', 'up to 2 capital Latin letters or digits'))
        .default(''),
    }),
    output: obj({ site: siteRow, admin: userView }),
    permission: 'public',
    mutation: true,
    summary: 'First run: create the home site and the administrator (refused once done)',
  }),
  'auth.login': op({
    input: obj({ username: z.string().trim().min(1).max(40), password: z.string().min(1).max(200) }),
    output: sessionView,
    permission: 'public',
    mutation: true,
    summary: 'Log in; returns a session token',
  }),
  'auth.logout': op({ input: empty, output: ok, permission: 'session', mutation: true, summary: 'End this session' }),
  'auth.me': op({
    input: empty,
    output: obj({ user: userView, permissions: z.array(z.string()), site: siteRow }),
    permission: 'session',
    mutation: false,
    summary: 'Who is logged in and what they may do',
  }),
  'auth.changePassword': op({
    input: obj({ current: z.string().min(1).max(200), next: password }),
    output: ok,
    permission: 'session',
    mutation: true,
    summary: 'Change your own password',
  }),

  // Users
  'users.list': op({ input: empty, output: obj({ rows: z.array(userView) }), permission: 'users.manage', mutation: false, summary: 'All users' }),
  'users.create': op({
    input: obj({ username, display_name: text(200), password, roles: z.array(role).min(1), site: code.optional() }),
    output: userView,
    permission: 'users.manage',
    mutation: true,
    summary: 'Add a user with roles',
  }),
  'users.update': op({
    input: obj({
      username,
      display_name: text(200).optional(),
      roles: z.array(role).min(1).optional(),
      active: flag.optional(),
      password: password.optional(),
    }),
    output: userView,
    permission: 'users.manage',
    mutation: true,
    summary: 'Change a user’s name, roles, password or disable them',
  }),

  // Reference data (upsert by code)
  'sites.list': op({ input: empty, output: obj({ rows: z.array(siteRow) }), permission: 'session', mutation: false, summary: 'Sites' }),
  'sites.upsert': op({ input: siteInput, output: siteRow, permission: 'reference.write', mutation: true, summary: 'Create or update a site' }),
  'products.list': op({
    input: obj({ kind: productKind.optional(), include_inactive: z.boolean().optional() }),
    output: obj({ rows: z.array(productRow) }),
    permission: 'session',
    mutation: false,
    summary: 'Products',
  }),
  'products.upsert': op({ input: productInput, output: productRow, permission: 'reference.write', mutation: true, summary: 'Create or update a product' }),
  'partners.list': op({
    input: obj({ role: z.enum(['supplier', 'customer', 'consignee']).optional() }),
    output: obj({ rows: z.array(partnerRow) }),
    permission: 'session',
    mutation: false,
    summary: 'Suppliers, customers and consignees',
  }),
  'partners.upsert': op({ input: partnerInput, output: partnerRow, permission: 'reference.write', mutation: true, summary: 'Create or update a partner' }),
  'locations.list': op({ input: empty, output: obj({ rows: z.array(locationRow) }), permission: 'session', mutation: false, summary: 'Storage locations' }),
  'locations.upsert': op({ input: locationInput, output: locationRow, permission: 'reference.write', mutation: true, summary: 'Create or update a location' }),
  'equipment.list': op({ input: empty, output: obj({ rows: z.array(equipmentRow) }), permission: 'session', mutation: false, summary: 'Equipment' }),
  'equipment.upsert': op({ input: equipmentInput, output: equipmentRow, permission: 'reference.write', mutation: true, summary: 'Create or update equipment' }),

  // Receipts
  'receipts.create': op({
    input: obj({
      supplier: code,
      received_at: epochMs.optional(),
      vehicle: optText(100),
      note: optText(1000),
      lines: z.array(receiptLineInput).min(1).max(500),
    }),
    output: receiptView,
    permission: 'receipt.create',
    mutation: true,
    summary: 'Receive raw material: one quarantined lot per line',
  }),
  'receipts.list': op({
    input: obj({ from: epochMs.optional(), to: epochMs.optional(), ...paging }),
    output: page(receiptRow.extend({ supplier_name: z.string(), lines: z.number().int(), net_g: z.number().int() })),
    permission: 'stock.read',
    mutation: false,
    summary: 'Receipts, newest first',
  }),
  'receipts.get': op({ input: obj({ number: text(40) }), output: receiptView, permission: 'stock.read', mutation: false, summary: 'One receipt with its lines' }),

  // Lots and stock
  'lots.list': op({
    input: obj({
      product: code.optional(),
      status: lotStatus.optional(),
      location: code.optional(),
      search: z.string().trim().max(60).optional(),
      in_stock: z.boolean().optional(),
      ...paging,
    }),
    output: page(lotView),
    permission: 'stock.read',
    mutation: false,
    summary: 'Lots with remaining quantity and shelf life',
  }),
  'lots.get': op({
    input: obj({ code: text(40) }),
    output: obj({
      lot: lotView,
      stock: z.array(obj({ location_code: z.string(), qty_g: z.number().int() })),
      movements: z.array(movementView),
      inspections: z.array(inspectionRow),
    }),
    permission: 'stock.read',
    mutation: false,
    summary: 'One lot: stock by location, moves, inspections',
  }),
  'lots.block': op({
    input: obj({ code: text(40), reason }),
    output: lotRow,
    permission: 'quality.inspect',
    mutation: true,
    summary: 'Block a lot by hand (with a reason), e.g. a recall hold; no inspection lifts it',
  }),
  'lots.release': op({
    input: obj({ code: text(40), reason }),
    output: lotRow,
    permission: 'quality.verify',
    mutation: true,
    summary: 'Release a blocked or quarantined lot by hand (with a reason); only if its latest inspection of the deciding stage passed',
  }),
  'stock.levels': op({
    input: obj({ by: z.enum(['product', 'location', 'lot']), product: code.optional(), location: code.optional(), ...bigPaging }),
    output: page(stockLevel),
    permission: 'stock.read',
    mutation: false,
    summary: 'Stock levels by product, location or lot',
  }),
  'stock.expiring': op({
    input: obj({ within_days: z.number().int().min(0).max(3650).default(7), location: code.optional(), ...paging }),
    output: obj({
      expiring: z.array(lotView),
      expiring_total: z.number().int(),
      expired: z.array(lotView),
      expired_total: z.number().int(),
    }),
    permission: 'stock.read',
    mutation: false,
    summary: 'Lots in stock that expire within N days, and those already expired (each list paged)',
  }),
  'stock.fefo': op({
    input: obj({ product: code, qty_g: positiveGrams, location: code.optional() }),
    output: fefoSuggestion,
    permission: 'stock.read',
    mutation: false,
    summary: 'First-expiry-first-out picking suggestion from released, unexpired stock',
  }),
  'stock.move': op({
    input: obj({ lot: text(40), from: code, to: code, qty_g: positiveGrams }),
    output: movementRow,
    permission: 'stock.move',
    mutation: true,
    summary: 'Move stock between locations',
  }),
  'stock.adjust': op({
    input: obj({
      lot: text(40),
      location: code,
      delta_g: z.number().int().refine((v) => v !== 0, say('не может быть нулём', 'must not be zero')),
      reason,
    }),
    output: movementRow,
    permission: 'stock.adjust',
    mutation: true,
    summary: 'Stock-take adjustment (with a reason)',
  }),
  'stock.writeOff': op({
    input: obj({ lot: text(40), location: code, qty_g: positiveGrams, reason }),
    output: movementRow,
    permission: 'stock.adjust',
    mutation: true,
    summary: 'Write off stock (with a reason)',
  }),
  'movements.list': op({
    input: obj({
      lot: text(40).optional(),
      kind: movementKind.optional(),
      from: epochMs.optional(),
      to: epochMs.optional(),
      ...paging,
    }),
    output: page(movementView),
    permission: 'stock.read',
    mutation: false,
    summary: 'The movement ledger, newest first',
  }),

  // Quality
  'templates.list': op({
    input: obj({ product: code.optional(), stage: stage.optional() }),
    output: obj({ rows: z.array(templateView) }),
    permission: 'session',
    mutation: false,
    summary: 'Inspection templates with parameters',
  }),
  'templates.upsert': op({
    input: obj({
      code,
      product: code.nullable().optional(),
      stage,
      name_ru: text(200),
      name_en: text(200),
      active: flag.optional(),
      parameters: z.array(parameterInput).min(1).max(100),
    }),
    output: templateView,
    permission: 'quality.templates',
    mutation: true,
    summary: 'Create or update an inspection template',
  }),
  'inspections.open': op({
    input: obj({ lot: text(40), template: code.optional(), stage: stage.optional() }),
    output: inspectionView,
    permission: 'quality.inspect',
    mutation: true,
    summary: 'Start an inspection of a lot (template chosen by product and stage if not given)',
  }),
  'inspections.record': op({
    input: obj({ number: text(40), results: z.array(resultInput).min(1).max(100) }),
    output: inspectionView,
    permission: 'quality.inspect',
    mutation: true,
    summary: 'Record results; each gets its verdict from the limits',
  }),
  'inspections.complete': op({
    input: obj({ number: text(40), note: optText(1000) }),
    output: inspectionView,
    permission: 'quality.inspect',
    mutation: true,
    summary:
      'Complete: verdict from the results of active parameters. A fail blocks the lot; a pass releases it only at the deciding stage (incoming for received lots, final for produced ones) and never lifts a manual block',
  }),
  'inspections.verify': op({
    input: obj({ number: text(40) }),
    output: inspectionView,
    permission: 'quality.verify',
    mutation: true,
    summary: 'Verification sign-off by someone other than the inspector',
  }),
  'inspections.get': op({ input: obj({ number: text(40) }), output: inspectionView, permission: 'stock.read', mutation: false, summary: 'One inspection' }),
  'inspections.list': op({
    input: obj({ status: z.enum(['open', 'completed']).optional(), lot: text(40).optional(), ...paging }),
    output: page(inspectionRow.extend({ lot_code: z.string(), product_code: z.string(), template_code: z.string() })),
    permission: 'stock.read',
    mutation: false,
    summary: 'Inspections',
  }),

  // Production
  'batches.plan': op({
    input: obj({
      product: code,
      planned_g: positiveGrams,
      equipment: code,
      planned_start: epochMs,
      planned_end: epochMs,
      note: optText(1000),
    }),
    output: batchView,
    permission: 'production.plan',
    mutation: true,
    summary: 'Plan a batch on equipment (equipment is never double-booked)',
  }),
  'batches.start': op({ input: obj({ number: text(40) }), output: batchView, permission: 'production.execute', mutation: true, summary: 'Start a planned batch' }),
  'batches.consume': op({
    input: obj({ number: text(40), lot: text(40), location: code.optional(), qty_g: positiveGrams }),
    output: batchView,
    permission: 'production.execute',
    mutation: true,
    summary: 'Consume a released input lot into the batch',
  }),
  'batches.output': op({
    input: obj({
      number: text(40),
      qty_g: positiveGrams,
      location: code,
      packages: z.number().int().min(1).max(1_000_000).nullable().optional(),
      produced_at: epochMs.optional(),
    }),
    output: obj({ batch: batchView, lot: lotRow }),
    permission: 'production.execute',
    mutation: true,
    summary: 'Record an output lot (quarantined until its final inspection)',
  }),
  'batches.finish': op({ input: obj({ number: text(40) }), output: batchView, permission: 'production.execute', mutation: true, summary: 'Finish a batch' }),
  'batches.cancel': op({
    input: obj({ number: text(40), reason }),
    output: batchView,
    permission: 'production.plan',
    mutation: true,
    summary: 'Cancel a batch that has consumed nothing',
  }),
  'batches.get': op({ input: obj({ number: text(40) }), output: batchView, permission: 'stock.read', mutation: false, summary: 'One batch with inputs, outputs and yield' }),
  'batches.list': op({
    input: obj({ status: batchStatus.optional(), from: epochMs.optional(), to: epochMs.optional(), ...paging }),
    output: page(batchView.omit({ inputs: true, outputs: true })),
    permission: 'stock.read',
    mutation: false,
    summary: 'Batches by planned start',
  }),
  'equipment.utilisation': op({
    input: obj({ from: epochMs, to: epochMs }),
    output: obj({
      rows: z.array(
        obj({
          equipment_code: z.string(),
          name: z.string(),
          batches: z.number().int(),
          booked_ms: z.number().int(),
          available_ms: z.number().int(),
          utilisation_pct: z.number(),
        }),
      ),
    }),
    permission: 'stock.read',
    mutation: false,
    summary: 'Share of each piece of equipment’s time booked by batches in a period',
  }),

  // Shipments
  'shipments.create': op({
    input: obj({
      customer: code,
      consignee: code,
      planned_date: epochMs,
      destination_country: z.string().length(2).default('CN'),
      incoterms: optText(10),
      currency: z.string().length(3).nullable().optional(),
      transport: optText(200),
      border_crossing: optText(200),
      note: optText(1000),
    }),
    output: shipmentView,
    permission: 'shipment.manage',
    mutation: true,
    summary: 'Start an export shipment',
  }),
  'shipments.addContainer': op({
    input: obj({ number: text(40), container_no: z
        .string()
        .trim()
        .regex(/^[A-Z]{4}\d{7}$/, say('ISO 6346, например MSCU1234566', 'ISO 6346, e.g. MSCU1234566'))
        .refine(isValidContainerNumber, say('неверная контрольная цифра номера контейнера (ISO 6346)', 'wrong container check digit (ISO 6346)')), seal_no: optText(40) }),
    output: shipmentView,
    permission: 'shipment.manage',
    mutation: true,
    summary: 'Add a container with its seal number',
  }),
  'shipments.addLine': op({
    input: obj({
      number: text(40),
      lot: text(40),
      qty_g: positiveGrams,
      gross_g: positiveGrams,
      packages: z.number().int().min(1).max(1_000_000),
      container_no: z.string().trim().optional(),
    }),
    output: shipmentView,
    permission: 'shipment.manage',
    mutation: true,
    summary: 'Add a released finished lot to the shipment (never more than in stock minus what drafts already hold)',
  }),
  'shipments.ship': op({
    input: obj({ number: text(40) }),
    output: shipmentView,
    permission: 'shipment.ship',
    mutation: true,
    summary: 'Ship: checks every line again (released, unexpired, final inspection passed and verified by a second person) and moves the stock out',
  }),
  'shipments.cancel': op({ input: obj({ number: text(40), reason }), output: shipmentView, permission: 'shipment.manage', mutation: true, summary: 'Cancel a draft shipment' }),
  'shipments.get': op({ input: obj({ number: text(40) }), output: shipmentView, permission: 'stock.read', mutation: false, summary: 'One shipment' }),
  'shipments.list': op({
    input: obj({ status: shipmentStatus.optional(), ...paging }),
    output: page(shipmentView.omit({ lines: true, containers: true })),
    permission: 'stock.read',
    mutation: false,
    summary: 'Shipments, newest first',
  }),

  // Traceability and audit
  'trace.lot': op({
    input: obj({ code: text(40), direction: z.enum(['backward', 'forward', 'both']).default('both') }),
    output: obj({ lot: lotView, backward: traceNode.nullable(), forward: traceNode.nullable() }),
    permission: 'trace.read',
    mutation: false,
    summary: 'Backward (to suppliers) and forward (to consignees) trace of a lot, with quantities',
  }),
  'audit.verify': op({
    input: empty,
    output: obj({ ok: z.boolean(), entries: z.number().int(), problems: z.array(auditProblem) }),
    permission: 'audit.read',
    mutation: false,
    summary: 'Check the audit hash chain for edited, inserted or deleted entries',
  }),
  'audit.list': op({
    input: obj({ operation: z.string().max(60).optional(), ...paging }),
    output: page(
      obj({ seq: z.number().int(), at: epochMs, username: z.string().nullable(), operation: z.string(), changes: z.string() }),
    ),
    permission: 'audit.read',
    mutation: false,
    summary: 'Audit entries, newest first',
  }),
  // Devices: configuration and records (run in the registry)
  'devices.list': op({
    input: obj({ all: z.boolean().default(false) }),
    output: obj({ rows: z.array(deviceView) }),
    permission: 'session',
    mutation: false,
    summary: 'Devices of this PC (all: every PC of the workspace)',
  }),
  'devices.save': op({
    input: deviceConfigInput,
    output: deviceView,
    permission: 'devices.manage',
    mutation: true,
    summary: 'Create or update a device of this PC (options checked against its kind, connection against its protocol)',
  }),
  'sensors.record': op({
    input: obj({
      device: code,
      samples: z
        .array(
          obj({
            at: epochMs,
            quantity: z.enum(['temperature', 'humidity']),
            value: z.number().min(-1000).max(1000).nullable(),
            error: optText(200),
          }),
        )
        .min(1)
        .max(10_000),
    }),
    output: obj({ stored: z.number().int(), alerts: z.array(alertEvent) }),
    permission: 'devices.record',
    mutation: true,
    summary: 'Store sensor samples (history downsampled by the hour) and raise or close limit alerts',
  }),
  'sensors.series': op({
    input: obj({
      device: code,
      quantity: z.enum(['temperature', 'humidity']).default('temperature'),
      from: epochMs,
      to: epochMs,
      maxPoints: z.number().int().min(10).max(5_000).default(500),
    }),
    output: obj({
      /** `raw` when the samples fit in maxPoints, else buckets of `stepMs` (from raw samples or hourly history). */
      resolution: z.enum(['raw', 'bucket', 'hour']),
      stepMs: z.number().int(),
      points: z.array(obj({ at: epochMs, min: z.number(), avg: z.number(), max: z.number(), n: z.number().int() })),
      limits: obj({ min: z.number().nullable(), max: z.number().nullable() }),
    }),
    permission: 'session',
    mutation: false,
    summary: 'A sensor history for a chart: at most maxPoints points whatever the period',
  }),
  'sensors.latest': op({
    input: empty,
    output: obj({
      rows: z.array(
        obj({
          device: z.string(),
          name: z.string(),
          location: z.string().nullable(),
          equipment: z.string().nullable(),
          quantity: z.enum(['temperature', 'humidity']),
          at: epochMs.nullable(),
          value: z.number().nullable(),
          min: z.number().nullable(),
          max: z.number().nullable(),
          open_alert: z.boolean(),
        }),
      ),
    }),
    permission: 'session',
    mutation: false,
    summary: 'The last sample of every sensor channel with its limits',
  }),
  'alerts.list': op({
    input: obj({ open: z.boolean().optional(), unacknowledged: z.boolean().optional(), ...paging }),
    output: page(alertView),
    permission: 'session',
    mutation: false,
    summary: 'Temperature alerts, newest first',
  }),
  'alerts.acknowledge': op({
    input: obj({ id: z.string().uuid(), note: text(1000) }),
    output: alertView,
    permission: 'alerts.acknowledge',
    mutation: true,
    summary: 'Acknowledge an alert with the corrective action taken (HACCP)',
  }),
  'scans.resolve': op({
    input: obj({ raw: z.string().min(1).max(4000), device: z.string().max(40).default('keyboard') }),
    output: obj({
      scan: scanEvent,
      /** Our lot with this code (AI 10), when there is one. */
      lot: lotView.nullable(),
      /** The product with this GTIN (AI 01). */
      product: productRow.nullable(),
      /** What a receipt line can take from a supplier's label. */
      prefill: obj({
        product: z.string().nullable(),
        supplier_lot: z.string().nullable(),
        net_g: z.number().int().nullable(),
        produced_at: epochMs.nullable(),
        expires_at: epochMs.nullable(),
        catch_area: z.string().nullable(),
      }),
    }),
    permission: 'session',
    mutation: false,
    summary: 'Read a scanned barcode: GS1 fields with check digits, the lot or product it names, receipt pre-fill',
  }),
  'lab.record': op({
    input: obj({
      device: code,
      sampleId: text(80),
      /** What the sample id names; default: the device's `sampleId` setting (line-output readings name the inspection they are tied to). */
      sampleIs: z.enum(['inspection', 'lot']).optional(),
      results: z
        .array(obj({ testCode: text(40), value: z.string().max(200), numeric: z.number().nullable(), unit: z.string().max(20) }))
        .min(1)
        .max(100),
    }),
    output: obj({ results: z.array(labResultEvent) }),
    permission: 'devices.record',
    mutation: true,
    summary: "Put an instrument's results into the open inspection of the sample's lot (test code → template parameter)",
  }),

  // Document registry: issued documents and their PDFs
  'documents.list': op({
    input: obj({
      type: documentType.optional(),
      /** A lot code or shipment number. */
      subject: z.string().max(60).optional(),
      status: z.enum(['issued', 'void']).optional(),
      number: z.string().max(60).optional(),
      ...paging,
    }),
    output: page(documentRow),
    permission: 'session',
    mutation: false,
    summary: 'Issued documents, newest first (every version)',
  }),
  'documents.get': op({
    input: obj({ id: z.string().uuid() }),
    output: documentRow.extend({ versions: z.array(documentRow) }),
    permission: 'session',
    mutation: false,
    summary: 'One document version with every version of its number',
  }),
  'documents.pdf': op({
    input: obj({ id: z.string().uuid() }),
    output: obj({ id: z.string(), number: z.string(), version: z.number().int(), sha256: z.string(), bytes: z.number().int(), pdf_base64: z.string() }),
    permission: 'session',
    mutation: false,
    summary: 'The stored PDF of a document version (base64), for reprinting; checked against its SHA-256',
  }),
  'documents.void': op({
    input: obj({ id: z.string().uuid(), reason }),
    output: documentRow,
    permission: 'documents.void',
    mutation: true,
    summary: 'Void an issued document version with a reason (it stays in the registry)',
  }),
  // Rendered asynchronously in the document service, then numbered and stored in one transaction.
  'documents.issue': serviceOp('documents', {
    input: documentIssueInput,
    output: documentRow,
    permission: 'documents.issue',
    mutation: true,
    summary: 'Render and issue a numbered document (certificate, export set document, recall report) and store its PDF',
  }),
  'documents.reissue': serviceOp('documents', {
    input: obj({ id: z.string().uuid(), lang: documentLang.optional(), ...documentOptions }),
    output: documentRow,
    permission: 'documents.issue',
    mutation: true,
    summary: 'Issue a new version of a document from the current data: same number, next version; the earlier ones stay',
  }),

  // 1C exports: EnterpriseData files for accounting, and the record of each one written
  // Built asynchronously in the document service (progress as job.progress), then recorded in one transaction.
  'exports.1c': serviceOp('documents', {
    input: export1cInput,
    output: export1cView,
    permission: 'exports.1c',
    mutation: true,
    summary: "Write the period's receipts, production, moves and shipments as one EnterpriseData file for 1C and record it (both days included)",
  }),
  'exports.list': op({
    input: obj({ ...paging }),
    output: page(export1cView),
    permission: 'exports.1c',
    mutation: false,
    summary: 'Past 1C exports, newest first',
  }),
  'exports.get': op({
    input: obj({ id: z.string().uuid(), ...paging }),
    output: export1cView.extend({ contents: page(export1cObjectRow) }),
    permission: 'exports.1c',
    mutation: false,
    summary: 'One 1C export with a page of the objects it carried (contents: catalogs first, then documents)',
  }),
  'exports.file': op({
    input: obj({ id: z.string().uuid() }),
    output: obj({ id: z.string(), file_name: z.string(), sha256: z.string(), bytes: z.number().int(), xml_base64: z.string() }),
    permission: 'exports.1c',
    mutation: false,
    summary: 'The stored XML of a 1C export (base64), to save it again; checked against its SHA-256',
  }),

  // Labels: carton and pallet labels of a lot, printed matter rather than numbered documents.
  // Rendered in the document service (progress as job.progress); nothing is stored or audited.
  // devices.use: whoever labels cartons on the line and may send the labels to a printer
  // (printers.print); documents.issue is for numbered documents, which labels are not.
  'labels.render': serviceOp('documents', {
    input: labelsRenderInput,
    output: labelsRenderOutput,
    permission: 'devices.use',
    mutation: false,
    summary: 'Render N carton or pallet labels of a lot as a PDF (one page each) or as ZPL for a label printer of this PC',
  }),

  // Replication with headquarters. Settings and status are local to this PC; the exchange runs
  // in the sync service (asynchronously, progress as job.progress), on a timer, on reconnect
  // and on demand.
  'sync.status': op({
    input: empty,
    output: syncStatusView,
    permission: 'session',
    mutation: false,
    summary: 'Replication of this PC: headquarters address, last success, changes waiting, last error with its cause',
  }),
  'sync.configure': op({
    input: obj({
      hq_url: z
        .string()
        .trim()
        .max(500)
        .regex(/^https?:\/\/[^\s]+$/, say('адрес вида https://сервер:порт', 'an address like https://server:port'))
        .nullable(),
      /** The access key from headquarters; left out, the stored one stays. */
      token: z.string().trim().min(16).max(200).optional(),
      interval_min: z.number().int().min(0).max(1440),
    }),
    output: syncStatusView,
    permission: 'sync.manage',
    mutation: true,
    summary: 'Set the headquarters address, access key and how often to synchronise (0: only on demand)',
  }),
  'sync.conflicts': op({
    input: obj({ ...paging }),
    output: page(syncConflictView),
    permission: 'sync.manage',
    mutation: false,
    summary: 'Versions written here that headquarters did not keep, and rows from headquarters this PC could not take, newest first',
  }),
  'sync.run': serviceOp('sync', {
    input: obj({ direction: z.enum(['both', 'push', 'pull']).default('both'), job: jobId }),
    output: syncReportView,
    permission: 'session',
    // Not a write of this PC's user: the rows it brings were audited where they were written.
    // Windows refresh on the workspace.changed the sync service publishes when it finishes.
    mutation: false,
    summary: 'Synchronise with headquarters now: send the changes made here, then receive what headquarters has for this PC',
  }),

  // Devices: hardware (run in the device service, asynchronously)
  'devices.ports': deviceOp({
    input: empty,
    output: portList,
    permission: 'devices.manage',
    summary: 'Serial, HID and printer ports of this PC (without udev: found in /dev, and said so)',
  }),
  'devices.status': deviceOp({
    input: empty,
    output: obj({ rows: z.array(deviceStatus) }),
    permission: 'session',
    summary: 'Connection state of every device of this PC',
  }),
  'devices.test': deviceOp({
    input: obj({ device: deviceConfigInput, durationMs: z.number().int().min(200).max(30_000).default(3_000) }),
    output: obj({
      ok: z.boolean(),
      fault: deviceStatus.shape.fault,
      weights: z.array(weightEvent),
      scans: z.array(scanEvent),
      lines: z.array(z.string()),
      samples: z.array(obj({ quantity: z.string(), value: z.number().nullable(), error: z.string().optional() })),
    }),
    permission: 'devices.manage',
    summary: 'Open a device with the given (unsaved) settings for a few seconds and show what it sends',
  }),
  'devices.capture': deviceOp({
    input: obj({ device: code }),
    output: capturedWeight,
    permission: 'devices.use',
    summary: 'Take the current weight: only a fresh, stable reading above zero within the scale range',
  }),
  'devices.zero': deviceOp({ input: obj({ device: code }), output: ok, permission: 'devices.use', summary: 'Zero a scale' }),
  'devices.tare': deviceOp({ input: obj({ device: code }), output: ok, permission: 'devices.use', summary: 'Tare a scale' }),
  'devices.reconnect': deviceOp({
    input: obj({ device: code }),
    output: deviceStatus,
    permission: 'devices.use',
    summary: 'Try a device again now instead of waiting for the next reconnect attempt',
  }),
  'devices.sample': deviceOp({
    input: obj({
      device: code,
      /** The open inspection the instrument's next readings go into; null unties it. */
      inspection: text(80).nullable(),
      /** With `inspection: null`: untie only if the instrument is still tied to this inspection (not to someone else's). */
      release: text(80).optional(),
    }),
    output: deviceStatus,
    permission: 'quality.inspect',
    summary: 'Tie a line-output lab instrument to an inspection for its next readings (lapses after a while without readings), or untie it',
  }),
  'printers.print': deviceOp({
    input: obj({
      device: code,
      title: text(200),
      /** ZPL or TSPL as the printer speaks it. */
      data: z.string().min(1).max(MAX_PRINT_DATA),
    }),
    output: printJob,
    permission: 'devices.use',
    summary: 'Queue a label job; its progress arrives as device.printJob events',
  }),
  'printers.test': deviceOp({
    input: obj({ device: code }),
    output: printJob,
    permission: 'devices.use',
    summary: 'Print a test label (Cyrillic text and a GS1-128 barcode)',
  }),
  'printers.jobs': deviceOp({
    input: empty,
    output: obj({ rows: z.array(printJob) }),
    permission: 'devices.use',
    summary: 'Print jobs of this session, newest first',
  }),
  'printers.cancel': deviceOp({
    input: obj({ id: z.string().max(80) }),
    output: printJob,
    permission: 'devices.use',
    summary: 'Cancel a queued print job',
  }),
} as const satisfies Record<string, OperationDef>;

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type OperationInput<N extends OperationName> = z.input<Operations[N]['input']>;
export type OperationOutput<N extends OperationName> = z.output<Operations[N]['output']>;
export const OPERATION_NAMES = Object.keys(operations) as OperationName[];

export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.hasOwn(operations, name);
}

/** Operations that talk to hardware (served by the device service, not the registry). */
export type DeviceOperationName = {
  [K in OperationName]: Operations[K] extends { runs: 'device' } ? K : never;
}[OperationName];
/** Operations that render documents (served by the document service). */
export type DocumentOperationName = {
  [K in OperationName]: Operations[K] extends { runs: 'documents' } ? K : never;
}[OperationName];
/** Operations of the sync service (the exchange with headquarters). */
export type SyncOperationName = {
  [K in OperationName]: Operations[K] extends { runs: 'sync' } ? K : never;
}[OperationName];
/** Operations that run in one database transaction in the registry. */
export type RegistryOperationName = Exclude<OperationName, DeviceOperationName | DocumentOperationName | SyncOperationName>;

export function isDeviceOperation(name: OperationName): name is DeviceOperationName {
  return (operations[name] as OperationDef).runs === 'device';
}

export function isDocumentOperation(name: OperationName): name is DocumentOperationName {
  return (operations[name] as OperationDef).runs === 'documents';
}

export function isSyncOperation(name: OperationName): name is SyncOperationName {
  return (operations[name] as OperationDef).runs === 'sync';
}

/** Operations a service runs instead of the registry (which only admits them). */
export function isServiceOperation(name: OperationName): name is DeviceOperationName | DocumentOperationName | SyncOperationName {
  return (operations[name] as OperationDef).runs !== undefined;
}
