// Barcode scans on a screen: keyboard-wedge scanners caught from the keyboard (timing decides,
// see scanWedge.ts) and serial/HID scanners arriving as `device.scan` events — both read by the
// `scans.resolve` operation, which says what the code names (our lot, a product, a supplier's
// label to receive). `ScanReport` shows what was read, field by field, or why it was refused.
import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperationError } from '../../../main/contract/errors';
import type { OperationOutput } from '../../../main/contract/operations';
import { api } from '../api/client';
import { useDeviceEvent } from '../api/devices';
import { ErrorBanner } from './forms';
import { GS, KeyboardWedge, WEDGE_TIMING, wedgeGapFrom } from './scanWedge';

/** Where this PC keeps its keyboard-wedge gap (Settings → Devices). */
export const WEDGE_GAP_KEY = 'plantdesk.wedgeGapMs';

export type ScanResolved = OperationOutput<'scans.resolve'>;
export type ScanOutcome = { raw: string; device: string } & ({ ok: true; value: ScanResolved } | { ok: false; error: OperationError });

/** Takes `text` back out of the input it was typed into, just before the caret (React sees the change). */
function retract(target: EventTarget | null, text: string): void {
  if (!(target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement)) return;
  let caret: number | null;
  try {
    caret = target.selectionStart; // null (or a throw) for inputs without a caret: date, number…
  } catch {
    return;
  }
  if (caret === null || caret !== target.selectionEnd) return;
  const before = target.value.slice(0, caret);
  if (!before.endsWith(text)) return;
  const value = before.slice(0, -text.length) + target.value.slice(caret);
  const prototype = target instanceof HTMLInputElement ? HTMLInputElement.prototype : HTMLTextAreaElement.prototype;
  Object.getOwnPropertyDescriptor(prototype, 'value')?.set?.call(target, value);
  target.setSelectionRange(caret - text.length, caret - text.length);
  target.dispatchEvent(new Event('input', { bubbles: true }));
}

/**
 * Catches keyboard-wedge scans anywhere in the window while mounted and enabled. The keys of a
 * scan never reach the focused input; a person's typing is never touched.
 */
export function useKeyboardWedge(onScan: (raw: string) => void, enabled = true): void {
  const latest = useRef(onScan);
  latest.current = onScan;
  useEffect(() => {
    if (!enabled) return;
    const wedge = new KeyboardWedge({ ...WEDGE_TIMING, gapMs: wedgeGapFrom(localStorage.getItem(WEDGE_GAP_KEY)) });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (raw: string | null) => {
      if (raw) latest.current(raw);
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.isComposing) return;
      clearTimeout(timer);
      finish(wedge.idle(event.timeStamp));
      const action = wedge.key({ key: event.key, at: event.timeStamp, ctrl: event.ctrlKey, alt: event.altKey, meta: event.metaKey, repeat: event.repeat });
      if (action.kind === 'pass') return;
      event.preventDefault();
      event.stopPropagation();
      if (action.kind === 'scan') return finish(action.raw);
      if (action.retract) retract(event.target, action.retract);
      // A scanner without a suffix key: the scan ends with its silence.
      timer = setTimeout(() => finish(wedge.idle(performance.now())), WEDGE_TIMING.idleMs + 20);
    };
    // Capture phase: the scan's keys are stopped before any input or shortcut sees them.
    window.addEventListener('keydown', onKeyDown, true);
    return () => {
      window.removeEventListener('keydown', onKeyDown, true);
      clearTimeout(timer);
    };
  }, [enabled]);
}

/**
 * Every scan on this screen (keyboard wedge and device scanners), read by `scans.resolve`. A
 * serial/HID scanner's scan reaches every open window — other screens of this PC, tablets on the
 * LAN — so only the window the user is working in (the one with focus) acts on it; keyboard
 * scans only ever reach the focused window anyway.
 */
export function useScans(onScan: (outcome: ScanOutcome) => void, enabled = true): void {
  const latest = useRef(onScan);
  latest.current = onScan;
  const resolve = async (raw: string, device: string) => {
    const result = await api.result('scans.resolve', { raw, device });
    latest.current(result.ok ? { raw, device, ok: true, value: result.value } : { raw, device, ok: false, error: result.error });
  };
  useKeyboardWedge((raw) => void resolve(raw, 'keyboard'), enabled);
  useDeviceEvent(
    'device.scan',
    (scan) => {
      if (document.hasFocus()) void resolve(scan.raw, scan.device);
    },
    enabled,
  );
}

/** Whether a scan is refused: not read at all, or read with any error (never half-used). */
export function scanRefused(outcome: ScanOutcome): boolean {
  return !outcome.ok || outcome.value.scan.errors.length > 0;
}

/** What was scanned: the code, its GS1 fields, and its errors when it was refused. */
export function ScanReport({ outcome, onDismiss, children }: { outcome: ScanOutcome; onDismiss(): void; children?: ReactNode }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'en' ? 'en' : 'ru';
  const scan = outcome.ok ? outcome.value.scan : null;
  const refused = scanRefused(outcome);
  const shown = outcome.raw.replaceAll(GS, '⟨GS⟩');
  return (
    <section className={`scan-report${refused ? ' scan-report-refused' : ''}`} aria-label={t('devices.scan.report')} data-testid="scan-report">
      <div className="scan-report-head">
        <strong>{refused ? t('devices.scan.refused') : t('devices.scan.read')}</strong>
        <span className="muted">{outcome.device === 'keyboard' ? t('devices.scan.fromKeyboard') : t('devices.scan.fromDevice', { device: outcome.device })}</span>
        <code className="lp-mono scan-raw" title={shown}>
          {shown}
        </code>
        <span className="lp-spacer" />
        <button type="button" className="btn btn-secondary" onClick={onDismiss}>
          {t('devices.scan.dismiss')}
        </button>
      </div>
      {!outcome.ok ? <ErrorBanner error={outcome.error} /> : null}
      {scan && scan.errors.length > 0 ? (
        <ul className="banner banner-error scan-errors" role="alert">
          {scan.errors.map((e, i) => (
            <li key={`${e.code}-${i}`}>{e[lang]}</li>
          ))}
        </ul>
      ) : null}
      {scan && scan.fields.length > 0 ? (
        <table className="dv-table" aria-label={t('devices.scan.fields')}>
          <thead>
            <tr>
              <th>{t('devices.scan.ai')}</th>
              <th>{t('devices.scan.field')}</th>
              <th>{t('devices.scan.value')}</th>
            </tr>
          </thead>
          <tbody>
            {scan.fields.map((f, i) => (
              <tr key={`${f.ai}-${i}`}>
                <td className="lp-mono">({f.ai})</td>
                <td>{f.name}</td>
                <td className="lp-mono">{f.date ?? (f.decimal !== undefined ? String(f.decimal) : f.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {children}
    </section>
  );
}
