// Query: the analyst's own SQL on the synced data, read-only, on a worker thread in the back end.
// Run with Ctrl/Cmd+Enter; the result in a grid paged from the back end (a million rows stay
// smooth), its row count and time, an error with its place in the statement, a chart when the
// result has a time or category column and a number column, export to CSV/XLSX and copy as TSV.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { QueryResult, QueryTools, QueryValue, SavedQuery } from '../../../electron/shared/contract';
import { useApp } from '../app/app-context';
import { Banner } from '../components/Banner';
import { ExportButtons } from '../components/ExportButtons';
import { ResultChart } from '../components/ResultChart';
import { ResultGrid } from '../components/ResultGrid';
import { SqlEditor, type SqlEditorHandle } from '../components/SqlEditor';
import { chartShape, numericColumns } from '../lib/chart-shape';
import { formatNumber } from '../lib/format';
import { copyText, toTsv } from '../lib/tsv';
import { QueryLibrary } from './QueryLibrary';

/** Rows that come with the result: the grid's first pages and what the chart draws. */
const FIRST_ROWS = 1000;
/** Copy takes at most this many rows: beyond, export. */
export const COPY_MAX_ROWS = 10_000;
const DEFAULT_SQL = 'SELECT event, count(*) AS events\nFROM events\nGROUP BY event\nORDER BY events DESC;';
const SQL_STORAGE_KEY = 's3sync.querySql';

type Success = Extract<QueryResult, { ok: true }>;
type Failure = Extract<QueryResult, { ok: false }>;

let queriesStarted = 0;

/**
 * With a PostgreSQL target the workbench would answer from a file the syncs no longer fill: it says
 * so instead (the back end refuses such queries too: target-api.ts, localFileOnly).
 */
export function QueryScreen() {
  const { overview } = useApp();
  const target = overview.config?.target;
  if (target?.kind !== 'postgres') return <Workbench />;
  return (
    <section aria-labelledby="query-title" className="screen">
      <div className="screen-head">
        <h1 id="query-title" tabIndex={-1}>
          Query
        </h1>
      </div>
      <Banner tone="info" title="The Query screen reads this computer’s SQLite file only">
        Syncs write to the PostgreSQL database <span className="mono">{overview.targetLabel}</span>. Query it with psql
        or your BI tool (<span className="mono">SET search_path TO {target.schema};</span>), or choose “This computer”
        under Where the data goes on the Connection screen.
      </Banner>
    </section>
  );
}

