// The scale beside a form: the live weight in big digits, whether it is stable, what is wrong
// (overload, below zero, a scale error, the scale offline and why), Zero and Tare, and "Take
// weight" — allowed only for a stable reading; the device service checks it again (fresh,
// stable, above zero, within the scale's range) and its refusal is shown here in words.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CapturedWeight, DeviceStatus, WeightEvent } from '../../../main/contract/devices';
import { useDevices, useNow, useScale } from '../api/devices';
import { useMutation } from '../api/hooks';
import { useSession } from '../app/App';
import { kg } from '../format';
import { Button, errorText } from './forms';

/** The scale chosen on this PC, kept across sessions (each PC stands by its own scale). */
const SCALE_KEY = 'plantdesk.scale';
const DEFAULT_STALE_MS = 2_000;

type Condition = 'offline' | 'connecting' | 'waiting' | 'stale' | 'overload' | 'underload' | 'error' | 'moving' | 'stable';

function conditionOf(status: DeviceStatus | null, weight: WeightEvent | null, fresh: boolean): Condition {
  if (status?.state === 'error' || status?.state === 'disabled') return 'offline';
  if (status?.state === 'connecting') return 'connecting';
  if (!weight) return 'waiting';
  if (!fresh) return 'stale';
  if (weight.status !== 'ok') return weight.status;
  return weight.stable ? 'stable' : 'moving';
}

