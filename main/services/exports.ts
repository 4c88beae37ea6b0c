// The record of 1C exports: one replicated row per written file (period, who, when, the file's
// name, size and SHA-256) and, on the PC that wrote it, the objects it carried and the XML
// itself — so "what did 1C get for this batch, and when" is one query, and the same file can be
// saved again. The XML is built asynchronously (main/exports/export-1c.ts); everything here is
// synchronous and runs inside one registry transaction.
import { createHash } from 'node:crypto';
import { export1cObjectType, type Export1cObjectRow, type Export1cObjectType, type Export1cRow } from '../contract/entities.js';
import type { OperationOutput } from '../contract/operations.js';
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import type { Tx } from '../db/tx.js';
import { FORMAT_VERSION, type ExportedObject } from '../exports/enterprise-data.js';
import { siteCodeOf } from './common.js';
import type { Handlers } from './handler.js';

const ENTITY = say('Выгрузка в 1С', '1C export');
/** The message's order of types, for listing an export's objects as the file has them. */
const TYPE_ORDER = JSON.stringify(export1cObjectType.options);

export type Export1cView = OperationOutput<'exports.1c'>;

export interface WrittenExport {
  /** The period as chosen: first and last day, YYYY-MM-DD. */
  from: string;
  to: string;
  /** The UTF-8 bytes of the message. */
  xml: Uint8Array;
  objects: readonly ExportedObject[];
}

/** Records a written export: its row (audited, replicated), its objects and its file. */
export function storeExport(tx: Tx, written: WrittenExport): Export1cView {
  const row = tx.insert('exports_1c', {
    period_from: written.from,
    period_to: written.to,
    format_version: FORMAT_VERSION,
    file_name: `EnterpriseData_${siteCodeOf(tx, tx.actor.siteId)}_${written.from}_${written.to}.xml`,
    sha256: sha256(written.xml),
    bytes: written.xml.byteLength,
    objects: written.objects.length,
    exported_by: tx.actor.userId,
  });
  for (const o of written.objects) {
    tx.q.sqlRun('INSERT INTO export_1c_objects (export_id, guid, object_type, source_id, label) VALUES (?, ?, ?, ?, ?)', row.id, o.guid, o.type, o.source_id, o.label);
  }
  tx.q.sqlRun('INSERT INTO export_1c_files (export_id, xml) VALUES (?, ?)', row.id, written.xml);
  return viewsOf(tx, [row])[0]!;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function exportById(tx: Tx, id: string): Export1cRow {
  const row = tx.q.sql<Export1cRow>('SELECT * FROM exports_1c WHERE id = ?', id)[0];
  if (!row) throw new DomainError('NOT_FOUND', { entity: ENTITY, key: id }, 'id');
  return row;
}

/** The rows with who exported them and their objects per type (null where the objects are not on this PC). */
function viewsOf(tx: Tx, rows: Export1cRow[]): Export1cView[] {
  const ids = JSON.stringify(rows.map((r) => r.id));
  const names = new Map(
    tx.q
      .sql<{ id: string; display_name: string }>('SELECT id, display_name FROM users WHERE id IN (SELECT exported_by FROM exports_1c WHERE id IN (SELECT value FROM json_each(?)))', ids)
      .map((u) => [u.id, u.display_name]),
  );
  const counts = new Map<string, Record<Export1cObjectType, number>>();
  const grouped = tx.q.sql<{ export_id: string; object_type: Export1cObjectType; n: number }>(
    'SELECT export_id, object_type, COUNT(*) AS n FROM export_1c_objects WHERE export_id IN (SELECT value FROM json_each(?)) GROUP BY export_id, object_type',
    ids,
  );
  for (const g of grouped) {
    const of = counts.get(g.export_id) ?? zeroCounts();
    of[g.object_type] = g.n;
    counts.set(g.export_id, of);
  }
  return rows.map((r) => ({
    ...r,
    exported_by_name: r.exported_by ? (names.get(r.exported_by) ?? null) : null,
    // An empty period has no objects anywhere; one with objects but none here was written on another PC.
    counts: counts.get(r.id) ?? (r.objects === 0 ? zeroCounts() : null),
  }));
}

function zeroCounts(): Record<Export1cObjectType, number> {
  return Object.fromEntries(export1cObjectType.options.map((t) => [t, 0])) as Record<Export1cObjectType, number>;
}

export const exportHandlers: Handlers<'exports.list' | 'exports.get' | 'exports.file'> = {
  'exports.list'(tx, input) {
    const total = tx.q.sql<{ n: number }>('SELECT COUNT(*) AS n FROM exports_1c')[0]!.n;
    const rows = tx.q.sql<Export1cRow>('SELECT * FROM exports_1c ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?', input.limit, input.offset);
    return { rows: viewsOf(tx, rows), total };
  },

  'exports.get'(tx, input) {
    const row = exportById(tx, input.id);
    const total = tx.q.sql<{ n: number }>('SELECT COUNT(*) AS n FROM export_1c_objects WHERE export_id = ?', row.id)[0]!.n;
    const objects = tx.q.sql<Export1cObjectRow>(
      `SELECT export_id, guid, object_type, source_id, label FROM export_1c_objects WHERE export_id = ?
       ORDER BY (SELECT key FROM json_each(?) WHERE value = object_type), label, guid LIMIT ? OFFSET ?`,
      row.id,
      TYPE_ORDER,
      input.limit,
      input.offset,
    );
    return { ...viewsOf(tx, [row])[0]!, contents: { rows: objects, total } };
  },

  'exports.file'(tx, input) {
    const row = exportById(tx, input.id);
    const file = tx.q.sql<{ xml: Uint8Array }>('SELECT xml FROM export_1c_files WHERE export_id = ?', row.id)[0];
    // The file stays on the PC that wrote it; others see the record only.
    if (!file) throw new DomainError('NOT_FOUND', { entity: 'XML', key: row.file_name }, 'id');
    // Saving it again must give 1C the very file that was recorded.
    if (sha256(file.xml) !== row.sha256) throw new Error(`the stored XML of export ${row.id} does not match its SHA-256`);
    return { id: row.id, file_name: row.file_name, sha256: row.sha256, bytes: row.bytes, xml_base64: Buffer.from(file.xml).toString('base64') };
  },
};
