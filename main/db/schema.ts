// Row types of the workspace tables, for kysely's type-checked query building. Replicated rows
// take their shape from the contract's zod schemas, so the two cannot drift apart.
import type {
  SiteRow,
  ProductRow,
  PartnerRow,
  LocationRow,
  EquipmentRow,
  UserRow,
  ReceiptRow,
  LotRow,
  ReceiptLineRow,
  MovementRow,
  InspectionTemplateRow,
  TemplateParameterRow,
  InspectionRow,
  InspectionResultRow,
  BatchRow,
  BatchInputRow,
  ShipmentRow,
  ShipmentContainerRow,
  ShipmentLineRow,
  DeviceRow,
  SensorAlertRow,
  DocumentRow,
  Export1cRow,
  Export1cObjectRow,
} from '../contract/entities.js';

export type {
  SiteRow,
  ProductRow,
  PartnerRow,
  LocationRow,
  EquipmentRow,
  UserRow,
  ReceiptRow,
  LotRow,
  ReceiptLineRow,
  MovementRow,
  InspectionTemplateRow,
  TemplateParameterRow,
  InspectionRow,
  InspectionResultRow,
  BatchRow,
  BatchInputRow,
  ShipmentRow,
  ShipmentContainerRow,
  ShipmentLineRow,
  DeviceRow,
  SensorAlertRow,
  Export1cRow,
  Export1cObjectRow,
};

export interface RowBase {
  id: string;
  site_id: string;
  created_at: number;
  updated_at: number;
}

export interface WorkspaceTable {
  id: number;
  workspace_id: string;
  home_site_id: string;
  station_code: string;
  created_at: number;
}

export interface SessionRow {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface CounterRow {
  site_id: string;
  kind: string;
  period: string;
  last: number;
}

export interface StockRow {
  lot_id: string;
  location_id: string;
  product_id: string;
  site_id: string;
  expires_at: number;
  qty_g: number;
}

export interface AuditRow {
  seq: number;
  id: string;
  at: number;
  user_id: string | null;
  username: string | null;
  site_id: string;
  operation: string;
  changes: string;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadRow {
  id: number;
  seq: number;
  hash: string;
}

export interface ChangeLogRow {
  seq: number;
  origin_id: string;
  origin_seq: number;
  site_id: string;
  table_name: string;
  row_id: string;
  op: 'insert' | 'update' | 'delete';
  at: number;
  audit_seq: number;
  data: string | null;
  /** Hybrid logical clock of the version (null for changes captured before workspace v5). */
  hlc: string | null;
}

/** This PC's replication settings and progress (one row, local). */
export interface SyncStateRow {
  id: number;
  hq_url: string | null;
  token: string | null;
  interval_min: number;
  pull_cursor: number;
  hlc_physical: number;
  hlc_logical: number;
  clock_offset_ms: number;
  last_attempt_at: number | null;
  last_success_at: number | null;
  last_error_code: string | null;
  last_error_ru: string | null;
  last_error_en: string | null;
  last_error_at: number | null;
  update_required: number;
  pushed_total: number;
  pulled_total: number;
}

/** One reading of a sensor channel (local to this PC, not replicated): a value, or why there is none. */
export interface SensorSampleRow {
  device_id: string;
  quantity: 'temperature' | 'humidity';
  at: number;
  value: number | null;
  error: string | null;
}

/** Good values of one sensor channel in one hour (local, kept with every stored sample). */
export interface SensorHourlyRow {
  device_id: string;
  quantity: 'temperature' | 'humidity';
  hour_start: number;
  n: number;
  min: number;
  max: number;
  sum: number;
}

/** The PDF of one document version (local to this PC, not replicated). */
export interface DocumentFileRow {
  document_id: string;
  pdf: Uint8Array;
}

/** The XML of one 1C export as written (local to this PC, not replicated). */
export interface Export1cFileRow {
  export_id: string;
  xml: Uint8Array;
}

export interface ChangeSequenceRow {
  origin_id: string;
  last_seq: number;
}

/** Tables whose rows are owned by a site, audited and captured for replication. */
export interface ReplicatedTables {
  sites: SiteRow;
  products: ProductRow;
  partners: PartnerRow;
  locations: LocationRow;
  equipment: EquipmentRow;
  users: UserRow;
  receipts: ReceiptRow;
  receipt_lines: ReceiptLineRow;
  lots: LotRow;
  movements: MovementRow;
  inspection_templates: InspectionTemplateRow;
  template_parameters: TemplateParameterRow;
  inspections: InspectionRow;
  inspection_results: InspectionResultRow;
  batches: BatchRow;
  batch_inputs: BatchInputRow;
  shipments: ShipmentRow;
  shipment_containers: ShipmentContainerRow;
  shipment_lines: ShipmentLineRow;
  devices: DeviceRow;
  sensor_alerts: SensorAlertRow;
  documents: DocumentRow;
  exports_1c: Export1cRow;
}

export type ReplicatedTable = keyof ReplicatedTables;

export interface DB extends ReplicatedTables {
  workspace: WorkspaceTable;
  sessions: SessionRow;
  counters: CounterRow;
  stock: StockRow;
  audit_log: AuditRow;
  audit_head: AuditHeadRow;
  change_log: ChangeLogRow;
  change_sequences: ChangeSequenceRow;
  sensor_samples: SensorSampleRow;
  sensor_hourly: SensorHourlyRow;
  document_files: DocumentFileRow;
  export_1c_objects: Export1cObjectRow;
  export_1c_files: Export1cFileRow;
}
