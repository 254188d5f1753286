// Imports one CSV file into the database in one transaction: it lands whole or not at all.
import type { ObjectMapping, ObjectType } from './config';
import { acquireCsvParseWorker, type CsvParseWorker } from './csv-parse-host';
import { CsvFileError, readCsv } from './csv-reader';
import { MAX_STORED_REJECTS_PER_FILE, rejectReasonForFieldCount, truncateRaw } from './import-rules';
import { createRowEncoder, HeaderError, type RowEncoder } from './mapping';
import { ROW_WIDTH, type RowValue } from './record-rows';
import type { FileCounts, RejectedRow } from './run-log';
import { createRecordWriter, findDanglingReferences, type FileStamp, type RecordWriter, type SqliteDatabase } from './store';
import { errorCode } from './error-code';

export { MAX_STORED_REJECTS_PER_FILE } from './import-rules';

/**
 * Files at least this big would be read by the parsing worker (csv-parse-worker.ts) while this
 * thread writes. Off by default, because it does not pay on the project's two-core machines: the
 * rows must become JavaScript strings again on this thread to be bound, and encoding, decoding,
 * messages and a second heap cost more CPU than the overlap saves. Measured in npm run bench (2M
 * rows, same runs, interleaved): 8.6-9.6 s with it, 7.1-8.7 s without, and CPU 12-13.7 s against
 * 6.5-8.1 s; only reading the file from local disk without the S3 server (no third busy process)
 * did it win, by ~10% (8.3-9.2 s vs 9.6-10 s) for +45% CPU. The hand-over alone (a batch's values
 * joined into one string, posted, split on the other side; no parsing, no SQLite) measured ~0.95 s
 * of CPU per million rows, about what parsing and mapping them cost in the first place (~1.1 s).
 * Handing SQLite one JSON text per batch instead (INSERT ... SELECT from json_each, so the writing
 * thread splits nothing) made SQLite's side dearer than the binding it saved: CPU of writing and
 * committing a million rows, medians of 3, 3.08 s against 2.01 s. SyncRequest.parseInWorkerMinBytes
 * turns it on (npm run bench -- --parse-worker measures it on other machines).
 */
export const PARSE_IN_WORKER_MIN_BYTES = Number.POSITIVE_INFINITY;

export interface ImportProgress {
  rows: number;
  bytes: number;
}

export interface ImportRequest {
  db: SqliteDatabase;
  type: ObjectType;
  mapping: ObjectMapping;
  stamp: FileStamp;
  body: AsyncIterable<Uint8Array>;
  recordReject: (reject: RejectedRow) => void;
  /** Runs inside the file's transaction after the rows, so bookkeeping commits with the data. */
  beforeCommit: (counts: FileCounts, warnings: string[]) => void;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
  /** The object's size, if known: decides where it is parsed. */
  size?: number;
  /** Overrides PARSE_IN_WORKER_MIN_BYTES (tests read small files through the worker with 0). */
  parseInWorkerMinBytes?: number;
}

export interface ImportResult extends FileCounts {
  warnings: string[];
}

export async function importFile(request: ImportRequest): Promise<ImportResult> {
  const { db, type, mapping, stamp } = request;
  const counts: FileCounts = { rows: 0, created: 0, updated: 0, skipped: 0, rejected: 0 };
  const progress = { rows: 0, bytes: 0 };
  const reject = (line: number, reason: string, raw: () => string): void => {
    counts.rejected++;
    if (counts.rejected <= MAX_STORED_REJECTS_PER_FILE) request.recordReject({ key: stamp.key, line, reason, raw: truncateRaw(raw()) });
  };
  const lease = (request.size ?? 0) >= (request.parseInWorkerMinBytes ?? PARSE_IN_WORKER_MIN_BYTES) ? await acquireCsvParseWorker() : null;

  // IMMEDIATE takes the write lock now, so a writer elsewhere makes us wait (busy_timeout) up front
  // rather than fail halfway through the file.
  db.exec('BEGIN IMMEDIATE');
  try {
    const writer = createRecordWriter(db, type, mapping, stamp);
    const source: FileSource = { request, writer, counts, progress, reject, warnings: [] };
    if (lease) await readInWorker(lease.parser, source);
    else await readHere(source);
    const written = writer.finish();
    const readerWarnings = source.warnings;
    counts.created = written.created;
    counts.updated = written.updated;
    counts.skipped = written.skipped;
    const warnings = [...readerWarnings, ...findDanglingReferences(db, type, stamp, { written, counted: written.references, target: 'target' in mapping ? mapping.target : undefined })];
    request.beforeCommit(counts, warnings);
    db.exec('COMMIT');
    request.onProgress?.({ rows: counts.rows, bytes: progress.bytes });
    return { ...counts, warnings };
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  } finally {
    lease?.release();
  }
}

