// The shapes of workspace rows as they cross the contract. Pure zod: the renderer, the CLI and
// the database layer (schema.ts) all derive their types from here.
//   ids: text UUIDv7 · *_at / *_date: epoch milliseconds UTC · *_g: integer grams · flags: 0/1
import { z } from 'zod';
import { say } from './errors.js';

export const id = z.string().uuid();
export const epochMs = z.number().int().min(0).max(8_640_000_000_000_000);
export const grams = z.number().int().min(0).max(1_000_000_000_000);
export const positiveGrams = z.number().int().min(1).max(1_000_000_000_000);
export const flag = z.union([z.literal(0), z.literal(1)]);
export const celsius = z.number().min(-80).max(400);
export const code = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[\p{L}\p{N}._\-/]+$/u, say('только буквы, цифры и . _ - /', 'letters, digits and . _ - / only'));
export const text = (max = 500) => z.string().trim().min(1).max(max);
export const optText = (max = 500) => text(max).nullable().optional();

const base = {
  id,
  site_id: id,
  created_at: epochMs,
  updated_at: epochMs,
};

export const siteRow = z.object({
  ...base,
  code,
  name_ru: z.string(),
  name_en: z.string(),
  name_zh: z.string().nullable(),
  address_ru: z.string().nullable(),
  address_en: z.string().nullable(),
  address_zh: z.string().nullable(),
  country: z.string(),
  region: z.string().nullable(),
  china_reg_no: z.string().nullable(),
  vet_approval_no: z.string().nullable(),
  phone: z.string().nullable(),
  active: flag,
});

export const productKind = z.enum(['raw', 'semi', 'finished']);
export const productRow = z.object({
  ...base,
  code,
  kind: productKind,
  gtin: z.string().nullable(),
  name_ru: z.string(),
  name_en: z.string(),
  name_zh: z.string().nullable(),
  latin_name: z.string().nullable(),
  species_code: z.string().nullable(),
  production_method: z.enum(['wild', 'farmed']).nullable(),
  hs_code: z.string().nullable(),
  shelf_life_days: z.number().int(),
  restarts_shelf_life: flag,
  storage_temp_min: z.number().nullable(),
  storage_temp_max: z.number().nullable(),
  catch_weight: flag,
  unit: z.enum(['kg', 'pcs']),
  nominal_net_g: z.number().int().nullable(),
  active: flag,
});

export const partnerRow = z.object({
  ...base,
  code,
  is_supplier: flag,
  is_customer: flag,
  is_consignee: flag,
  name_ru: z.string(),
  name_en: z.string().nullable(),
  name_zh: z.string().nullable(),
  address_ru: z.string().nullable(),
  address_en: z.string().nullable(),
  address_zh: z.string().nullable(),
  country: z.string(),
  tax_id: z.string().nullable(),
  contact: z.string().nullable(),
  active: flag,
});

export const locationKind = z.enum(['cold_room', 'freezer', 'dock', 'production', 'quarantine', 'dry']);
export const locationRow = z.object({
  ...base,
  code,
  name: z.string(),
  kind: locationKind,
  temp_min: z.number().nullable(),
  temp_max: z.number().nullable(),
  active: flag,
});

export const equipmentKind = z.enum(['smoker', 'line', 'freezer', 'cooker', 'other']);
export const equipmentRow = z.object({
  ...base,
  code,
  name: z.string(),
  kind: equipmentKind,
  capacity_g: z.number().int().nullable(),
  active: flag,
});

export const lotStatus = z.enum(['quarantine', 'released', 'blocked']);
export const lotStatusSource = z.enum(['inspection', 'manual']);
export const lotRow = z.object({
  ...base,
  code: z.string(),
  product_id: id,
  origin: z.enum(['receipt', 'production']),
  supplier_id: id.nullable(),
  receipt_id: id.nullable(),
  batch_id: id.nullable(),
  vet_doc_uuid: z.string().nullable(),
  catch_area: z.string().nullable(),
  production_method: z.string().nullable(),
  produced_at: epochMs,
  expires_at: epochMs,
  status: lotStatus,
  status_reason: z.string().nullable(),
  /** Who set the status: an inspection verdict or a person (lots.block / lots.release); null while quarantined. */
  status_source: lotStatusSource.nullable(),
  initial_g: z.number().int(),
  packages: z.number().int().nullable(),
});

