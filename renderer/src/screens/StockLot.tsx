// The card of one lot on the stock screen: what it is, where it lies, its ledger and inspections,
// and — for those allowed — moving, writing off, adjusting and blocking it.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperationOutput } from '../../../main/contract/operations';
import { useMutation, useQuery } from '../api/hooks';
import { useSession } from '../app/App';
import { DataTable, type Column } from '../components/DataTable';
import { Button, ErrorBanner, Field, fieldError, KgInput, SelectInput, Status, TextInput } from '../components/forms';
import { date, dateTime, kg, parseKg } from '../format';
import { LotDocuments } from './documentIssue';
import { LabelsPanel } from './labelsPanel';
import { DaysLeft, Facts, kgInput, productName, useReference } from './lotParts';

type LotCard = OperationOutput<'lots.get'>;
type Movement = LotCard['movements'][number];
type Inspection = LotCard['inspections'][number];
type StockRow = LotCard['stock'][number];
type Action = 'move' | 'writeOff' | 'adjust' | 'block';

export function LotPanel({ code, onClose }: { code: string; onClose(): void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const { can, me, navigate } = useSession();
  const card = useQuery('lots.get', { code });
  const heading = useRef<HTMLHeadingElement>(null);
  const [action, setAction] = useState<Action>();
  const [done, setDone] = useState<string>();

  useEffect(() => heading.current?.focus(), []);
  // Escape first closes an open action form, then the card — wherever the focus is.
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      if ((e.target as HTMLElement | null)?.closest?.('.st-action-form')) {
        setAction(undefined);
        heading.current?.focus();
      } else close.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const lot = card.data?.lot;
  const ownSite = lot ? lot.site_id === me.site.id : false;
  const manualHold = lot?.status === 'blocked' && lot.status_source === 'manual';
  const actions: Action[] = [];
  if (lot && ownSite) {
    const inStock = (card.data?.stock.length ?? 0) > 0;
    if (can('stock.move') && inStock) actions.push('move');
    if (can('stock.adjust')) actions.push(...(inStock ? (['writeOff', 'adjust'] as const) : (['adjust'] as const)));
    if (can('quality.inspect') && !manualHold) actions.push('block');
  }
  const finished = (message: string) => {
    setDone(message);
    setAction(undefined);
    heading.current?.focus();
  };

  const movementColumns: Column<Movement>[] = [
    { key: 'at', header: t('stock.col.at'), width: '9.8rem', render: (m) => dateTime(m.at) },
    { key: 'kind', header: t('stock.col.kind'), width: 'minmax(5.5rem, 1fr)', render: (m) => <span title={t(`stock.movement.${m.kind}`)}>{t(`stock.movement.${m.kind}`)}</span> },
    {
      key: 'route',
      header: t('stock.col.route'),
      width: 'minmax(7rem, 1fr)',
      render: (m) => {
        const route = `${m.from_location_code ?? '—'} → ${m.to_location_code ?? '—'}`;
        return <span title={route}>{route}</span>;
      },
    },
    {
      key: 'qty',
      header: t('stock.col.moved'),
      width: '6rem',
      align: 'right',
      render: (m) => {
        const sign = m.from_location_id === null ? '+' : m.to_location_id === null ? '−' : '';
        return <span className={sign === '−' ? 'st-qty-out' : sign === '+' ? 'st-qty-in' : undefined}>{`${sign}${kg(m.qty_g)}`}</span>;
      },
    },
    { key: 'reason', header: t('stock.col.reason'), width: 'minmax(3rem, 1fr)', render: (m) => <span title={m.reason ?? ''}>{m.reason ?? ''}</span> },
  ];
  const stockColumns: Column<StockRow>[] = [
    { key: 'location', header: t('stock.col.location'), width: '1fr', render: (s) => s.location_code },
    { key: 'qty', header: t('stock.col.qty'), width: '9rem', align: 'right', render: (s) => kg(s.qty_g) },
  ];
  const inspectionColumns: Column<Inspection>[] = [
    { key: 'number', header: t('stock.col.number'), width: '10.5rem', render: (i) => <span className="lp-mono">{i.number}</span> },
    { key: 'stage', header: t('stock.col.stage'), width: 'minmax(5rem, 1fr)', render: (i) => t(`stock.stage.${i.stage}`) },
    { key: 'verdict', header: t('stock.col.verdict'), width: '8.5rem', render: (i) => <Status value={i.verdict ?? i.status} /> },
    { key: 'completed', header: t('stock.col.completed'), width: '6.5rem', render: (i) => <span title={dateTime(i.completed_at)}>{date(i.completed_at)}</span> },
  ];

  return (
    <aside className="card st-lot-panel" aria-label={t('stock.lot.panel', { code })}>
      <div className="card-head">
        <h2 ref={heading} tabIndex={-1} className="st-lot-title">
          {t('stock.lot.title', { code })} {lot && <Status value={lot.status} />}
        </h2>
        <div className="st-lot-tools">
          {can('trace.read') && (
            <Button type="button" onClick={() => navigate('trace', code)}>
              {t('stock.lot.trace')}
            </Button>
          )}
          <Button type="button" onClick={onClose} aria-label={t('stock.lot.close')}>
            {t('common.close')}
          </Button>
        </div>
      </div>
      <ErrorBanner error={card.error} />
      {lot && card.data && (
        <>
          <div className="st-lot-product">
            <strong>{lot.product_code}</strong> — {productName(lot, lang)}
          </div>
          <Facts
            items={[
              [t('stock.lot.qty'), <strong key="q">{kg(lot.qty_g)}</strong>],
              [t('stock.lot.initial'), kg(lot.initial_g)],
              [t('stock.lot.produced'), date(lot.produced_at)],
              [
                t('stock.lot.expires'),
                <span key="e">
                  {date(lot.expires_at)} · <DaysLeft expires={lot.expires_at} />
                </span>,
              ],
              [t('stock.lot.origin'), t(`stock.origin.${lot.origin}`)],
              [t('stock.lot.supplier'), lot.supplier_name ?? '—'],
              [t('stock.lot.vetDoc'), <span key="v" className="lp-mono">{lot.vet_doc_uuid ?? '—'}</span>],
              [t('stock.lot.catchArea'), lot.catch_area ?? '—'],
              [t('stock.lot.method'), lot.production_method ? t(`stock.method.${lot.production_method}`, { defaultValue: lot.production_method }) : '—'],
              [t('stock.lot.packages'), lot.packages ?? '—'],
              ...(lot.status_reason || lot.status_source
                ? ([
                    [
                      t('stock.lot.statusReason'),
                      [lot.status_source ? t(`stock.statusSource.${lot.status_source}`) : '', lot.status_reason ?? ''].filter(Boolean).join(': '),
                    ],
                  ] as [string, string][])
                : []),
            ]}
          />

          <h3>{t('stock.lot.stock')}</h3>
          {card.data.stock.length === 0 ? (
            <p className="muted">{t('stock.lot.noStock')}</p>
          ) : (
            <DataTable
              columns={stockColumns}
              rows={card.data.stock}
              rowKey={(s) => s.location_code}
              label={t('stock.lot.stockLabel', { code })}
              height={Math.min(150, card.data.stock.length * 36 + 4)}
            />
          )}

          {!ownSite && <div className="banner banner-warn">{t('stock.lot.otherSite')}</div>}
          {manualHold && ownSite && can('quality.inspect') && <div className="muted">{t('stock.lot.manualHold')}</div>}
          {actions.length > 0 && (
            <section className="st-lot-actions" aria-label={t('stock.lot.actions')}>
              <div className="st-segmented" role="group" aria-label={t('stock.lot.actions')}>
                {actions.map((a) => (
                  <button
                    key={a}
                    type="button"
                    className={`btn ${a === 'block' || a === 'writeOff' ? 'st-btn-caution' : 'btn-secondary'}`}
                    aria-pressed={action === a}
                    aria-expanded={action === a}
                    onClick={() => {
                      setDone(undefined);
                      setAction(action === a ? undefined : a);
                    }}
                  >
                    {t(`stock.lot.${a}`)}
                  </button>
                ))}
              </div>
              {done && (
                <div className="banner banner-ok" role="status">
                  {done}
                </div>
              )}
              {action === 'move' && <MoveForm card={card.data} onDone={finished} />}
              {action === 'writeOff' && <WriteOffForm card={card.data} onDone={finished} />}
              {action === 'adjust' && <AdjustForm card={card.data} onDone={finished} />}
              {action === 'block' && <BlockForm card={card.data} onDone={finished} />}
            </section>
          )}

          {ownSite && can('documents.issue') && <LotDocuments code={code} />}
          {ownSite && can('devices.use') && <LabelsPanel lots={[code]} />}

          <h3>{t('stock.lot.movements')}</h3>
          <DataTable
            columns={movementColumns}
            rows={[...card.data.movements].reverse()}
            rowKey={(m) => m.id}
            label={t('stock.lot.movementsLabel', { code })}
            height={Math.max(80, Math.min(250, card.data.movements.length * 36 + 4))}
          />

          <h3>{t('stock.lot.inspections')}</h3>
          {card.data.inspections.length === 0 ? (
            <p className="muted">{t('common.empty')}</p>
          ) : (
            <DataTable
              columns={inspectionColumns}
              rows={card.data.inspections}
              rowKey={(i) => i.id}
              label={t('stock.lot.inspectionsLabel', { code })}
              height={Math.min(180, card.data.inspections.length * 36 + 4)}
            />
          )}
        </>
      )}
    </aside>
  );
}

// ── The actions ────────────────────────────────────────────────────────────────────────────

interface FormProps {
  card: LotCard;
  onDone(message: string): void;
}

/** The lot's stock locations as options, with the quantity each holds. */
function stockOptions(card: LotCard, unit: string) {
  return card.stock.map((s) => ({ value: s.location_code, label: `${s.location_code} · ${kg(s.qty_g)} ${unit}` }));
}

function kgProblem(text: string, t: (k: string) => string): string | undefined {
  if (text.trim() === '') return t('stock.err.required');
  const g = parseKg(text);
  if (g === null) return t('stock.err.weight');
  if (g <= 0) return t('stock.err.positive');
  return undefined;
}

function useFirstFieldFocus() {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('select, input')?.focus();
  }, []);
  const focusInvalid = () => requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('.field-invalid input, .field-invalid select')?.focus());
  return { form, focusInvalid };
}

