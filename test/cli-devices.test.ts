// The hardware commands of `plantdesk`, run in-process (the CLI's `main` with its own streams)
// against simulators on pseudo-terminals and a TCP label printer.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from './cli-in-process.js';
import { validateZpl } from '../native/protocols/labels.js';
import { MtSicsSimulator, ScannerSimulator, TcpPrinterSimulator } from '../native/sim/index.js';
import { plant, tempDir } from './helpers.js';
import { later, own, scaleDevice } from './device-fixtures.js';

const ROOT = resolve(import.meta.dirname, '..');
/** The CLI from source (dist/ is built only by `npm test`), as the bin launcher runs it. */
const CLI_ENTRY = "import { main } from './main/cli/main.ts'; process.exitCode = await main(process.argv.slice(1));";

const plantdesk = runCli;

describe('plantdesk devices read', () => {
  test('prints one JSON object per weight and stops after --count', async () => {
    const scale = own(await new MtSicsSimulator({ state: { weightKg: 12.345 } }).start());
    const r = await plantdesk(['devices', 'read', '--protocol', 'mt-sics', '--port', scale.path, '--count', '3', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(3);
    for (const line of r.lines) {
      expect(JSON.parse(line)).toMatchObject({ weight: 12.345, unit: 'kg', stable: true, status: 'ok', grams: 12_345 });
    }
    expect(JSON.parse(r.lines[0]!).raw).toContain('12.345');
  });

  test('reads a scanner: raw data, symbology and the parsed GS1 fields', async () => {
    const scanner = own(await new ScannerSimulator().start());
    // The scanner cannot know when the port is open: it keeps scanning until the command has its reading.
    const scanning = setInterval(() => void scanner.scan('0104607001000013\u001d10LOT-7', { aim: ']C1' }), 50);
    later(async () => clearInterval(scanning));
    const r = await plantdesk(['devices', 'read', '--protocol', 'scanner', '--port', scanner.path, '--count', '1', '--json']);
    expect(r.code).toBe(0);
    const scan = JSON.parse(r.lines[0]!);
    expect(scan).toMatchObject({ symbology: 'gs1-128', gs1: true, errors: [] });
    expect(scan.raw).toContain('0104607001000013');
    expect(scan.fields).toEqual([
      expect.objectContaining({ ai: '01', value: '04607001000013' }),
      expect.objectContaining({ ai: '10', value: 'LOT-7' }),
    ]);
  });

  test('a refused scan says why: in the chosen language as text, in both in JSON', async () => {
    const scanner = own(await new ScannerSimulator().start());
    const scanning = setInterval(() => void scanner.scan('0104607001000014', { aim: ']C1' }), 50); // check digit should be 3
    later(async () => clearInterval(scanning));
    const read = (...extra: string[]) =>
      plantdesk(['devices', 'read', '--protocol', 'scanner', '--port', scanner.path, '--count', '1', ...extra]);

    const ru = await read('--lang', 'ru');
    expect(ru.code).toBe(0);
    expect(ru.lines[0]).toMatch(/errors: AI 01 \(GTIN\): неверная контрольная цифра \(ожидалась 3, получена 4\)/);
    const en = await read('--lang', 'en');
    expect(en.lines[0]).toMatch(/errors: AI 01 \(GTIN\): wrong check digit \(expected 3, got 4\)/);

    const json = JSON.parse((await read('--json')).lines[0]!);
    expect(json.errors).toEqual([
      expect.objectContaining({ code: 'CHECK_DIGIT', ai: '01', ru: expect.stringContaining('неверная'), en: expect.stringContaining('wrong') }),
    ]);
  });

  test('a port that does not exist, or a device that says nothing, is a fault in the chosen language, exit 1', async () => {
    const missing = await plantdesk(['devices', 'read', '--protocol', 'mt-sics', '--port', '/dev/plantdesk-no-such-port', '--lang', 'en']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^plantdesk: NOT_FOUND: Port \/dev\/plantdesk-no-such-port does not exist\n {2}Check that the device/);

    const scanner = own(await new ScannerSimulator().start());
    const silent = await plantdesk(['devices', 'read', '--protocol', 'scanner', '--port', scanner.path, '--timeout-ms', '300', '--lang', 'ru']);
    expect(silent.code).toBe(1);
    expect(silent.out).toBe('');
    expect(silent.err).toMatch(/^plantdesk: TIMEOUT: .*нет ответа за 300 мс/);

    const typo = await plantdesk(['devices', 'read', '--protocol', 'sics', '--port', scanner.path]);
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('--protocol');
  });
});

describe('plantdesk devices simulate', () => {
  test('runs a simulator behind the given link with a script until stopped; devices read hears it', async () => {
    const dir = tempDir();
    const link = join(dir, 'scale');
    const script = join(dir, 'scale.txt');
    writeFileSync(script, '# a crate goes on\nunstable\nweight 3.5\nwait 100ms\nstable\n');
    const stop = new AbortController();
    let ready: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (ready = resolve));
    const simulating = plantdesk(['devices', 'simulate', 'mt-sics', '--link', link, '--script', script, '--json'], stop.signal, (out) => out.includes('\n') && ready());
    later(async () => {
      stop.abort();
      await simulating;
    });
    await started;

    const read = async () => (await plantdesk(['devices', 'read', '--protocol', 'mt-sics', '--port', link, '--count', '1', '--json'])).lines.map((l) => JSON.parse(l));
    let [weight] = await read();
    while (!weight.stable) [weight] = await read();
    expect(weight).toMatchObject({ weight: 3.5, stable: true });

    stop.abort();
    const done = await simulating;
    expect(done.code).toBe(0);
    expect(JSON.parse(done.lines[0]!)).toEqual({ protocol: 'mt-sics', path: link });
  });
});

describe('plantdesk devices list', () => {
  test('lists the ports of this PC, saying what could not be listed (no udev), and the workspace devices', async () => {
    // A PC without udev (a container, a minimal install): the CLI as a real process without `udevadm`.
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CLI_ENTRY, '--', ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, PATH: '/nonexistent' },
      });
    const json = run(['devices', 'list', '--json', '--workspace', tempDir()]);
    expect(json.stderr).toBe('');
    expect(json.status).toBe(0);
    const listed = JSON.parse(json.stdout);
    expect(listed.devices).toBeNull();
    expect(listed.notices).toEqual([expect.objectContaining({ code: 'NO_UDEV', cause: expect.stringContaining('udevadm') })]);
    expect(listed.notices[0].message.ru).toContain('udev');
    expect(listed.ports.every((port: { kind: string }) => ['serial', 'hid', 'lp'].includes(port.kind))).toBe(true);
    const plain = run(['devices', 'list', '--lang', 'en', '--workspace', tempDir()]);
    expect(plain.stdout).toMatch(/^! The port list was made from \/dev \(udev is not available\)/);

    const p = plant();
    p.call('devices.save', scaleDevice('/dev/ttyUSB7'));
    const withWorkspace = await plantdesk(['devices', 'list', '--json', '--workspace', p.ws.dir, '--password', 'admin-pass-1']);
    expect(withWorkspace.err).toBe('');
    expect(JSON.parse(withWorkspace.out).devices).toEqual([expect.objectContaining({ code: 'SC-1', protocol: 'mt-sics', connection_config: expect.objectContaining({ path: '/dev/ttyUSB7' }) })]);
    const text = await plantdesk(['devices', 'list', '--workspace', p.ws.dir, '--password', 'admin-pass-1']);
    expect(text.out).toMatch(/SC-1 +Весы приёмки +scale +mt-sics +\/dev\/ttyUSB7 9600 8N1 +yes/);
  });
});

