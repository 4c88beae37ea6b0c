// `labels.render` through the document service as a window calls it: admitted by the registry,
// rendered with job.progress events, refused with nothing changed; and the ZPL for a label
// printer of this PC sent with printers.print to a simulated TCP Zebra (a real socket), which
// receives every format intact.
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { JobProgress } from '../main/contract/jobs.js';
import type { OperationError, Result } from '../main/contract/errors.js';
import type { OperationOutput } from '../main/contract/operations.js';
import { FISH_PRODUCTS, gtinWithCheckDigit } from '../main/demo/reference.js';
import { DeviceService } from '../main/devices/service.js';
import { DocumentService } from '../main/documents/service.js';
import { decodeZplGraphic, validateZpl } from '../native/protocols/labels.js';
import { TcpPrinterSimulator } from '../native/sim/index.js';
import { own, runDevices } from './device-fixtures.js';
import { expectReadable, plant, tempDir, type Refusal, type TestPlant } from './helpers.js';
import { toolsMissing } from './pdf-tools.js';

type Rendered = OperationOutput<'labels.render'>;

function releasedLot(p: TestPlant): string {
  p.call('products.upsert', { ...FISH_PRODUCTS[0]!, gtin: gtinWithCheckDigit('0460700100009') });
  const lot = p.receiveOmul(500, 1).lines[0]!.lot_code;
  p.release(lot);
  return lot;
}

function documents(p: TestPlant): { service: DocumentService; progress: JobProgress[] } {
  const progress: JobProgress[] = [];
  return { service: new DocumentService(p.ws, { onProgress: (e) => progress.push(e) }), progress };
}

function value<T>(result: Result<unknown>): T {
  expect(result.ok, JSON.stringify(result).slice(0, 500)).toBe(true);
  return (result as { ok: true; value: T }).value;
}

function refused(result: Result<unknown>): OperationError {
  expect(result.ok).toBe(false);
  return (result as { ok: false; error: OperationError }).error;
}

const pdfinfo = toolsMissing('Label PDF pages', ['pdftotext']);

