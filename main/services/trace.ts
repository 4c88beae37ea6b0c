// Traceability: from any lot backward to receipts and suppliers, forward through batches to
// output lots, shipments and consignees, with the quantities that moved along each edge.
import type { TraceNode } from '../contract/operations.js';
import type { LotRow } from '../db/schema.js';
import type { QueryRunner } from '../db/query.js';
import type { Handlers } from './handler.js';
import { lotViewByCode } from './inventory.js';

const MAX_DEPTH = 32;

function lotLabel(q: QueryRunner, lot: LotRow): string {
  const p = q.sql<{ code: string; name_ru: string }>('SELECT code, name_ru FROM products WHERE id = ?', lot.product_id)[0];
  return `${lot.code} · ${p?.code ?? ''} ${p?.name_ru ?? ''}`.trim();
}

function lotNode(q: QueryRunner, lot: LotRow, qty: number | null, children: TraceNode[]): TraceNode {
  return { kind: 'lot', key: lot.code, label: lotLabel(q, lot), qty_g: qty, at: lot.produced_at, children };
}

function backward(q: QueryRunner, lot: LotRow, qty: number | null, seen: Set<string>, depth: number): TraceNode {
  if (seen.has(lot.id) || depth > MAX_DEPTH) return lotNode(q, lot, qty, []);
  seen.add(lot.id);
  const children: TraceNode[] = [];
  if (lot.receipt_id) {
    const r = q.sql<{ number: string; received_at: number; supplier_code: string; supplier_name: string }>(
      `SELECT r.number, r.received_at, p.code AS supplier_code, p.name_ru AS supplier_name
       FROM receipts r JOIN partners p ON p.id = r.supplier_id WHERE r.id = ?`,
      lot.receipt_id,
    )[0];
    if (r) {
      children.push({
        kind: 'receipt',
        key: r.number,
        label: r.number,
        qty_g: lot.initial_g,
        at: r.received_at,
        children: [{ kind: 'supplier', key: r.supplier_code, label: r.supplier_name, qty_g: lot.initial_g, at: null, children: [] }],
      });
    }
  }
  if (lot.batch_id) {
    const b = q.sql<{ number: string; started_at: number | null; planned_start: number }>(
      'SELECT number, started_at, planned_start FROM batches WHERE id = ?',
      lot.batch_id,
    )[0];
    const inputs = q.sql<LotRow & { consumed_g: number }>(
      `SELECT l.*, SUM(bi.qty_g) AS consumed_g FROM batch_inputs bi JOIN lots l ON l.id = bi.lot_id
       WHERE bi.batch_id = ? GROUP BY l.id ORDER BY l.code`,
      lot.batch_id,
    );
    if (b) {
      children.push({
        kind: 'batch',
        key: b.number,
        label: b.number,
        qty_g: lot.initial_g,
        at: b.started_at ?? b.planned_start,
        children: inputs.map((input) => backward(q, input, input.consumed_g, seen, depth + 1)),
      });
    }
  }
  return lotNode(q, lot, qty, children);
}

function forward(q: QueryRunner, lot: LotRow, qty: number | null, seen: Set<string>, depth: number): TraceNode {
  if (seen.has(lot.id) || depth > MAX_DEPTH) return lotNode(q, lot, qty, []);
  seen.add(lot.id);
  const children: TraceNode[] = [];
  const batches = q.sql<{ id: string; number: string; at: number; consumed_g: number }>(
    `SELECT b.id, b.number, COALESCE(b.started_at, b.planned_start) AS at, SUM(bi.qty_g) AS consumed_g
     FROM batch_inputs bi JOIN batches b ON b.id = bi.batch_id WHERE bi.lot_id = ? GROUP BY b.id ORDER BY at`,
    lot.id,
  );
  for (const b of batches) {
    const outputs = q.sql<LotRow>('SELECT * FROM lots WHERE batch_id = ? ORDER BY code', b.id);
    children.push({
      kind: 'batch',
      key: b.number,
      label: b.number,
      qty_g: b.consumed_g,
      at: b.at,
      children: outputs.map((o) => forward(q, o, o.initial_g, seen, depth + 1)),
    });
  }
  const shipments = q.sql<{ number: string; status: string; at: number; qty_g: number; consignee_code: string; consignee_name: string }>(
    `SELECT s.number, s.status, COALESCE(s.shipped_at, s.planned_date) AS at, SUM(sl.qty_g) AS qty_g,
            c.code AS consignee_code, COALESCE(c.name_en, c.name_ru) AS consignee_name
     FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_id JOIN partners c ON c.id = s.consignee_id
     WHERE sl.lot_id = ? AND s.status != 'cancelled' GROUP BY s.id ORDER BY at`,
    lot.id,
  );
  for (const s of shipments) {
    children.push({
      kind: 'shipment',
      key: s.number,
      label: `${s.number} (${s.status})`,
      qty_g: s.qty_g,
      at: s.at,
      children: [{ kind: 'consignee', key: s.consignee_code, label: s.consignee_name, qty_g: s.qty_g, at: null, children: [] }],
    });
  }
  return lotNode(q, lot, qty, children);
}

/** The backward and/or forward trace trees of a lot (also read by the recall report). */
export function traceTrees(q: QueryRunner, lot: LotRow, direction: 'backward' | 'forward' | 'both'): { backward: TraceNode | null; forward: TraceNode | null } {
  return {
    backward: direction === 'forward' ? null : backward(q, lot, lot.initial_g, new Set(), 0),
    forward: direction === 'backward' ? null : forward(q, lot, lot.initial_g, new Set(), 0),
  };
}

export const traceHandlers: Handlers<'trace.lot'> = {
  'trace.lot'(tx, input) {
    const view = lotViewByCode(tx, input.code);
    const lot = tx.q.sql<LotRow>('SELECT * FROM lots WHERE id = ?', view.id)[0]!;
    return { lot: view, ...traceTrees(tx.q, lot, input.direction) };
  },
};
