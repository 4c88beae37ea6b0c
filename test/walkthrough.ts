// A plant's first days, from an empty file: every mutation of the contract at least once, in
// the order a plant would do them. The audit and change-log tests replay it step by step and
// check what each step left behind.
import type { DocumentOperationName, OperationName } from '../main/contract/operations.js';
import { DocumentService } from '../main/documents/service.js';
import { FISH_EQUIPMENT, FISH_LOCATIONS, FISH_PRODUCTS, FISH_SITE, MEAT_SITE, PARTNERS, TEMPLATES } from '../main/demo/reference.js';
import { DAY, TestPlant } from './helpers.js';

export interface Step {
  name: OperationName;
  /** Who the audit must name. */
  user: string;
  run(p: TestPlant, ctx: Record<string, string>): void | Promise<void>;
}

const HOUR = 3_600_000;
const ADMIN = { username: 'admin', display_name: 'Администратор', password: 'admin-pass-1' };

const step = (name: OperationName, user: string, run: Step['run']): Step => ({ name, user, run });
const call = (name: OperationName, input: (p: TestPlant, ctx: Record<string, string>) => unknown, user = 'admin'): Step =>
  step(name, user, (p, ctx) => {
    p.call(name, input(p, ctx), user === 'admin' ? p.adminToken : ctx[`token:${user}`]!);
  });

/** A document operation through the document service, as the app's hosts run it; returns the document's id. */
async function document(p: TestPlant, name: DocumentOperationName, input: unknown, token: string): Promise<string> {
  const result = await new DocumentService(p.ws).invokeDocument(name, input, { token });
  if (!result.ok) throw new Error(`${name} failed: ${result.error.code} ${result.error.message.en}`);
  return (result.value as { id: string }).id;
}

