// Read-only queries for the Sync log and Data screens, on their own read connection (WAL lets them
// run while a sync writes). Built to stay fast on tables of a million rows: keyset-free paging with
// LIMIT/OFFSET on the primary key, capped match counts for searches, stale flags by primary-key lookup.
import Database from 'better-sqlite3';
import type {
  DataTable,
  RecordDetail,
  RecordLinkGroup,
  RecordPage,
  RecordRow,
  RejectedRow,
  RunChartPoint,
  RunDetail,
  RunFile,
  RunSummary,
} from '../../shared/contract';
import type { ObjectType } from '../../shared/config';
import { alertDeliveriesOf } from './alert-log';
import { recordLinks } from './record-links';
import { searchCondition } from './search-index';

/**
 * Counting every match of a substring search over a million rows is what makes a search slow; beyond this we say
 * "10,000+".
 */
export const MAX_COUNTED_MATCHES = 10_000;

export interface TableShape {
  idColumn: string;
  objectType: ObjectType;
  /** Columns shown in lists, besides the ID. */
  fields: string[];
  /** Columns a search looks in. */
  searchable: string[];
  traitsColumn: string | null;
}

export const TABLES: Record<DataTable, TableShape> = {
  organizations: {
    idColumn: 'external_id',
    objectType: 'organizations',
    fields: ['name'],
    searchable: ['external_id', 'name'],
    traitsColumn: 'traits',
  },
  accounts: {
    idColumn: 'external_id',
    objectType: 'accounts',
    fields: ['name', 'organization_id'],
    searchable: ['external_id', 'name'],
    traitsColumn: 'traits',
  },
  users: {
    idColumn: 'external_id',
    objectType: 'users',
    fields: ['name', 'email', 'organization_id'],
    searchable: ['external_id', 'name', 'email'],
    traitsColumn: 'traits',
  },
  nps_responses: {
    idColumn: 'external_id',
    objectType: 'nps',
    fields: ['user_id', 'score', 'feedback', 'responded_at'],
    searchable: ['external_id', 'user_id', 'feedback'],
    traitsColumn: null,
  },
  events: {
    idColumn: 'message_id',
    objectType: 'tracks',
    fields: ['event', 'user_id', 'account_id', 'organization_id', 'occurred_at'],
    searchable: ['message_id', 'event', 'user_id', 'account_id', 'organization_id'],
    traitsColumn: 'properties',
  },
};

export class DatabaseQueries {
  private readonly db: Database.Database;

  constructor(dbPath: string) {
    this.db = new Database(dbPath, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
  }

  close(): void {
    this.db.close();
  }

  listRuns(limit: number, beforeId?: number): RunSummary[] {
    const rows = this.db
      .prepare(`SELECT * FROM sync_runs WHERE id < ? ORDER BY id DESC LIMIT ?`)
      .all(beforeId ?? Number.MAX_SAFE_INTEGER, limit) as RunRow[];
    return rows.map(toRunSummary);
  }

  getRun(runId: number, rejectsOffset = 0, rejectsLimit = 100): RunDetail | null {
    const run = this.db.prepare(`SELECT * FROM sync_runs WHERE id = ?`).get(runId) as RunRow | undefined;
    if (!run) return null;
    const files = (
      this.db.prepare(`SELECT * FROM sync_files WHERE run_id = ? ORDER BY id`).all(runId) as FileRow[]
    ).map(toRunFile);
    const { total } = this.db.prepare(`SELECT count(*) AS total FROM sync_rejects WHERE run_id = ?`).get(runId) as {
      total: number;
    };
    const items = this.db
      .prepare(`SELECT key, line, reason, raw FROM sync_rejects WHERE run_id = ? ORDER BY id LIMIT ? OFFSET ?`)
      .all(runId, rejectsLimit, rejectsOffset) as RejectedRow[];
    return { run: toRunSummary(run), files, rejects: { total, items }, alerts: alertDeliveriesOf(this.db, runId) };
  }

  runChart(limit: number): RunChartPoint[] {
    const rows = this.db
      .prepare(
        `SELECT id AS runId, started_at AS startedAt, status, rows, rejected FROM sync_runs ORDER BY id DESC LIMIT ?`,
      )
      .all(limit) as RunChartPoint[];
    return rows.reverse();
  }

  queryRecords(
    table: DataTable,
    search: string | undefined,
    offset: number,
    limit: number,
    options: { staleOnly?: boolean } = {},
  ): RecordPage {
    const shape = shapeOf(table);
    const term = search?.trim();
    const matching = term ? searchCondition(table, shape.searchable, term) : null;
    const conditions = [
      ...(matching ? [matching.sql] : []),
      ...(options.staleOnly ? [staleExpression(table, shape)] : []),
    ];
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const filtered = conditions.length > 0;
    const params = matching?.params ?? {};
    const rows = this.db
      .prepare(
        `SELECT ${shape.idColumn} AS id, ${shape.fields.join(', ')}, last_synced_at, last_file, ${staleExpression(table, shape)} AS stale
         FROM ${table} ${where} ORDER BY ${shape.idColumn} LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit, offset }) as Record<string, string | number | null>[];
    // A search whose first page is not full has already seen every match: counting them again would
    // scan the whole table a second time (the slow case: a rare term in a million rows).
    const total =
      filtered && offset === 0 && rows.length < limit
        ? rows.length
        : filtered
          ? (
              this.db
                .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM ${table} ${where} LIMIT ${MAX_COUNTED_MATCHES + 1})`)
                .get(params) as { n: number }
            ).n
          : (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      table,
      total,
      offset,
      rows: rows.map((row) => toRecordRow(row, shape)),
      staleCount: this.staleCount(table, shape),
    };
  }