function MoveForm({ card, onDone }: FormProps) {
  const { t, i18n } = useTranslation();
  const ref = useReference();
  const move = useMutation('stock.move');
  const [from, setFrom] = useState(card.stock.length === 1 ? card.stock[0]!.location_code : '');
  const [to, setTo] = useState('');
  const [qty, setQty] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const { form, focusInvalid } = useFirstFieldFocus();
  const available = card.stock.find((s) => s.location_code === from)?.qty_g;
  const err = (f: string) => local[f] ?? fieldError(move.error, f, i18n.language);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!from) problems.from = t('stock.err.choose');
    if (!to) problems.to = t('stock.err.choose');
    const q = kgProblem(qty, t);
    if (q) problems.qty_g = q;
    setLocal(problems);
    if (Object.keys(problems).length) return focusInvalid();
    const grams = parseKg(qty)!;
    const done = await move.run({ lot: card.lot.code, from, to, qty_g: grams });
    if (done) onDone(t('stock.lot.moved', { kg: kg(grams), from, to }));
    else focusInvalid();
  };

  return (
    <form ref={form} className="st-action-form" onSubmit={submit} noValidate>
      <div className="grid-3">
        <Field label={t('stock.lot.from')} error={err('from')}>
          {(id) => <SelectInput id={id} value={from} onChange={setFrom} options={stockOptions(card, t('common.kg'))} />}
        </Field>
        <Field label={t('stock.lot.to')} error={err('to')}>
          {(id) => (
            <SelectInput
              id={id}
              value={to}
              onChange={setTo}
              options={ref.ownLocations.filter((l) => l.code !== from).map((l) => ({ value: l.code, label: `${l.code} — ${l.name}` }))}
            />
          )}
        </Field>
        <Field label={t('stock.lot.qtyKg')} error={err('qty_g')}>
          {(id) => <KgInput id={id} value={qty} onChange={setQty} />}
        </Field>
      </div>
      {available !== undefined && (
        <button type="button" className="lp-link-button" onClick={() => setQty(kgInput(available))}>
          {t('stock.lot.all', { kg: kg(available) })}
        </button>
      )}
      <ErrorBanner error={move.error} shownFields={['from', 'to', 'qty_g']} />
      <div className="actions">
        <Button kind="primary" type="submit" pending={move.pending}>
          {t('stock.lot.doMove')}
        </Button>
      </div>
    </form>
  );
}

