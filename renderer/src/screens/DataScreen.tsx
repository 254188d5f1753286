// Data: what landed in the database, per table, with search and paging that stay fast on a million
// rows (the queries page by primary key and cap match counts), trait columns, sorting and per-column
// filters done in SQL by the back end, a record's detail with its traits and where it came from, and
// the database's path for the analyst's own tools.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type {
  DataTable,
  RecordColumnInfo,
  RecordColumns,
  RecordDetail,
  RecordFilter,
  RecordPage,
  RecordRow,
  RecordSort,
  RecordView,
} from '../../../electron/shared/contract';
import { useApp } from '../app/app-context';
import { Banner } from '../components/Banner';
import { ExportButtons } from '../components/ExportButtons';
import { EmptyState } from '../components/EmptyState';
import { panelId, tabId, Tabs } from '../components/Tabs';
import { formatDateTime, formatNumber, plural } from '../lib/format';
import {
  DATA_LABELS,
  DATA_TABS,
  FIELD_LABELS,
  inSentence,
  OBJECT_LABELS,
  TABLE_OBJECT_TYPE,
} from '../lib/object-types';
import { useDebounced } from '../lib/use-debounced';
import { DataInsights } from './DataInsights';
import {
  ColumnChooser,
  columnKey,
  columnLabel,
  FilterCell,
  SortHeader,
  toFilters,
  type FilterDraft,
} from './DataColumns';
import { copyText, toTsv } from '../lib/tsv';
import { RecordLinks } from './RecordLinks';
import { escapeHandler, useGridRows } from '../lib/use-grid-rows';

export const PAGE_SIZE = 50;
/** Searches count matches up to this many (electron/core/queries.ts MAX_COUNTED_MATCHES); beyond, "10,000+". */
const COUNTED_MATCHES = 10_000;
const SEARCH_DEBOUNCE_MS = 250;

const SINGULAR: Record<DataTable, string> = {
  organizations: 'organization',
  accounts: 'account',
  users: 'user',
  nps_responses: 'NPS response',
  events: 'event',
};

/** What a search looks at besides the ID, for the search box's placeholder. */
const SEARCHED_BESIDES_ID: Record<DataTable, string> = {
  organizations: ' or name',
  accounts: ' or name',
  users: ', name or email',
  nps_responses: ', user or feedback',
  events: ', event or related ID',
};

function formatTotal(total: number, searching: boolean): string {
  return searching && total > COUNTED_MATCHES ? `more than ${formatNumber(COUNTED_MATCHES)}` : formatNumber(total);
}

/** "1 match", "12 records"; a range only once there is more than one page. */
function describeCount(offset: number, shown: number, total: number, filtered: boolean): string {
  const noun = filtered ? 'match' : 'record';
  const nouns = filtered ? 'matches' : 'records';
  if (offset === 0 && shown === total) return plural(total, noun, nouns);
  return `${formatNumber(offset + 1)}–${formatNumber(offset + shown)} of ${formatTotal(total, filtered)}${filtered ? ' matches' : ''}`;
}

/** The table's own columns until the back end has named them (and their types). */
function fallbackColumns(rows: RecordRow[]): RecordColumnInfo[] {
  const fields = rows[0] ? Object.keys(rows[0].fields) : [];
  return [
    { column: { field: 'id' }, type: 'text' },
    ...fields.map((field): RecordColumnInfo => ({
      column: { field },
      type: field === 'score' ? 'number' : field.endsWith('_at') ? 'date' : 'text',
    })),
    { column: { field: 'last_synced_at' }, type: 'date' },
  ];
}

function formatCell(field: string, value: string | number | null): string {
  if (value === null) return '';
  if ((field.endsWith('_at') || field === 'occurred_at') && typeof value === 'string') return formatDateTime(value);
  return typeof value === 'number' ? String(value) : value;
}

