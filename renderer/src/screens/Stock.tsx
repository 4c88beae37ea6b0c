// Партии и остатки: stock levels (by product, location or lot), the lot list with filters,
// expiring and expired stock, the FEFO picking suggestion — and the card of an opened lot with
// its stock, ledger, inspections and the moves, write-offs, adjustments and blocks on it. A scanned
// label of one of our lots opens its card.
import { useEffect, useRef, useState, type Dispatch, type FormEvent, type KeyboardEvent, type SetStateAction } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperationOutput } from '../../../main/contract/operations';
import { useQuery } from '../api/hooks';
import { useSession } from '../app/App';
import { DataTable, Pager, type Column } from '../components/DataTable';
import { Button, ErrorBanner, Field, fieldError, KgInput, SelectInput, Status, TextInput } from '../components/forms';
import { ScanReport, scanRefused, useScans, type ScanOutcome } from '../components/ScanCapture';
import { date, kg, parseKg } from '../format';
import { DaysLeft, productName, useAllPages, useReference } from './lotParts';
import { LotPanel } from './StockLot';

type Level = OperationOutput<'stock.levels'>['rows'][number];
type Lot = OperationOutput<'lots.list'>['rows'][number];
type Pick = OperationOutput<'stock.fefo'>['picks'][number];
type By = 'product' | 'location' | 'lot';
type Tab = 'levels' | 'lots' | 'expiring' | 'fefo';
const TABS: Tab[] = ['levels', 'lots', 'expiring', 'fefo'];

export interface LotFilter {
  product: string;
  status: string;
  location: string;
  search: string;
  inStock: boolean;
}
const NO_FILTER: LotFilter = { product: '', status: '', location: '', search: '', inStock: true };

/** Levels by product or location come a page at a time; by lot, all of them in the largest pages the contract allows. */
const LEVEL_PAGE = 500;
const LOT_LEVEL_PAGE = 10_000;
const LOT_PAGE = 500;
const EXPIRING_PAGE = 2_000;

export function StockScreen() {
  const { t } = useTranslation();
  const { param, navigate } = useSession();
  const [tab, setTab] = useState<Tab>('levels');
  const [lotFilter, setLotFilter] = useState<LotFilter>(NO_FILTER);
  const returnFocus = useRef<HTMLElement | null>(null);
  /** The last scan that did not open a lot (refused, or not one of ours). */
  const [scan, setScan] = useState<ScanOutcome>();

  const openLot = (code: string) => {
    returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    navigate('stock', code);
  };
  const closeLot = () => {
    navigate('stock');
    const back = returnFocus.current;
    if (back?.isConnected) requestAnimationFrame(() => back.focus());
  };
  useScans((outcome) => {
    const lot = !scanRefused(outcome) && outcome.ok ? outcome.value.lot : null;
    setScan(lot ? undefined : outcome);
    if (lot) openLot(lot.code);
  });
  const drill = (filter: Partial<LotFilter>) => {
    setLotFilter({ ...NO_FILTER, ...filter });
    setTab('lots');
  };

  const onTabKey = (event: KeyboardEvent) => {
    const at = TABS.indexOf(tab);
    let next: Tab | undefined;
    if (event.key === 'ArrowRight') next = TABS[(at + 1) % TABS.length];
    else if (event.key === 'ArrowLeft') next = TABS[(at + TABS.length - 1) % TABS.length];
    else if (event.key === 'Home') next = TABS[0];
    else if (event.key === 'End') next = TABS[TABS.length - 1];
    if (!next) return;
    event.preventDefault();
    setTab(next);
    const target = next;
    requestAnimationFrame(() => document.getElementById(`stock-tab-${target}`)?.focus());
  };

  return (
    <>
      <h1>{t('stock.title')}</h1>
      {scan ? (
        <ScanReport outcome={scan} onDismiss={() => setScan(undefined)}>
          {!scanRefused(scan) ? <div role="status">{t('devices.scan.notOurLot')}</div> : null}
        </ScanReport>
      ) : null}
      <div className={`st-layout${param ? ' st-layout-open' : ''}`}>
        <div className="st-main">
          <div className="tabs" role="tablist" aria-label={t('stock.tabsLabel')} onKeyDown={onTabKey}>
            {TABS.map((id) => (
              <button
                key={id}
                id={`stock-tab-${id}`}
                type="button"
                role="tab"
                aria-selected={tab === id}
                aria-controls={`stock-panel-${id}`}
                tabIndex={tab === id ? 0 : -1}
                onClick={() => setTab(id)}
              >
                {t(`stock.tab.${id}`)}
              </button>
            ))}
          </div>
          <div className="st-tabpanel" role="tabpanel" id={`stock-panel-${tab}`} aria-labelledby={`stock-tab-${tab}`}>
            {tab === 'levels' && <LevelsTab onOpenLot={openLot} onDrill={drill} />}
            {tab === 'lots' && <LotsTab filter={lotFilter} onFilter={setLotFilter} onOpenLot={openLot} compact={!!param} />}
            {tab === 'expiring' && <ExpiringTab onOpenLot={openLot} compact={!!param} />}
            {tab === 'fefo' && <FefoTab onOpenLot={openLot} />}
          </div>
        </div>
        {param && <LotPanel key={param} code={param} onClose={closeLot} />}
      </div>
    </>
  );
}