function WriteOffForm({ card, onDone }: FormProps) {
  const { t, i18n } = useTranslation();
  const writeOff = useMutation('stock.writeOff');
  const [location, setLocation] = useState(card.stock.length === 1 ? card.stock[0]!.location_code : '');
  const [qty, setQty] = useState('');
  const [reason, setReason] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const { form, focusInvalid } = useFirstFieldFocus();
  const available = card.stock.find((s) => s.location_code === location)?.qty_g;
  const err = (f: string) => local[f] ?? fieldError(writeOff.error, f, i18n.language);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!location) problems.location = t('stock.err.choose');
    const q = kgProblem(qty, t);
    if (q) problems.qty_g = q;
    if (!reason.trim()) problems.reason = t('stock.err.required');
    setLocal(problems);
    if (Object.keys(problems).length) return focusInvalid();
    const grams = parseKg(qty)!;
    const done = await writeOff.run({ lot: card.lot.code, location, qty_g: grams, reason: reason.trim() });
    if (done) onDone(t('stock.lot.writtenOff', { kg: kg(grams), location }));
    else focusInvalid();
  };

  return (
    <form ref={form} className="st-action-form" onSubmit={submit} noValidate>
      <div className="grid-2">
        <Field label={t('stock.lot.writeOffFrom')} error={err('location')}>
          {(id) => <SelectInput id={id} value={location} onChange={setLocation} options={stockOptions(card, t('common.kg'))} />}
        </Field>
        <Field label={t('stock.lot.qtyKg')} error={err('qty_g')}>
          {(id) => <KgInput id={id} value={qty} onChange={setQty} />}
        </Field>
        <Field label={t('stock.lot.reason')} error={err('reason')} hint={t('stock.lot.reasonHint')} wide>
          {(id) => <TextInput id={id} value={reason} onChange={setReason} maxLength={500} />}
        </Field>
      </div>
      {available !== undefined && (
        <button type="button" className="lp-link-button" onClick={() => setQty(kgInput(available))}>
          {t('stock.lot.all', { kg: kg(available) })}
        </button>
      )}
      <ErrorBanner error={writeOff.error} shownFields={['location', 'qty_g', 'reason']} />
      <div className="actions">
        <Button kind="danger" type="submit" pending={writeOff.pending}>
          {t('stock.lot.doWriteOff')}
        </Button>
      </div>
    </form>
  );
}

