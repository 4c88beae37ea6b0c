// The document registry: certificates (and the rest) issued through the document service are
// numbered gaplessly per site and type, stored with their SHA-256, reissued as new versions of
// the same number and voided with a reason — on a real workspace, read back with pdftotext.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from './cli-in-process.js';
import type { DocumentRow } from '../main/contract/entities.js';
import type { OperationError, Result } from '../main/contract/errors.js';
import type { DocumentOperationName } from '../main/contract/operations.js';
import { DocumentService } from '../main/documents/service.js';
import { DAY, expectRefusal, plant, tempDir, type TestPlant } from './helpers.js';
import { toolsMissing } from './pdf-tools.js';
import { releasedFinished } from './scenarios.js';

const NUMBER = /^CRT-BFP-\d{4}-(\d{6})$/;

function service(p: TestPlant, name: DocumentOperationName, input: unknown, token = p.adminToken): Promise<Result<unknown>> {
  return new DocumentService(p.ws).invokeDocument(name, input, { token });
}

async function issue(p: TestPlant, input: unknown, token = p.adminToken): Promise<DocumentRow> {
  const result = await service(p, 'documents.issue', input, token);
  if (!result.ok) throw new Error(`documents.issue failed: ${result.error.code} ${result.error.message.en}`);
  return result.value as DocumentRow;
}

async function refused(p: TestPlant, name: DocumentOperationName, input: unknown, token = p.adminToken): Promise<OperationError> {
  const before = p.snapshot();
  const result = await service(p, name, input, token);
  expect(result.ok, `${name} should have been refused`).toBe(false);
  expect(p.snapshot(), 'a refused document operation changes nothing').toEqual(before);
  return (result as { ok: false; error: OperationError }).error;
}

function releasedLot(p: TestPlant): string {
  const lot = p.receiveOmul(500, 1).lines[0]!.lot_code;
  p.verify(p.release(lot));
  return lot;
}

/** The stored PDF as a reprint gets it. */
function storedPdf(p: TestPlant, id: string): Buffer {
  return Buffer.from(p.call('documents.pdf', { id }).pdf_base64, 'base64');
}

