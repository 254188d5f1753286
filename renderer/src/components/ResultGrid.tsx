// A query result of any size in a virtualized grid: only the rows in view are in the page, and they
// are fetched from the back end a page at a time as the grid scrolls (never the whole result).
import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { QueryValue } from '../../../electron/shared/contract';
import { formatNumber } from '../lib/format';

export const GRID_PAGE_SIZE = 200;
const ROW_HEIGHT = 28;

interface ResultGridProps {
  columns: string[];
  total: number;
  /** Rows from offset 0 that came with the result. */
  firstRows: QueryValue[][];
  loadPage: (offset: number, limit: number) => Promise<QueryValue[][]>;
  label: string;
}

export function ResultGrid({ columns, total, firstRows, loadPage, label }: ResultGridProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const pages = useRef(new Map<number, QueryValue[][]>());
  const requested = useRef(new Set<number>());
  const [, setLoadedPages] = useState(0);
  const [loadError, setLoadError] = useState<string | null>(null);

  // A new result starts with its first rows; pages cut from them need no request.
  useEffect(() => {
    pages.current = new Map();
    requested.current = new Set();
    for (let start = 0; start < firstRows.length; start += GRID_PAGE_SIZE) {
      const rows = firstRows.slice(start, start + GRID_PAGE_SIZE);
      // Only whole pages (or the result's last one): a partial page would leave rows unfetched.
      if (rows.length < GRID_PAGE_SIZE && start + rows.length < total) break;
      pages.current.set(start / GRID_PAGE_SIZE, rows);
      requested.current.add(start / GRID_PAGE_SIZE);
    }
    setLoadError(null);
    setLoadedPages((n) => n + 1);
    scroller.current?.scrollTo({ top: 0 });
  }, [firstRows, total]);

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const firstPage = items.length ? Math.floor(items[0]!.index / GRID_PAGE_SIZE) : 0;
  const lastPage = items.length ? Math.floor(items.at(-1)!.index / GRID_PAGE_SIZE) : 0;

  useEffect(() => {
    for (let page = firstPage; page <= lastPage; page++) {
      if (requested.current.has(page)) continue;
      requested.current.add(page);
      loadPage(page * GRID_PAGE_SIZE, GRID_PAGE_SIZE).then(
        (rows) => {
          pages.current.set(page, rows);
          setLoadedPages((n) => n + 1);
        },
        (error: Error) => {
          requested.current.delete(page);
          setLoadError(error.message);
        },
      );
    }
  }, [firstPage, lastPage, loadPage]);

  const template = `4.5rem repeat(${columns.length}, minmax(9rem, 1fr))`;
  return (
    <div className="result-grid-wrap">
      {loadError && (
        <p className="field-error" role="alert">
          Rows could not be loaded: {loadError}
        </p>
      )}
      <div
        ref={scroller}
        className="result-grid"
        role="grid"
        aria-label={label}
        aria-rowcount={total + 1}
        aria-colcount={columns.length + 1}
        tabIndex={0}
      >
        <div className="result-row result-head" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
          <span role="columnheader" className="result-cell result-num">
            #
          </span>
          {columns.map((name, i) => (
            <span key={i} role="columnheader" className="result-cell">
              {name}
            </span>
          ))}
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = pages.current.get(Math.floor(item.index / GRID_PAGE_SIZE))?.[item.index % GRID_PAGE_SIZE];
            return (
              <div
                key={item.key}
                role="row"
                aria-rowindex={item.index + 2}
                className="result-row"
                style={{ gridTemplateColumns: template, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              >
                <span role="rowheader" className="result-cell result-num">
                  {formatNumber(item.index + 1)}
                </span>
                {row
                  ? row.map((value, i) => (
                      <span
                        key={i}
                        role="gridcell"
                        className={`result-cell${typeof value === 'number' ? ' num' : ''}${value === null ? ' null' : ''}`}
                      >
                        {value === null ? 'NULL' : String(value)}
                      </span>
                    ))
                  : columns.map((_, i) => (
                      <span key={i} role="gridcell" className="result-cell loading" aria-busy="true">
                        …
                      </span>
                    ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
