// The local SQLite database: a documented contract that analysts query with their own tools
// (README, "The database"). Schema versioned with PRAGMA user_version and migrated forward.
import Database from 'better-sqlite3';
import type { ObjectMapping, ObjectType, TracksMapping } from '../../shared/config';
import { ROW_WIDTH, type RowValue } from '../mapping/record-rows';
import { errorCode } from '../../shared/error-code';
import { RECORD_FILES_MIGRATION } from './record-files';
import { indexNewRows, SEARCH_INDEX_MIGRATION } from './search-index';
import { FILE_COLUMNS_MIGRATION } from './file-columns';

export type SqliteDatabase = Database.Database;

// Columns every synced record carries: when it was first and last synced, by which run, from which file.
const SYNC_COLUMNS = `
  first_synced_at TEXT NOT NULL,
  last_synced_at TEXT NOT NULL,
  last_run_id INTEGER NOT NULL,
  last_file TEXT NOT NULL,
  sync_count INTEGER NOT NULL DEFAULT 1`;

/** Migration i takes the schema from version i to i+1. Never edit a released migration: add one. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE organizations (
    external_id TEXT PRIMARY KEY,
    name TEXT,
    traits TEXT NOT NULL DEFAULT '{}',${SYNC_COLUMNS}
  );
  CREATE TABLE accounts (
    external_id TEXT PRIMARY KEY,
    name TEXT,
    organization_id TEXT,
    traits TEXT NOT NULL DEFAULT '{}',${SYNC_COLUMNS}
  );
  CREATE TABLE users (
    external_id TEXT PRIMARY KEY,
    name TEXT,
    email TEXT,
    organization_id TEXT,
    traits TEXT NOT NULL DEFAULT '{}',${SYNC_COLUMNS}
  );
  CREATE TABLE user_accounts (
    user_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    first_synced_at TEXT NOT NULL,
    last_run_id INTEGER NOT NULL,
    last_file TEXT NOT NULL,
    PRIMARY KEY (user_id, account_id)
  ) WITHOUT ROWID;
  CREATE TABLE nps_responses (
    external_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    feedback TEXT,
    responded_at TEXT NOT NULL,${SYNC_COLUMNS}
  );
  CREATE TABLE events (
    message_id TEXT PRIMARY KEY,
    user_id TEXT,
    account_id TEXT,
    organization_id TEXT,
    event TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    properties TEXT NOT NULL DEFAULT '{}',${SYNC_COLUMNS}
  );
  CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trigger TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    error TEXT,
    files_imported INTEGER NOT NULL DEFAULT 0,
    files_unchanged INTEGER NOT NULL DEFAULT 0,
    files_failed INTEGER NOT NULL DEFAULT 0,
    rows INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    over_cap TEXT NOT NULL DEFAULT '{}'
  );
  CREATE TABLE sync_files (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES sync_runs(id),
    object_type TEXT NOT NULL,
    key TEXT NOT NULL,
    etag TEXT,
    size INTEGER,
    status TEXT NOT NULL,
    rows INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    warnings TEXT NOT NULL DEFAULT '[]',
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL
  );
  CREATE INDEX sync_files_by_run ON sync_files(run_id);
  CREATE TABLE sync_rejects (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES sync_runs(id),
    key TEXT NOT NULL,
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL
  );
  CREATE INDEX sync_rejects_by_run ON sync_rejects(run_id, key);
  -- The last successful import of each file: lets an unchanged file be skipped, and marks files
  -- that disappeared from the bucket (their records stay, as stale).
  CREATE TABLE file_state (
    object_type TEXT NOT NULL,
    key TEXT NOT NULL,
    etag TEXT NOT NULL,
    size INTEGER NOT NULL,
    mapping_hash TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    missing_since TEXT,
    PRIMARY KEY (object_type, key)
  ) WITHOUT ROWID;
  `,
  // Which process runs a sync: a run left 'running' is marked interrupted only once that process is
  // gone (a CLI sync must not mark the app's live run, or the other way round).
  `
  ALTER TABLE sync_runs ADD COLUMN pid INTEGER;
  ALTER TABLE sync_runs ADD COLUMN host TEXT;
  `,
  // Honest staleness (docs/stale-records.md): which files hold each record, files still listed but no
  // longer selected by their type's pattern, and the files each run found gone.
  `
  ${RECORD_FILES_MIGRATION}
  `,
  // Case- and accent-insensitive search (search-index.ts).
  SEARCH_INDEX_MIGRATION,
  // The header each file was read with, for the run log's notice of changed columns (file-columns.ts).
  FILE_COLUMNS_MIGRATION,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** SQLite's page cache per connection, in KiB. */
