// record-view.ts's RecordView (sort, per-column filters, trait columns) in PostgreSQL, meaning what it
// means on SQLite: a trait's JSON number sorts and filters as a number, a boolean as 1 and 0, text as
// text compared byte by byte (COLLATE "C", SQLite's BINARY), numbers before text, empty values last.
// jsonb's ->> is always text, so each trait value is split into a type rank, a number and a text.
import type { RecordColumn, RecordFilter, RecordView } from '../../../shared/contract';
import { ID_FIELD, ownColumns, shapeOf, staleExpression, type TableShape } from '../record-view';

export interface PgViewSql {
  shape: TableShape;
  where: string;
  orderBy: string;
  traitSelects: { key: string; alias: string; sql: string }[];
  params: unknown[];
}

/** A column's value, split as SQLite would compare it. */
interface Value {
  /** 0 for a number (or boolean), 1 for text; NULL when empty. */
  rank: string;
  num: string;
  text: string;
  /** SQLite's typeof would say a number; text. */
  isNumber: string;
  isText: string;
}

export function pgRecordViewSql(view: RecordView): PgViewSql {
  const shape = shapeOf(view.table);
  const params: unknown[] = [];
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const traits = (): string => {
    if (shape.traitsColumn) return shape.traitsColumn;
    throw new Error(
      `${view.table} has no traits: sort and filter it by ${ownColumns(shape)
        .map(([c]) => c)
        .join(', ')}.`,
    );
  };
  const valueOf = (column: RecordColumn): Value => {
    if ('trait' in column) {
      const j = `(${traits()} -> ${bind(column.trait)}::text)`;
      const type = `jsonb_typeof(${j})`;
      return {
        rank: `CASE ${type} WHEN 'number' THEN 0 WHEN 'boolean' THEN 0 WHEN 'null' THEN NULL WHEN 'string' THEN 1 WHEN 'object' THEN 1 WHEN 'array' THEN 1 END`,
        num: `CASE ${type} WHEN 'number' THEN (${j} #>> '{}')::numeric WHEN 'boolean' THEN CASE WHEN ${j} = 'true'::jsonb THEN 1 ELSE 0 END END`,
        text: `CASE WHEN ${type} IN ('string', 'object', 'array') THEN (${j} #>> '{}') END COLLATE "C"`,
        isNumber: `${type} = 'number'`,
        isText: `${type} IN ('string', 'object', 'array')`,
      };
    }
    const own = ownColumns(shape).find(([name]) => name === column.field);
    if (!own)
      throw new Error(
        `${view.table} has no column "${column.field}": use one of ${ownColumns(shape)
          .map(([c]) => c)
          .join(', ')}, or a trait.`,
      );
    const name = column.field === ID_FIELD ? shape.idColumn : column.field;
    const type = own[1];
    // Times are timestamptz here and ISO text in SQLite: the same order; as text, SQLite's form.
    const text =
      type === 'date' ? `to_char(${name} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : `${name}::text`;
    return {
      rank: `CASE WHEN ${name} IS NULL THEN NULL WHEN ${type === 'number' ? 'true' : 'false'} THEN 0 ELSE 1 END`,
      num: type === 'number' ? `${name}::numeric` : 'NULL::numeric',
      text: type === 'number' ? 'NULL::text' : `${text} COLLATE "C"`,
      isNumber: type === 'number' ? `${name} IS NOT NULL` : 'false',
      isText: type === 'number' ? 'false' : `${name} IS NOT NULL`,
    };
  };

  const conditions: string[] = [];
  const term = view.search?.trim();
  if (term) {
    const pattern = bind(`%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    conditions.push(`(${shape.searchable.map((c) => `${c} ILIKE ${pattern}`).join(' OR ')})`);
  }
  if (view.staleOnly) conditions.push(staleExpression(view.table, shape));
  for (const filter of view.filters ?? []) conditions.push(filterCondition(filter, valueOf(filter.column), bind));

  const id = shape.idColumn;
  let orderBy = `ORDER BY ${id}`;
  if (view.sort) {
    const v = valueOf(view.sort.column);
    const dir = view.sort.direction === 'desc' ? 'DESC' : 'ASC';
    orderBy = `ORDER BY (${v.rank}) IS NULL, ${v.rank} ${dir}, ${v.num} ${dir}, ${v.text} ${dir}, ${id}`;
  }
  const traitSelects = (view.columns ?? []).map((key, index) => {
    const j = `(${traits()} -> ${bind(key)}::text)`;
    // The type beside the text, so that numbers come back as numbers (alias_type).
    return { key, alias: `t${index}`, sql: `jsonb_typeof(${j}) AS t${index}_type, ${j} #>> '{}'` };
  });
  return { shape, where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', orderBy, traitSelects, params };
}

/** A trait column's value as the screens get it: what SQLite's select gives for the same JSON. */
export function traitValue(type: string | null, text: string | null): string | number | null {
  if (type === null || type === 'null' || text === null) return null;
  if (type === 'number') return Number(text);
  // jsonb writes arrays and objects with spaces (`[1, 2]`); SQLite keeps them compact, as JSON.stringify does.
  return type === 'array' || type === 'object' ? JSON.stringify(JSON.parse(text)) : text;
}

function filterCondition(filter: RecordFilter, v: Value, bind: (value: unknown) => string): string {
  switch (filter.kind) {
    case 'text': {
      // SQLite's LIKE folds ASCII case; a number is matched by its text, a boolean by 1 or 0.
      const asText = `COALESCE(${v.text}, ${v.num}::text)`;
      return `${asText} ILIKE ${bind(`%${filter.contains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`;
    }
    case 'number': {
      if (filter.min !== undefined && filter.max !== undefined && filter.min > filter.max)
        throw new Error(`The range ${filter.min} to ${filter.max} is empty: put the smaller number first.`);
      // A number only (SQLite's typeof: text, and a boolean, never pass a number range there).
      const num = `CASE WHEN ${v.isNumber} THEN ${v.num} END`;
      const bounds = [
        ...(filter.min !== undefined ? [`${num} >= ${bind(filter.min)}`] : []),
        ...(filter.max !== undefined ? [`${num} <= ${bind(filter.max)}`] : []),
      ];
      return `(${v.isNumber}${bounds.map((b) => ` AND ${b}`).join('')})`;
    }
    case 'date': {
      if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to)
        throw new Error(`The dates ${filter.from} to ${filter.to} are in the wrong order: put the earlier one first.`);
      const bounds = [
        ...(filter.from !== undefined ? [`${v.text} >= ${bind(filter.from)}`] : []),
        ...(filter.to !== undefined ? [`${v.text} < ${bind(nextDay(filter.to))}`] : []),
      ];
      // Text only, compared as ISO text compares (SQLite's typeof 'text').
      return `(${v.isText}${bounds.map((b) => ` AND ${b}`).join('')})`;
    }
    case 'boolean':
      return `${v.num} = ${bind(filter.is ? 1 : 0)}`;
  }
}

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) throw new Error(`"${day}" is not a date: write it as YYYY-MM-DD.`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}
