// The Sync log's reads from PostgreSQL: the same answers as data-queries.ts gives from SQLite (ids and
// counts as numbers, times as ISO 8601 in UTC), from the run log pg-run-log.ts writes.
import type pg from 'pg';
import type { RunChartPoint, RunDetail, RunFile, RunSummary } from '../../../shared/contract';
import type { ObjectType } from '../../../shared/config';
import type { RejectedRow } from '../../../shared/domain';
import type { AlertDelivery } from '../../../shared/alerts';

type Time = Date | string;
const iso = (value: Time) => new Date(value).toISOString();
const isoOrNull = (value: Time | null) => (value === null ? null : iso(value));

interface PgRunRow {
  id: string;
  trigger: string;
  status: RunSummary['status'];
  started_at: Time;
  finished_at: Time | null;
  error: string | null;
  files_imported: number;
  files_unchanged: number;
  files_failed: number;
  rows: string;
  created: string;
  updated: string;
  skipped: string;
  rejected: string;
  over_cap: RunSummary['overCap'];
  files_gone: RunSummary['filesGone'];
}

const RUN_COLUMNS = `id, trigger, status, started_at, finished_at, error, files_imported, files_unchanged, files_failed,
  rows, created, updated, skipped, rejected, over_cap, files_gone`;

function toRunSummary(r: PgRunRow): RunSummary {
  return {
    id: Number(r.id),
    trigger: r.trigger,
    status: r.status,
    startedAt: iso(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
    error: r.error,
    filesImported: r.files_imported,
    filesUnchanged: r.files_unchanged,
    filesFailed: r.files_failed,
    rows: Number(r.rows),
    created: Number(r.created),
    updated: Number(r.updated),
    skipped: Number(r.skipped),
    rejected: Number(r.rejected),
    overCap: r.over_cap,
    filesGone: r.files_gone,
  };
}

export async function listRunsPg(client: pg.Client, limit: number, beforeId?: number): Promise<RunSummary[]> {
  const { rows } = await client.query<PgRunRow>(
    `SELECT ${RUN_COLUMNS} FROM sync_runs WHERE id < $1 ORDER BY id DESC LIMIT $2`,
    [beforeId ?? Number.MAX_SAFE_INTEGER, limit],
  );
  return rows.map(toRunSummary);
}

interface PgFileRow {
  object_type: ObjectType;
  key: string;
  size: string | null;
  status: RunFile['status'];
  rows: string;
  created: string;
  updated: string;
  skipped: string;
  rejected: string;
  error: string | null;
  warnings: string[];
}

export async function getRunPg(
  client: pg.Client,
  runId: number,
  rejectsOffset = 0,
  rejectsLimit = 100,
): Promise<RunDetail | null> {
  const run = (await client.query<PgRunRow>(`SELECT ${RUN_COLUMNS} FROM sync_runs WHERE id = $1`, [runId])).rows[0];
  if (!run) return null;
  const files = await client.query<PgFileRow>(
    `SELECT object_type, key, size, status, rows, created, updated, skipped, rejected, error, warnings
     FROM sync_files WHERE run_id = $1 ORDER BY id`,
    [runId],
  );
  const total = await client.query<{ n: string }>(`SELECT count(*) AS n FROM sync_rejects WHERE run_id = $1`, [runId]);
  const items = await client.query<RejectedRow>(
    `SELECT key, line, reason, raw FROM sync_rejects WHERE run_id = $1 ORDER BY id LIMIT $2 OFFSET $3`,
    [runId, rejectsLimit, rejectsOffset],
  );
  const alerts = await client.query<Omit<AlertDelivery, 'runId' | 'at'> & { at: Time }>(
    `SELECT kind, channel, outcome, detail, attempts, at FROM alert_deliveries WHERE run_id = $1 ORDER BY id`,
    [runId],
  );
  return {
    run: toRunSummary(run),
    files: files.rows.map((f) => ({
      objectType: f.object_type,
      key: f.key,
      size: f.size === null ? null : Number(f.size),
      status: f.status,
      rows: Number(f.rows),
      created: Number(f.created),
      updated: Number(f.updated),
      skipped: Number(f.skipped),
      rejected: Number(f.rejected),
      error: f.error,
      warnings: f.warnings,
    })),
    rejects: { total: Number(total.rows[0]!.n), items: items.rows },
    // Whichever syncer sent them (this app, or a server syncing the same source).
    alerts: alerts.rows.map((a) => ({ ...a, runId, at: iso(a.at) })),
  };
}

export async function runChartPg(client: pg.Client, limit: number): Promise<RunChartPoint[]> {
  const { rows } = await client.query<{
    id: string;
    started_at: Time;
    status: RunSummary['status'];
    rows: string;
    rejected: string;
  }>(`SELECT id, started_at, status, rows, rejected FROM sync_runs ORDER BY id DESC LIMIT $1`, [limit]);
  return rows
    .map((r) => ({
      runId: Number(r.id),
      startedAt: iso(r.started_at),
      status: r.status,
      rows: Number(r.rows),
      rejected: Number(r.rejected),
    }))
    .reverse();
}

export async function lastRunStartPg(client: pg.Client): Promise<number | null> {
  const { rows } = await client.query<{ started_at: Time }>(
    `SELECT started_at FROM sync_runs ORDER BY id DESC LIMIT 1`,
  );
  return rows[0] ? new Date(rows[0].started_at).getTime() : null;
}