function pdfText(pdf: Uint8Array): string {
  const file = join(tempDir(), 'document.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

/** A draft shipment of 150.5 kg of a released smoked-omul lot (OMUL-HS) in USD, DAP. */
function draftShipment(p: TestPlant): string {
  const lot = releasedFinished(p).lot;
  const number = p.call('shipments.create', { customer: 'HENGTAI', consignee: 'HENGTAI', planned_date: p.now + DAY, destination_country: 'CN', incoterms: 'DAP', currency: 'USD' }).number;
  p.call('shipments.addLine', { number, lot, qty_g: 150_500, gross_g: 156_000, packages: 30 });
  return number;
}

async function reissue(p: TestPlant, input: unknown, token = p.adminToken): Promise<DocumentRow> {
  const result = await service(p, 'documents.reissue', input, token);
  if (!result.ok) throw new Error(`documents.reissue failed: ${result.error.code} ${result.error.message.en}`);
  return result.value as DocumentRow;
}

/** The text line with `marker` (pdftotext -layout keeps a table row on one line: an invoice line's price and amount). */
const lineOf = (text: string, marker: string) => text.split('\n').find((l) => l.includes(marker)) ?? `(no line with ${marker})`;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const serial = (doc: DocumentRow) => Number(NUMBER.exec(doc.number)![1]);

describe.skipIf(toolsMissing('Document registry', ['pdftotext']) !== null)('document registry', () => {
  test('an issued certificate is numbered, stored with the SHA-256 of its bytes, shows its number and is audited', async () => {
    const p = plant();
    const lot = releasedLot(p);
    const doc = await issue(p, { type: 'certificate', lot, lang: 'en' });
    expect(doc).toMatchObject({ type: 'certificate', version: 1, subject_kind: 'lot', subject: lot, lang: 'en', status: 'issued', void_reason: null });
    expect(doc.number).toMatch(NUMBER);
    expect(serial(doc)).toBe(1);

    const pdf = storedPdf(p, doc.id);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(sha256(pdf)).toBe(doc.sha256);
    expect(pdf.byteLength).toBe(doc.bytes);
    const text = pdfText(pdf);
    expect(text).toContain(doc.number);
    expect(text).toContain(lot);

    const audit = p.call('audit.list', { operation: 'documents.issue' });
    expect(audit.rows).toHaveLength(1);
    expect(p.call('documents.list', { subject: lot }).rows.map((r) => r.id)).toEqual([doc.id]);
  });

  test('numbers are gapless across issues, concurrent ones included, and a refused render takes no number', async () => {
    const p = plant();
    const lot = releasedLot(p);
    const first = await issue(p, { type: 'certificate', lot, lang: 'ru' });
    // Three renders start from the same "next" number; each store finds out and the late ones render again.
    const concurrent = await Promise.all(['en', 'zh', 'ru'].map((lang) => issue(p, { type: 'certificate', lot, lang })));
    expect([first, ...concurrent].map(serial).sort()).toEqual([1, 2, 3, 4]);
    for (const doc of concurrent) expect(pdfText(storedPdf(p, doc.id))).toContain(doc.number); // rendered with the number it got

    const unreleased = p.receiveOmul(100, 1).lines[0]!.lot_code;
    const error = await refused(p, 'documents.issue', { type: 'certificate', lot: unreleased, lang: 'en' });
    expect(error.code).toBe('INVALID_STATE');
    expect(error.message.en).toContain(unreleased);
    expect(serial(await issue(p, { type: 'certificate', lot, lang: 'en' }))).toBe(5);
    // Other types count on their own.
    expect((await issue(p, { type: 'recall', lot, lang: 'en' })).number).toMatch(/^RCL-BFP-\d{4}-000001$/);
  });

  test('a reissue keeps the number with the next version; both versions stay stored', async () => {
    const p = plant();
    const lot = releasedLot(p);
    const v1 = await issue(p, { type: 'certificate', lot, lang: 'en' });
    p.now += 60_000;
    const result = await service(p, 'documents.reissue', { id: v1.id, lang: 'zh' });
    expect(result.ok).toBe(true);
    const v2 = (result as { value: DocumentRow }).value;
    expect(v2).toMatchObject({ number: v1.number, version: 2, lang: 'zh', status: 'issued' });
    expect(v2.sha256).not.toBe(v1.sha256);
    expect(sha256(storedPdf(p, v1.id))).toBe(v1.sha256);
    expect(sha256(storedPdf(p, v2.id))).toBe(v2.sha256);
    expect(p.call('documents.get', { id: v1.id }).versions.map((d) => d.version)).toEqual([1, 2]);
    const text = pdfText(storedPdf(p, v2.id));
    expect(text).toContain('质量证书');
    expect(text).toContain('第2版（替代第1版）'); // says which version it is
    expect(pdfText(storedPdf(p, v1.id))).not.toContain('第1版'); // a first version says nothing
    // The number is not consumed again.
    expect(serial(await issue(p, { type: 'certificate', lot, lang: 'en' }))).toBe(2);
  });

  test('a reissued invoice keeps the prices and terms it was issued with; options given with the reissue replace them', async () => {
    const p = plant();
    const shipment = draftShipment(p);
    const v1 = await issue(p, { type: 'invoice', shipment, lang: 'en', prices: { 'OMUL-HS': 18.5 }, incoterms: 'FCA Zabaikalsk' });
    expect(JSON.parse(v1.options)).toEqual({ prices: { 'OMUL-HS': 18.5 }, incoterms: 'FCA Zabaikalsk' });
    const first = pdfText(storedPdf(p, v1.id));
    expect(lineOf(first, '18.50')).toMatch(/18\.50\s+2784\.25/); // 150.5 kg × 18.50
    expect(first).not.toContain('Version');

    // As the registry screen's reissue form asks (the language only): rendered again from the
    // current data with the stored prices and incoterms.
    const v2 = await reissue(p, { id: v1.id, lang: 'en' });
    expect(v2).toMatchObject({ number: v1.number, version: 2, options: v1.options });
    const second = pdfText(storedPdf(p, v2.id));
    expect(lineOf(second, '18.50')).toMatch(/18\.50\s+2784\.25/);
    expect(second).toContain('FCA Zabaikalsk');
    expect(second).toContain('第2版（替代第1版） / Version 2 (replaces version 1)');

    // A new price list replaces the stored one; the rest is kept and stored again with version 3.
    const v3 = await reissue(p, { id: v2.id, prices: { 'OMUL-HS': 20 }, currency: 'EUR' });
    expect(JSON.parse(v3.options)).toEqual({ prices: { 'OMUL-HS': 20 }, incoterms: 'FCA Zabaikalsk', currency: 'EUR' });
    const third = pdfText(storedPdf(p, v3.id));
    expect(lineOf(third, '20.00')).toMatch(/20\.00\s+3010\.00/);
    expect(third).toContain('3010.00 EUR');
    expect(third).toContain('FCA Zabaikalsk');
    expect(third).toContain('Version 3 (replaces version 2)');
    expect(p.call('audit.list', { operation: 'documents.reissue' }).rows).toHaveLength(2);
  });

  test('a certificate keeps its signatory; the recall report prints its version too', async () => {
    const p = plant();
    const lot = releasedLot(p);
    const signatory = { name: 'Иванова А. А.', position: 'Начальник ОТК' };
    const v1 = await issue(p, { type: 'certificate', lot, lang: 'ru', signatory });
    // Reissued by someone else: still signed by the signatory it was issued with.
    const v2 = await reissue(p, { id: v1.id }, p.userToken('qc', ['quality_inspector']));
    const text = pdfText(storedPdf(p, v2.id));
    expect(text).toContain('Начальник ОТК, Иванова А. А.');
    expect(text).toContain('Версия 2 (заменяет версию 1)');

    const recall = await issue(p, { type: 'recall', lot, lang: 'en' });
    expect(recall.options).toBe('{}');
    expect(pdfText(storedPdf(p, (await reissue(p, { id: recall.id })).id))).toContain('Version 2 (replaces version 1)');
  });

  test('a version issued before options were stored: a reissue asks for what the document needs, then keeps it', async () => {
    const p = plant();
    const shipment = draftShipment(p);
    const v1 = await issue(p, { type: 'invoice', shipment, lang: 'en', prices: { 'OMUL-HS': 18.5 } });
    // What migration 4 gave the documents issued before it.
    p.ws.q.sqlRun("UPDATE documents SET options = '{}' WHERE id = ?", v1.id);

    const error = await refused(p, 'documents.reissue', { id: v1.id });
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'prices' });
    expect(error.message.en).toContain('OMUL-HS');
    const v2 = await reissue(p, { id: v1.id, prices: { 'OMUL-HS': 19 } });
    expect(v2.version).toBe(2);
    const v3 = await reissue(p, { id: v2.id });
    expect(JSON.parse(v3.options)).toEqual({ prices: { 'OMUL-HS': 19 } });
    expect(lineOf(pdfText(storedPdf(p, v3.id)), '19.00')).toMatch(/19\.00\s+2859\.50/);
  });

  test('concurrent reissues of one number get consecutive versions, each PDF printing its own', async () => {
    const p = plant();
    const lot = releasedLot(p);
    const v1 = await issue(p, { type: 'certificate', lot, lang: 'en' });
    // Both render as version 2; the one stored second renders again as version 3.
    const reissued = await Promise.all([reissue(p, { id: v1.id }), reissue(p, { id: v1.id })]);
    expect(reissued.map((d) => d.version).sort()).toEqual([2, 3]);
    for (const doc of reissued) expect(pdfText(storedPdf(p, doc.id))).toContain(`Version ${doc.version} (replaces version ${doc.version - 1})`);
  });

  test('voiding needs a reason and the permission; a voided document is neither voided again nor reissued', async () => {
    const p = plant();
    const lot = releasedLot(p);
    const doc = await issue(p, { type: 'certificate', lot, lang: 'en' });
    const pdf = storedPdf(p, doc.id);
    expectRefusal(p, 'documents.void', { id: doc.id, reason: '  ' }, { code: 'VALIDATION', field: 'reason' });
    expectRefusal(p, 'documents.void', { id: doc.id }, { code: 'VALIDATION', field: 'reason' });
    expectRefusal(p, 'documents.void', { id: doc.id, reason: 'опечатка' }, { code: 'FORBIDDEN' }, p.userToken('exporter', ['export_officer']));

    const voided = p.call('documents.void', { id: doc.id, reason: 'опечатка в весе' }, p.userToken('qc', ['quality_inspector']));
    expect(voided).toMatchObject({ status: 'void', void_reason: 'опечатка в весе', sha256: doc.sha256, bytes: doc.bytes });
    expect(voided.voided_at).toBe(p.now);
    expect(storedPdf(p, doc.id).equals(pdf)).toBe(true); // the record stays, byte for byte
    expectRefusal(p, 'documents.void', { id: doc.id, reason: 'ещё раз' }, { code: 'INVALID_STATE', field: 'id' });
    expect((await refused(p, 'documents.reissue', { id: doc.id })).code).toBe('INVALID_STATE');
    expect(p.call('documents.list', { status: 'void' }).total).toBe(1);
  });

  test('issuing is for quality inspectors, export officers and administrators', async () => {
    const p = plant();
    const lot = releasedLot(p);
    for (const role of ['operator', 'inventory_clerk', 'production_manager', 'maintenance'] as const) {
      const error = await refused(p, 'documents.issue', { type: 'certificate', lot, lang: 'en' }, p.userToken(`u-${role}`.replace(/_/g, '-'), [role]));
      expect(error.code, role).toBe('FORBIDDEN');
    }
    expect((await issue(p, { type: 'certificate', lot, lang: 'en' }, p.userToken('qc', ['quality_inspector']))).version).toBe(1);
    expect((await issue(p, { type: 'recall', lot, lang: 'ru' }, p.userToken('exporter', ['export_officer']))).version).toBe(1);
    // The subject must fit the type.
    const error = await refused(p, 'documents.issue', { type: 'invoice', lot, lang: 'en' });
    expect(error).toMatchObject({ code: 'VALIDATION' });
  });
});

