/**
 * A lab instrument speaking ASTM E1381/E1394 over a serial line, with real timers.
 *
 *   const analyser = await new AstmSimulator().start();
 *   const outcome = await analyser.send({ sampleId: 'LOT-117', results: [{ testCode: 'MOIST', value: '62.4', unit: '%' }] });
 *     → { state: 'done' | 'failed', reason?, events, naks }   (records as string[] are sent as they are)
 *   send options: corruptFirstFrame  the first frame goes out once with a wrong checksum: the host must NAK
 *                                    and the instrument retransmits it
 *                 stopAfterFrames    the instrument falls silent after that many frames: the host must time out
 *                                    and discard the partial message
 *                 timeoutMs          the instrument's own reply timeout (default 15 s, as E1381 says)
 *   analyser.silent = true           the instrument answers nothing the host sends (host timeouts)
 *   analyser.messages                complete messages the host sent to the instrument (it ACKs like a receiver)
 */
import {
  AstmReceiver,
  AstmSender,
  buildHeader,
  buildRecord,
  type SenderEvent,
  type SenderStep,
} from '../protocols/astm/index.js';
import { Simulator, type SimulatorOptions } from './simulator.js';

export interface AstmSampleMessage {
  sampleId: string;
  results: { testCode: string; value: string | number; unit?: string; referenceRange?: string; flags?: string }[];
  /** H.5 sender name; default `PlantDesk simulator`. */
  sender?: string;
}

export interface AstmSendOptions {
  corruptFirstFrame?: boolean;
  stopAfterFrames?: number;
  timeoutMs?: number;
}

export interface AstmSendOutcome {
  state: 'done' | 'failed';
  reason?: 'nak-limit' | 'timeout' | 'busy-limit' | 'stopped';
  events: SenderEvent[];
  /** NAKs the host sent for frames. */
  naks: number;
}

/** How often the sender's timeouts are checked. */
const TICK_MS = 50;

/** H, P, O, one R per result, L — the records of one sample's results. */
export function astmRecords(message: AstmSampleMessage): string[] {
  const records = [buildHeader(message.sender ?? 'PlantDesk simulator'), buildRecord('P', ['1']), buildRecord('O', ['1', message.sampleId])];
  message.results.forEach((r, i) => {
    records.push(
      buildRecord('R', [String(i + 1), ['', '', '', r.testCode], String(r.value), r.unit ?? '', r.referenceRange ?? '', r.flags ?? '', '', 'F']),
    );
  });
  records.push(buildRecord('L', ['1', 'N']));
  return records;
}

/** The frame with its first checksum digit changed. */
function corruptChecksum(frame: Uint8Array): Uint8Array {
  const out = Uint8Array.from(frame);
  const at = out.length - 4; // … ETX C1 C2 CR LF
  const digit = parseInt(String.fromCharCode(out[at] ?? 0x30), 16);
  out[at] = ((digit + 1) % 16).toString(16).toUpperCase().charCodeAt(0);
  return out;
}

export class AstmSimulator extends Simulator {
  /** When true the instrument answers nothing the host sends. */
  silent = false;
  /** Messages the host sent to the instrument. */
  readonly messages: string[] = [];
  private readonly receiver = new AstmReceiver();
  private session: ((bytes: Uint8Array) => void) | null = null;

  constructor(options: SimulatorOptions = {}) {
    super('astm', options);
  }

  /** Sends one message; resolves when the link is closed (EOT) or the transmission failed. */
  send(message: readonly string[] | AstmSampleMessage, options: AstmSendOptions = {}): Promise<AstmSendOutcome> {
    if (this.session) return Promise.reject(new Error(`simulator ${this.name} is already sending`));
    const records = 'results' in message ? astmRecords(message) : [...message];
    const sender = new AstmSender(records, options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
    const events: SenderEvent[] = [];
    let frames = 0;
    return new Promise((resolve) => {
      const finish = (state: 'done' | 'failed', reason?: AstmSendOutcome['reason']): void => {
        stopTicking();
        this.session = null;
        const naks = events.filter((e) => e.type === 'nak').length;
        resolve({ state, ...(reason ? { reason } : {}), events, naks });
      };
      const step = (s: SenderStep): void => {
        if (!this.session) return;
        events.push(...s.events);
        let out = s.send;
        const frame = s.events.find((e) => e.type === 'frame');
        if (out && frame) {
          if (options.stopAfterFrames !== undefined && frames >= options.stopAfterFrames) return finish('failed', 'stopped');
          frames++;
          if (options.corruptFirstFrame && frame.index === 0 && frame.attempt === 1) out = corruptChecksum(out);
        }
        if (out) void this.transmit(out);
        if (s.state === 'done') finish('done');
        else if (s.state === 'failed') {
          const failed = s.events.find((e) => e.type === 'failed');
          finish('failed', failed?.type === 'failed' ? failed.reason : 'timeout');
        }
      };
      this.session = (bytes) => step(sender.push(bytes));
      const stopTicking = this.repeat(TICK_MS, () => step(sender.tick(Date.now())));
      step(sender.start());
    });
  }

  protected handle(bytes: Uint8Array): void {
    if (this.silent) return;
    if (this.session) {
      this.session(bytes);
      return;
    }
    const result = this.receiver.push(bytes);
    this.messages.push(...result.messages);
    if (result.reply) void this.transmit(result.reply);
  }
}
