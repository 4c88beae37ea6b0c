import { describe, expect, test } from 'vitest';
import { expectRefusal, plant, type TestPlant } from './helpers.js';
import { lotRow, planBatch, receive, releasedRaw } from './scenarios.js';

/** A product-specific incoming template with a numeric range, one-sided limits, a pass/fail and an optional note. */
function limitsTemplate(p: TestPlant) {
  return p.call('templates.upsert', {
    code: 'IN-OMUL-LIMITS',
    product: 'OMUL-RAW',
    stage: 'incoming',
    name_ru: 'Входной контроль омуля',
    name_en: 'Incoming omul',
    parameters: [
      { code: 'TEMP', name_ru: 'Температура', name_en: 'Temperature', kind: 'numeric', unit: '°C', min_value: 0, max_value: 4 },
      { code: 'FAT', name_ru: 'Жир', name_en: 'Fat', kind: 'numeric', min_value: 2 },
      { code: 'HIST', name_ru: 'Гистамин', name_en: 'Histamine', kind: 'numeric', max_value: 100 },
      { code: 'ORG', name_ru: 'Органолептика', name_en: 'Organoleptic', kind: 'pass_fail' },
      { code: 'NOTE', name_ru: 'Примечание', name_en: 'Note', kind: 'text', required: 0 },
    ],
  });
}

function openLimits(p: TestPlant) {
  limitsTemplate(p);
  const lot = receive(p);
  const inspection = p.call('inspections.open', { lot });
  expect(inspection.template_code).toBe('IN-OMUL-LIMITS');
  return { lot, number: inspection.number };
}

const PASSING = [
  { parameter: 'TEMP', value: 2 },
  { parameter: 'FAT', value: 5 },
  { parameter: 'HIST', value: 10 },
  { parameter: 'ORG', value: true },
];

describe('verdicts follow the limits', () => {
  test.each([
    ['TEMP', 0, 'pass'], // min is inclusive
    ['TEMP', 4, 'pass'], // max is inclusive
    ['TEMP', 2.5, 'pass'],
    ['TEMP', -0.1, 'fail'], // below min
    ['TEMP', 4.01, 'fail'], // above max
    ['FAT', 2, 'pass'], // min only
    ['FAT', 1.99, 'fail'],
    ['FAT', 1_000_000, 'pass'],
    ['HIST', 100, 'pass'], // max only
    ['HIST', 100.5, 'fail'],
    ['HIST', -5, 'pass'],
    ['ORG', true, 'pass'],
    ['ORG', false, 'fail'],
    ['NOTE', 'slightly soft', 'info'],
  ] as const)('%s = %s → %s', (parameter, value, verdict) => {
    const p = plant();
    const { number } = openLimits(p);
    const view = p.call('inspections.record', { number, results: [{ parameter, value }] });
    const result = view.results.find((r) => r.parameter_code === parameter)!;
    expect(result.verdict).toBe(verdict);
    if (typeof value === 'number') expect(result.value_num).toBe(value);
    if (typeof value === 'boolean') expect(result.value_bool).toBe(value ? 1 : 0);
    if (typeof value === 'string') expect(result.value_text).toBe(value);
  });

  test('the provisional verdict is shown while recording: incomplete, then pass, then fail', () => {
    const p = plant();
    const { number } = openLimits(p);
    const opened = p.call('inspections.get', { number });
    expect(opened.provisional_verdict).toBe('incomplete');
    expect(opened.missing).toEqual(['TEMP', 'FAT', 'HIST', 'ORG']);

    const partial = p.call('inspections.record', { number, results: [{ parameter: 'TEMP', value: 3 }] });
    expect(partial.provisional_verdict).toBe('incomplete');
    expect(partial.missing).toEqual(['FAT', 'HIST', 'ORG']);

    const full = p.call('inspections.record', { number, results: PASSING.slice(1) });
    expect(full.provisional_verdict).toBe('pass');
    expect(full.missing).toEqual([]);
    expect(full.status).toBe('open');
    expect(full.verdict).toBeNull();

    // Re-recording a parameter replaces its result.
    const failing = p.call('inspections.record', { number, results: [{ parameter: 'TEMP', value: 7.5 }] });
    expect(failing.provisional_verdict).toBe('fail');
    expect(failing.results.filter((r) => r.parameter_code === 'TEMP').map((r) => [r.value_num, r.verdict])).toEqual([[7.5, 'fail']]);
  });

  test('a failed result makes the provisional verdict fail even while others are missing', () => {
    const p = plant();
    const { number } = openLimits(p);
    const view = p.call('inspections.record', { number, results: [{ parameter: 'ORG', value: false }] });
    expect(view.provisional_verdict).toBe('fail');
    expect(view.missing).toEqual(['TEMP', 'FAT', 'HIST']);
  });
});

