// Lab instruments. ASTM analysers push messages over E1381 (ENQ, checksummed frames, EOT) that the
// driver acknowledges frame by frame; each message's results are grouped by sample. Simple
// line-output instruments (moisture analysers, pH meters) are asked with their profile's command
// and their lines matched by its pattern; the app says which sample the readings belong to.
import type { DeviceConfig, DeviceFault, LabLineProfile, LabOptions } from '../../main/contract/devices.js';
import { AstmReceiver, parseMessage, type AstmMessage, type ReceiverResult } from '../protocols/astm/index.js';
import { LineReader, commandBytes, lineMatcher, type LineMatch } from '../protocols/lab-line.js';
import { deviceFault, protocolFault, timeoutFault } from '../transports/faults.js';
import { DeviceFaultError } from '../transports/transport.js';
import { TransportDriver, Watchdog, type DriverContext, type LabMessage } from './driver.js';

/** How often the ASTM link timeout (15 s) is checked while the sender is quiet. */
export const ASTM_TICK_MS = 1_000;

class AstmDriver extends TransportDriver {
  private readonly receiver = new AstmReceiver({ now: () => this.context.now() });

  protected override started(): void {
    this.receiver.reset();
    this.timers.every(ASTM_TICK_MS, () => this.handle(this.receiver.tick(this.context.now())));
  }

  protected received(bytes: Uint8Array): void {
    this.handle(this.receiver.push(bytes));
  }

  private handle(result: ReceiverResult): void {
    if (result.reply) this.send(result.reply);
    for (const event of result.events) {
      // bad frames are NAKed and sent again, so only a message given up on is worth a fault
      if (event.type === 'discarded') this.fault(discardedFault(this.where, event.reason));
    }
    for (const message of result.messages) this.message(message);
  }

  private message(text: string): void {
    let parsed: AstmMessage;
    try {
      parsed = parseMessage(text);
    } catch (error) {
      this.fault(protocolFault(this.where, error instanceof Error ? error.message : String(error)));
      return;
    }
    const bySample = new Map<string, LabMessage['results']>();
    let orphans = 0;
    for (const r of parsed.results) {
      // the order's specimen id, else the patient record (here: the lot the sample came from)
      const sampleId = r.sampleId ?? parsed.patientId;
      if (sampleId === null) {
        orphans++;
        continue;
      }
      const results = bySample.get(sampleId) ?? [];
      results.push({ testCode: r.testCode, value: r.value, numeric: r.numeric, unit: r.unit });
      bySample.set(sampleId, results);
    }
    if (orphans > 0) this.fault(protocolFault(this.where, `${orphans} result(s) without a sample id`));
    const at = this.context.now();
    for (const [sampleId, results] of bySample) this.emit((l) => l.lab?.({ sampleId, results }, at));
  }
}

function discardedFault(where: string, reason: 'timeout' | 'eot' | 'enq' | 'overflow'): DeviceFault {
  const why = {
    timeout: { ru: 'прибор замолчал посреди сообщения', en: 'the instrument went quiet mid-message' },
    eot: { ru: 'прибор прервал передачу', en: 'the instrument ended the transmission early' },
    enq: { ru: 'прибор начал передачу заново', en: 'the instrument started over' },
    overflow: { ru: 'сообщение слишком длинное', en: 'the message is too long' },
  }[reason];
  return deviceFault(
    reason === 'timeout' ? 'TIMEOUT' : 'PROTOCOL',
    { ru: `${where}: неполное сообщение отброшено (${why.ru})`, en: `${where}: an incomplete message was discarded (${why.en})` },
    {
      ru: 'Прибор обычно повторяет передачу сам; если результатов нет — отправьте их с прибора ещё раз',
      en: 'The instrument usually sends it again; if the results do not arrive, resend them from the instrument',
    },
  );
}

function noSampleFault(where: string, line: string): DeviceFault {
  return deviceFault(
    'DEVICE_ERROR',
    {
      ru: `${where}: пришёл результат «${line.trim()}», но проба не выбрана — он не записан`,
      en: `${where}: a reading "${line.trim()}" arrived but no sample is chosen, so it was not recorded`,
    },
    {
      ru: 'Выберите партию или проверку для прибора и повторите измерение',
      en: 'Choose the lot or inspection for the instrument and measure again',
    },
  );
}

function noProfileFault(where: string, detail: string): DeviceFault {
  return deviceFault(
    'PROTOCOL',
    { ru: `${where}: профиль прибора не задан или неверен (${detail})`, en: `${where}: the instrument profile is missing or invalid (${detail})` },
    { ru: 'Выберите профиль прибора в настройках устройства', en: 'Pick an instrument profile in the device settings' },
  );
}

/** Line-output instruments: ask every intervalMs (when the profile has a command), match lines. */
class LabLineDriver extends TransportDriver {
  private readonly profile: LabLineProfile | undefined;
  private match: ((line: string) => LineMatch | null) | null = null;
  private readonly lines = new LineReader();
  private sample: string | null = null;
  private readonly silence: Watchdog | null;

  constructor(config: DeviceConfig, context: DriverContext) {
    super(config, context);
    this.profile = (config.options as LabOptions).profile;
    // an instrument that is asked and never answers is worth a fault; one that prints by itself is not
    const silentMs = this.profile?.command ? Math.max(2_000, 2 * this.profile.intervalMs) : null;
    this.silence =
      silentMs === null
        ? null
        : new Watchdog(this.timers, silentMs, (first) => {
            if (first) this.fault(timeoutFault(this.where, silentMs));
          });
  }

  override async open(): Promise<void> {
    if (!this.profile) throw new DeviceFaultError(noProfileFault(this.where, 'no profile'));
    try {
      this.match ??= lineMatcher(this.profile);
    } catch (error) {
      throw new DeviceFaultError(noProfileFault(this.where, error instanceof Error ? error.message : String(error)));
    }
    await super.open();
  }

  setSample(sampleId: string | null): void {
    const id = sampleId?.trim() ?? '';
    this.sample = id === '' ? null : id;
  }

  protected override started(): void {
    this.lines.reset();
    const command = this.profile?.command;
    if (!command || !this.profile) return;
    const bytes = commandBytes(command);
    this.send(bytes);
    this.timers.every(this.profile.intervalMs, () => this.send(bytes));
    this.silence?.feed();
  }

  protected received(bytes: Uint8Array): void {
    for (const item of this.lines.push(bytes)) {
      if ('line' in item) this.line(item.line);
      else this.fault(protocolFault(this.where, `a ${item.overflow}-byte line`));
    }
  }

  private line(text: string): void {
    this.silence?.feed();
    const found = this.match?.(text) ?? null;
    const profile = this.profile;
    if (!found || !profile) {
      this.emit((l) => l.line?.(text));
      return;
    }
    const sampleId = this.sample;
    if (sampleId === null) {
      // never dropped without a word: the line is shown and the user told why it went nowhere
      this.emit((l) => l.line?.(text));
      this.fault(noSampleFault(this.where, text));
      return;
    }
    const result = { testCode: profile.testCode, value: found.value, numeric: found.numeric, unit: profile.unit };
    const at = this.context.now();
    this.emit((l) => l.lab?.({ sampleId, results: [result] }, at));
  }
}

export function createLabDriver(config: DeviceConfig, context: DriverContext): TransportDriver {
  return config.protocol === 'lab-line' ? new LabLineDriver(config, context) : new AstmDriver(config, context);
}
