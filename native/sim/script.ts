/**
 * A small line-based script language driving a simulator (`plantdesk devices simulate <protocol>
 * --script file`). One command per line; blank lines and `#` comments are skipped; numbers take a
 * decimal point or comma; durations are `500ms`, `2s`, `1.5m` or plain milliseconds.
 *
 *   weight 12.345      scale: displayed weight in kg (clears overload/underload)
 *   stable | unstable  scale: the stability flag
 *   overload | underload   scale: out of range until the next `weight`
 *   tare 0.5           scale: tare in kg
 *   corrupt            scale or Modbus sensor: the next frame/answer has a wrong checksum
 *   garbage 20         any serial device: 20 random bytes of line noise
 *   mode split         any serial device: normal | split | merged writes
 *   unplug 2s          any serial device: unplug, replug after 2 s (`unplug` alone stays unplugged)
 *   replug             any serial device: plug back in
 *   scan ]C1010460…<GS>10ABC   scanner: one scan (<GS> is the FNC1 separator 0x1D)
 *   value 22.4 | print lab-line instrument: the value of the next line | print a line now
 *   temperature -18.5 | humidity 60 | sensor-error    Modbus sensor
 *   silent on|off      Modbus sensor or ASTM instrument: answer nothing
 *   send LOT-117 MOIST=62.4% SALT=2.1%   ASTM instrument: send results for a sample (waits for the outcome)
 *   refuse on|off | drop 100   network printer: refuse connections | cut the next one after 100 bytes
 *   wait 500ms         pause
 *   loop               start again from the top (last line; the script must wait somewhere)
 *
 *   const steps = parseScript(text);            throws ScriptError (problems with line numbers, ru/en)
 *   await runScript(simulator, text, { signal }) checks the commands fit the simulator first; an abort ends it
 */
import { AstmSimulator, type AstmSampleMessage } from './astm.js';
import { LabLineSimulator } from './lab-line.js';
import { ModbusSimulator } from './modbus.js';
import { TcpPrinterSimulator } from './printer.js';
import { ScaleSimulator } from './scales.js';
import { ScannerSimulator } from './scanner.js';
import { Simulator, type WriteMode } from './simulator.js';

export type AnySimulator = Simulator | TcpPrinterSimulator;

export interface ScriptProblem {
  line: number;
  ru: string;
  en: string;
}

export class ScriptError extends Error {
  constructor(readonly problems: ScriptProblem[]) {
    super(problems.map((p) => p.en).join('\n'));
    this.name = 'ScriptError';
  }
}

export interface ScriptStep {
  line: number;
  command: string;
  arg: unknown;
}

type Pair = { ru: string; en: string };

/** Which simulators a command works with. */
const KINDS = {
  any: { test: (_: AnySimulator) => true, ru: 'любой', en: 'any' },
  serial: { test: (s: AnySimulator) => s instanceof Simulator, ru: 'устройства на последовательном порту', en: 'a serial-port device' },
  scale: { test: (s: AnySimulator) => s instanceof ScaleSimulator, ru: 'весов', en: 'a scale' },
  scanner: { test: (s: AnySimulator) => s instanceof ScannerSimulator, ru: 'сканера', en: 'a scanner' },
  labLine: { test: (s: AnySimulator) => s instanceof LabLineSimulator, ru: 'строчного лабораторного прибора', en: 'a line-output lab instrument' },
  modbus: { test: (s: AnySimulator) => s instanceof ModbusSimulator, ru: 'датчика Modbus', en: 'a Modbus sensor' },
  astm: { test: (s: AnySimulator) => s instanceof AstmSimulator, ru: 'прибора ASTM', en: 'an ASTM instrument' },
  corruptible: {
    test: (s: AnySimulator) => s instanceof ScaleSimulator || s instanceof ModbusSimulator,
    ru: 'весов или датчика Modbus',
    en: 'a scale or a Modbus sensor',
  },
  silenceable: {
    test: (s: AnySimulator) => s instanceof ModbusSimulator || s instanceof AstmSimulator,
    ru: 'датчика Modbus или прибора ASTM',
    en: 'a Modbus sensor or an ASTM instrument',
  },
  tcpPrinter: { test: (s: AnySimulator) => s instanceof TcpPrinterSimulator, ru: 'сетевого принтера', en: 'a network printer' },
} as const;
type Kind = keyof typeof KINDS;