describe('completing an inspection', () => {
  test('a pass releases the lot', () => {
    const p = plant();
    const { lot, number } = openLimits(p);
    p.call('inspections.record', { number, results: PASSING });
    p.now += 60_000;
    const done = p.call('inspections.complete', { number, note: 'ok' });
    expect(done).toMatchObject({ status: 'completed', verdict: 'pass', completed_at: p.now, note: 'ok' });
    expect(lotRow(p, lot)).toMatchObject({ status: 'released', status_reason: `${number}: pass`, status_source: 'inspection' });
  });

  test('a fail blocks the lot', () => {
    const p = plant();
    const { lot, number } = openLimits(p);
    p.call('inspections.record', { number, results: [...PASSING.slice(0, 2), { parameter: 'HIST', value: 150 }, PASSING[3]] });
    const done = p.call('inspections.complete', { number });
    expect(done.verdict).toBe('fail');
    expect(lotRow(p, lot)).toMatchObject({ status: 'blocked', status_reason: `${number}: fail`, status_source: 'inspection' });
    expect(p.call('lots.list', { status: 'blocked' }).rows.map((r) => r.code)).toEqual([lot]);
  });

  test('optional parameters may stay empty', () => {
    const p = plant();
    const { number } = openLimits(p);
    p.call('inspections.record', { number, results: PASSING });
    const done = p.call('inspections.complete', { number });
    expect(done.results.map((r) => r.parameter_code)).not.toContain('NOTE');
    expect(done.verdict).toBe('pass');
  });

  test('missing required parameters are refused and named', () => {
    const p = plant();
    const { lot, number } = openLimits(p);
    p.call('inspections.record', { number, results: [{ parameter: 'TEMP', value: 2 }, { parameter: 'ORG', value: true }] });
    const error = expectRefusal(p, 'inspections.complete', { number }, { code: 'INSPECTION_INCOMPLETE', field: 'results' });
    expect(error.message.en).toBe('Required parameters are missing: FAT, HIST');
    expect(error.message.ru).toContain('FAT, HIST');
    expect(lotRow(p, lot).status).toBe('quarantine');
  });

  test('a missing parameter is refused even when another already failed', () => {
    const p = plant();
    const { number } = openLimits(p);
    p.call('inspections.record', { number, results: [{ parameter: 'ORG', value: false }] });
    expectRefusal(p, 'inspections.complete', { number }, { code: 'INSPECTION_INCOMPLETE', field: 'results' });
  });

  test('a completed inspection cannot be recorded into or completed again', () => {
    const p = plant();
    const { number } = openLimits(p);
    p.call('inspections.record', { number, results: PASSING });
    p.call('inspections.complete', { number });
    const record = expectRefusal(p, 'inspections.record', { number, results: [{ parameter: 'TEMP', value: 9 }] }, { code: 'INVALID_STATE' });
    expect(record.message.en).toBe(`Inspection ${number} is "completed": cannot record results`);
    expect(record.message.ru).toBe(`Проверка ${number} в состоянии «completed»: действие «записать результаты» невозможно`);
    const complete = expectRefusal(p, 'inspections.complete', { number }, { code: 'INVALID_STATE' });
    expect(complete.message.en).toBe(`Inspection ${number} is "completed": cannot complete`);
  });
});

describe('recording results', () => {
  test.each([
    ['TEMP', 'warm', 'numeric'],
    ['TEMP', true, 'numeric'],
    ['ORG', 1, 'pass_fail'],
    ['ORG', 'yes', 'pass_fail'],
    ['NOTE', false, 'text'],
    ['NOTE', 3, 'text'],
  ] as const)('%s refuses the value %j (expects %s)', (parameter, value, kind) => {
    const p = plant();
    const { number } = openLimits(p);
    const error = expectRefusal(
      p,
      'inspections.record',
      { number, results: [{ parameter: 'FAT', value: 3 }, { parameter, value }] },
      { code: 'RESULT_TYPE', field: 'results.1.value' },
    );
    expect(error.message.en).toBe(`Parameter "${parameter}" expects a value of kind "${kind}"`);
  });

  test('the same parameter twice in one call is refused as ambiguous', () => {
    const p = plant();
    const { number } = openLimits(p);
    const error = expectRefusal(
      p,
      'inspections.record',
      { number, results: [{ parameter: 'HIST', value: 10 }, { parameter: 'TEMP', value: 1 }, { parameter: 'HIST', value: 150 }] },
      { code: 'DUPLICATE', field: 'results.2.parameter' },
    );
    expect(error.message.en).toContain('HIST');
  });

  test('an unknown parameter is refused on its result', () => {
    const p = plant();
    const { number } = openLimits(p);
    expectRefusal(p, 'inspections.record', { number, results: [{ parameter: 'COLOUR', value: 1 }] }, { code: 'NOT_FOUND', field: 'results.0.parameter' });
  });

  test('an unknown inspection number is refused', () => {
    const p = plant();
    expectRefusal(p, 'inspections.record', { number: 'QC-BFP-2026-999999', results: PASSING }, { code: 'NOT_FOUND', field: 'number' });
  });

  test('results remember who recorded them, when, and from which source', () => {
    const p = plant();
    const { number } = openLimits(p);
    const qc = p.userToken('qc', ['quality_inspector']);
    const view = p.call('inspections.record', { number, results: [{ parameter: 'TEMP', value: 1, source: 'device' }] }, qc);
    const qcId = p.call('auth.me', {}, qc).user.id;
    expect(view.results[0]).toMatchObject({ recorded_by: qcId, recorded_at: p.now, source: 'device' });
  });
});