  /** Stale records of a table; no table scan while none of its type's files has gone. */
  private staleCount(table: DataTable, shape: TableShape): number {
    const anyGone = this.db
      .prepare(`SELECT EXISTS (${anyFileGoneSql(shape)})`)
      .pluck()
      .get();
    if (anyGone !== 1) return 0;
    return this.db
      .prepare(`SELECT count(*) FROM ${table} WHERE ${staleExpression(table, shape)}`)
      .pluck()
      .get() as number;
  }

  getRecordLinks(table: DataTable, id: string): RecordLinkGroup[] {
    return recordLinks(this.db, table, id);
  }

  getRecord(table: DataTable, id: string): RecordDetail | null {
    const shape = shapeOf(table);
    const row = this.db
      .prepare(
        `SELECT *, ${shape.idColumn} AS id, ${staleExpression(table, shape)} AS stale FROM ${table} WHERE ${shape.idColumn} = ?`,
      )
      .get(id) as Record<string, string | number | null> | undefined;
    if (!row) return null;
    const detail: RecordDetail = {
      ...toRecordRow(row, shape),
      table,
      traits: shape.traitsColumn ? (JSON.parse(String(row[shape.traitsColumn])) as Record<string, unknown>) : {},
      firstSyncedAt: String(row.first_synced_at),
      lastRunId: Number(row.last_run_id),
      syncCount: Number(row.sync_count),
    };
    if (table === 'users') {
      detail.accountIds = (
        this.db.prepare(`SELECT account_id FROM user_accounts WHERE user_id = ? ORDER BY account_id`).all(id) as {
          account_id: string;
        }[]
      ).map((r) => r.account_id);
    }
    return detail;
  }
}

/** The WHERE clause of a table's search (its named parameter in `params`): shared with exports of the table. */
export function searchFilter(
  table: DataTable,
  search: string | undefined,
): { where: string; params: Record<string, string> } {
  const shape = shapeOf(table);
  const term = search?.trim();
  if (!term) return { where: '', params: {} };
  return {
    where: `WHERE ${shape.searchable.map((c) => `${c} LIKE @pattern ESCAPE '\\'`).join(' OR ')}`,
    params: { pattern: `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%` },
  };
}

/** Table names go into SQL text: only the known ones pass, whatever the transport validated. */
export function shapeOf(table: DataTable): TableShape {
  if (!Object.hasOwn(TABLES, table))
    throw new Error(`Unknown table "${String(table)}": use one of ${Object.keys(TABLES).join(', ')}.`);
  return TABLES[table];
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

function toRecordRow(row: Record<string, string | number | null>, shape: TableShape): RecordRow {
  return {
    id: String(row.id),
    fields: Object.fromEntries(shape.fields.map((f) => [f, row[f] ?? null])),
    lastSyncedAt: String(row.last_synced_at),
    lastFile: String(row.last_file),
    stale: row.stale === 1,
  };
}

interface RunRow {
  id: number;
  trigger: string;
  status: RunSummary['status'];
  started_at: string;
  finished_at: string | null;
  error: string | null;
  files_imported: number;
  files_unchanged: number;
  files_failed: number;
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
  over_cap: string;
  files_gone: string;
}

function toRunSummary(r: RunRow): RunSummary {
  return {
    id: r.id,
    trigger: r.trigger,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
    filesImported: r.files_imported,
    filesUnchanged: r.files_unchanged,
    filesFailed: r.files_failed,
    rows: r.rows,
    created: r.created,
    updated: r.updated,
    skipped: r.skipped,
    rejected: r.rejected,
    overCap: JSON.parse(r.over_cap) as RunSummary['overCap'],
    filesGone: JSON.parse(r.files_gone) as RunSummary['filesGone'],
  };
}

interface FileRow {
  object_type: ObjectType;
  key: string;
  size: number | null;
  status: RunFile['status'];
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
  error: string | null;
  warnings: string;
}

function toRunFile(f: FileRow): RunFile {
  return {
    objectType: f.object_type,
    key: f.key,
    size: f.size,
    status: f.status,
    rows: f.rows,
    created: f.created,
    updated: f.updated,
    skipped: f.skipped,
    rejected: f.rejected,
    error: f.error,
    warnings: JSON.parse(f.warnings) as string[],
  };
}
