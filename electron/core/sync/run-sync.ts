// One sync run: list the bucket, select files per object type, import each changed file in its own
// transaction, and record everything in the run log. Plain Node: runs in the app's worker, the CLI
// and tests alike.
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { enabledObjectTypes, type ObjectMapping, type ObjectType, type SyncConfig } from '../../shared/config';
import { importFile, isFileContentError, isGzipError } from './import-file';
import {
  createRejectRecorder,
  finishRun,
  markInterruptedRuns,
  recordFile,
  startRun,
  type FileReport,
  type RunCounts,
  type SyncReport,
} from '../db/run-log';
import { explainS3Error, isConnectionProblem, S3AccessError } from '../s3/s3-errors';
import { compileFilePatterns, createS3Client, listSelectedFiles, openObject, type S3File } from '../s3/s3-source';
import { DatabaseError, explainSqliteError, isDatabaseBusy, withoutBusyWait, type SqliteDatabase } from '../db/store';
import { errorCode } from '../../shared/error-code';
import { knownFiles, markFilePresence } from '../db/record-files';

export interface SyncProgress {
  runId: number;
  phase: 'listing' | 'importing';
  type?: ObjectType;
  key?: string;
  /** 1-based position of the current file among the files selected for this run. */
  fileIndex: number;
  fileCount: number;
  rows: number;
  bytes: number;
  size: number;
}

export interface SyncRequest {
  config: SyncConfig;
  secretAccessKey: string;
  db: SqliteDatabase;
  /** Used in messages about the database. */
  dbPath: string;
  trigger: string;
  /** Read every file, even those unchanged since their last import. */
  full?: boolean;
  /** Stops the run: the file being imported is rolled back, the run is marked interrupted. */
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /** Override the S3 client (tests inject short timeouts). */
  s3Client?: S3Client;
  now?: () => Date;
}

/** Connection failures on this many files in a row end the run: the endpoint is gone. */
const MAX_CONNECTION_FAILURES_IN_A_ROW = 3;

/** Progress reaches listeners at most this often (the UI asks for at most ten updates a second). */
const PROGRESS_INTERVAL_MS = 100;