describe('verification by a second person', () => {
  function completed(p: TestPlant) {
    const { number } = openLimits(p);
    p.call('inspections.record', { number, results: PASSING });
    p.call('inspections.complete', { number });
    return number;
  }

  test('the inspector cannot verify their own inspection', () => {
    const p = plant();
    const number = completed(p);
    const error = expectRefusal(p, 'inspections.verify', { number }, { code: 'VERIFIER_IS_INSPECTOR' });
    expect(error.message.en).toContain('admin');
  });

  test('another quality inspector verifies it', () => {
    const p = plant();
    const number = completed(p);
    const qc = p.userToken('qc', ['quality_inspector']);
    p.now += 3_600_000;
    const verified = p.call('inspections.verify', { number }, qc);
    expect(verified).toMatchObject({ verifier: 'qc', verified_at: p.now, inspector: 'Администратор' });
    expect(verified.verifier_id).toBe(p.call('auth.me', {}, qc).user.id);
  });

  test('whoever recorded results or completed the inspection cannot verify it either', () => {
    const p = plant();
    const { number } = openLimits(p); // opened by admin
    const recorder = p.userToken('recorder', ['quality_inspector']);
    const completer = p.userToken('completer', ['quality_inspector']);
    p.call('inspections.record', { number, results: PASSING.slice(0, 2) }, recorder);
    p.call('inspections.record', { number, results: PASSING.slice(2) });
    const done = p.call('inspections.complete', { number }, completer);
    expect(done.inspector).toBe('completer');
    expectRefusal(p, 'inspections.verify', { number }, { code: 'VERIFIER_IS_INSPECTOR' }, recorder);
    expectRefusal(p, 'inspections.verify', { number }, { code: 'VERIFIER_IS_INSPECTOR' }, completer);
    // The admin opened it and recorded results too: also refused.
    expectRefusal(p, 'inspections.verify', { number }, { code: 'VERIFIER_IS_INSPECTOR' });
    const fresh = p.userToken('fresh-eyes', ['quality_inspector']);
    expect(p.call('inspections.verify', { number }, fresh).verifier).toBe('fresh-eyes');
  });

  test('an open inspection cannot be verified, nor a verified one again', () => {
    const p = plant();
    const qc = p.userToken('qc', ['quality_inspector']);
    const { number } = openLimits(p);
    expectRefusal(p, 'inspections.verify', { number }, { code: 'INVALID_STATE' }, qc);
    p.call('inspections.record', { number, results: PASSING });
    p.call('inspections.complete', { number });
    p.call('inspections.verify', { number }, qc);
    const again = expectRefusal(p, 'inspections.verify', { number }, { code: 'INVALID_STATE' }, p.userToken('qc2', ['quality_inspector']));
    expect(again.message.en).toContain('verified');
  });
});

describe('opening inspections', () => {
  test('a second open inspection for the same lot is refused; after completion a new one may start', () => {
    const p = plant();
    const { lot, number } = openLimits(p);
    const error = expectRefusal(p, 'inspections.open', { lot }, { code: 'INVALID_STATE', field: 'lot' });
    expect(error.message.en).toContain(number);
    p.call('inspections.record', { number, results: PASSING });
    p.call('inspections.complete', { number });
    const next = p.call('inspections.open', { lot });
    expect(next.number).not.toBe(number);
    expect(p.call('inspections.list', { lot }).total).toBe(2);
    expect(p.call('inspections.list', { status: 'open' }).rows.map((r) => r.number)).toEqual([next.number]);
  });

  test('an unknown lot is refused', () => {
    const p = plant();
    expectRefusal(p, 'inspections.open', { lot: 'NOLOT' }, { code: 'NOT_FOUND', field: 'lot' });
  });

  test('a generic template is chosen when the product has none of its own', () => {
    const p = plant();
    const lot = receive(p);
    const view = p.call('inspections.open', { lot });
    expect(view).toMatchObject({ template_code: 'IN-FISH', stage: 'incoming', status: 'open', lot_code: lot, product_code: 'OMUL-RAW' });
    expect(view.parameters.map((x) => x.code)).toEqual(['CORE_TEMP', 'ORGANOLEPTIC', 'PARASITES', 'VET_DOC', 'REMARK']);
  });

  test('the product’s own template beats a generic one', () => {
    const p = plant();
    limitsTemplate(p);
    const omul = receive(p);
    const whitefish = receive(p, { product: 'WFISH-RAW' });
    expect(p.call('inspections.open', { lot: omul }).template_code).toBe('IN-OMUL-LIMITS');
    expect(p.call('inspections.open', { lot: whitefish }).template_code).toBe('IN-FISH');
  });

  test('when several generic templates fit, the user is asked to choose one', () => {
    const p = plant();
    p.call('templates.upsert', {
      code: 'IN-FISH-2',
      stage: 'incoming',
      name_ru: 'Второй шаблон',
      name_en: 'Second template',
      parameters: [{ code: 'X', name_ru: 'X', name_en: 'X', kind: 'pass_fail' }],
    });
    const lot = receive(p);
    const error = expectRefusal(p, 'inspections.open', { lot }, { code: 'VALIDATION', field: 'template' });
    expect(error.message.en).toContain('IN-FISH, IN-FISH-2');
    expect(p.call('inspections.open', { lot, template: 'IN-FISH-2' }).template_code).toBe('IN-FISH-2');
  });

  test('production output gets a final-stage template; two generic ones need a choice', () => {
    const p = plant();
    const raw = receive(p);
    p.release(raw);
    const batch = p.call('batches.plan', { product: 'OMUL-HS', planned_g: 1000, equipment: 'BF-SMOKER-1', planned_start: p.now, planned_end: p.now + 1000 });
    p.call('batches.consume', { number: batch.number, lot: raw, qty_g: 1000 });
    const out = p.call('batches.output', { number: batch.number, qty_g: 800, location: 'BF-CR2' }).lot.code;
    const error = expectRefusal(p, 'inspections.open', { lot: out }, { code: 'VALIDATION', field: 'template' });
    expect(error.message.en).toContain('FIN-FROZEN, FIN-SMOKED');
    expect(p.call('inspections.open', { lot: out, template: 'FIN-SMOKED' }).stage).toBe('final');
  });

  test('no template for the stage is refused; inactive templates do not count', () => {
    const p = plant();
    const lot = receive(p);
    expectRefusal(p, 'inspections.open', { lot, stage: 'in_process' }, { code: 'NOT_FOUND', field: 'template' });
    const fish = p.call('templates.list', { stage: 'incoming' }).rows.find((t) => t.code === 'IN-FISH')!;
    p.call('templates.upsert', {
      code: fish.code,
      stage: fish.stage,
      name_ru: fish.name_ru,
      name_en: fish.name_en,
      active: 0,
      parameters: fish.parameters.map((x) => ({ code: x.code, name_ru: x.name_ru, name_en: x.name_en, kind: x.kind })),
    });
    expectRefusal(p, 'inspections.open', { lot }, { code: 'NOT_FOUND', field: 'template' });
  });

  test('an unknown template named explicitly is refused', () => {
    const p = plant();
    const lot = receive(p);
    expectRefusal(p, 'inspections.open', { lot, template: 'NO-SUCH' }, { code: 'NOT_FOUND', field: 'template' });
  });
});