interface Command<A> {
  kind: Kind;
  /** How the command is written, shown when its argument is wrong. */
  usage: Pair;
  /** The argument from the rest of the line; null when it is not valid. */
  parse(rest: string): A | null;
  run(sim: AnySimulator, arg: A, signal: AbortSignal | undefined): Promise<void> | void;
}

const command = <A>(c: Command<A>): Command<unknown> => c as Command<unknown>;

const NUMBER = /^[+-]?\d+(?:[.,]\d+)?$/;
const number = (s: string): number | null => (NUMBER.test(s) ? Number(s.replace(',', '.')) : null);
const nonNegative = (s: string): number | null => {
  const n = number(s);
  return n !== null && n >= 0 ? n : null;
};
const none = (s: string): true | null => (s === '' ? true : null);
const onOff = (s: string): boolean | null => (/^(on|off)$/i.test(s) ? s.toLowerCase() === 'on' : null);

/** `500ms`, `2s`, `1.5m`, `500` (ms) → ms; at most an hour. */
function duration(s: string): number | null {
  const m = /^(\d+(?:[.,]\d+)?)\s*(ms|s|m)?$/i.exec(s);
  if (!m) return null;
  const factor = { ms: 1, s: 1_000, m: 60_000 }[(m[2] ?? 'ms').toLowerCase() as 'ms' | 's' | 'm'];
  const ms = Math.round(Number((m[1] ?? '').replace(',', '.')) * factor);
  return ms <= 3_600_000 ? ms : null;
}

/** `MOIST=62.4%` → a result with its unit (whatever follows the number). */
function results(s: string): AstmSampleMessage | null {
  const [sampleId, ...items] = s.split(/\s+/).filter((t) => t !== '');
  if (!sampleId || items.length === 0) return null;
  const parsed = items.map((item) => /^([^=]+)=([+-]?\d+(?:[.,]\d+)?)(.*)$/.exec(item));
  if (parsed.some((m) => m === null)) return null;
  return {
    sampleId,
    results: parsed.map((m) => ({ testCode: m?.[1] ?? '', value: m?.[2] ?? '', unit: m?.[3] ?? '' })),
  };
}

