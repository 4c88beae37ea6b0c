// «Производство»: the batch board (planned / in progress / done), the equipment timeline with its
// utilisation, planning a batch on equipment, and the batch itself — start, consume inputs with a
// FEFO suggestion, record output lots, finish or cancel. The route param is a batch number.
// Operators use the batch view on the line: big targets (line mode) and KgInput for every weight.
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperationOutput } from '../../../main/contract/operations';
import { useMutation, useQuery } from '../api/hooks';
import { useSession } from '../app/App';
import { DataTable, type Column } from '../components/DataTable';
import { Button, ErrorBanner, Field, fieldError, KgInput, SelectInput, Status, TextInput } from '../components/forms';
import { WeightWidget } from '../components/WeightWidget';
import { LabelsPanel } from './labelsPanel';
import { date, dateTime, fromDateInput, fromLocalInput, kg, parseKg, toDateInput, toLocalInput } from '../format';

type BatchRow = OperationOutput<'batches.list'>['rows'][number];
type Batch = OperationOutput<'batches.get'>;
type Product = OperationOutput<'products.list'>['rows'][number];
type Location = OperationOutput<'locations.list'>['rows'][number];
type Pick = OperationOutput<'stock.fefo'>['picks'][number];
type BoardStatus = 'planned' | 'in_progress' | 'done' | 'cancelled';

const HOUR = 3_600_000;

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}
function startOfWeek(ms: number): number {
  const d = new Date(startOfDay(ms));
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return d.getTime();
}
/** Calendar days (safe across daylight-saving changes). */
function addDays(ms: number, days: number): number {
  const d = new Date(ms);
  d.setDate(d.getDate() + days);
  return d.getTime();
}

function useFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.language === 'en' ? 'en-GB' : 'ru-RU';
  const time = (ms: number) => new Date(ms).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  const pct = (n: number | null) => (n === null ? '—' : `${n.toLocaleString(locale, { maximumFractionDigits: 1 })} %`);
  /** "23.11.2026 10:00–16:00", or both dates when the window spans midnight. */
  const window = (from: number, to: number) =>
    startOfDay(from) === startOfDay(to) ? `${date(from)} ${time(from)}–${time(to)}` : `${dateTime(from)} – ${dateTime(to)}`;
  return { locale, time, pct, window };
}

/** Products by code (the batch views carry only the Russian name). */
function useProducts() {
  const q = useQuery('products.list', {});
  return useMemo(() => new Map((q.data?.rows ?? []).map((p) => [p.code, p])), [q.data]);
}

function productName(products: Map<string, Product>, code: string, fallbackRu: string | undefined, lang: string): string {
  const p = products.get(code);
  if (!p) return fallbackRu ?? code;
  return lang === 'en' ? p.name_en : p.name_ru;
}

/** The time a batch occupies its equipment: actual once started (still running: at least until now), planned otherwise. */
function occupied(b: BatchRow, now: number): { start: number; end: number } {
  const start = b.started_at ?? b.planned_start;
  const end = b.finished_at ?? (b.status === 'in_progress' ? Math.max(b.planned_end, now, start + 1) : b.planned_end);
  return { start, end: Math.max(end, start + 1) };
}

// ── the screen ──────────────────────────────────────────────────────────────────────────────

export function ProductionScreen() {
  const { param } = useSession();
  return param ? <BatchDetail key={param} number={param} /> : <Overview />;
}

type Tab = 'board' | 'timeline' | 'plan';

function Overview() {
  const { t } = useTranslation();
  const { me, can } = useSession();
  const [tab, setTab] = useState<Tab>(() => (sessionStorage.getItem('plantdesk.production.tab') as Tab | null) ?? 'board');
  const [ownOnly, setOwnOnly] = useState(true);
  const [showCancelled, setShowCancelled] = useState(false);
  const tabs: Tab[] = can('production.plan') ? ['board', 'timeline', 'plan'] : ['board', 'timeline'];
  const current = tabs.includes(tab) ? tab : 'board';
  const choose = (next: Tab) => {
    setTab(next);
    sessionStorage.setItem('plantdesk.production.tab', next);
  };
  const onTabKey = (event: React.KeyboardEvent) => {
    const at = tabs.indexOf(current);
    const to = event.key === 'ArrowRight' ? at + 1 : event.key === 'ArrowLeft' ? at - 1 : null;
    if (to === null) return;
    const next = tabs[(to + tabs.length) % tabs.length]!;
    choose(next);
    document.getElementById(`pd-tab-${next}`)?.focus();
    event.preventDefault();
  };

  return (
    <>
      <h1>{t('nav.production')}</h1>
      <div className="pd-topline">
        <div className="tabs" role="tablist" aria-label={t('nav.production')} onKeyDown={onTabKey}>
          {tabs.map((id) => (
            <button
              key={id}
              id={`pd-tab-${id}`}
              role="tab"
              type="button"
              aria-selected={current === id}
              aria-controls={`pd-panel-${id}`}
              tabIndex={current === id ? 0 : -1}
              onClick={() => choose(id)}
            >
              {t(`production.tabs.${id}`)}
            </button>
          ))}
        </div>
        {current !== 'plan' ? (
          <div className="pd-filters">
            {current === 'board' ? (
              <label className="toggle">
                <input type="checkbox" checked={ownOnly} onChange={(e) => setOwnOnly(e.target.checked)} /> {t('production.ownSiteOnly', { site: me.site.code })}
              </label>
            ) : null}
            <label className="toggle">
              <input type="checkbox" checked={showCancelled} onChange={(e) => setShowCancelled(e.target.checked)} /> {t('production.showCancelled')}
            </label>
          </div>
        ) : null}
      </div>
      <div role="tabpanel" id={`pd-panel-${current}`} aria-labelledby={`pd-tab-${current}`}>
        {current === 'board' ? <Board ownOnly={ownOnly} showCancelled={showCancelled} /> : null}
        {current === 'timeline' ? <Timeline showCancelled={showCancelled} /> : null}
        {current === 'plan' ? <PlanForm /> : null}
      </div>
    </>
  );
}

