// «Отгрузки»: export shipments. A list by status; a new shipment (customer, consignee, date,
// terms); and the shipment itself: containers with seals (ISO 6346 check digit checked as typed),
// lines assembled from released finished lots in stock, totals, Ship and Cancel with a reason.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperationError } from '../../../main/contract/errors';
import type { OperationOutput } from '../../../main/contract/operations';
import { iso6346CheckDigit, isValidContainerNumber } from '../../../main/contract/check-digits';
import { api } from '../api/client';
import { useMutation, useQuery } from '../api/hooks';
import { useSession } from '../app/App';
import { DataTable, Pager, type Column } from '../components/DataTable';
import { Button, ErrorBanner, errorText, Field, fieldError, KgInput, SelectInput, Status, TextInput } from '../components/forms';
import { date, dateTime, fromDateInput, kg, parseKg, toDateInput } from '../format';
import { ShipmentDocuments } from './documentIssue';

type ShipmentSummary = OperationOutput<'shipments.list'>['rows'][number];
type Shipment = OperationOutput<'shipments.get'>;
type ShipmentLine = Shipment['lines'][number];
type Container = Shipment['containers'][number];
type Lot = OperationOutput<'lots.list'>['rows'][number];
type Partner = OperationOutput<'partners.list'>['rows'][number];

const PAGE = 50;
const INCOTERMS = ['EXW', 'FCA', 'FAS', 'FOB', 'CFR', 'CIF', 'CPT', 'CIP', 'DAP', 'DPU', 'DDP'];
const CURRENCIES = ['CNY', 'USD', 'EUR', 'RUB'];

export function ShipmentsScreen() {
  const { param } = useSession();
  return param ? <ShipmentDetail number={param} /> : <ShipmentList />;
}

/** Partner names in the UI language (the shipment carries the Russian names). */
function usePartnerNames(): (id: string, fallback: string) => string {
  const { i18n } = useTranslation();
  const partners = useQuery('partners.list', {});
  const en = i18n.language === 'en';
  const byId = useMemo(() => new Map((partners.data?.rows ?? []).map((p) => [p.id, p])), [partners.data]);
  return (id, fallback) => {
    const p = byId.get(id);
    if (!p) return fallback;
    return en ? (p.name_en ?? p.name_ru) : p.name_ru;
  };
}

function partnerLabel(p: Partner, lang: string): string {
  const name = lang === 'en' ? (p.name_en ?? p.name_ru) : p.name_ru;
  return `${p.code} — ${name}`;
}

/** How tall a small DataTable should be for `rows` rows (at least one, at most `max`). */
function tableHeight(rows: number, max = 320): number {
  return Math.min(max, Math.max(1, rows) * 36 + 4);
}

/**
 * Stock refusals carry their figures in grams; say them in kilograms, as the screen does.
 * Other refusals keep the contract's own message.
 */
function readableRefusal(error: OperationError | undefined, t: (key: string, opts?: Record<string, unknown>) => string, lang: string): string | undefined {
  if (!error) return undefined;
  const p = error.params ?? {};
  const g = (k: string) => (typeof p[k] === 'number' ? kg(p[k]) : String(p[k] ?? '—'));
  if (error.code === 'STOCK_RESERVED' && 'reserved' in p) {
    return t('shipments.reservedText', { lot: p.lot, inStock: g('in_stock'), reserved: g('reserved'), shipments: p.shipments, available: g('available'), requested: g('requested') });
  }
  if (error.code === 'INSUFFICIENT_STOCK' && 'available' in p) {
    return t('shipments.insufficientText', { lot: p.lot, available: g('available'), requested: g('requested') });
  }
  return errorText(error, lang);
}

// ── the list ────────────────────────────────────────────────────────────────────────────────

