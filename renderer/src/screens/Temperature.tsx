// «Температура»: every sensor channel as a card (last value against its limits, live from the
// sensors), the history of the chosen one as a chart with its limit lines over a day, a week, a
// month or a year, and the alert log where an alert is acknowledged with the action taken (HACCP).
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChartData, ChartOptions } from 'chart.js';
import type { SensorSampleEvent } from '../../../main/contract/devices';
import type { OperationOutput } from '../../../main/contract/operations';
import { useDeviceEvent } from '../api/devices';
import { useMutation, useQuery } from '../api/hooks';
import { useSession } from '../app/App';
import { useAlertText, type AlertRow } from '../components/AlertBanner';
import { ChartCanvas } from '../components/Chart';
import { DataTable, Pager, type Column } from '../components/DataTable';
import { Button, ErrorBanner, Field, fieldError, TextInput } from '../components/forms';
import { dateTime, sensorValue } from '../format';

type Latest = OperationOutput<'sensors.latest'>['rows'][number];
type Quantity = Latest['quantity'];
type Period = 'day' | 'week' | 'month' | 'year';

const HOUR = 3_600_000;
const PERIODS: Record<Period, number> = { day: 24 * HOUR, week: 7 * 24 * HOUR, month: 30 * 24 * HOUR, year: 365 * 24 * HOUR };
const ALERT_PAGE = 100;
const LIMIT_COLOUR = '#b42318';
const channelKey = (device: string, quantity: Quantity) => `${device}|${quantity}`;

function outOfRange(value: number | null, min: number | null, max: number | null): boolean {
  return value !== null && ((min !== null && value < min) || (max !== null && value > max));
}

export function TemperatureScreen() {
  const { t } = useTranslation();
  const [chosen, setChosen] = useState<{ device: string; quantity: Quantity } | null>(null);
  const latest = useQuery('sensors.latest', {});
  useDeviceEvent('device.alert', latest.reload);
  const rows = latest.data?.rows ?? [];
  const current = chosen ?? (rows[0] ? { device: rows[0].device, quantity: rows[0].quantity } : null);
  const row = current ? rows.find((r) => r.device === current.device && r.quantity === current.quantity) : undefined;
  return (
    <>
      <h1>{t('temperature.title')}</h1>
      <ErrorBanner error={latest.error} />
      <SensorCards rows={rows} loaded={latest.data !== undefined} chosen={current} onChoose={setChosen} />
      {current && row ? <History device={current.device} quantity={current.quantity} name={row.name} /> : null}
      <Alerts />
    </>
  );
}

// ── cards ───────────────────────────────────────────────────────────────────────────────────

