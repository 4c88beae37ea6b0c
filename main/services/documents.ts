// The document registry: numbered, immutable records of issued documents and their PDFs.
// Rendering is asynchronous and happens in the document service (main/documents/service.ts);
// everything here is synchronous and runs inside one registry transaction.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { DocumentRow, DocumentType } from '../contract/entities.js';
import type { Operations } from '../contract/operations.js';
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import { qb } from '../db/query.js';
import type { Tx } from '../db/tx.js';
import { peekNumber, siteCodeOf, takeNumber } from './common.js';
import type { Handlers } from './handler.js';

const ENTITY = say('Документ', 'Document');

/** Number prefixes by document type: CRT-BFP-2026-000001. */
const PREFIX: Record<DocumentType, string> = {
  certificate: 'CRT',
  invoice: 'INV',
  packing_list: 'PKL',
  vet_data: 'VET',
  origin_application: 'COO',
  recall: 'RCL',
};

/** The number the next document of this type will get, without taking it (for rendering first). */
export function peekDocumentNumber(tx: Tx, type: DocumentType): string {
  return peekNumber(tx, `doc:${type}`, PREFIX[type]);
}

/**
 * What a document was rendered with besides its type, subject and language (an invoice's
 * prices and currency, incoterms, packing, a signatory): stored with each version so that a
 * reissue renders the same unless told otherwise.
 */
export type DocumentOptions = Omit<z.output<Operations['documents.reissue']['input']>, 'id' | 'lang'>;

export interface IssuedPdf {
  type: DocumentType;
  subject_kind: DocumentRow['subject_kind'];
  subject: string;
  lang: DocumentRow['lang'];
  options: DocumentOptions;
  pdf: Uint8Array;
}

/**
 * The options a version was issued with. They were validated as the input of the issue or
 * reissue that stored them; versions issued before workspace v4 have none ('{}').
 */
export function storedOptions(doc: DocumentRow): DocumentOptions {
  return JSON.parse(doc.options) as DocumentOptions;
}

function fileRow(tx: Tx, row: DocumentRow, pdf: Uint8Array): DocumentRow {
  tx.q.sqlRun('INSERT INTO document_files (document_id, pdf) VALUES (?, ?)', row.id, pdf);
  return row;
}

function sha256(pdf: Uint8Array): string {
  return createHash('sha256').update(pdf).digest('hex');
}

/**
 * Stores a PDF rendered with `number` as a new document and takes that number. Returns null,
 * writing nothing, if another issue took the number since the PDF was rendered: the caller
 * renders again with the new next number, so no number is ever skipped or used twice.
 */
export function storeIssued(tx: Tx, number: string, doc: IssuedPdf): DocumentRow | null {
  // Under the write lock of the immediate transaction: nobody can take the number in between.
  if (peekDocumentNumber(tx, doc.type) !== number) return null;
  takeNumber(tx, `doc:${doc.type}`, PREFIX[doc.type]);
  return fileRow(tx, tx.insert('documents', newVersion(tx, number, 1, doc)), doc.pdf);
}

/**
 * Stores the version after `rendered`, the latest version when the PDF was rendered (it prints
 * its version). Refuses a void number; returns null, writing nothing, if another reissue stored
 * a version since: the caller renders again as the version after that one.
 */
export function storeReissued(tx: Tx, rendered: DocumentRow, doc: IssuedPdf): DocumentRow | null {
  const latest = assertReissuable(tx, rendered);
  if (latest.id !== rendered.id) return null;
  return fileRow(tx, tx.insert('documents', newVersion(tx, latest.number, latest.version + 1, doc)), doc.pdf);
}

function newVersion(tx: Tx, number: string, version: number, doc: IssuedPdf): Omit<DocumentRow, 'id' | 'site_id' | 'created_at' | 'updated_at'> {
  return {
    type: doc.type,
    number,
    version,
    subject_kind: doc.subject_kind,
    subject: doc.subject,
    lang: doc.lang,
    options: JSON.stringify(doc.options),
    status: 'issued',
    void_reason: null,
    voided_by: null,
    voided_at: null,
    sha256: sha256(doc.pdf),
    bytes: doc.pdf.byteLength,
    issued_by: tx.actor.userId,
  };
}