const PAGE_CACHE_KIB = 16_000;

/** Page size of databases created from now on (existing ones keep theirs). */
export const NEW_DATABASE_PAGE_SIZE = 65536;

export class DatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseError';
  }
}

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

function migrate(db: SqliteDatabase): void {
  const schemaVersion = () => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `was written by a newer version of S3 CSV Sync (schema ${version}; this version knows ${SCHEMA_VERSION}). Update the app`,
      );
    }
    return version;
  };
  if (schemaVersion() === SCHEMA_VERSION) return;
  // The version is read again under the write lock: two processes opening an old database at once
  // (the app and a CLI sync) would otherwise both run a migration, and the second one fail.
  db.transaction(() => {
    for (let v = schemaVersion(); v < SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
  }).immediate();
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

/** Where the records of one file come from: stamped on every record written. */
export interface FileStamp {
  runId: number;
  key: string;
  syncedAt: string;
}

export interface WriteCounts {
  created: number;
  updated: number;
  skipped: number;
}

/** Which rows of a table one file wrote: the ones it created (above a rowid) and, if any, ones it updated. */
export interface WrittenRows {
  /** Rows it created have a rowid above this (SQLite gives a new row the largest rowid plus one). */
  rowidBefore: number;
  /** Whether it updated rows that existed before it (found by their last_run_id and last_file). */
  updatedExisting: boolean;
}

export interface RecordWriter {
  /** Writes `count` records given as rows (see record-rows.ts), starting at values[from], or queues them
   * for the next multi-row statement (in file order: the last row wins). */
  writeRows(values: readonly RowValue[], from: number, count: number): void;
  /** Writes what is queued; then the file's counts and which rows it wrote. Call once, inside the file's transaction. */
  finish(): WriteCounts & WrittenRows & { references: CountedReferences };
}

/**
 * Rows per multi-row INSERT ... ON CONFLICT DO UPDATE statement: one call into SQLite per batch
 * rather than per row. (SQLite applies a multi-row upsert row by row, so a repeated ID still ends
 * with its last row.)
 */
export const UPSERT_BATCH_ROWS = 200;

const TABLE_OF: Record<ObjectType, string> = {
  organizations: 'organizations',
  accounts: 'accounts',
  users: 'users',
  nps: 'nps_responses',
  tracks: 'events',
};

/** The SQL function that merges traits when the incoming ones hold explicit nulls (see mergeTraits). */
const MERGE_TRAITS_FUNCTION = 's3sync_merge_traits';
const connectionsWithMerge = new WeakSet<SqliteDatabase>();

/**
 * Stored traits merged with incoming ones: json_patch, except that an explicit null sets the trait to
 * null (json_patch would delete it). The JavaScript merge only runs for incoming traits that mention
 * a null; the rest stay in SQLite's json_patch.
 */
function mergeTraitsSql(stored: string, incoming: string): string {
  return `CASE WHEN instr(${incoming}, ':null') THEN ${MERGE_TRAITS_FUNCTION}(${stored}, ${incoming}) ELSE json_patch(${stored}, ${incoming}) END`;
}

function ensureMergeFunction(db: SqliteDatabase): void {
  if (connectionsWithMerge.has(db)) return;
  db.function(MERGE_TRAITS_FUNCTION, { deterministic: true }, (stored, incoming) =>
    mergeTraits(String(stored), String(incoming)),
  );
  connectionsWithMerge.add(db);
}

/** Incoming traits over stored ones, keys in place, new ones appended, nulls kept as null. */
export function mergeTraits(storedJson: string, incomingJson: string): string {
  // Null-prototype objects: a trait named "__proto__" is a trait, not a prototype.
  const merged: Record<string, unknown> = Object.assign(Object.create(null), JSON.parse(storedJson));
  Object.assign(merged, JSON.parse(incomingJson));
  return JSON.stringify(merged);
}

/**
 * Writes one file's records of one object type. Upserts go in multi-row statements; update_only
 * mode (which must know, row by row, whether the record exists) updates one row at a time.
 * Created rows are counted by rowid (new rows get the largest rowid plus one), so no statement
 * needs to return anything.
 */
export function createRecordWriter(
  db: SqliteDatabase,
  type: ObjectType,
  mapping: ObjectMapping,
  stamp: FileStamp,
): RecordWriter {
  ensureMergeFunction(db);
  const table = TABLE_OF[type];
  const width = ROW_WIDTH[type];
  const constants = { run: stamp.runId, file: stamp.key, now: stamp.syncedAt };
  const maxRowid = db.prepare(`SELECT coalesce(max(rowid), 0) FROM ${table}`).pluck();
  const rowidBefore = maxRowid.get() as number;
  const touch = `last_synced_at = excluded.last_synced_at, last_run_id = excluded.last_run_id, last_file = excluded.last_file, sync_count = sync_count + 1`;
  const syncColumns = `first_synced_at, last_synced_at, last_run_id, last_file`;
  const syncValues = `@now, @now, @run, @file`;
  let upserted = 0;
  let updatedOnly = 0;
  let skipped = 0;
  const statements: BatchedStatement[] = [];
  /** Writes one row (values[at] .. values[at + width - 1]). */
  let writeRow: (values: readonly RowValue[], at: number) => void;
  const upsertInto =
    (statement: BatchedStatement, then?: (values: readonly RowValue[], at: number) => void) =>
    (values: readonly RowValue[], at: number): void => {
      statement.addRow(values, at);
      upserted++;
      then?.(values, at);
    };

  if (type === 'tracks') {
    const target = (mapping as TracksMapping).target;
    const slot = (t: TracksMapping['target']) => (t === target ? '?' : 'NULL');
    const events = new BatchedStatement(db, {
      head: `INSERT INTO events (message_id, user_id, account_id, organization_id, event, occurred_at, properties, ${syncColumns}) VALUES`,
      row: `(?, ${slot('user')}, ${slot('account')}, ${slot('organization')}, ?, ?, ?, ${syncValues})`,
      tail: `ON CONFLICT (message_id) DO UPDATE SET user_id = excluded.user_id, account_id = excluded.account_id,
        organization_id = excluded.organization_id, event = excluded.event, occurred_at = excluded.occurred_at,
        properties = ${mergeTraitsSql('properties', 'excluded.properties')}, ${touch}`,
      paramsPerRow: 5,
      constants,
      insertFirst: { table, idColumn: 'message_id', maxRowid: rowidBefore },
    });
    statements.push(events);
    writeRow = upsertInto(events);
  } else if (type === 'nps') {
    const responses = new BatchedStatement(db, {
      head: `INSERT INTO nps_responses (external_id, user_id, score, feedback, responded_at, ${syncColumns}) VALUES`,
      row: `(?, ?, ?, ?, ?, ${syncValues})`,
      tail: `ON CONFLICT (external_id) DO UPDATE SET user_id = excluded.user_id, score = excluded.score,
        feedback = COALESCE(excluded.feedback, feedback), responded_at = excluded.responded_at, ${touch}`,
      paramsPerRow: 5,
      constants,
      insertFirst: { table, idColumn: 'external_id', maxRowid: rowidBefore },
    });
    statements.push(responses);
    writeRow = upsertInto(responses);
  } else {
    // Organizations, accounts, users: the columns between ID and traits, in row order (record-rows.ts).
    const columns =
      type === 'organizations'
        ? ['name']
        : type === 'accounts'
          ? ['name', 'organization_id']
          : ['name', 'email', 'organization_id'];
    const traitsAt = columns.length + 1;
    const links =
      type === 'users'
        ? new BatchedStatement(db, {
            head: `INSERT INTO user_accounts (user_id, account_id, first_synced_at, last_run_id, last_file) VALUES`,
            row: `(?, ?, @now, @run, @file)`,
            tail: `ON CONFLICT (user_id, account_id) DO UPDATE SET last_run_id = excluded.last_run_id, last_file = excluded.last_file`,
            paramsPerRow: 2,
            constants,
          })
        : null;
    // Users: the account ID follows the traits; a row with one links the user to that account.
    const link = (values: readonly RowValue[], at: number) => {
      if (links && values[at + traitsAt + 1] !== null) links.add2(values[at]!, values[at + traitsAt + 1]!);
    };

    if ('mode' in mapping && mapping.mode === 'update_only') {
      // An empty mapped cell leaves the stored value alone: COALESCE with the old value.
      const keepOld = columns.map((column) => `${column} = COALESCE(@${column}, ${column})`).join(', ');
      const update = db.prepare(`
        UPDATE ${table} SET ${keepOld}, traits = ${mergeTraitsSql('traits', '@traits')},
          last_synced_at = @now, last_run_id = @run, last_file = @file, sync_count = sync_count + 1
        WHERE external_id = @id`);
      writeRow = (values, at) => {
        const params: Record<string, unknown> = { ...constants, id: values[at], traits: values[at + traitsAt] };
        columns.forEach((column, i) => (params[column] = values[at + 1 + i]));
        if (update.run(params).changes === 0) {
          skipped++;
          return;
        }
        updatedOnly++;
        link(values, at);
      };
    } else {
      const keepOld = columns.map((column) => `${column} = COALESCE(excluded.${column}, ${column})`).join(', ');
      const records = new BatchedStatement(db, {
        head: `INSERT INTO ${table} (external_id, ${columns.join(', ')}, traits, ${syncColumns}) VALUES`,
        row: `(?, ${columns.map(() => '?').join(', ')}, ?, ${syncValues})`,
        tail: `ON CONFLICT (external_id) DO UPDATE SET ${keepOld}, traits = ${mergeTraitsSql('traits', 'excluded.traits')}, ${touch}`,
        paramsPerRow: traitsAt + 1,
        constants,
        insertFirst: { table, idColumn: 'external_id', maxRowid: rowidBefore },
      });
      statements.push(records);
      writeRow = upsertInto(records, link);
    }
    if (links) statements.push(links);
  }

  // update_only files update (or skip) rows: their references are checked by query.
  const references = createReferenceCounter(
    db,
    'mode' in mapping && mapping.mode === 'update_only' ? [] : REFERENCE_CHECKS[type],
    mapping,
  );
  if (references.active) {
    const write = writeRow;
    writeRow = (values, at) => {
      references.see(values, at);
      write(values, at);
    };
  }
  return {
    writeRows(values, from, count) {
      for (let i = 0, at = from; i < count; i++, at += width) writeRow(values, at);
    },
    finish() {
      for (const statement of statements) statement.flush();
      const created = (maxRowid.get() as number) - rowidBefore;
      const updated = upserted - created + updatedOnly;
      return { created, updated, skipped, rowidBefore, updatedExisting: updated > 0, references: references.result() };
    },
  };
}

interface BatchedStatementSql {
  /** `INSERT INTO t (...) VALUES` */
  head: string;
  /** One row's values, with ? for each per-row parameter and @names for the constants. */
  row: string;
  /** `ON CONFLICT ... DO UPDATE ...` */
  tail: string;
  paramsPerRow: number;
  constants: Record<string, unknown>;
  /**
   * Try each batch as a plain INSERT OR IGNORE first, and upsert only the rows it skipped (IDs that
   * exist already, or repeat within the batch). A plain insert needs no statement journal, which a
   * multi-row upsert must keep (measured: ~10% less SQLite time for new rows). The rowid of the
   * table's last row and its ID column tell which rows went in.
   */
  insertFirst?: { table: string; idColumn: string; maxRowid: number };
}

/** Collects rows and runs them UPSERT_BATCH_ROWS at a time in one multi-row statement. */
class BatchedStatement {
  private readonly params: unknown[];
  private length = 0;
  private readonly statements = new Map<number, Database.Statement>();
  private insertedIdsQuery: Database.Statement | null = null;
  private maxRowid: number;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly sql: BatchedStatementSql,
  ) {
    this.params = new Array(UPSERT_BATCH_ROWS * sql.paramsPerRow);
    this.maxRowid = sql.insertFirst?.maxRowid ?? 0;
  }

  /** Queues one row: paramsPerRow values from values[at]. */
  addRow(values: readonly RowValue[], at: number): void {
    const params = this.params;
    let n = this.length;
    for (let i = at, end = at + this.sql.paramsPerRow; i < end; i++) params[n++] = values[i];
    this.length = n;
    if (n === params.length) this.flush();
  }

  add2(a: RowValue, b: RowValue): void {
    this.params[this.length++] = a;
    this.params[this.length++] = b;
    if (this.length === this.params.length) this.flush();
  }

  // Statements are run with their parameters spread as arguments: better-sqlite3 reads an array
  // argument element by element through the V8 API, which measured ~9% slower for these batches.
  flush(): void {
    const perRow = this.sql.paramsPerRow;
    const rows = this.length / perRow;
    if (rows === 0) return;
    const params = this.length === this.params.length ? this.params : this.params.slice(0, this.length);
    this.length = 0;
    const insertFirst = this.sql.insertFirst;
    if (!insertFirst) {
      this.statement('upsert', rows).run(...params, this.sql.constants);
      return;
    }
    const inserted = this.statement('insert', rows).run(...params, this.sql.constants).changes;
    const firstNewRowid = this.maxRowid + 1;
    this.maxRowid += inserted;
    if (inserted === rows) return;
    // The IDs that went in; the first row with each of them is the one that did. The others, in
    // file order, are upserts (SQLite applies a multi-row upsert row by row: the last one wins).
    this.insertedIdsQuery ??= this.db
      .prepare(`SELECT ${insertFirst.idColumn} FROM ${insertFirst.table} WHERE rowid >= ?`)
      .pluck();
    const insertedIds = new Set(this.insertedIdsQuery.all(firstNewRowid));
    const rest: unknown[] = [];
    for (let r = 0; r < rows; r++) {
      const at = r * perRow;
      if (insertedIds.delete(params[at])) continue;
      for (let i = at; i < at + perRow; i++) rest.push(params[i]);
    }
    this.statement('upsert', rest.length / perRow).run(...rest, this.sql.constants);
  }

  /** Prepared once per kind and row count for this file (in practice: the batch size, and a few for the rest). */
  private statement(kind: 'insert' | 'upsert', rows: number): Database.Statement {
    const key = kind === 'insert' ? rows : -rows;
    let statement = this.statements.get(key);
    if (!statement) {
      const values = Array.from({ length: rows }, () => this.sql.row).join(', ');
      statement = this.db.prepare(
        kind === 'insert'
          ? `${this.sql.head.replace(/^INSERT INTO /, 'INSERT OR IGNORE INTO ')} ${values}`
          : `${this.sql.head} ${values} ${this.sql.tail}`,
      );
      this.statements.set(key, statement);
    }
    return statement;
  }
}

