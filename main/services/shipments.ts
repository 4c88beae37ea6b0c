// Export shipments: released finished lots to a consignee, in containers with seals. A lot's
// quantity on draft shipments is reserved: lines never ask for more than stock minus what drafts
// already hold. Shipping re-checks every line, requires the HACCP sign-off (the deciding
// inspection passed and verified by a second person) and moves the stock out through the ledger.
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import { qb } from '../db/query.js';
import type { LotRow, ShipmentLineRow, ShipmentRow } from '../db/schema.js';
import type { Tx } from '../db/tx.js';
import { byCode, byNumber, lotByCode, nextNumber, ownByNumber, ownLotByCode, withReason } from './common.js';
import type { Handlers } from './handler.js';
import { assertUsable, lotStock, takeFromLot } from './inventory.js';
import { decidingStage, latestCompleted } from './quality.js';

const ENTITY = say('Отгрузка', 'Shipment');

function summary(tx: Tx, shipment: ShipmentRow) {
  const names = tx.q.sql<{ customer_name: string; consignee_name: string }>(
    `SELECT c.name_ru AS customer_name, g.name_ru AS consignee_name FROM partners c, partners g WHERE c.id = ? AND g.id = ?`,
    shipment.customer_id,
    shipment.consignee_id,
  )[0]!;
  const totals = tx.q.sql<{ net_g: number; gross_g: number; packages: number }>(
    `SELECT COALESCE(SUM(qty_g), 0) AS net_g, COALESCE(SUM(gross_g), 0) AS gross_g, COALESCE(SUM(packages), 0) AS packages
     FROM shipment_lines WHERE shipment_id = ?`,
    shipment.id,
  )[0]!;
  return { ...shipment, ...names, ...totals };
}

function shipmentView(tx: Tx, shipment: ShipmentRow) {
  const containers = tx.q.all(qb.selectFrom('shipment_containers').selectAll().where('shipment_id', '=', shipment.id).orderBy('container_no'));
  const lines = tx.q.sql<ShipmentLineRow & { lot_code: string; product_code: string; container_no: string | null }>(
    `SELECT sl.*, l.code AS lot_code, p.code AS product_code, c.container_no
     FROM shipment_lines sl JOIN lots l ON l.id = sl.lot_id JOIN products p ON p.id = l.product_id
     LEFT JOIN shipment_containers c ON c.id = sl.container_id WHERE sl.shipment_id = ? ORDER BY sl.created_at, sl.id`,
    shipment.id,
  );
  return { ...summary(tx, shipment), containers, lines };
}

function draft(tx: Tx, number: string, action: string): ShipmentRow {
  const shipment = ownByNumber(tx, 'shipments', number);
  if (shipment.status !== 'draft') {
    throw new DomainError('INVALID_STATE', { entity: ENTITY, key: number, state: shipment.status, action });
  }
  return shipment;
}

/** A lot on a shipment must be a released, unexpired finished product. */
function assertShippable(tx: Tx, lotCode: string, field: string) {
  const lot = ownLotByCode(tx, lotCode, field);
  assertUsable(tx, lot, field);
  const product = tx.q.first(qb.selectFrom('products').select(['code', 'kind']).where('id', '=', lot.product_id))!;
  if (product.kind !== 'finished') {
    throw new DomainError('WRONG_PRODUCT_KIND', { product: product.code, kind: product.kind, expected: 'finished' }, field);
  }
  return lot;
}

/** HACCP sign-off: the lot's latest inspection of the deciding stage passed and was verified by a second person. */
function assertVerified(tx: Tx, lot: LotRow, field: string): void {
  const latest = latestCompleted(tx, lot.id, decidingStage(lot));
  if (!latest || latest.verdict !== 'pass' || latest.verifier_id === null) {
    throw new DomainError('NOT_VERIFIED', { lot: lot.code }, field);
  }
}

export const shipmentHandlers: Handlers<
  | 'shipments.create'
  | 'shipments.addContainer'
  | 'shipments.addLine'
  | 'shipments.ship'
  | 'shipments.cancel'
  | 'shipments.get'
  | 'shipments.list'