// ── board ───────────────────────────────────────────────────────────────────────────────────

function Board({ ownOnly, showCancelled }: { ownOnly: boolean; showCancelled: boolean }) {
  const { me } = useSession();
  const planned = useQuery('batches.list', { status: 'planned', limit: 500 });
  const running = useQuery('batches.list', { status: 'in_progress', limit: 500 });
  const done = useQuery('batches.list', { status: 'done', limit: 80 });
  const cancelled = useQuery('batches.list', showCancelled ? { status: 'cancelled', limit: 80 } : null);
  const products = useProducts();
  const mine = (rows: readonly BatchRow[] | undefined) => (rows ?? []).filter((b) => !ownOnly || b.site_id === me.site.id);
  const asc = (rows: BatchRow[]) => [...rows].sort((a, b) => a.planned_start - b.planned_start);
  const columns: { status: BoardStatus; rows: BatchRow[] }[] = [
    { status: 'planned', rows: asc(mine(planned.data?.rows)) },
    { status: 'in_progress', rows: asc(mine(running.data?.rows)) },
    { status: 'done', rows: mine(done.data?.rows) },
  ];
  if (showCancelled) columns.push({ status: 'cancelled', rows: mine(cancelled.data?.rows) });
  return (
    <div className="pd-board-wrap">
      <ErrorBanner error={planned.error ?? running.error ?? done.error ?? cancelled.error} />
      <div className={`pd-board pd-board-${columns.length}`}>
        {columns.map((c) => (
          <BoardColumn key={c.status} status={c.status} rows={c.rows} products={products} />
        ))}
      </div>
    </div>
  );
}