export const receiptRow = z.object({
  ...base,
  number: z.string(),
  supplier_id: id,
  received_at: epochMs,
  vehicle: z.string().nullable(),
  note: z.string().nullable(),
  created_by: id,
});

export const receiptLineRow = z.object({
  ...base,
  receipt_id: id,
  line_no: z.number().int(),
  product_id: id,
  lot_id: id,
  location_id: id,
  vet_doc_uuid: z.string().nullable(),
  catch_area: z.string().nullable(),
  produced_at: epochMs,
  arrival_temp: z.number().nullable(),
  gross_g: z.number().int(),
  tare_g: z.number().int(),
  net_g: z.number().int(),
  packages: z.number().int().nullable(),
});

export const movementKind = z.enum(['receipt', 'transfer', 'consumption', 'output', 'shipment', 'adjustment', 'write_off']);
export const movementRow = z.object({
  ...base,
  at: epochMs,
  kind: movementKind,
  lot_id: id,
  product_id: id,
  from_location_id: id.nullable(),
  to_location_id: id.nullable(),
  qty_g: z.number().int(),
  ref_type: z.string().nullable(),
  ref_id: z.string().nullable(),
  reason: z.string().nullable(),
  user_id: z.string(),
});

export const stage = z.enum(['incoming', 'in_process', 'final']);
export const parameterKind = z.enum(['numeric', 'pass_fail', 'text']);
export const templateRow = z.object({
  ...base,
  code,
  product_id: id.nullable(),
  stage,
  name_ru: z.string(),
  name_en: z.string(),
  active: flag,
});
export const parameterRow = z.object({
  ...base,
  template_id: id,
  ord: z.number().int(),
  code,
  name_ru: z.string(),
  name_en: z.string(),
  name_zh: z.string().nullable(),
  kind: parameterKind,
  unit: z.string().nullable(),
  min_value: z.number().nullable(),
  max_value: z.number().nullable(),
  required: flag,
  test_code: z.string().nullable(),
  active: flag,
});

export const verdict = z.enum(['pass', 'fail']);
export const inspectionRow = z.object({
  ...base,
  number: z.string(),
  lot_id: id,
  template_id: id,
  stage,
  status: z.enum(['open', 'completed']),
  verdict: verdict.nullable(),
  inspector_id: id,
  verifier_id: id.nullable(),
  completed_at: epochMs.nullable(),
  verified_at: epochMs.nullable(),
  note: z.string().nullable(),
});
export const resultRow = z.object({
  ...base,
  inspection_id: id,
  parameter_id: id,
  value_num: z.number().nullable(),
  value_bool: flag.nullable(),
  value_text: z.string().nullable(),
  verdict: z.enum(['pass', 'fail', 'info']),
  /** The parameter's limits and unit when the result was recorded (what the verdict was judged against). */
  min_value: z.number().nullable(),
  max_value: z.number().nullable(),
  unit: z.string().nullable(),
  source: z.string(),
  recorded_by: id,
  recorded_at: epochMs,
});

export const batchStatus = z.enum(['planned', 'in_progress', 'done', 'cancelled']);
export const batchRow = z.object({
  ...base,
  number: z.string(),
  product_id: id,
  planned_g: z.number().int(),
  equipment_id: id,
  planned_start: epochMs,
  planned_end: epochMs,
  status: batchStatus,
  started_at: epochMs.nullable(),
  finished_at: epochMs.nullable(),
  note: z.string().nullable(),
});
export const batchInputRow = z.object({
  ...base,
  batch_id: id,
  lot_id: id,
  location_id: id,
  qty_g: z.number().int(),
  at: epochMs,
});