function SensorCards({ rows, loaded, chosen, onChoose }: { rows: Latest[]; loaded: boolean; chosen: { device: string; quantity: Quantity } | null; onChoose(c: { device: string; quantity: Quantity }): void }) {
  const { t } = useTranslation();
  // Samples arriving after the list was read (the list itself is read again when the workspace changes).
  const [live, setLive] = useState<ReadonlyMap<string, SensorSampleEvent>>(() => new Map());
  useDeviceEvent('device.sample', (s) => setLive((m) => new Map(m).set(channelKey(s.device, s.quantity), s)));
  if (loaded && rows.length === 0) return <div className="card muted">{t('temperature.noSensors')}</div>;
  return (
    <ul className="tm-cards" aria-label={t('temperature.sensors')}>
      {rows.map((r) => {
        const sample = live.get(channelKey(r.device, r.quantity));
        const fresher = sample && (r.at === null || sample.at > r.at);
        const v = fresher ? sample.value : r.value;
        const at = fresher ? sample.at : r.at;
        const tone = v === null ? 'none' : outOfRange(v, r.min, r.max) ? 'out' : 'in';
        const selected = chosen?.device === r.device && chosen.quantity === r.quantity;
        const title = `${r.name} · ${t(`devices.quantity.${r.quantity}`)}`;
        return (
          <li key={channelKey(r.device, r.quantity)}>
            <article className={`tm-card tm-${tone}${selected ? ' tm-selected' : ''}`} aria-label={title} data-sensor={r.device} data-quantity={r.quantity}>
              <header className="tm-card-head">
                <strong>{r.name}</strong>
                <span className="muted lp-mono">{r.device}</span>
              </header>
              <div className="muted tm-where">{[r.location, r.equipment, t(`devices.quantity.${r.quantity}`)].filter(Boolean).join(' · ')}</div>
              <div className="tm-value" data-testid="sensor-value">
                {v === null ? t('temperature.noValue') : sensorValue(v, r.quantity)}
              </div>
              {fresher && sample.error ? <div className="field-error">{sample.error}</div> : null}
              <div className="tm-limits">{t('temperature.limits', { range: limitsText(r.min, r.max, r.quantity, t('temperature.noLimits')) })}</div>
              <div className="tm-foot">
                <span className={`status ${tone === 'out' ? 'status-fail' : tone === 'in' ? 'status-pass' : ''}`}>{t(`temperature.tone.${tone}`)}</span>
                {r.open_alert ? <span className="status status-fail tm-alarm">{t('temperature.alarm')}</span> : null}
                <span className="muted">{at ? dateTime(at) : '—'}</span>
              </div>
              <Button type="button" aria-pressed={selected} onClick={() => onChoose({ device: r.device, quantity: r.quantity })} aria-label={t('temperature.showChartOf', { name: title })}>
                {t('temperature.showChart')}
              </Button>
            </article>
          </li>
        );
      })}
    </ul>
  );
}

function limitsText(min: number | null, max: number | null, quantity: Quantity, none: string): string {
  if (min === null && max === null) return none;
  return `${min === null ? '…' : sensorValue(min, quantity)} … ${max === null ? '…' : sensorValue(max, quantity)}`;
}

// ── history chart ───────────────────────────────────────────────────────────────────────────

