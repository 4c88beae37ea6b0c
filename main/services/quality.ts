// Quality: templates per product and stage, inspections whose verdict follows from the limits,
// release or block of the lot, and verification by a second person.
//
// Who decides a lot's status: only the deciding stage (incoming for received lots, final for
// produced ones) releases it. A failure at any stage blocks it (safety first). A block set by
// hand (lots.block, e.g. a recall hold) is never lifted by an inspection: only lots.release does.
import { say } from '../contract/errors.js';
import { DomainError } from '../core/domain-error.js';
import { qb } from '../db/query.js';
import type {
  InspectionResultRow,
  InspectionRow,
  InspectionTemplateRow,
  LotRow,
  TemplateParameterRow,
} from '../db/schema.js';
import type { Tx } from '../db/tx.js';
import { stage as STAGES, type Stage } from '../contract/entities.js';
import { byCode, byNumber, findByCode, lotByCode, nextNumber, nullify, ownByNumber, ownLotByCode } from './common.js';
import type { Handlers } from './handler.js';

type ResultValue = number | boolean | string;

/** The verdict of one result against its parameter's limits (inclusive). */
export function judge(parameter: TemplateParameterRow, value: ResultValue): 'pass' | 'fail' | 'info' {
  switch (parameter.kind) {
    case 'numeric': {
      const v = value as number;
      if (parameter.min_value !== null && v < parameter.min_value) return 'fail';
      if (parameter.max_value !== null && v > parameter.max_value) return 'fail';
      return 'pass';
    }
    case 'pass_fail':
      return value === true ? 'pass' : 'fail';
    case 'text':
      return 'info';
  }
}

function expectedType(kind: TemplateParameterRow['kind']): 'number' | 'boolean' | 'string' {
  return kind === 'numeric' ? 'number' : kind === 'pass_fail' ? 'boolean' : 'string';
}

export function parametersOf(tx: Tx, templateId: string): TemplateParameterRow[] {
  return tx.q.all(
    qb.selectFrom('template_parameters').selectAll().where('template_id', '=', templateId).where('active', '=', 1).orderBy('ord'),
  );
}

function templateView(tx: Tx, template: InspectionTemplateRow) {
  const product = template.product_id
    ? tx.q.first(qb.selectFrom('products').select('code').where('id', '=', template.product_id))
    : undefined;
  return { ...template, product_code: product?.code ?? null, parameters: parametersOf(tx, template.id) };
}

/** The stage whose verdict decides a lot's status: incoming for received lots, final for produced ones. */
export function decidingStage(lot: Pick<LotRow, 'origin'>): Stage {
  return lot.origin === 'receipt' ? 'incoming' : 'final';
}

/** The lot's most recently completed inspection of a stage, if any. */
export function latestCompleted(tx: Tx, lotId: string, stage: Stage): InspectionRow | undefined {
  return tx.q.first(
    qb
      .selectFrom('inspections')
      .selectAll()
      .where('lot_id', '=', lotId)
      .where('stage', '=', stage)
      .where('status', '=', 'completed')
      .orderBy('completed_at', 'desc')
      .orderBy('created_at', 'desc')
      .orderBy('number', 'desc'),
  );
}