export const shipmentStatus = z.enum(['draft', 'shipped', 'cancelled']);
export const shipmentRow = z.object({
  ...base,
  number: z.string(),
  customer_id: id,
  consignee_id: id,
  planned_date: epochMs,
  status: shipmentStatus,
  destination_country: z.string(),
  incoterms: z.string().nullable(),
  currency: z.string().nullable(),
  transport: z.string().nullable(),
  border_crossing: z.string().nullable(),
  shipped_at: epochMs.nullable(),
  note: z.string().nullable(),
});
export const containerRow = z.object({
  ...base,
  shipment_id: id,
  container_no: z.string(),
  seal_no: z.string().nullable(),
});
export const shipmentLineRow = z.object({
  ...base,
  shipment_id: id,
  lot_id: id,
  container_id: id.nullable(),
  qty_g: z.number().int(),
  gross_g: z.number().int(),
  packages: z.number().int(),
});

/** A device attached to one PC (workspace_id): connection and options are JSON text (contract/devices.ts). */
export const deviceRow = z.object({
  ...base,
  workspace_id: z.string(),
  code,
  name: z.string(),
  kind: z.enum(['scale', 'scanner', 'lab', 'sensor', 'printer']),
  protocol: z.string(),
  connection: z.string(),
  options: z.string(),
  active: flag,
});

/** A monitored limit crossed (or a sensor that stopped answering): raised, closed when back, acknowledged by a person. */
export const sensorAlertRow = z.object({
  ...base,
  device_id: id,
  location_id: id.nullable(),
  equipment_id: id.nullable(),
  quantity: z.enum(['temperature', 'humidity']),
  kind: z.enum(['above', 'below', 'sensor']),
  limit_value: z.number().nullable(),
  started_at: epochMs,
  /** The worst value seen while the alert was open. */
  peak_value: z.number().nullable(),
  ended_at: epochMs.nullable(),
  acknowledged_by: id.nullable(),
  acknowledged_at: epochMs.nullable(),
  note: z.string().nullable(),
});

export const documentType = z.enum(['certificate', 'invoice', 'packing_list', 'vet_data', 'origin_application', 'recall']);
export const documentLang = z.enum(['ru', 'en', 'zh']);

/** One issued version of a numbered document; its PDF is stored locally (document_files). */
export const documentRow = z.object({
  ...base,
  type: documentType,
  number: z.string(),
  version: z.number().int().min(1),
  /** The lot code or shipment number the document is about. */
  subject_kind: z.enum(['lot', 'shipment']),
  subject: z.string(),
  lang: documentLang,
  /**
   * The options it was issued with (prices, currency, incoterms, packing, signatory) as JSON,
   * '{}' when none; a reissue starts from them. Kept as the stored text, like a device's options:
   * this schema is also the replicated row (column list, change log), and no screen reads it.
   */
  options: z.string(),
  status: z.enum(['issued', 'void']),
  void_reason: z.string().nullable(),
  voided_by: id.nullable(),
  voided_at: epochMs.nullable(),
  /** SHA-256 (hex) of the stored PDF bytes. */
  sha256: z.string(),
  bytes: z.number().int().min(1),
  issued_by: id.nullable(),
});

// ── 1C exports ──────────────────────────────────────────────────────────────────────────────

/** The 1C object types an EnterpriseData export carries, in the order the message lists them. */
export const export1cObjectType = z.enum([
  'Справочник.Номенклатура',
  'Справочник.СерииНоменклатуры',
  'Документ.ПоступлениеТоваровУслуг',
  'Документ.ВыпускПродукции',
  'Документ.ПередачаМатериаловВПроизводство',
  'Документ.ПеремещениеТоваров',
  'Документ.РеализацияТоваровУслуг',
]);

