// The document service: `documents.issue` and `documents.reissue`, served by every host of this
// PC like the device operations. Each call is admitted by the registry (input, session,
// permission); the PDF is then rendered asynchronously outside any transaction, and stored in
// one immediate registry transaction that numbers it, keeps its bytes and SHA-256 and leaves
// the audit entry. Never throws: refusals and failures come back as Results.
import { z } from 'zod';
import type { DocumentRow, DocumentType } from '../contract/entities.js';
import type { JobProgress } from '../contract/jobs.js';
import { makeError, say, type OperationError, type Result } from '../contract/errors.js';
import { isDocumentOperation, isOperationName, operations, type DocumentOperationName, type OperationOutput, type Operations } from '../contract/operations.js';
import { ROLE_NAMES } from '../contract/roles.js';
import { DomainError } from '../core/domain-error.js';
import type { QueryRunner } from '../db/query.js';
import { Tx, type Actor } from '../db/tx.js';
import { exportEnterpriseData } from '../exports/export-1c.js';
import type { Credentials } from '../registry.js';
import { documentById, assertReissuable, peekDocumentNumber, storedOptions, storeIssued, storeReissued, type DocumentOptions, type IssuedPdf } from '../services/documents.js';
import type { Export1cView } from '../services/exports.js';
import type { Workspace } from '../workspace.js';
import { certificateData, certificateDocument, type Signatory } from './certificate.js';
import {
  exportSetData,
  invoiceDocument,
  originApplicationDocument,
  packingListDocument,
  vetDataSheetDocument,
  type ExportSetData,
  type ExportSetOptions,
} from './export-set.js';
import type { DocLang } from './i18n.js';
import { renderPdf, type DocDefinition } from './pdf.js';
import { labelsRequest, renderLabels, type LabelsRenderOutput } from './label-jobs.js';
import { recallData, recallDocument } from './recall.js';

type Input<N extends DocumentOperationName> = z.output<Operations[N]['input']>;

/** What to render: the document, its subject and language, and the options its type reads. */
interface Request {
  type: DocumentType;
  subject_kind: 'lot' | 'shipment';
  subject: string;
  lang: DocLang;
  options: DocumentOptions;
}

/**
 * How many times an issue renders again because others took the number it was rendered with.
 * Each retry means another issue of the same type completed meanwhile, so this bounds only a
 * pathological storm of concurrent issues.
 */
const MAX_ATTEMPTS = 5;

const EXPORT_DOCUMENTS = {
  invoice: invoiceDocument,
  packing_list: packingListDocument,
  vet_data: vetDataSheetDocument,
  origin_application: originApplicationDocument,
} as const satisfies Partial<Record<DocumentType, (data: ExportSetData, opts: ExportSetOptions) => DocDefinition>>;

const TITLES: Record<DocumentType, string> = {
  certificate: 'Quality certificate',
  invoice: 'Commercial invoice',
  packing_list: 'Packing list',
  vet_data: 'Veterinary certificate data',
  origin_application: 'Certificate of origin application',
  recall: 'Lot recall report',
};

export interface DocumentServiceOptions {
  onInternalError?: (operation: string, error: unknown) => void;
  /** Progress of long calls that name a `job`; hosts publish it to their windows as `job.progress`. */
  onProgress?: (progress: JobProgress) => void;
}

export class DocumentService {
  constructor(
    readonly workspace: Workspace,
    private readonly options: DocumentServiceOptions = {},
  ) {}

  /** Runs a document operation for a host's caller, proven by a session token only. */
  invokeDocument(name: string, input: unknown, credentials: Credentials = null): Promise<Result<unknown>> {
    if (!isOperationName(name) || !isDocumentOperation(name)) return Promise.resolve(unknown(name));
    return this.run(name, this.workspace.registry.admit(name, input, credentials));
  }

  /** For trusted in-process callers that authenticated the user themselves (the CLI). */
  invokeDocumentAs<N extends DocumentOperationName>(name: N, input: unknown, actor: Actor): Promise<Result<OperationOutput<N>>> {
    return this.run(name, this.workspace.registry.admitAs(name, input, actor)) as Promise<Result<OperationOutput<N>>>;
  }

  private async run(name: DocumentOperationName, admitted: Result<{ actor: Actor; input: unknown }>): Promise<Result<unknown>> {
    if (!admitted.ok) return admitted;
    const { actor, input } = admitted.value;
    try {
      const value =
        name === 'exports.1c'
          ? await this.export1c(actor, input as Input<'exports.1c'>)
          : name === 'labels.render'
          ? await this.labels(actor, input as Input<'labels.render'>)
          : name === 'documents.issue'
          ? await this.issue(actor, input as Input<'documents.issue'>)
          : await this.reissue(actor, input as Input<'documents.reissue'>);
      if (!value.ok) return value;
      if (this.workspace.validatesOutputs) {
        const checked = operations[name].output.safeParse(value.value);
        if (!checked.success) throw new Error(`output of ${name}: ${z.prettifyError(checked.error)}`);
      }
      return value;
    } catch (error) {
      return { ok: false, error: this.toError(name, error) };
    }
  }

