// Приёмка сырья: a new receipt with its lines (each line becomes a quarantined lot), the weights
// checked live (net = gross − tare) or taken from the scale into the line being filled, a scanned
// supplier label filling a new line, and the receipt log below with each receipt's lines.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CapturedWeight } from '../../../main/contract/devices';
import type { OperationOutput } from '../../../main/contract/operations';
import { useMutation, useQuery } from '../api/hooks';
import { useSession } from '../app/App';
import { DataTable, Pager, type Column } from '../components/DataTable';
import { Button, ErrorBanner, Field, fieldError, KgInput, SelectInput, TextInput } from '../components/forms';
import { ScanReport, scanRefused, useScans, type ScanOutcome, type ScanResolved } from '../components/ScanCapture';
import { WeightWidget } from '../components/WeightWidget';
import { date, dateTime, fromDateInput, fromLocalInput, kg, parseKg, toDateInput, toLocalInput } from '../format';
import { DAY_MS, kgInput, LotLink, ownFirst, useReference } from './lotParts';

type Receipt = OperationOutput<'receipts.create'>;
type ReceiptListRow = OperationOutput<'receipts.list'>['rows'][number];
type ReceiptLine = Receipt['lines'][number];
type Product = OperationOutput<'products.list'>['rows'][number];

/** Receipts take raw material and semi-finished products, never finished goods. */
const receivable = (p: Product) => p.kind !== 'finished';
const PAGE = 50;
const LINE_FIELDS = ['product', 'location', 'vet_doc_uuid', 'catch_area', 'produced_at', 'arrival_temp', 'gross_g', 'tare_g', 'net_g', 'packages'] as const;

interface LineDraft {
  key: number;
  product: string;
  location: string;
  vetDoc: string;
  catchArea: string;
  produced: string;
  temp: string;
  gross: string;
  tare: string;
  net: string;
  packages: string;
  /** The scale the weights were taken from; typing a weight by hand forgets it. */
  scale: string | null;
}

/** The contract fields each draft field feeds (a weight also decides the net). */
const LINE_PATHS: Record<string, string[]> = {
  product: ['product'],
  location: ['location'],
  vetDoc: ['vet_doc_uuid'],
  catchArea: ['catch_area'],
  produced: ['produced_at'],
  temp: ['arrival_temp'],
  gross: ['gross_g', 'net_g'],
  tare: ['tare_g', 'net_g'],
  net: ['net_g'],
  packages: ['packages'],
};

let nextKey = 1;
function emptyLine(from?: LineDraft): LineDraft {
  return {
    key: nextKey++,
    product: '',
    location: from?.location ?? '',
    vetDoc: '',
    catchArea: from?.catchArea ?? '',
    produced: from?.produced ?? '',
    temp: '',
    gross: '',
    tare: '',
    net: '',
    packages: '',
    scale: null,
  };
}

/** A line nobody has started filling (a scanned label fills it instead of adding another). */
function untouched(line: LineDraft): boolean {
  return !line.product && !line.gross && !line.tare && !line.net && !line.vetDoc && !line.temp && !line.packages;
}

/**
 * What a supplier's label gives a receipt line. The label's net weight stands for the gross too
 * (no tare) until the line is weighed; the production date is taken as printed (AI 11), not
 * shifted by time zones.
 */
function labelPatch(resolved: ScanResolved): Partial<LineDraft> {
  const { prefill, scan } = resolved;
  const printed = scan.fields.find((f) => f.ai === '11')?.date;
  const patch: Partial<LineDraft> = {};
  if (prefill.product) patch.product = prefill.product;
  if (prefill.net_g !== null) Object.assign(patch, { gross: kgInput(prefill.net_g), tare: '', net: kgInput(prefill.net_g), scale: null });
  if (printed) patch.produced = printed;
  else if (prefill.produced_at !== null) patch.produced = toDateInput(prefill.produced_at);
  if (prefill.catch_area) patch.catchArea = prefill.catch_area;
  return patch;
}