/**
 * One EnterpriseData file written for 1C (replicated, so every PC sees what went to 1C); the
 * objects it carried and the XML itself stay on the PC that wrote it (export_1c_objects, _files).
 */
export const export1cRow = z.object({
  ...base,
  /** First and last day of the period (both included), plant local dates YYYY-MM-DD. */
  period_from: z.string(),
  period_to: z.string(),
  format_version: z.string(),
  file_name: z.string(),
  /** SHA-256 (hex) of the stored XML bytes. */
  sha256: z.string(),
  bytes: z.number().int().min(1),
  /** How many objects (catalog entries and documents) the message carries. */
  objects: z.number().int().min(0),
  exported_by: id.nullable(),
});

/** One object of an export: its 1C type, the Ссылка GUID it has there, and the row it came from. */
export const export1cObjectRow = z.object({
  export_id: id,
  guid: z.string(),
  object_type: export1cObjectType,
  source_id: z.string(),
  /** Document number or catalog code, for people reading the record. */
  label: z.string(),
});

export const userRow = z.object({
  ...base,
  username: z.string(),
  display_name: z.string(),
  password_hash: z.string(),
  roles: z.string(),
  active: flag,
});

export type SiteRow = z.infer<typeof siteRow>;
export type DeviceRow = z.infer<typeof deviceRow>;
export type SensorAlertRow = z.infer<typeof sensorAlertRow>;
export type DocumentRow = z.infer<typeof documentRow>;
export type DocumentType = z.infer<typeof documentType>;
export type Export1cRow = z.infer<typeof export1cRow>;
export type Export1cObjectRow = z.infer<typeof export1cObjectRow>;
export type Export1cObjectType = z.infer<typeof export1cObjectType>;
export type ProductRow = z.infer<typeof productRow>;
export type PartnerRow = z.infer<typeof partnerRow>;
export type LocationRow = z.infer<typeof locationRow>;
export type EquipmentRow = z.infer<typeof equipmentRow>;
export type LotRow = z.infer<typeof lotRow>;
export type ReceiptRow = z.infer<typeof receiptRow>;
export type ReceiptLineRow = z.infer<typeof receiptLineRow>;
export type MovementRow = z.infer<typeof movementRow>;
export type InspectionTemplateRow = z.infer<typeof templateRow>;
export type TemplateParameterRow = z.infer<typeof parameterRow>;
export type InspectionRow = z.infer<typeof inspectionRow>;
export type InspectionResultRow = z.infer<typeof resultRow>;
export type BatchRow = z.infer<typeof batchRow>;
export type BatchInputRow = z.infer<typeof batchInputRow>;
export type ShipmentRow = z.infer<typeof shipmentRow>;
export type ShipmentContainerRow = z.infer<typeof containerRow>;
export type ShipmentLineRow = z.infer<typeof shipmentLineRow>;
export type UserRow = z.infer<typeof userRow>;
export type LotStatus = z.infer<typeof lotStatus>;
export type MovementKind = z.infer<typeof movementKind>;
export type Stage = z.infer<typeof stage>;
export type BatchStatus = z.infer<typeof batchStatus>;

/** Row schema of every replicated table, by table name. */
export const TABLE_ROWS = {
  sites: siteRow,
  products: productRow,
  partners: partnerRow,
  locations: locationRow,
  equipment: equipmentRow,
  users: userRow,
  receipts: receiptRow,
  receipt_lines: receiptLineRow,
  lots: lotRow,
  movements: movementRow,
  inspection_templates: templateRow,
  template_parameters: parameterRow,
  inspections: inspectionRow,
  inspection_results: resultRow,
  batches: batchRow,
  batch_inputs: batchInputRow,
  shipments: shipmentRow,
  shipment_containers: containerRow,
  shipment_lines: shipmentLineRow,
  devices: deviceRow,
  sensor_alerts: sensorAlertRow,
  documents: documentRow,
  exports_1c: export1cRow,
} as const;
