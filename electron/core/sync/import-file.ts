// Imports one CSV file into the target in one transaction: it lands whole or not at all.
import type { ObjectMapping, ObjectType } from '../../shared/config';
import { CsvFileError, readCsv } from '../csv/rows';
import { MAX_STORED_REJECTS_PER_FILE, rejectReasonForFieldCount, truncateRaw } from '../mapping/reject-rules';
import { createRowEncoder, HeaderError, mappedColumns, type RowEncoder } from '../mapping/row-encoder';
import { canonicalHeader } from '../mapping/header-match';
import { ROW_WIDTH, type RowValue } from '../mapping/record-rows';
import type { FileCounts } from '../../shared/domain';
import type { FileWrite, MaybePromise, SyncTarget } from '../db/sync-target';
import type { FileStamp } from '../db/tables';
import { errorCode } from '../../shared/error-code';

export { MAX_STORED_REJECTS_PER_FILE } from '../mapping/reject-rules';

export interface ImportProgress {
  rows: number;
  bytes: number;
}

export interface ImportRequest {
  target: SyncTarget;
  type: ObjectType;
  mapping: ObjectMapping;
  stamp: FileStamp;
  body: AsyncIterable<Uint8Array>;
  /** Commits the file with its bookkeeping (file_state, sync_files), in the file's transaction. */
  commit: (write: FileWrite, counts: FileCounts, warnings: string[]) => MaybePromise<void>;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
}

export interface ImportResult extends FileCounts {
  warnings: string[];
}

export async function importFile(request: ImportRequest): Promise<ImportResult> {
  const { target, type, mapping, stamp } = request;
  const counts: FileCounts = { rows: 0, created: 0, updated: 0, skipped: 0, rejected: 0 };
  const progress = { rows: 0, bytes: 0 };
  const write = await target.beginFile(type, mapping, stamp);
  const reject = (line: number, reason: string, raw: () => string): void => {
    counts.rejected++;
    if (counts.rejected <= MAX_STORED_REJECTS_PER_FILE)
      write.recordReject({ key: stamp.key, line, reason, raw: truncateRaw(raw()) });
  };
  try {
    const source: FileSource = { request, write, counts, progress, reject, warnings: [], header: null };
    await readRows(source);
    const finished = await write.finish(source.header);
    counts.created = finished.created;
    counts.updated = finished.updated;
    counts.skipped = finished.skipped;
    const warnings = [
      ...(finished.columnChange ? [finished.columnChange] : []),
      ...source.warnings,
      ...finished.warnings,
    ];
    await request.commit(write, counts, warnings);
    request.onProgress?.({ rows: counts.rows, bytes: progress.bytes });
    return { ...counts, warnings };
  } catch (error) {
    try {
      await write.rollback();
    } catch {
      // The connection that held the transaction is gone: the server rolled it back already.
    }
    throw error;
  }
}

interface FileSource {
  request: ImportRequest;
  write: FileWrite;
  counts: FileCounts;
  progress: ImportProgress;
  reject: (line: number, reason: string, raw: () => string) => void;
  /** The reader's warnings about the whole file (invalid UTF-8, NUL characters). */
  warnings: string[];
  /** The file's header, once read. */
  header: string[] | null;
}

/** Reads, checks and maps the rows on this thread. */
async function readRows(source: FileSource): Promise<void> {
  const { request, write, counts, progress, reject, warnings } = source;
  const body = countBytes(request.body, (n) => (progress.bytes += n));
  let encodeRow: RowEncoder | null = null;
  let columnCount = 0;
  // One row of values, reused: the encoder fills it and the writer copies it into its batch.
  const values = new Array<RowValue>(ROW_WIDTH[request.type]).fill(null);
  const options = {
    delimiter: request.mapping.delimiter,
    encoding: request.mapping.encoding,
    onWarning: (warning: string) => warnings.push(warning),
  };
  for await (const event of readCsv(body, options)) {
    request.signal?.throwIfAborted();
    if (event.kind === 'header') {
      encodeRow = createRowEncoder(request.type, request.mapping, event.columns);
      // Compared with the last file's under the names the mapping knows (aliases applied).
      source.header = canonicalHeader(event.columns, request.mapping, Object.values(mappedColumns(request.mapping)));
      columnCount = event.columns.length;
      continue;
    }
    const { rows, lines, malformed } = event;
    const anyMalformed = malformed.size > 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      counts.rows++;
      const problem =
        (anyMalformed ? malformed.get(i) : undefined) ??
        (row.length !== columnCount ? rejectReasonForFieldCount(row.length, columnCount) : undefined);
      if (problem) {
        reject(lines[i]!, problem, () => event.rawText(i));
        continue;
      }
      const reason = encodeRow!(row, values, 0);
      if (reason !== null) {
        reject(lines[i]!, reason, () => event.rawText(i));
        continue;
      }
      // Only a target that must be waited for (COPY's backpressure) returns a promise.
      const pending = write.writeRows(values, 0, 1);
      if (pending) await pending;
    }
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
