// Longer flows several test files need: a received and released raw lot, a batch that turns it
// into a finished lot, and a released finished lot ready to ship (its final inspection verified
// by a second person, as shipping requires).
import { DAY, type TestPlant } from './helpers.js';

export const HOUR = 3_600_000;

export const VET_DOC = '0b3c2f4e-1d2a-4c8b-9e7f-123456789abc';

export interface ReceiveLine {
  product?: string;
  location?: string;
  net_g?: number;
  producedDaysAgo?: number;
  catch_area?: string;
  /** Received an hour after production (a lot that has sat in stock since), not now. */
  backdated?: boolean;
}

/** Receives one lot of raw material and returns its lot code. */
export function receive(p: TestPlant, line: ReceiveLine = {}, supplier = 'ARTEL-BAIKAL'): string {
  const net = line.net_g ?? 500_000;
  const producedAt = p.now - (line.producedDaysAgo ?? 1) * DAY;
  const receipt = p.call('receipts.create', {
    supplier,
    ...(line.backdated ? { received_at: producedAt + HOUR } : {}),
    lines: [
      {
        product: line.product ?? 'OMUL-RAW',
        location: line.location ?? 'BF-QUAR',
        vet_doc_uuid: VET_DOC,
        catch_area: line.catch_area ?? 'FAO 04, оз. Байкал',
        produced_at: producedAt,
        gross_g: net + 10_000,
        tare_g: 10_000,
      },
    ],
  });
  return receipt.lines[0]!.lot_code;
}

/** Receives and releases a raw lot (incoming inspection passed). */
export function releasedRaw(p: TestPlant, line: ReceiveLine = {}, supplier?: string): string {
  const lot = receive(p, line, supplier);
  p.release(lot);
  return lot;
}

let slot = 0;
/** Plans a batch in a slot of its own on the equipment (tests that care about slots plan their own). */
export function planBatch(p: TestPlant, product = 'OMUL-HS', equipment = 'BF-SMOKER-1', planned_g = 300_000): string {
  slot += 1;
  const start = p.now + slot * 10 * HOUR;
  return p.call('batches.plan', { product, planned_g, equipment, planned_start: start, planned_end: start + 6 * HOUR }).number;
}

export interface ProducedLot {
  raw: string;
  batch: string;
  lot: string;
}

/**
 * Raw omul in, hot-smoked omul out (400 kg → 300 kg in BF-CR2), and the output released by its
 * final inspection, verified by a second person unless `verified: false`.
 */
export function releasedFinished(
  p: TestPlant,
  options: { raw?: string; consume_g?: number; output_g?: number; verified?: boolean } = {},
): ProducedLot & { inspection: string } {
  const raw = options.raw ?? releasedRaw(p);
  const batch = planBatch(p);
  p.call('batches.consume', { number: batch, lot: raw, qty_g: options.consume_g ?? 400_000 });
  const output = p.call('batches.output', { number: batch, qty_g: options.output_g ?? 300_000, location: 'BF-CR2', packages: 60 });
  p.call('batches.finish', { number: batch }); // frees the smoker: it runs one batch at a time
  const inspection = p.release(output.lot.code, 'FIN-SMOKED');
  if (options.verified !== false) p.verify(inspection);
  return { raw, batch, lot: output.lot.code, inspection };
}

/** Quantity of a lot per location, straight from the stock projection. */
export function stockOf(p: TestPlant, lotCode: string): Record<string, number> {
  const rows = p.ws.q.sql<{ location: string; qty_g: number }>(
    `SELECT loc.code AS location, s.qty_g FROM stock s JOIN lots l ON l.id = s.lot_id JOIN locations loc ON loc.id = s.location_id
     WHERE l.code = ? ORDER BY loc.code`,
    lotCode,
  );
  return Object.fromEntries(rows.map((r) => [r.location, r.qty_g]));
}

export function lotRow(p: TestPlant, code: string) {
  const row = p.ws.q.sql<{
    id: string;
    status: string;
    expires_at: number;
    initial_g: number;
    status_reason: string | null;
    status_source: 'inspection' | 'manual' | null;
  }>(
    'SELECT * FROM lots WHERE code = ?',
    code,
  )[0];
  if (!row) throw new Error(`no lot ${code}`);
  return row;
}