export function inspectionView(tx: Tx, inspection: InspectionRow) {
  const lot = tx.q.first(qb.selectFrom('lots').select(['code', 'product_id']).where('id', '=', inspection.lot_id))!;
  const product = tx.q.first(qb.selectFrom('products').select('code').where('id', '=', lot.product_id))!;
  const template = tx.q.first(qb.selectFrom('inspection_templates').select('code').where('id', '=', inspection.template_id))!;
  const name = (id: string | null) =>
    id ? (tx.q.first(qb.selectFrom('users').select('display_name').where('id', '=', id))?.display_name ?? id) : null;
  const parameters = parametersOf(tx, inspection.template_id);
  // Unit and limits are the result's own: those it was judged against, whatever the template says now.
  const results = tx.q.sql<ResultViewRow>(
    `SELECT r.*, p.code AS parameter_code, p.name_ru AS parameter_name_ru, p.name_en AS parameter_name_en,
            p.active AS parameter_active
     FROM inspection_results r JOIN template_parameters p ON p.id = r.parameter_id
     WHERE r.inspection_id = ? ORDER BY p.ord, p.code`,
    inspection.id,
  );
  let missing: string[] = [];
  let provisional: 'pass' | 'fail' | 'incomplete';
  if (inspection.status === 'completed' && inspection.verdict !== null) {
    // A completed inspection keeps the verdict it was signed with, whatever the template became.
    provisional = inspection.verdict;
  } else {
    // Results on parameters since dropped from the template stay in the record but do not count.
    const counted = results.filter((r) => r.parameter_active === 1);
    const recorded = new Set(counted.map((r) => r.parameter_id));
    missing = parameters.filter((p) => p.required === 1 && !recorded.has(p.id)).map((p) => p.code);
    provisional = counted.some((r) => r.verdict === 'fail') ? 'fail' : missing.length > 0 ? 'incomplete' : 'pass';
  }
  return {
    ...inspection,
    lot_code: lot.code,
    product_code: product.code,
    template_code: template.code,
    inspector: name(inspection.inspector_id) ?? '',
    verifier: name(inspection.verifier_id),
    provisional_verdict: provisional,
    missing,
    results,
    parameters,
  };
}

type ResultViewRow = InspectionResultRow & {
  parameter_code: string;
  parameter_name_ru: string;
  parameter_name_en: string;
  parameter_active: 0 | 1;
};

/**
 * What a completed inspection does to its lot. A fail blocks it at any stage (a lot already
 * blocked stays as it is, so a manual hold stays manual). A pass releases it only when the
 * inspection is of the deciding stage, the lot is not blocked by hand, and no other stage's
 * latest inspection failed; otherwise the status is unchanged.
 */
function applyVerdict(tx: Tx, lot: LotRow, inspection: InspectionRow): void {
  const reason = `${inspection.number}: ${inspection.verdict}`;
  if (inspection.verdict === 'fail') {
    if (lot.status !== 'blocked') tx.update('lots', lot, { status: 'blocked', status_reason: reason, status_source: 'inspection' });
    return;
  }
  const deciding = decidingStage(lot);
  if (inspection.stage !== deciding || lot.status === 'released') return;
  if (lot.status === 'blocked' && lot.status_source === 'manual') return;
  const otherFailed = STAGES.options
    .filter((s) => s !== deciding)
    .some((s) => latestCompleted(tx, lot.id, s)?.verdict === 'fail');
  if (otherFailed) return;
  tx.update('lots', lot, { status: 'released', status_reason: reason, status_source: 'inspection' });
}

function lotRefusal(lot: LotRow, state: string, action: string): DomainError {
  return new DomainError('INVALID_STATE', { entity: say('Партия', 'Lot'), key: lot.code, state, action }, 'code');
}

/** The product's own active template for the stage, else a generic one for any product. */
function findTemplate(tx: Tx, lot: LotRow, stage: Stage): InspectionTemplateRow {
  const candidates = tx.q.all(
    qb
      .selectFrom('inspection_templates')
      .selectAll()
      .where('stage', '=', stage)
      .where('active', '=', 1)
      .where((eb) => eb.or([eb('product_id', '=', lot.product_id), eb('product_id', 'is', null)]))
      .orderBy('code'),
  );
  const own = candidates.filter((t) => t.product_id === lot.product_id);
  const fitting = own.length > 0 ? own : candidates;
  if (fitting.length > 1) {
    throw new DomainError('VALIDATION', { details: `several templates fit (${fitting.map((t) => t.code).join(', ')}): choose one` }, 'template');
  }
  const template = fitting[0];
  if (!template) {
    throw new DomainError('NOT_FOUND', { entity: say('Шаблон контроля', 'Inspection template'), key: `${stage} (${lot.code})` }, 'template');
  }
  return template;
}