function ShipmentList() {
  const { t } = useTranslation();
  const { can, navigate } = useSession();
  const [status, setStatus] = useState('');
  const [offset, setOffset] = useState(0);
  const [creating, setCreating] = useState(false);
  const list = useQuery('shipments.list', { ...(status ? { status } : {}), limit: PAGE, offset });
  const partnerName = usePartnerNames();

  const columns: Column<ShipmentSummary>[] = [
    { key: 'number', header: t('shipments.number'), width: '12rem', render: (r) => r.number },
    { key: 'planned', header: t('shipments.plannedDate'), width: '7rem', render: (r) => date(r.planned_date) },
    { key: 'status', header: t('shipments.status'), width: '7.5rem', render: (r) => <Status value={r.status} /> },
    { key: 'customer', header: t('shipments.customer'), width: '1fr', render: (r) => partnerName(r.customer_id, r.customer_name) },
    { key: 'consignee', header: t('shipments.consignee'), width: '1fr', render: (r) => partnerName(r.consignee_id, r.consignee_name) },
    { key: 'net', header: t('shipments.netKg'), width: '7.5rem', align: 'right', render: (r) => kg(r.net_g) },
    { key: 'gross', header: t('shipments.grossKg'), width: '7.5rem', align: 'right', render: (r) => kg(r.gross_g) },
    { key: 'packages', header: t('shipments.packages'), width: '5rem', align: 'right', render: (r) => r.packages },
    { key: 'shipped', header: t('shipments.shippedAt'), width: '9.5rem', render: (r) => dateTime(r.shipped_at) },
  ];

  return (
    <>
      <div className="shp-head">
        <h1>{t('nav.shipments')}</h1>
        {can('shipment.manage') && !creating && (
          <Button kind="primary" onClick={() => setCreating(true)}>
            {t('shipments.new')}
          </Button>
        )}
      </div>
      {creating && <CreateShipment onCancel={() => setCreating(false)} onCreated={(n) => navigate('shipments', n)} />}
      <div className="toolbar">
        <Field label={t('shipments.filterStatus')}>
          {(id) => (
            <SelectInput
              id={id}
              value={status}
              onChange={(v) => {
                setStatus(v);
                setOffset(0);
              }}
              placeholder={t('shipments.allStatuses')}
              options={(['draft', 'shipped', 'cancelled'] as const).map((s) => ({ value: s, label: t(`status.${s}`) }))}
            />
          )}
        </Field>
      </div>
      <ErrorBanner error={list.error} />
      <DataTable
        columns={columns}
        rows={list.data?.rows ?? []}
        rowKey={(r) => r.id}
        label={t('shipments.listLabel')}
        onActivate={(r) => navigate('shipments', r.number)}
        testId="shipments-table"
      />
      {list.data && <Pager offset={offset} limit={PAGE} total={list.data.total} onChange={setOffset} />}
    </>
  );
}

function CreateShipment({ onCancel, onCreated }: { onCancel(): void; onCreated(number: string): void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const customers = useQuery('partners.list', { role: 'customer' });
  const consignees = useQuery('partners.list', { role: 'consignee' });
  const create = useMutation('shipments.create');
  const [form, setForm] = useState({
    customer: '',
    consignee: '',
    planned_date: toDateInput(Date.now() + 86_400_000),
    destination_country: 'CN',
    incoterms: 'FCA',
    currency: 'CNY',
    transport: '',
    border_crossing: '',
    note: '',
  });
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const err = (f: string) => fieldError(create.error, f, lang);
  const plannedMs = fromDateInput(form.planned_date);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const created = await create.run({
      customer: form.customer,
      consignee: form.consignee,
      planned_date: plannedMs ?? -1,
      destination_country: form.destination_country.trim().toUpperCase(),
      incoterms: form.incoterms.trim() || null,
      currency: form.currency || null,
      transport: form.transport.trim() || null,
      border_crossing: form.border_crossing.trim() || null,
      note: form.note.trim() || null,
    });
    if (created) onCreated(created.number);
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="shipment-new-title">
      <h2 id="shipment-new-title">{t('shipments.newTitle')}</h2>
      <div className="grid-3">
        <Field label={t('shipments.customer')} error={err('customer')}>
          {(id) => (
            <SelectInput
              id={id}
              value={form.customer}
              onChange={(v) => {
                set('customer')(v);
                // Often the same company: suggest it as the consignee when it is one.
                if (!form.consignee && consignees.data?.rows.some((p) => p.code === v)) set('consignee')(v);
              }}
              options={(customers.data?.rows ?? []).map((p) => ({ value: p.code, label: partnerLabel(p, lang) }))}
              required
              autoFocus
            />
          )}
        </Field>
        <Field label={t('shipments.consignee')} error={err('consignee')}>
          {(id) => (
            <SelectInput
              id={id}
              value={form.consignee}
              onChange={set('consignee')}
              options={(consignees.data?.rows ?? []).map((p) => ({ value: p.code, label: partnerLabel(p, lang) }))}
              required
            />
          )}
        </Field>
        <Field label={t('shipments.plannedDate')} error={err('planned_date')}>
          {(id) => <TextInput id={id} type="date" value={form.planned_date} onChange={set('planned_date')} required />}
        </Field>
        <Field label={t('shipments.incoterms')} error={err('incoterms')} hint={t('shipments.incotermsHint')}>
          {(id) => <SelectInput id={id} value={form.incoterms} onChange={set('incoterms')} options={INCOTERMS.map((v) => ({ value: v, label: v }))} />}
        </Field>
        <Field label={t('shipments.currency')} error={err('currency')}>
          {(id) => <SelectInput id={id} value={form.currency} onChange={set('currency')} options={CURRENCIES.map((v) => ({ value: v, label: v }))} />}
        </Field>
        <Field label={t('shipments.destination')} error={err('destination_country')} hint={t('shipments.destinationHint')}>
          {(id) => <TextInput id={id} value={form.destination_country} onChange={set('destination_country')} maxLength={2} required />}
        </Field>
        <Field label={t('shipments.transport')} error={err('transport')} hint={t('shipments.transportHint')}>
          {(id) => <TextInput id={id} value={form.transport} onChange={set('transport')} maxLength={200} />}
        </Field>
        <Field label={t('shipments.borderCrossing')} error={err('border_crossing')} hint={t('shipments.borderCrossingHint')}>
          {(id) => <TextInput id={id} value={form.border_crossing} onChange={set('border_crossing')} maxLength={200} />}
        </Field>
        <Field label={t('shipments.note')} error={err('note')}>
          {(id) => <TextInput id={id} value={form.note} onChange={set('note')} maxLength={1000} />}
        </Field>
      </div>
      <ErrorBanner
        error={create.error}
        shownFields={['customer', 'consignee', 'planned_date', 'incoterms', 'currency', 'destination_country', 'transport', 'border_crossing', 'note']}
      />
      <div className="actions">
        <Button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </Button>
        <Button kind="primary" type="submit" pending={create.pending}>
          {t('shipments.create')}
        </Button>
      </div>
    </form>
  );
}

