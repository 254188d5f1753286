// Imports one CSV file into the database in one transaction: it lands whole or not at all.
import type { ObjectMapping, ObjectType } from './config';
import { CsvFileError, readCsv } from './csv-reader';
import { createRowMapper, HeaderError, type RowMapper } from './mapping';
import type { FileCounts, RejectedRow } from './run-log';
import { createRecordWriter, findDanglingReferences, type FileStamp, type SqliteDatabase } from './store';

/** Stored rejected rows per file; beyond this they are counted but not kept (a broken export can reject millions). */
export const MAX_STORED_REJECTS_PER_FILE = 1000;
/** Raw text kept per rejected row. */
const MAX_RAW_CHARS = 10_000;

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
}

export interface ImportResult extends FileCounts {
  warnings: string[];
}

export async function importFile(request: ImportRequest): Promise<ImportResult> {
  const { db, type, mapping, stamp } = request;
  const counts: FileCounts = { rows: 0, created: 0, updated: 0, skipped: 0, rejected: 0 };
  let bytes = 0;
  const countedBody = countBytes(request.body, (n) => (bytes += n));
  const reject = (line: number, reason: string, raw: () => string): void => {
    counts.rejected++;
    if (counts.rejected <= MAX_STORED_REJECTS_PER_FILE) {
      const text = raw();
      request.recordReject({ key: stamp.key, line, reason, raw: text.length > MAX_RAW_CHARS ? `${text.slice(0, MAX_RAW_CHARS)}… (truncated)` : text });
    }
  };

  // IMMEDIATE takes the write lock now, so a writer elsewhere makes us wait (busy_timeout) up front
  // rather than fail halfway through the file.
  db.exec('BEGIN IMMEDIATE');
  try {
    const writer = createRecordWriter(db, type, mapping, stamp);
    let mapRow: RowMapper | null = null;
    let columnCount = 0;
    for await (const event of readCsv(countedBody, { delimiter: mapping.delimiter })) {
      request.signal?.throwIfAborted();
      if (event.kind === 'header') {
        mapRow = createRowMapper(type, mapping, event.columns);
        columnCount = event.columns.length;
        continue;
      }
      const { rows, lines, malformed } = event;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        counts.rows++;
        const problem = malformed.get(i);
        if (problem) {
          reject(lines[i]!, problem, () => event.rawText(i));
          continue;
        }
        if (row.length !== columnCount) {
          reject(lines[i]!, `the row has ${row.length} field${row.length === 1 ? '' : 's'} but the header has ${columnCount}`, () => event.rawText(i));
          continue;
        }
        const mapped = mapRow!(row);
        if (!mapped.ok) {
          reject(lines[i]!, mapped.reason, () => event.rawText(i));
          continue;
        }
        writer.write(mapped.record);
      }
      request.onProgress?.({ rows: counts.rows, bytes });
    }
    const written = writer.finish();
    counts.created = written.created;
    counts.updated = written.updated;
    counts.skipped = written.skipped;
    const warnings = findDanglingReferences(db, type, stamp, { written, target: 'target' in mapping ? mapping.target : undefined });
    request.beforeCommit(counts, warnings);
    db.exec('COMMIT');
    request.onProgress?.({ rows: counts.rows, bytes });
    return { ...counts, warnings };
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** Errors that concern this file's content (as opposed to the connection or the database). */
export function isFileContentError(error: unknown): boolean {
  return error instanceof HeaderError || error instanceof CsvFileError || isGzipError(error);
}

export function isGzipError(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  return code.startsWith('Z_') || code === 'ERR_ZLIB_INITIALIZATION_FAILED';
}

async function* countBytes(source: AsyncIterable<Uint8Array>, add: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    add(chunk.length);
    yield chunk;
  }
}
