// Telling a barcode scanner that types like a keyboard (a "keyboard wedge") from a person, by
// timing alone: a scanner sends its characters a few milliseconds apart, a person never manages
// three keys in a row that fast. Pure — no DOM, no timers — so it is tested under Node; the hook
// in ScanCapture.tsx feeds it key events and acts on what it says.

export const WEDGE_TIMING = {
  /** Keys closer together than this belong to one burst. */
  gapMs: 30,
  /** This many keys in one burst make a scan (more than 2). */
  burstKeys: 3,
  /** A scan without a suffix key ends after this much silence. */
  idleMs: 200,
} as const;
export type WedgeTiming = { readonly [K in keyof typeof WEDGE_TIMING]: number };

/** What a PC may set its gap to: Bluetooth and older scanners are slower than 30 ms a key; a person is never faster than ~80. */
export const WEDGE_GAP_RANGE = { min: 10, max: 80 } as const;

/** The gap set for this PC (kept by the browser), or the default; anything out of range counts as unset. */
export function wedgeGapFrom(stored: string | null): number {
  const value = Number(stored);
  return stored !== null && Number.isInteger(value) && value >= WEDGE_GAP_RANGE.min && value <= WEDGE_GAP_RANGE.max ? value : WEDGE_TIMING.gapMs;
}

/** ASCII group separator: FNC1 between variable-length GS1 fields. */
export const GS = '\x1d';

export interface WedgeKey {
  /** `KeyboardEvent.key`. */
  key: string;
  /** When it was pressed, in ms of any monotonic clock (`KeyboardEvent.timeStamp`). */
  at: number;
  ctrl?: boolean;
  alt?: boolean;
  meta?: boolean;
  /** `KeyboardEvent.repeat`: the key is held down. Auto-repeat can be as fast as a scanner, but no scanner holds a key. */
  repeat?: boolean;
}

export type WedgeAction =
  /** A person's key, or one not yet known to be part of a scan: leave it alone. */
  | { kind: 'pass' }
  /**
   * Part of a scan: keep it out of the focused input. `retract` is the text of this scan that
   * was let through before the burst was recognised and should be taken back out of the input.
   */
  | { kind: 'swallow'; retract: string }
  /** The scan's suffix key (Enter): the scan is complete; keep the key too. */
  | { kind: 'scan'; raw: string };

const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock', 'NumLock']);

/** The character a key adds to a scan, or null for keys that add none (Backspace, F1, Ctrl+C…). */
function charOf(event: WedgeKey): string | null {
  if (event.key === GS) return GS;
  // Scanners set to "GS as Ctrl+]" send exactly that chord.
  if (event.ctrl && !event.alt && event.key === ']') return GS;
  if (event.key.length !== 1) return null;
  // AltGr arrives as Ctrl+Alt and still types a character; other chords are shortcuts.
  if (event.meta || (event.ctrl && !event.alt) || (event.alt && !event.ctrl)) return null;
  return event.key;
}

export class KeyboardWedge {
  private keys: { char: string; at: number }[] = [];
  private scanning = false;

  constructor(private readonly timing: WedgeTiming = WEDGE_TIMING) {}

  /** Whether a scan is under way (its keys are being kept out of the input). */
  get active(): boolean {
    return this.scanning;
  }

  key(event: WedgeKey): WedgeAction {
    if (this.scanning && (event.key === 'Enter' || event.key === 'Tab')) {
      const raw = this.text();
      this.reset();
      return { kind: 'scan', raw };
    }
    // A held key repeats as fast as a scanner types, but it is a person's: it adds nothing to a scan.
    const char = event.repeat ? null : charOf(event);
    if (char === null) {
      // Shift comes between the characters of a scan of capitals; it changes nothing.
      if (MODIFIERS.has(event.key)) return this.scanning ? { kind: 'swallow', retract: '' } : { kind: 'pass' };
      // Any other key is a person's (a scan is never interrupted by one in practice; if it is,
      // the scan still ends at its Enter or its silence).
      if (this.scanning) return { kind: 'swallow', retract: '' };
      this.reset();
      return { kind: 'pass' };
    }
    if (this.scanning) {
      this.keys.push({ char, at: event.at });
      return { kind: 'swallow', retract: '' };
    }
    const last = this.keys[this.keys.length - 1];
    if (!last || event.at - last.at >= this.timing.gapMs) this.keys = [];
    this.keys.push({ char, at: event.at });
    if (this.keys.length < this.timing.burstKeys) return { kind: 'pass' };
    this.scanning = true;
    // The keys before this one were let through; GS never types anything, so it is not taken back.
    const retract = this.keys
      .slice(0, -1)
      .map((k) => k.char)
      .filter((c) => c !== GS)
      .join('');
    return { kind: 'swallow', retract };
  }

  /** Call when no key came for a while: a scan silent for `idleMs` is complete. */
  idle(now: number): string | null {
    const last = this.keys[this.keys.length - 1];
    if (!this.scanning || !last || now - last.at < this.timing.idleMs) return null;
    const raw = this.text();
    this.reset();
    return raw;
  }

  private text(): string {
    return this.keys.map((k) => k.char).join('');
  }

  private reset(): void {
    this.keys = [];
    this.scanning = false;
  }
}
