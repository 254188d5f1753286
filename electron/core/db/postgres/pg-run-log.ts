// The run log, file_state and rejects in PostgreSQL: the same rows as SQLite's run-log.ts and
// file-state.ts write, as statements for the target's connection.
import type pg from 'pg';
import type { RecordedFile } from '../sync-target';
import type { FileVersion } from '../file-state';
import type { FileStatus, RejectedRow, SyncReport } from '../../../shared/domain';
import type { RunRow } from '../run-history';

export const saveFileStateSql = `INSERT INTO file_state (object_type, key, etag, size, mapping_hash, run_id, imported_at, missing_since)
  VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)
  ON CONFLICT (object_type, key) DO UPDATE SET etag = EXCLUDED.etag, size = EXCLUDED.size,
    mapping_hash = EXCLUDED.mapping_hash, run_id = EXCLUDED.run_id, imported_at = EXCLUDED.imported_at, missing_since = NULL`;

export const recordFileSql = {
  text: `INSERT INTO sync_files (run_id, object_type, key, etag, size, status, rows, created, updated, skipped, rejected, error, warnings, started_at, finished_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
  values: (runId: number, f: RecordedFile) => [
    runId,
    f.type,
    f.key,
    f.etag,
    f.size,
    f.status,
    f.rows,
    f.created,
    f.updated,
    f.skipped,
    f.rejected,
    f.error ?? null,
    JSON.stringify(f.warnings ?? []),
    f.startedAt,
    f.finishedAt,
  ],
};

/** All of a file's stored rejects in one statement (at most MAX_STORED_REJECTS_PER_FILE). */
export async function insertRejects(client: pg.Client, runId: number, rejects: RejectedRow[]): Promise<void> {
  if (rejects.length === 0) return;
  await client.query(
    `INSERT INTO sync_rejects (run_id, key, line, reason, raw)
     SELECT $1, key, line, reason, raw FROM unnest($2::text[], $3::int[], $4::text[], $5::text[]) AS r(key, line, reason, raw)`,
    [
      runId,
      rejects.map((r) => r.key),
      rejects.map((r) => r.line),
      rejects.map((r) => r.reason),
      rejects.map((r) => r.raw),
    ],
  );
}

export async function finishRunPg(client: pg.Client, report: SyncReport): Promise<void> {
  const files = (status: FileStatus) => report.files.filter((f) => f.status === status).length;
  const c = report.counts;
  await client.query(
    `UPDATE sync_runs SET status = $2, finished_at = $3, error = $4, files_imported = $5, files_unchanged = $6,
       files_failed = $7, rows = $8, created = $9, updated = $10, skipped = $11, rejected = $12, over_cap = $13,
       files_gone = $14
     WHERE id = $1`,
    [
      report.runId,
      report.status,
      report.finishedAt,
      report.error ?? null,
      files('imported'),
      files('unchanged'),
      files('failed'),
      c.rows,
      c.created,
      c.updated,
      c.skipped,
      c.rejected,
      JSON.stringify(report.overCap),
      JSON.stringify(report.filesGone ?? []),
    ],
  );
}

export async function previousFileStatePg(
  client: pg.Client,
  type: string,
  key: string,
): Promise<FileVersion | undefined> {
  const { rows } = await client.query<{ etag: string; size: string; mapping_hash: string }>(
    `SELECT etag, size, mapping_hash FROM file_state WHERE object_type = $1 AND key = $2`,
    [type, key],
  );
  const row = rows[0];
  return row ? { etag: row.etag, size: Number(row.size), mappingHash: row.mapping_hash } : undefined;
}

/** A sync_runs row as pg returns it: BIGINT as a string, TIMESTAMPTZ as a Date. */
interface PgRunRow {
  id: string | number;
  trigger: string;
  status: string;
  started_at: Date | string;
  finished_at: Date | string | null;
  error: string | null;
  host: string | null;
  pid: number | null;
  heartbeat_at: Date | string | null;
  rows: string | number;
  created: string | number;
  updated: string | number;
  rejected: string | number;
  files_failed: string | number;
}

export async function lastRunsPg(client: pg.Client, limit: number): Promise<RunRow[]> {
  const { rows } = await client.query<PgRunRow>(
    `SELECT id, trigger, status, started_at, finished_at, error, host, pid, heartbeat_at, rows, created, updated, rejected, files_failed
     FROM sync_runs ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    trigger: r.trigger,
    status: r.status,
    startedAt: new Date(r.started_at).toISOString(),
    finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
    error: r.error,
    host: r.host,
    pid: r.pid,
    heartbeatAt: r.heartbeat_at ? new Date(r.heartbeat_at).toISOString() : null,
    rows: Number(r.rows),
    created: Number(r.created),
    updated: Number(r.updated),
    rejected: Number(r.rejected),
    filesFailed: Number(r.files_failed),
  }));
}