/** The weights of a line as the contract wants them, and what is wrong with them. */
function lineWeights(line: LineDraft) {
  const gross = line.gross.trim() === '' ? undefined : parseKg(line.gross);
  const tare = line.tare.trim() === '' ? 0 : parseKg(line.tare);
  const typedNet = line.net.trim() === '' ? undefined : parseKg(line.net);
  const computed = gross != null && tare !== null ? gross - tare : null;
  const mismatch = typedNet != null && computed !== null && computed > 0 && typedNet !== computed;
  return { gross, tare, typedNet, computed, mismatch };
}

function parseNumber(text: string): number | null {
  const normal = text.trim().replace(/\s/g, '').replace(',', '.').replace('−', '-').replace(/^\+/, '');
  if (!/^-?\d+(\.\d+)?$/.test(normal)) return null;
  return Number(normal);
}

function tempRange(p: Product | undefined): string | null {
  if (!p || (p.storage_temp_min === null && p.storage_temp_max === null)) return null;
  const f = (v: number | null) => (v === null ? '…' : v > 0 ? `+${v}` : String(v).replace('-', '−'));
  return `${f(p.storage_temp_min)} … ${f(p.storage_temp_max)}`;
}

export function ReceiptsScreen() {
  const { t } = useTranslation();
  const [created, setCreated] = useState<Receipt>();
  const [open, setOpen] = useState<string>();
  return (
    <>
      <h1>{t('receipts.title')}</h1>
      <ReceiptForm onCreated={(r) => setCreated(r)} />
      {created && <CreatedBanner receipt={created} onDismiss={() => setCreated(undefined)} />}
      <ReceiptLog open={open} onOpen={setOpen} />
    </>
  );
}

