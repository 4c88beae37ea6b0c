import { describe, expect, test } from 'vitest';
import type { TraceNode } from '../main/contract/operations.js';
import { expectRefusal, plant } from './helpers.js';
import { HOUR, planBatch, releasedRaw } from './scenarios.js';

interface Shape {
  kind: TraceNode['kind'];
  key: string;
  qty: number | null;
  children?: Shape[];
}

function shape(node: TraceNode | null): Shape | null {
  if (!node) return null;
  const out: Shape = { kind: node.kind, key: node.key, qty: node.qty_g };
  if (node.children.length) out.children = node.children.map((c) => shape(c)!);
  return out;
}

/**
 * Two raw omul lots from two suppliers. Lot A goes into two batches (hot- and cold-smoked), lot B
 * into the first. The hot-smoked output ships partly (shipped), partly on a draft, and a
 * cancelled shipment that must not show.
 */
function traced() {
  const p = plant();
  const rawA = releasedRaw(p, { net_g: 500_000 }, 'ARTEL-BAIKAL');
  const rawB = releasedRaw(p, { net_g: 300_000 }, 'RK-CHIVYRKUY');
  const receipts = p.call('receipts.list', {}).rows;
  const receiptOf = (supplierName: string) => receipts.find((r) => r.supplier_name === supplierName)!.number;

  const hot = planBatch(p, 'OMUL-HS');
  p.call('batches.consume', { number: hot, lot: rawA, qty_g: 120_000 });
  p.call('batches.consume', { number: hot, lot: rawA, qty_g: 80_000 }); // the same lot twice adds up
  p.call('batches.consume', { number: hot, lot: rawB, qty_g: 100_000 });
  const smoked = p.call('batches.output', { number: hot, qty_g: 220_000, location: 'BF-CR2' }).lot.code;
  p.call('batches.finish', { number: hot }); // the smoker runs one batch at a time
  p.verify(p.release(smoked, 'FIN-SMOKED'));

  p.now += HOUR;
  const cold = planBatch(p, 'OMUL-CS');
  p.call('batches.consume', { number: cold, lot: rawA, qty_g: 150_000 });
  const coldLot = p.call('batches.output', { number: cold, qty_g: 100_000, location: 'BF-CR2' }).lot.code;

  const ship = (consignee: string, qty_g: number) => {
    const number = p.call('shipments.create', { customer: 'HENGTAI', consignee, planned_date: p.now }).number;
    p.call('shipments.addLine', { number, lot: smoked, qty_g, gross_g: qty_g, packages: 1 });
    return number;
  };
  const shipped = ship('DL-COLDCHAIN', 150_000);
  p.call('shipments.ship', { number: shipped });
  p.now += HOUR;
  const pending = ship('HENGTAI', 50_000);
  const cancelled = ship('HENGTAI', 10_000);
  p.call('shipments.cancel', { number: cancelled, reason: 'x' });

  return {
    p,
    rawA,
    rawB,
    receiptA: receiptOf('Рыболовецкая артель «Байкал»'),
    receiptB: receiptOf('ООО «Рыбколхоз Чивыркуй»'),
    hot,
    cold,
    smoked,
    coldLot,
    shipped,
    pending,
  };
}

describe('trace.lot', () => {
  test('backward from a finished lot reaches each receipt and supplier with the quantities consumed', () => {
    const t = traced();
    const result = t.p.call('trace.lot', { code: t.smoked, direction: 'backward' });
    expect(result.forward).toBeNull();
    expect(result.lot).toMatchObject({ code: t.smoked, product_code: 'OMUL-HS', qty_g: 70_000 }); // 150 kg shipped, the draft has not moved stock
    expect(shape(result.backward)).toEqual({
      kind: 'lot',
      key: t.smoked,
      qty: 220_000,
      children: [
        {
          kind: 'batch',
          key: t.hot,
          qty: 220_000,
          children: [
            {
              kind: 'lot',
              key: t.rawA,
              qty: 200_000,
              children: [
                { kind: 'receipt', key: t.receiptA, qty: 500_000, children: [{ kind: 'supplier', key: 'ARTEL-BAIKAL', qty: 500_000 }] },
              ],
            },
            {
              kind: 'lot',
              key: t.rawB,
              qty: 100_000,
              children: [
                { kind: 'receipt', key: t.receiptB, qty: 300_000, children: [{ kind: 'supplier', key: 'RK-CHIVYRKUY', qty: 300_000 }] },
              ],
            },
          ],
        },
      ],
    });
    const supplier = result.backward!.children[0]!.children[0]!.children[0]!.children[0]!;
    expect(supplier.label).toBe('Рыболовецкая артель «Байкал»');
  });

  test('forward from a raw lot reaches both batches, their output lots, the shipments and consignees', () => {
    const t = traced();
    const result = t.p.call('trace.lot', { code: t.rawA, direction: 'forward' });
    expect(result.backward).toBeNull();
    expect(shape(result.forward)).toEqual({
      kind: 'lot',
      key: t.rawA,
      qty: 500_000,
      children: [
        {
          kind: 'batch',
          key: t.hot,
          qty: 200_000,
          children: [
            {
              kind: 'lot',
              key: t.smoked,
              qty: 220_000,
              children: [
                { kind: 'shipment', key: t.shipped, qty: 150_000, children: [{ kind: 'consignee', key: 'DL-COLDCHAIN', qty: 150_000 }] },
                { kind: 'shipment', key: t.pending, qty: 50_000, children: [{ kind: 'consignee', key: 'HENGTAI', qty: 50_000 }] },
              ],
            },
          ],
        },
        { kind: 'batch', key: t.cold, qty: 150_000, children: [{ kind: 'lot', key: t.coldLot, qty: 100_000 }] },
      ],
    });
    const shipments = result.forward!.children[0]!.children[0]!.children;
    expect(shipments.map((s) => s.label)).toEqual([`${t.shipped} (shipped)`, `${t.pending} (draft)`]);
    expect(shipments[0]!.children[0]!.label).toBe('Dalian Cold Chain Logistics Co., Ltd.');
  });

  test('a raw lot used in two batches shows both; the other supplier’s lot shows only its own', () => {
    const t = traced();
    const a = t.p.call('trace.lot', { code: t.rawA, direction: 'forward' }).forward!;
    expect(a.children.map((c) => [c.key, c.qty_g])).toEqual([
      [t.hot, 200_000],
      [t.cold, 150_000],
    ]);
    const b = t.p.call('trace.lot', { code: t.rawB, direction: 'forward' }).forward!;
    expect(b.children.map((c) => [c.key, c.qty_g])).toEqual([[t.hot, 100_000]]);
  });

  test('both directions by default; a raw lot has no production history and an unshipped output no shipments', () => {
    const t = traced();
    const raw = t.p.call('trace.lot', { code: t.rawB });
    expect(shape(raw.backward)!.children!.map((c) => c.kind)).toEqual(['receipt']);
    expect(raw.forward).not.toBeNull();
    const coldLot = t.p.call('trace.lot', { code: t.coldLot });
    expect(coldLot.forward!.children).toEqual([]);
    expect(coldLot.backward!.children.map((c) => c.key)).toEqual([t.cold]);
  });

  test('an unknown lot is refused', () => {
    const p = plant();
    expectRefusal(p, 'trace.lot', { code: 'NOLOT' }, { code: 'NOT_FOUND', field: 'code' });
  });
});
