// The worker thread that runs syncs, so the thread serving the UI never parses CSV or writes SQLite.
// Started by sync-worker-host.ts; one run at a time, each with its own database connection (the SQLite
// file, or the PostgreSQL target's two connections).
import { parentPort } from 'node:worker_threads';
import { checkpointWithoutWaiting, deferCheckpoints, openDatabase } from '../db/sqlite-database';
import type { SyncProgress } from '../../shared/domain';
import { runSync } from '../sync/run-sync';
import { openPostgresTarget, type PostgresTarget } from '../db/postgres/pg-target';
import {
  toWorkerError,
  WORKER_PROGRESS_INTERVAL_MS,
  type HostToWorker,
  type WorkerSyncRequest,
  type WorkerToHost,
} from './sync-worker-protocol';

if (!parentPort) throw new Error('sync-worker.ts runs as a worker thread: start it with SyncWorker.');
const port = parentPort;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const runs = new Map<number, AbortController>();

const post = (message: WorkerToHost): void => port.postMessage(message);

port.on('message', (message: HostToWorker) => {
  if (message.type === 'stop') {
    runs.get(message.runId)?.abort();
    return;
  }
  void run(message.runId, message.request);
});

async function run(runId: number, request: WorkerSyncRequest): Promise<void> {
  const stop = new AbortController();
  runs.set(runId, stop);
  const progress = throttleTrailing(
    (p: SyncProgress) => post({ type: 'progress', runId, progress: p }),
    WORKER_PROGRESS_INTERVAL_MS,
  );
  let db;
  let postgres: PostgresTarget | undefined;
  try {
    if (request.postgres) {
      postgres = await openPostgresTarget(request.postgres.target, { password: request.postgres.password });
    } else {
      db = openDatabase(request.dbPath);
      // No checkpoint at each commit: the pages are copied into the database file once the report has
      // been sent (below), so the copy no longer holds up the report (see deferCheckpoints).
      deferCheckpoints(db);
    }
    const report = await runSync({
      config: request.config,
      secretAccessKey: request.secretAccessKey,
      sessionToken: request.sessionToken,
      ...(postgres ? { target: postgres } : { db, dbPath: request.dbPath }),
      trigger: request.trigger,
      full: request.full,
      signal: stop.signal,
      onProgress: progress.push,
    });
    // The last state reaches the UI (a tiny sync may finish within one interval of its first update).
    progress.flush();
    post({ type: 'finished', runId, report });
  } catch (error) {
    progress.cancel();
    post({ type: 'error', runId, error: toWorkerError(error) });
  } finally {
    runs.delete(runId);
    const start = performance.now();
    try {
      if (db) checkpointWithoutWaiting(db);
    } catch {
      // A checkpoint that fails leaves the pages in the WAL, where they are safe; the next one copies them.
    }
    try {
      db?.close();
      await postgres?.close();
    } catch {
      // Closing cannot fail in a way the caller could act on; the report has been sent.
    }
    post({ type: 'settled', runId, checkpointMs: performance.now() - start });
  }
}

/**
 * Passes at most one value per interval; a value that arrives too soon is held and sent when the
 * interval is up (only the latest one), so the last progress before a pause is never lost.
 */
function throttleTrailing<T>(send: (value: T) => void, intervalMs: number) {
  let last = 0;
  let pending: { value: T } | null = null;
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    last = Date.now();
    send(value);
  };
  return {
    flush: () => {
      if (timer) clearTimeout(timer);
      flush();
    },
    push: (value: T) => {
      pending = { value };
      const wait = last + intervalMs - Date.now();
      if (wait <= 0 && !timer) flush();
      else timer ??= setTimeout(flush, Math.max(wait, 0));
    },
    cancel: () => {
      pending = null;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