interface FileSource {
  request: ImportRequest;
  writer: RecordWriter;
  counts: FileCounts;
  progress: ImportProgress;
  reject: (line: number, reason: string, raw: () => string) => void;
  /** The reader's warnings about the whole file (invalid UTF-8, NUL characters). */
  warnings: string[];
}

/** Reads, checks and maps the rows on this thread. */
async function readHere({ request, writer, counts, progress, reject, warnings }: FileSource): Promise<void> {
  const body = countBytes(request.body, (n) => (progress.bytes += n));
  let encodeRow: RowEncoder | null = null;
  let columnCount = 0;
  // One row of values, reused: the encoder fills it and the writer copies it into its batch.
  const values: RowValue[] = new Array(ROW_WIDTH[request.type]).fill(null);
  const options = { delimiter: request.mapping.delimiter, encoding: request.mapping.encoding, onWarning: (warning: string) => warnings.push(warning) };
  for await (const event of readCsv(body, options)) {
    request.signal?.throwIfAborted();
    if (event.kind === 'header') {
      encodeRow = createRowEncoder(request.type, request.mapping, event.columns);
      columnCount = event.columns.length;
      continue;
    }
    const { rows, lines, malformed } = event;
    const anyMalformed = malformed.size > 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      counts.rows++;
      const problem = (anyMalformed ? malformed.get(i) : undefined) ?? (row.length !== columnCount ? rejectReasonForFieldCount(row.length, columnCount) : undefined);
      if (problem) {
        reject(lines[i]!, problem, () => event.rawText(i));
        continue;
      }
      const reason = encodeRow!(row, values, 0);
      if (reason !== null) {
        reject(lines[i]!, reason, () => event.rawText(i));
        continue;
      }
      writer.writeRows(values, 0, 1);
    }
    request.onProgress?.({ rows: counts.rows, bytes: progress.bytes });
  }
}

/** Lets the parsing worker read, check and map the rows, and writes its batches as they come. */
async function readInWorker(parser: CsvParseWorker, { request, writer, counts, progress, warnings }: FileSource): Promise<void> {
  const batches = parser.readFile({
    type: request.type,
    mapping: request.mapping,
    body: request.body,
    onBytes: (n) => (progress.bytes += n),
    onWarning: (warning) => warnings.push(warning),
  });
  for await (const batch of batches) {
    request.signal?.throwIfAborted();
    // The worker sends the rejects to keep (already cut to size) and counts the rest.
    for (const { line, reason, raw } of batch.rejects) request.recordReject({ key: request.stamp.key, line, reason, raw });
    counts.rejected += batch.rejects.length + batch.unrecordedRejects;
    counts.rows += batch.parsedRows;
    writer.writeRows(batch.values, 0, batch.rowCount);
    request.onProgress?.({ rows: counts.rows, bytes: progress.bytes });
  }
}

/** Errors that concern this file's content (as opposed to the connection or the database). */
export function isFileContentError(error: unknown): boolean {
  return error instanceof HeaderError || error instanceof CsvFileError || isGzipError(error);
}

export function isGzipError(error: unknown): boolean {
  const code = errorCode(error);
  return code.startsWith('Z_') || code === 'ERR_ZLIB_INITIALIZATION_FAILED';
}

async function* countBytes(source: AsyncIterable<Uint8Array>, add: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    add(chunk.length);
    yield chunk;
  }
}