export async function runSync(request: SyncRequest): Promise<SyncReport> {
  const { config, db } = request;
  const now = request.now ?? (() => new Date());
  const startedAt = now().toISOString();
  let runId: number;
  try {
    markInterruptedRuns(db);
    runId = startRun(db, request.trigger, startedAt);
  } catch (error) {
    // Nothing could even be logged (the database is locked, read-only or full): say so plainly.
    throw new DatabaseError(explainSqliteError(error, request.dbPath));
  }
  const types = enabledObjectTypes(config);
  const report: SyncReport = {
    runId,
    status: 'succeeded',
    trigger: request.trigger,
    startedAt,
    finishedAt: startedAt,
    files: [],
    overCap: Object.fromEntries(types.map((t) => [t, 0])),
    counts: { files: 0, rows: 0, created: 0, updated: 0, skipped: 0, rejected: 0 },
  };
  const client = request.s3Client ?? createS3Client(config.connection, request.secretAccessKey);
  const emitProgress = throttle(request.onProgress ?? (() => {}), PROGRESS_INTERVAL_MS);
  /** Another program's write lock outlasted the busy timeout: the run's last writes do not wait for it again. */
  let lockedOut = false;

  try {
    emitProgress({ runId, phase: 'listing', fileIndex: 0, fileCount: 0, rows: 0, bytes: 0, size: 0 }, true);
    const known = knownFiles(db);
    const knownKeys = new Set(known.map((f) => f.key));
    const seenKeys = new Set<string>();
    const patterns = compileFilePatterns(config.objects);
    const selection = await listSelectedFiles(client, config.connection, patterns, {
      onKey: (key) => knownKeys.has(key) && seenKeys.add(key),
      signal: request.signal,
    });
    const prefix = config.connection.prefix;
    report.filesGone = markFilePresence(
      db,
      known,
      (key) => seenKeys.has(key),
      (type, key) => key.startsWith(prefix) && (patterns[type]?.test(key.slice(prefix.length)) ?? false),
      now().toISOString(),
    );
    for (const type of types) report.overCap[type] = selection.overCap[type];

    const fileCount = types.reduce((n, t) => n + selection.selected[t].length, 0);
    let fileIndex = 0;
    let fatal: string | undefined;
    let connectionFailuresInARow = 0;
    outer: for (const type of types) {
      const mapping = config.objects[type]!;
      const mappingHash = hashMapping(mapping);
      for (const file of selection.selected[type]) {
        if (request.signal?.aborted) break outer;
        fileIndex++;
        const position = {
          runId,
          phase: 'importing' as const,
          type,
          key: file.key,
          fileIndex,
          fileCount,
          size: file.size,
        };
        emitProgress({ ...position, rows: 0, bytes: 0 }, true);
        const result = await syncFile(request, client, { runId, type, mapping, mappingHash, file, now }, (p) =>
          emitProgress({ ...position, ...p }),
        );
        report.files.push(result.report);
        lockedOut ||= Boolean(result.lockedOut);
        addCounts(report.counts, result.report);
        connectionFailuresInARow = result.connectionLost ? connectionFailuresInARow + 1 : 0;
        // An endpoint that died after the listing would otherwise be retried file by file for hours.
        if (!result.fatal && connectionFailuresInARow >= MAX_CONNECTION_FAILURES_IN_A_ROW) {
          result.fatal = `${MAX_CONNECTION_FAILURES_IN_A_ROW} files in a row could not be downloaded: ${result.report.error}`;
        }
        if (result.fatal) {
          const notAttempted = fileCount - fileIndex;
          fatal =
            notAttempted > 0
              ? `${result.fatal} The sync stopped there; ${notAttempted} more file${notAttempted === 1 ? ' was' : 's were'} not attempted.`
              : result.fatal;
          break outer;
        }
      }
    }
    report.status = decideStatus(report.files);
    if (fatal) {
      // Stopped by a problem that concerns every file (the database refuses writes, the endpoint is
      // gone): the run failed, even if the files before it went in.
      report.status = 'failed';
      report.error = fatal;
    } else if (request.signal?.aborted && synced(report.files) < fileCount) {
      report.status = 'interrupted';
      report.error = `The sync was stopped before it finished; ${synced(report.files)} of ${fileCount} files were synced, the rest will be read next time.`;
    } else if (report.status !== 'succeeded') {
      report.error = summarizeFailures(report.files);
    }
  } catch (error) {
    lockedOut ||= isDatabaseBusy(error); // e.g. recording an unchanged file, or the files gone from the bucket
    report.status = (error as Error).name === 'AbortError' || request.signal?.aborted ? 'interrupted' : 'failed';
    report.error =
      report.status === 'interrupted'
        ? 'The sync was stopped before it finished.'
        : isSqliteError(error)
          ? explainSqliteError(error, request.dbPath)
          : explainS3Error(error, config.connection).message;
  }
  report.finishedAt = now().toISOString();
  try {
    // After a full busy wait, one more try without waiting: the run fails after one wait, not two.
    if (lockedOut) withoutBusyWait(db, () => finishRun(db, report));
    else finishRun(db, report);
  } catch (error) {
    // The database itself refuses writes (disk full, read-only): the report still tells the caller.
    report.status = 'failed';
    report.error = explainSqliteError(error, request.dbPath);
  }
  if (!request.s3Client) client.destroy();
  return report;
}

interface FileJob {
  runId: number;
  type: ObjectType;
  mapping: ObjectMapping;
  mappingHash: string;
  file: S3File;
  now: () => Date;
}

async function syncFile(
  request: SyncRequest,
  client: S3Client,
  job: FileJob,
  onProgress: (p: { rows: number; bytes: number }) => void,
): Promise<{ report: FileReport; fatal?: string; connectionLost?: boolean; lockedOut?: boolean }> {
  const { db } = request;
  const { runId, type, file, mapping } = job;
  const startedAt = job.now().toISOString();
  const base = { type, key: file.key, rows: 0, created: 0, updated: 0, skipped: 0, rejected: 0 };
  const bookkeeping = { etag: file.etag, size: file.size, startedAt };

  const previous = db
    .prepare(`SELECT etag, size, mapping_hash AS mappingHash FROM file_state WHERE object_type = ? AND key = ?`)
    .get(type, file.key) as { etag: string; size: number; mappingHash: string } | undefined;
  if (
    !request.full &&
    previous &&
    previous.etag === file.etag &&
    previous.size === file.size &&
    previous.mappingHash === job.mappingHash
  ) {
    const report: FileReport = { ...base, status: 'unchanged' };
    recordFile(db, runId, { ...report, ...bookkeeping, finishedAt: job.now().toISOString() });
    return { report };
  }

  const stamp = { runId, key: file.key, syncedAt: startedAt };
  try {
    const object = await openObject(client, request.config.connection, file.key, request.signal);
    // The version actually read: the file may have been replaced since it was listed.
    const downloaded = { etag: object.etag || file.etag, size: object.size || file.size };
    const result = await importFile({
      db,
      type,
      mapping,
      stamp,
      body: object.body,
      signal: request.signal,
      recordReject: createRejectRecorder(db, runId),
      onProgress,
      beforeCommit: (counts, warnings) => {
        db.prepare(
          `INSERT INTO file_state (object_type, key, etag, size, mapping_hash, run_id, imported_at, missing_since)
           VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
           ON CONFLICT (object_type, key) DO UPDATE SET etag = excluded.etag, size = excluded.size,
             mapping_hash = excluded.mapping_hash, run_id = excluded.run_id, imported_at = excluded.imported_at, missing_since = NULL`,
        ).run(type, file.key, downloaded.etag, downloaded.size, job.mappingHash, runId, startedAt);
        recordFile(db, runId, {
          ...base,
          ...counts,
          warnings,
          status: 'imported',
          ...bookkeeping,
          ...downloaded,
          finishedAt: job.now().toISOString(),
        });
      },
    });
    const { warnings, ...counts } = result;
    return { report: { ...base, ...counts, status: 'imported', ...(warnings.length ? { warnings } : {}) } };
  } catch (error) {
    const { message, fatal, connectionLost } = describeFileError(error, request, file.key);
    const report: FileReport = { ...base, status: 'failed', error: message };
    const lockedOut = isDatabaseBusy(error);
    try {
      const record = () => recordFile(db, runId, { ...report, ...bookkeeping, finishedAt: job.now().toISOString() });
      if (lockedOut) withoutBusyWait(db, record);
      else record();
    } catch {
      // The database refuses writes: the fatal error below says why.
    }
    return { report, fatal: fatal ? message : undefined, connectionLost, lockedOut };
  }
}