describe('labels.render', () => {
  test.skipIf(pdfinfo !== null)('renders N carton labels as a PDF of N pages, its progress ending at N of N', async () => {
    const p = plant();
    const lot = releasedLot(p);
    const { service, progress } = documents(p);
    const job = randomUUID();
    const operator = { token: p.userToken('packer', ['operator']) };
    const out = value<Rendered>(await service.invokeDocument('labels.render', { lot, kind: 'carton', count: 120, format: 'pdf', netG: 20_000, widthMm: 100, heightMm: 150, job }, operator));
    const pdf = Buffer.from(out.pdf_base64!, 'base64');
    expect(out).toMatchObject({ lot, kind: 'carton', format: 'pdf', count: 120, bytes: pdf.byteLength });
    expect(out.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    const file = join(tempDir(), 'labels.pdf');
    writeFileSync(file, pdf);
    expect(execFileSync('pdfinfo', [file], { encoding: 'utf8' })).toMatch(/Pages:\s+120\n/);

    expect(progress.length).toBeGreaterThan(1);
    expect(progress.length).toBeLessThanOrEqual(120);
    expect(progress.every((e) => e.job === job && e.operation === 'labels.render' && e.total === 120)).toBe(true);
    expect(progress.map((e) => e.done)).toEqual([...progress.map((e) => e.done)].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual({ job, operation: 'labels.render', done: 120, total: 120 });
  });

  test('pallet labels take consecutive SSCCs; refusals name the field, report no progress and change nothing', async () => {
    const p = plant();
    const lot = releasedLot(p);
    const { service, progress } = documents(p);
    const admin = { token: p.adminToken };
    const pallets = value<Rendered>(await service.invokeDocument('labels.render', { lot, kind: 'pallet', count: 3, format: 'zpl', companyPrefix: '4607001', serial: 7 }, admin));
    expect(validateZpl(pallets.zpl!)).toEqual([]);
    // SSCC: extension 0, the prefix, serials 7, 8, 9 padded to 9 digits, and a check digit.
    for (const serial of ['7', '8', '9']) expect(pallets.zpl).toMatch(new RegExp(`\\(00\\)0460700100000000${serial}\\d`));
    expect(pallets.zpl!.match(/\^XA/g)).toHaveLength(3);

    const before = p.snapshot();
    const job = randomUUID();
    const attempts: [object, Refusal][] = [
      [{ lot, kind: 'carton', count: 5001, format: 'pdf', job }, { code: 'VALIDATION', field: 'count' }],
      [{ lot, kind: 'carton', count: 0, format: 'pdf', job }, { code: 'VALIDATION', field: 'count' }],
      [{ lot, kind: 'pallet', count: 2, format: 'pdf', job }, { code: 'VALIDATION', field: 'companyPrefix' }],
      [{ lot: 'NO-SUCH-LOT', kind: 'carton', count: 2, format: 'pdf', job }, { code: 'NOT_FOUND', field: 'lot' }],
      // The serial range runs past what the SSCC can hold: the whole run is refused.
      [{ lot, kind: 'pallet', count: 3, format: 'zpl', companyPrefix: '4607001', serial: 999_999_998, job }, { code: 'VALIDATION', field: 'serial' }],
      [{ lot, kind: 'carton', count: 2, format: 'zpl', netG: 20_000, printer: 'PR-9', job }, { code: 'DEVICE_NOT_FOUND', field: 'printer' }],
    ];
    for (const [input, expected] of attempts) expectReadable(refused(await service.invokeDocument('labels.render', input, admin)), expected);
    expectReadable(refused(await service.invokeDocument('labels.render', { lot, kind: 'carton', count: 2, format: 'pdf' }, null)), { code: 'UNAUTHENTICATED' });
    expect(progress.filter((e) => e.job === job)).toEqual([]);
    expect(p.snapshot()).toEqual(before);
  });
});

describe('labels.render for a label printer of this PC', () => {
  test('the ZPL follows the printer settings (dpi, size, Chinese as graphics) and prints on a TCP Zebra, the job reaching done', async () => {
    const p = plant();
    const lot = releasedLot(p);
    const printer = own(await new TcpPrinterSimulator({ language: 'zpl' }).start());
    const connection = { type: 'tcp', host: '127.0.0.1', port: printer.port };
    const { manager, recorder } = await runDevices(p, [
      { code: 'PR-1', name: 'Zebra ZT230', protocol: 'zpl', connection, options: { dpi: 300, widthMm: 100, heightMm: 120 } },
      { code: 'PR-T', name: 'TSC', protocol: 'tspl', connection, options: {} },
    ]);
    await recorder.waitFor('device.status', (s) => s.code === 'PR-1' && s.state === 'connected');
    const { service } = documents(p);
    const operator = { token: p.userToken('packer', ['operator']) };

    const out = value<Rendered>(await service.invokeDocument('labels.render', { lot, kind: 'carton', count: 40, format: 'zpl', netG: 20_000, printer: 'PR-1' }, operator));
    expect(out.count).toBe(40);
    expect(out.zpl).toContain('^PW1200\n^LL1440'); // 100 × 120 mm at 300 dpi (12 dots/mm)
    expect(out.zpl).toContain('^PQ40');
    const graphic = /\^GF([^^]*)\^FS/.exec(out.zpl!)![1]!;
    expect(decodeZplGraphic(graphic).height).toBe(Math.ceil(48 * 1.12)); // the 4 mm title at 12 dots/mm
    expectReadable(refused(await service.invokeDocument('labels.render', { lot, kind: 'carton', count: 1, format: 'zpl', netG: 20_000, printer: 'PR-T' }, operator)), {
      code: 'VALIDATION',
      field: 'printer',
    });

    const devices = new DeviceService(p.ws, manager);
    const job = value<{ id: string }>(await devices.invokeDevice('printers.print', { device: 'PR-1', title: `Labels ${lot}`, data: out.zpl }, operator));
    await recorder.waitFor('device.printJob', (j) => j.id === job.id && j.state === 'done');
    const [received] = await printer.waitForJobs(1);
    expect(received!.errors).toEqual([]);
    expect(received!.data).toBe(out.zpl!.trim());
  });
});