export const WALKTHROUGH: Step[] = [
  step('setup.initialise', 'admin', (p) => {
    p.call('setup.initialise', { site: FISH_SITE, admin: ADMIN }, '');
  }),
  step('auth.login', 'admin', (p) => {
    p.adminToken = p.login('admin', ADMIN.password);
  }),
  call('users.create', () => ({ username: 'qc', display_name: 'Контролёр', password: 'qc-pass-1', roles: ['quality_inspector'] })),
  step('auth.login', 'qc', (p, ctx) => {
    ctx['token:qc'] = p.login('qc', 'qc-pass-1');
  }),
  call('auth.changePassword', () => ({ current: 'qc-pass-1', next: 'qc-pass-2' }), 'qc'),
  call('users.update', () => ({ username: 'qc', display_name: 'Контролёр ОТК' })),
  call('sites.upsert', () => MEAT_SITE),
  call('sites.upsert', () => ({ ...FISH_SITE, phone: '+7 3952 111-111' })),
  ...FISH_PRODUCTS.slice(0, 3).map((product) => call('products.upsert', () => product)),
  call('products.upsert', () => ({ ...FISH_PRODUCTS[0]!, shelf_life_days: 6 })),
  ...PARTNERS.filter((x) => ['ARTEL-BAIKAL', 'HENGTAI'].includes(x.code)).map((partner) => call('partners.upsert', () => partner)),
  ...FISH_LOCATIONS.slice(0, 3).map((location) => call('locations.upsert', () => location)),
  ...FISH_EQUIPMENT.slice(0, 1).map((equipment) => call('equipment.upsert', () => equipment)),
  ...TEMPLATES.filter((t) => ['IN-FISH', 'FIN-SMOKED'].includes(t.code)).map((template) => call('templates.upsert', () => template)),
  call('devices.save', () => ({
    code: 'TS-CR1',
    name: 'Датчик камеры №1',
    protocol: 'modbus',
    connection: { type: 'serial', path: '/dev/ttyUSB1' },
    options: { location: 'BF-CR1', alertDelayMs: 0, channels: [{ quantity: 'temperature', address: 1 }] },
  })),
  call('devices.save', () => ({ code: 'LAB-1', name: 'Анализатор соли', protocol: 'astm', connection: { type: 'serial', path: '/dev/ttyUSB2' } })),
  // Devices act through the device manager's trusted actor, not a session.
  step('sensors.record', 'device:TS-CR1', (p, ctx) => {
    const recorded = p.callAsDevice('TS-CR1', 'sensors.record', { device: 'TS-CR1', samples: [{ at: p.now - 30_000, quantity: 'temperature', value: 6.5 }] });
    ctx.alert = recorded.alerts[0]!.id;
  }),
  call('alerts.acknowledge', (_, ctx) => ({ id: ctx.alert, note: 'дверь камеры закрыта' }), 'qc'),
  step('receipts.create', 'admin', (p, ctx) => {
    const receipt = p.call('receipts.create', {
      supplier: 'ARTEL-BAIKAL',
      lines: [0, 1].map(() => ({
        product: 'OMUL-RAW',
        location: 'BF-QUAR',
        vet_doc_uuid: '0b3c2f4e-1d2a-4c8b-9e7f-123456789abc',
        produced_at: p.now - DAY,
        gross_g: 510_000,
        tare_g: 10_000,
      })),
    });
    ctx.lotA = receipt.lines[0]!.lot_code;
    ctx.lotB = receipt.lines[1]!.lot_code;
  }),
  step('inspections.open', 'admin', (p, ctx) => {
    ctx.qcA = p.call('inspections.open', { lot: ctx.lotA! }).number;
  }),
  call('inspections.record', (_, ctx) => ({
    number: ctx.qcA,
    results: [
      { parameter: 'CORE_TEMP', value: 2 },
      { parameter: 'ORGANOLEPTIC', value: true },
      { parameter: 'PARASITES', value: true },
    ],
  })),
  call('inspections.record', (_, ctx) => ({ number: ctx.qcA, results: [{ parameter: 'VET_DOC', value: true }, { parameter: 'CORE_TEMP', value: 3 }] })),
  call('inspections.complete', (_, ctx) => ({ number: ctx.qcA })),
  call('inspections.verify', (_, ctx) => ({ number: ctx.qcA }), 'qc'),
  call('lots.block', (_, ctx) => ({ code: ctx.lotB, reason: 'повреждена упаковка' })),
  step('inspections.open', 'admin', (p, ctx) => {
    ctx.qcB = p.call('inspections.open', { lot: ctx.lotB! }).number;
  }),
  call('inspections.record', (_, ctx) => ({
    number: ctx.qcB,
    results: [
      { parameter: 'CORE_TEMP', value: 2 },
      { parameter: 'ORGANOLEPTIC', value: true },
      { parameter: 'PARASITES', value: true },
      { parameter: 'VET_DOC', value: true },
    ],
  })),
  call('inspections.complete', (_, ctx) => ({ number: ctx.qcB })), // passes, but the manual block stays
  call('lots.release', (_, ctx) => ({ code: ctx.lotB, reason: 'упаковка заменена' }), 'qc'),
  call('stock.move', (_, ctx) => ({ lot: ctx.lotA, from: 'BF-QUAR', to: 'BF-CR1', qty_g: 100_000 })),
  call('stock.adjust', (_, ctx) => ({ lot: ctx.lotA, location: 'BF-CR1', delta_g: -500, reason: 'инвентаризация' })),
  call('stock.writeOff', (_, ctx) => ({ lot: ctx.lotA, location: 'BF-CR1', qty_g: 1_500, reason: 'порча' })),
  step('batches.plan', 'admin', (p, ctx) => {
    ctx.batch = p.call('batches.plan', { product: 'OMUL-HS', planned_g: 300_000, equipment: 'BF-SMOKER-1', planned_start: p.now, planned_end: p.now + 6 * HOUR }).number;
  }),
  call('batches.start', (_, ctx) => ({ number: ctx.batch })),
  call('batches.consume', (_, ctx) => ({ number: ctx.batch, lot: ctx.lotA, qty_g: 450_000 })), // takes from two locations
  step('batches.output', 'admin', (p, ctx) => {
    ctx.smoked = p.call('batches.output', { number: ctx.batch!, qty_g: 300_000, location: 'BF-CR2', packages: 60 }).lot.code;
  }),
  call('batches.finish', (_, ctx) => ({ number: ctx.batch })),
  step('batches.plan', 'admin', (p, ctx) => {
    ctx.idle = p.call('batches.plan', { product: 'OMUL-HS', planned_g: 1, equipment: 'BF-SMOKER-1', planned_start: p.now + 7 * HOUR, planned_end: p.now + 8 * HOUR }).number;
  }),
  call('batches.cancel', (_, ctx) => ({ number: ctx.idle, reason: 'нет сырья' })),
  step('inspections.open', 'admin', (p, ctx) => {
    ctx.qcSmoked = p.call('inspections.open', { lot: ctx.smoked!, template: 'FIN-SMOKED' }).number;
  }),
  step('lab.record', 'device:LAB-1', (p, ctx) => {
    p.callAsDevice('LAB-1', 'lab.record', { device: 'LAB-1', sampleId: ctx.smoked, results: [{ testCode: 'NACL', value: '2.9', numeric: 2.9, unit: '%' }] });
  }),
  call('inspections.record', (_, ctx) => ({
    number: ctx.qcSmoked,
    results: [
      { parameter: 'SALT', value: 3 },
      { parameter: 'MOISTURE', value: 60 },
      { parameter: 'TVBN', value: 12 },
      { parameter: 'LISTERIA', value: true },
      { parameter: 'ORGANOLEPTIC', value: true },
    ],
  })),
  call('inspections.complete', (_, ctx) => ({ number: ctx.qcSmoked })),
  call('inspections.verify', (_, ctx) => ({ number: ctx.qcSmoked }), 'qc'), // shipping needs the second signature
  step('shipments.create', 'admin', (p, ctx) => {
    ctx.shipment = p.call('shipments.create', { customer: 'HENGTAI', consignee: 'HENGTAI', planned_date: p.now + DAY }).number;
  }),
  call('shipments.addContainer', (_, ctx) => ({ number: ctx.shipment, container_no: 'MSCU1234566', seal_no: 'S-1' })),
  call('shipments.addLine', (_, ctx) => ({ number: ctx.shipment, lot: ctx.smoked, qty_g: 200_000, gross_g: 210_000, packages: 40, container_no: 'MSCU1234566' })),
  call('shipments.ship', (_, ctx) => ({ number: ctx.shipment })),
  step('shipments.create', 'admin', (p, ctx) => {
    ctx.shipment2 = p.call('shipments.create', { customer: 'HENGTAI', consignee: 'HENGTAI', planned_date: p.now + DAY }).number;
  }),
  call('shipments.cancel', (_, ctx) => ({ number: ctx.shipment2, reason: 'отказ покупателя' })),
  step('documents.issue', 'qc', async (p, ctx) => {
    ctx.certificate = await document(p, 'documents.issue', { type: 'certificate', lot: ctx.smoked, lang: 'zh' }, ctx['token:qc']!);
  }),
  step('documents.reissue', 'qc', async (p, ctx) => {
    ctx.certificate2 = await document(p, 'documents.reissue', { id: ctx.certificate, lang: 'en' }, ctx['token:qc']!);
  }),
  call('documents.void', (_, ctx) => ({ id: ctx.certificate2, reason: 'неверный язык' }), 'qc'),
  step('exports.1c', 'admin', async (p) => {
    const today = new Date(p.now).toLocaleDateString('sv-SE'); // YYYY-MM-DD, local
    await document(p, 'exports.1c', { from: today, to: today }, p.adminToken);
  }),
  call('sync.configure', () => ({ hq_url: 'https://hq.example.ru:8787', token: 'k'.repeat(32), interval_min: 30 })),
  call('auth.logout', () => ({}), 'qc'),
];

/** Replays the walkthrough on a fresh workspace, calling `check` after each step with the step and the step's index. */
export async function walk(check: (p: TestPlant, step: Step, index: number, before: { snapshot: Record<string, unknown[]> }) => void): Promise<TestPlant> {
  const p = new TestPlant();
  const ctx: Record<string, string> = {};
  for (const [i, s] of WALKTHROUGH.entries()) {
    p.now += 60_000; // each step a minute apart, so entries carry distinct times
    const before = { snapshot: p.snapshot() };
    await s.run(p, ctx);
    check(p, s, i, before);
  }
  return p;
}