interface ReferenceCheck {
  /** The table holding the reference, the referring column and the table it refers to. */
  table: string;
  column: string;
  refersTo: string;
  /** What refers, in words. */
  describe: (count: number, example: string) => string;
  /** For tracks: the target this check concerns (a file's events only set their target's column). */
  target?: TracksMapping['target'];
  /** Where the reference sits in the type's record row (record-rows.ts). */
  rowIndex: number;
}

const REFERENCE_CHECKS: Record<ObjectType, ReferenceCheck[]> = {
  organizations: [],
  accounts: [
    {
      table: 'accounts',
      column: 'organization_id',
      refersTo: 'organizations',
      rowIndex: 2,
      describe: (n, ex) =>
        `${n} account${n > 1 ? 's refer' : ' refers'} to an organization that does not exist (for example "${ex}")`,
    },
  ],
  users: [
    {
      table: 'users',
      column: 'organization_id',
      refersTo: 'organizations',
      rowIndex: 3,
      describe: (n, ex) =>
        `${n} user${n > 1 ? 's refer' : ' refers'} to an organization that does not exist (for example "${ex}")`,
    },
    {
      table: 'user_accounts',
      column: 'account_id',
      refersTo: 'accounts',
      rowIndex: 5,
      describe: (n, ex) =>
        `${n} user-account link${n > 1 ? 's refer' : ' refers'} to an account that does not exist (for example "${ex}")`,
    },
  ],
  nps: [
    {
      table: 'nps_responses',
      column: 'user_id',
      refersTo: 'users',
      rowIndex: 1,
      describe: (n, ex) =>
        `${n} NPS response${n > 1 ? 's refer' : ' refers'} to a user that does not exist (for example "${ex}")`,
    },
  ],
  tracks: (
    [
      ['user_id', 'users', 'user'],
      ['account_id', 'accounts', 'account'],
      ['organization_id', 'organizations', 'organization'],
    ] as const
  ).map(([column, refersTo, noun]) => ({
    table: 'events',
    column,
    refersTo,
    target: noun,
    rowIndex: 1,
    describe: (n: number, ex: string) =>
      `${n} event${n > 1 ? 's refer' : ' refers'} to a${noun === 'organization' || noun === 'account' ? 'n' : ''} ${noun} that does not exist (for example "${ex}")`,
  })),
};

