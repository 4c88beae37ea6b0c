// USB HID Point-of-Sale barcode scanners (usage page 0x8C): pure decoding of the scanned-data
// input reports, no I/O. Report 0x02, after the report id: byte 0 the number of data bytes in this
// report, bytes 1–3 the AIM symbology identifier (`]C1`; zeros when the scanner sends none), the
// data from byte 4 (at most 56 bytes per report), byte 62 non-zero when more reports follow.
// node-hid hands over a report with its id in front for devices with numbered reports; some
// platforms and devices give it without: both are accepted.

export const HID_POS_REPORT_ID = 0x02;
/** Payload of a scanned-data report (after the report id). */
export const HID_POS_PAYLOAD = 63;
/** Decoded data bytes one report can carry. */
export const HID_POS_MAX_DATA = 56;
const DATA_AT = 4;
const MORE_AT = 62;
/** A scan longer than this is refused (no barcode this plant meets comes near it). */
export const HID_POS_MAX_SCAN = 4096;
/** Continuation reports arrive back to back; a gap longer than this means the rest was lost. */
export const HID_POS_GAP_MS = 1_000;

export type HidPosEvent = { scan: string; aim: string | null } | { error: string };

const utf8 = new TextDecoder('utf-8');

const isAim = (b: ArrayLike<number>, at: number): boolean =>
  b[at] === 0x5d && /^[A-Za-z][0-9A-Za-z]$/.test(String.fromCharCode(b[at + 1] ?? 0, b[at + 2] ?? 0));
const isZeroAim = (b: ArrayLike<number>, at: number): boolean => b[at] === 0 && b[at + 1] === 0 && b[at + 2] === 0;

/**
 * The payload of a report (without the report id), or null for a report that is not scanned
 * data. The AIM identifier's position tells whether the id is there (`]` at byte 2 with the id,
 * at byte 1 without: both cannot hold, an AIM's second character is a letter); without an AIM,
 * the size does (64 bytes with the id, 63 without).
 */
function payloadOf(report: Uint8Array): Uint8Array | null {
  if (report.length === 0) return null;
  const idFirst = report[0] === HID_POS_REPORT_ID;
  if (idFirst && isAim(report, 2)) return report.subarray(1);
  if (isAim(report, 1)) return report;
  if (report.length > HID_POS_PAYLOAD) return idFirst ? report.subarray(1) : null;
  return report;
}

/**
 * Joins the reports of one scan. `push` takes each input report as the device sent it and the
 * time it arrived, and returns finished scans (AIM prefix kept in front of the data, as serial
 * scanners send it, so `parseScan` reads both the same way) and errors for reports that cannot be
 * read. Never throws.
 */
export class HidPosDecoder {
  private parts: Uint8Array[] = [];
  private size = 0;
  private aim: string | null = null;
  private lastAt = 0;
  /** The scan being received was refused: its remaining reports are dropped. */
  private skipping = false;

  push(report: Uint8Array, at: number): HidPosEvent[] {
    const out: HidPosEvent[] = [];
    if ((this.parts.length > 0 || this.skipping) && at - this.lastAt > HID_POS_GAP_MS) {
      if (!this.skipping) out.push({ error: 'scan cut off: its last report never arrived' });
      this.reset();
    }
    this.lastAt = at;
    const payload = payloadOf(report);
    if (payload === null) return out; // another report of the device (status, settings)
    const more = (payload[MORE_AT] ?? 0) !== 0;
    if (this.skipping) {
      if (!more) this.reset();
      return out;
    }
    const length = payload[0] ?? 0;
    let error: string | null = null;
    if (payload.length < DATA_AT || length > HID_POS_MAX_DATA || DATA_AT + length > payload.length) {
      error = `malformed scanned-data report (length byte ${length}, ${payload.length} bytes)`;
    } else if (this.parts.length > 0 && !isZeroAim(payload, 1) && !isAim(payload, 1)) {
      error = 'malformed continuation report';
    } else if (this.size + length > HID_POS_MAX_SCAN) {
      error = `scan longer than ${HID_POS_MAX_SCAN} bytes`;
    }
    if (error !== null) {
      out.push({ error });
      this.reset();
      this.skipping = more; // the rest of this scan cannot be used either
      return out;
    }
    if (this.parts.length === 0) this.aim = isAim(payload, 1) ? String.fromCharCode(...payload.subarray(1, 4)) : null;
    this.parts.push(payload.slice(DATA_AT, DATA_AT + length));
    this.size += length;
    if (more) return out;
    const data = new Uint8Array(this.size);
    let offset = 0;
    for (const p of this.parts) {
      data.set(p, offset);
      offset += p.length;
    }
    const aim = this.aim;
    this.reset();
    // decoded as a whole: a UTF-8 character may be split between two reports
    const text = utf8.decode(data);
    if (text.length === 0) out.push({ error: 'empty scan' });
    else out.push({ scan: `${aim ?? ''}${text}`, aim });
    return out;
  }

  reset(): void {
    this.parts = [];
    this.size = 0;
    this.aim = null;
    this.skipping = false;
  }
}

/** Builds the reports of one scan (tests and simulators). `withId` puts the report id in front. */
export function encodeHidPosReports(data: Uint8Array, aim: string | null, withId = true): Uint8Array[] {
  const reports: Uint8Array[] = [];
  for (let at = 0; at < data.length || reports.length === 0; at += HID_POS_MAX_DATA) {
    const chunk = data.subarray(at, at + HID_POS_MAX_DATA);
    const payload = new Uint8Array(HID_POS_PAYLOAD);
    payload[0] = chunk.length;
    if (aim !== null) payload.set(Array.from(aim.slice(0, 3), (c) => c.charCodeAt(0)), 1);
    payload.set(chunk, DATA_AT);
    payload[MORE_AT] = at + HID_POS_MAX_DATA < data.length ? 1 : 0;
    reports.push(withId ? Uint8Array.from([HID_POS_REPORT_ID, ...payload]) : payload);
  }
  return reports;
}
