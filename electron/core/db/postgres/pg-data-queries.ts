// The Data screen's reads from PostgreSQL: the same tables, pages, counts and record details as
// data-queries.ts gives from SQLite, with its stale rule's SQL (record_files and file_state are the
// same tables in both engines). One difference, on purpose: a search is ILIKE (case-insensitive, not
// accent-insensitive: SQLite's trigram index folds accents, and unaccent is an extension we cannot
// assume).
import type pg from 'pg';
import type { DataTable, RecordDetail, RecordLinkGroup, RecordPage, RecordRow } from '../../../shared/contract';
import { anyFileGoneSql, MAX_COUNTED_MATCHES, shapeOf, staleExpression } from '../data-queries';
import { COUNT_CAP, ITEMS, LINKS } from '../record-links';

type Row = Record<string, unknown>;

/** Times come back as Date; the screens get ISO 8601 in UTC, as SQLite stores them. */
function plain(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return value;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function toRecordRow(row: Row, shape: ReturnType<typeof shapeOf>): RecordRow {
  return {
    id: String(row.id),
    fields: Object.fromEntries(shape.fields.map((f) => [f, plain(row[f])])),
    lastSyncedAt: String(plain(row.last_synced_at)),
    lastFile: String(row.last_file),
    stale: row.stale === true,
  };
}

export async function queryRecordsPg(
  client: pg.Client,
  table: DataTable,
  search: string | undefined,
  offset: number,
  limit: number,
  options: { staleOnly?: boolean } = {},
): Promise<RecordPage> {
  const shape = shapeOf(table);
  const term = search?.trim();
  const params: unknown[] = [];
  const conditions: string[] = [];
  if (term) {
    params.push(`%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    conditions.push(`(${shape.searchable.map((c) => `${c} ILIKE $1`).join(' OR ')})`);
  }
  if (options.staleOnly) conditions.push(staleExpression(table, shape));
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const { rows } = await client.query<Row>(
    `SELECT ${shape.idColumn} AS id, ${shape.fields.join(', ')}, last_synced_at, last_file, ${staleExpression(table, shape)} AS stale
     FROM ${table} ${where} ORDER BY ${shape.idColumn} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, limit, offset],
  );
  const filtered = conditions.length > 0;
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
  return { table, total, offset, rows: rows.map((row) => toRecordRow(row, shape)), staleCount };
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
