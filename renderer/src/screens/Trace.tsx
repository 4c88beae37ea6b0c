// Прослеживаемость: find a lot, then see side by side where its material came from (receipts,
// suppliers, input lots) and where it went (batches, output lots, shipments, consignees) — the
// view a recall starts from. Every lot in either tree re-traces from that lot.
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { OperationError } from '../../../main/contract/errors';
import type { OperationOutput, TraceNode } from '../../../main/contract/operations';
import { api } from '../api/client';
import { useQuery } from '../api/hooks';
import { useSession } from '../app/App';
import { DataTable, type Column } from '../components/DataTable';
import { Button, ErrorBanner, Field, Status } from '../components/forms';
import { date, dateTime, kg } from '../format';
import { DaysLeft, Facts, productName } from './lotParts';

type Lot = OperationOutput<'lots.list'>['rows'][number];

export function TraceScreen() {
  const { t, i18n } = useTranslation();
  const { param, navigate, can } = useSession();
  const [text, setText] = useState(param ?? '');
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState<OperationError>();
  const [choices, setChoices] = useState<{ text: string; rows: Lot[]; total: number }>();
  const input = useRef<HTMLInputElement>(null);
  const trace = useQuery('trace.lot', param ? { code: param, direction: 'both' } : null);
  // Suppliers and consignees are named in the UI's language (the trace itself names them one way).
  const partners = useQuery('partners.list', {});
  const lang = i18n.language;
  const partnerName = useMemo(() => {
    const byCode = new Map((partners.data?.rows ?? []).map((p) => [p.code, lang === 'en' ? p.name_en || p.name_ru : p.name_ru]));
    return (node: TraceNode) => ((node.kind === 'supplier' || node.kind === 'consignee') && byCode.get(node.key)) || node.label;
  }, [partners.data, lang]);

  // A lot opened from elsewhere (or by a link in a tree) fills the search box.
  useEffect(() => {
    setText(param ?? '');
    setChoices(undefined);
    setSearchError(undefined);
  }, [param]);

  const open = (code: string) => {
    setChoices(undefined);
    if (code === param) trace.reload();
    else navigate('trace', code);
  };

  const find = async (event: FormEvent) => {
    event.preventDefault();
    const query = text.trim();
    if (!query) return input.current?.focus();
    setSearching(true);
    setSearchError(undefined);
    const result = await api.result('lots.list', { search: query, limit: 50 });
    setSearching(false);
    if (!result.ok) return setSearchError(result.error);
    const rows = result.value.rows;
    const exact = rows.find((r) => r.code.toUpperCase() === query.toUpperCase());
    if (exact) return open(exact.code);
    if (rows.length === 1) return open(rows[0]!.code);
    setChoices({ text: query, rows, total: result.value.total });
  };

  const choiceColumns: Column<Lot>[] = [
    { key: 'code', header: t('trace.col.lot'), width: '10rem', render: (l) => <span className="lp-mono">{l.code}</span> },
    { key: 'product', header: t('trace.col.product'), width: 'minmax(12rem, 3fr)', render: (l) => `${l.product_code} — ${productName(l, i18n.language)}` },
    { key: 'status', header: t('trace.col.status'), width: '8.5rem', render: (l) => <Status value={l.status} /> },
    { key: 'produced', header: t('trace.col.produced'), width: '8rem', render: (l) => date(l.produced_at) },
    { key: 'initial', header: t('trace.col.initial'), width: '9rem', align: 'right', render: (l) => kg(l.initial_g) },
    { key: 'qty', header: t('trace.col.qty'), width: '9rem', align: 'right', render: (l) => kg(l.qty_g) },
  ];
  const data = trace.data;
  const lot = data?.lot;
  const summary = useMemo(() => (data ? summarise(data.backward, data.forward, partnerName) : undefined), [data, partnerName]);

  return (
    <>
      <h1>{t('trace.title')}</h1>
      <p className="muted tr-hint">{t('trace.hint')}</p>
      <form className="toolbar tr-search" onSubmit={find} role="search">
        <Field label={t('trace.lotCode')} hint={t('trace.lotCodeHint')}>
          {(id) => (
            <input
              ref={input}
              id={id}
              className="lp-mono tr-code"
              value={text}
              onChange={(e) => setText(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              maxLength={40}
              autoFocus={!param}
            />
          )}
        </Field>
        <Button kind="primary" type="submit" pending={searching}>
          {t('trace.find')}
        </Button>
        {param && (
          <Button type="button" onClick={() => trace.reload()}>
            {t('trace.refresh')}
          </Button>
        )}
      </form>
      <ErrorBanner error={searchError} />

      {choices &&
        (choices.rows.length === 0 ? (
          <div className="banner banner-warn" role="status">
            {t('trace.notFound', { text: choices.text })}
          </div>
        ) : (
          <section className="card tr-choices" aria-label={t('trace.chooseLabel')}>
            <div className="muted">
              {t('trace.choose', { count: choices.total })}
              {choices.total > choices.rows.length ? ` (${t('trace.shown', { count: choices.rows.length })})` : ''}
            </div>
            <DataTable
              columns={choiceColumns}
              rows={choices.rows}
              rowKey={(l) => l.id}
              onActivate={(l) => open(l.code)}
              label={t('trace.chooseLabel')}
              height={Math.min(290, choices.rows.length * 36 + 4)}
              testId="trace-choices"
            />
          </section>
        ))}

      {param && trace.loading && !data && (
        <div className="muted" role="status">
          {t('trace.loading')}
        </div>
      )}
      <ErrorBanner error={trace.error} />

      {lot && data && param && (
        <>
          <section className="card tr-lot" aria-label={t('trace.current')}>
            <div className="card-head">
              <h2 className="tr-lot-title">
                <span className="lp-mono">{lot.code}</span> <Status value={lot.status} />
              </h2>
              {can('stock.read') && (
                <Button type="button" onClick={() => navigate('stock', lot.code)}>
                  {t('trace.openInStock')}
                </Button>
              )}
            </div>
            <Facts
              items={[
                [t('trace.lot.product'), `${lot.product_code} — ${productName(lot, i18n.language)}`],
                [t('trace.lot.initial'), kg(lot.initial_g)],
                [t('trace.lot.qty'), kg(lot.qty_g)],
                [t('trace.lot.produced'), date(lot.produced_at)],
                [
                  t('trace.lot.expires'),
                  <span key="e">
                    {date(lot.expires_at)} · <DaysLeft expires={lot.expires_at} />
                  </span>,
                ],
                [t('trace.lot.supplier'), lot.supplier_name ?? '—'],
                [t('trace.lot.catchArea'), lot.catch_area ?? '—'],
                [t('trace.lot.vetDoc'), <span key="v" className="lp-mono">{lot.vet_doc_uuid ?? '—'}</span>],
              ]}
            />
          </section>

          {summary && (
            <section className="tr-summary" aria-label={t('trace.summaryLabel')}>
              <h2 className="sr-only">{t('trace.summary')}</h2>
              <div className="kpis tr-kpis">
                <Kpi label={t('trace.suppliers')} value={summary.suppliers.length} />
                <Kpi label={t('trace.inputLots')} value={summary.inputLots} />
                <Kpi label={t('trace.outputLots')} value={summary.outputLots} />
                <Kpi label={t('trace.shipments')} value={summary.shipments} tone={summary.shipments > 0 ? 'alert' : undefined} />
                <Kpi label={t('trace.consignees')} value={summary.consignees.length} tone={summary.consignees.length > 0 ? 'alert' : undefined} />
                <Kpi label={t('trace.shippedKg')} value={kg(summary.shippedG)} tone={summary.shippedG > 0 ? 'alert' : undefined} />
              </div>
              {summary.consignees.length > 0 && <div className="tr-consignees">{t('trace.consigneeList', { names: summary.consignees.join('; ') })}</div>}
              {summary.suppliers.length > 0 && <div className="muted">{t('trace.supplierList', { names: summary.suppliers.join('; ') })}</div>}
            </section>
          )}

          <div className="tr-columns">
            <TreeColumn title={t('trace.backward')} hint={t('trace.backwardHint')} label={t('trace.treeBackward')} root={data.backward} current={lot.code} onOpen={open} nameOf={partnerName} />
            <TreeColumn title={t('trace.forward')} hint={t('trace.forwardHint')} label={t('trace.treeForward')} root={data.forward} current={lot.code} onOpen={open} nameOf={partnerName} />
          </div>
        </>
      )}
    </>
  );
}

function Kpi({ label, value, tone }: { label: string; value: string | number; tone?: 'alert' | undefined }) {
  return (
    <div className={`kpi${tone ? ` tr-kpi-${tone}` : ''}`}>
      <div className="muted">{label}</div>
      <div className="value">{value}</div>
    </div>
  );
}

interface Summary {
  suppliers: string[];
  inputLots: number;
  outputLots: number;
  shipments: number;
  consignees: string[];
  shippedG: number;
}

const SHIPMENT_LABEL = /^(.*) \((draft|shipped|cancelled)\)$/;

/** What a recall needs at a glance: who supplied, how many lots, which shipments and consignees. */
function summarise(backward: TraceNode | null, forward: TraceNode | null, nameOf: (n: TraceNode) => string): Summary {
  const suppliers = new Map<string, string>();
  const consignees = new Map<string, string>();
  const inputLots = new Set<string>();
  const outputLots = new Set<string>();
  const shipments = new Set<string>();
  let shippedG = 0;
  const walk = (node: TraceNode, visit: (n: TraceNode) => void) => {
    visit(node);
    node.children.forEach((c) => walk(c, visit));
  };
  if (backward)
    walk(backward, (n) => {
      if (n.kind === 'supplier') suppliers.set(n.key, nameOf(n));
      if (n.kind === 'lot' && n !== backward) inputLots.add(n.key);
    });
  if (forward)
    walk(forward, (n) => {
      if (n.kind === 'lot' && n !== forward) outputLots.add(n.key);
      if (n.kind === 'consignee') consignees.set(n.key, nameOf(n));
      if (n.kind === 'shipment') {
        // One node per lot on a shipment: count the shipment once, add every lot's quantity.
        shipments.add(n.key);
        if (SHIPMENT_LABEL.exec(n.label)?.[2] === 'shipped') shippedG += n.qty_g ?? 0;
      }
    });
  return {
    suppliers: [...suppliers.values()],
    inputLots: inputLots.size,
    outputLots: outputLots.size,
    shipments: shipments.size,
    consignees: [...consignees.values()],
    shippedG,
  };
}

function TreeColumn(props: {
  title: string;
  hint: string;
  label: string;
  root: TraceNode | null;
  current: string;
  onOpen(code: string): void;
  nameOf(node: TraceNode): string;
}) {
  const { t } = useTranslation();
  const empty = !props.root || props.root.children.length === 0;
  return (
    <section className="card tr-column" aria-label={props.label}>
      <h2>{props.title}</h2>
      <div className="muted tr-column-hint">{props.hint}</div>
      {props.root && (
        <div className="tree tr-tree">
          <ul>
            <NodeItem node={props.root} current={props.current} onOpen={props.onOpen} nameOf={props.nameOf} />
          </ul>
        </div>
      )}
      {empty && <p className="muted">{t('trace.empty')}</p>}
    </section>
  );
}

function NodeItem({ node, current, onOpen, nameOf }: { node: TraceNode; current: string; onOpen(code: string): void; nameOf(node: TraceNode): string }) {
  const { t } = useTranslation();
  const isCurrent = node.kind === 'lot' && node.key === current;
  const shipment = node.kind === 'shipment' ? SHIPMENT_LABEL.exec(node.label) : null;
  let label: ReactNode = nameOf(node);
  if (node.kind === 'lot') {
    const rest = node.label.startsWith(node.key) ? node.label.slice(node.key.length).replace(/^\s*·\s*/, '') : node.label;
    label = (
      <>
        {isCurrent ? (
          <strong className="lp-mono" title={t('trace.current')}>
            {node.key}
          </strong>
        ) : (
          <a
            href={`#/trace/${encodeURIComponent(node.key)}`}
            className="lp-link lp-mono"
            title={t('trace.retrace', { code: node.key })}
            onClick={(e) => {
              e.preventDefault();
              onOpen(node.key);
            }}
          >
            {node.key}
          </a>
        )}
        {rest && <span className="node-text"> {rest}</span>}
      </>
    );
  } else if (shipment) {
    label = (
      <>
        <span className="lp-mono">{shipment[1]}</span> <Status value={shipment[2]!} />
      </>
    );
  } else if (node.kind === 'receipt' || node.kind === 'batch') {
    label = <span className="lp-mono">{node.label}</span>;
  }
  return (
    <li>
      <div className={`node node-${node.kind}${isCurrent ? ' node-current' : ''}`}>
        <span className="node-kind">{t(`trace.kind.${node.kind}`)}</span>
        <span className="node-label">{label}</span>
        {node.qty_g !== null && (
          <span className="node-qty">
            {kg(node.qty_g)} {t('common.kg')}
          </span>
        )}
        {node.at !== null && <span className="node-at">{node.kind === 'lot' ? date(node.at) : dateTime(node.at)}</span>}
      </div>
      {node.children.length > 0 && (
        <ul>
          {node.children.map((c, i) => (
            <NodeItem key={`${c.kind}:${c.key}:${i}`} node={c} current={current} onOpen={onOpen} nameOf={nameOf} />
          ))}
        </ul>
      )}
    </li>
  );
}