export function DataScreen() {
  const { api, lastFinished, overview, notify, refreshOverview } = useApp();
  const onPostgres = overview.config?.target?.kind === 'postgres';
  const [table, setTable] = useState<DataTable>('accounts');
  const [counts, setCounts] = useState<Partial<Record<DataTable, number>>>({});
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<RecordPage | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [staleOnly, setStaleOnly] = useState(false);
  const [sort, setSort] = useState<RecordSort | null>(null);
  const [drafts, setDrafts] = useState<Record<string, FilterDraft>>({});
  const [columnsInfo, setColumnsInfo] = useState<RecordColumns | null>(null);
  const [chosenByTable, setChosenByTable] = useState(() => overview.config?.dataColumns ?? {});
  const chosen = useMemo(() => chosenByTable[table] ?? [], [chosenByTable, table]);
  const debouncedSearch = useDebounced(search.trim(), SEARCH_DEBOUNCE_MS);

  useEffect(() => {
    let current = true;
    setColumnsInfo(null);
    api.getRecordColumns({ table }).then(
      (info) => current && setColumnsInfo(info),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [api, table, lastFinished]);
  const traitTypes = useMemo(
    () => new Map((columnsInfo?.traits ?? []).map((t) => ['trait' in t.column ? t.column.trait : '', t.type])),
    [columnsInfo],
  );
  const traitInfos = useMemo(
    () => chosen.map((trait): RecordColumnInfo => ({ column: { trait }, type: traitTypes.get(trait) ?? 'text' })),
    [chosen, traitTypes],
  );
  const filterableColumns = useMemo(() => [...(columnsInfo?.fields ?? []), ...traitInfos], [columnsInfo, traitInfos]);
  // Filters go to the back end once typing pauses, as the search does; those of the table just left
  // (still settling) are not sent with the next one.
  const filtersJson = useDebounced(
    JSON.stringify({ table, filters: toFilters(filterableColumns, drafts) }),
    SEARCH_DEBOUNCE_MS,
  );
  const filters = useMemo(() => {
    const settled = JSON.parse(filtersJson) as { table: DataTable; filters: RecordFilter[] };
    return settled.table === table ? settled.filters : [];
  }, [filtersJson, table]);
  const view: RecordView = useMemo(
    () => ({
      table,
      ...(debouncedSearch ? { search: debouncedSearch } : {}),
      ...(staleOnly ? { staleOnly } : {}),
      ...(sort ? { sort } : {}),
      ...(filters.length ? { filters } : {}),
      ...(chosen.length ? { columns: chosen } : {}),
    }),
    [table, debouncedSearch, staleOnly, sort, filters, chosen],
  );

  async function chooseColumns(next: string[]) {
    setChosenByTable((all) => ({ ...all, [table]: next }));
    if (sort && 'trait' in sort.column && !next.includes(sort.column.trait)) setSort(null);
    try {
      const saved = await api.saveDataColumns({ table, columns: next });
      if (!saved.ok) notify('error', `The chosen columns are shown but not kept: ${saved.message}`);
      // The overview holds the settings this screen opens with next time.
      else await refreshOverview();
    } catch (error) {
      notify('error', `The chosen columns are shown but not kept: ${(error as Error).message}`);
    }
  }

  useEffect(() => {
    let current = true;
    Promise.all(
      DATA_TABS.map((t) =>
        api.queryRecords({ table: t, page: { offset: 0, limit: 1 } }).then((p) => [t, p.total] as const),
      ),
    )
      .then((entries) => current && setCounts(Object.fromEntries(entries)))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [api, lastFinished]);

  useEffect(() => setOffset(0), [view]);

  useEffect(() => {
    let current = true;
    setLoading(true);
    api
      .queryRecords({ ...view, page: { offset, limit: PAGE_SIZE } })
      .then((result) => {
        if (!current) return;
        setPage(result);
        setError(null);
      })
      .catch((e: Error) => current && setError(e.message))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [api, view, offset, lastFinished]);

  const selectTable = useCallback((next: DataTable) => {
    setTable(next);
    setSearch('');
    setStaleOnly(false);
    setSort(null);
    setDrafts({});
    setSelectedId(null);
    setPage(null);
  }, []);

  const searching = debouncedSearch !== '' || staleOnly || filters.length > 0;
  const rows = page && page.table === table ? page.rows : [];
  const total = page && page.table === table ? page.total : 0;
  const staleCount = page && page.table === table ? page.staleCount : 0;
  const grid = useGridRows(rows.length, (index) => {
    const id = rows[index]!.id;
    setSelectedId(id === selectedId ? null : id);
  });
  // Esc closes the record, and the keyboard goes back to its row.
  useEffect(() => {
    if (selectedId === null) return;
    const onKey = escapeHandler(() => {
      setSelectedId(null);
      grid.focusRow(grid.active);
    });
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selectedId, grid]);
  const ownInfos = columnsInfo?.table === table ? columnsInfo.fields : fallbackColumns(rows);
  const lastSynced = ownInfos.at(-1)!;
  const shownColumns = [...ownInfos.slice(0, -1), ...traitInfos, lastSynced];
  const anyFilter = Object.values(drafts).some((d) => Object.values(d).some((v) => v));

  /** The page as shown, as tab-separated text that pastes into Excel and Google Sheets. */
  async function copyPage() {
    const cells = rows.map((row) =>
      shownColumns.map(({ column }) => {
        if ('trait' in column) return row.traitValues?.[column.trait] ?? null;
        if (column.field === 'id') return row.id;
        if (column.field === 'last_synced_at') return row.lastSyncedAt;
        return row.fields[column.field] ?? null;
      }),
    );
    try {
      await copyText(
        toTsv(
          shownColumns.map(({ column }) => columnLabel(table, column)),
          cells,
        ),
      );
      notify('success', `Copied ${plural(rows.length, 'row', 'rows')}: paste them into Excel or Google Sheets.`);
    } catch (error) {
      notify('error', (error as Error).message);
    }
  }
  const lastOffset =
    total > 0 && !(searching && total > COUNTED_MATCHES) ? Math.floor((total - 1) / PAGE_SIZE) * PAGE_SIZE : null;
  const hasNext = rows.length === PAGE_SIZE && (lastOffset === null || offset < lastOffset);

  return (
    <section aria-labelledby="data-title" className="screen">
      <div className="screen-head">
        <h1 id="data-title" tabIndex={-1}>
          Data
        </h1>
        <p className="screen-lead">
          {onPostgres
            ? 'What the syncs wrote to the shared PostgreSQL database.'
            : 'What the syncs wrote to your database. It is an ordinary SQLite file: query it with any SQLite tool.'}
        </p>
      </div>
      {onPostgres ? <PostgresLocation /> : <DatabaseLocation />}
      {/* The insights come from the workbench's starters, which read the SQLite file only. */}
      {!onPostgres && <DataInsights />}

      <Tabs
        label="Tables"
        idPrefix="data"
        selected={table}
        onSelect={selectTable}
        tabs={DATA_TABS.map((t) => ({
          id: t,
          label: (
            <>
              {DATA_LABELS[t]}
              <span className="tab-badge">
                <span className="visually-hidden">, </span>
                {counts[t] === undefined ? '…' : formatNumber(counts[t])}
              </span>
            </>
          ),
        }))}
      />
      <div role="tabpanel" id={panelId('data', table)} aria-labelledby={tabId('data', table)} className="tab-panel">
        <div className="card card-flush">
          <div className="table-toolbar">
            <div className="search">
              <label htmlFor="data-search" className="visually-hidden">
                Search {inSentence(DATA_LABELS[table])}
              </label>
              <input
                id="data-search"
                type="search"
                className="input"
                placeholder={`Search ${inSentence(DATA_LABELS[table])} by ID${SEARCHED_BESIDES_ID[table]}`}
                value={search}
                onChange={(e) => setSearch(e.target.value)}
              />
            </div>
            {(staleCount > 0 || staleOnly) && (
              <label className="stale-filter" title="Records that no file still in the bucket (and selected) holds">
                <input type="checkbox" checked={staleOnly} onChange={(e) => setStaleOnly(e.target.checked)} />
                Stale only <span className="badge badge-warning">{formatNumber(staleCount)}</span>
              </label>
            )}
            <p className="table-count" role="status">
              {page &&
                page.table === table &&
                (total === 0 ? '' : describeCount(offset, rows.length, total, searching))}
              {loading && <span className="muted"> · loading…</span>}
            </p>
            {table !== 'nps_responses' && (
              <ColumnChooser
                traits={columnsInfo?.traits ?? []}
                chosen={chosen}
                onChange={(next) => void chooseColumns(next)}
              />
            )}
            {anyFilter && (
              <button type="button" className="btn btn-ghost btn-small" onClick={() => setDrafts({})}>
                Clear filters
              </button>
            )}
            <button
              type="button"
              className="btn btn-secondary btn-small"
              disabled={rows.length === 0}
              onClick={() => void copyPage()}
              title="This page's rows as tab-separated text; export for all of them"
            >
              Copy page
            </button>
            <ExportButtons
              source={{ kind: 'table', ...view }}
              label={`Export ${DATA_LABELS[table].toLowerCase()}`}
              traitsOption={false}
            />
          </div>
          {error && (
            <Banner tone="error" title="The table could not be read">
              {error}
            </Banner>
          )}
          {page && page.table === table && rows.length === 0 && !loading && !anyFilter && (
            <EmptyTable table={table} search={searching ? debouncedSearch : null} />
          )}
          {page && page.table === table && (rows.length > 0 || anyFilter) && (
            <div className="table-wrap">
              <table className="table records-table" role="grid" aria-describedby="records-keys">
                <caption className="visually-hidden">{DATA_LABELS[table]}</caption>
                <thead>
                  <tr>
                    {shownColumns.map((info) => (
                      <SortHeader key={columnKey(info.column)} table={table} info={info} sort={sort} onSort={setSort} />
                    ))}
                  </tr>
                  <tr className="filter-row">
                    {shownColumns.map((info) => (
                      <FilterCell
                        key={columnKey(info.column)}
                        table={table}
                        info={info}
                        draft={drafts[columnKey(info.column)] ?? {}}
                        onChange={(next) => setDrafts((all) => ({ ...all, [columnKey(info.column)]: next }))}
                      />
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rows.length === 0 && (
                    <tr>
                      <td colSpan={shownColumns.length} className="muted">
                        No {SINGULAR[table]} matches these filters.
                      </td>
                    </tr>
                  )}
                  {rows.map((row, index) => (
                    <tr
                      key={row.id}
                      className={`record-row ${row.id === selectedId ? 'row-selected' : ''}`}
                      aria-selected={row.id === selectedId}
                      {...grid.rowProps(index)}
                    >
                      <td className="mono record-id">
                        {row.id}
                        {row.stale && (
                          <span
                            className="badge badge-warning badge-inline"
                            title="No file still in the bucket (and selected by the pattern) holds it"
                          >
                            Stale
                          </span>
                        )}
                      </td>
                      {ownInfos.slice(1, -1).map(({ column }) => {
                        const f = 'field' in column ? column.field : '';
                        return (
                          <td key={f} className={f === 'score' ? 'num' : f === 'feedback' ? 'clip' : undefined}>
                            {formatCell(f, row.fields[f] ?? null)}
                          </td>
                        );
                      })}
                      {traitInfos.map(({ column, type }) => {
                        const key = 'trait' in column ? column.trait : '';
                        const value = row.traitValues?.[key] ?? null;
                        return (
                          <td key={key} className={type === 'number' ? 'num' : 'clip'}>
                            {value === null ? '' : String(value)}
                          </td>
                        );
                      })}
                      <td className="nowrap">{formatDateTime(row.lastSyncedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {rows.length > 0 && (
            <p id="records-keys" className="visually-hidden">
              Arrow keys move between records; Enter opens one; Esc closes it.
            </p>
          )}
          {(offset > 0 || hasNext) && (
            <nav className="pager" aria-label="Pages">
              <button
                type="button"
                className="btn btn-secondary btn-small"
                onClick={() => setOffset(0)}
                disabled={offset === 0}
              >
                First
              </button>
              <button
                type="button"
                className="btn btn-secondary btn-small"
                onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
                disabled={offset === 0}
              >
                Previous
              </button>
              <span className="muted">
                Page {formatNumber(offset / PAGE_SIZE + 1)}
                {lastOffset !== null && ` of ${formatNumber(lastOffset / PAGE_SIZE + 1)}`}
              </span>
              <button
                type="button"
                className="btn btn-secondary btn-small"
                onClick={() => setOffset(offset + PAGE_SIZE)}
                disabled={!hasNext}
              >
                Next
              </button>
              {lastOffset !== null && (
                <button
                  type="button"
                  className="btn btn-secondary btn-small"
                  onClick={() => setOffset(lastOffset)}
                  disabled={offset >= lastOffset}
                >
                  Last
                </button>
              )}
            </nav>
          )}
        </div>
        {selectedId !== null && (
          <RecordDetailView
            table={table}
            id={selectedId}
            onClose={() => setSelectedId(null)}
            onOpen={(linkedTable, linkedId) => {
              selectTable(linkedTable);
              setSelectedId(linkedId);
            }}
          />
        )}
      </div>
    </section>
  );
}

function EmptyTable({ table, search }: { table: DataTable; search: string | null }) {
  const { overview, navigate, syncNow } = useApp();
  if (search) {
    return (
      <EmptyState title={`No ${SINGULAR[table]} matches “${search}”`}>
        The search looks for the text anywhere in the ID
        {table === 'users'
          ? ', name and email'
          : table === 'accounts' || table === 'organizations'
            ? ' and name'
            : ' and related fields'}
        .
      </EmptyState>
    );
  }
  const type = TABLE_OBJECT_TYPE[table];
  const mapped = overview.config?.objects[type]?.enabled;
  return (
    <EmptyState
      title={`No ${inSentence(DATA_LABELS[table])} yet`}
      action={
        mapped ? (
          <button type="button" className="btn btn-primary" onClick={() => void syncNow()}>
            Sync now
          </button>
        ) : (
          <button type="button" className="btn btn-primary" onClick={() => navigate('objects')}>
            Go to Objects
          </button>
        )
      }
    >
      {mapped
        ? `${OBJECT_LABELS[type]} are mapped: the next sync fills this table.`
        : `Map the ${OBJECT_LABELS[type]} files on the Objects screen and sync to fill this table.`}
    </EmptyState>
  );
}

function PostgresLocation() {
  const { overview } = useApp();
  return (
    <div className="card database-location">
      <label htmlFor="database-path" className="field-label">
        PostgreSQL database
      </label>
      <div className="database-row">
        <input
          id="database-path"
          className="input mono"
          readOnly
          value={overview.targetLabel}
          onFocus={(e) => e.target.select()}
        />
      </div>
      <p className="hint">Chosen under Where the data goes, on the Connection screen.</p>
    </div>
  );
}

function DatabaseLocation() {
  const { api, overview, notify } = useApp();
  async function open() {
    try {
      const result = await api.openDatabaseFolder();
      if (!result.opened) notify('info', `Open this folder yourself: ${result.path}`);
    } catch (error) {
      notify('error', (error as Error).message);
    }
  }
  async function copy() {
    try {
      await navigator.clipboard.writeText(overview.databasePath);
      notify('success', 'The database path is copied.');
    } catch {
      document.getElementById('database-path')?.focus();
      notify('info', 'Select the path and copy it with your keyboard.');
    }
  }
  return (
    <div className="card database-location">
      <label htmlFor="database-path" className="field-label">
        Database file
      </label>
      <div className="database-row">
        <input
          id="database-path"
          className="input mono"
          readOnly
          value={overview.databasePath}
          onFocus={(e) => e.target.select()}
        />
        <button type="button" className="btn btn-secondary" onClick={() => void copy()}>
          Copy path
        </button>
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() => void open()}
          disabled={!overview.canOpenDatabaseFolder}
          aria-describedby={overview.canOpenDatabaseFolder ? undefined : 'open-folder-hint'}
        >
          Open database folder
        </button>
      </div>
      {!overview.canOpenDatabaseFolder && (
        <p id="open-folder-hint" className="hint">
          The web preview cannot open folders on your computer; the desktop app can. Copy the path instead.
        </p>
      )}
    </div>
  );
}

function RecordDetailView({
  table,
  id,
  onClose,
  onOpen,
}: {
  table: DataTable;
  id: string;
  onClose: () => void;
  onOpen: (table: DataTable, id: string) => void;
}) {
  const { api, lastFinished } = useApp();
  const [detail, setDetail] = useState<RecordDetail | null | undefined>(undefined);
  useEffect(() => {
    let current = true;
    api.getRecord({ table, id }).then(
      (d) => current && setDetail(d),
      () => current && setDetail(null),
    );
    return () => {
      current = false;
    };
  }, [api, table, id, lastFinished]);
  // Take the keyboard to the record once it is shown (not again when a sync refreshes it).
  const shownId = detail?.id;
  useEffect(() => {
    if (shownId !== undefined) document.getElementById('record-detail-title')?.focus();
  }, [shownId]);

  if (detail === undefined)
    return (
      <p className="muted" role="status">
        Loading {id}…
      </p>
    );
  if (detail === null) return <Banner tone="error">{id} is no longer in the database.</Banner>;
  const traits = Object.entries(detail.traits);
  return (
    <section id="record-detail" className="card record-detail" aria-labelledby="record-detail-title">
      <div className="detail-head">
        <h2 id="record-detail-title" tabIndex={-1}>
          {SINGULAR[table].replace(/^./, (c) => c.toUpperCase())} <span className="mono">{detail.id}</span>
        </h2>
        <button type="button" className="btn btn-ghost" onClick={onClose} aria-keyshortcuts="Escape">
          Close
        </button>
      </div>
      {detail.stale && (
        <Banner tone="warning" title="Stale">
          No file still in the bucket holds it: the file it last came from,{' '}
          <span className="mono">{detail.lastFile}</span>, is no longer in the bucket or no longer selected by the
          pattern. The record stays in the database as it was.
        </Banner>
      )}
      <div className="detail-grid">
        <dl className="facts facts-columns">
          {Object.entries(detail.fields).map(([f, v]) => (
            <div key={f}>
              <dt>{FIELD_LABELS[f] ?? f}</dt>
              <dd>{v === null || v === '' ? <span className="muted">not set</span> : formatCell(f, v)}</dd>
            </div>
          ))}
          {detail.accountIds && (
            <div>
              <dt>Accounts</dt>
              <dd className="mono">
                {detail.accountIds.length ? detail.accountIds.join(', ') : <span className="muted">none</span>}
              </dd>
            </div>
          )}
          <div>
            <dt>Last synced</dt>
            <dd>
              {formatDateTime(detail.lastSyncedAt, true)} <span className="muted">(run {detail.lastRunId})</span>
            </dd>
          </div>
          <div>
            <dt>From file</dt>
            <dd className="mono wrap">{detail.lastFile}</dd>
          </div>
          <div>
            <dt>First synced</dt>
            <dd>{formatDateTime(detail.firstSyncedAt, true)}</dd>
          </div>
          <div>
            <dt>Times written</dt>
            <dd>{formatNumber(detail.syncCount)}</dd>
          </div>
        </dl>
        <RecordLinks table={table} id={detail.id} onOpen={onOpen} />
        {table !== 'nps_responses' && (
          <div>
            <h3>{table === 'events' ? 'Properties' : 'Traits'}</h3>
            {traits.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <table className="table table-compact traits-table">
                <caption className="visually-hidden">{table === 'events' ? 'Properties' : 'Traits'}</caption>
                <tbody>
                  {traits.map(([key, value]) => (
                    <tr key={key}>
                      <th scope="row" className="mono">
                        {key}
                      </th>
                      <td>{typeof value === 'string' ? value : <code>{JSON.stringify(value)}</code>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