describe('templates.upsert', () => {
  test('creates a template whose parameters keep their order and limits', () => {
    const p = plant();
    const t = limitsTemplate(p);
    expect(t).toMatchObject({ code: 'IN-OMUL-LIMITS', product_code: 'OMUL-RAW', stage: 'incoming', active: 1 });
    expect(t.parameters.map((x) => [x.ord, x.code, x.kind, x.min_value, x.max_value, x.required])).toEqual([
      [0, 'TEMP', 'numeric', 0, 4, 1],
      [1, 'FAT', 'numeric', 2, null, 1],
      [2, 'HIST', 'numeric', null, 100, 1],
      [3, 'ORG', 'pass_fail', null, null, 1],
      [4, 'NOTE', 'text', null, null, 0],
    ]);
    expect(p.call('templates.list', { product: 'OMUL-RAW', stage: 'incoming' }).rows.map((r) => r.code)).toEqual(['IN-FISH', 'IN-OMUL-LIMITS']);
    expect(p.call('templates.list', { product: 'WFISH-RAW', stage: 'incoming' }).rows.map((r) => r.code)).toEqual(['IN-FISH']);
  });

  test('dropping a parameter deactivates it but keeps it and its past results', () => {
    const p = plant();
    const { number } = openLimits(p);
    p.call('inspections.record', { number, results: PASSING });
    p.call('inspections.complete', { number });
    const fatId = p.call('inspections.get', { number }).parameters.find((x) => x.code === 'FAT')!.id;

    const updated = p.call('templates.upsert', {
      code: 'IN-OMUL-LIMITS',
      product: 'OMUL-RAW',
      stage: 'incoming',
      name_ru: 'Входной контроль омуля, ред. 2',
      name_en: 'Incoming omul, rev. 2',
      parameters: [
        { code: 'TEMP', name_ru: 'Температура', name_en: 'Temperature', kind: 'numeric', min_value: 0, max_value: 3 },
        { code: 'ORG', name_ru: 'Органолептика', name_en: 'Organoleptic', kind: 'pass_fail' },
      ],
    });
    expect(updated.name_en).toBe('Incoming omul, rev. 2');
    expect(updated.parameters.map((x) => [x.code, x.max_value])).toEqual([
      ['TEMP', 3],
      ['ORG', null],
    ]);
    const stored = p.ws.q.sql<{ code: string; active: number }>(
      'SELECT code, active FROM template_parameters WHERE template_id = ? ORDER BY code',
      updated.id,
    );
    expect(stored).toEqual([
      { code: 'FAT', active: 0 },
      { code: 'HIST', active: 0 },
      { code: 'NOTE', active: 0 },
      { code: 'ORG', active: 1 },
      { code: 'TEMP', active: 1 },
    ]);
    // The old inspection still shows the result recorded for the dropped parameter.
    const history = p.call('inspections.get', { number });
    expect(history.results.find((r) => r.parameter_id === fatId)).toMatchObject({ parameter_code: 'FAT', value_num: 5, verdict: 'pass' });

    // A new inspection only asks for the active parameters.
    const lot = receive(p);
    const next = p.call('inspections.open', { lot });
    expect(next.missing).toEqual(['TEMP', 'ORG']);
    expectRefusal(p, 'inspections.record', { number: next.number, results: [{ parameter: 'FAT', value: 3 }] }, { code: 'NOT_FOUND', field: 'results.0.parameter' });

    // Adding it back reactivates the same row.
    const again = limitsTemplate(p);
    expect(again.parameters.find((x) => x.code === 'FAT')!.id).toBe(fatId);
  });

  test('duplicate parameter codes, min above max and unknown products are refused', () => {
    const p = plant();
    const base = { code: 'T1', stage: 'incoming', name_ru: 'Т', name_en: 'T' } as const;
    const param = (code: string, extra = {}) => ({ code, name_ru: code, name_en: code, kind: 'numeric', ...extra });
    expectRefusal(p, 'templates.upsert', { ...base, parameters: [param('A'), param('A')] }, { code: 'DUPLICATE', field: 'parameters.1.code' });
    expectRefusal(p, 'templates.upsert', { ...base, parameters: [param('A'), param('B', { min_value: 5, max_value: 4 })] }, {
      code: 'VALIDATION',
      field: 'parameters.1.max_value',
    });
    expectRefusal(p, 'templates.upsert', { ...base, product: 'NOPE', parameters: [param('A')] }, { code: 'NOT_FOUND', field: 'product' });
  });
});

