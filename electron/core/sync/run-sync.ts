// One sync run: list the bucket, select files per object type, import each changed file in its own
// transaction, and record everything in the run log. Plain Node: runs in the app's worker, the CLI
// and tests alike.
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { enabledObjectTypes, type ObjectMapping, type ObjectType, type SyncConfig } from '../../shared/config';
import { importFile, isFileContentError, isGzipError } from './import-file';
import type { FileReport, RunCounts, SyncProgress, SyncReport } from '../../shared/domain';
import type { SyncTarget } from '../db/sync-target';
import { createSqliteTarget } from '../db/sqlite-target';
import type { SqliteDatabase } from '../db/sqlite-database';
import { explainS3Error, isConnectionProblem } from '../s3/s3-errors';
import { compileFilePatterns, createS3Client, listSelectedFiles, openObject, type S3File } from '../s3/s3-source';

export interface SyncRequest {
  config: SyncConfig;
  /** The secret access key, for the access key and temporary keys methods. */
  secretAccessKey?: string;
  /** The session token, for temporary keys. */
  sessionToken?: string;
  /** Where the records go; without it, the SQLite database `db` (at `dbPath`, named in messages). */
  target?: SyncTarget;
  db?: SqliteDatabase;
  dbPath?: string;
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
  const { config } = request;
  const target = request.target ?? createSqliteTarget(request.db!, request.dbPath ?? '');
  const now = request.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const runId = await target.beginRun(request.trigger, startedAt, sourceName(config));
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
  const client =
    request.s3Client ??
    createS3Client(config.connection, {
      secretAccessKey: request.secretAccessKey,
      sessionToken: request.sessionToken,
    });
  const emitProgress = throttle(request.onProgress ?? (() => {}), PROGRESS_INTERVAL_MS);
  /** Another program's write lock outlasted the busy timeout: the run's last writes do not wait for it again. */
  let lockedOut = false;

  try {
    emitProgress({ runId, phase: 'listing', fileIndex: 0, fileCount: 0, rows: 0, bytes: 0, size: 0 }, true);
    const knownKeys = await target.knownFileKeys();
    const seenKeys = new Set<string>();
    const patterns = compileFilePatterns(config.objects);
    const selection = await listSelectedFiles(client, config.connection, patterns, {
      onKey: (key) => knownKeys.has(key) && seenKeys.add(key),
      signal: request.signal,
    });
    const prefix = config.connection.prefix;
    report.filesGone = await target.markFilePresence(
      seenKeys,
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
        const result = await syncFile(request, target, client, { runId, type, mapping, mappingHash, file, now }, (p) =>
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
    const problem = target.explainError(error); // e.g. recording an unchanged file, or the files gone from the bucket
    lockedOut ||= Boolean(problem?.lockedOut);
    report.status = (error as Error).name === 'AbortError' || request.signal?.aborted ? 'interrupted' : 'failed';
    const s3Problem = report.status === 'interrupted' || problem ? undefined : explainS3Error(error, config.connection);
    report.error =
      report.status === 'interrupted'
        ? 'The sync was stopped before it finished.'
        : (problem?.message ?? s3Problem!.message);
    if (s3Problem?.kind === 'expired-credentials') report.credentialsExpired = true;
  }
  report.finishedAt = now().toISOString();
  try {
    // After a full busy wait, one more try without waiting: the run fails after one wait, not two.
    await target.finishRun(report, { noWait: lockedOut });
  } catch (error) {
    // The database itself refuses writes (disk full, read-only): the report still tells the caller.
    report.status = 'failed';
    report.error = target.explainError(error)?.message ?? String(error);
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
  target: SyncTarget,
  client: S3Client,
  job: FileJob,
  onProgress: (p: { rows: number; bytes: number }) => void,
): Promise<{ report: FileReport; fatal?: string; connectionLost?: boolean; lockedOut?: boolean }> {
  const { runId, type, file, mapping } = job;
  const startedAt = job.now().toISOString();
  const base = { type, key: file.key, rows: 0, created: 0, updated: 0, skipped: 0, rejected: 0 };
  const bookkeeping = { etag: file.etag, size: file.size, startedAt };

  const previous = await target.previousFileState(type, file.key);
  if (
    !request.full &&
    previous &&
    previous.etag === file.etag &&
    previous.size === file.size &&
    previous.mappingHash === job.mappingHash
  ) {
    const report: FileReport = { ...base, status: 'unchanged' };
    await target.recordFile(runId, { ...report, ...bookkeeping, finishedAt: job.now().toISOString() });
    return { report };
  }

  const stamp = { runId, key: file.key, syncedAt: startedAt };
  try {
    const object = await openObject(client, request.config.connection, file.key, request.signal);
    // The version actually read: the file may have been replaced since it was listed.
    const downloaded = { etag: object.etag || file.etag, size: object.size || file.size };
    const result = await importFile({
      target,
      type,
      mapping,
      stamp,
      body: object.body,
      signal: request.signal,
      onProgress,
      commit: (write, counts, warnings) =>
        write.commit(
          { type, key: file.key, ...downloaded, mappingHash: job.mappingHash, runId, importedAt: startedAt },
          {
            ...base,
            ...counts,
            warnings,
            status: 'imported',
            ...bookkeeping,
            ...downloaded,
            finishedAt: job.now().toISOString(),
          },
        ),
    });
    const { warnings, ...counts } = result;
    return { report: { ...base, ...counts, status: 'imported', ...(warnings.length ? { warnings } : {}) } };
  } catch (error) {
    const { message, fatal, connectionLost, lockedOut } = describeFileError(error, request, target, file.key);
    const report: FileReport = { ...base, status: 'failed', error: message };
    try {
      await target.recordFile(
        runId,
        { ...report, ...bookkeeping, finishedAt: job.now().toISOString() },
        { noWait: lockedOut },
      );
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
  target: SyncTarget,
  key: string,
): { message: string; fatal: boolean; connectionLost?: boolean; lockedOut?: boolean } {
  const problem = target.explainError(error);
  if (problem) return problem;
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

/** The bucket and prefix a run reads: two runs of one source never import at once. */
/** The source a run reads, as the run log records it (PostgreSQL: its lock and its alerts' history). */
export function sourceName(config: SyncConfig): string {
  const { endpoint, bucket, prefix } = config.connection as { endpoint?: string; bucket: string; prefix?: string };
  return `${endpoint ?? 's3'}/${bucket}/${prefix ?? ''}`;
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
