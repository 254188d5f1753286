// The run log: every sync run, each file it looked at, and each row it rejected, kept in the
// database so the analyst (and the app's Sync log screen) can see why something did not land.
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import type { FileCounts, FileReport, FileStatus, RejectedRow, SyncReport } from '../../shared/domain';
import type { SqliteDatabase } from './sqlite-database';

/** Why a run left 'running' is marked interrupted at a later start. */
export const INTERRUPTED_RUN_REASON =
  'The app or command stopped before this sync finished (it was closed or killed), or could ' +
  'not record the end of it in the database (locked, read-only or full). Files it had not ' +
  'finished were rolled back.';

/**
 * Runs still marked running whose process is gone were cut short (killed, or their end could not be
 * written): say so. A run whose process is alive is left alone: another program (the app, a CLI sync)
 * is running it right now. Runs from before pids were recorded, or from another host (WAL databases
 * are only shared on one machine), count as gone, and so do runs whose pid now belongs to a process
 * started after the run (pids are reused, after a reboot especially).
 */
export function markInterruptedRuns(db: SqliteDatabase): number {
  const running = db
    .prepare(`SELECT id, pid, host, started_at AS startedAt FROM sync_runs WHERE status = 'running'`)
    .all() as {
    id: number;
    pid: number | null;
    host: string | null;
    startedAt: string;
  }[];
  const gone = running.filter((run) => !isRunningElsewhere(run.pid, run.host, run.startedAt));
  if (gone.length === 0) return 0;
  const mark = db.prepare(
    `UPDATE sync_runs SET status = 'interrupted', error = COALESCE(error, ?) WHERE id = ? AND status = 'running'`,
  );
  return db.transaction(() => gone.reduce((n, run) => n + mark.run(INTERRUPTED_RUN_REASON, run.id).changes, 0))();
}

function isRunningElsewhere(pid: number | null, host: string | null, runStartedAt: string): boolean {
  // This process runs one sync at a time: a run of its own still marked running is not running.
  if (pid === null || host !== hostname() || pid === process.pid) return false;
  try {
    process.kill(pid, 0); // signal 0: only checks that the process exists
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false; // EPERM: it exists, under another user
  }
  const info = processInfo(pid);
  // A zombie has exited; only its parent has not collected it (a container's pid 1 often never does).
  if (info.zombie) return false;
  // ps gives whole seconds: a process that started more than a second after the run is not its own.
  return info.startedAt === undefined || info.startedAt <= Date.parse(runStartedAt) + 1000;
}

/**
 * Whether a process is a zombie (state Z) and when it started (ms since the epoch), from `ps` (Linux
 * and macOS); startedAt is undefined where it cannot tell.
 */
function processInfo(pid: number): { zombie: boolean; startedAt: number | undefined } {
  if (process.platform === 'win32') return { zombie: false, startedAt: undefined };
  const result = spawnSync('ps', ['-o', 'stat=', '-o', 'lstart=', '-p', String(pid)], {
    encoding: 'utf8',
    timeout: 5000,
  });
  // e.g. "Ss   Sun Nov 29 01:16:11 2026" (lstart in local time)
  const [, state = '', lstart = ''] = result.status === 0 ? (/^\s*(\S+)\s+(.*)$/.exec(result.stdout.trim()) ?? []) : [];
  const startedAt = Date.parse(lstart);
  return { zombie: state.startsWith('Z'), startedAt: Number.isFinite(startedAt) ? startedAt : undefined };
}

export function startRun(db: SqliteDatabase, trigger: string, startedAt: string): number {
  return Number(
    db
      .prepare(`INSERT INTO sync_runs (trigger, status, started_at, pid, host) VALUES (?, 'running', ?, ?, ?)`)
      .run(trigger, startedAt, process.pid, hostname()).lastInsertRowid,
  );
}

export function finishRun(db: SqliteDatabase, report: SyncReport): void {
  const files = (status: FileStatus) => report.files.filter((f) => f.status === status).length;
  db.prepare(
    `UPDATE sync_runs SET status = @status, finished_at = @finishedAt, error = @error,
       files_imported = @imported, files_unchanged = @unchanged, files_failed = @failed,
       rows = @rows, created = @created, updated = @updated, skipped = @skipped, rejected = @rejected, over_cap = @overCap,
       files_gone = @filesGone
     WHERE id = @runId`,
  ).run({
    runId: report.runId,
    status: report.status,
    finishedAt: report.finishedAt,
    error: report.error ?? null,
    imported: files('imported'),
    unchanged: files('unchanged'),
    failed: files('failed'),
    ...pickCounts(report.counts),
    overCap: JSON.stringify(report.overCap),
    filesGone: JSON.stringify(report.filesGone ?? []),
  });
}

export function recordFile(
  db: SqliteDatabase,
  runId: number,
  file: FileReport & { etag: string; size: number; startedAt: string; finishedAt: string },
): void {
  db.prepare(
    `INSERT INTO sync_files (run_id, object_type, key, etag, size, status, rows, created, updated, skipped,
       rejected, error, warnings, started_at, finished_at)
     VALUES (@runId, @type, @key, @etag, @size, @status, @rows, @created, @updated, @skipped,
       @rejected, @error, @warnings, @startedAt, @finishedAt)`,
  ).run({
    runId,
    type: file.type,
    key: file.key,
    etag: file.etag,
    size: file.size,
    status: file.status,
    ...pickCounts(file),
    error: file.error ?? null,
    warnings: JSON.stringify(file.warnings ?? []),
    startedAt: file.startedAt,
    finishedAt: file.finishedAt,
  });
}

export function createRejectRecorder(db: SqliteDatabase, runId: number): (reject: RejectedRow) => void {
  const insert = db.prepare(`INSERT INTO sync_rejects (run_id, key, line, reason, raw) VALUES (?, ?, ?, ?, ?)`);
  return (reject) => void insert.run(runId, reject.key, reject.line, reject.reason, reject.raw);
}

function pickCounts(counts: FileCounts): FileCounts {
  return {
    rows: counts.rows,
    created: counts.created,
    updated: counts.updated,
    skipped: counts.skipped,
    rejected: counts.rejected,
  };
}

export function lastRunStart(db: SqliteDatabase): number | null {
  const row = db.prepare(`SELECT started_at FROM sync_runs ORDER BY id DESC LIMIT 1`).get() as
    { started_at: string } | undefined;
  return row ? Date.parse(row.started_at) : null;
}
