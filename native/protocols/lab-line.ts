// Simple line-output instruments (moisture analysers, pH meters) and line-based devices in
// general (serial barcode scanners): pure code, no I/O. Bytes become lines (CR, LF or CR LF, with
// a bound on the length); a profile's regular expression with a named group `value` turns a line
// into a reading. The profiles of known instruments are in main/contract/device-presets.ts.
import type { LabLineProfile } from '../../main/contract/devices.js';
import { parseNumeric } from './astm/e1394.js';

// ── lines ───────────────────────────────────────────────────────────────────────────────────

/** Longer lines are dropped: no instrument or barcode sends that much in one line. */
export const MAX_LINE_BYTES = 4096;

/** A complete non-blank line, or the size of a line that was dropped for being too long. */
export type LineEvent = { line: string } | { overflow: number };

const CR = 0x0d;
const LF = 0x0a;
const utf8 = new TextDecoder('utf-8');

/**
 * Splits a byte stream into lines at CR, LF or CR LF, whichever the device uses (a CR LF pair
 * only yields an empty line between them, and blank lines are skipped). Text is UTF-8; invalid
 * bytes become U+FFFD rather than an exception.
 */
export class LineReader {
  private parts: Uint8Array[] = [];
  private size = 0;
  /** Bytes of the current line dropped so far (0 while it fits). */
  private dropped = 0;

  constructor(readonly maxBytes = MAX_LINE_BYTES) {}

  push(bytes: Uint8Array): LineEvent[] {
    const out: LineEvent[] = [];
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b !== CR && b !== LF) continue;
      this.take(bytes.subarray(start, i));
      this.end(out);
      start = i + 1;
    }
    this.take(bytes.subarray(start));
    return out;
  }

  reset(): void {
    this.parts = [];
    this.size = 0;
    this.dropped = 0;
  }

  private take(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.dropped > 0 || this.size + chunk.length > this.maxBytes) {
      this.dropped += this.size + chunk.length;
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(chunk.slice()); // the transport may reuse its buffer
    this.size += chunk.length;
  }

  private end(out: LineEvent[]): void {
    if (this.dropped > 0) out.push({ overflow: this.dropped });
    else if (this.size > 0) {
      const whole = new Uint8Array(this.size);
      let at = 0;
      for (const p of this.parts) {
        whole.set(p, at);
        at += p.length;
      }
      const line = utf8.decode(whole);
      if (line.trim() !== '') out.push({ line });
    }
    this.reset();
  }
}

// ── profiles ────────────────────────────────────────────────────────────────────────────────

export interface LineMatch {
  /** The value as the instrument wrote it, without spaces, a `+` sign or a decimal comma. */
  value: string;
  /** The number, or null when the value is not one (`----`, `Err`). */
  numeric: number | null;
}

/**
 * Compiles a profile's pattern once (it was validated by the contract, so a bad pattern throws
 * here only for unvalidated input). A line matches when the pattern finds a `value` group.
 */
export function lineMatcher(profile: Pick<LabLineProfile, 'pattern'>): (line: string) => LineMatch | null {
  const pattern = new RegExp(profile.pattern);
  return (line) => {
    const found = pattern.exec(line)?.groups?.['value'];
    if (found === undefined) return null;
    // `+   22.4` (sign, then the number right-aligned in its column) reads as one number
    const text = found.trim().replace(/^([+-])\s+/, '$1');
    if (text === '') return null;
    const numeric = parseNumeric(text);
    return { value: numeric === null ? text : text.replace(',', '.').replace(/^\+/, ''), numeric };
  };
}

export function matchLine(profile: Pick<LabLineProfile, 'pattern'>, line: string): LineMatch | null {
  return lineMatcher(profile)(line);
}

/**
 * The bytes that ask for a reading: the command, then CR LF unless the profile ends it itself
 * (a form field cannot hold CR; instruments that need a bare CR say so in their preset,
 * e.g. Hanna's `PH?\r` in LAB_LINE_PRESETS).
 */
export function commandBytes(command: string): Uint8Array {
  return new TextEncoder().encode(/[\r\n]$/.test(command) ? command : `${command}\r\n`);
}