function ReceiptForm({ onCreated }: { onCreated(receipt: Receipt): void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { me } = useSession();
  const form = useRef<HTMLFormElement>(null);
  const suppliers = useQuery('partners.list', { role: 'supplier' });
  const reference = useReference(receivable);
  const create = useMutation('receipts.create');

  const [supplier, setSupplier] = useState('');
  const [vehicle, setVehicle] = useState('');
  const [receivedAt, setReceivedAt] = useState(() => toLocalInput(Date.now()));
  // Left as shown, the receipt is dated when it is recorded (the workspace's clock), not when the form opened.
  const [receivedTouched, setReceivedTouched] = useState(false);
  useEffect(() => {
    if (receivedTouched) return;
    const timer = setInterval(() => setReceivedAt(toLocalInput(Date.now())), 30_000);
    return () => clearInterval(timer);
  }, [receivedTouched]);
  const [note, setNote] = useState('');
  const [lines, setLines] = useState<LineDraft[]>(() => [emptyLine()]);
  const [local, setLocal] = useState<Record<string, string>>({});
  // The line being filled: where a scale reading goes (the last one until another is focused).
  const [currentKey, setCurrentKey] = useState<number>();
  const focused = lines.findIndex((l) => l.key === currentKey);
  const currentIndex = focused >= 0 ? focused : lines.length - 1;
  const [scan, setScan] = useState<{ outcome: ScanOutcome; message?: string }>();

  const site = me.site.id;
  const supplierOptions = useMemo(
    () =>
      ownFirst((suppliers.data?.rows ?? []).filter((p) => p.active === 1), site).map((p) => ({
        value: p.code,
        label: `${lang === 'en' && p.name_en ? p.name_en : p.name_ru} (${p.code})`,
      })),
    [suppliers.data, lang, site],
  );
  const { productOptions, locationOptions } = reference;
  const productByCode = useMemo(() => new Map(reference.products.map((p) => [p.code, p])), [reference.products]);

  const err = (path: string) => local[path] ?? fieldError(create.error, path, lang);
  /** Editing a field takes back the local complaint about it (the server's stays until the next try). */
  const forget = (path: string) => setLocal((l) => (path in l ? Object.fromEntries(Object.entries(l).filter(([k]) => k !== path)) : l));
  const setLine = (key: number, patch: Partial<LineDraft>) => {
    const index = lines.findIndex((l) => l.key === key);
    for (const name of Object.keys(patch)) for (const f of LINE_PATHS[name] ?? []) forget(`lines.${index}.${f}`);
    const typedWeight = !('scale' in patch) && ('gross' in patch || 'tare' in patch || 'net' in patch);
    setLines((ls) => ls.map((l) => (l.key === key ? { ...l, ...patch, ...(typedWeight ? { scale: null } : {}) } : l)));
  };
  const takeWeight = (w: CapturedWeight) => {
    const line = lines[currentIndex];
    // Net is left to the form (gross − tare): a crate's tare typed after weighing must change it.
    if (line) setLine(line.key, { gross: kgInput(w.gross_g), tare: kgInput(w.tare_g), net: '', scale: w.device });
  };
  useScans((outcome) => {
    if (scanRefused(outcome) || !outcome.ok) {
      setScan({ outcome });
      return;
    }
    const patch = labelPatch(outcome.value);
    if (Object.keys(patch).length === 0) {
      setScan({ outcome, message: t('devices.scan.nothingForReceipt') });
      return;
    }
    const last = lines[lines.length - 1];
    const reuse = last && untouched(last);
    const line = reuse ? last : emptyLine(last);
    if (reuse) setLine(line.key, patch);
    else setLines((ls) => [...ls, { ...line, ...patch }]);
    setCurrentKey(line.key);
    const supplierLot = outcome.value.prefill.supplier_lot;
    if (supplierLot) setNote((n) => (n.includes(supplierLot) ? n : [n.trim(), t('devices.scan.supplierLotNote', { lot: supplierLot })].filter(Boolean).join('; ')));
    const n = reuse ? lines.length : lines.length + 1;
    const unknown = !patch.product || !productByCode.has(patch.product);
    setScan({ outcome, message: [t('devices.scan.lineFilled', { n }), unknown ? t('devices.scan.productUnknown') : null].filter(Boolean).join(' ') });
  });
  const focus = (selector: string) => requestAnimationFrame(() => form.current?.querySelector<HTMLElement>(selector)?.focus());

  const addLine = () => {
    const line = emptyLine(lines[lines.length - 1]);
    setLines((ls) => [...ls, line]);
    focus(`[data-focus="line-${line.key}"]`);
  };
  const removeLine = (key: number) => {
    // Server errors name lines by position; once lines shift they would point at the wrong one.
    create.clear();
    setLocal({});
    setLines((ls) => ls.filter((l) => l.key !== key));
    focus('[data-focus="add-line"]');
  };
  const reset = () => {
    setSupplier('');
    setVehicle('');
    setReceivedAt(toLocalInput(Date.now()));
    setReceivedTouched(false);
    setNote('');
    setLines([emptyLine()]);
    setLocal({});
    setScan(undefined);
    create.clear();
  };

  const totals = lines.reduce(
    (sum, l) => {
      const w = lineWeights(l);
      return { gross: sum.gross + (w.gross ?? 0), net: sum.net + (w.computed !== null && w.computed > 0 ? w.computed : 0) };
    },
    { gross: 0, net: 0 },
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!supplier) problems.supplier = t('receipts.err.choose');
    const received = fromLocalInput(receivedAt);
    if (received === null) problems.received_at = t('receipts.err.date');
    const payloadLines = lines.map((line, i) => {
      const at = (f: string) => `lines.${i}.${f}`;
      const w = lineWeights(line);
      if (!line.product) problems[at('product')] = t('receipts.err.choose');
      if (!line.location) problems[at('location')] = t('receipts.err.choose');
      const produced = fromDateInput(line.produced);
      if (produced === null) problems[at('produced_at')] = t('receipts.err.date');
      if (w.gross === undefined) problems[at('gross_g')] = t('receipts.err.required');
      else if (w.gross === null) problems[at('gross_g')] = t('receipts.err.weight');
      else if (w.gross <= 0) problems[at('gross_g')] = t('receipts.err.positive');
      if (w.tare === null) problems[at('tare_g')] = t('receipts.err.weight');
      if (w.typedNet === null) problems[at('net_g')] = t('receipts.err.weight');
      else if (w.computed !== null && w.computed <= 0) problems[at('net_g')] = t('receipts.netNotPositive');
      const temp = line.temp.trim() === '' ? null : parseNumber(line.temp);
      if (line.temp.trim() !== '' && temp === null) problems[at('arrival_temp')] = t('receipts.err.number');
      const packages = line.packages.trim() === '' ? null : Number(line.packages.trim());
      if (packages !== null && (!Number.isInteger(packages) || packages < 1)) problems[at('packages')] = t('receipts.err.integer');
      return {
        product: line.product,
        location: line.location,
        vet_doc_uuid: line.vetDoc.trim() || null,
        catch_area: line.catchArea.trim() || null,
        produced_at: produced ?? 0,
        arrival_temp: temp,
        gross_g: w.gross ?? 0,
        tare_g: w.tare ?? 0,
        ...(w.typedNet != null ? { net_g: w.typedNet } : {}),
        packages,
      };
    });
    setLocal(problems);
    if (Object.keys(problems).length > 0) {
      create.clear();
      focus('.field-invalid input, .field-invalid select');
      return;
    }
    const result = await create.run({
      supplier,
      ...(receivedTouched && received !== null ? { received_at: received } : {}),
      vehicle: vehicle.trim() || null,
      note: note.trim() || null,
      lines: payloadLines,
    });
    if (result) {
      onCreated(result);
      reset();
      focus('[data-focus="supplier"]');
    } else {
      focus('.field-invalid input, .field-invalid select');
    }
  };

  const shownFields = ['supplier', 'received_at', 'vehicle', 'note', ...lines.flatMap((_, i) => LINE_FIELDS.map((f) => `lines.${i}.${f}`))];

  return (
    <form ref={form} className="card rc-form" onSubmit={submit} aria-labelledby="receipt-form-title" noValidate>
      <div className="card-head">
        <h2 id="receipt-form-title">{t('receipts.newReceipt')}</h2>
        <span className="muted">{t('receipts.newHint')}</span>
      </div>
      <div className="grid-4">
        <Field label={t('receipts.supplier')} error={err('supplier')}>
          {(id) => (
            <SelectInput
              id={id}
              value={supplier}
              onChange={(v) => (setSupplier(v), forget('supplier'))}
              options={supplierOptions}
              placeholder={t('receipts.supplierPlaceholder')}
              data-focus="supplier"
              autoFocus
            />
          )}
        </Field>
        <Field label={t('receipts.vehicle')} error={err('vehicle')}>
          {(id) => <TextInput id={id} value={vehicle} onChange={setVehicle} maxLength={100} autoComplete="off" />}
        </Field>
        <Field label={t('receipts.receivedAt')} error={err('received_at')}>
          {(id) => <TextInput id={id} type="datetime-local" value={receivedAt} onChange={(v) => (setReceivedAt(v), setReceivedTouched(true), forget('received_at'))} max={toLocalInput(Date.now() + 60_000)} />}
        </Field>
        <Field label={t('receipts.note')} error={err('note')}>
          {(id) => <TextInput id={id} value={note} onChange={setNote} maxLength={1000} autoComplete="off" />}
        </Field>
      </div>

      <h3 className="rc-lines-title">{t('receipts.lines')}</h3>
      <p className="field-hint">{t('devices.scan.receiptHint')}</p>
      {scan ? (
        <ScanReport outcome={scan.outcome} onDismiss={() => setScan(undefined)}>
          {scan.message ? <div role="status">{scan.message}</div> : null}
        </ScanReport>
      ) : null}
      <WeightWidget onCapture={takeWeight} target={t('receipts.line', { n: currentIndex + 1 })} />
      <ol className="rc-lines">
        {lines.map((line, i) => {
          const at = (f: string) => `lines.${i}.${f}`;
          const w = lineWeights(line);
          const product = productByCode.get(line.product);
          const produced = fromDateInput(line.produced);
          const expires = product && produced !== null ? produced + product.shelf_life_days * DAY_MS : null;
          const range = tempRange(product);
          const temp = parseNumber(line.temp);
          const tempOut =
            product && temp !== null && ((product.storage_temp_min !== null && temp < product.storage_temp_min) || (product.storage_temp_max !== null && temp > product.storage_temp_max));
          const netText = w.computed !== null && w.computed > 0 ? kg(w.computed) : '';
          const netProblem = w.mismatch ? t('receipts.netMismatch', { kg: kg(w.computed) }) : w.computed !== null && w.computed <= 0 && w.gross ? t('receipts.netNotPositive') : undefined;
          return (
            <li key={line.key} className={`rc-line${i === currentIndex ? ' rc-line-current' : ''}`} aria-label={t('receipts.line', { n: i + 1 })} onFocus={() => setCurrentKey(line.key)}>
              <div className="rc-line-head">
                <strong>{t('receipts.line', { n: i + 1 })}</strong>
                {netText && <span className="muted">{t('receipts.net')}: {netText}</span>}
                {line.scale && (
                  <span className="rc-scale" data-testid="line-scale">
                    ⚖ {t('devices.weight.fromScale', { device: line.scale })}
                  </span>
                )}
                {tempOut && range && (
                  <span className="rc-warn" role="status">
                    ⚠ {t('receipts.tempOutOfRange', { range })}
                  </span>
                )}
                <span className="lp-spacer" />
                {lines.length > 1 && (
                  <Button type="button" onClick={() => removeLine(line.key)} aria-label={t('receipts.removeLine', { n: i + 1 })}>
                    {t('common.remove')}
                  </Button>
                )}
              </div>
              <div className="rc-line-grid">
                <Field label={t('receipts.product')} error={err(at('product'))}>
                  {(id) => (
                    <SelectInput
                      id={id}
                      value={line.product}
                      onChange={(v) => setLine(line.key, { product: v })}
                      options={productOptions}
                      placeholder={t('receipts.productPlaceholder')}
                      data-focus={`line-${line.key}`}
                    />
                  )}
                </Field>
                <Field label={t('receipts.location')} error={err(at('location'))}>
                  {(id) => (
                    <SelectInput id={id} value={line.location} onChange={(v) => setLine(line.key, { location: v })} options={locationOptions} placeholder={t('receipts.locationPlaceholder')} />
                  )}
                </Field>
                <Field label={t('receipts.vetDoc')} error={err(at('vet_doc_uuid'))} hint={t('receipts.vetDocHint')}>
                  {(id) => (
                    <TextInput id={id} value={line.vetDoc} onChange={(v) => setLine(line.key, { vetDoc: v })} autoComplete="off" spellCheck={false} maxLength={60} className="lp-mono" />
                  )}
                </Field>
                <Field label={t('receipts.catchArea')} error={err(at('catch_area'))} hint={t('receipts.catchAreaHint')}>
                  {(id) => <TextInput id={id} value={line.catchArea} onChange={(v) => setLine(line.key, { catchArea: v })} maxLength={100} />}
                </Field>
                <Field
                  label={t('receipts.producedAt')}
                  error={err(at('produced_at'))}
                  hint={expires !== null ? t(expires <= Date.now() ? 'receipts.expiredHint' : 'receipts.expiresHint', { date: date(expires) }) : undefined}
                >
                  {(id) => <TextInput id={id} type="date" value={line.produced} onChange={(v) => setLine(line.key, { produced: v })} />}
                </Field>
                <Field label={t('receipts.arrivalTemp')} error={err(at('arrival_temp'))} hint={range ? t('receipts.tempRange', { range }) : undefined}>
                  {(id) => <TextInput id={id} value={line.temp} onChange={(v) => setLine(line.key, { temp: v })} inputMode="text" autoComplete="off" className="num" />}
                </Field>
                <Field label={t('receipts.gross')} error={err(at('gross_g'))}>
                  {(id) => <KgInput id={id} value={line.gross} onChange={(v) => setLine(line.key, { gross: v })} />}
                </Field>
                <Field label={t('receipts.tare')} error={err(at('tare_g'))}>
                  {(id) => <KgInput id={id} value={line.tare} onChange={(v) => setLine(line.key, { tare: v })} placeholder="0" />}
                </Field>
                <Field label={t('receipts.net')} error={netProblem ?? err(at('net_g'))} hint={netText ? t('receipts.netComputed', { kg: netText }) : undefined}>
                  {(id) => <KgInput id={id} value={line.net} onChange={(v) => setLine(line.key, { net: v })} placeholder={netText} />}
                </Field>
                <Field label={t('receipts.packages')} error={err(at('packages'))}>
                  {(id) => (
                    <TextInput id={id} value={line.packages} onChange={(v) => setLine(line.key, { packages: v })} inputMode="numeric" autoComplete="off" className="num" />
                  )}
                </Field>
              </div>
            </li>
          );
        })}
      </ol>
      <div className="toolbar">
        <Button type="button" onClick={addLine} data-focus="add-line">
          + {t('receipts.addLine')}
        </Button>
        <span className="rc-totals" aria-live="polite">
          {t('receipts.totals', { lines: lines.length, gross: kg(totals.gross), net: kg(totals.net) })}
        </span>
      </div>
      {Object.keys(local).length > 0 && (
        <div className="banner banner-error" role="alert">
          {t('receipts.err.fixFields')}
        </div>
      )}
      <ErrorBanner error={create.error} shownFields={shownFields} />
      <div className="actions">
        <Button type="button" onClick={reset}>
          {t('receipts.clear')}
        </Button>
        <Button kind="primary" type="submit" pending={create.pending}>
          {t('receipts.submit')}
        </Button>
      </div>
    </form>
  );
}

