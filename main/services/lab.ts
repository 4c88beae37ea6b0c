// Lab instruments: results an instrument sends land in the open inspection they belong to, through
// the same recording path (and verdicts) as results typed in by a person. A result that cannot be
// placed (no such parameter, a value or unit it does not take) is returned with the reason and
// stored nowhere; the others still land.
import type { LabOptions, LabResultEvent } from '../contract/devices.js';
import type { OperationInput } from '../contract/operations.js';
import { qb } from '../db/query.js';
import type { InspectionRow, TemplateParameterRow } from '../db/schema.js';
import type { Tx } from '../db/tx.js';
import { deviceOfKind } from './devices.js';
import type { Handlers } from './handler.js';
import { parametersOf, storeResults, type ResultToStore } from './quality.js';

type Refusal = { ru: string; en: string };
type LabResult = OperationInput<'lab.record'>['results'][number];

/** The open inspection the sample id names (an inspection number, or a lot code), or why there is none. */
function targetInspection(tx: Tx, sampleIdIs: LabOptions['sampleId'], sampleId: string): InspectionRow | Refusal {
  let inspection: InspectionRow | undefined;
  if (sampleIdIs === 'inspection') {
    inspection = tx.q.first(qb.selectFrom('inspections').selectAll().where('number', '=', sampleId));
    if (!inspection) return { ru: `Проверка «${sampleId}» не найдена`, en: `Inspection "${sampleId}" not found` };
    if (inspection.status !== 'open') return { ru: `Проверка ${sampleId} уже завершена`, en: `Inspection ${sampleId} is already completed` };
  } else {
    const lot = tx.q.first(qb.selectFrom('lots').select('id').where('code', '=', sampleId));
    if (!lot) return { ru: `Партия «${sampleId}» не найдена`, en: `Lot "${sampleId}" not found` };
    inspection = tx.q.first(
      qb.selectFrom('inspections').selectAll().where('lot_id', '=', lot.id).where('status', '=', 'open').orderBy('created_at', 'desc').orderBy('number', 'desc'),
    );
    if (!inspection) return { ru: `У партии ${sampleId} нет открытой проверки`, en: `Lot ${sampleId} has no open inspection` };
  }
  // As for a person: only this site's inspections are recorded into here.
  if (inspection.site_id !== tx.actor.siteId) {
    return { ru: `Проверка ${inspection.number} принадлежит другой площадке`, en: `Inspection ${inspection.number} belongs to another site` };
  }
  return inspection;
}

/** The value a parameter takes from an instrument, or why it cannot take this one. */
function valueFor(parameter: TemplateParameterRow, result: LabResult): ResultToStore['value'] | Refusal {
  switch (parameter.kind) {
    case 'numeric':
      return result.numeric ?? {
        ru: `Показатель ${parameter.code} ожидает число, прибор прислал «${result.value}»`,
        en: `Parameter ${parameter.code} expects a number; the instrument sent "${result.value}"`,
      };
    case 'text':
      return result.value;
    case 'pass_fail':
      // An instrument's wording for "not detected" is not a verdict this code should guess.
      return { ru: `Показатель ${parameter.code} (годен / не годен) оценивает сотрудник`, en: `Parameter ${parameter.code} (pass/fail) is judged by a person` };
  }
}

/** Why a parameter cannot take a result in the instrument's unit, when both name one and they differ. */
function unitMismatch(parameter: TemplateParameterRow, unit: string): Refusal | null {
  // '%' and '% ', 'mg/kg' and 'MG / KG' are the same unit; anything more is not guessed at
  const plain = (u: string) => u.toLowerCase().replace(/\s+/g, '');
  const expected = parameter.unit ?? '';
  if (plain(expected) === '' || plain(unit) === '' || plain(expected) === plain(unit)) return null;
  return {
    ru: `Показатель ${parameter.code} измеряется в «${expected}», прибор прислал значение в «${unit}»`,
    en: `Parameter ${parameter.code} is measured in "${expected}"; the instrument sent "${unit}"`,
  };
}

const isRefusal = (v: unknown): v is Refusal => typeof v === 'object' && v !== null && 'ru' in v;

export const labHandlers: Handlers<'lab.record'> = {
  'lab.record'(tx, input) {
    const { device, options } = deviceOfKind<LabOptions>(tx, input.device, 'lab');
    const target = targetInspection(tx, input.sampleIs ?? options.sampleId, input.sampleId);
    const parameters = isRefusal(target) ? [] : parametersOf(tx, target.template_id);
    const accepted: ResultToStore[] = [];
    const results: LabResultEvent[] = input.results.map((result) => {
      const event = { device: device.code, at: tx.now, sampleId: input.sampleId, ...result };
      const refuse = (refused: Refusal) => ({ ...event, inspection: null, refused });
      if (isRefusal(target)) return refuse(target);
      // The instrument's own code, mapped where the device settings say so, names the template parameter.
      const testCode = options.testCodes[result.testCode] ?? result.testCode;
      const parameter = parameters.find((p) => p.test_code === testCode);
      if (!parameter) {
        return refuse({
          ru: `Код теста «${testCode}» не соответствует ни одному показателю проверки ${target.number}`,
          en: `Test code "${testCode}" matches no parameter of inspection ${target.number}`,
        });
      }
      if (accepted.some((a) => a.parameter.id === parameter.id)) {
        return refuse({ ru: `Показатель ${parameter.code} уже есть в этом сообщении`, en: `Parameter ${parameter.code} came twice in this message` });
      }
      const mismatch = unitMismatch(parameter, result.unit);
      if (mismatch) return refuse(mismatch);
      const value = valueFor(parameter, result);
      if (isRefusal(value)) return refuse(value);
      accepted.push({ parameter, value, source: 'device' });
      return { ...event, inspection: target.number, refused: null };
    });
    if (accepted.length > 0 && !isRefusal(target)) storeResults(tx, target, accepted, device.id);
    return { results };
  },
};