/** A file's error in plain words, and whether it ends the whole run (the database refuses writes). */
function describeFileError(
  error: unknown,
  request: SyncRequest,
  key: string,
): { message: string; fatal: boolean; connectionLost?: boolean } {
  if (isSqliteError(error)) {
    const fatal = /^SQLITE_(BUSY|FULL|READONLY|IOERR|CORRUPT|NOTADB|CANTOPEN)/.test(errorCode(error));
    return { message: explainSqliteError(error, request.dbPath), fatal };
  }
  if (isGzipError(error)) {
    return {
      message: 'The file starts like a gzip archive but is damaged or truncated, so it cannot be decompressed.',
      fatal: false,
    };
  }
  if (isFileContentError(error)) return { message: (error as Error).message, fatal: false };
  if ((error as Error)?.name === 'AbortError' || request.signal?.aborted) {
    return { message: 'The sync was stopped while this file was being read; nothing of it was stored.', fatal: false };
  }
  const explained = explainS3Error(error, request.config.connection, key);
  return {
    message: `${explained.message} Nothing of this file was stored; it will be read again next sync.`,
    fatal: isConnectionProblem(explained) && explained.kind !== 'unreachable',
    connectionLost: explained.kind === 'unreachable' || explained.kind === 'timeout',
  };
}

/** Partial when some files failed and some were synced; failed when nothing could be synced. */
function decideStatus(files: FileReport[]): SyncReport['status'] {
  const failed = files.filter((f) => f.status === 'failed').length;
  if (failed === 0) return 'succeeded';
  return failed < files.length ? 'partial' : 'failed';
}

function synced(files: FileReport[]): number {
  return files.filter((f) => f.status !== 'failed').length;
}

function isSqliteError(error: unknown): boolean {
  return errorCode(error).startsWith('SQLITE_');
}

function summarizeFailures(files: FileReport[]): string {
  const failed = files.filter((f) => f.status === 'failed');
  const first = failed[0]!;
  return `${failed.length} of ${files.length} file${files.length === 1 ? '' : 's'} failed. ${first.key}: ${first.error}`;
}

function addCounts(total: RunCounts, file: FileReport): void {
  total.files++;
  total.rows += file.rows;
  total.created += file.created;
  total.updated += file.updated;
  total.skipped += file.skipped;
  total.rejected += file.rejected;
}

/** What decides how a file's rows map: a change here makes an unchanged file worth reading again. */
export function hashMapping(mapping: ObjectMapping): string {
  const { enabled: _enabled, fileRegex: _fileRegex, ...rules } = mapping;
  // UTF-8 is the default: saying so explicitly must not re-import every file.
  if (rules.encoding === 'utf-8') delete rules.encoding;
  const canonical = JSON.stringify(
    Object.fromEntries(
      Object.entries(rules)
        .filter(([, v]) => v != null)
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

function throttle<T>(fn: (value: T) => void, intervalMs: number): (value: T, force?: boolean) => void {
  let last = 0;
  return (value, force = false) => {
    const t = Date.now();
    if (force || t - last >= intervalMs) {
      last = t;
      fn(value);
    }
  };
}
