// Barcode scans: what a scanned label says (GS1 fields with their check digits), which of our
// lots or products it names, and what a receipt line can take from a supplier's label.
import { parseScan } from '../../native/protocols/gs1.js';
import { qb } from '../db/query.js';
import type { ProductRow } from '../db/schema.js';
import type { Tx } from '../db/tx.js';
import type { Handlers } from './handler.js';
import { lotViewByCode } from './inventory.js';

/** Stored GTINs may be 13 or 14 digits; a scan always gives 14. */
function productByGtin(tx: Tx, gtin14: string): ProductRow | null {
  const short = gtin14.startsWith('0') ? gtin14.slice(1) : gtin14;
  return tx.q.first(qb.selectFrom('products').selectAll().where('gtin', 'in', [gtin14, short])) ?? null;
}

/** A GS1 date (YYYY-MM-DD, a calendar day) as the epoch ms of its UTC midnight. */
function dayStart(date: string | undefined): number | null {
  return date === undefined ? null : Date.parse(`${date}T00:00:00Z`);
}

const NO_PREFILL = { product: null, supplier_lot: null, net_g: null, produced_at: null, expires_at: null, catch_area: null };

export const scanHandlers: Handlers<'scans.resolve'> = {
  'scans.resolve'(tx, input) {
    const parsed = parseScan(input.raw, { referenceYear: new Date(tx.now).getUTCFullYear() });
    const scan = { device: input.device, at: tx.now, ...parsed };
    // A scan with any error is rejected as a whole: nothing is looked up or pre-filled from it.
    if (parsed.errors.length > 0) return { scan, lot: null, product: null, prefill: NO_PREFILL };

    const field = (ai: string) => parsed.fields.find((f) => f.ai === ai);
    const gtin = field('01')?.value;
    const lotCode = field('10')?.value;
    const product = gtin !== undefined ? productByGtin(tx, gtin) : null;
    const ours = lotCode !== undefined ? tx.q.first(qb.selectFrom('lots').select('product_id').where('code', '=', lotCode)) : undefined;
    // A lot code is only ours when the label's GTIN, if any, is that lot's product.
    const lot = ours && (gtin === undefined || ours.product_id === product?.id) ? lotViewByCode(tx, lotCode!) : null;
    const netKg = parsed.fields.find((f) => /^310\d$/.test(f.ai))?.decimal;
    return {
      scan,
      lot,
      product,
      prefill: {
        product: product?.code ?? null,
        supplier_lot: lotCode ?? null,
        net_g: netKg !== undefined ? Math.round(netKg * 1000) : null,
        produced_at: dayStart(field('11')?.date),
        expires_at: dayStart(field('17')?.date),
        catch_area: field('7005')?.value ?? null,
      },
    };
  },
};