describe('plantdesk print-test', () => {
  test('sends the test label to a network printer in ZPL or TSPL and prints the job', async () => {
    const zpl = own(await new TcpPrinterSimulator({ language: 'zpl' }).start());
    const r = await plantdesk(['print-test', '--printer', `tcp://127.0.0.1:${zpl.port}`, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ state: 'done', fault: null, copies: 1 });
    const [label] = await zpl.waitForJobs(1);
    expect(validateZpl(label!.data)).toEqual([]);
    expect(label!.data).toContain('тестовая этикетка');

    const tspl = own(await new TcpPrinterSimulator({ language: 'tspl' }).start());
    expect((await plantdesk(['print-test', '--printer', `tcp://127.0.0.1:${tspl.port}`, '--language', 'tspl'])).code).toBe(0);
    const [tsplLabel] = await tspl.waitForJobs(1);
    expect(tsplLabel!.data).toMatch(/CODEPAGE UTF-8[^]*BARCODE [^]*PRINT 1,1/);
  });

  test('a printer that refuses the connection is a fault, exit 1; a bad printer spec is a usage error', async () => {
    const printer = own(await new TcpPrinterSimulator({ language: 'zpl' }).start());
    await printer.refuse(true);
    const r = await plantdesk(['print-test', '--printer', `tcp://127.0.0.1:${printer.port}`, '--lang', 'en']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^plantdesk: REFUSED: /);

    const bad = await plantdesk(['print-test', '--printer', 'tcp://printer:99999']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('tcp://printer:99999');
  });
});