describe('lots.block', () => {
  test('blocks a lot by hand with the reason; blocking it again is refused', () => {
    const p = plant();
    const lot = receive(p);
    expect(lotRow(p, lot)).toMatchObject({ status: 'quarantine', status_reason: null, status_source: null });
    const blocked = p.call('lots.block', { code: lot, reason: 'упаковка повреждена' });
    expect(blocked).toMatchObject({ code: lot, status: 'blocked', status_reason: 'упаковка повреждена', status_source: 'manual' });
    expectRefusal(p, 'lots.block', { code: lot, reason: 'again' }, { code: 'INVALID_STATE' });
    expectRefusal(p, 'lots.block', { code: 'NOLOT', reason: 'x' }, { code: 'NOT_FOUND', field: 'code' });
  });
});

describe('a template named by the user must fit the lot', () => {
  test('inactive, other-product and wrong-stage templates are refused', () => {
    const p = plant();
    limitsTemplate(p);
    const lot = receive(p);
    // FIN-SMOKED is a generic final template: wrong stage when the user asks for incoming.
    expectRefusal(p, 'inspections.open', { lot, template: 'FIN-SMOKED', stage: 'incoming' }, { code: 'VALIDATION', field: 'template' });
    p.call('templates.upsert', {
      code: 'IN-WFISH-ONLY',
      product: 'WFISH-RAW',
      stage: 'incoming',
      name_ru: 'Говядина',
      name_en: 'Beef',
      parameters: [{ code: 'PH', name_ru: 'pH', name_en: 'pH', kind: 'numeric', min_value: 5.4, max_value: 6.2 }],
    });
    expectRefusal(p, 'inspections.open', { lot, template: 'IN-WFISH-ONLY' }, { code: 'VALIDATION', field: 'template' });
    p.call('templates.upsert', {
      code: 'IN-OLD',
      stage: 'incoming',
      name_ru: 'Старый',
      name_en: 'Old',
      active: 0,
      parameters: [{ code: 'OK', name_ru: 'Норма', name_en: 'OK', kind: 'pass_fail' }],
    });
    expectRefusal(p, 'inspections.open', { lot, template: 'IN-OLD' }, { code: 'VALIDATION', field: 'template' });
    expect(p.call('inspections.open', { lot, template: 'IN-FISH' }).template_code).toBe('IN-FISH');
  });
});

// ── who decides a lot's status ──────────────────────────────────────────────────────────────

/** A generic in-process (CCP) template: a numeric limit and a pass/fail. */
function ccpTemplate(p: TestPlant) {
  p.call('templates.upsert', {
    code: 'CCP-SMOKE',
    stage: 'in_process',
    name_ru: 'ККТ копчения',
    name_en: 'Smoking CCP',
    parameters: [
      { code: 'SMOKE_TEMP', name_ru: 'Температура копчения', name_en: 'Smoking temperature', kind: 'numeric', unit: '°C', min_value: 60 },
      { code: 'LOG_OK', name_ru: 'Журнал заполнен', name_en: 'Log complete', kind: 'pass_fail' },
    ],
  });
}

function middle(min: number | null, max: number | null): number {
  if (min !== null && max !== null) return (min + max) / 2;
  return min !== null ? min + 1 : max !== null ? max - 1 : 1;
}

/** Opens, fills and completes an inspection of the lot with the template; a fail sets its first pass/fail parameter to false. */
function inspect(p: TestPlant, lot: string, template: string, verdict: 'pass' | 'fail') {
  const opened = p.call('inspections.open', { lot, template });
  let failed = false;
  const results = opened.parameters
    .filter((x) => x.required === 1)
    .map((x) => {
      if (x.kind === 'numeric') return { parameter: x.code, value: middle(x.min_value, x.max_value) };
      if (x.kind === 'text') return { parameter: x.code, value: 'ok' };
      const value = verdict === 'pass' || failed;
      failed = true;
      return { parameter: x.code, value };
    });
  p.call('inspections.record', { number: opened.number, results });
  const done = p.call('inspections.complete', { number: opened.number });
  expect(done.verdict).toBe(verdict);
  return done.number;
}

