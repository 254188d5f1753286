// Read-only queries for the Sync log and Data screens, on their own read connection (WAL lets them
// run while a sync writes). Built to stay fast on tables of a million rows: keyset-free paging with
// LIMIT/OFFSET on the primary key, capped match counts for searches, stale flags by primary-key lookup.
import Database from 'better-sqlite3';
import type {
  DataTable,
  RecordDetail,
  RecordLinkGroup,
  RecordColumns,
  RecordColumnType,
  RecordPage,
  RecordRow,
  RecordsRequest,
  RejectedRow,
  RunChartPoint,
  RunDetail,
  RunFile,
  RunSummary,
} from '../../shared/contract';
import type { ObjectType } from '../../shared/config';
import { alertDeliveriesOf } from './alert-log';
import { recordLinks } from './record-links';
import { ownColumns, recordViewSql, shapeOf, staleExpression, type TableShape } from './record-view';

/**
 * Counting every match of a substring search over a million rows is what makes a search slow; beyond this we say
 * "10,000+".
 */
export const MAX_COUNTED_MATCHES = 10_000;
/** Rows whose traits are read to find a table's trait keys (the newest), and the most keys offered. */
const TRAIT_SAMPLE_ROWS = 5000;
const MAX_TRAIT_KEYS = 200;

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

  queryRecords(request: RecordsRequest): RecordPage {
    const { table } = request;
    const { offset, limit } = request.page;
    const view = recordViewSql(request);
    const { shape, where, params } = view;
    const traitColumns = view.traitSelects.map((t) => `, ${t.sql} AS ${t.alias}`).join('');
    // The page's rowids first, sorted on the sort key alone; then only those rows are read and their
    // stale flags and traits worked out. Sorting whole rows computed SQLite's select list, the stale
    // rule's subquery included, for every row of the table before it sorted (22 s for a page of a
    // million events sorted by name, on a loaded machine).
    const rows = this.db
      .prepare(
        `SELECT ${shape.idColumn} AS id, ${Object.keys(shape.fields).join(', ')}, last_synced_at, last_file,
           ${staleExpression(table, shape)} AS stale${traitColumns}
         FROM ${table} JOIN (SELECT rowid AS page_rowid FROM ${table} ${where} ${view.orderBy} LIMIT @limit OFFSET @offset)
           ON ${table}.rowid = page_rowid
         ${view.orderBy}`,
      )
      .all({ ...params, limit, offset }) as Record<string, string | number | null>[];
    // A search whose first page is not full has already seen every match: counting them again would
    // scan the whole table a second time (the slow case: a rare term in a million rows).
    const filtered = where !== '';
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
      rows: rows.map((row) => ({
        ...toRecordRow(row, shape),
        ...(view.traitSelects.length
          ? { traitValues: Object.fromEntries(view.traitSelects.map((t) => [t.key, row[t.alias] ?? null])) }
          : {}),
      })),
      staleCount: this.staleCount(table, shape),
    };
  }

  /**
   * The table's own columns and the trait keys of its newest rows' traits, each typed by what most of
   * its values are. A sample, not the whole table: json_each over a million rows takes seconds.
   */
  recordColumns(table: DataTable): RecordColumns {
    const shape = shapeOf(table);
    const fields = ownColumns(shape).map(([field, type]) => ({ column: { field }, type }));
    if (!shape.traitsColumn) return { table, fields, traits: [] };
    const found = this.db
      .prepare(
        `SELECT j.key AS key,
           sum(j.type IN ('integer', 'real')) AS numbers,
           sum(j.type IN ('true', 'false')) AS booleans,
           sum(j.type = 'text' AND j.atom GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*') AS dates,
           sum(j.type <> 'null') AS present
         FROM (SELECT ${shape.traitsColumn} AS traits FROM ${table} WHERE json_valid(${shape.traitsColumn})
               ORDER BY rowid DESC LIMIT ${TRAIT_SAMPLE_ROWS}) s, json_each(s.traits) j
         GROUP BY j.key ORDER BY j.key LIMIT ${MAX_TRAIT_KEYS}`,
      )
      .all() as { key: string; numbers: number; booleans: number; dates: number; present: number }[];
    const typeOf = (k: (typeof found)[number]): RecordColumnType => {
      const most = Math.max(k.numbers, k.booleans, k.dates);
      if (most === 0 || most * 2 < k.present) return 'text';
      return most === k.numbers ? 'number' : most === k.booleans ? 'boolean' : 'date';
    };
    return { table, fields, traits: found.map((k) => ({ column: { trait: k.key }, type: typeOf(k) })) };
  }

  /** Stale records of a table; no table scan while none of its type's files has gone. */
  private staleCount(table: DataTable, shape: TableShape): number {
    const anyGone = this.db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM file_state WHERE object_type = ? AND (missing_since IS NOT NULL OR unselected_since IS NOT NULL))`,
      )
      .pluck()
      .get(shape.objectType);
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

function toRecordRow(row: Record<string, string | number | null>, shape: TableShape): RecordRow {
  return {
    id: String(row.id),
    fields: Object.fromEntries(Object.keys(shape.fields).map((f) => [f, row[f] ?? null])),
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