export interface ReferenceScope {
  /** Which rows of the type's own table the file wrote: lets the check read only those. */
  written?: WrittenRows;
  /** What the writer counted as it went (exact when the file only created records). */
  counted?: CountedReferences;
  /** The tracks target of the file: its events refer only through that column. */
  target?: TracksMapping['target'];
}

/** References to records that do not exist yet: stored as given, reported as warnings. */
export function findDanglingReferences(
  db: SqliteDatabase,
  type: ObjectType,
  stamp: FileStamp,
  scope: ReferenceScope = {},
): string[] {
  const warnings: string[] = [];
  for (const check of REFERENCE_CHECKS[type]) {
    if (check.target && scope.target && check.target !== scope.target) continue;
    const counted = scope.written && !scope.written.updatedExisting ? scope.counted?.get(check) : undefined;
    if (counted) {
      if (counted.count > 0) warnings.push(`${check.describe(counted.count, counted.example ?? '')}; stored as given.`);
      continue;
    }
    const written = check.table === TABLE_OF[type] ? scope.written : undefined;
    const row = db
      .prepare(referenceCheckSql(check, written))
      .get({ run: stamp.runId, file: stamp.key, rowidBefore: written?.rowidBefore ?? 0 }) as {
      n: number;
      example: string | null;
    };
    if (row.n > 0) warnings.push(`${check.describe(row.n, row.example ?? '')}; stored as given.`);
  }
  return warnings;
}

