// Small pieces shared by the stock, receipt and trace screens: shelf life left, links to a lot,
// product names in the UI language and the choices of products and locations.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import type { OperationError } from '../../../main/contract/errors';
import type { OperationOutput } from '../../../main/contract/operations';
import { api } from '../api/client';
import { useQuery } from '../api/hooks';
import { useSession } from '../app/App';
import type { ScreenId } from '.';

export const DAY_MS = 86_400_000;
/** Lots with this many days left or fewer are highlighted. */
export const SOON_DAYS = 2;

/** Whole days of shelf life left (as the workspace counts them), or 'expired'. */
export function shelfLife(expires: number, now = Date.now()): { expired: boolean; days: number; soon: boolean } {
  const days = Math.floor((expires - now) / DAY_MS);
  const expired = expires <= now;
  return { expired, days, soon: !expired && days <= SOON_DAYS };
}

/** Grams as a KgInput value in the UI language ("12,345" / "12.345"), with no digit grouping. */
export function kgInput(grams: number, lang = i18next.language): string {
  const text = (grams / 1000).toFixed(3);
  return lang === 'en' ? text : text.replace('.', ',');
}

export function DaysLeft({ expires }: { expires: number | null | undefined }) {
  const { t } = useTranslation();
  if (expires === null || expires === undefined) return <span className="muted">—</span>;
  const s = shelfLife(expires);
  if (s.expired) return <span className="lp-days lp-days-expired">{t('stock.expired')}</span>;
  return <span className={`lp-days${s.soon ? ' lp-days-soon' : ''}`}>{s.days < 1 ? t('stock.lessThanDay') : t('stock.days', { days: s.days })}</span>;
}

/** A lot code that opens the lot on another screen (the stock card or the trace). */
export function LotLink({ code, to = 'stock', title }: { code: string; to?: ScreenId; title?: string }) {
  const { navigate } = useSession();
  return (
    <a
      href={`#/${to}/${encodeURIComponent(code)}`}
      className="lp-link"
      title={title}
      onClick={(e) => {
        e.preventDefault();
        e.stopPropagation();
        navigate(to, code);
      }}
    >
      {code}
    </a>
  );
}

export function productName(p: { name_ru?: string; name_en?: string; product_name_ru?: string; product_name_en?: string }, lang: string): string {
  const ru = p.product_name_ru ?? p.name_ru ?? '';
  const en = p.product_name_en ?? p.name_en ?? '';
  return lang === 'en' && en ? en : ru;
}

type Product = OperationOutput<'products.list'>['rows'][number];
type Location = OperationOutput<'locations.list'>['rows'][number];

/** The home site's own reference data first; other sites' entries stay choosable after them. */
export function ownFirst<T extends { site_id: string; code: string }>(rows: readonly T[], site: string): T[] {
  return [...rows].sort((a, b) => Number(b.site_id === site) - Number(a.site_id === site) || a.code.localeCompare(b.code));
}

/** Active products and locations as select options, the user's own site first. */
export function useReference(filter?: (p: Product) => boolean) {
  const { i18n } = useTranslation();
  const { me } = useSession();
  const products = useQuery('products.list', {});
  const locations = useQuery('locations.list', {});
  const site = me.site.id;
  const lang = i18n.language;
  return useMemo(() => {
    const productRows = ownFirst((products.data?.rows ?? []).filter((p) => p.active === 1 && (!filter || filter(p))), site);
    const locationRows = ownFirst((locations.data?.rows ?? []).filter((l) => l.active === 1), site);
    return {
      products: productRows,
      locations: locationRows,
      ownLocations: locationRows.filter((l: Location) => l.site_id === site),
      productOptions: productRows.map((p) => ({ value: p.code, label: `${p.code} — ${productName(p, lang)}` })),
      locationOptions: locationRows.map((l) => ({ value: l.code, label: `${l.code} — ${l.name}` })),
    };
    // `filter` is a fixed predicate per caller.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [products.data, locations.data, site, lang]);
}

/** Term–value pairs of a record (a lot, a receipt) laid out as a compact grid. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="lp-facts">
      {items.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

type Paged = 'stock.levels' | 'lots.list';

/**
 * Every row of a paged read, fetched `pageSize` rows at a time (the first page tells the total, the
 * rest are asked for together) and read again whenever the workspace changes. For views that
 * must hold the whole list — the by-lot stock levels of a big plant are 50 000 rows.
 */
export function useAllPages<N extends Paged>(name: N, input: Record<string, unknown> | null, pageSize = 10_000) {
  type Out = OperationOutput<N>;
  const key = JSON.stringify(input);
  const [state, setState] = useState<{ data?: Out; error?: OperationError; loading: boolean }>({ loading: input !== null });
  const [tick, setTick] = useState(0);
  useEffect(() => api.subscribe('workspace.changed', () => setTick((t) => t + 1)), []);
  useEffect(() => {
    if (key === 'null') {
      setState({ loading: false });
      return;
    }
    let cancelled = false;
    const base = JSON.parse(key) as Record<string, unknown>;
    setState((s) => ({ ...s, loading: true }));
    void (async () => {
      const first = await api.result(name, { ...base, limit: pageSize, offset: 0 });
      if (cancelled) return;
      if (!first.ok) return setState({ error: first.error, loading: false });
      const total = first.value.total;
      const rest = [];
      for (let offset = pageSize; offset < total; offset += pageSize) rest.push(api.result(name, { ...base, limit: pageSize, offset }));
      const pages = await Promise.all(rest);
      if (cancelled) return;
      const failed = pages.find((p) => !p.ok);
      if (failed && !failed.ok) return setState({ error: failed.error, loading: false });
      // Rows are keyed; should the list change between pages, a row is kept once.
      const seen = new Set<string>();
      const rows: unknown[] = [];
      for (const page of [first, ...pages]) {
        if (!page.ok) continue;
        for (const row of page.value.rows as { key?: string; id?: string }[]) {
          const id = row.key ?? row.id ?? '';
          if (seen.has(id)) continue;
          seen.add(id);
          rows.push(row);
        }
      }
      setState({ data: { rows, total } as Out, loading: false });
    })();
    return () => {
      cancelled = true;
    };
  }, [name, key, pageSize, tick]);
  return { data: state.data, error: state.error, loading: state.loading };
}