function Workbench() {
  const { api, notify } = useApp();
  const editor = useRef<SqlEditorHandle>(null);
  const [sql, setSql] = useState(() => sessionStorage.getItem(SQL_STORAGE_KEY) ?? DEFAULT_SQL);
  const [tools, setTools] = useState<QueryTools | null>(null);
  const [running, setRunning] = useState<string | null>(null);
  const [result, setResult] = useState<{ sql: string; queryId: string; answer: Success } | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [view, setView] = useState<'table' | 'chart'>('table');
  const [plotted, setPlotted] = useState<number | undefined>(undefined);
  const latestSql = useRef(sql);
  latestSql.current = sql;

  useEffect(() => {
    api.getQueryTools().then(setTools, (e: Error) => notify('error', `The tables could not be read: ${e.message}`));
  }, [api, notify]);

  useEffect(() => sessionStorage.setItem(SQL_STORAGE_KEY, sql), [sql]);

  const run = useCallback(async () => {
    const statement = latestSql.current;
    const queryId = `query-${Date.now()}-${++queriesStarted}`;
    setRunning(queryId);
    setFailure(null);
    try {
      const answer = await api.runQuery({ sql: statement, queryId, limit: FIRST_ROWS });
      if (answer.ok) {
        setResult({ sql: statement, queryId, answer });
        setPlotted(undefined);
      } else {
        setFailure(answer);
        if (!answer.cancelled) setResult(null);
      }
    } catch (error) {
      setFailure({ ok: false, message: (error as Error).message });
    } finally {
      setRunning((current) => (current === queryId ? null : current));
    }
  }, [api]);

  const loadPage = useCallback(
    async (offset: number, limit: number): Promise<QueryValue[][]> => {
      if (!result) return [];
      const page = await api.queryPage({
        sql: result.sql,
        queryId: `${result.queryId}-page-${offset}`,
        offset,
        limit,
        total: result.answer.total,
      });
      if (!page.ok) throw new Error(page.message);
      return page.rows;
    },
    [api, result],
  );

  async function copy() {
    if (!result) return;
    const { columns, total } = result.answer;
    const rows = [...result.answer.rows];
    while (rows.length < Math.min(total, COPY_MAX_ROWS)) rows.push(...(await loadPage(rows.length, FIRST_ROWS)));
    try {
      await copyText(toTsv(columns, rows.slice(0, COPY_MAX_ROWS)));
      notify(
        'success',
        total > COPY_MAX_ROWS
          ? `Copied the first ${formatNumber(COPY_MAX_ROWS)} of ${formatNumber(total)} rows: export for all of them.`
          : `Copied ${formatNumber(total)} rows: paste them into Excel or Google Sheets.`,
      );
    } catch (error) {
      notify('error', (error as Error).message);
    }
  }

  function open(query: SavedQuery) {
    editor.current?.setText(query.sql);
    editor.current?.focus();
  }

  const answer = result?.answer;
  const shape = answer ? chartShape(answer.columns, answer.rows, plotted) : null;
  const plottable = answer && shape ? numericColumns(answer.columns, answer.rows).filter((i) => i !== shape.x) : [];
  const position = failure?.position;

  return (
    <section aria-labelledby="query-title" className="screen">
      <div className="screen-head">
        <h1 id="query-title" tabIndex={-1}>
          Query
        </h1>
        <p className="screen-lead">
          Ask the synced data anything in SQL (SQLite). Queries only read: the data changes only through a sync.
        </p>
      </div>
      <div className="query-layout">
        <div className="query-main">
          <div className="card card-flush">
            <SqlEditor
              ref={editor}
              initialText={sql}
              schema={tools?.schema ?? []}
              onChange={setSql}
              onRun={() => void run()}
              label="SQL query"
            />
            <div className="query-toolbar">
              <button type="button" className="btn btn-primary" disabled={running !== null} onClick={() => void run()}>
                Run
              </button>
              <span className="muted small">Ctrl+Enter (⌘+Enter on a Mac)</span>
              {running && (
                <>
                  <span role="status" className="muted">
                    Running…
                  </span>
                  <button
                    type="button"
                    className="btn btn-secondary"
                    onClick={() => void api.cancelQuery({ queryId: running })}
                  >
                    Cancel
                  </button>
                </>
              )}
            </div>
          </div>
          {failure && (
            <Banner
              tone={failure.cancelled ? 'info' : 'error'}
              title={
                failure.cancelled
                  ? 'Cancelled'
                  : failure.timedOut
                    ? 'The query took too long'
                    : 'The query could not run'
              }
            >
              {failure.message}
              {position && (
                <>
                  {' '}
                  <button
                    type="button"
                    className="btn btn-link"
                    onClick={() => editor.current?.focusAt(position.offset)}
                  >
                    Line {position.line}, column {position.column}
                  </button>
                </>
              )}
            </Banner>
          )}
          {answer && result && (
            <div className="card card-flush query-result">
              <div className="table-toolbar">
                <p className="table-count" role="status" aria-label="Result summary">
                  {formatNumber(answer.total)} {answer.total === 1 ? 'row' : 'rows'} ·{' '}
                  {(answer.elapsedMs / 1000).toFixed(2)} s
                </p>
                <div className="segmented" role="group" aria-label="Show the result as">
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    aria-pressed={view === 'table'}
                    onClick={() => setView('table')}
                  >
                    Table
                  </button>
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    aria-pressed={view === 'chart'}
                    disabled={!shape}
                    title={shape ? undefined : 'A chart needs a time or category column and a number column'}
                    onClick={() => setView('chart')}
                  >
                    Chart
                  </button>
                </div>
                <button type="button" className="btn btn-secondary btn-small" onClick={() => void copy()}>
                  Copy
                </button>
                <ExportButtons source={{ kind: 'query', sql: result.sql }} label="Export the result" />
              </div>
              {view === 'chart' && shape && plottable.length > 1 && (
                <label className="check-inline chart-pick">
                  Plot{' '}
                  <select className="input" value={shape.y} onChange={(e) => setPlotted(Number(e.target.value))}>
                    {plottable.map((i) => (
                      <option key={i} value={i}>
                        {answer.columns[i]}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              {view === 'chart' && shape ? (
                <ResultChart
                  columns={answer.columns}
                  rows={answer.rows}
                  shape={shape}
                  title="Query result"
                  note={
                    answer.total > answer.rows.length
                      ? `The first ${formatNumber(answer.rows.length)} rows are drawn.`
                      : undefined
                  }
                />
              ) : (
                <ResultGrid
                  columns={answer.columns}
                  total={answer.total}
                  firstRows={answer.rows}
                  loadPage={loadPage}
                  label="Query result"
                />
              )}
            </div>
          )}
        </div>
        <QueryLibrary
          tools={tools}
          currentSql={sql}
          onOpen={open}
          onSaved={(saved) => setTools((t) => (t ? { ...t, saved } : t))}
        />
      </div>
    </section>
  );
}
