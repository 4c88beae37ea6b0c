/**
 * Lab instruments with simple line output: a moisture analyser or pH meter that prints one line per
 * reading, by itself or when asked.
 *
 *   const ma = await new LabLineSimulator({ model: 'sartorius-ma', value: 22.4, intervalMs: 1000 }).start();
 *   ma.value = 23.1            the next line carries this value
 *   await ma.print()           prints a line now (as if its Print key was pressed)
 *
 * Models (LAB_LINE_MODELS): one for each of LAB_LINE_PRESETS in main/contract/device-presets.ts,
 * under the same key, so a preset without a simulated instrument does not typecheck:
 *   sartorius-ma  `Moist +    22.4 %M`       by itself every `intervalMs` (default 1 s), and on ESC P or a `P` line
 *   ohaus-mb      `12:30:45     10.52 %MC`  on a `P` line
 *   hanna-ph      `pH   6.85`               on a `PH?` line
 */
import type { LabLinePresetKey } from '../../main/contract/device-presets.js';
import { ascii, Simulator, type SimulatorOptions } from './simulator.js';

export type LabLineModel = LabLinePresetKey;

export interface LabLineModelInfo {
  /** Command lines the instrument answers (compared without case and surrounding blanks). */
  commands: readonly string[];
  /** The line printed for a value (without CR LF). */
  line(value: number, at: Date): string;
  /** Prints by itself this often unless told otherwise (0: only when asked). */
  intervalMs: number;
}

const hms = (d: Date): string => [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');

export const LAB_LINE_MODELS: Record<LabLineModel, LabLineModelInfo> = {
  'sartorius-ma': {
    commands: ['\u001bP', 'P'],
    line: (v) => `Moist ${v < 0 ? '-' : '+'}${Math.abs(v).toFixed(1).padStart(8)} %M`,
    intervalMs: 1_000,
  },
  'ohaus-mb': {
    commands: ['P'],
    line: (v, at) => `${hms(at)} ${v.toFixed(2).padStart(9)} %MC`,
    intervalMs: 0,
  },
  'hanna-ph': {
    commands: ['PH?'],
    line: (v) => `pH ${v.toFixed(2).padStart(6)}`,
    intervalMs: 0,
  },
};

export interface LabLineSimulatorOptions extends SimulatorOptions {
  model?: LabLineModel;
  value?: number;
  /** Print by itself this often (0: only when asked); default: as the model does. */
  intervalMs?: number;
}

const ESC_P = '\u001bP';
const MAX_LINE = 256;

export class LabLineSimulator extends Simulator {
  readonly model: LabLineModel;
  value: number;
  private readonly intervalMs: number;
  private text = '';

  constructor(options: LabLineSimulatorOptions = {}) {
    super(options.model ?? 'sartorius-ma', options);
    this.model = options.model ?? 'sartorius-ma';
    this.value = options.value ?? 22.4;
    this.intervalMs = options.intervalMs ?? LAB_LINE_MODELS[this.model].intervalMs;
  }

  /** Prints one reading line now. */
  print(): Promise<void> {
    return this.transmit(ascii(`${LAB_LINE_MODELS[this.model].line(this.value, new Date())}\r\n`));
  }

  protected override started(): void {
    if (this.intervalMs > 0) this.repeat(this.intervalMs, () => void this.print());
  }

  protected override replugged(): void {
    this.text = '';
  }

  protected handle(bytes: Uint8Array): void {
    this.text = (this.text + String.fromCharCode(...bytes)).slice(-MAX_LINE);
    const commands = LAB_LINE_MODELS[this.model].commands;
    // Sartorius takes ESC P without a line end.
    if (commands.includes(ESC_P) && this.text.includes(ESC_P)) {
      this.text = this.text.slice(this.text.lastIndexOf(ESC_P) + ESC_P.length);
      void this.print();
    }
    const lines = this.text.split(/\r\n|\r|\n/);
    this.text = lines.pop() ?? '';
    for (const line of lines) {
      if (commands.some((c) => c.toUpperCase() === line.trim().toUpperCase())) void this.print();
    }
  }
}
