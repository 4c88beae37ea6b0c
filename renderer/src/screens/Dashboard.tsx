// «Сводка»: the plant at a glance — KPI tiles (stock, quarantine, expiring, shipments this month)
// and charts over a chosen period: output by day and product, yield by product, the quality
// pass rate, stock by location, and the lots that expire within a week.
import type { ChartData, ChartOptions } from 'chart.js';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from '../api/hooks';
import { useSession } from '../app/App';
import { ChartCanvas, chartColour } from '../components/Chart';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorBanner, Field, Status } from '../components/forms';
import { date, kg } from '../format';
import type { OperationOutput } from '../../../main/contract/operations';

const DAY = 86_400_000;
const EXPIRY_DAYS = 7;
type ExpiringLot = OperationOutput<'stock.expiring'>['expiring'][number];

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}
function dayKey(ms: number): number {
  return startOfDay(ms);
}
function startOfMonth(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), 1).getTime();
}

export function DashboardScreen() {
  const { t, i18n } = useTranslation();
  const { can, navigate } = useSession();
  const lang = i18n.language;
  const locale = lang === 'en' ? 'en-GB' : 'ru-RU';
  const [days, setDays] = useState('30');

  // Stable within a day, so the queries' inputs do not change on every render.
  const today = startOfDay(Date.now());
  const period = useMemo(() => {
    const n = Number(days);
    return { days: n, from: today - (n - 1) * DAY, to: today + DAY };
  }, [days, today]);
  const monthStart = startOfMonth(today);

  const batches = useQuery('batches.list', { from: period.from - 7 * DAY, limit: 10_000 });
  const inspections = useQuery('inspections.list', { status: 'completed', limit: 10_000 });
  const byLocation = useQuery('stock.levels', { by: 'location', limit: 1000 });
  const expiring = useQuery('stock.expiring', { within_days: EXPIRY_DAYS, limit: 500 });
  const quarantine = useQuery('lots.list', { status: 'quarantine', in_stock: true, limit: 1 });
  const shipments = useQuery('shipments.list', { limit: 1000 });

  const kgFmt = (g: number) => `${kg(g)} ${t('common.kg')}`;
  const num = (n: number, digits = 0) => n.toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits });

  // ── KPIs ──────────────────────────────────────────────────────────────────────────────────
  const stockG = byLocation.data?.rows.reduce((s, r) => s + r.qty_g, 0);
  const shippedThisMonth = shipments.data?.rows.filter((s) => s.status === 'shipped' && (s.shipped_at ?? 0) >= monthStart).length;
  const draftsThisMonth = shipments.data?.rows.filter((s) => s.status === 'draft' && s.planned_date >= monthStart && s.planned_date < startOfMonth(monthStart + 32 * DAY)).length;

  // ── production by day and product (stacked) ───────────────────────────────────────────────
  const production = useMemo(() => {
    const dayList: number[] = [];
    for (let d = period.from; d < period.to; d += DAY) dayList.push(dayKey(d + DAY / 2));
    const index = new Map(dayList.map((d, i) => [d, i]));
    const perProduct = new Map<string, number[]>();
    for (const b of batches.data?.rows ?? []) {
      if (b.status === 'cancelled' || b.output_g <= 0) continue;
      const at = b.finished_at ?? b.started_at ?? b.planned_start;
      const i = index.get(dayKey(at));
      if (i === undefined) continue;
      const series = perProduct.get(b.product_code) ?? dayList.map(() => 0);
      series[i] = (series[i] ?? 0) + b.output_g / 1000;
      perProduct.set(b.product_code, series);
    }
    const products = [...perProduct.keys()].sort();
    const data: ChartData<'bar'> = {
      labels: dayList.map((d) => new Date(d).toLocaleDateString(locale, { day: '2-digit', month: '2-digit' })),
      datasets: products.map((p, i) => ({ label: p, data: perProduct.get(p)!.map((v) => Math.round(v * 1000) / 1000), backgroundColor: chartColour(i), stack: 'output' })),
    };
    const total = [...perProduct.values()].flat().reduce((s, v) => s + v, 0);
    return { data, total };
  }, [batches.data, period, locale]);

  // ── yield by product (average of done batches) ────────────────────────────────────────────
  const yields = useMemo(() => {
    const acc = new Map<string, { sum: number; n: number }>();
    for (const b of batches.data?.rows ?? []) {
      if (b.status !== 'done' || b.yield_pct === null) continue;
      const at = b.finished_at ?? b.planned_start;
      if (at < period.from || at >= period.to) continue;
      const a = acc.get(b.product_code) ?? { sum: 0, n: 0 };
      a.sum += b.yield_pct;
      a.n += 1;
      acc.set(b.product_code, a);
    }
    const products = [...acc.keys()].sort();
    const data: ChartData<'bar'> = {
      labels: products,
      datasets: [
        {
          label: t('dashboard.avgYield'),
          data: products.map((p) => Math.round((acc.get(p)!.sum / acc.get(p)!.n) * 10) / 10),
          backgroundColor: products.map((_, i) => chartColour(i)),
        },
      ],
    };
    return { data, batches: [...acc.values()].reduce((s, a) => s + a.n, 0) };
  }, [batches.data, period, t]);

  // ── quality pass rate ─────────────────────────────────────────────────────────────────────
  const quality = useMemo(() => {
    let pass = 0;
    let fail = 0;
    for (const r of inspections.data?.rows ?? []) {
      if (r.completed_at === null || r.completed_at < period.from || r.completed_at >= period.to) continue;
      if (r.verdict === 'pass') pass++;
      else if (r.verdict === 'fail') fail++;
    }
    const data: ChartData<'doughnut'> = {
      labels: [t('status.pass'), t('status.fail')],
      datasets: [{ label: t('dashboard.inspections'), data: [pass, fail], backgroundColor: ['#1f7a3a', '#b42318'] }],
    };
    const total = pass + fail;
    return { data, pass, fail, total, rate: total ? (pass / total) * 100 : null };
  }, [inspections.data, period, t]);

  // ── stock by location ─────────────────────────────────────────────────────────────────────
  const locations = useMemo(() => {
    const rows = [...(byLocation.data?.rows ?? [])].sort((a, b) => b.qty_g - a.qty_g);
    const data: ChartData<'bar'> = {
      labels: rows.map((r) => r.location_code ?? r.label),
      datasets: [{ label: t('dashboard.stockKg'), data: rows.map((r) => r.qty_g / 1000), backgroundColor: '#0b5cad' }],
    };
    return { data, rows };
  }, [byLocation.data, t]);

  // ── chart options (rebuilt when the language changes) ─────────────────────────────────────
  const kgTick = (v: number | string) => Number(v).toLocaleString(locale);
  const productionOptions = useMemo<ChartOptions<'bar'>>(
    () => ({
      responsive: true,
      maintainAspectRatio: false,
      animation: { duration: 350 },
      locale,
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label ?? ''}: ${Number(c.raw).toLocaleString(locale, { maximumFractionDigits: 1 })} ${t('common.kg')}` } },
      },
      scales: {
        x: { stacked: true, ticks: { maxRotation: 0, autoSkip: true } },
        y: { stacked: true, beginAtZero: true, title: { display: true, text: t('common.kg') }, ticks: { callback: kgTick } },
      },
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [locale, t],
  );
  const yieldOptions = useMemo<ChartOptions<'bar'>>(
    () => ({
      responsive: true,
      maintainAspectRatio: false,
      animation: { duration: 350 },
      locale,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (c) => `${t('dashboard.avgYield')}: ${Number(c.raw).toLocaleString(locale, { maximumFractionDigits: 1 })} %` } },
      },
      scales: { y: { beginAtZero: true, suggestedMax: 100, title: { display: true, text: '%' } } },
    }),
    [locale, t],
  );
  const qualityOptions = useMemo<ChartOptions<'doughnut'>>(
    () => ({
      responsive: true,
      maintainAspectRatio: false,
      animation: { duration: 350 },
      locale,
      plugins: { legend: { position: 'bottom' } },
    }),
    [locale],
  );
  const locationOptions = useMemo<ChartOptions<'bar'>>(
    () => ({
      responsive: true,
      maintainAspectRatio: false,
      animation: { duration: 350 },
      indexAxis: 'y',
      locale,
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => locations.rows[items[0]?.dataIndex ?? 0]?.label ?? '',
            label: (c) => `${Number(c.raw).toLocaleString(locale, { minimumFractionDigits: 3, maximumFractionDigits: 3 })} ${t('common.kg')}`,
          },
        },
      },
      scales: { x: { beginAtZero: true, title: { display: true, text: t('common.kg') }, ticks: { callback: kgTick } } },
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [locale, t, locations],
  );

  const expiringColumns: Column<ExpiringLot>[] = [
    { key: 'code', header: t('dashboard.lot'), width: '8.8rem', render: (r) => r.code },
    { key: 'product', header: t('dashboard.product'), width: '1fr', render: (r) => (lang === 'en' ? r.product_name_en : r.product_name_ru) },
    { key: 'status', header: t('dashboard.status'), width: '6.5rem', render: (r) => <Status value={r.status} /> },
    { key: 'qty', header: t('dashboard.qtyKg'), width: '6.2rem', align: 'right', render: (r) => kg(r.qty_g) },
    { key: 'expires', header: t('dashboard.expires'), width: '6rem', render: (r) => date(r.expires_at) },
    {
      key: 'left',
      header: t('dashboard.daysLeft'),
      width: '3.5rem',
      align: 'right',
      render: (r) => <span className={r.days_left <= 2 ? 'pd-days-critical' : 'pd-days-warn'}>{r.days_left}</span>,
    },
  ];

  const firstError = batches.error ?? inspections.error ?? byLocation.error ?? expiring.error ?? quarantine.error ?? shipments.error;
  const pending = (q: { data: unknown; loading: boolean }) => q.data === undefined && q.loading;
  const noData = <div className="dash-chart-empty muted">{t('dashboard.noData')}</div>;

  return (
    <div className="dashboard">
      <div className="dash-head">
        <h1>{t('nav.dashboard')}</h1>
        <div className="toolbar">
          <Field label={t('dashboard.period')}>
            {(id) => (
              <select id={id} value={days} onChange={(e) => setDays(e.target.value)}>
                {['7', '30', '90'].map((d) => (
                  <option key={d} value={d}>
                    {t('dashboard.periodDays', { count: Number(d) })}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
      </div>
      <ErrorBanner error={firstError} />

      <section className="kpis" aria-label={t('dashboard.kpis')}>
        <Kpi label={t('dashboard.kpiStock')} value={stockG === undefined ? '…' : kgFmt(stockG)} sub={t('dashboard.kpiStockSub', { count: byLocation.data?.rows.length ?? 0 })} />
        <Kpi
          label={t('dashboard.kpiQuarantine')}
          value={quarantine.data ? num(quarantine.data.total) : '…'}
          sub={t('dashboard.kpiQuarantineSub')}
          tone={quarantine.data && quarantine.data.total > 0 ? 'warn' : undefined}
        />
        <Kpi
          label={t('dashboard.kpiExpiring', { count: EXPIRY_DAYS })}
          value={expiring.data ? num(expiring.data.expiring_total) : '…'}
          sub={expiring.data ? t('dashboard.kpiExpired', { count: expiring.data.expired_total }) : ''}
          tone={expiring.data && (expiring.data.expiring_total > 0 || expiring.data.expired_total > 0) ? 'bad' : undefined}
        />
        <Kpi
          label={t('dashboard.kpiShipments')}
          value={shippedThisMonth === undefined ? '…' : num(shippedThisMonth)}
          sub={draftsThisMonth === undefined ? '' : t('dashboard.kpiShipmentsSub', { count: draftsThisMonth })}
        />
      </section>

      <div className="dash-grid">
        <section className="chart-box dash-wide" aria-labelledby="dash-production">
          <div className="dash-chart-head">
            <h2 id="dash-production">{t('dashboard.production')}</h2>
            <span className="muted">{t('dashboard.productionTotal', { kg: num(production.total, 1) })}</span>
          </div>
          {pending(batches) ? (
            <div className="dash-chart-empty muted">{t('app.loading')}</div>
          ) : production.data.datasets.length === 0 ? (
            noData
          ) : (
            <ChartCanvas
              type="bar"
              data={production.data}
              options={productionOptions}
              label={t('dashboard.productionAria', { days: period.days })}
              categoryHeader={t('dashboard.day')}
              format={(v) => `${v.toLocaleString(locale)} ${t('common.kg')}`}
              testId="chart-production"
            />
          )}
        </section>

        <section className="chart-box" aria-labelledby="dash-yield">
          <div className="dash-chart-head">
            <h2 id="dash-yield">{t('dashboard.yield')}</h2>
            <span className="muted">{t('dashboard.yieldBatches', { count: yields.batches })}</span>
          </div>
          {pending(batches) ? (
            <div className="dash-chart-empty muted">{t('app.loading')}</div>
          ) : yields.data.labels?.length ? (
            <ChartCanvas type="bar" data={yields.data} options={yieldOptions} label={t('dashboard.yield')} categoryHeader={t('dashboard.product')} format={(v) => `${v.toLocaleString(locale)} %`} testId="chart-yield" />
          ) : (
            noData
          )}
        </section>

        <section className="chart-box" aria-labelledby="dash-quality">
          <div className="dash-chart-head">
            <h2 id="dash-quality">{t('dashboard.quality')}</h2>
            <span className={quality.rate !== null && quality.rate < 90 ? 'dash-quality-rate dash-bad' : 'dash-quality-rate'}>
              {quality.rate === null ? '' : t('dashboard.passRate', { rate: num(quality.rate, 1), pass: quality.pass, total: quality.total })}
            </span>
          </div>
          {pending(inspections) ? (
            <div className="dash-chart-empty muted">{t('app.loading')}</div>
          ) : quality.total === 0 ? (
            noData
          ) : (
            <ChartCanvas type="doughnut" data={quality.data} options={qualityOptions} label={t('dashboard.quality')} categoryHeader={t('dashboard.verdict')} testId="chart-quality" />
          )}
        </section>

        <section className="chart-box" aria-labelledby="dash-locations">
          <div className="dash-chart-head">
            <h2 id="dash-locations">{t('dashboard.byLocation')}</h2>
          </div>
          {pending(byLocation) ? (
            <div className="dash-chart-empty muted">{t('app.loading')}</div>
          ) : locations.rows.length === 0 ? (
            noData
          ) : (
            <ChartCanvas
              type="bar"
              data={locations.data}
              options={locationOptions}
              label={t('dashboard.byLocation')}
              categoryHeader={t('dashboard.location')}
              format={(v) => `${v.toLocaleString(locale)} ${t('common.kg')}`}
              testId="chart-locations"
            />
          )}
        </section>

        <section className="chart-box dash-list" aria-labelledby="dash-expiring">
          <div className="dash-chart-head">
            <h2 id="dash-expiring">{t('dashboard.expiring', { count: EXPIRY_DAYS })}</h2>
            <span className="muted">{expiring.data ? t('common.total', { count: expiring.data.expiring_total }) : ''}</span>
          </div>
          {expiring.data && expiring.data.expired_total > 0 && (
            <div className="banner banner-error dash-expired">{t('dashboard.expiredBanner', { count: expiring.data.expired_total })}</div>
          )}
          <DataTable
            columns={expiringColumns}
            rows={expiring.data?.expiring ?? []}
            rowKey={(r) => r.id}
            label={t('dashboard.expiring', { count: EXPIRY_DAYS })}
            height={200}
            testId="expiring-table"
            onActivate={can('trace.read') ? (r) => navigate('trace', r.code) : undefined}
          />
        </section>
      </div>
    </div>
  );
}

function Kpi(props: { label: string; value: string; sub?: string; tone?: 'warn' | 'bad' | undefined }) {
  return (
    <div className={`kpi${props.tone ? ` dash-kpi-${props.tone}` : ''}`} role="group" aria-label={props.label}>
      <div className="pd-kpi-label">{props.label}</div>
      <div className="value">{props.value}</div>
      {props.sub ? <div className="dash-kpi-sub muted">{props.sub}</div> : null}
    </div>
  );
}