/** A quarantined hot-smoked lot straight out of a batch. */
function produced(p: TestPlant): string {
  const raw = releasedRaw(p);
  const batch = planBatch(p);
  p.call('batches.consume', { number: batch, lot: raw, qty_g: 10_000 });
  return p.call('batches.output', { number: batch, qty_g: 8_000, location: 'BF-CR2' }).lot.code;
}

describe('only the deciding stage releases a lot', () => {
  test('a passing in-process inspection leaves a quarantined received lot in quarantine', () => {
    const p = plant();
    ccpTemplate(p);
    const lot = receive(p);
    inspect(p, lot, 'CCP-SMOKE', 'pass');
    expect(lotRow(p, lot)).toMatchObject({ status: 'quarantine', status_reason: null, status_source: null });
    const number = inspect(p, lot, 'IN-FISH', 'pass');
    expect(lotRow(p, lot)).toMatchObject({ status: 'released', status_reason: `${number}: pass`, status_source: 'inspection' });
  });

  test('an incoming inspection of a produced lot does not release it; its final inspection does', () => {
    const p = plant();
    const lot = produced(p);
    const incoming = inspect(p, lot, 'IN-FISH', 'pass');
    expect(p.call('inspections.get', { number: incoming })).toMatchObject({ stage: 'incoming', verdict: 'pass' });
    expect(lotRow(p, lot).status).toBe('quarantine');
    const final = inspect(p, lot, 'FIN-SMOKED', 'pass');
    expect(lotRow(p, lot)).toMatchObject({ status: 'released', status_reason: `${final}: pass`, status_source: 'inspection' });
  });

  test('a final inspection does not release a received lot', () => {
    const p = plant();
    const lot = receive(p);
    inspect(p, lot, 'FIN-SMOKED', 'pass');
    expect(lotRow(p, lot).status).toBe('quarantine');
  });

  test('a failing inspection of any stage blocks the lot, released or not (safety first)', () => {
    const p = plant();
    ccpTemplate(p);
    const quarantined = receive(p);
    const ccp = inspect(p, quarantined, 'CCP-SMOKE', 'fail');
    expect(lotRow(p, quarantined)).toMatchObject({ status: 'blocked', status_reason: `${ccp}: fail`, status_source: 'inspection' });

    const lot = produced(p);
    inspect(p, lot, 'FIN-SMOKED', 'pass');
    expect(lotRow(p, lot).status).toBe('released');
    const incoming = inspect(p, lot, 'IN-FISH', 'fail');
    expect(lotRow(p, lot)).toMatchObject({ status: 'blocked', status_reason: `${incoming}: fail`, status_source: 'inspection' });
  });

  test('a deciding-stage re-test that passes releases a lot its own stage blocked', () => {
    const p = plant();
    const lot = receive(p);
    inspect(p, lot, 'IN-FISH', 'fail');
    expect(lotRow(p, lot).status).toBe('blocked');
    const retest = inspect(p, lot, 'IN-FISH', 'pass');
    expect(lotRow(p, lot)).toMatchObject({ status: 'released', status_reason: `${retest}: pass`, status_source: 'inspection' });
  });

  test('a block from another stage’s failure outlasts a passing final inspection until that stage passes again', () => {
    const p = plant();
    ccpTemplate(p);
    const lot = produced(p);
    const ccp = inspect(p, lot, 'CCP-SMOKE', 'fail');
    inspect(p, lot, 'FIN-SMOKED', 'pass');
    expect(lotRow(p, lot)).toMatchObject({ status: 'blocked', status_reason: `${ccp}: fail` });
    // The CCP re-check passes: not the deciding stage, so the status is unchanged …
    inspect(p, lot, 'CCP-SMOKE', 'pass');
    expect(lotRow(p, lot).status).toBe('blocked');
    // … and the next final inspection that passes releases the lot.
    const final = inspect(p, lot, 'FIN-SMOKED', 'pass');
    expect(lotRow(p, lot)).toMatchObject({ status: 'released', status_reason: `${final}: pass`, status_source: 'inspection' });
  });
});

