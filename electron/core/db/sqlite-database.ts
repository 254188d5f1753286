// The local SQLite database: opening it with the settings a bulk sync needs, and its errors in plain words.
import Database from 'better-sqlite3';
import { errorCode } from '../../shared/error-code';
import { migrate } from './migrations/sqlite-migrations';
import { DatabaseError } from './database-error';
import { indexNewRows } from './search-index';

export type SqliteDatabase = Database.Database;

/** SQLite's page cache per connection, in KiB. */
const PAGE_CACHE_KIB = 16_000;

/** Page size of databases created from now on (existing ones keep theirs). */
export const NEW_DATABASE_PAGE_SIZE = 65536;

export { DatabaseError };

/**
 * How long a write waits for another program's write lock (an analyst's shell inside BEGIN IMMEDIATE,
 * a second sync) before the run fails saying so. S3_CSV_SYNC_BUSY_TIMEOUT_MS overrides it (tests).
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

function busyTimeoutFromEnv(): number | undefined {
  const value = Number(process.env.S3_CSV_SYNC_BUSY_TIMEOUT_MS);
  return Number.isInteger(value) && value >= 0 && process.env.S3_CSV_SYNC_BUSY_TIMEOUT_MS !== '' ? value : undefined;
}

export function openDatabase(path: string, options: { busyTimeoutMs?: number } = {}): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(path);
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? busyTimeoutFromEnv() ?? DEFAULT_BUSY_TIMEOUT_MS}`);
    // A new database gets 64 KB pages (the size of an existing one never changes): syncs write in
    // bulk, and SQLite's write, spill and checkpoint work goes page by page. Measured on a 2M-row
    // events import: about 40% less CPU than with 4 KB pages; 1000 one-row files cost ~0.6 ms more each.
    if (db.pragma('page_count', { simple: true }) === 0) db.pragma(`page_size = ${NEW_DATABASE_PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL keeps every commit atomic and consistent; only durability of the very
    // last commits on power loss is traded for speed.
    db.pragma('synchronous = NORMAL');
    // Set explicitly once the page size is known: the default cache spill threshold is counted in
    // pages of the default size, so with 64 KB pages a big import held ~240 MB of dirty pages before
    // spilling any (measured: peak RSS 374 MB for 1M rows, 142 MB with this).
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    // Multi-row upserts keep a statement journal (pages they may have to undo): in memory, not a temp file.
    db.pragma('temp_store = MEMORY');
    // After a checkpoint, a WAL grown by a big import is cut back instead of keeping its size on disk.
    db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
    if (!db.readonly) indexNewRowsUnlessBusy(db);
  } catch (error) {
    throw new DatabaseError(explainSqliteError(error, path));
  }
  return db;
}

/** Rows other programs added reach the search index; a database another program is writing waits for the next open. */
function indexNewRowsUnlessBusy(db: SqliteDatabase): void {
  try {
    withoutBusyWait(db, () => indexNewRows(db));
  } catch (error) {
    if (!isDatabaseBusy(error)) throw error;
  }
}

/** Another connection held the lock for longer than the busy timeout. */
export function isDatabaseBusy(error: unknown): boolean {
  return errorCode(error).startsWith('SQLITE_BUSY');
}

/** Runs a write that may not wait for another program's lock (the busy timeout has been waited once already). */
export function withoutBusyWait<T>(db: SqliteDatabase, write: () => T): T {
  const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    return write();
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

export function explainSqliteError(error: unknown, path: string): string {
  const e = error as { message?: string };
  const code = errorCode(error);
  // Extended codes (SQLITE_READONLY_DIRECTORY, SQLITE_IOERR_WRITE, ...) say more than the primary one.
  if (code === 'SQLITE_READONLY_DIRECTORY') {
    return `The folder holding the database ${path} is read-only, and SQLite needs to create its journal files (-wal, -shm) beside it. Check the folder's permissions.`;
  }
  if (code.startsWith('SQLITE_IOERR')) {
    // A write past a file size limit (EFBIG) comes out as an I/O error too, not as SQLITE_FULL.
    return `Writing to the database ${path} failed (disk I/O error): the disk may be full or failing, or the file may have reached a size limit. Free some space or check the disk, and sync again; nothing of the interrupted file was stored.`;
  }
  switch (code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1')) {
    case 'SQLITE_BUSY':
      return `The database ${path} is locked by another program that is writing to it. Close that program (or finish its transaction) and sync again.`;
    case 'SQLITE_FULL':
      return `The disk holding ${path} is full. Free some space and sync again; nothing of the interrupted file was stored.`;
    case 'SQLITE_READONLY':
      return `The database ${path} is read-only. Check the file's permissions.`;
    case 'SQLITE_CANTOPEN':
      return `The database ${path} cannot be opened: check that its folder exists and is writable.`;
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return `${path} is not a valid SQLite database (or it is damaged). Move it aside and sync again to rebuild it.`;
    default:
      return `The database ${path} ${e.message ?? String(error)}`;
  }
}

/** One file's transaction. IMMEDIATE takes the write lock now, so a writer elsewhere makes us wait
 * (busy_timeout) up front rather than fail halfway through the file. */
export function beginFileTransaction(db: SqliteDatabase): void {
  db.exec('BEGIN IMMEDIATE');
}

export function commitFileTransaction(db: SqliteDatabase): void {
  db.exec('COMMIT');
}

export function rollbackFileTransaction(db: SqliteDatabase): void {
  if (db.inTransaction) db.exec('ROLLBACK');
}

export function isSqliteError(error: unknown): boolean {
  return errorCode(error).startsWith('SQLITE_');
}

/** Errors after which no other file can be written either: the run stops. */
export function isFatalSqliteError(error: unknown): boolean {
  return /^SQLITE_(BUSY|FULL|READONLY|IOERR|CORRUPT|NOTADB|CANTOPEN)/.test(errorCode(error));
}

/**
 * No checkpoint at each commit: a file's import commits into the WAL, and the pages are copied into
 * the database file after the run. The copy is the same work either way (1.1-1.5 s after a 2M-row
 * import of 5-6.6 s), but it no longer holds up the report; readers see the data from the WAL meanwhile.
 */
export function deferCheckpoints(db: SqliteDatabase): void {
  db.pragma('wal_autocheckpoint = 0');
}

/**
 * TRUNCATE also empties the WAL file (a big import's WAL would otherwise keep its size on disk until
 * the next write). With no busy wait it never waits for readers (an analyst's open query): it copies
 * what they do not hold, as PASSIVE would, and a later checkpoint the rest.
 */
export function checkpointWithoutWaiting(db: SqliteDatabase): void {
  db.pragma('busy_timeout = 0');
  db.pragma('wal_checkpoint(TRUNCATE)');
}