/** A template named by the user must be active, for this lot's product (or generic) and stage. */
function chosenTemplate(tx: Tx, lot: LotRow, code: string, stage: Stage | undefined): InspectionTemplateRow {
  const template = byCode(tx, 'inspection_templates', code, 'template');
  const fits =
    template.active === 1 &&
    (template.product_id === null || template.product_id === lot.product_id) &&
    (stage === undefined || template.stage === stage);
  if (!fits) {
    const why = template.active !== 1 ? 'inactive' : template.product_id !== null && template.product_id !== lot.product_id ? 'for another product' : `for stage ${template.stage}`;
    throw new DomainError('VALIDATION', { details: say(`шаблон ${template.code} не подходит для партии ${lot.code}`, `template ${template.code} is ${why}`) }, 'template');
  }
  return template;
}

export interface ResultToStore {
  parameter: TemplateParameterRow;
  /** Of the parameter's kind (checked by the caller): number, boolean or text. */
  value: ResultValue;
  source: 'manual' | 'device';
}

/**
 * Stores results of an open inspection, one per parameter (replacing an earlier one), each with
 * its verdict and the limits and unit it was judged against. `recordedBy` is the user, or the
 * device for results an instrument sent.
 */
export function storeResults(tx: Tx, inspection: InspectionRow, results: readonly ResultToStore[], recordedBy: string): void {
  const existing = tx.q.all(qb.selectFrom('inspection_results').selectAll().where('inspection_id', '=', inspection.id));
  for (const { parameter, value, source } of results) {
    const row = {
      value_num: typeof value === 'number' ? value : null,
      value_bool: typeof value === 'boolean' ? ((value ? 1 : 0) as 0 | 1) : null,
      value_text: typeof value === 'string' ? value : null,
      verdict: judge(parameter, value),
      // The limits the verdict was judged against stay with the result.
      min_value: parameter.min_value,
      max_value: parameter.max_value,
      unit: parameter.unit,
      source,
      recorded_by: recordedBy,
      recorded_at: tx.now,
    };
    const previous = existing.find((r) => r.parameter_id === parameter.id);
    if (previous) tx.update('inspection_results', previous, row);
    else tx.insert('inspection_results', { inspection_id: inspection.id, parameter_id: parameter.id, ...row });
  }
}

function openInspection(tx: Tx, number: string, action: string): InspectionRow {
  const inspection = ownByNumber(tx, 'inspections', number);
  if (inspection.status !== 'open') {
    throw new DomainError('INVALID_STATE', { entity: say('Проверка', 'Inspection'), key: number, state: inspection.status, action });
  }
  return inspection;
}

export const qualityHandlers: Handlers<
  | 'templates.list'
  | 'templates.upsert'
  | 'inspections.open'
  | 'inspections.record'
  | 'inspections.complete'
  | 'inspections.verify'
  | 'inspections.get'
  | 'inspections.list'
  | 'lots.release'