function referenceCheckSql(check: ReferenceCheck, written: WrittenRows | undefined): string {
  const { table, column, refersTo } = check;
  const fromThisFile = `last_run_id = @run AND last_file = @file`;
  // The rows this file created lie above rowidBefore: a range of the table rather than all of it;
  // rows it updated can be anywhere below, so they are looked for only when there were some.
  const sources = written
    ? [
        `SELECT ${column} AS ref FROM ${table} WHERE rowid > @rowidBefore AND ${fromThisFile}`,
        ...(written.updatedExisting
          ? [`SELECT ${column} AS ref FROM ${table} WHERE rowid <= @rowidBefore AND ${fromThisFile}`]
          : []),
      ]
    : [`SELECT ${column} AS ref FROM ${table} WHERE ${fromThisFile}`];
  return `SELECT count(*) AS n, min(ref) AS example FROM (${sources.join(' UNION ALL ')})
          WHERE ref IS NOT NULL AND ref NOT IN (SELECT external_id FROM ${refersTo})`;
}

/** Dangling references counted by the writer, per check. */
export type CountedReferences = Map<ReferenceCheck, { count: number; example: string | null }>;

/** Referenced tables up to this size are read into memory so the writer can count as it goes. */
/** Referenced IDs remembered per check; past this the memory starts over (a file whose rows each name another ID). */
const MAX_REMEMBERED_REFERENCE_IDS = 200_000;