describe('a manual block is never lifted by an inspection', () => {
  test('a passing incoming inspection completes with pass but leaves the hand-blocked lot blocked', () => {
    const p = plant();
    const lot = receive(p);
    p.call('lots.block', { code: lot, reason: 'отзыв поставщика' });
    const number = inspect(p, lot, 'IN-FISH', 'pass');
    expect(p.call('inspections.get', { number })).toMatchObject({ status: 'completed', verdict: 'pass' });
    expect(lotRow(p, lot)).toMatchObject({ status: 'blocked', status_reason: 'отзыв поставщика', status_source: 'manual' });
  });

  test('a recall hold on a released lot survives a passing re-inspection and a failing one', () => {
    const p = plant();
    const lot = produced(p);
    inspect(p, lot, 'FIN-SMOKED', 'pass');
    p.call('lots.block', { code: lot, reason: 'отзыв: листерии в сырье' });
    inspect(p, lot, 'FIN-SMOKED', 'fail');
    inspect(p, lot, 'FIN-SMOKED', 'pass');
    expect(lotRow(p, lot)).toMatchObject({ status: 'blocked', status_reason: 'отзыв: листерии в сырье', status_source: 'manual' });
  });

  test('a lot blocked by a failed inspection can be put on a manual hold, which a passing re-test does not lift', () => {
    const p = plant();
    const lot = receive(p);
    inspect(p, lot, 'IN-FISH', 'fail');
    const held = p.call('lots.block', { code: lot, reason: 'отзыв' });
    expect(held).toMatchObject({ status: 'blocked', status_reason: 'отзыв', status_source: 'manual' });
    inspect(p, lot, 'IN-FISH', 'pass');
    expect(lotRow(p, lot)).toMatchObject({ status: 'blocked', status_source: 'manual' });
    expectRefusal(p, 'lots.block', { code: lot, reason: 'again' }, { code: 'INVALID_STATE' });
  });
});

describe('lots.release', () => {
  test('releases a hand-blocked lot whose latest incoming inspection passed, with the reason, as a manual decision', () => {
    const p = plant();
    const lot = receive(p);
    p.call('lots.block', { code: lot, reason: 'проверка документов' });
    inspect(p, lot, 'IN-FISH', 'pass');
    const qc = p.userToken('qc', ['quality_inspector']);
    const released = p.call('lots.release', { code: lot, reason: 'документы подтверждены' }, qc);
    expect(released).toMatchObject({ code: lot, status: 'released', status_reason: 'документы подтверждены', status_source: 'manual' });
    expect(p.call('lots.get', { code: lot }).lot).toMatchObject({ status: 'released', status_source: 'manual' });
    // Released lots can be used again.
    const batch = planBatch(p);
    expect(p.call('batches.consume', { number: batch, lot, qty_g: 1_000 }).input_g).toBe(1_000);
  });

  test('releases a produced lot held by another stage’s failure once its final inspection passed', () => {
    const p = plant();
    ccpTemplate(p);
    const lot = produced(p);
    inspect(p, lot, 'CCP-SMOKE', 'fail');
    expectRefusal(p, 'lots.release', { code: lot, reason: 'x' }, { code: 'INVALID_STATE', field: 'code' });
    inspect(p, lot, 'FIN-SMOKED', 'pass');
    expect(p.call('lots.release', { code: lot, reason: 'отклонение ККТ оценено, продукт безопасен' })).toMatchObject({ status: 'released', status_source: 'manual' });
  });

  test('refused without a completed inspection of the deciding stage, naming what is missing', () => {
    const p = plant();
    ccpTemplate(p);
    const lot = receive(p);
    const none = expectRefusal(p, 'lots.release', { code: lot, reason: 'x' }, { code: 'INVALID_STATE', field: 'code' });
    expect(none.message.en).toBe(`Lot ${lot} is "quarantine: no completed incoming inspection": cannot release`);
    expect(none.message.ru).toBe(`Партия ${lot} в состоянии «quarantine: нет завершённой проверки (входная)»: действие «допустить» невозможно`);
    // An open one and a passing inspection of another stage do not count.
    inspect(p, lot, 'CCP-SMOKE', 'pass');
    p.call('inspections.open', { lot, template: 'IN-FISH' });
    const still = expectRefusal(p, 'lots.release', { code: lot, reason: 'x' }, { code: 'INVALID_STATE', field: 'code' });
    expect(still.message.en).toContain('no completed incoming inspection');
    expect(still.message.ru).toContain('нет завершённой проверки');
  });

  test('refused when the latest inspection of the deciding stage failed, even after an earlier pass', () => {
    const p = plant();
    const lot = produced(p);
    inspect(p, lot, 'FIN-SMOKED', 'pass');
    p.call('lots.block', { code: lot, reason: 'отзыв' });
    const failed = inspect(p, lot, 'FIN-SMOKED', 'fail');
    const error = expectRefusal(p, 'lots.release', { code: lot, reason: 'x' }, { code: 'INVALID_STATE', field: 'code' });
    expect(error.message.en).toContain(`the latest final inspection ${failed} failed`);
    expect(error.message.ru).toContain(`${failed} не пройдена`);
  });

  test('a released lot cannot be released again; an unknown lot is not found', () => {
    const p = plant();
    const lot = receive(p);
    inspect(p, lot, 'IN-FISH', 'pass');
    const error = expectRefusal(p, 'lots.release', { code: lot, reason: 'x' }, { code: 'INVALID_STATE', field: 'code' });
    expect(error.message.en).toContain('is "released": cannot release');
    expect(error.message.ru).toContain('в состоянии «допущена»: действие «допустить»');
    expectRefusal(p, 'lots.release', { code: 'NOLOT', reason: 'x' }, { code: 'NOT_FOUND', field: 'code' });
  });

  test('needs the verification permission: an inspector may, an operator may not', () => {
    const p = plant();
    const lot = receive(p);
    p.call('lots.block', { code: lot, reason: 'r' });
    inspect(p, lot, 'IN-FISH', 'pass');
    const op = p.userToken('op', ['operator']);
    expectRefusal(p, 'lots.release', { code: lot, reason: 'x' }, { code: 'FORBIDDEN' }, op);
    expect(p.call('lots.release', { code: lot, reason: 'ok' }, p.userToken('qc', ['quality_inspector'])).status).toBe('released');
  });
});