function BoardColumn({ status, rows, products }: { status: BoardStatus; rows: BatchRow[]; products: Map<string, Product> }) {
  const { t } = useTranslation();
  const headingId = `pd-col-${status}`;
  return (
    <section className={`pd-column pd-column-${status}`} aria-labelledby={headingId}>
      <h2 id={headingId}>
        {t(`production.column.${status}`)} <span className="muted">({rows.length})</span>
      </h2>
      <ul className="pd-cards">
        {rows.length === 0 ? <li className="muted pd-empty">{t('production.noBatches')}</li> : null}
        {rows.map((b) => (
          <li key={b.id}>
            <BatchCard batch={b} products={products} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function BatchCard({ batch: b, products }: { batch: BatchRow; products: Map<string, Product> }) {
  const { t, i18n } = useTranslation();
  const f = useFormat();
  return (
    <a className={`pd-card pd-card-${b.status}`} href={`#/production/${encodeURIComponent(b.number)}`} data-batch={b.number}>
      <span className="pd-card-head">
        <strong>{b.number}</strong>
        <span className="pd-card-eq">{b.equipment_code}</span>
      </span>
      <span className="pd-card-product">
        {b.product_code} · {productName(products, b.product_code, b.product_name_ru, i18n.language)}
      </span>
      <span className="pd-card-time" title={t('production.card.window')}>
        {f.window(b.planned_start, b.planned_end)}
      </span>
      <span className="pd-card-nums">
        <Num label={t('production.card.planned')} value={kg(b.planned_g)} />
        <Num label={t('production.card.input')} value={kg(b.input_g)} />
        <Num label={t('production.card.output')} value={kg(b.output_g)} />
        <Num label={t('production.card.yield')} value={f.pct(b.yield_pct)} strong />
      </span>
    </a>
  );
}

function Num({ label, value, strong }: { label: string; value: ReactNode; strong?: boolean }) {
  return (
    <span className="pd-num">
      <span className="pd-num-label">{label}</span>
      <span className={`pd-num-value${strong ? ' pd-num-strong' : ''}`}>{value}</span>
    </span>
  );
}

// ── equipment timeline ──────────────────────────────────────────────────────────────────────

/** Every booking of the equipment is shown (the equipment runs one batch at a time whichever site planned it); other sites' batches are dimmed. */
function Timeline({ showCancelled }: { showCancelled: boolean }) {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const f = useFormat();
  const [mode, setMode] = useState<'day' | 'week'>('day');
  const [anchor, setAnchor] = useState(() => toDateInput(Date.now()));
  const base = fromDateInput(anchor) ?? startOfDay(Date.now());
  const from = mode === 'day' ? base : startOfWeek(base);
  const to = addDays(from, mode === 'day' ? 1 : 7);
  const span = to - from;
  const equipment = useQuery('equipment.list', {});
  const batches = useQuery('batches.list', { from, to, limit: 5000 });
  const util = useQuery('equipment.utilisation', { from, to });
  const products = useProducts();
  const now = Date.now();
  const utilByCode = new Map((util.data?.rows ?? []).map((r) => [r.equipment_code, r]));
  const rows = (equipment.data?.rows ?? []).filter((e) => e.active === 1);
  const visible = (batches.data?.rows ?? []).filter((b) => showCancelled || b.status !== 'cancelled');
  const pos = (ms: number) => Math.max(0, Math.min(100, ((ms - from) / span) * 100));
  const ticks: { at: number; label: string }[] =
    mode === 'day'
      ? Array.from({ length: 12 }, (_, i) => {
          const at = from + i * 2 * HOUR;
          return { at, label: f.time(at) };
        })
      : Array.from({ length: 7 }, (_, i) => {
          const at = addDays(from, i);
          return { at, label: new Date(at).toLocaleDateString(f.locale, { weekday: 'short', day: '2-digit', month: '2-digit' }) };
        });
  const shift = (direction: number) => setAnchor(toDateInput(addDays(base, direction * (mode === 'day' ? 1 : 7))));

  return (
    <div className="pd-timeline-wrap">
      <div className="toolbar">
        <div className="pd-segment" role="group" aria-label={t('production.period')}>
          <button type="button" className={`btn ${mode === 'day' ? 'btn-primary' : 'btn-secondary'}`} aria-pressed={mode === 'day'} onClick={() => setMode('day')}>
            {t('production.day')}
          </button>
          <button type="button" className={`btn ${mode === 'week' ? 'btn-primary' : 'btn-secondary'}`} aria-pressed={mode === 'week'} onClick={() => setMode('week')}>
            {t('production.week')}
          </button>
        </div>
        <Button type="button" onClick={() => shift(-1)}>
          {t('production.prev')}
        </Button>
        <Field label={t('production.dateField')}>{(id) => <TextInput id={id} type="date" value={anchor} onChange={(v) => v && setAnchor(v)} />}</Field>
        <Button type="button" onClick={() => shift(1)}>
          {t('production.next')}
        </Button>
        <Button type="button" onClick={() => setAnchor(toDateInput(Date.now()))}>
          {t('production.today')}
        </Button>
        <span className="pd-legend muted">
          <span className="pd-legend-ghost" /> {t('production.legendPlanned')} <span className="pd-legend-solid" /> {t('production.legendActual')}
        </span>
      </div>
      <ErrorBanner error={equipment.error ?? batches.error ?? util.error} />
      <div className="pd-tl" role="table" aria-label={t('production.timelineLabel')}>
        <div className="pd-tl-row pd-tl-header" role="row">
          <div role="columnheader">{t('production.equipment')}</div>
          <div className="pd-tl-track pd-tl-scale" role="columnheader">
            {ticks.map((tick) => (
              <span key={tick.at} className="pd-tl-tick" style={{ left: `${pos(tick.at)}%` }}>
                {tick.label}
              </span>
            ))}
          </div>
          <div role="columnheader" className="num">
            {t('production.utilisation')}
          </div>
        </div>
        {rows.length === 0 ? <div className="table-empty">{t('production.noEquipment')}</div> : null}
        {rows.map((e) => {
          const u = utilByCode.get(e.code);
          const bars = visible.filter((b) => b.equipment_code === e.code);
          return (
            <div className="pd-tl-row" role="row" key={e.id}>
              <div className="pd-tl-name" role="rowheader">
                <strong>{e.code}</strong>
                <span className="muted">{e.name}</span>
              </div>
              <div className="pd-tl-track" role="cell">
                {ticks.map((tick) => (
                  <span key={tick.at} className="pd-tl-grid" style={{ left: `${pos(tick.at)}%` }} />
                ))}
                {now >= from && now < to ? <span className="pd-tl-now" style={{ left: `${pos(now)}%` }} title={t('production.now')} /> : null}
                {bars.map((b) => {
                  const occ = occupied(b, now);
                  const started = b.started_at !== null;
                  const left = pos(occ.start);
                  const width = Math.max(0.6, pos(occ.end) - left);
                  const name = productName(products, b.product_code, b.product_name_ru, i18n.language);
                  const title = `${b.number} · ${b.product_code} ${name}\n${t(`status.${b.status}`)} · ${t('production.plannedWindow')}: ${f.window(b.planned_start, b.planned_end)}${
                    started ? `\n${t('production.actual')}: ${f.window(occ.start, occ.end)}` : ''
                  }\n${kg(b.planned_g)} ${t('common.kg')}`;
                  return (
                    <span key={b.id}>
                      {started ? (
                        <span
                          className="pd-tl-ghost"
                          style={{ left: `${pos(b.planned_start)}%`, width: `${Math.max(0.6, pos(b.planned_end) - pos(b.planned_start))}%` }}
                          aria-hidden="true"
                        />
                      ) : null}
                      <a className={`pd-tl-bar pd-tl-${b.status}${b.site_id === me.site.id ? '' : ' pd-tl-other'}`} style={{ left: `${left}%`, width: `${width}%` }} href={`#/production/${encodeURIComponent(b.number)}`} title={title} aria-label={title.replace(/\n/g, ' · ')}>
                        {b.product_code} · {b.number}
                      </a>
                    </span>
                  );
                })}
              </div>
              <div className="pd-tl-util num" role="cell" title={u ? t('production.utilisationOf', { code: e.code, pct: u.utilisation_pct, count: u.batches }) : undefined}>
                <strong>{u ? f.pct(u.utilisation_pct) : '—'}</strong>
                <div className="progress" aria-hidden="true">
                  <div style={{ width: `${Math.min(100, u?.utilisation_pct ?? 0)}%` }} />
                </div>
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}

// ── planning ────────────────────────────────────────────────────────────────────────────────

function PlanForm() {
  const { t, i18n } = useTranslation();
  const { navigate } = useSession();
  const f = useFormat();
  const lang = i18n.language;
  const products = useQuery('products.list', {});
  const equipment = useQuery('equipment.list', {});
  const plan = useMutation('batches.plan');
  const [form, setForm] = useState(() => {
    const next = startOfDay(Date.now()) + (new Date().getHours() + 1) * HOUR;
    return { product: '', equipment: '', kg: '', start: toLocalInput(next), end: toLocalInput(next + 6 * HOUR), note: '' };
  });
  const [planned, setPlanned] = useState<string>();
  const [tried, setTried] = useState(false);
  const set = (key: keyof typeof form) => (value: string) => setForm((v) => ({ ...v, [key]: value }));
  const grams = parseKg(form.kg);
  const start = fromLocalInput(form.start);
  const end = fromLocalInput(form.end);
  const bookedFrom = start === null ? null : startOfDay(start);
  const bookedTo = bookedFrom === null ? null : addDays(startOfDay(Math.max(end ?? start!, start!)), 1);
  const booked = useQuery('batches.list', form.equipment && bookedFrom !== null && bookedTo !== null ? { from: bookedFrom, to: bookedTo, limit: 500 } : null);
  const clashes = (booked.data?.rows ?? [])
    .filter((b) => b.equipment_code === form.equipment && (b.status === 'planned' || b.status === 'in_progress'))
    .sort((a, b) => a.planned_start - b.planned_start);
  const productOptions = (products.data?.rows ?? [])
    .filter((p) => p.kind !== 'raw' && p.active === 1)
    .map((p) => ({ value: p.code, label: `${p.code} · ${lang === 'en' ? p.name_en : p.name_ru}` }));
  const equipmentOptions = (equipment.data?.rows ?? []).filter((e) => e.active === 1).map((e) => ({ value: e.code, label: `${e.code} · ${e.name}` }));
  const err = (field: string) => fieldError(plan.error, field, lang);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    setPlanned(undefined);
    if (grams === null || grams <= 0) return;
    const batch = await plan.run({
      product: form.product,
      equipment: form.equipment,
      planned_g: grams,
      planned_start: start ?? undefined,
      planned_end: end ?? undefined,
      note: form.note.trim() ? form.note.trim() : null,
    });
    if (batch) {
      setPlanned(batch.number);
      setTried(false);
      setForm((v) => ({ ...v, kg: '', note: '' }));
    }
  };

  return (
    <form className="card pd-plan" onSubmit={submit} aria-labelledby="pd-plan-title">
      <h2 id="pd-plan-title">{t('production.planTitle')}</h2>
      <div className="grid-2">
        <Field label={t('production.product')} error={err('product')}>
          {(id) => <SelectInput id={id} value={form.product} onChange={set('product')} options={productOptions} placeholder={t('production.chooseProduct')} required />}
        </Field>
        <Field label={t('production.equipmentField')} error={err('equipment')}>
          {(id) => <SelectInput id={id} value={form.equipment} onChange={set('equipment')} options={equipmentOptions} placeholder={t('production.chooseEquipment')} required />}
        </Field>
        <Field label={t('production.plannedKg')} error={err('planned_g') ?? (tried && (grams === null || grams <= 0) ? t('production.kgInvalid') : undefined)}>
          {(id) => <KgInput id={id} value={form.kg} onChange={set('kg')} required />}
        </Field>
        <div />
        <Field label={t('production.start')} error={err('planned_start')}>
          {(id) => <TextInput id={id} type="datetime-local" value={form.start} onChange={set('start')} required />}
        </Field>
        <Field label={t('production.end')} error={err('planned_end')}>
          {(id) => <TextInput id={id} type="datetime-local" value={form.end} onChange={set('end')} required />}
        </Field>
        <Field label={t('production.note')} error={err('note')} wide>
          {(id) => <TextInput id={id} value={form.note} onChange={set('note')} maxLength={1000} />}
        </Field>
      </div>
      {form.equipment && bookedFrom !== null ? (
        <div className="pd-booked" aria-live="polite">
          <strong>{t('production.booked')}</strong>
          {clashes.length === 0 ? (
            <span className="muted"> — {t('production.bookedNone')}</span>
          ) : (
            <ul>
              {clashes.map((b) => (
                <li key={b.id}>
                  <a href={`#/production/${encodeURIComponent(b.number)}`}>{b.number}</a> · {b.product_code} · {f.window(b.planned_start, b.planned_end)} · <Status value={b.status} />
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
      <ErrorBanner error={plan.error} shownFields={['product', 'equipment', 'planned_g', 'planned_start', 'planned_end', 'note']} />
      {planned ? (
        <div className="banner banner-ok pd-row" role="status">
          <span>{t('production.planned', { number: planned })}</span>
          <Button type="button" onClick={() => navigate('production', planned)}>
            {t('production.open')}
          </Button>
        </div>
      ) : null}
      <div className="actions">
        <Button kind="primary" type="submit" pending={plan.pending}>
          {t('production.plan')}
        </Button>
      </div>
    </form>
  );
}

// ── one batch ───────────────────────────────────────────────────────────────────────────────

function BatchDetail({ number }: { number: string }) {
  const { t, i18n } = useTranslation();
  const { me, can, navigate } = useSession();
  const f = useFormat();
  const lang = i18n.language;
  const q = useQuery('batches.get', { number });
  const products = useProducts();
  const locationsQ = useQuery('locations.list', {});
  const equipmentQ = useQuery('equipment.list', {});
  const start = useMutation('batches.start');
  const finish = useMutation('batches.finish');
  const cancel = useMutation('batches.cancel');
  const [reason, setReason] = useState('');
  const b = q.data;
  const locations = locationsQ.data?.rows ?? [];
  const locationCode = (id: string) => locations.find((l) => l.id === id)?.code ?? '—';

  const back = (
    <Button type="button" onClick={() => navigate('production')}>
      {t('production.back')}
    </Button>
  );
  if (q.error)
    return (
      <>
        <div className="pd-row">{back}</div>
        <ErrorBanner error={q.error} />
      </>
    );
  if (!b) return <div className="muted">{t('app.loading')}</div>;

  const own = b.site_id === me.site.id;
  const active = b.status === 'planned' || b.status === 'in_progress';
  const execute = can('production.execute') && own && active;
  const equipmentName = equipmentQ.data?.rows.find((e) => e.code === b.equipment_code)?.name;
  const doCancel = async (event: FormEvent) => {
    event.preventDefault();
    if ((await cancel.run({ number: b.number, reason })) !== undefined) setReason('');
  };

  const inputColumns: Column<Batch['inputs'][number]>[] = [
    { key: 'lot', header: t('production.col.lot'), width: '13rem', render: (r) => <strong>{r.lot_code}</strong> },
    { key: 'product', header: t('production.col.product'), render: (r) => `${r.product_code} · ${productName(products, r.product_code, undefined, lang)}` },
    { key: 'location', header: t('production.col.location'), width: '7rem', render: (r) => locationCode(r.location_id) },
    { key: 'qty', header: t('production.col.qty'), width: '7rem', align: 'right', render: (r) => kg(r.qty_g) },
    { key: 'at', header: t('production.col.at'), width: '12rem', render: (r) => dateTime(r.at) },
  ];
  const outputColumns: Column<Batch['outputs'][number]>[] = [
    { key: 'lot', header: t('production.col.lot'), width: '13rem', render: (r) => <strong>{r.code}</strong> },
    { key: 'qty', header: t('production.col.qty'), width: '8rem', align: 'right', render: (r) => kg(r.initial_g) },
    { key: 'expires', header: t('production.col.expires'), render: (r) => date(r.expires_at) },
    { key: 'status', header: t('production.col.status'), width: '8rem', render: (r) => <Status value={r.status} /> },
  ];

  return (
    <div className="pd-detail">
      <div className="pd-row pd-title">
        <h1>
          {t('production.batchTitle', { number: b.number })} <Status value={b.status} />
        </h1>
        {back}
      </div>
      <div className="card pd-summary">
        <dl className="pd-facts">
          <dt>{t('production.col.product')}</dt>
          <dd>
            <strong>{b.product_code}</strong> · {productName(products, b.product_code, b.product_name_ru, lang)}
          </dd>
          <dt>{t('production.equipmentField')}</dt>
          <dd>
            <strong>{b.equipment_code}</strong>
            {equipmentName ? ` · ${equipmentName}` : ''}
          </dd>
          <dt>{t('production.plannedWindow')}</dt>
          <dd>{f.window(b.planned_start, b.planned_end)}</dd>
          <dt>{t('production.actual')}</dt>
          <dd>
            {b.started_at ? t('production.started', { at: dateTime(b.started_at) }) : t('production.notStarted')}
            {b.finished_at ? ` · ${t('production.finished', { at: dateTime(b.finished_at) })}` : ''}
          </dd>
          {b.note ? (
            <>
              <dt>{t('production.noteLabel')}</dt>
              <dd>{b.note}</dd>
            </>
          ) : null}
        </dl>
        <div className="pd-kpis">
          <Kpi label={t('production.plannedG')} value={kg(b.planned_g)} />
          <Kpi label={t('production.inputG')} value={kg(b.input_g)} />
          <Kpi label={t('production.outputG')} value={kg(b.output_g)} />
          <Kpi label={t('production.yield')} value={f.pct(b.yield_pct)} accent />
        </div>
      </div>

      {!can('production.execute') && active ? <div className="banner banner-warn">{t('production.readOnly')}</div> : null}
      {own && active && (can('production.execute') || can('production.plan')) ? (
        <div className="card pd-actions-card">
          <div className="pd-row pd-actions">
            {can('production.execute') && b.status === 'planned' ? (
              <Button kind="primary" type="button" pending={start.pending} onClick={() => void start.run({ number: b.number })}>
                {t('production.startBatch')}
              </Button>
            ) : null}
            {can('production.execute') && b.status === 'in_progress' ? (
              <Button kind="primary" type="button" pending={finish.pending} onClick={() => void finish.run({ number: b.number })}>
                {t('production.finishBatch')}
              </Button>
            ) : null}
            {can('production.plan') && b.inputs.length === 0 ? (
              <form className="pd-cancel" onSubmit={doCancel}>
                <Field label={t('production.cancelReason')} error={fieldError(cancel.error, 'reason', lang)} hint={t('production.cancelHint')}>
                  {(id) => <TextInput id={id} value={reason} onChange={setReason} maxLength={500} />}
                </Field>
                <Button kind="danger" type="submit" pending={cancel.pending} disabled={!reason.trim()}>
                  {t('production.cancelBatch')}
                </Button>
              </form>
            ) : null}
          </div>
          <ErrorBanner error={start.error ?? finish.error} />
          <ErrorBanner error={cancel.error} shownFields={['reason']} />
        </div>
      ) : null}

      {execute ? (
        <div className="pd-work">
          <section className="card pd-section" aria-labelledby="pd-consume-title">
            <h2 id="pd-consume-title">{t('production.consumeTitle')}</h2>
            <FefoConsume batch={b} locations={locations} />
            <ManualConsume batch={b} locations={locations} />
          </section>
          <OutputForm batch={b} locations={locations} />
        </div>
      ) : null}

      <section className="pd-section" aria-labelledby="pd-inputs-title">
        <h2 id="pd-inputs-title">
          {t('production.inputsTitle')} <span className="muted">({b.inputs.length})</span>
        </h2>
        <DataTable label={t('production.inputsTitle')} columns={inputColumns} rows={b.inputs} rowKey={(r) => r.id} height={Math.max(48, Math.min(b.inputs.length, 8) * 36 + 2)} />
      </section>
      <section className="pd-section" aria-labelledby="pd-outputs-title">
        <h2 id="pd-outputs-title">
          {t('production.outputsTitle')} <span className="muted">({b.outputs.length})</span>
        </h2>
        <DataTable
          label={t('production.outputsTitle')}
          columns={outputColumns}
          rows={b.outputs}
          rowKey={(r) => r.id}
          height={Math.max(48, Math.min(b.outputs.length, 6) * 36 + 2)}
          onActivate={can('quality.inspect') ? (r) => navigate('quality', r.code) : undefined}
        />
      </section>
      {b.outputs.length > 0 && can('devices.use') && <LabelsPanel lots={b.outputs.map((o) => o.code)} />}
    </div>
  );
}

function Kpi({ label, value, accent }: { label: string; value: string; accent?: boolean }) {
  return (
    <div className={`kpi pd-kpi${accent ? ' pd-kpi-accent' : ''}`}>
      <div className="muted">{label}</div>
      <div className="value">{value}</div>
    </div>
  );
}

/** Grams as a weight would be typed into a KgInput (no grouping; decimal comma in Russian). */
function typedKg(grams: number, lang: string): string {
  const text = (grams / 1000).toFixed(3).replace(/\.?0+$/, '');
  return lang === 'en' ? text : text.replace('.', ',');
}

function locationOptions(locations: Location[]) {
  return locations.filter((l) => l.active === 1).map((l) => ({ value: l.code, label: `${l.code} · ${l.name}` }));
}

/** FEFO: pick released, unexpired stock by earliest expiry; one button per pick consumes it. */
function FefoConsume({ batch, locations }: { batch: Batch; locations: Location[] }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const products = useQuery('products.list', {});
  const [raw, setRaw] = useState(() => batch.inputs[0]?.product_code ?? '');
  const [need, setNeed] = useState('');
  const [location, setLocation] = useState('');
  const [tried, setTried] = useState(false);
  const [request, setRequest] = useState<{ product: string; qty_g: number; location?: string } | null>(null);
  const [message, setMessage] = useState<string>();
  const fefo = useQuery('stock.fefo', request);
  const consume = useMutation('batches.consume');
  const [busy, setBusy] = useState(false);
  const grams = parseKg(need);
  const rawOptions = (products.data?.rows ?? [])
    .filter((p) => p.kind !== 'finished' && p.active === 1 && p.code !== batch.product_code)
    .sort((a, b) => (a.kind === b.kind ? a.code.localeCompare(b.code) : a.kind === 'raw' ? -1 : 1))
    .map((p) => ({ value: p.code, label: `${p.code} · ${lang === 'en' ? p.name_en : p.name_ru}` }));

  const suggest = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    setMessage(undefined);
    consume.clear();
    if (!raw || grams === null || grams <= 0) return;
    setRequest({ product: raw, qty_g: grams, ...(location ? { location } : {}) });
  };
  const after = (taken: number) => {
    // The need is met (the field empties) or lowered: no complaint about the field left over from the suggestion.
    setTried(false);
    setRequest((r) => {
      if (!r) return r;
      const left = r.qty_g - taken;
      return left > 0 ? { ...r, qty_g: left } : null;
    });
    setNeed((n) => {
      const g = parseKg(n);
      if (g === null) return n;
      const left = g - taken;
      return left > 0 ? typedKg(left, lang) : '';
    });
  };
  const take = async (pick: Pick) => {
    setMessage(undefined);
    setBusy(true);
    const done = await consume.run({ number: batch.number, lot: pick.lot_code, location: pick.location_code, qty_g: pick.take_g });
    setBusy(false);
    if (done) {
      setMessage(t('production.consumedPick', { lot: pick.lot_code, kg: kg(pick.take_g) }));
      after(pick.take_g);
    }
  };
  const takeAll = async (picks: Pick[]) => {
    setMessage(undefined);
    setBusy(true);
    let taken = 0;
    for (const pick of picks) {
      const done = await consume.run({ number: batch.number, lot: pick.lot_code, location: pick.location_code, qty_g: pick.take_g });
      if (!done) break;
      taken += pick.take_g;
    }
    setBusy(false);
    if (taken > 0) {
      after(taken);
      setMessage(taken >= picks.reduce((s, p) => s + p.take_g, 0) ? t('production.fefoDone') : t('production.consumedPick', { lot: '…', kg: kg(taken) }));
    }
  };
  const s = fefo.data;

  return (
    <div className="pd-fefo">
      <h3>{t('production.fefoTitle')}</h3>
      <form className="pd-form-row" onSubmit={suggest}>
        <Field label={t('production.rawProduct')} error={fieldError(fefo.error, 'product', lang) ?? (tried && !raw ? t('production.chooseRaw') : undefined)}>
          {(id) => <SelectInput id={id} value={raw} onChange={setRaw} options={rawOptions} placeholder={t('production.chooseRaw')} />}
        </Field>
        <Field label={t('production.needKg')} error={fieldError(fefo.error, 'qty_g', lang) ?? (tried && (grams === null || grams <= 0) ? t('production.kgInvalid') : undefined)}>
          {(id) => <KgInput id={id} value={need} onChange={setNeed} />}
        </Field>
        <Field label={t('production.fromLocation')} error={fieldError(fefo.error, 'location', lang)}>
          {(id) => <SelectInput id={id} value={location} onChange={setLocation} options={locationOptions(locations)} placeholder={t('production.anyLocation')} />}
        </Field>
        <Button type="submit" kind="secondary">
          {t('production.suggest')}
        </Button>
      </form>
      <ErrorBanner error={fefo.error} shownFields={['product', 'qty_g', 'location']} />
      <ErrorBanner error={consume.error} />
      {message ? (
        <div className="banner banner-ok" role="status">
          {message}
        </div>
      ) : null}
      {request && s ? (
        s.picks.length === 0 ? (
          <div className="banner banner-warn">{t('production.noStock')}</div>
        ) : (
          <>
            <div className={s.shortfall_g > 0 ? 'banner banner-warn' : 'pd-covered'}>
              {t('production.covered', { covered: kg(s.covered_g), requested: kg(s.requested_g) })}
              {s.shortfall_g > 0 ? ` · ${t('production.shortfall', { kg: kg(s.shortfall_g) })}` : ''}
            </div>
            <table className="pd-picks" aria-label={t('production.picksLabel')}>
              <thead>
                <tr>
                  <th>{t('production.col.lot')}</th>
                  <th>{t('production.col.location')}</th>
                  <th>{t('production.col.expires')}</th>
                  <th className="num">{t('production.col.available')}</th>
                  <th className="num">{t('production.col.take')}</th>
                  <th>{t('production.col.action')}</th>
                </tr>
              </thead>
              <tbody>
                {s.picks.map((p) => (
                  <tr key={`${p.lot_code}-${p.location_code}`}>
                    <td>
                      <strong>{p.lot_code}</strong>
                    </td>
                    <td>{p.location_code}</td>
                    <td>
                      {date(p.expires_at)} <span className={p.days_left <= 1 ? 'pd-urgent' : 'muted'}>({t('production.daysLeft', { days: p.days_left })})</span>
                    </td>
                    <td className="num">{kg(p.available_g)}</td>
                    <td className="num">
                      <strong>{kg(p.take_g)}</strong>
                    </td>
                    <td>
                      <Button kind="primary" type="button" pending={busy && consume.pending} disabled={busy} onClick={() => void take(p)}>
                        {t('production.takePick', { kg: kg(p.take_g) })}
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {s.picks.length > 1 ? (
              <div className="actions">
                <Button type="button" disabled={busy} onClick={() => void takeAll(s.picks)}>
                  {t('production.takeAll')}
                </Button>
              </div>
            ) : null}
          </>
        )
      ) : null}
    </div>
  );
}

function ManualConsume({ batch, locations }: { batch: Batch; locations: Location[] }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [lot, setLot] = useState('');
  const [qty, setQty] = useState('');
  const [location, setLocation] = useState('');
  const [tried, setTried] = useState(false);
  const [message, setMessage] = useState<string>();
  const consume = useMutation('batches.consume');
  const grams = parseKg(qty);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    setMessage(undefined);
    if (grams === null || grams <= 0 || !lot.trim()) return;
    const done = await consume.run({ number: batch.number, lot: lot.trim(), qty_g: grams, ...(location ? { location } : {}) });
    if (done) {
      setMessage(t('production.consumedPick', { lot: lot.trim(), kg: kg(grams) }));
      setLot('');
      setQty('');
      setTried(false);
    }
  };
  return (
    <form className="pd-manual" onSubmit={submit} aria-labelledby="pd-manual-title">
      <h3 id="pd-manual-title">{t('production.manualTitle')}</h3>
      <div className="pd-form-row">
        <Field label={t('production.lotCode')} error={fieldError(consume.error, 'lot', lang)}>
          {(id) => <TextInput id={id} value={lot} onChange={setLot} autoComplete="off" required />}
        </Field>
        <Field label={t('production.consumeKg')} error={fieldError(consume.error, 'qty_g', lang) ?? (tried && (grams === null || grams <= 0) ? t('production.kgInvalid') : undefined)}>
          {(id) => <KgInput id={id} value={qty} onChange={setQty} />}
        </Field>
        <Field label={t('production.consumeLocation')} error={fieldError(consume.error, 'location', lang)}>
          {(id) => <SelectInput id={id} value={location} onChange={setLocation} options={locationOptions(locations)} placeholder={t('production.anyLocation')} />}
        </Field>
        <Button kind="primary" type="submit" pending={consume.pending}>
          {t('production.consume')}
        </Button>
      </div>
      <ErrorBanner error={consume.error} shownFields={['lot', 'qty_g', 'location']} />
      {message ? (
        <div className="banner banner-ok" role="status">
          {message}
        </div>
      ) : null}
    </form>
  );
}

function OutputForm({ batch, locations }: { batch: Batch; locations: Location[] }) {
  const { t, i18n } = useTranslation();
  const { can, navigate } = useSession();
  const lang = i18n.language;
  const [qty, setQty] = useState('');
  // The scale the quantity was taken from; typing it by hand forgets it.
  const [qtyScale, setQtyScale] = useState<string | null>(null);
  const [location, setLocation] = useState('');
  const [packages, setPackages] = useState('');
  const [producedAt, setProducedAt] = useState('');
  const [tried, setTried] = useState(false);
  const [made, setMade] = useState<OperationOutput<'batches.output'>['lot']>();
  const output = useMutation('batches.output');
  const grams = parseKg(qty);
  const pkg = packages.trim() === '' ? null : /^\d+$/.test(packages.trim()) ? Number(packages.trim()) : NaN;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    setMade(undefined);
    if (grams === null || grams <= 0 || Number.isNaN(pkg)) return;
    const at = fromLocalInput(producedAt);
    const result = await output.run({ number: batch.number, qty_g: grams, location, packages: pkg, ...(at !== null ? { produced_at: at } : {}) });
    if (result) {
      setMade(result.lot);
      setQty('');
      setQtyScale(null);
      setPackages('');
      setProducedAt('');
      setTried(false);
    }
  };
  return (
    <form className="card pd-section pd-output" onSubmit={submit} aria-labelledby="pd-output-title">
      <h2 id="pd-output-title">{t('production.outputTitle')}</h2>
      <WeightWidget onCapture={(w) => (setQty(typedKg(w.net_g, lang)), setQtyScale(w.device))} target={t('production.outputKg')} />
      <div className="pd-form-row">
        <Field
          label={t('production.outputKg')}
          error={fieldError(output.error, 'qty_g', lang) ?? (tried && (grams === null || grams <= 0) ? t('production.kgInvalid') : undefined)}
          hint={qtyScale ? t('devices.weight.fromScale', { device: qtyScale }) : undefined}
        >
          {(id) => <KgInput id={id} value={qty} onChange={(v) => (setQty(v), setQtyScale(null))} />}
        </Field>
        <Field label={t('production.outputLocation')} error={fieldError(output.error, 'location', lang)}>
          {(id) => <SelectInput id={id} value={location} onChange={setLocation} options={locationOptions(locations)} placeholder={t('production.chooseLocation')} />}
        </Field>
        <Field label={t('production.packages')} error={fieldError(output.error, 'packages', lang) ?? (tried && Number.isNaN(pkg) ? '1, 2, 3…' : undefined)}>
          {(id) => <TextInput id={id} value={packages} onChange={setPackages} inputMode="numeric" autoComplete="off" className="pd-int" />}
        </Field>
        <Field label={t('production.producedAt')} error={fieldError(output.error, 'produced_at', lang)}>
          {(id) => <TextInput id={id} type="datetime-local" value={producedAt} onChange={setProducedAt} />}
        </Field>
      </div>
      <ErrorBanner error={output.error} shownFields={['qty_g', 'location', 'packages', 'produced_at']} />
      {made ? (
        <div className="banner banner-ok pd-row" role="status">
          <span>
            <strong>{t('production.newLot', { code: made.code, kg: kg(made.initial_g), expires: date(made.expires_at) })}</strong> {t('production.quarantineHint')}
          </span>
          {can('quality.inspect') ? (
            <Button type="button" onClick={() => navigate('quality', made.code)}>
              {t('production.toQuality')}
            </Button>
          ) : null}
        </div>
      ) : null}
      <div className="actions">
        <Button kind="primary" type="submit" pending={output.pending}>
          {t('production.recordOutput')}
        </Button>
      </div>
    </form>
  );
}