/**
 * Counts, as rows are written, the references to records that do not exist. When a file only
 * creates records (no row updated an existing one or repeated an ID), every row written is a record
 * of its own and the count is exact, and the check need not read the file's rows back from SQLite
 * (measured: ~0.4 s for 2M events). Otherwise findDanglingReferences queries as before.
 * Each distinct ID is looked up once, by the index: the cost follows the file, not the size of the
 * referenced table (a run of many small files must not load a big table's IDs for each).
 */
function createReferenceCounter(db: SqliteDatabase, checks: readonly ReferenceCheck[], mapping: ObjectMapping) {
  const target = 'target' in mapping ? mapping.target : undefined;
  const counters = checks
    .filter((check) => !check.target || check.target === target)
    .map((check) => ({
      check,
      // An empty referenced table is common (events synced before users): then no ID need be looked up.
      empty: db.prepare(`SELECT NOT EXISTS (SELECT 1 FROM ${check.refersTo})`).pluck().get() === 1,
      exists: db.prepare(`SELECT EXISTS (SELECT 1 FROM ${check.refersTo} WHERE external_id = ?)`).pluck(),
      known: new Map<RowValue, boolean>(),
      count: 0,
      example: null as string | null,
    }));
  return {
    active: counters.length > 0,
    see(values: readonly RowValue[], at: number): void {
      for (const counter of counters) {
        const ref = values[at + counter.check.rowIndex];
        if (ref === null || ref === undefined) continue;
        let found = counter.empty ? false : counter.known.get(ref);
        if (found === undefined) {
          found = counter.exists.get(ref) === 1;
          if (counter.known.size >= MAX_REMEMBERED_REFERENCE_IDS) counter.known.clear();
          counter.known.set(ref, found);
        }
        if (found) continue;
        counter.count++;
        const text = String(ref);
        if (counter.example === null || compareUtf8(text, counter.example) < 0) counter.example = text;
      }
    },
    result(): CountedReferences {
      return new Map(counters.map(({ check, count, example }) => [check, { count, example }]));
    },
  };
}

/** Compares as SQLite's min() does (the bytes of UTF-8), which differs from UTF-16 order only past U+D7FF. */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (a character beyond U+FFFF, 4 bytes in UTF-8) sorts after U+E000-U+FFFF.
    const surrogateX = x >= 0xd800 && x <= 0xdfff;
    const surrogateY = y >= 0xd800 && y <= 0xdfff;
    if (surrogateX !== surrogateY && (surrogateX ? y : x) >= 0xe000) return surrogateX ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