// ── past inspections keep the limits they were judged against ──────────────────────────────

describe('results keep their own limits', () => {
  const revised = (temp: { min_value: number; max_value: number; unit: string }, extra: Record<string, unknown>[] = []) => ({
    code: 'IN-OMUL-LIMITS',
    product: 'OMUL-RAW',
    stage: 'incoming',
    name_ru: 'Входной контроль омуля, ред. 2',
    name_en: 'Incoming omul, rev. 2',
    parameters: [
      { code: 'TEMP', name_ru: 'Температура', name_en: 'Temperature', kind: 'numeric', ...temp } as Record<string, unknown>,
      { code: 'FAT', name_ru: 'Жир', name_en: 'Fat', kind: 'numeric', min_value: 2 },
      { code: 'HIST', name_ru: 'Гистамин', name_en: 'Histamine', kind: 'numeric', max_value: 100 },
      { code: 'ORG', name_ru: 'Органолептика', name_en: 'Organoleptic', kind: 'pass_fail' },
      ...extra,
    ],
  });

  test('a result stores the limits and unit it was judged against; changing the template does not rewrite it', () => {
    const p = plant();
    const { number } = openLimits(p);
    p.call('inspections.record', { number, results: [...PASSING.slice(1), { parameter: 'TEMP', value: 3.5 }] });
    const stored = p.ws.q.sql<{ min_value: number | null; max_value: number | null; unit: string | null }>(
      `SELECT r.min_value, r.max_value, r.unit FROM inspection_results r JOIN template_parameters t ON t.id = r.parameter_id WHERE t.code = 'TEMP'`,
    );
    expect(stored).toEqual([{ min_value: 0, max_value: 4, unit: '°C' }]);

    // The limit is tightened while the inspection is still open, and again after it completed.
    p.call('templates.upsert', revised({ min_value: 0, max_value: 3, unit: '°F' }));
    const open = p.call('inspections.get', { number });
    expect(open.results.find((r) => r.parameter_code === 'TEMP')).toMatchObject({ value_num: 3.5, verdict: 'pass', min_value: 0, max_value: 4, unit: '°C', parameter_active: 1 });
    expect(open.parameters.find((x) => x.code === 'TEMP')).toMatchObject({ max_value: 3, unit: '°F' }); // the template as it is now
    expect(p.call('inspections.complete', { number }).verdict).toBe('pass');

    p.call('templates.upsert', revised({ min_value: 1, max_value: 2, unit: 'K' }));
    const history = p.call('inspections.get', { number });
    expect(history.results.find((r) => r.parameter_code === 'TEMP')).toMatchObject({ verdict: 'pass', min_value: 0, max_value: 4, unit: '°C' });
    expect(history.results.find((r) => r.parameter_code === 'FAT')).toMatchObject({ min_value: 2, max_value: null, unit: null });

    // A new inspection is judged against the new limits.
    const lot = receive(p);
    const next = p.call('inspections.open', { lot });
    const judged = p.call('inspections.record', { number: next.number, results: [{ parameter: 'TEMP', value: 3.5 }] });
    expect(judged.results[0]).toMatchObject({ verdict: 'fail', min_value: 1, max_value: 2, unit: 'K' });
  });

  test('a completed inspection keeps its verdict and shows nothing missing when the template later gains a required parameter', () => {
    const p = plant();
    const { number } = openLimits(p);
    p.call('inspections.record', { number, results: PASSING });
    p.call('inspections.complete', { number });
    p.call('templates.upsert', revised({ min_value: 0, max_value: 4, unit: '°C' }, [{ code: 'SALT', name_ru: 'Соль', name_en: 'Salt', kind: 'numeric' }]));
    expect(p.call('inspections.get', { number })).toMatchObject({ verdict: 'pass', provisional_verdict: 'pass', missing: [] });
  });

  test('results on a parameter dropped from the template stay in the record but do not count toward the verdict', () => {
    const p = plant();
    const { lot, number } = openLimits(p);
    // FAT fails while the inspection is open …
    p.call('inspections.record', { number, results: [...PASSING.filter((r) => r.parameter !== 'FAT'), { parameter: 'FAT', value: 1 }] });
    expect(p.call('inspections.get', { number }).provisional_verdict).toBe('fail');
    // … then the template drops FAT: the failed result no longer decides.
    p.call('templates.upsert', {
      ...revised({ min_value: 0, max_value: 4, unit: '°C' }),
      parameters: revised({ min_value: 0, max_value: 4, unit: '°C' }).parameters.filter((x) => x.code !== 'FAT'),
    });
    const view = p.call('inspections.get', { number });
    expect(view.provisional_verdict).toBe('pass');
    const done = p.call('inspections.complete', { number });
    expect(done.verdict).toBe('pass');
    expect(done.results.find((r) => r.parameter_code === 'FAT')).toMatchObject({ value_num: 1, verdict: 'fail', parameter_active: 0, min_value: 2 });
    expect(lotRow(p, lot).status).toBe('released');
  });
});