// ── one shipment ────────────────────────────────────────────────────────────────────────────

function ShipmentDetail({ number }: { number: string }) {
  const { t, i18n } = useTranslation();
  const { can, navigate, me } = useSession();
  const lang = i18n.language;
  const query = useQuery('shipments.get', { number });
  const partnerName = usePartnerNames();
  const s = query.data;

  const back = (
    <Button onClick={() => navigate('shipments')}>
      ← {t('shipments.backToList')}
    </Button>
  );
  if (!s) {
    return (
      <>
        <div className="shp-head">
          <h1>{number}</h1>
          {back}
        </div>
        {query.error ? <ErrorBanner error={query.error} /> : <div className="muted">{t('app.loading')}</div>}
      </>
    );
  }

  const own = s.site_id === me.site.id;
  const editable = s.status === 'draft' && own;
  const manage = editable && can('shipment.manage');

  return (
    <>
      <div className="shp-head">
        <h1>
          {t('shipments.title', { number: s.number })} <Status value={s.status} />
        </h1>
        {back}
      </div>
      {s.status === 'draft' && !own && <div className="banner banner-warn">{t('shipments.otherSite')}</div>}

      <section className="card" aria-label={t('shipments.details')}>
        <dl className="shp-facts">
          <Fact term={t('shipments.customer')}>{partnerName(s.customer_id, s.customer_name)}</Fact>
          <Fact term={t('shipments.consignee')}>{partnerName(s.consignee_id, s.consignee_name)}</Fact>
          <Fact term={t('shipments.plannedDate')}>{date(s.planned_date)}</Fact>
          <Fact term={t('shipments.destination')}>{s.destination_country}</Fact>
          <Fact term={t('shipments.incoterms')}>{s.incoterms ?? '—'}</Fact>
          <Fact term={t('shipments.currency')}>{s.currency ?? '—'}</Fact>
          <Fact term={t('shipments.transport')}>{s.transport ?? '—'}</Fact>
          <Fact term={t('shipments.borderCrossing')}>{s.border_crossing ?? '—'}</Fact>
          {s.shipped_at !== null && <Fact term={t('shipments.shippedAt')}>{dateTime(s.shipped_at)}</Fact>}
          {s.note && <Fact term={t('shipments.note')}>{s.note}</Fact>}
        </dl>
      </section>

      <section className="kpis" aria-label={t('shipments.totals')}>
        <div className="kpi">
          <div className="pd-kpi-label">{t('shipments.totalNet')}</div>
          <div className="value" data-testid="total-net">{kg(s.net_g)}</div>
        </div>
        <div className="kpi">
          <div className="pd-kpi-label">{t('shipments.totalGross')}</div>
          <div className="value" data-testid="total-gross">{kg(s.gross_g)}</div>
        </div>
        <div className="kpi">
          <div className="pd-kpi-label">{t('shipments.totalPackages')}</div>
          <div className="value" data-testid="total-packages">{s.packages.toLocaleString(lang === 'en' ? 'en-GB' : 'ru-RU')}</div>
        </div>
        <div className="kpi">
          <div className="pd-kpi-label">{t('shipments.containers')}</div>
          <div className="value">{s.containers.length}</div>
        </div>
      </section>

      <Containers shipment={s} manage={manage} />
      <Lines shipment={s} />
      {manage && <AssembleFromLots shipment={s} />}
      {editable && (can('shipment.ship') || can('shipment.manage')) && <ShipmentActions shipment={s} />}
      {own && s.status !== 'cancelled' && s.lines.length > 0 && can('documents.issue') && <ShipmentDocuments key={s.number} shipment={s} />}
    </>
  );
}