const plantdesk = runCli;

describe.skipIf(toolsMissing('Document registry', ['pdftotext']) !== null)('plantdesk docs', () => {
  test('docs certificate --json issues the certificate, writes the stored PDF and prints its number and SHA-256', async () => {
    const p = plant();
    p.now = Date.now(); // the CLI issues at the real time: the lot must be fresh then
    p.adminToken = p.login('admin', 'admin-pass-1');
    const lot = releasedLot(p);
    const file = join(tempDir(), 'certificate.pdf');
    const r = await plantdesk(['docs', 'certificate', '--lot', lot, '--lang', 'zh', '--out', file, '--json', '--workspace', p.ws.dir, '--password', 'admin-pass-1']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.out) as { path: string; number: string; version: number; sha256: string };
    expect(printed).toMatchObject({ path: file, version: 1 });
    expect(printed.number).toMatch(NUMBER);
    const bytes = readFileSync(file);
    expect(sha256(bytes)).toBe(printed.sha256);
    expect(p.call('documents.list', { number: printed.number }).rows[0]!.sha256).toBe(printed.sha256);
    expect(pdfText(bytes)).toContain(printed.number);

    const recall = join(tempDir(), 'recall.pdf');
    const r2 = await plantdesk(['docs', 'recall', '--lot', lot, '--lang', 'en', '--out', recall, '--json', '--workspace', p.ws.dir, '--password', 'admin-pass-1']);
    expect(r2.code).toBe(0);
    const recallDoc = JSON.parse(r2.out) as { number: string; sha256: string; type: string };
    expect(recallDoc.type).toBe('recall');
    expect(sha256(readFileSync(recall))).toBe(recallDoc.sha256);

    const again = await plantdesk(['docs', 'certificate', '--lot', lot, '--shipment', 'SHP-1', '--out', file, '--workspace', p.ws.dir, '--password', 'admin-pass-1']);
    expect(again.code).not.toBe(0);
    expect(again.err).toContain('--lot');
  });
});
