// The last runs of the run log, as the `status` command prints them, from either target.
import type { SqliteDatabase } from './sqlite-database';

export interface RunRow {
  id: number;
  trigger: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  host: string | null;
  pid: number | null;
  /** PostgreSQL only: when the run last said it was alive. */
  heartbeatAt: string | null;
  rows: number;
  created: number;
  updated: number;
  rejected: number;
  filesFailed: number;
}

export function lastSqliteRuns(db: SqliteDatabase, limit: number): RunRow[] {
  const rows = db
    .prepare(
      `SELECT id, trigger, status, started_at AS startedAt, finished_at AS finishedAt, error, host, pid,
         NULL AS heartbeatAt, rows, created, updated, rejected, files_failed AS filesFailed
       FROM sync_runs ORDER BY id DESC LIMIT ?`,
    )
    .all(limit) as RunRow[];
  return rows;
}