  /**
   * Renders with the number that is next now, then stores only if it is still next; if another
   * issue took it meanwhile, renders again with the new next number. A render that fails (a
   * refused lot, a missing price) has taken no number.
   */
  private async issue(actor: Actor, input: Input<'documents.issue'>): Promise<Result<DocumentRow>> {
    const { type, lang, lot, shipment, ...options } = input;
    const request: Request = { type, lang, options, ...(lot !== undefined ? { subject_kind: 'lot', subject: lot } : { subject_kind: 'shipment', subject: shipment! }) };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = this.workspace.registry.now();
      const number = this.read(actor, now, (tx) => peekDocumentNumber(tx, type));
      const pdf = await this.render(actor, request, number, now, 1);
      const stored = this.workspace.registry.transact('documents.issue', actor, now, (tx) => storeIssued(tx, number, issued(request, pdf)));
      if (!stored.ok) return stored;
      if (stored.value) return { ok: true, value: stored.value };
    }
    throw new Error(`document number of ${type} kept being taken by other issues (${MAX_ATTEMPTS} attempts)`);
  }

  /**
   * The same number, the next version, rendered from the current data; the earlier versions stay.
   * The latest version's options are the defaults; each option given replaces its stored value
   * (a new `prices` replaces the whole price list).
   */
  private async reissue(actor: Actor, input: Input<'documents.reissue'>): Promise<Result<DocumentRow>> {
    const { id, lang, ...given } = input;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = this.workspace.registry.now();
      // Refused before rendering when it cannot be stored anyway (unknown, other site's or void).
      const latest = this.read(actor, now, (tx) => assertReissuable(tx, documentById(tx, id)));
      const options = { ...storedOptions(latest), ...definedOnly(given) };
      const request: Request = { type: latest.type, subject_kind: latest.subject_kind, subject: latest.subject, lang: lang ?? latest.lang, options };
      const pdf = await this.render(actor, request, latest.number, now, latest.version + 1);
      // Checked again under the write lock: a void meanwhile refuses it; another reissue meanwhile
      // stores nothing and this renders again as the version after that one (the PDF prints it).
      const stored = this.workspace.registry.transact('documents.reissue', actor, now, (tx) => storeReissued(tx, latest, issued(request, pdf)));
      if (!stored.ok) return stored;
      if (stored.value) return { ok: true, value: stored.value };
    }
    throw new Error(`the next version of document ${id} kept being taken by other reissues (${MAX_ATTEMPTS} attempts)`);
  }

  /** A 1C export: built in chunks that report to the caller's job, then recorded in one transaction. */
  private export1c(actor: Actor, input: Input<'exports.1c'>): Promise<Result<Export1cView>> {
    const { job } = input;
    const report = job === undefined ? undefined : (done: number, total: number) => this.options.onProgress?.({ job, operation: 'exports.1c', done, total });
    return exportEnterpriseData(this.workspace, actor, input, report);
  }

  /** Labels: read in one snapshot, rendered with progress to the caller's job; nothing is stored. */
  private async labels(actor: Actor, input: Input<'labels.render'>): Promise<Result<LabelsRenderOutput>> {
    const { job } = input;
    const now = this.workspace.registry.now();
    const request = this.read(actor, now, (tx) => labelsRequest(tx, input, now));
    const report = job === undefined ? undefined : (done: number, total: number) => this.options.onProgress?.({ job, operation: 'labels.render', done, total });
    return { ok: true, value: await renderLabels(request, report) };
  }

  /** One consistent snapshot of the workspace for reading what a document states. */
  private read<T>(actor: Actor, now: number, read: (tx: Tx) => T): T {
    const q = this.workspace.q;
    return q.db.transaction(() => read(new Tx(q, actor, now, 'documents.read'))).deferred();
  }

  private async render(actor: Actor, request: Request, number: string, issuedAt: number, version: number): Promise<Uint8Array> {
    const { type, subject, lang, options } = request;
    const subjectOf = { [request.subject_kind]: subject } as { lot: string } | { shipment: string };
    const meta = { title: `${TITLES[type]} ${number}`, subject, createdAt: issuedAt };
    const definition = this.read(actor, issuedAt, (tx): DocDefinition => {
      const q: QueryRunner = tx.q;
      if (type === 'certificate') {
        const signatory = options.signatory ?? signatoryOf(tx, lang);
        return certificateDocument(certificateData(q, subjectOf, issuedAt), { lang, number, version, issuedAt, signatory });
      }
      if (type === 'recall') {
        if (lang === 'zh') throw new DomainError('VALIDATION', { details: say('отчёт об отзыве: ru или en', 'recall report: ru or en') }, 'lang');
        return recallDocument(recallData(q, { lot: subject }, issuedAt), { lang, number, version, issuedAt });
      }
      const { signatory: _, ...exportOptions } = options;
      return EXPORT_DOCUMENTS[type](exportSetData(q, { shipment: subject }, issuedAt), { ...exportOptions, issuedAt, number, version });
    });
    return renderPdf(definition, meta);
  }

  private toError(operation: string, error: unknown): OperationError {
    if (error instanceof DomainError) return error.error;
    this.options.onInternalError?.(operation, error);
    return makeError('INTERNAL', { details: error instanceof Error ? error.message : String(error) });
  }
}

function issued(request: Request, pdf: Uint8Array): IssuedPdf {
  return { type: request.type, subject_kind: request.subject_kind, subject: request.subject, lang: request.lang, options: request.options, pdf };
}

/** The options a reissue names: an absent one keeps the stored value rather than clearing it. */
function definedOnly(given: DocumentOptions): DocumentOptions {
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
}

/** By default the issuing user signs, with their (first) role as position. */
function signatoryOf(tx: Tx, lang: DocLang): Signatory {
  const name = tx.q.sql<{ display_name: string }>('SELECT display_name FROM users WHERE id = ?', tx.actor.userId)[0]?.display_name ?? tx.actor.username;
  const role = tx.actor.roles[0];
  return { name, position: role ? ROLE_NAMES[role][lang === 'ru' ? 'ru' : 'en'] : '' };
}

function unknown(name: string): Result<unknown> {
  return { ok: false, error: makeError('UNKNOWN_OPERATION', { operation: String(name).slice(0, 80) }) };
}