function Loading({ on }: { on: boolean }) {
  const { t } = useTranslation();
  return on ? (
    <span className="muted st-loading" role="status">
      {t('stock.loading')}
    </span>
  ) : null;
}

// ── Levels ─────────────────────────────────────────────────────────────────────────────────

function LevelsTab({ onOpenLot, onDrill }: { onOpenLot(code: string): void; onDrill(filter: Partial<LotFilter>): void }) {
  const { t } = useTranslation();
  const ref = useReference();
  const [by, setBy] = useState<By>('product');
  const [product, setProduct] = useState('');
  const [location, setLocation] = useState('');
  const [offset, setOffset] = useState(0);
  // By product or location a page is plenty; by lot the table holds every lot in stock (fetched
  // 10 000 at a time), so a 50 000-lot plant scrolls its whole stock in one list.
  const all = by === 'lot';
  const filters = { by, product: product || undefined, location: location || undefined };
  const paged = useQuery('stock.levels', all ? null : { ...filters, limit: LEVEL_PAGE, offset });
  const whole = useAllPages('stock.levels', all ? filters : null, LOT_LEVEL_PAGE);
  const levels = all ? whole : paged;
  const rows = levels.data?.rows ?? [];
  const pageKg = rows.reduce((sum, r) => sum + r.qty_g, 0);

  const first: Column<Level> =
    by === 'product'
      ? { key: 'label', header: t('stock.col.product'), width: 'minmax(10rem, 3fr)', render: (r) => <span title={r.label}>{r.label}</span> }
      : by === 'location'
        ? { key: 'label', header: t('stock.col.location'), width: 'minmax(10rem, 3fr)', render: (r) => <span title={r.label}>{r.label}</span> }
        : { key: 'lot', header: t('stock.col.lot'), width: '9rem', render: (r) => <span className="lp-mono">{r.lot_code}</span> };
  const columns: Column<Level>[] = [
    first,
    ...(by === 'lot' ? [{ key: 'product', header: t('stock.col.productCode'), width: 'minmax(8rem, 2fr)', render: (r: Level) => r.product_code ?? '—' }] : []),
    ...(by !== 'lot' ? [{ key: 'lots', header: t('stock.col.lots'), width: '6rem', align: 'right' as const, render: (r: Level) => r.lots }] : []),
    { key: 'qty', header: t('stock.col.qty'), width: '9rem', align: 'right', render: (r) => kg(r.qty_g) },
    { key: 'expiry', header: by === 'lot' ? t('stock.col.expires') : t('stock.col.earliest'), width: '9rem', render: (r) => date(r.earliest_expiry) },
    { key: 'days', header: t('stock.col.daysLeft'), width: '8rem', align: 'right', render: (r) => <DaysLeft expires={r.earliest_expiry} /> },
  ];
  const activate = (r: Level) => {
    if (by === 'lot' && r.lot_code) onOpenLot(r.lot_code);
    else if (by === 'product' && r.product_code) onDrill({ product: r.product_code, location });
    else if (by === 'location' && r.location_code) onDrill({ location: r.location_code, product });
  };

  return (
    <div className="st-tab">
      <div className="toolbar">
        <Field label={t('stock.groupBy')}>
          {(id) => (
            <select
              id={id}
              value={by}
              onChange={(e) => {
                setBy(e.target.value as By);
                setOffset(0);
              }}
            >
              {(['product', 'location', 'lot'] as const).map((b) => (
                <option key={b} value={b}>
                  {t(`stock.by.${b}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('stock.product')}>
          {(id) => <SelectInput id={id} value={product} onChange={(v) => (setProduct(v), setOffset(0))} options={ref.productOptions} placeholder={t('stock.allProducts')} />}
        </Field>
        <Field label={t('stock.location')}>
          {(id) => <SelectInput id={id} value={location} onChange={(v) => (setLocation(v), setOffset(0))} options={ref.locationOptions} placeholder={t('stock.allLocations')} />}
        </Field>
        <span className="lp-spacer" />
        <Loading on={levels.loading} />
        <span className="muted">{t(all ? 'stock.allTotal' : 'stock.pageTotal', { kg: kg(pageKg) })}</span>
      </div>
      <ErrorBanner error={levels.error} />
      <DataTable columns={columns} rows={rows} rowKey={(r) => r.key} onActivate={activate} label={t('stock.levelsLabel')} height={460} testId="stock-levels" />
      <div className="st-table-foot">
        <span className="muted">{by === 'lot' ? t('stock.openHint') : t('stock.drillHint')}</span>
        {all ? (
          <span className="muted">{t('common.total', { count: levels.data?.total ?? 0 })}</span>
        ) : (
          <Pager offset={offset} limit={LEVEL_PAGE} total={levels.data?.total ?? 0} onChange={setOffset} />
        )}
      </div>
    </div>
  );
}

// ── Lots ───────────────────────────────────────────────────────────────────────────────────

/** The lot list's columns; with the lot card open beside it the list drops what the card shows. */
function useLotColumns(compact: boolean): Column<Lot>[] {
  const { t, i18n } = useTranslation();
  const all: (Column<Lot> & { wide?: boolean })[] = [
    { key: 'code', header: t('stock.col.lot'), width: '9rem', render: (l) => <span className="lp-mono">{l.code}</span> },
    {
      key: 'product',
      header: t('stock.col.product'),
      width: compact ? 'minmax(7rem, 3fr)' : 'minmax(12rem, 3fr)',
      render: (l) => <span title={`${l.product_code} — ${productName(l, i18n.language)}`}>{`${l.product_code} — ${productName(l, i18n.language)}`}</span>,
    },
    { key: 'status', header: t('stock.col.status'), width: '7.5rem', render: (l) => <Status value={l.status} /> },
    { key: 'qty', header: t('stock.col.qty'), width: '7rem', align: 'right', render: (l) => kg(l.qty_g) },
    { key: 'produced', header: t('stock.col.produced'), width: '6.5rem', wide: true, render: (l) => date(l.produced_at) },
    { key: 'expires', header: t('stock.col.expires'), width: '6.5rem', render: (l) => date(l.expires_at) },
    { key: 'days', header: t('stock.col.daysLeft'), width: '6.5rem', align: 'right', render: (l) => <DaysLeft expires={l.expires_at} /> },
    {
      key: 'origin',
      header: t('stock.col.origin'),
      width: 'minmax(8rem, 2fr)',
      wide: true,
      render: (l) => <span title={l.supplier_name ?? ''}>{l.supplier_name ?? t(`stock.origin.${l.origin}`)}</span>,
    },
  ];
  return compact ? all.filter((c) => !c.wide) : all;
}

function LotsTab({ filter, onFilter, onOpenLot, compact }: { filter: LotFilter; onFilter: Dispatch<SetStateAction<LotFilter>>; onOpenLot(code: string): void; compact: boolean }) {
  const { t } = useTranslation();
  const ref = useReference();
  const [offset, setOffset] = useState(0);
  const [search, setSearch] = useState(filter.search);
  const set = (patch: Partial<LotFilter>) => {
    onFilter((f) => ({ ...f, ...patch }));
    setOffset(0);
  };
  // Typing searches after a short pause, not on every key.
  useEffect(() => {
    if (search === filter.search) return;
    const timer = setTimeout(() => set({ search }), 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);
  useEffect(() => setSearch(filter.search), [filter.search]);

  const lots = useQuery('lots.list', {
    product: filter.product || undefined,
    status: filter.status || undefined,
    location: filter.location || undefined,
    search: filter.search.trim() || undefined,
    in_stock: filter.inStock || undefined,
    limit: LOT_PAGE,
    offset,
  });
  const rows = lots.data?.rows ?? [];
  const columns = useLotColumns(compact);

  return (
    <div className="st-tab">
      <div className="toolbar">
        <Field label={t('stock.search')}>
          {(id) => (
            <TextInput
              id={id}
              type="search"
              value={search}
              onChange={setSearch}
              onKeyDown={(e) => e.key === 'Enter' && set({ search })}
              placeholder={t('stock.searchHint')}
              autoComplete="off"
              spellCheck={false}
              maxLength={60}
            />
          )}
        </Field>
        <Field label={t('stock.product')}>
          {(id) => <SelectInput id={id} value={filter.product} onChange={(v) => set({ product: v })} options={ref.productOptions} placeholder={t('stock.allProducts')} />}
        </Field>
        <Field label={t('stock.status')}>
          {(id) => (
            <SelectInput
              id={id}
              value={filter.status}
              onChange={(v) => set({ status: v })}
              options={(['quarantine', 'released', 'blocked'] as const).map((s) => ({ value: s, label: t(`status.${s}`) }))}
              placeholder={t('stock.allStatuses')}
            />
          )}
        </Field>
        <Field label={t('stock.location')}>
          {(id) => <SelectInput id={id} value={filter.location} onChange={(v) => set({ location: v })} options={ref.locationOptions} placeholder={t('stock.allLocations')} />}
        </Field>
        <label className="st-check">
          <input type="checkbox" checked={filter.inStock} onChange={(e) => set({ inStock: e.target.checked })} /> {t('stock.inStock')}
        </label>
        <span className="lp-spacer" />
        <Loading on={lots.loading} />
      </div>
      <ErrorBanner error={lots.error} />
      <DataTable columns={columns} rows={rows} rowKey={(l) => l.id} onActivate={(l) => onOpenLot(l.code)} label={t('stock.lotsLabel')} height={460} testId="stock-lots" />
      <div className="st-table-foot">
        <span className="muted">{t('stock.openHint')}</span>
        <Pager offset={offset} limit={LOT_PAGE} total={lots.data?.total ?? 0} onChange={setOffset} />
      </div>
    </div>
  );
}

// ── Expiring and expired ───────────────────────────────────────────────────────────────────

function ExpiringTab({ onOpenLot, compact }: { onOpenLot(code: string): void; compact: boolean }) {
  const { t } = useTranslation();
  const ref = useReference();
  const [daysText, setDaysText] = useState('7');
  const [location, setLocation] = useState('');
  const [offset, setOffset] = useState(0);
  const days = /^\d{1,4}$/.test(daysText.trim()) && Number(daysText) <= 3650 ? Number(daysText) : null;
  const [within, setWithin] = useState(7);
  useEffect(() => {
    if (days === null || days === within) return;
    const timer = setTimeout(() => (setWithin(days), setOffset(0)), 300);
    return () => clearTimeout(timer);
  }, [days, within]);
  const q = useQuery('stock.expiring', { within_days: within, location: location || undefined, limit: EXPIRING_PAGE, offset });
  const columns = useLotColumns(compact).filter((c) => c.key !== 'produced');
  const total = Math.max(q.data?.expiring_total ?? 0, q.data?.expired_total ?? 0);

  return (
    <div className="st-tab">
      <div className="toolbar">
        <Field label={t('stock.withinDays')} error={days === null ? t('stock.err.days') : undefined}>
          {(id) => <TextInput id={id} value={daysText} onChange={setDaysText} inputMode="numeric" className="num st-days-input" autoComplete="off" />}
        </Field>
        <Field label={t('stock.location')}>
          {(id) => <SelectInput id={id} value={location} onChange={(v) => (setLocation(v), setOffset(0))} options={ref.locationOptions} placeholder={t('stock.allLocations')} />}
        </Field>
        <span className="lp-spacer" />
        <Loading on={q.loading} />
      </div>
      <ErrorBanner error={q.error} />
      <ExpiryList
        title={t('stock.expiredTitle')}
        tone="bad"
        label={t('stock.expiredLabel')}
        rows={q.data?.expired ?? []}
        total={q.data?.expired_total ?? 0}
        columns={columns}
        onOpenLot={onOpenLot}
        testId="stock-expired"
      />
      <ExpiryList
        title={t('stock.expiringTitle', { days: within })}
        tone="warn"
        label={t('stock.expiringLabel')}
        rows={q.data?.expiring ?? []}
        total={q.data?.expiring_total ?? 0}
        columns={columns}
        onOpenLot={onOpenLot}
        testId="stock-expiring"
      />
      {total > EXPIRING_PAGE && <Pager offset={offset} limit={EXPIRING_PAGE} total={total} onChange={setOffset} />}
    </div>
  );
}

function ExpiryList(props: {
  title: string;
  tone: 'bad' | 'warn';
  label: string;
  rows: Lot[];
  total: number;
  columns: Column<Lot>[];
  onOpenLot(code: string): void;
  testId: string;
}) {
  const { t } = useTranslation();
  const kgSum = props.rows.reduce((sum, l) => sum + l.qty_g, 0);
  return (
    <section className={`st-expiry-list st-expiry-${props.tone}`} aria-label={props.label}>
      <div className="st-expiry-head">
        <h2>{props.title}</h2>
        <span className="st-expiry-totals">
          {t('stock.listTotals', { count: props.total, kg: kg(kgSum) })}
          {props.total > props.rows.length && props.rows.length > 0 ? ` (${t('stock.listTruncated', { shown: props.rows.length })})` : ''}
        </span>
      </div>
      <DataTable
        columns={props.columns}
        rows={props.rows}
        rowKey={(l) => l.id}
        onActivate={(l) => props.onOpenLot(l.code)}
        label={props.label}
        height={Math.max(110, Math.min(300, props.rows.length * 36 + 8))}
        testId={props.testId}
      />
    </section>
  );
}

// ── FEFO ───────────────────────────────────────────────────────────────────────────────────

function FefoTab({ onOpenLot }: { onOpenLot(code: string): void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const ref = useReference();
  const [product, setProduct] = useState('');
  const [qty, setQty] = useState('');
  const [location, setLocation] = useState('');
  const [request, setRequest] = useState<{ product: string; qty_g: number; location?: string } | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const fefo = useQuery('stock.fefo', request);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    const grams = parseKg(qty);
    if (!product) problems.product = t('stock.err.choose');
    if (qty.trim() === '') problems.qty_g = t('stock.err.required');
    else if (grams === null) problems.qty_g = t('stock.err.weight');
    else if (grams <= 0) problems.qty_g = t('stock.err.positive');
    setLocal(problems);
    if (Object.keys(problems).length > 0 || grams === null) return;
    setRequest({ product, qty_g: grams, ...(location ? { location } : {}) });
    if (request && request.product === product && request.qty_g === grams && (request.location ?? '') === location) fefo.reload();
  };
  const err = (f: string) => local[f] ?? fieldError(fefo.error, f, lang);
  const result = request ? fefo.data : undefined;

  const columns: Column<Pick>[] = [
    { key: 'lot', header: t('stock.col.lot'), width: '9rem', render: (p) => <span className="lp-mono">{p.lot_code}</span> },
    { key: 'location', header: t('stock.col.location'), width: 'minmax(7rem, 1fr)', render: (p) => p.location_code },
    { key: 'expires', header: t('stock.col.expires'), width: '8rem', render: (p) => date(p.expires_at) },
    { key: 'days', header: t('stock.col.daysLeft'), width: '7rem', align: 'right', render: (p) => <DaysLeft expires={p.expires_at} /> },
    { key: 'available', header: t('stock.col.available'), width: '9rem', align: 'right', render: (p) => kg(p.available_g) },
    { key: 'take', header: t('stock.col.take'), width: '9rem', align: 'right', render: (p) => <strong>{kg(p.take_g)}</strong> },
  ];

  return (
    <div className="st-tab">
      <form className="card st-fefo-form" onSubmit={submit} noValidate aria-labelledby="fefo-title">
        <h2 id="fefo-title">{t('stock.fefoTitle')}</h2>
        <p className="muted">{t('stock.fefoHint')}</p>
        <div className="toolbar">
          <Field label={t('stock.product')} error={err('product')}>
            {(id) => <SelectInput id={id} value={product} onChange={setProduct} options={ref.productOptions} placeholder="—" />}
          </Field>
          <Field label={t('stock.fefoQty')} error={err('qty_g')}>
            {(id) => <KgInput id={id} value={qty} onChange={setQty} />}
          </Field>
          <Field label={t('stock.location')} error={err('location')}>
            {(id) => <SelectInput id={id} value={location} onChange={setLocation} options={ref.locationOptions} placeholder={t('stock.fefoLocationAny')} />}
          </Field>
          <Button kind="primary" type="submit" pending={fefo.loading && request !== null}>
            {t('stock.fefoSubmit')}
          </Button>
        </div>
        <ErrorBanner error={fefo.error} shownFields={['product', 'qty_g', 'location']} />
      </form>
      {result && (
        <section aria-labelledby="fefo-picks-title" className="st-fefo-result">
          <div className="st-expiry-head">
            <h2 id="fefo-picks-title">{t('stock.fefoPicks')}</h2>
            <span className="st-expiry-totals">{t('stock.fefoSummary', { requested: kg(result.requested_g), covered: kg(result.covered_g) })}</span>
          </div>
          {result.shortfall_g > 0 ? (
            <div className="banner banner-warn" role="status">
              {t('stock.fefoShortfall', { kg: kg(result.shortfall_g) })}
            </div>
          ) : (
            <div className="banner banner-ok" role="status">
              {t('stock.fefoCovered')}
            </div>
          )}
          {result.picks.length === 0 ? (
            <p className="muted">{t('stock.fefoNone')}</p>
          ) : (
            <DataTable
              columns={columns}
              rows={result.picks}
              rowKey={(p) => `${p.lot_code}@${p.location_code}`}
              onActivate={(p) => onOpenLot(p.lot_code)}
              label={t('stock.fefoPicks')}
              height={Math.min(360, result.picks.length * 36 + 8)}
              testId="stock-fefo"
            />
          )}
        </section>
      )}
    </div>
  );
}