export function documentById(tx: Tx, id: string): DocumentRow {
  const row = tx.q.first(qb.selectFrom('documents').selectAll().where('id', '=', id));
  if (!row) throw new DomainError('NOT_FOUND', { entity: ENTITY, key: id }, 'id');
  return row;
}

function versionsOf(tx: Tx, doc: DocumentRow): DocumentRow[] {
  return tx.q.sql<DocumentRow>('SELECT * FROM documents WHERE site_id = ? AND type = ? AND number = ? ORDER BY version', doc.site_id, doc.type, doc.number);
}

function assertOwn(tx: Tx, doc: DocumentRow): void {
  if (doc.site_id !== tx.actor.siteId) throw new DomainError('OTHER_SITE', { entity: ENTITY, key: doc.number, site: siteCodeOf(tx, doc.site_id) }, 'id');
}

/**
 * A reissue continues the latest version of a number; a voided latest version ends the number
 * (a replacement is a new document with a new number). Returns the latest version.
 */
export function assertReissuable(tx: Tx, doc: DocumentRow): DocumentRow {
  assertOwn(tx, doc);
  const latest = versionsOf(tx, doc).at(-1)!;
  if (latest.status === 'void') {
    throw new DomainError('INVALID_STATE', { entity: ENTITY, key: `${latest.number} v${latest.version}`, state: say('аннулирован', 'void'), action: say('переоформить', 'reissue') }, 'id');
  }
  return latest;
}

export const documentHandlers: Handlers<'documents.list' | 'documents.get' | 'documents.pdf' | 'documents.void'> = {
  'documents.list'(tx, input) {
    const where: string[] = [];
    const args: unknown[] = [];
    for (const key of ['type', 'subject', 'status', 'number'] as const) {
      if (input[key] === undefined) continue;
      where.push(`${key} = ?`);
      args.push(input[key]);
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const total = tx.q.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM documents${clause}`, ...args)[0]!.n;
    const rows = tx.q.sql<DocumentRow>(`SELECT * FROM documents${clause} ORDER BY created_at DESC, number DESC, version DESC LIMIT ? OFFSET ?`, ...args, input.limit, input.offset);
    return { rows, total };
  },

  'documents.get'(tx, input) {
    const doc = documentById(tx, input.id);
    return { ...doc, versions: versionsOf(tx, doc) };
  },

  'documents.pdf'(tx, input) {
    const doc = documentById(tx, input.id);
    const file = tx.q.sql<{ pdf: Uint8Array }>('SELECT pdf FROM document_files WHERE document_id = ?', doc.id)[0];
    // The PDF lives on the PC that issued it until files are replicated.
    if (!file) throw new DomainError('NOT_FOUND', { entity: 'PDF', key: `${doc.number} v${doc.version}` }, 'id');
    // A reprint must be the document that was issued, byte for byte.
    if (sha256(file.pdf) !== doc.sha256) throw new Error(`the stored PDF of ${doc.number} v${doc.version} does not match its SHA-256`);
    return { id: doc.id, number: doc.number, version: doc.version, sha256: doc.sha256, bytes: doc.bytes, pdf_base64: Buffer.from(file.pdf).toString('base64') };
  },

  'documents.void'(tx, input) {
    const doc = documentById(tx, input.id);
    assertOwn(tx, doc);
    if (doc.status === 'void') {
      throw new DomainError('INVALID_STATE', { entity: ENTITY, key: `${doc.number} v${doc.version}`, state: say('аннулирован', 'void'), action: say('аннулировать', 'void') }, 'id');
    }
    return tx.update('documents', doc, { status: 'void', void_reason: input.reason, voided_by: tx.actor.userId, voided_at: tx.now });
  },
};
