// The alerts part of the run log: each delivery of an alert about a run (email, webhook), with its
// outcome in plain words, and the history the repeat rule reads (core/alerts/repeat-rule.ts). One
// interface, two engines: the SQLite file here, a shared PostgreSQL schema in postgres/pg-alert-log.ts.
import type { SqliteDatabase } from './sqlite-database';
import { isDatabaseBusy, withoutBusyWait } from './sqlite-database';
import type { MaybePromise } from './sync-target';
import type { AlertDelivery, AlertKind } from '../../shared/alerts';
import type { FileReport, RejectedRow, RunStatus } from '../../shared/domain';

/** A finished run as the repeat rule sees it. */
export interface PastRun {
  id: number;
  status: Exclude<RunStatus, 'running' | 'interrupted'>;
  error: string | null;
  startedAt: string;
  failedFiles: { key: string; error: string | null }[];
}

/** What an alert shows of a run: its files and its first rejected rows. */
export interface RunForAlert {
  files: FileReport[];
  rejects: RejectedRow[];
  rejectedTotal: number;
}

/** The run log before a run, as the repeat rule reads it. */
export interface AlertHistory {
  /** Finished runs before it (newest first, at most `limit`), interrupted ones left out. */
  previous: PastRun[];
  /** The latest alert of these kinds about any of these runs (one that was sent or tried, not held back). */
  lastAlertAt(runIds: number[], kinds: AlertKind[]): string | null;
}

/** A decision about a run and the deliveries it will record (held back: the one saying why). */
export interface AlertJudgement<T> {
  result: T;
  deliveries: AlertDelivery[];
}

export interface ClaimedAlert<T> {
  result: T;
  /** Records how one of the claimed deliveries ended (by its channel). */
  settle(delivery: AlertDelivery): MaybePromise<void>;
}

export interface AlertLog {
  runForAlert(runId: number, rejectLimit: number): MaybePromise<RunForAlert>;
  /**
   * Reads the history before a run (runId null: before every run), lets `judge` decide, and claims the
   * deliveries it decided on. On a shared log (PostgreSQL) claims are taken one syncer at a time and
   * written before anything is sent: a second syncer deciding meanwhile sees them, and a run claimed
   * already gives null. SQLite (one computer, one run log per file) records each delivery when it ends.
   */
  claim<T>(
    runId: number | null,
    historyLimit: number,
    judge: (history: AlertHistory) => AlertJudgement<T>,
  ): MaybePromise<ClaimedAlert<T> | null>;
}

/** Another program holding the database's write lock delays the record, a second at a time, up to a minute. */
const RECORD_ATTEMPTS = 60;
const RECORD_RETRY_MS = 1_000;

export function createSqliteAlertLog(db: SqliteDatabase): AlertLog {
  return {
    runForAlert: (runId, rejectLimit) => runForAlert(db, runId, rejectLimit),
    claim(runId, historyLimit, judge) {
      const { result } = judge({
        previous: finishedRunsBefore(db, runId, historyLimit),
        lastAlertAt: (runIds, kinds) => lastAlertAt(db, runIds, kinds),
      });
      return { result, settle: (delivery) => recordWithoutBlocking(db, delivery) };
    },
  };
}

/**
 * Written without waiting on another program's lock: the app's main thread, which draws the window,
 * must not block. A busy database is tried again a second later.
 */
async function recordWithoutBlocking(db: SqliteDatabase, delivery: AlertDelivery): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      withoutBusyWait(db, () => recordAlertDelivery(db, delivery));
      return;
    } catch (error) {
      if (!isDatabaseBusy(error) || attempt >= RECORD_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, RECORD_RETRY_MS));
    }
  }
}

export function recordAlertDelivery(db: SqliteDatabase, delivery: AlertDelivery): void {
  db.prepare(
    `INSERT INTO alert_deliveries (run_id, kind, channel, outcome, detail, attempts, at)
     VALUES (@runId, @kind, @channel, @outcome, @detail, @attempts, @at)`,
  ).run(delivery);
}

export function alertDeliveriesOf(db: SqliteDatabase, runId: number): AlertDelivery[] {
  return db
    .prepare(
      `SELECT run_id AS runId, kind, channel, outcome, detail, attempts, at FROM alert_deliveries WHERE run_id = ? ORDER BY id`,
    )
    .all(runId) as AlertDelivery[];
}

/**
 * Finished runs before this one (newest first), leaving out interrupted ones: a sync the user stopped
 * is neither a failure nor a recovery. runId null: before every run.
 */
export function finishedRunsBefore(db: SqliteDatabase, runId: number | null, limit: number): PastRun[] {
  const runs = db
    .prepare(
      `SELECT id, status, error, started_at AS startedAt FROM sync_runs
       WHERE id < ? AND status IN ('succeeded', 'partial', 'failed') ORDER BY id DESC LIMIT ?`,
    )
    .all(runId ?? Number.MAX_SAFE_INTEGER, limit) as Omit<PastRun, 'failedFiles'>[];
  const failedFiles = db.prepare(
    `SELECT key, error FROM sync_files WHERE run_id = ? AND status = 'failed' ORDER BY id`,
  );
  return runs.map((run) => ({
    ...run,
    failedFiles: run.status === 'succeeded' ? [] : (failedFiles.all(run.id) as PastRun['failedFiles']),
  }));
}

/** The latest alert of these kinds about any of these runs (one that was sent or tried, not held back). */
export function lastAlertAt(db: SqliteDatabase, runIds: number[], kinds: AlertKind[]): string | null {
  if (runIds.length === 0) return null;
  const row = db
    .prepare(
      `SELECT max(at) AS at FROM alert_deliveries
       WHERE outcome != 'held-back' AND kind IN (SELECT value FROM json_each(?)) AND run_id IN (SELECT value FROM json_each(?))`,
    )
    .get(JSON.stringify(kinds), JSON.stringify(runIds)) as { at: string | null };
  return row.at;
}

/** What an alert shows of a run: its files and its first rejected rows. */
export function runForAlert(db: SqliteDatabase, runId: number, rejectLimit: number): RunForAlert {
  const files = (
    db
      .prepare(
        `SELECT object_type AS type, key, status, rows, created, updated, skipped, rejected, error FROM sync_files WHERE run_id = ? ORDER BY id`,
      )
      .all(runId) as (FileReport & { error: string | null })[]
  ).map(({ error, ...file }) => (error === null ? file : { ...file, error }));
  const rejects = db
    .prepare(`SELECT key, line, reason, raw FROM sync_rejects WHERE run_id = ? ORDER BY id LIMIT ?`)
    .all(runId, rejectLimit) as RejectedRow[];
  const { total } = db.prepare(`SELECT count(*) AS total FROM sync_rejects WHERE run_id = ?`).get(runId) as {
    total: number;
  };
  return { files, rejects, rejectedTotal: total };
}
