// The messages between the thread that asks for a sync (the app's main process, the bench) and the
// worker thread that runs it. Only plain data crosses: the worker opens its own database connection
// by path and creates its own S3 client.
import type { SyncConfig } from '../../shared/config';
import type { SyncProgress, SyncReport } from '../../shared/domain';
import type { PostgresTargetConfig } from '../../shared/target-config';
import type { ResolvedPostgresPassword } from '../config/postgres-password';
import { DatabaseError } from '../db/database-error';

/** What a sync needs, as data that can be posted to a worker. */
export interface WorkerSyncRequest {
  config: SyncConfig;
  /** The sign-in's secrets (see SignInSecrets), for the access key and temporary keys methods. */
  secretAccessKey?: string;
  sessionToken?: string;
  /** The SQLite file; the worker opens (and closes) its own connection to it. */
  dbPath: string;
  /**
   * Write into this PostgreSQL database instead of the SQLite file. The password was found on the
   * host's thread, which holds the keychain; the worker opens (and closes) its own connections.
   */
  postgres?: { target: PostgresTargetConfig; password: ResolvedPostgresPassword };
  trigger: string;
  /** Read every file, even those unchanged since their last import. */
  full?: boolean;
}

/**
 * An error thrown in the worker, as plain data (class instances do not survive postMessage). Its kind
 * is decided in the worker, where the class is known, and the host rebuilds that class from it.
 */
export interface WorkerError {
  kind: 'database' | 'unexpected';
  message: string;
  code?: string;
  stack?: string;
}

export type HostToWorker =
  | { type: 'start'; runId: number; request: WorkerSyncRequest }
  /** Stop the run: the file being imported is rolled back, the run is marked interrupted. */
  | { type: 'stop'; runId: number };

export type WorkerToHost =
  | { type: 'progress'; runId: number; progress: SyncProgress }
  | { type: 'finished'; runId: number; report: SyncReport }
  /**
   * After 'finished' or 'error': the run's connection has checkpointed its WAL and closed (see
   * sync-worker.ts). The worker is idle again.
   */
  | { type: 'settled'; runId: number; checkpointMs: number }
  /** The run could not happen at all (the database cannot be opened, a bug): no report. */
  | { type: 'error'; runId: number; error: WorkerError };

/** Progress crosses to the host at most this often (the UI wants at most ten updates a second). */
export const WORKER_PROGRESS_INTERVAL_MS = 100;

export function toWorkerError(error: unknown): WorkerError {
  const e = error as { message?: unknown; code?: unknown; stack?: unknown };
  return {
    kind: error instanceof DatabaseError ? 'database' : 'unexpected',
    message: typeof e?.message === 'string' ? e.message : String(error),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(typeof e?.stack === 'string' ? { stack: e.stack } : {}),
  };
}

export function fromWorkerError(error: WorkerError): Error {
  const result = error.kind === 'database' ? new DatabaseError(error.message) : new Error(error.message);
  if (error.code) (result as Error & { code?: string }).code = error.code;
  if (error.stack) result.stack = error.stack;
  return result;
}
