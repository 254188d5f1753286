// The SQL behind what the Data screen shows of a table (a RecordView: search, stale-only, per-column
// filters, sort, chosen trait columns), built once for the screen's pages and for the table's export so
// both select the same rows in the same order. Everything the user typed is a bound parameter; trait
// keys reach json_extract (->>) as a bound JSON path, and own columns only by name from the table's shape.
import type { DataTable, RecordColumn, RecordColumnType, RecordFilter, RecordView } from '../../shared/contract';
import type { ObjectType } from '../../shared/config';
import { searchCondition } from './search-index';

export interface TableShape {
  idColumn: string;
  objectType: ObjectType;
  /** Columns shown in lists, besides the ID, with what each holds. */
  fields: Record<string, RecordColumnType>;
  /** Columns a search looks in (the search index's, db/search-index.ts). */
  searchable: string[];
  traitsColumn: string | null;
}

const TABLES: Record<DataTable, TableShape> = {
  organizations: {
    idColumn: 'external_id',
    objectType: 'organizations',
    fields: { name: 'text' },
    searchable: ['external_id', 'name'],
    traitsColumn: 'traits',
  },
  accounts: {
    idColumn: 'external_id',
    objectType: 'accounts',
    fields: { name: 'text', organization_id: 'text' },
    searchable: ['external_id', 'name'],
    traitsColumn: 'traits',
  },
  users: {
    idColumn: 'external_id',
    objectType: 'users',
    fields: { name: 'text', email: 'text', organization_id: 'text' },
    searchable: ['external_id', 'name', 'email'],
    traitsColumn: 'traits',
  },
  nps_responses: {
    idColumn: 'external_id',
    objectType: 'nps',
    fields: { user_id: 'text', score: 'number', feedback: 'text', responded_at: 'date' },
    searchable: ['external_id', 'user_id', 'feedback'],
    traitsColumn: null,
  },
  events: {
    idColumn: 'message_id',
    objectType: 'tracks',
    fields: { event: 'text', user_id: 'text', account_id: 'text', organization_id: 'text', occurred_at: 'date' },
    searchable: ['message_id', 'event', 'user_id', 'account_id', 'organization_id'],
    traitsColumn: 'properties',
  },
};

/** The columns every table shows around its own: the ID first, when it was last synced last. */
export const ID_FIELD = 'id';
export const LAST_SYNCED_FIELD = 'last_synced_at';

/** Table names go into SQL text: only the known ones pass, whatever the transport validated. */
export function shapeOf(table: DataTable): TableShape {
  if (!Object.hasOwn(TABLES, table))
    throw new Error(`Unknown table "${String(table)}": use one of ${Object.keys(TABLES).join(', ')}.`);
  return TABLES[table];
}

/** The table's own columns as the Data screen names them, with what each holds. */
export function ownColumns(shape: TableShape): [string, RecordColumnType][] {
  return [[ID_FIELD, 'text'], ...Object.entries(shape.fields), [LAST_SYNCED_FIELD, 'date']];
}

/**
 * Whether a file of a table's type has gone: until one has, its stale count is taken as 0 without a
 * table scan (a record dropped from a re-exported file is flagged stale, but not counted, until then).
 */
export function anyFileGoneSql(shape: TableShape): string {
  return `SELECT 1 FROM file_state WHERE object_type = '${shape.objectType}' AND (missing_since IS NOT NULL OR unselected_since IS NOT NULL)`;
}

/**
 * The stale rule (docs/stale-records.md), in SQL both engines run as it is (pg-data-queries.ts): a
 * record is stale when no file that holds it is still in the bucket and selected by its type's
 * pattern. An event lives in one file: the one it last came from.
 */
export function staleExpression(table: DataTable, shape: TableShape): string {
  if (table === 'events')
    return `EXISTS (SELECT 1 FROM file_state f WHERE f.object_type = 'tracks' AND f.key = events.last_file AND (f.missing_since IS NOT NULL OR f.unselected_since IS NOT NULL))`;
  return `NOT EXISTS (SELECT 1 FROM record_files r JOIN file_state f ON f.object_type = r.object_type AND f.key = r.key
    WHERE r.object_type = '${shape.objectType}' AND r.record_id = ${table}.${shape.idColumn} AND f.missing_since IS NULL AND f.unselected_since IS NULL)`;
}