/** Waits `ms`, or less if the script is aborted. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

const scale = (s: AnySimulator): ScaleSimulator => s as ScaleSimulator;
const serial = (s: AnySimulator): Simulator => s as Simulator;
const modbus = (s: AnySimulator): ModbusSimulator => s as ModbusSimulator;
const labLine = (s: AnySimulator): LabLineSimulator => s as LabLineSimulator;
const tcpPrinter = (s: AnySimulator): TcpPrinterSimulator => s as TcpPrinterSimulator;

const COMMANDS: Record<string, Command<unknown>> = {
  weight: command({
    kind: 'scale',
    usage: { ru: 'weight <кг>, например weight 12.345', en: 'weight <kg>, e.g. weight 12.345' },
    parse: number,
    run: (s, kg) => scale(s).set({ weightKg: kg, overload: false, underload: false }),
  }),
  stable: command({ kind: 'scale', usage: { ru: 'stable', en: 'stable' }, parse: none, run: (s) => scale(s).set({ stable: true }) }),
  unstable: command({ kind: 'scale', usage: { ru: 'unstable', en: 'unstable' }, parse: none, run: (s) => scale(s).set({ stable: false }) }),
  overload: command({
    kind: 'scale',
    usage: { ru: 'overload', en: 'overload' },
    parse: none,
    run: (s) => scale(s).set({ overload: true, underload: false }),
  }),
  underload: command({
    kind: 'scale',
    usage: { ru: 'underload', en: 'underload' },
    parse: none,
    run: (s) => scale(s).set({ underload: true, overload: false }),
  }),
  tare: command({
    kind: 'scale',
    usage: { ru: 'tare <кг>, например tare 0.5', en: 'tare <kg>, e.g. tare 0.5' },
    parse: nonNegative,
    run: (s, kg) => scale(s).set({ tareKg: kg }),
  }),
  corrupt: command({
    kind: 'corruptible',
    usage: { ru: 'corrupt', en: 'corrupt' },
    parse: none,
    run: (s) => (s instanceof ModbusSimulator ? s.corruptNext() : scale(s).corruptNext()),
  }),
  garbage: command({
    kind: 'serial',
    usage: { ru: 'garbage <байт>, например garbage 20', en: 'garbage <bytes>, e.g. garbage 20' },
    parse: (r) => (/^\d+$/.test(r) && Number(r) >= 1 && Number(r) <= 65_536 ? Number(r) : null),
    run: (s, n) => serial(s).garbage(n),
  }),
  mode: command<WriteMode>({
    kind: 'serial',
    usage: { ru: 'mode normal|split|merged', en: 'mode normal|split|merged' },
    parse: (r) => (r === 'normal' || r === 'split' || r === 'merged' ? r : null),
    run: (s, mode) => {
      serial(s).mode = mode;
    },
  }),
  unplug: command<number | true>({
    kind: 'serial',
    usage: { ru: 'unplug [длительность], например unplug 2s', en: 'unplug [duration], e.g. unplug 2s' },
    parse: (r) => (r === '' ? true : duration(r)),
    run: async (s, ms, signal) => {
      await serial(s).unplug();
      if (ms === true) return;
      await pause(ms, signal);
      await serial(s).replug();
    },
  }),
  replug: command({ kind: 'serial', usage: { ru: 'replug', en: 'replug' }, parse: none, run: (s) => serial(s).replug() }),
  scan: command({
    kind: 'scanner',
    usage: { ru: 'scan <данные>, например scan ]C1010460123456789017', en: 'scan <data>, e.g. scan ]C1010460123456789017' },
    parse: (r) => (r === '' ? null : r.replace(/<GS>/gi, '\u001d')),
    run: (s, data) => (s as ScannerSimulator).scan(data),
  }),
  value: command({
    kind: 'labLine',
    usage: { ru: 'value <число>, например value 22.4', en: 'value <number>, e.g. value 22.4' },
    parse: number,
    run: (s, v) => {
      labLine(s).value = v;
    },
  }),
  print: command({ kind: 'labLine', usage: { ru: 'print', en: 'print' }, parse: none, run: (s) => labLine(s).print() }),
  temperature: command({
    kind: 'modbus',
    usage: { ru: 'temperature <°C>, например temperature -18.5', en: 'temperature <°C>, e.g. temperature -18.5' },
    parse: number,
    run: (s, c) => modbus(s).setTemperature(c),
  }),
  humidity: command({
    kind: 'modbus',
    usage: { ru: 'humidity <%>, например humidity 60', en: 'humidity <%>, e.g. humidity 60' },
    parse: nonNegative,
    run: (s, p) => modbus(s).setHumidity(p),
  }),
  'sensor-error': command({ kind: 'modbus', usage: { ru: 'sensor-error', en: 'sensor-error' }, parse: none, run: (s) => modbus(s).sensorError() }),
  silent: command({
    kind: 'silenceable',
    usage: { ru: 'silent on|off', en: 'silent on|off' },
    parse: onOff,
    run: (s, on) => {
      (s as ModbusSimulator | AstmSimulator).silent = on;
    },
  }),
  send: command({
    kind: 'astm',
    usage: { ru: 'send <образец> <тест>=<значение>[ед.] …, например send LOT-117 MOIST=62.4%', en: 'send <sample> <test>=<value>[unit] …, e.g. send LOT-117 MOIST=62.4%' },
    parse: results,
    run: async (s, message) => {
      await (s as AstmSimulator).send(message);
    },
  }),
  refuse: command({
    kind: 'tcpPrinter',
    usage: { ru: 'refuse on|off', en: 'refuse on|off' },
    parse: onOff,
    run: (s, on) => tcpPrinter(s).refuse(on),
  }),
  drop: command({
    kind: 'tcpPrinter',
    usage: { ru: 'drop <байт>, например drop 100', en: 'drop <bytes>, e.g. drop 100' },
    parse: (r) => (/^\d+$/.test(r) && Number(r) >= 1 ? Number(r) : null),
    run: (s, n) => tcpPrinter(s).dropNext(n),
  }),
  wait: command({
    kind: 'any',
    usage: { ru: 'wait <длительность>, например wait 500ms', en: 'wait <duration>, e.g. wait 500ms' },
    parse: duration,
    run: (_, ms, signal) => pause(ms, signal),
  }),
  loop: command({ kind: 'any', usage: { ru: 'loop', en: 'loop' }, parse: none, run: () => undefined }),
};

/** Parses a script; every problem is reported at once, each with its line number. */
export function parseScript(text: string): ScriptStep[] {
  const steps: ScriptStep[] = [];
  const problems: ScriptProblem[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const line = i + 1;
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) return;
    const [, word = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(content) ?? [];
    const name = word.toLowerCase();
    const spec = COMMANDS[name];
    if (!spec) {
      problems.push({ line, ru: `строка ${line}: неизвестная команда «${word}»`, en: `line ${line}: unknown command "${word}"` });
      return;
    }
    const arg = spec.parse(rest.trim());
    if (arg === null) {
      problems.push({ line, ru: `строка ${line}: ожидается ${spec.usage.ru}`, en: `line ${line}: expected ${spec.usage.en}` });
      return;
    }
    steps.push({ line, command: name, arg });
  });
  const loop = steps.findIndex((s) => s.command === 'loop');
  if (loop >= 0 && loop !== steps.length - 1) {
    const line = steps[loop + 1]?.line ?? 0;
    problems.push({ line, ru: `строка ${line}: после loop ничего не выполняется`, en: `line ${line}: nothing after loop is ever run` });
  }
  if (loop >= 0 && !steps.some((s) => (s.command === 'wait' || s.command === 'unplug') && s.arg !== true)) {
    const line = steps[loop]?.line ?? 0;
    problems.push({
      line,
      ru: `строка ${line}: loop без wait повторялся бы без паузы — добавьте wait`,
      en: `line ${line}: loop without a wait would repeat without pause — add a wait`,
    });
  }
  if (problems.length > 0) throw new ScriptError(problems);
  return steps;
}

/** Runs a script against a simulator until its end (or forever with `loop`) or until `signal` aborts. */
export async function runScript(sim: AnySimulator, script: string | readonly ScriptStep[], options: { signal?: AbortSignal } = {}): Promise<void> {
  const steps = typeof script === 'string' ? parseScript(script) : script;
  const problems: ScriptProblem[] = [];
  for (const step of steps) {
    const kind = KINDS[COMMANDS[step.command]?.kind ?? 'any'];
    if (!kind.test(sim)) {
      problems.push({
        line: step.line,
        ru: `строка ${step.line}: команда ${step.command} — только для ${kind.ru}`,
        en: `line ${step.line}: ${step.command} works only with ${kind.en}`,
      });
    }
  }
  if (problems.length > 0) throw new ScriptError(problems);
  const { signal } = options;
  for (let i = 0; i < steps.length && !signal?.aborted; i++) {
    const step = steps[i] as ScriptStep;
    if (step.command === 'loop') {
      i = -1;
      continue;
    }
    await COMMANDS[step.command]?.run(sim, step.arg, signal);
  }
}