function AdjustForm({ card, onDone }: FormProps) {
  const { t, i18n } = useTranslation();
  const ref = useReference();
  const adjust = useMutation('stock.adjust');
  const [location, setLocation] = useState(card.stock[0]?.location_code ?? '');
  const [direction, setDirection] = useState<'+' | '-'>('-');
  const [qty, setQty] = useState('');
  const [reason, setReason] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const { form, focusInvalid } = useFirstFieldFocus();
  const err = (f: string) => local[f] ?? fieldError(adjust.error, f, i18n.language);
  const held = new Map(card.stock.map((s) => [s.location_code, s.qty_g]));
  // A surplus may turn up in any location of the site; the lot's own locations come first.
  const options = [
    ...stockOptions(card, t('common.kg')),
    ...ref.ownLocations.filter((l) => !held.has(l.code)).map((l) => ({ value: l.code, label: `${l.code} — ${l.name}` })),
  ];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!location) problems.location = t('stock.err.choose');
    const q = kgProblem(qty, t);
    if (q) problems.delta_g = q;
    if (!reason.trim()) problems.reason = t('stock.err.required');
    setLocal(problems);
    if (Object.keys(problems).length) return focusInvalid();
    const grams = parseKg(qty)!;
    const delta = direction === '+' ? grams : -grams;
    const done = await adjust.run({ lot: card.lot.code, location, delta_g: delta, reason: reason.trim() });
    if (done) onDone(t('stock.lot.adjusted', { kg: `${direction === '+' ? '+' : '−'}${kg(grams)}`, location }));
    else focusInvalid();
  };

  return (
    <form ref={form} className="st-action-form" onSubmit={submit} noValidate>
      <div className="grid-3">
        <Field label={t('stock.lot.adjustAt')} error={err('location')}>
          {(id) => <SelectInput id={id} value={location} onChange={setLocation} options={options} />}
        </Field>
        <Field label={t('stock.lot.direction')}>
          {(id) => (
            <select id={id} value={direction} onChange={(e) => setDirection(e.target.value as '+' | '-')}>
              <option value="-">{t('stock.lot.shortage')}</option>
              <option value="+">{t('stock.lot.surplus')}</option>
            </select>
          )}
        </Field>
        <Field label={t('stock.lot.qtyKg')} error={err('delta_g')}>
          {(id) => <KgInput id={id} value={qty} onChange={setQty} />}
        </Field>
        <Field label={t('stock.lot.reason')} error={err('reason')} hint={t('stock.lot.reasonHint')} wide>
          {(id) => <TextInput id={id} value={reason} onChange={setReason} maxLength={500} />}
        </Field>
      </div>
      <ErrorBanner error={adjust.error} shownFields={['location', 'delta_g', 'reason']} />
      <div className="actions">
        <Button kind="primary" type="submit" pending={adjust.pending}>
          {t('stock.lot.doAdjust')}
        </Button>
      </div>
    </form>
  );
}

function BlockForm({ card, onDone }: FormProps) {
  const { t, i18n } = useTranslation();
  const block = useMutation('lots.block');
  const [reason, setReason] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const { form, focusInvalid } = useFirstFieldFocus();
  const err = (f: string) => local[f] ?? fieldError(block.error, f, i18n.language);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) {
      setLocal({ reason: t('stock.err.required') });
      return focusInvalid();
    }
    setLocal({});
    const done = await block.run({ code: card.lot.code, reason: reason.trim() });
    if (done) onDone(t('stock.lot.blocked', { code: card.lot.code }));
    else focusInvalid();
  };

  return (
    <form ref={form} className="st-action-form" onSubmit={submit} noValidate>
      <Field label={t('stock.lot.blockReason')} error={err('reason')} hint={t('stock.lot.blockHint')}>
        {(id) => <TextInput id={id} value={reason} onChange={setReason} maxLength={500} />}
      </Field>
      <ErrorBanner error={block.error} shownFields={['reason']} />
      <div className="actions">
        <Button kind="danger" type="submit" pending={block.pending}>
          {t('stock.lot.doBlock')}
        </Button>
      </div>
    </form>
  );
}