/** A JSON path that names one key whatever it holds (dots, quotes, brackets): `$."the key"`. */
export function traitPath(key: string): string {
  return `$."${key.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export interface ViewSql {
  shape: TableShape;
  /** `WHERE …`, or '' when the view shows the whole table. */
  where: string;
  /** `ORDER BY …`: the chosen column, then the ID. */
  orderBy: string;
  /** The chosen trait columns' select expressions, each `AS "<alias>"`, in the view's order. */
  traitSelects: { key: string; alias: string; sql: string }[];
  /** Named parameters for where, orderBy and traitSelects. */
  params: Record<string, string | number>;
}

/** Builds the view's SQL; a column the table does not have is refused with a message naming what it has. */
export function recordViewSql(view: RecordView): ViewSql {
  const shape = shapeOf(view.table);
  const params: Record<string, string | number> = {};
  const pathParams = new Map<string, string>();
  const bind = (value: string | number): string => {
    const name = `v${Object.keys(params).length}`;
    params[name] = value;
    return `@${name}`;
  };
  const path = (key: string): string => {
    let name = pathParams.get(key);
    if (!name) pathParams.set(key, (name = bind(traitPath(key))));
    return name;
  };
  const traits = (): string => {
    if (shape.traitsColumn) return shape.traitsColumn;
    throw new Error(
      `${view.table} has no traits: sort and filter it by ${ownColumns(shape)
        .map(([c]) => c)
        .join(', ')}.`,
    );
  };
  /** The column's value as SQL compares it: JSON numbers as numbers, JSON booleans as 1 and 0. */
  const valueOf = (column: RecordColumn): string => {
    if ('trait' in column) return `${traits()} ->> ${path(column.trait)}`;
    const own = ownColumns(shape).find(([name]) => name === column.field);
    if (!own)
      throw new Error(
        `${view.table} has no column "${column.field}": use one of ${ownColumns(shape)
          .map(([c]) => c)
          .join(', ')}, or a trait.`,
      );
    return column.field === ID_FIELD ? shape.idColumn : column.field;
  };

  const conditions: string[] = [];
  const term = view.search?.trim();
  if (term) {
    const matching = searchCondition(view.table, shape.searchable, term);
    // The search's own parameter names (match, pattern) never clash with the generated v0, v1, ….
    Object.assign(params, matching.params);
    conditions.push(matching.sql);
  }
  if (view.staleOnly) conditions.push(staleExpression(view.table, shape));
  for (const filter of view.filters ?? []) conditions.push(filterCondition(filter, valueOf(filter.column), bind));

  const id = shape.idColumn;
  const orderBy = view.sort
    ? `ORDER BY ${valueOf(view.sort.column)} ${view.sort.direction === 'desc' ? 'DESC' : 'ASC'} NULLS LAST, ${id}`
    : `ORDER BY ${id}`;
  const traitSelects = (view.columns ?? []).map((key, index) => {
    const json = traits();
    const at = path(key);
    // Booleans read as text rather than 1/0; objects and arrays come back as their JSON text.
    const sql = `CASE json_type(${json}, ${at}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE ${json} ->> ${at} END`;
    return { key, alias: `t${index}`, sql };
  });
  return { shape, where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', orderBy, traitSelects, params };
}

function filterCondition(filter: RecordFilter, value: string, bind: (value: string | number) => string): string {
  switch (filter.kind) {
    case 'text':
      return `${value} LIKE ${bind(`%${filter.contains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)} ESCAPE '\\'`;
    case 'number': {
      if (filter.min !== undefined && filter.max !== undefined && filter.min > filter.max)
        throw new Error(`The range ${filter.min} to ${filter.max} is empty: put the smaller number first.`);
      const bounds = [
        ...(filter.min !== undefined ? [`${value} >= ${bind(filter.min)}`] : []),
        ...(filter.max !== undefined ? [`${value} <= ${bind(filter.max)}`] : []),
      ];
      // Text never passes a number range (SQLite would rank it above every number).
      return `(typeof(${value}) IN ('integer', 'real')${bounds.map((b) => ` AND ${b}`).join('')})`;
    }
    case 'date': {
      if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to)
        throw new Error(`The dates ${filter.from} to ${filter.to} are in the wrong order: put the earlier one first.`);
      // ISO text compares as dates do; the last day counts whole, up to the next day's start.
      const bounds = [
        ...(filter.from !== undefined ? [`${value} >= ${bind(filter.from)}`] : []),
        ...(filter.to !== undefined ? [`${value} < ${bind(nextDay(filter.to))}`] : []),
      ];
      return `(typeof(${value}) = 'text'${bounds.map((b) => ` AND ${b}`).join('')})`;
    }
    case 'boolean':
      return `${value} = ${bind(filter.is ? 1 : 0)}`;
  }
}

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) throw new Error(`"${day}" is not a date: write it as YYYY-MM-DD.`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}
