// A table that stays fast at any size: only the visible rows are in the DOM (virtualised), so a
// 50 000-row stock list scrolls like a 50-row one. Arrow keys move the selection, Enter opens it.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLineMode } from './lineMode';

export interface Column<T> {
  key: string;
  header: string;
  /** CSS grid track, e.g. '8rem' or '1fr'. */
  width?: string;
  align?: 'left' | 'right';
  render(row: T): ReactNode;
}

export function DataTable<T>(props: {
  columns: Column<T>[];
  rows: readonly T[];
  rowKey(row: T): string;
  onActivate?(row: T): void;
  height?: number;
  label: string;
  testId?: string;
}) {
  const { t } = useTranslation();
  const parent = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  // Rows are positioned by this height, so it must match what line mode's bigger type needs.
  const rowHeight = useLineMode() ? 56 : 36;
  const virtualizer = useVirtualizer({
    count: props.rows.length,
    getScrollElement: () => parent.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  });
  useEffect(() => virtualizer.measure(), [rowHeight, virtualizer]);
  const template = props.columns.map((c) => c.width ?? '1fr').join(' ');

  const onKey = (event: KeyboardEvent) => {
    if (props.rows.length === 0) return;
    const move = (to: number) => {
      const next = Math.max(0, Math.min(props.rows.length - 1, to));
      setActive(next);
      virtualizer.scrollToIndex(next);
      event.preventDefault();
    };
    if (event.key === 'ArrowDown') move(active + 1);
    else if (event.key === 'ArrowUp') move(active - 1);
    else if (event.key === 'PageDown') move(active + 10);
    else if (event.key === 'PageUp') move(active - 10);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(props.rows.length - 1);
    else if (event.key === 'Enter' && props.onActivate) {
      const row = props.rows[active];
      if (row) props.onActivate(row);
    }
  };

  return (
    <div className="table" role="grid" aria-label={props.label} aria-rowcount={props.rows.length} data-testid={props.testId}>
      <div className="table-head" role="row" style={{ gridTemplateColumns: template }}>
        {props.columns.map((c) => (
          <div key={c.key} role="columnheader" className={c.align === 'right' ? 'num' : undefined}>
            {c.header}
          </div>
        ))}
      </div>
      <div ref={parent} className="table-body" tabIndex={0} onKeyDown={onKey} style={{ height: props.height ?? 420 }}>
        {props.rows.length === 0 ? (
          <div className="table-empty">{t('common.empty')}</div>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = props.rows[item.index]!;
              return (
                <div
                  key={props.rowKey(row)}
                  role="row"
                  aria-rowindex={item.index + 1}
                  aria-selected={item.index === active}
                  className={`table-row${item.index === active ? ' table-row-active' : ''}${props.onActivate ? ' table-row-link' : ''}`}
                  style={{ gridTemplateColumns: template, transform: `translateY(${item.start}px)`, height: rowHeight }}
                  onClick={() => {
                    setActive(item.index);
                    props.onActivate?.(row);
                  }}
                >
                  {props.columns.map((c) => (
                    <div key={c.key} role="gridcell" className={c.align === 'right' ? 'num' : undefined}>
                      {c.render(row)}
                    </div>
                  ))}
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}

/** Server-side paging for operations that take limit/offset and return a total. */
export function Pager(props: { offset: number; limit: number; total: number; onChange(offset: number): void }) {
  const { t } = useTranslation();
  const page = Math.floor(props.offset / props.limit) + 1;
  const pages = Math.max(1, Math.ceil(props.total / props.limit));
  return (
    <div className="pager">
      <button className="btn btn-secondary" disabled={page <= 1} onClick={() => props.onChange(Math.max(0, props.offset - props.limit))}>
        {t('common.prev')}
      </button>
      <span>
        {t('common.page', { page, pages })} · {t('common.total', { count: props.total })}
      </span>
      <button className="btn btn-secondary" disabled={page >= pages} onClick={() => props.onChange(props.offset + props.limit)}>
        {t('common.next')}
      </button>
    </div>
  );
}