> = {
  'templates.list'(tx, input) {
    let query = qb.selectFrom('inspection_templates').selectAll().where('active', '=', 1).orderBy('code');
    if (input.product) {
      const product = byCode(tx, 'products', input.product, 'product');
      query = query.where((eb) => eb.or([eb('product_id', '=', product.id), eb('product_id', 'is', null)]));
    }
    if (input.stage) query = query.where('stage', '=', input.stage);
    return { rows: tx.q.all(query).map((t) => templateView(tx, t)) };
  },

  'templates.upsert'(tx, input) {
    const productId = input.product ? byCode(tx, 'products', input.product, 'product').id : null;
    const codes = new Set<string>();
    input.parameters.forEach((p, i) => {
      if (codes.has(p.code)) throw new DomainError('DUPLICATE', { entity: say('Показатель', 'Parameter'), key: p.code }, `parameters.${i}.code`);
      codes.add(p.code);
      if (p.kind === 'numeric' && p.min_value != null && p.max_value != null && p.min_value > p.max_value) {
        throw new DomainError('VALIDATION', { details: `min ${p.min_value} > max ${p.max_value}` }, `parameters.${i}.max_value`);
      }
    });
    const values = {
      product_id: productId,
      stage: input.stage,
      name_ru: input.name_ru,
      name_en: input.name_en,
      active: input.active ?? 1,
    };
    const existing = findByCode(tx, 'inspection_templates', input.code);
    const template = existing
      ? tx.update('inspection_templates', existing, values)
      : tx.insert('inspection_templates', { code: input.code, ...values });
    const current = tx.q.all(qb.selectFrom('template_parameters').selectAll().where('template_id', '=', template.id));
    input.parameters.forEach((p, ord) => {
      const row = { ...nullify(p), code: p.code, name_ru: p.name_ru, name_en: p.name_en, kind: p.kind, required: p.required ?? 1, ord, active: 1 as const };
      const found = current.find((c) => c.code === p.code);
      if (found) tx.update('template_parameters', found, row);
      else tx.insert('template_parameters', { template_id: template.id, ...row });
    });
    // Parameters dropped from the template stay for the history of past inspections.
    for (const old of current) if (!codes.has(old.code) && old.active === 1) tx.update('template_parameters', old, { active: 0 });
    return templateView(tx, template);
  },

  'inspections.open'(tx, input) {
    const lot = ownLotByCode(tx, input.lot);
    const template = input.template
      ? chosenTemplate(tx, lot, input.template, input.stage)
      : findTemplate(tx, lot, input.stage ?? decidingStage(lot));
    const open = tx.q.first(qb.selectFrom('inspections').select('number').where('lot_id', '=', lot.id).where('status', '=', 'open'));
    if (open) {
      throw new DomainError('INVALID_STATE', { entity: say('Партия', 'Lot'), key: lot.code, state: say(`открыта проверка ${open.number}`, `open inspection ${open.number}`), action: say('открыть ещё одну проверку', 'open another inspection') }, 'lot');
    }
    const inspection = tx.insert('inspections', {
      number: nextNumber(tx, 'inspections'),
      lot_id: lot.id,
      template_id: template.id,
      stage: template.stage,
      status: 'open',
      verdict: null,
      inspector_id: tx.actor.userId ?? '',
      verifier_id: null,
      completed_at: null,
      verified_at: null,
      note: null,
    });
    return inspectionView(tx, inspection);
  },

  'inspections.record'(tx, input) {
    const inspection = openInspection(tx, input.number, say('записать результаты', 'record results'));
    const parameters = parametersOf(tx, inspection.template_id);
    const seen = new Set<string>();
    const results = input.results.map((result, i) => {
      const parameter = parameters.find((p) => p.code === result.parameter);
      if (!parameter) {
        throw new DomainError('NOT_FOUND', { entity: say('Показатель', 'Parameter'), key: result.parameter }, `results.${i}.parameter`);
      }
      // One value per parameter and call: a second one would be ambiguous (and hit the unique key).
      if (seen.has(parameter.code)) {
        throw new DomainError('DUPLICATE', { entity: say('Показатель', 'Parameter'), key: parameter.code }, `results.${i}.parameter`);
      }
      seen.add(parameter.code);
      if (typeof result.value !== expectedType(parameter.kind)) {
        throw new DomainError('RESULT_TYPE', { parameter: parameter.code, kind: parameter.kind }, `results.${i}.value`);
      }
      return { parameter, value: result.value, source: result.source ?? 'manual' };
    });
    storeResults(tx, inspection, results, tx.actor.userId ?? '');
    return inspectionView(tx, inspection);
  },

  'inspections.complete'(tx, input) {
    const inspection = openInspection(tx, input.number, say('завершить', 'complete'));
    const view = inspectionView(tx, inspection);
    if (view.missing.length > 0) throw new DomainError('INSPECTION_INCOMPLETE', { parameters: view.missing.join(', ') }, 'results');
    const verdict = view.provisional_verdict === 'fail' ? 'fail' : 'pass';
    // The inspector is whoever signs the verdict, not necessarily who opened the inspection.
    const done = tx.update('inspections', inspection, {
      inspector_id: tx.actor.userId ?? inspection.inspector_id,
      status: 'completed',
      verdict,
      completed_at: tx.now,
      note: input.note ?? inspection.note,
    });
    applyVerdict(tx, lotByCode(tx, view.lot_code), done);
    return inspectionView(tx, done);
  },

  'inspections.verify'(tx, input) {
    const inspection = ownByNumber(tx, 'inspections', input.number);
    if (inspection.status !== 'completed' || inspection.verifier_id !== null) {
      const state = inspection.verifier_id ? 'verified' : inspection.status;
      throw new DomainError('INVALID_STATE', { entity: say('Проверка', 'Inspection'), key: inspection.number, state, action: say('подтвердить', 'verify') });
    }
    const recordedResults = tx.q.first(
      qb.selectFrom('inspection_results').select('id').where('inspection_id', '=', inspection.id).where('recorded_by', '=', tx.actor.userId ?? ''),
    );
    if (inspection.inspector_id === tx.actor.userId || recordedResults) {
      throw new DomainError('VERIFIER_IS_INSPECTOR', { user: tx.actor.username });
    }
    return inspectionView(tx, tx.update('inspections', inspection, { verifier_id: tx.actor.userId, verified_at: tx.now }));
  },

  'inspections.get': (tx, input) => inspectionView(tx, byNumber(tx, 'inspections', input.number)),

  'lots.release'(tx, input) {
    const lot = ownLotByCode(tx, input.code, 'code');
    if (lot.status === 'released') throw lotRefusal(lot, say('допущена', 'released'), say('допустить', 'release'));
    const deciding = decidingStage(lot);
    const stageName = deciding === 'incoming' ? 'входная' : 'итоговая';
    const latest = latestCompleted(tx, lot.id, deciding);
    if (!latest) {
      throw lotRefusal(lot, say(`${lot.status}: нет завершённой проверки (${stageName})`, `${lot.status}: no completed ${deciding} inspection`), say('допустить', 'release'));
    }
    if (latest.verdict !== 'pass') {
      throw lotRefusal(
        lot,
        say(`${lot.status}: последняя проверка (${stageName}) ${latest.number} не пройдена`, `${lot.status}: the latest ${deciding} inspection ${latest.number} failed`),
        say('допустить', 'release'),
      );
    }
    return tx.update('lots', lot, { status: 'released', status_reason: input.reason, status_source: 'manual' });
  },

  'inspections.list'(tx, input) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (input.status) {
      where.push('i.status = ?');
      params.push(input.status);
    }
    if (input.lot) {
      where.push('i.lot_id = ?');
      params.push(lotByCode(tx, input.lot).id);
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const total = tx.q.sql<{ n: number }>(`SELECT COUNT(*) AS n FROM inspections i${clause}`, ...params)[0]!.n;
    const rows = tx.q.sql<InspectionRow & { lot_code: string; product_code: string; template_code: string }>(
      `SELECT i.*, l.code AS lot_code, p.code AS product_code, t.code AS template_code
       FROM inspections i JOIN lots l ON l.id = i.lot_id JOIN products p ON p.id = l.product_id
       JOIN inspection_templates t ON t.id = i.template_id${clause}
       ORDER BY i.created_at DESC, i.number DESC LIMIT ? OFFSET ?`,
      ...params,
      input.limit,
      input.offset,
    );
    return { rows, total };
  },
};