function Fact({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <div className="shp-fact">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

// ── containers ──────────────────────────────────────────────────────────────────────────────

/** What is wrong with a container number as typed, before the server is asked (ISO 6346). */
function containerProblem(value: string, t: (key: string, opts?: Record<string, unknown>) => string): string | undefined {
  if (value.length < 11) return undefined;
  if (!/^[A-Z]{3}[UJZ]\d{7}$/.test(value)) return t('shipments.containerFormat');
  if (!isValidContainerNumber(value)) return t('shipments.containerCheckDigit', { digit: iso6346CheckDigit(value.slice(0, 10)) });
  return undefined;
}

function Containers({ shipment, manage }: { shipment: Shipment; manage: boolean }) {
  const { t, i18n } = useTranslation();
  const add = useMutation('shipments.addContainer');
  const [containerNo, setContainerNo] = useState('');
  const [sealNo, setSealNo] = useState('');
  const [added, setAdded] = useState<string>();
  const form = useRef<HTMLFormElement>(null);
  const lang = i18n.language;

  const perContainer = useMemo(() => {
    const m = new Map<string, { net: number; gross: number; packages: number; lines: number }>();
    for (const l of shipment.lines) {
      if (!l.container_no) continue;
      const a = m.get(l.container_no) ?? { net: 0, gross: 0, packages: 0, lines: 0 };
      a.net += l.qty_g;
      a.gross += l.gross_g;
      a.packages += l.packages;
      a.lines += 1;
      m.set(l.container_no, a);
    }
    return m;
  }, [shipment.lines]);

  const columns: Column<Container>[] = [
    { key: 'no', header: t('shipments.containerNo'), width: '10rem', render: (c) => <span className="shp-mono">{c.container_no}</span> },
    { key: 'seal', header: t('shipments.sealNo'), width: '1fr', render: (c) => c.seal_no ?? '—' },
    { key: 'lines', header: t('shipments.lines'), width: '5rem', align: 'right', render: (c) => perContainer.get(c.container_no)?.lines ?? 0 },
    { key: 'net', header: t('shipments.netKg'), width: '8rem', align: 'right', render: (c) => kg(perContainer.get(c.container_no)?.net ?? 0) },
    { key: 'gross', header: t('shipments.grossKg'), width: '8rem', align: 'right', render: (c) => kg(perContainer.get(c.container_no)?.gross ?? 0) },
    { key: 'packages', header: t('shipments.packages'), width: '5rem', align: 'right', render: (c) => perContainer.get(c.container_no)?.packages ?? 0 },
  ];

  const local = containerProblem(containerNo, t);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setAdded(undefined);
    const result = await add.run({ number: shipment.number, container_no: containerNo, seal_no: sealNo.trim() || null });
    if (result) {
      setAdded(containerNo);
      setContainerNo('');
      setSealNo('');
      form.current?.querySelector('input')?.focus();
    }
  };

  return (
    <section className="shp-panel" aria-labelledby="containers-title">
      <h2 id="containers-title">{t('shipments.containersTitle')}</h2>
      <DataTable columns={columns} rows={shipment.containers} rowKey={(c) => c.id} label={t('shipments.containersTitle')} height={tableHeight(shipment.containers.length, 220)} testId="containers-table" />
      {manage && (
        <form className="shp-inline-form" onSubmit={submit} aria-label={t('shipments.addContainer')} ref={form}>
          <Field label={t('shipments.containerNo')} error={fieldError(add.error, 'container_no', lang) ?? local} hint={t('shipments.containerHint')}>
            {(id) => (
              <TextInput
                id={id}
                value={containerNo}
                onChange={(v) => {
                  setContainerNo(v.toUpperCase().replace(/\s/g, ''));
                  if (add.error) add.clear();
                }}
                maxLength={11}
                required
                autoComplete="off"
                className="shp-mono"
                aria-invalid={Boolean(local || fieldError(add.error, 'container_no', lang))}
              />
            )}
          </Field>
          <Field label={t('shipments.sealNo')} error={fieldError(add.error, 'seal_no', lang)}>
            {(id) => <TextInput id={id} value={sealNo} onChange={setSealNo} maxLength={40} autoComplete="off" />}
          </Field>
          <div className="shp-inline-actions">
            <Button kind="primary" type="submit" pending={add.pending}>
              {t('shipments.addContainer')}
            </Button>
          </div>
          <ErrorBanner error={add.error} shownFields={['container_no', 'seal_no']} />
          {added && !add.error && (
            <div className="banner banner-ok" role="status">
              {t('shipments.containerAdded', { container: added })}
            </div>
          )}
        </form>
      )}
    </section>
  );
}

// ── lines ───────────────────────────────────────────────────────────────────────────────────

function Lines({ shipment }: { shipment: Shipment }) {
  const { t } = useTranslation();
  const columns: Column<ShipmentLine>[] = [
    { key: 'lot', header: t('shipments.lot'), width: '10rem', render: (l) => <span className="shp-mono">{l.lot_code}</span> },
    { key: 'product', header: t('shipments.product'), width: '1fr', render: (l) => l.product_code },
    { key: 'container', header: t('shipments.container'), width: '9rem', render: (l) => l.container_no ?? '—' },
    { key: 'net', header: t('shipments.netKg'), width: '8rem', align: 'right', render: (l) => kg(l.qty_g) },
    { key: 'gross', header: t('shipments.grossKg'), width: '8rem', align: 'right', render: (l) => kg(l.gross_g) },
    { key: 'packages', header: t('shipments.packages'), width: '5rem', align: 'right', render: (l) => l.packages },
  ];
  return (
    <section className="shp-panel" aria-labelledby="lines-title">
      <h2 id="lines-title">{t('shipments.linesTitle')}</h2>
      <DataTable columns={columns} rows={shipment.lines} rowKey={(l) => l.id} label={t('shipments.linesTitle')} height={tableHeight(shipment.lines.length)} testId="lines-table" />
      <div className="shp-totals" role="status">
        <span>{t('shipments.totalsLine', { count: shipment.lines.length })}</span>
        <span>
          {t('shipments.netKg')}: <strong>{kg(shipment.net_g)}</strong>
        </span>
        <span>
          {t('shipments.grossKg')}: <strong>{kg(shipment.gross_g)}</strong>
        </span>
        <span>
          {t('shipments.packages')}: <strong>{shipment.packages}</strong>
        </span>
      </div>
    </section>
  );
}

// ── assembling from released lots ──────────────────────────────────────────────────────────

interface Reservation {
  qty_g: number;
  shipments: string[];
}

/**
 * What the other draft shipments already hold of each lot (reserved stock): lines may never
 * take more than stock minus this, so the picker shows the free quantity up front.
 */
function useOtherDrafts(current: string): Map<string, Reservation> {
  const drafts = useQuery('shipments.list', { status: 'draft', limit: 500 });
  const [reserved, setReserved] = useState<Map<string, Reservation>>(new Map());
  useEffect(() => {
    const numbers = (drafts.data?.rows ?? []).filter((d) => d.number !== current && d.net_g > 0).map((d) => d.number);
    let live = true;
    void Promise.all(numbers.map((number) => api.result('shipments.get', { number }))).then((results) => {
      if (!live) return;
      const map = new Map<string, Reservation>();
      for (const r of results) {
        if (!r.ok) continue;
        for (const line of r.value.lines) {
          const entry = map.get(line.lot_code) ?? { qty_g: 0, shipments: [] };
          entry.qty_g += line.qty_g;
          if (!entry.shipments.includes(r.value.number)) entry.shipments.push(r.value.number);
          map.set(line.lot_code, entry);
        }
      }
      setReserved(map);
    });
    return () => {
      live = false;
    };
  }, [drafts.data, current]);
  return reserved;
}

function AssembleFromLots({ shipment }: { shipment: Shipment }) {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const lang = i18n.language;
  const [search, setSearch] = useState('');
  const [product, setProduct] = useState('');
  const [chosen, setChosen] = useState<Lot>();
  const pickerRef = useRef<HTMLDivElement>(null);
  const products = useQuery('products.list', { kind: 'finished' });
  const lots = useQuery('lots.list', {
    status: 'released',
    in_stock: true,
    ...(product ? { product } : {}),
    ...(search.trim() ? { search: search.trim() } : {}),
    limit: 1000,
  });

  const otherDrafts = useOtherDrafts(shipment.number);
  const onThisShipment = useMemo(() => {
    const m = new Map<string, number>();
    for (const l of shipment.lines) m.set(l.lot_code, (m.get(l.lot_code) ?? 0) + l.qty_g);
    return m;
  }, [shipment.lines]);

  const now = Date.now();
  const rows = (lots.data?.rows ?? []).filter((l) => l.product_kind === 'finished' && l.site_id === me.site.id && l.expires_at > now);

  const columns: Column<Lot>[] = [
    { key: 'code', header: t('shipments.lot'), width: '10rem', render: (l) => <span className="shp-mono">{l.code}</span> },
    { key: 'product', header: t('shipments.product'), width: '1fr', render: (l) => `${l.product_code} · ${lang === 'en' ? l.product_name_en : l.product_name_ru}` },
    { key: 'qty', header: t('shipments.inStockKg'), width: '8rem', align: 'right', render: (l) => kg(l.qty_g) },
    { key: 'here', header: t('shipments.onThisShipmentKg'), width: '10.5rem', align: 'right', render: (l) => (onThisShipment.has(l.code) ? kg(onThisShipment.get(l.code)) : '—') },
    {
      key: 'other',
      header: t('shipments.otherDraftsKg'),
      width: '10.5rem',
      align: 'right',
      render: (l) => {
        const r = otherDrafts.get(l.code);
        return r ? <span title={r.shipments.join(', ')}>{kg(r.qty_g)}</span> : '—';
      },
    },
    {
      key: 'free',
      header: t('shipments.freeKg'),
      width: '8rem',
      align: 'right',
      render: (l) => {
        const free = l.qty_g - (onThisShipment.get(l.code) ?? 0) - (otherDrafts.get(l.code)?.qty_g ?? 0);
        return <strong className={free <= 0 ? 'pd-days-critical' : undefined}>{kg(Math.max(0, free))}</strong>;
      },
    },
    { key: 'packages', header: t('shipments.packages'), width: '5rem', align: 'right', render: (l) => l.packages ?? '—' },
    { key: 'expires', header: t('shipments.expires'), width: '7rem', render: (l) => date(l.expires_at) },
    {
      key: 'left',
      header: t('shipments.daysLeft'),
      width: '8rem',
      align: 'right',
      render: (l) => <span className={l.days_left <= 2 ? 'pd-days-critical' : l.days_left <= 7 ? 'pd-days-warn' : undefined}>{l.days_left}</span>,
    },
  ];

  return (
    <section className="shp-panel" aria-labelledby="assemble-title">
      <h2 id="assemble-title">{t('shipments.assembleTitle')}</h2>
      <p className="muted">{t('shipments.assembleHint')}</p>
      <div className="toolbar">
        <Field label={t('shipments.searchLot')}>
          {(id) => <TextInput id={id} type="search" value={search} onChange={setSearch} placeholder={t('shipments.searchLotPlaceholder')} />}
        </Field>
        <Field label={t('shipments.product')}>
          {(id) => (
            <SelectInput
              id={id}
              value={product}
              onChange={setProduct}
              placeholder={t('shipments.allProducts')}
              options={(products.data?.rows ?? []).map((p) => ({ value: p.code, label: `${p.code} · ${lang === 'en' ? p.name_en : p.name_ru}` }))}
            />
          )}
        </Field>
      </div>
      <ErrorBanner error={lots.error} />
      <div ref={pickerRef}>
        <DataTable
          columns={columns}
          rows={rows}
          rowKey={(l) => l.id}
          label={t('shipments.releasedLots')}
          onActivate={(l) => setChosen(l)}
          height={tableHeight(rows.length, 260)}
          testId="released-lots"
        />
      </div>
      {lots.data && lots.data.total > lots.data.rows.length && <div className="field-hint">{t('shipments.pickerTruncated', { count: lots.data.rows.length })}</div>}
      {chosen ? (
        <AddLine
          key={chosen.id}
          shipment={shipment}
          lot={chosen}
          already={onThisShipment.get(chosen.code) ?? 0}
          elsewhere={otherDrafts.get(chosen.code)}
          onDone={() => {
            setChosen(undefined);
            // Back to the lot list, ready for the next lot.
            setTimeout(() => pickerRef.current?.querySelector<HTMLElement>('.table-body')?.focus(), 0);
          }}
        />
      ) : (
        <div className="field-hint">{t('shipments.chooseLot')}</div>
      )}
    </section>
  );
}

function AddLine({ shipment, lot, already, elsewhere, onDone }: { shipment: Shipment; lot: Lot; already: number; elsewhere: Reservation | undefined; onDone(): void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const addLine = useMutation('shipments.addLine');
  const remaining = Math.max(0, lot.qty_g - already - (elsewhere?.qty_g ?? 0));
  const [net, setNet] = useState(remaining > 0 ? (remaining / 1000).toFixed(3).replace('.', lang === 'en' ? '.' : ',') : '');
  const [gross, setGross] = useState('');
  const [packages, setPackages] = useState(lot.packages && already === 0 ? String(lot.packages) : '');
  const last = shipment.containers.at(-1)?.container_no ?? '';
  const [container, setContainer] = useState(last);

  const netG = parseKg(net);
  const grossG = parseKg(gross);
  const grossTooSmall = netG !== null && grossG !== null && grossG < netG;
  const err = (f: string) => fieldError(addLine.error, f, lang);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const result = await addLine.run({
      number: shipment.number,
      lot: lot.code,
      qty_g: netG ?? 0,
      gross_g: grossG ?? 0,
      packages: packages.trim() === '' ? 0 : Number(packages),
      ...(container ? { container_no: container } : {}),
    });
    if (result) onDone();
  };

  return (
    <form className="card shp-add-line" onSubmit={submit} aria-labelledby="add-line-title">
      <h3 id="add-line-title">
        {t('shipments.addLineTitle', { lot: lot.code })} <span className="muted">· {lang === 'en' ? lot.product_name_en : lot.product_name_ru}</span>
      </h3>
      <div className="muted">
        {t('shipments.lotFacts', { stock: kg(lot.qty_g), already: kg(already), expires: date(lot.expires_at), days: lot.days_left })}
      </div>
      {elsewhere && (
        <div className={remaining > 0 ? 'banner banner-warn' : 'banner banner-error'}>
          {t('shipments.reservedElsewhere', { qty: kg(elsewhere.qty_g), shipments: elsewhere.shipments.join(', '), free: kg(remaining) })}
        </div>
      )}
      <div className="grid-4">
        <Field
          label={t('shipments.netKgInput')}
          error={(err('qty_g') && readableRefusal(addLine.error, t, lang)) ?? (net !== '' && netG === null ? t('shipments.badKg') : undefined)}
        >
          {(id) => <KgInput id={id} value={net} onChange={setNet} required autoFocus />}
        </Field>
        <Field
          label={t('shipments.grossKgInput')}
          error={err('gross_g') ?? (gross !== '' && grossG === null ? t('shipments.badKg') : grossTooSmall ? t('shipments.grossLessThanNet') : undefined)}
          hint={t('shipments.grossHint')}
        >
          {(id) => <KgInput id={id} value={gross} onChange={setGross} required />}
        </Field>
        <Field label={t('shipments.packagesInput')} error={err('packages')}>
          {(id) => <TextInput id={id} value={packages} onChange={(v) => setPackages(v.replace(/\D/g, ''))} inputMode="numeric" required autoComplete="off" />}
        </Field>
        <Field label={t('shipments.container')} error={err('container_no')}>
          {(id) => (
            <SelectInput
              id={id}
              value={container}
              onChange={setContainer}
              placeholder={t('shipments.noContainer')}
              options={shipment.containers.map((c) => ({ value: c.container_no, label: c.seal_no ? `${c.container_no} · ${c.seal_no}` : c.container_no }))}
            />
          )}
        </Field>
      </div>
      {addLine.error && !['qty_g', 'gross_g', 'packages', 'container_no'].includes(addLine.error.field ?? '') && <Refusal error={addLine.error} />}
      <div className="actions">
        <Button type="button" onClick={onDone}>
          {t('common.cancel')}
        </Button>
        <Button kind="primary" type="submit" pending={addLine.pending} disabled={grossTooSmall}>
          {t('shipments.addLine')}
        </Button>
      </div>
    </form>
  );
}

// ── ship and cancel ─────────────────────────────────────────────────────────────────────────

/** A refusal said in plain words: what happened, the server's exact message, what to do. */
function Refusal({ error }: { error: OperationError }) {
  const { t, i18n } = useTranslation();
  const known = ['NOT_VERIFIED', 'STOCK_RESERVED', 'INSUFFICIENT_STOCK', 'LOT_NOT_RELEASED', 'LOT_EXPIRED', 'SHIPMENT_EMPTY', 'INVALID_STATE', 'OTHER_SITE', 'WRONG_PRODUCT_KIND', 'FORBIDDEN'];
  const code = known.includes(error.code) ? error.code : 'other';
  return (
    <div className="banner banner-error shp-refusal" role="alert" data-code={error.code}>
      <strong>{t(`shipments.refusal.${code}.title`)}</strong>
      <div>{readableRefusal(error, t, i18n.language)}</div>
      <div className="shp-refusal-hint">{t(`shipments.refusal.${code}.hint`)}</div>
    </div>
  );
}

function ShipmentActions({ shipment }: { shipment: Shipment }) {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const lang = i18n.language;
  const ship = useMutation('shipments.ship');
  const cancel = useMutation('shipments.cancel');
  const [mode, setMode] = useState<'idle' | 'confirm-ship' | 'cancel'>('idle');
  const [reason, setReason] = useState('');

  const doShip = async () => {
    await ship.run({ number: shipment.number });
    // Shipped, or refused: either way back to the buttons; a refusal stays shown below them.
    setMode('idle');
  };
  const doCancel = async (event: React.FormEvent) => {
    event.preventDefault();
    const result = await cancel.run({ number: shipment.number, reason });
    if (result) setMode('idle');
  };

  return (
    <section className="shp-panel" aria-labelledby="actions-title">
      <h2 id="actions-title">{t('shipments.actionsTitle')}</h2>
      {mode === 'idle' && (
        <div className="toolbar">
          {can('shipment.ship') && (
            <Button
              kind="primary"
              onClick={() => {
                ship.clear();
                setMode('confirm-ship');
              }}
            >
              {t('shipments.ship')}
            </Button>
          )}
          {can('shipment.manage') && (
            <Button
              kind="danger"
              onClick={() => {
                cancel.clear();
                setMode('cancel');
              }}
            >
              {t('shipments.cancelShipment')}
            </Button>
          )}
        </div>
      )}
      {mode === 'confirm-ship' && (
        <div className="card shp-confirm" role="group" aria-label={t('shipments.ship')}>
          <p>{t('shipments.shipConfirm', { lines: shipment.lines.length, net: kg(shipment.net_g), containers: shipment.containers.length })}</p>
          {shipment.containers.length === 0 && <div className="banner banner-warn">{t('shipments.noContainersWarning')}</div>}
          <div className="actions">
            <Button onClick={() => setMode('idle')}>{t('shipments.back')}</Button>
            <Button kind="primary" onClick={doShip} pending={ship.pending} autoFocus>
              {t('shipments.shipConfirmButton')}
            </Button>
          </div>
        </div>
      )}
      {ship.error && <Refusal error={ship.error} />}
      {mode === 'cancel' && (
        <form className="card shp-confirm" onSubmit={doCancel} aria-label={t('shipments.cancelShipment')}>
          <Field label={t('shipments.cancelReason')} error={fieldError(cancel.error, 'reason', lang)} wide>
            {(id) => <textarea id={id} value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={500} required autoFocus />}
          </Field>
          <ErrorBanner error={cancel.error} shownFields={['reason']} />
          <div className="actions">
            <Button type="button" onClick={() => setMode('idle')}>
              {t('shipments.back')}
            </Button>
            <Button kind="danger" type="submit" pending={cancel.pending} disabled={reason.trim() === ''}>
              {t('shipments.cancelConfirm')}
            </Button>
          </div>
        </form>
      )}
    </section>
  );
}
