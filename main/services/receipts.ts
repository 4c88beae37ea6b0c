// Raw-material receipts: each line becomes a quarantined lot with its supplier, veterinary
// document, catch area, dates and weights, received into a location through the ledger.
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import { qb } from '../db/query.js';
import type { ReceiptLineRow, ReceiptRow } from '../db/schema.js';
import type { Tx } from '../db/tx.js';
import { activeByCode, byNumber, DAY_MS, isoDate, nextLotCode, nextNumber } from './common.js';

const CLOCK_TOLERANCE_MS = 10 * 60_000;
import type { Handlers } from './handler.js';
import { post } from './inventory.js';

function receiptView(tx: Tx, receipt: ReceiptRow) {
  const supplier = tx.q.first(qb.selectFrom('partners').select('name_ru').where('id', '=', receipt.supplier_id));
  const lines = tx.q.sql<ReceiptLineRow & { lot_code: string; product_code: string; location_code: string }>(
    `SELECT rl.*, l.code AS lot_code, p.code AS product_code, loc.code AS location_code
     FROM receipt_lines rl JOIN lots l ON l.id = rl.lot_id JOIN products p ON p.id = rl.product_id
     JOIN locations loc ON loc.id = rl.location_id WHERE rl.receipt_id = ? ORDER BY rl.line_no`,
    receipt.id,
  );
  return {
    ...receipt,
    supplier_name: supplier?.name_ru ?? '',
    net_g: lines.reduce((sum, l) => sum + l.net_g, 0),
    lines,
  };
}

export const receiptHandlers: Handlers<'receipts.create' | 'receipts.list' | 'receipts.get'> = {
  'receipts.create'(tx, input) {
    const supplier = activeByCode(tx, 'partners', input.supplier, 'supplier');
    if (supplier.is_supplier !== 1) {
      throw new DomainError('WRONG_PARTNER_ROLE', { partner: supplier.code, role: say('поставщик', 'supplier') }, 'supplier');
    }
    const receivedAt = input.received_at ?? tx.now;
    // Backdating is normal (paper first, PC later); a receipt in the future is a typo.
    if (receivedAt > tx.now + CLOCK_TOLERANCE_MS) {
      throw new DomainError('VALIDATION', { details: say('дата приёмки в будущем', 'the receipt date is in the future') }, 'received_at');
    }
    const receipt = tx.insert('receipts', {
      number: nextNumber(tx, 'receipts'),
      supplier_id: supplier.id,
      received_at: receivedAt,
      vehicle: input.vehicle ?? null,
      note: input.note ?? null,
      created_by: tx.actor.userId ?? '',
    });
    input.lines.forEach((line, i) => {
      const field = (name: string) => `lines.${i}.${name}`;
      const product = activeByCode(tx, 'products', line.product, field('product'));
      if (product.kind === 'finished') {
        throw new DomainError('WRONG_PRODUCT_KIND', { product: product.code, kind: product.kind, expected: 'raw / semi' }, field('product'));
      }
      const location = activeByCode(tx, 'locations', line.location, field('location'));
      const net = line.gross_g - line.tare_g;
      if (net <= 0 || (line.net_g !== undefined && line.net_g !== net)) {
        throw new DomainError('WEIGHT_INCONSISTENT', { net: line.net_g ?? net, gross: line.gross_g, tare: line.tare_g }, field('net_g'));
      }
      if (line.produced_at > receivedAt) {
        throw new DomainError('VALIDATION', { details: say('дата изготовления или вылова позже даты приёмки', 'production/catch date is after the receipt date') }, field('produced_at'));
      }
      const expiresAt = line.produced_at + product.shelf_life_days * DAY_MS;
      if (expiresAt <= receivedAt) {
        throw new DomainError('LOT_EXPIRED', { lot: `${product.code} (${isoDate(line.produced_at)})`, expires: isoDate(expiresAt) }, field('produced_at'));
      }
      const lot = tx.insert('lots', {
        code: nextLotCode(tx, receivedAt),
        product_id: product.id,
        origin: 'receipt',
        supplier_id: supplier.id,
        receipt_id: receipt.id,
        batch_id: null,
        vet_doc_uuid: line.vet_doc_uuid ?? null,
        catch_area: line.catch_area ?? null,
        production_method: product.production_method,
        produced_at: line.produced_at,
        expires_at: expiresAt,
        status: 'quarantine',
        status_reason: null,
        status_source: null,
        initial_g: net,
        packages: line.packages ?? null,
      });
      tx.insert('receipt_lines', {
        receipt_id: receipt.id,
        line_no: i + 1,
        product_id: product.id,
        lot_id: lot.id,
        location_id: location.id,
        vet_doc_uuid: line.vet_doc_uuid ?? null,
        catch_area: line.catch_area ?? null,
        produced_at: line.produced_at,
        arrival_temp: line.arrival_temp ?? null,
        gross_g: line.gross_g,
        tare_g: line.tare_g,
        net_g: net,
        packages: line.packages ?? null,
      });
      post(tx, { kind: 'receipt', lot, to: location, qty_g: net, ref_type: 'receipt', ref_id: receipt.id });
    });
    return receiptView(tx, receipt);
  },

  'receipts.list'(tx, input) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (input.from !== undefined) {
      where.push('r.received_at >= ?');
      params.push(input.from);
    }
    if (input.to !== undefined) {
      where.push('r.received_at < ?');
      params.push(input.to);
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const total = tx.q.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM receipts r${clause}`, ...params)[0]!.n;
    const rows = tx.q.sql<ReceiptRow & { supplier_name: string; lines: number; net_g: number }>(
      `SELECT r.*, p.name_ru AS supplier_name,
         (SELECT COUNT(*) FROM receipt_lines rl WHERE rl.receipt_id = r.id) AS lines,
         (SELECT COALESCE(SUM(net_g), 0) FROM receipt_lines rl WHERE rl.receipt_id = r.id) AS net_g
       FROM receipts r JOIN partners p ON p.id = r.supplier_id${clause}
       ORDER BY r.received_at DESC, r.number DESC LIMIT ? OFFSET ?`,
      ...params,
      input.limit,
      input.offset,
    );
    return { rows, total };
  },

  'receipts.get': (tx, input) => receiptView(tx, byNumber(tx, 'receipts', input.number)),
};
