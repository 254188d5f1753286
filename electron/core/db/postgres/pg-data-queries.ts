// The Data screen's reads from PostgreSQL: the same tables, pages, counts and record details as
// data-queries.ts gives from SQLite, with its stale rule's SQL (record_files and file_state are the
// same tables in both engines) and its views (sort, filters, trait columns: pg-record-view.ts). One
// difference, on purpose: a search is ILIKE (case-insensitive, not accent-insensitive: SQLite's trigram
// index folds accents, and unaccent is an extension we cannot assume).
import type pg from 'pg';
import type {
  DataTable,
  RecordColumns,
  RecordColumnType,
  RecordDetail,
  RecordLinkGroup,
  RecordPage,
  RecordRow,
  RecordsRequest,
} from '../../../shared/contract';
import { MAX_COUNTED_MATCHES } from '../data-queries';
import { anyFileGoneSql, ownColumns, shapeOf, staleExpression, type TableShape } from '../record-view';
import { pgRecordViewSql, traitValue } from './pg-record-view';
import { COUNT_CAP, ITEMS, LINKS } from '../record-links';

type Row = Record<string, unknown>;

/** Times come back as Date; the screens get ISO 8601 in UTC, as SQLite stores them. */
function plain(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return value;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function toRecordRow(row: Row, shape: TableShape): RecordRow {
  return {
    id: String(row.id),
    fields: Object.fromEntries(Object.keys(shape.fields).map((f) => [f, plain(row[f])])),
    lastSyncedAt: String(plain(row.last_synced_at)),
    lastFile: String(row.last_file),
    stale: row.stale === true,
  };
}

export async function queryRecordsPg(client: pg.Client, request: RecordsRequest): Promise<RecordPage> {
  const { table } = request;
  const { offset, limit } = request.page;
  const view = pgRecordViewSql(request);
  const { shape, where, params } = view;
  const traitColumns = view.traitSelects.map((t) => `, ${t.sql} AS ${t.alias}`).join('');
  const { rows } = await client.query<Row>(
    `SELECT ${shape.idColumn} AS id, ${Object.keys(shape.fields).join(', ')}, last_synced_at, last_file,
       ${staleExpression(table, shape)} AS stale${traitColumns}
     FROM ${table} ${where} ${view.orderBy} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, limit, offset],
  );
  const filtered = where !== '';
  // As on SQLite: a filtered first page that is not full has seen every match; other counts are capped.
  const total =
    filtered && offset === 0 && rows.length < limit
      ? rows.length
      : filtered
        ? await count(client, `SELECT 1 FROM ${table} ${where} LIMIT ${MAX_COUNTED_MATCHES + 1}`, params)
        : await count(client, `SELECT 1 FROM ${table}`, []);
  const anyGone = await client.query(`${anyFileGoneSql(shape)} LIMIT 1`);
  const staleCount =
    anyGone.rowCount === 0
      ? 0
      : await count(client, `SELECT 1 FROM ${table} WHERE ${staleExpression(table, shape)}`, []);
  return {
    table,
    total,
    offset,
    rows: rows.map((row) => ({
      ...toRecordRow(row, shape),
      ...(view.traitSelects.length
        ? {
            traitValues: Object.fromEntries(
              view.traitSelects.map((t) => [
                t.key,
                traitValue(row[`${t.alias}_type`] as string | null, row[t.alias] as string | null),
              ]),
            ),
          }
        : {}),
    })),
    staleCount,
  };
}

/** Rows whose traits are read to find a table's trait keys (the newest), and the most keys offered: as on SQLite. */
const TRAIT_SAMPLE_ROWS = 5000;
const MAX_TRAIT_KEYS = 200;

/** data-queries.ts's recordColumns: the own columns, and the trait keys of the newest rows, typed alike. */
export async function recordColumnsPg(client: pg.Client, table: DataTable): Promise<RecordColumns> {
  const shape = shapeOf(table);
  const fields = ownColumns(shape).map(([field, type]) => ({ column: { field }, type }));
  if (!shape.traitsColumn) return { table, fields, traits: [] };
  const { rows } = await client.query<{
    key: string;
    numbers: string;
    booleans: string;
    dates: string;
    present: string;
  }>(
    `SELECT j.key,
       count(*) FILTER (WHERE jsonb_typeof(j.value) = 'number') AS numbers,
       count(*) FILTER (WHERE jsonb_typeof(j.value) = 'boolean') AS booleans,
       count(*) FILTER (WHERE jsonb_typeof(j.value) = 'string' AND (j.value #>> '{}') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}') AS dates,
       count(*) FILTER (WHERE jsonb_typeof(j.value) <> 'null') AS present
     FROM (SELECT ${shape.traitsColumn} AS traits FROM ${table} WHERE jsonb_typeof(${shape.traitsColumn}) = 'object'
           ORDER BY last_synced_at DESC, ${shape.idColumn} DESC LIMIT ${TRAIT_SAMPLE_ROWS}) s, jsonb_each(s.traits) j
     GROUP BY j.key ORDER BY j.key COLLATE "C" LIMIT ${MAX_TRAIT_KEYS}`,
  );
  const typeOf = (k: (typeof rows)[number]): RecordColumnType => {
    const [numbers, booleans, dates, present] = [k.numbers, k.booleans, k.dates, k.present].map(Number) as [
      number,
      number,
      number,
      number,
    ];
    const most = Math.max(numbers, booleans, dates);
    if (most === 0 || most * 2 < present) return 'text';
    return most === numbers ? 'number' : most === booleans ? 'boolean' : 'date';
  };
  return { table, fields, traits: rows.map((k) => ({ column: { trait: k.key }, type: typeOf(k) })) };
}

async function count(client: pg.Client, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) AS matching`, params);
  return Number(rows[0]!.n);
}

export async function getRecordPg(client: pg.Client, table: DataTable, id: string): Promise<RecordDetail | null> {
  const shape = shapeOf(table);
  const { rows } = await client.query<Row>(
    `SELECT *, ${shape.idColumn} AS id, ${staleExpression(table, shape)} AS stale FROM ${table} WHERE ${shape.idColumn} = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return null;
  const detail: RecordDetail = {
    ...toRecordRow(row, shape),
    table,
    traits: shape.traitsColumn ? (row[shape.traitsColumn] as Record<string, unknown>) : {},
    firstSyncedAt: String(plain(row.first_synced_at)),
    lastRunId: Number(row.last_run_id),
    syncCount: Number(row.sync_count),
  };
  if (table === 'users') {
    const accounts = await client.query<{ account_id: string }>(
      `SELECT account_id FROM user_accounts WHERE user_id = $1 ORDER BY account_id`,
      [id],
    );
    detail.accountIds = accounts.rows.map((r) => r.account_id);
  }
  return detail;
}

/** record-links.ts's groups, in PostgreSQL's placeholders (its SQL is plain enough for both engines). */
export async function getRecordLinksPg(client: pg.Client, table: DataTable, id: string): Promise<RecordLinkGroup[]> {
  shapeOf(table);
  const groups: RecordLinkGroup[] = [];
  for (const { label, table: linked, sql: sqliteSql } of LINKS[table]) {
    const sql = sqliteSql.replaceAll('@id', '$1');
    const { rows: items } = await client.query<{ id: string; name: string | null }>(`${sql} LIMIT ${ITEMS}`, [id]);
    const total = items.length < ITEMS ? items.length : await count(client, `${sql} LIMIT ${COUNT_CAP + 1}`, [id]);
    groups.push({ label, table: linked, total, items, more: total > COUNT_CAP });
  }
  return groups;
}