function History({ device, quantity, name }: { device: string; quantity: Quantity; name: string }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language === 'en' ? 'en-GB' : 'ru-RU';
  const [period, setPeriod] = useState<Period>('day');
  // The window ends "now" as of the last choice, moved on every minute (a moving `to` in render would re-ask forever).
  const [to, setTo] = useState(Date.now);
  useEffect(() => {
    setTo(Date.now());
    const timer = setInterval(() => setTo(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, [device, quantity, period]);
  const from = to - PERIODS[period];
  const series = useQuery('sensors.series', { device, quantity, from, to, maxPoints: 500 });
  const unit = quantity === 'temperature' ? '°C' : '%';
  const s = series.data;

  const label = useMemo(() => {
    const format: Intl.DateTimeFormatOptions =
      period === 'day' ? { hour: '2-digit', minute: '2-digit' } : period === 'year' ? { day: '2-digit', month: '2-digit', year: '2-digit' } : { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' };
    return (at: number) => new Date(at).toLocaleString(locale, format);
  }, [period, locale]);

  // Time runs on a linear axis over the whole period, so a gap in the readings shows as a gap.
  const data = useMemo<ChartData<'line'>>(() => {
    const points = s?.points ?? [];
    const line = (text: string, y: (p: (typeof points)[number]) => number, colour: string, extra: object = {}) => ({
      label: text,
      data: points.map((p) => ({ x: p.at, y: y(p) })),
      borderColor: colour,
      backgroundColor: colour,
      pointRadius: 0,
      borderWidth: 2,
      ...extra,
    });
    const sets = [line(t('temperature.avg'), (p) => p.avg, '#0b5cad')];
    // A bucket has a spread worth showing; raw samples do not.
    if (s && s.resolution !== 'raw') {
      sets.push(line(t('temperature.min'), (p) => p.min, '#7fb0e0', { borderWidth: 1 }));
      sets.push(line(t('temperature.max'), (p) => p.max, '#7fb0e0', { borderWidth: 1 }));
    }
    return { labels: points.map((p) => label(p.at)), datasets: sets };
  }, [s, label, t]);

  // The limits are red grid lines across the whole period (ticks added at their values).
  const limits = useMemo(() => [s?.limits.min, s?.limits.max].filter((v): v is number => typeof v === 'number'), [s]);

  const options = useMemo<ChartOptions<'line'>>(
    () => ({
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: { type: 'linear', min: from, max: to, ticks: { maxTicksLimit: 8, maxRotation: 0, callback: (v) => label(Number(v)) } },
        y: {
          title: { display: true, text: unit },
          ...(limits.length ? { suggestedMin: Math.min(...limits), suggestedMax: Math.max(...limits) } : {}),
          afterBuildTicks: (axis) => {
            for (const v of limits) if (!axis.ticks.some((tick) => tick.value === v)) axis.ticks.push({ value: v });
            axis.ticks.sort((a, b) => a.value - b.value);
          },
          grid: {
            color: (c) => (limits.includes(c.tick?.value) ? LIMIT_COLOUR : 'rgba(0, 0, 0, 0.1)'),
            lineWidth: (c) => (limits.includes(c.tick?.value) ? 2 : 1),
          },
        },
      },
      plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { title: (items) => (items[0] ? label(items[0].parsed.x ?? 0) : '') } } },
    }),
    [unit, from, to, label, limits],
  );
  const limitsLine = limits.length ? t('temperature.limitLines', { range: limitsText(s?.limits.min ?? null, s?.limits.max ?? null, quantity, '') }) : t('temperature.noLimitLines');

  return (
    <section className="chart-box tm-history" aria-labelledby="tm-history-title">
      <div className="dash-chart-head">
        <h2 id="tm-history-title">{t('temperature.history', { name, quantity: t(`devices.quantity.${quantity}`) })}</h2>
        <div className="pd-segment" role="group" aria-label={t('temperature.period')}>
          {(Object.keys(PERIODS) as Period[]).map((p) => (
            <button key={p} type="button" className={`btn ${p === period ? 'btn-primary' : 'btn-secondary'}`} aria-pressed={p === period} onClick={() => setPeriod(p)}>
              {t(`temperature.periods.${p}`)}
            </button>
          ))}
        </div>
      </div>
      <ErrorBanner error={series.error} />
      {s && s.points.length === 0 ? (
        <div className="dash-chart-empty muted">{t('temperature.noHistory')}</div>
      ) : (
        <ChartCanvas
          type="line"
          data={data}
          options={options}
          label={`${t('temperature.chartLabel', { name, period: t(`temperature.periods.${period}`) })}. ${limitsLine}`}
          categoryHeader={t('temperature.time')}
          format={(v) => `${v.toLocaleString(locale, { maximumFractionDigits: 1 })} ${unit}`}
          testId="sensor-chart"
        />
      )}
      <div className="field-hint">
        {limits.length ? <span className="tm-limit-key" aria-hidden="true" /> : null} {limitsLine}
        {s && s.resolution !== 'raw' ? ` · ${t(`temperature.resolution.${s.resolution}`, { minutes: Math.round(s.stepMs / 60_000) })}` : ''}
      </div>
    </section>
  );
}

// ── alerts ──────────────────────────────────────────────────────────────────────────────────

function Alerts() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [offset, setOffset] = useState(0);
  const [pending, setPending] = useState(false);
  const [chosen, setChosen] = useState<string>();
  const list = useQuery('alerts.list', { ...(pending ? { unacknowledged: true } : {}), limit: ALERT_PAGE, offset });
  useDeviceEvent('device.alert', list.reload);
  const rows = list.data?.rows ?? [];
  const alert = rows.find((a) => a.id === chosen);
  const columns: Column<AlertRow>[] = [
    { key: 'start', header: t('temperature.col.started'), width: '9.5rem', render: (a) => dateTime(a.started_at) },
    { key: 'sensor', header: t('temperature.col.sensor'), width: 'minmax(8rem, 1fr)', render: (a) => <span title={a.device_code}>{a.device_name}</span> },
    { key: 'where', header: t('temperature.col.where'), width: '8rem', render: (a) => [a.location_code, a.equipment_code].filter(Boolean).join(' · ') || '—' },
    { key: 'kind', header: t('temperature.col.kind'), width: '9rem', render: (a) => t(`temperature.kind.${a.kind}`) },
    { key: 'limit', header: t('temperature.col.limit'), width: '6rem', align: 'right', render: (a) => sensorValue(a.limit_value, a.quantity) },
    { key: 'peak', header: t('temperature.col.peak'), width: '6rem', align: 'right', render: (a) => sensorValue(a.peak_value, a.quantity) },
    { key: 'end', header: t('temperature.col.ended'), width: '9.5rem', render: (a) => (a.ended_at === null ? <span className="status status-fail">{t('temperature.ongoing')}</span> : dateTime(a.ended_at)) },
    {
      key: 'ack',
      header: t('temperature.col.acknowledged'),
      width: 'minmax(10rem, 1.5fr)',
      render: (a) =>
        a.acknowledged_at === null ? (
          <span className="status status-open">{t('temperature.notAcknowledged')}</span>
        ) : (
          <span title={a.note ?? ''}>
            {a.acknowledged_by_name ?? '—'}, {dateTime(a.acknowledged_at)}: {a.note}
          </span>
        ),
    },
  ];
  return (
    <section className="tm-alerts" aria-labelledby="tm-alerts-title">
      <div className="dash-chart-head">
        <h2 id="tm-alerts-title">{t('temperature.alerts')}</h2>
        <label className="toggle">
          <input type="checkbox" checked={pending} onChange={(e) => (setPending(e.target.checked), setOffset(0))} /> {t('temperature.onlyPending')}
        </label>
      </div>
      <ErrorBanner error={list.error} />
      <DataTable columns={columns} rows={rows} rowKey={(a) => a.id} label={t('temperature.alertsLabel')} onActivate={(a) => setChosen(a.id)} height={Math.max(48, Math.min(rows.length, 8) * 36 + 2)} testId="alerts-table" />
      <Pager offset={offset} limit={ALERT_PAGE} total={list.data?.total ?? 0} onChange={setOffset} />
      {alert && alert.acknowledged_at === null ? (
        can('alerts.acknowledge') ? (
          <Acknowledge key={alert.id} alert={alert} onDone={() => setChosen(undefined)} />
        ) : (
          <div className="banner banner-warn">{t('temperature.cannotAcknowledge')}</div>
        )
      ) : null}
    </section>
  );
}