> = {
  'shipments.create'(tx, input) {
    const customer = byCode(tx, 'partners', input.customer, 'customer');
    if (customer.is_customer !== 1) throw new DomainError('WRONG_PARTNER_ROLE', { partner: customer.code, role: say('покупатель', 'customer') }, 'customer');
    const consignee = byCode(tx, 'partners', input.consignee, 'consignee');
    if (consignee.is_consignee !== 1) throw new DomainError('WRONG_PARTNER_ROLE', { partner: consignee.code, role: say('грузополучатель', 'consignee') }, 'consignee');
    const shipment = tx.insert('shipments', {
      number: nextNumber(tx, 'shipments'),
      customer_id: customer.id,
      consignee_id: consignee.id,
      planned_date: input.planned_date,
      status: 'draft',
      destination_country: input.destination_country,
      incoterms: input.incoterms ?? null,
      currency: input.currency ?? null,
      transport: input.transport ?? null,
      border_crossing: input.border_crossing ?? null,
      shipped_at: null,
      note: input.note ?? null,
    });
    return shipmentView(tx, shipment);
  },

  'shipments.addContainer'(tx, input) {
    const shipment = draft(tx, input.number, say('добавить контейнер', 'add a container'));
    const exists = tx.q.first(
      qb.selectFrom('shipment_containers').select('id').where('shipment_id', '=', shipment.id).where('container_no', '=', input.container_no),
    );
    if (exists) throw new DomainError('DUPLICATE', { entity: say('Контейнер', 'Container'), key: input.container_no }, 'container_no');
    tx.insert('shipment_containers', { shipment_id: shipment.id, container_no: input.container_no, seal_no: input.seal_no ?? null });
    return shipmentView(tx, shipment);
  },

  'shipments.addLine'(tx, input) {
    const shipment = draft(tx, input.number, say('добавить строку', 'add a line'));
    const lot = assertShippable(tx, input.lot, 'lot');
    if (input.gross_g < input.qty_g) {
      throw new DomainError('VALIDATION', { details: say('масса брутто меньше массы нетто', 'gross weight is less than net weight') }, 'gross_g');
    }
    // What draft shipments (this one included) already hold of the lot is reserved.
    const inStock = lotStock(tx, lot.id).reduce((sum, p) => sum + p.qty_g, 0);
    const drafts = tx.q.sql<{ number: string; qty: number }>(
      `SELECT s.number, SUM(sl.qty_g) AS qty FROM shipment_lines sl JOIN shipments s ON s.id = sl.shipment_id
       WHERE sl.lot_id = ? AND s.status = 'draft' GROUP BY s.id ORDER BY s.number`,
      lot.id,
    );
    const reserved = drafts.reduce((sum, d) => sum + d.qty, 0);
    const available = inStock - reserved;
    if (input.qty_g > available) {
      throw reserved > 0
        ? new DomainError(
            'STOCK_RESERVED',
            {
              lot: lot.code,
              in_stock: inStock,
              reserved,
              shipments: drafts.map((d) => d.number).join(', '),
              available: Math.max(0, available),
              requested: input.qty_g,
            },
            'qty_g',
          )
        : new DomainError('INSUFFICIENT_STOCK', { lot: lot.code, location: '—', available: inStock, requested: input.qty_g }, 'qty_g');
    }
    let containerId: string | null = null;
    if (input.container_no) {
      const container = tx.q.first(
        qb.selectFrom('shipment_containers').select('id').where('shipment_id', '=', shipment.id).where('container_no', '=', input.container_no),
      );
      if (!container) throw new DomainError('NOT_FOUND', { entity: say('Контейнер', 'Container'), key: input.container_no }, 'container_no');
      containerId = container.id;
    }
    tx.insert('shipment_lines', {
      shipment_id: shipment.id,
      lot_id: lot.id,
      container_id: containerId,
      qty_g: input.qty_g,
      gross_g: input.gross_g,
      packages: input.packages,
    });
    return shipmentView(tx, shipment);
  },

  'shipments.ship'(tx, input) {
    const shipment = draft(tx, input.number, say('отгрузить', 'ship'));
    const lines = tx.q.all(qb.selectFrom('shipment_lines').selectAll().where('shipment_id', '=', shipment.id).orderBy('created_at'));
    if (lines.length === 0) throw new DomainError('SHIPMENT_EMPTY', {}, 'number');
    for (const line of lines) {
      const lot = tx.q.first(qb.selectFrom('lots').selectAll().where('id', '=', line.lot_id))!;
      assertShippable(tx, lot.code, 'lines');
      assertVerified(tx, lot, 'lines');
      takeFromLot(tx, lot, line.qty_g, { kind: 'shipment', ref_type: 'shipment', ref_id: shipment.id }, undefined, 'lines');
    }
    return shipmentView(tx, tx.update('shipments', shipment, { status: 'shipped', shipped_at: tx.now }));
  },

  'shipments.cancel'(tx, input) {
    const shipment = draft(tx, input.number, say('отменить', 'cancel'));
    return shipmentView(tx, tx.update('shipments', shipment, { status: 'cancelled', note: withReason(shipment.note, input.reason) }));
  },

  'shipments.get': (tx, input) => shipmentView(tx, byNumber(tx, 'shipments', input.number)),

  'shipments.list'(tx, input) {
    let query = qb.selectFrom('shipments').selectAll();
    if (input.status) query = query.where('status', '=', input.status);
    const total = tx.q.first(query.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')))!.n;
    const rows = tx.q.all(query.orderBy('planned_date', 'desc').orderBy('number', 'desc').limit(input.limit).offset(input.offset));
    return { rows: rows.map((s) => summary(tx, s)), total };
  },
};