function CreatedBanner({ receipt, onDismiss }: { receipt: Receipt; onDismiss(): void }) {
  const { t } = useTranslation();
  return (
    <div className="banner banner-ok rc-created" role="status">
      <div className="rc-created-head">
        <strong>{t('receipts.created', { number: receipt.number, count: receipt.lines.length })}</strong>
        <Button type="button" onClick={onDismiss}>
          {t('receipts.dismiss')}
        </Button>
      </div>
      <div className="muted">{t('receipts.createdLots')}:</div>
      <ul className="rc-created-lots">
        {receipt.lines.map((l) => (
          <li key={l.lot_id}>
            <LotLink code={l.lot_code} title={t('receipts.openInStock', { lot: l.lot_code })} /> · {l.product_code} · {l.location_code} · <span className="num">{kg(l.net_g)}</span> {t('common.kg')}
          </li>
        ))}
      </ul>
    </div>
  );
}

function ReceiptLog({ open, onOpen }: { open: string | undefined; onOpen(number: string | undefined): void }) {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const list = useQuery('receipts.list', { limit: PAGE, offset });
  const columns: Column<ReceiptListRow>[] = [
    { key: 'number', header: t('receipts.colNumber'), width: '13rem', render: (r) => <span className="lp-mono">{r.number}</span> },
    { key: 'date', header: t('receipts.colDate'), width: '10rem', render: (r) => dateTime(r.received_at) },
    { key: 'supplier', header: t('receipts.colSupplier'), width: 'minmax(12rem, 2fr)', render: (r) => r.supplier_name },
    { key: 'vehicle', header: t('receipts.colVehicle'), width: 'minmax(6rem, 1fr)', render: (r) => r.vehicle ?? '—' },
    { key: 'lines', header: t('receipts.colLines'), width: '5rem', align: 'right', render: (r) => r.lines },
    { key: 'net', header: t('receipts.colNet'), width: '9rem', align: 'right', render: (r) => kg(r.net_g) },
  ];
  return (
    <section className="rc-log" aria-labelledby="receipt-log-title">
      <h2 id="receipt-log-title">{t('receipts.list')}</h2>
      <ErrorBanner error={list.error} />
      <DataTable columns={columns} rows={list.data?.rows ?? []} rowKey={(r) => r.id} onActivate={(r) => onOpen(r.number === open ? undefined : r.number)} height={320} label={t('receipts.listLabel')} testId="receipts-list" />
      <Pager offset={offset} limit={PAGE} total={list.data?.total ?? 0} onChange={setOffset} />
      {open && <ReceiptDetail number={open} onClose={() => onOpen(undefined)} />}
    </section>
  );
}

