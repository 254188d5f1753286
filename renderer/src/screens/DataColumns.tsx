// The Data screen's columns: which trait columns a table shows (chosen from the keys its stored traits
// hold), the header that sorts by a column when clicked, and each column's filter, fitted to what it
// holds (text contains, number range, date range, yes/no). The back end does the work in SQL.
import type {
  DataTable,
  RecordColumn,
  RecordColumnInfo,
  RecordColumnType,
  RecordFilter,
  RecordSort,
} from '../../../electron/shared/contract';
import { FIELD_LABELS } from '../lib/object-types';

/** A column as a string, for React keys, element IDs and state maps. */
export function columnKey(column: RecordColumn): string {
  return 'trait' in column ? `trait:${column.trait}` : `field:${column.field}`;
}

export function columnLabel(table: DataTable, column: RecordColumn): string {
  if ('trait' in column) return column.trait;
  if (column.field === 'id') return table === 'events' ? 'Message ID' : 'ID';
  if (column.field === 'last_synced_at') return 'Last synced';
  return FIELD_LABELS[column.field] ?? column.field;
}

/** What the user typed in a column's filter, before it is a RecordFilter. */
export interface FilterDraft {
  contains?: string;
  min?: string;
  max?: string;
  from?: string;
  to?: string;
  is?: 'true' | 'false';
}

/** The drafts that say something, as the back end's filters; a number that is not one is left out. */
export function toFilters(columns: RecordColumnInfo[], drafts: Record<string, FilterDraft>): RecordFilter[] {
  const filters: RecordFilter[] = [];
  for (const { column, type } of columns) {
    const draft = drafts[columnKey(column)];
    if (!draft) continue;
    if (type === 'number') {
      const min = parseNumber(draft.min);
      const max = parseNumber(draft.max);
      if (min !== undefined || max !== undefined)
        filters.push({
          kind: 'number',
          column,
          ...(min !== undefined ? { min } : {}),
          ...(max !== undefined ? { max } : {}),
        });
    } else if (type === 'date') {
      if (draft.from || draft.to)
        filters.push({
          kind: 'date',
          column,
          ...(draft.from ? { from: draft.from } : {}),
          ...(draft.to ? { to: draft.to } : {}),
        });
    } else if (type === 'boolean') {
      if (draft.is) filters.push({ kind: 'boolean', column, is: draft.is === 'true' });
    } else if (draft.contains?.trim()) filters.push({ kind: 'text', column, contains: draft.contains.trim() });
  }
  return filters;
}

function parseNumber(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text.replaceAll(',', ''));
  return Number.isFinite(value) ? value : undefined;
}

/** Unsorted, then ascending, then descending, then back to the default order (by ID). */
export function nextSort(current: RecordSort | null, column: RecordColumn): RecordSort | null {
  if (!current || columnKey(current.column) !== columnKey(column)) return { column, direction: 'asc' };
  return current.direction === 'asc' ? { column, direction: 'desc' } : null;
}

export function SortHeader({
  table,
  info,
  sort,
  onSort,
}: {
  table: DataTable;
  info: RecordColumnInfo;
  sort: RecordSort | null;
  onSort: (next: RecordSort | null) => void;
}) {
  const { column, type } = info;
  // Without a chosen sort the table is in ID order, and says so.
  const effective = sort ?? { column: { field: 'id' }, direction: 'asc' as const };
  const sorted = columnKey(effective.column) === columnKey(column) ? effective.direction : null;
  const label = columnLabel(table, column);
  return (
    <th
      scope="col"
      className={type === 'number' ? 'num' : undefined}
      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
    >
      <button
        type="button"
        className={`sort-button ${'trait' in column ? 'mono' : ''}`}
        onClick={() => onSort(nextSort(sort, column))}
        title={`Sort by ${label}`}
      >
        {label}
        {/* The arrow is drawn by the style sheet from aria-sort, so the header's text stays its name. */}
        <span className="sort-mark" aria-hidden="true" />
      </button>
    </th>
  );
}

export function FilterCell({
  table,
  info,
  draft,
  onChange,
}: {
  table: DataTable;
  info: RecordColumnInfo;
  draft: FilterDraft;
  onChange: (next: FilterDraft) => void;
}) {
  const label = columnLabel(table, info.column);
  const id = `filter-${columnKey(info.column).replace(/[^\w-]/g, '_')}`;
  return <td className="filter-cell">{filterInputs(info.type, label, id, draft, onChange)}</td>;
}

function filterInputs(
  type: RecordColumnType,
  label: string,
  id: string,
  draft: FilterDraft,
  onChange: (next: FilterDraft) => void,
) {
  const input = (field: keyof FilterDraft, text: string, props: Record<string, string> = {}) => (
    <input
      className="input input-small"
      aria-label={`${label} ${text}`}
      id={`${id}-${field}`}
      value={draft[field] ?? ''}
      onChange={(e) => onChange({ ...draft, [field]: e.target.value })}
      {...props}
    />
  );
  switch (type) {
    case 'number':
      return (
        <div className="filter-range">
          {input('min', 'at least', { inputMode: 'decimal', placeholder: 'min' })}
          {input('max', 'at most', { inputMode: 'decimal', placeholder: 'max' })}
        </div>
      );
    case 'date':
      return (
        <div className="filter-range">
          {input('from', 'from', { type: 'date' })}
          {input('to', 'to', { type: 'date' })}
        </div>
      );
    case 'boolean':
      return (
        <select
          className="input input-small"
          aria-label={`${label} is`}
          value={draft.is ?? ''}
          onChange={(e) => onChange({ ...draft, is: (e.target.value || undefined) as FilterDraft['is'] })}
        >
          <option value="">any</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      );
    case 'text':
      return input('contains', 'contains', { placeholder: 'contains' });
  }
}

/** The trait keys to choose from, ticked when shown; the order chosen is the order shown. */
export function ColumnChooser({
  traits,
  chosen,
  onChange,
}: {
  traits: RecordColumnInfo[];
  chosen: string[];
  onChange: (next: string[]) => void;
}) {
  const keys = traits.map((t) => ('trait' in t.column ? t.column.trait : '')).filter(Boolean);
  return (
    <details className="column-chooser">
      <summary className="btn btn-secondary btn-small">
        Columns{chosen.length > 0 && <span className="tab-badge">{chosen.length}</span>}
      </summary>
      <fieldset className="column-chooser-panel">
        <legend>Trait columns</legend>
        {keys.length === 0 ? (
          <p className="muted">The stored records have no traits yet.</p>
        ) : (
          keys.map((key) => (
            <label key={key} className="check-inline mono">
              <input
                type="checkbox"
                checked={chosen.includes(key)}
                onChange={(e) => onChange(e.target.checked ? [...chosen, key] : chosen.filter((k) => k !== key))}
              />{' '}
              {key}
            </label>
          ))
        )}
      </fieldset>
    </details>
  );
}