export function WeightWidget({ onCapture, target }: { onCapture(weight: CapturedWeight): void; /** Where a taken weight goes ("Line 2"). */ target?: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'en' ? 'en' : 'ru';
  const { can } = useSession();
  const headingId = useId();
  const scales = useDevices('scale');
  const active = scales.rows.filter((d) => d.active === 1);
  const [chosen, setChosen] = useState(() => localStorage.getItem(SCALE_KEY) ?? '');
  const device = active.find((d) => d.code === chosen) ?? active[0] ?? null;
  const { latest, status, error } = useScale(device?.code ?? null);
  const weight = latest?.weight ?? null;
  const now = useNow(500);
  const capture = useMutation('devices.capture');
  const zero = useMutation('devices.zero');
  const tare = useMutation('devices.tare');
  const reconnect = useMutation('devices.reconnect');
  const actions = { capture, zero, tare, reconnect };
  const [last, setLast] = useState<keyof typeof actions>();
  const [taken, setTaken] = useState<CapturedWeight>();

  if (!scales.loaded) return null;
  if (!device) {
    return (
      <section className="ww ww-empty" aria-labelledby={headingId} data-testid="weight-widget">
        <h3 id={headingId}>{t('devices.weight.title')}</h3>
        <p className="muted">{t('devices.weight.noScale')}</p>
      </section>
    );
  }

  const staleMs = typeof device.options_config.staleMs === 'number' ? device.options_config.staleMs : DEFAULT_STALE_MS;
  // By this window's clock: the weight's own `at` comes from the PC, whose clock a tablet's may not match.
  const fresh = latest !== null && now - latest.receivedAt <= staleMs;
  const condition = conditionOf(status, weight, fresh);
  const mayUse = can('devices.use');
  const busy = capture.pending || zero.pending || tare.pending || reconnect.pending;
  const canTake = condition === 'stable' && (weight?.grams ?? 0) > 0;
  const refusal = (last ? actions[last].error : undefined) ?? error;

  const choose = (code: string) => {
    setChosen(code);
    localStorage.setItem(SCALE_KEY, code);
    setTaken(undefined);
  };
  const act = async (action: 'zero' | 'tare' | 'reconnect') => {
    setLast(action);
    setTaken(undefined);
    await actions[action].run({ device: device.code });
  };
  const take = async () => {
    setLast('capture');
    setTaken(undefined);
    const result = await capture.run({ device: device.code });
    if (result) {
      setTaken(result);
      onCapture(result);
    }
  };

  return (
    <section className={`ww ww-${condition}`} aria-labelledby={headingId} data-testid="weight-widget" data-scale={device.code}>
      <div className="ww-head">
        <h3 id={headingId}>{t('devices.weight.title')}</h3>
        <label className="ww-pick">
          <span className="sr-only">{t('devices.weight.choose')}</span>
          <select value={device.code} onChange={(e) => choose(e.target.value)} aria-label={t('devices.weight.choose')}>
            {active.map((d) => (
              <option key={d.code} value={d.code}>
                {d.code} · {d.name}
              </option>
            ))}
          </select>
        </label>
        {target ? <span className="ww-target">→ {target}</span> : null}
      </div>
      <div className="ww-display">
        <output className={`ww-digits${fresh ? '' : ' ww-digits-old'}`} aria-label={t('devices.weight.current')} data-testid="weight-value">
          {weight?.grams != null ? kg(weight.grams) : '—'}
        </output>
        <span className="ww-unit">{t('common.kg')}</span>
        <span className={`ww-stability${condition === 'stable' ? ' ww-stability-on' : ''}`} data-testid="weight-stability">
          {condition === 'stable' ? `● ${t('devices.weight.stable')}` : `◌ ${t('devices.weight.notStable')}`}
        </span>
        {weight?.net ? <span className="ww-net">{t('devices.weight.net', { tare: kg(weight.tareGrams ?? 0) })}</span> : null}
      </div>
      <div className="ww-condition" role="status" aria-live="polite">
        {condition === 'offline' ? <Offline status={status} lang={lang} /> : condition !== 'stable' && condition !== 'moving' ? t(`devices.weight.condition.${condition}`, { error: weight?.error ?? '' }) : null}
      </div>
      {mayUse ? (
        <div className="ww-actions">
          {condition === 'offline' ? (
            <Button type="button" pending={reconnect.pending} disabled={busy} onClick={() => void act('reconnect')}>
              {t('devices.weight.reconnect')}
            </Button>
          ) : null}
          <Button type="button" pending={zero.pending} disabled={busy || condition === 'offline'} onClick={() => void act('zero')}>
            {t('devices.weight.zero')}
          </Button>
          <Button type="button" pending={tare.pending} disabled={busy || condition === 'offline'} onClick={() => void act('tare')}>
            {t('devices.weight.tare')}
          </Button>
          <Button type="button" kind="primary" pending={capture.pending} disabled={busy || !canTake} onClick={() => void take()} title={canTake ? undefined : t('devices.weight.takeHint')}>
            {t('devices.weight.take')}
          </Button>
        </div>
      ) : null}
      {refusal ? (
        <div className="ww-refusal" role="alert">
          {errorText(refusal, lang)}
        </div>
      ) : null}
      {taken ? (
        <div className="ww-taken" role="status">
          {t('devices.weight.taken', { gross: kg(taken.gross_g), tare: kg(taken.tare_g), net: kg(taken.net_g), device: taken.device })}
        </div>
      ) : null}
    </section>
  );
}

function timeOf(ms: number, lang: 'ru' | 'en'): string {
  return new Date(ms).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'ru-RU');
}

/** Why the scale is offline, what to do, and when the next attempt comes. */
function Offline({ status, lang }: { status: DeviceStatus | null; lang: 'ru' | 'en' }) {
  const { t } = useTranslation();
  if (status?.state === 'disabled') return <>{t('devices.weight.condition.disabled')}</>;
  const fault = status?.fault;
  return (
    <span className="ww-fault">
      <strong>{fault ? fault.message[lang] : t('devices.weight.condition.offline')}</strong>
      {fault?.hint ? <span> {fault.hint[lang]}</span> : null}
      {status?.retryAt ? <span className="muted"> {t('devices.weight.retry', { attempt: status.attempt, at: timeOf(status.retryAt, lang) })}</span> : null}
    </span>
  );
}