function ReceiptDetail({ number, onClose }: { number: string; onClose(): void }) {
  const { t } = useTranslation();
  const receipt = useQuery('receipts.get', { number });
  const r = receipt.data;
  const box = useRef<HTMLElement>(null);
  // Opened from the log (often by keyboard): bring the receipt into view below it.
  useEffect(() => box.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }), [number, r !== undefined]);
  const columns: Column<ReceiptLine>[] = [
    { key: 'lot', header: t('receipts.colLot'), width: '10rem', render: (l) => <LotLink code={l.lot_code} title={t('receipts.openInStock', { lot: l.lot_code })} /> },
    { key: 'product', header: t('receipts.colProduct'), width: 'minmax(8rem, 1fr)', render: (l) => l.product_code },
    { key: 'location', header: t('receipts.colLocation'), width: '7rem', render: (l) => l.location_code },
    { key: 'vet', header: t('receipts.colVetDoc'), width: 'minmax(8rem, 1.5fr)', render: (l) => <span className="lp-mono" title={l.vet_doc_uuid ?? ''}>{l.vet_doc_uuid ?? '—'}</span> },
    { key: 'area', header: t('receipts.colCatchArea'), width: 'minmax(8rem, 1.5fr)', render: (l) => <span title={l.catch_area ?? ''}>{l.catch_area ?? '—'}</span> },
    { key: 'produced', header: t('receipts.colProduced'), width: '7rem', render: (l) => date(l.produced_at) },
    { key: 'temp', header: t('receipts.colTemp'), width: '4rem', align: 'right', render: (l) => (l.arrival_temp === null ? '—' : l.arrival_temp) },
    { key: 'gross', header: t('receipts.colGross'), width: '7rem', align: 'right', render: (l) => kg(l.gross_g) },
    { key: 'tare', header: t('receipts.colTare'), width: '6rem', align: 'right', render: (l) => kg(l.tare_g) },
    { key: 'net', header: t('receipts.colNet'), width: '7rem', align: 'right', render: (l) => kg(l.net_g) },
  ];
  return (
    <section ref={box} className="card rc-detail" aria-labelledby="receipt-detail-title">
      <div className="card-head">
        <div>
          <h2 id="receipt-detail-title">{t('receipts.receipt', { number })}</h2>
          {r && (
            <div className="muted">
              {t('receipts.receiptMeta', { date: dateTime(r.received_at), supplier: r.supplier_name })}
              {r.vehicle ? ` · ${r.vehicle}` : ''}
              {r.note ? ` · ${r.note}` : ''}
            </div>
          )}
        </div>
        <Button type="button" onClick={onClose}>
          {t('common.close')}
        </Button>
      </div>
      <ErrorBanner error={receipt.error} />
      {r && <DataTable columns={columns} rows={r.lines} rowKey={(l) => l.id} height={Math.min(36 * r.lines.length + 8, 260)} label={t('receipts.receiptLines', { number })} />}
    </section>
  );
}