function Acknowledge({ alert, onDone }: { alert: AlertRow; onDone(): void }) {
  const { t, i18n } = useTranslation();
  const describe = useAlertText();
  const [note, setNote] = useState('');
  const [tried, setTried] = useState(false);
  const acknowledge = useMutation('alerts.acknowledge');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!note.trim()) return;
    if (await acknowledge.run({ id: alert.id, note: note.trim() })) onDone();
  };
  return (
    <form className="card tm-ack" onSubmit={submit} aria-labelledby="tm-ack-title" noValidate>
      <h3 id="tm-ack-title">{t('temperature.acknowledgeTitle')}</h3>
      <p>{describe(alert)}</p>
      <Field label={t('temperature.note')} error={fieldError(acknowledge.error, 'note', i18n.language) ?? (tried && !note.trim() ? t('temperature.noteRequired') : undefined)} hint={t('temperature.noteHint')} wide>
        {(id) => <TextInput id={id} value={note} onChange={setNote} maxLength={1000} autoFocus />}
      </Field>
      <ErrorBanner error={acknowledge.error} shownFields={['note']} />
      <div className="actions">
        <Button type="button" onClick={onDone}>
          {t('common.cancel')}
        </Button>
        <Button kind="primary" type="submit" pending={acknowledge.pending}>
          {t('temperature.acknowledge')}
        </Button>
      </div>
    </form>
  );
}
