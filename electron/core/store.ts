// The local SQLite database: a documented contract that analysts query with their own tools
// (README, "The database"). Schema versioned with PRAGMA user_version and migrated forward.
import Database from 'better-sqlite3';
import type { ObjectMapping, ObjectType, TracksMapping } from './config';
import type { AccountRecord, EventRecord, MappedRecord, NpsRecord, OrganizationRecord, UserRecord } from './mapping';

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
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Page size of databases created from now on (existing ones keep theirs). */
export const NEW_DATABASE_PAGE_SIZE = 65536;

export class DatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseError';
  }
}

export function openDatabase(path: string, options: { busyTimeoutMs?: number } = {}): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(path);
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    // A new database gets 64 KB pages (the size of an existing one never changes): syncs write in
    // bulk, and SQLite's write, spill and checkpoint work goes page by page. Measured on a 2M-row
    // events import: about 40% less CPU than with 4 KB pages; 1000 one-row files cost ~0.6 ms more each.
    if (db.pragma('page_count', { simple: true }) === 0) db.pragma(`page_size = ${NEW_DATABASE_PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL keeps every commit atomic and consistent; only durability of the very
    // last commits on power loss is traded for speed.
    db.pragma('synchronous = NORMAL');
    // Multi-row upserts keep a statement journal (pages they may have to undo): in memory, not a temp file.
    db.pragma('temp_store = MEMORY');
    // After a checkpoint, a WAL grown by a big import is cut back instead of keeping its size on disk.
    db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (error) {
    throw new DatabaseError(explainSqliteError(error, path));
  }
  return db;
}

function migrate(db: SqliteDatabase): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`was written by a newer version of S3 CSV Sync (schema ${version}; this version knows ${SCHEMA_VERSION}). Update the app`);
  }
  for (let v = version; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

export function explainSqliteError(error: unknown, path: string): string {
  const e = error as { code?: string; message?: string };
  switch (e.code) {
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
  /** Writes one record, or queues it for the next multi-row statement (in file order: the last row wins). */
  write(record: MappedRecord): void;
  /** Writes what is queued; then the file's counts and which rows it wrote. Call once, inside the file's transaction. */
  finish(): WriteCounts & WrittenRows;
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
  db.function(MERGE_TRAITS_FUNCTION, { deterministic: true }, (stored, incoming) => mergeTraits(String(stored), String(incoming)));
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
export function createRecordWriter(db: SqliteDatabase, type: ObjectType, mapping: ObjectMapping, stamp: FileStamp): RecordWriter {
  ensureMergeFunction(db);
  const table = TABLE_OF[type];
  const constants = { run: stamp.runId, file: stamp.key, now: stamp.syncedAt };
  const maxRowid = db.prepare(`SELECT coalesce(max(rowid), 0) FROM ${table}`).pluck();
  const rowidBefore = maxRowid.get() as number;
  const touch = `last_synced_at = excluded.last_synced_at, last_run_id = excluded.last_run_id, last_file = excluded.last_file, sync_count = sync_count + 1`;
  const syncColumns = `first_synced_at, last_synced_at, last_run_id, last_file`;
  const syncValues = `@now, @now, @run, @file`;
  let upserted = 0;
  let updatedOnly = 0;
  let skipped = 0;
  const finish = (batches: BatchedStatement[]): WriteCounts & WrittenRows => {
    for (const batch of batches) batch.flush();
    const created = (maxRowid.get() as number) - rowidBefore;
    const updated = upserted - created + updatedOnly;
    return { created, updated, skipped, rowidBefore, updatedExisting: updated > 0 };
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
    });
    return {
      write(record) {
        const r = record as EventRecord;
        events.add5(r.messageId, r.targetId, r.event, r.occurredAt, r.properties);
        upserted++;
      },
      finish: () => finish([events]),
    };
  }

  if (type === 'nps') {
    const responses = new BatchedStatement(db, {
      head: `INSERT INTO nps_responses (external_id, user_id, score, feedback, responded_at, ${syncColumns}) VALUES`,
      row: `(?, ?, ?, ?, ?, ${syncValues})`,
      tail: `ON CONFLICT (external_id) DO UPDATE SET user_id = excluded.user_id, score = excluded.score,
        feedback = COALESCE(excluded.feedback, feedback), responded_at = excluded.responded_at, ${touch}`,
      paramsPerRow: 5,
      constants,
    });
    return {
      write(record) {
        const r = record as NpsRecord;
        responses.add5(r.id, r.userId, r.score, r.feedback, r.respondedAt);
        upserted++;
      },
      finish: () => finish([responses]),
    };
  }

  // Organizations, accounts, users: columns besides ID and traits, with their record field names.
  const fields: [column: string, field: 'name' | 'organizationId' | 'email'][] =
    type === 'organizations'
      ? [['name', 'name']]
      : type === 'accounts'
        ? [['name', 'name'], ['organization_id', 'organizationId']]
        : [['name', 'name'], ['email', 'email'], ['organization_id', 'organizationId']];
  const fieldsOf = (r: OrganizationRecord | AccountRecord | UserRecord) =>
    fields.map(([, field]) => (r as unknown as Record<string, string | null>)[field] ?? null);
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
  const link = (r: OrganizationRecord | AccountRecord | UserRecord) => {
    if (links && r.type === 'users' && r.accountId !== null) links.add(r.id, r.accountId);
  };

  if ('mode' in mapping && mapping.mode === 'update_only') {
    // An empty mapped cell leaves the stored value alone: COALESCE with the old value.
    const keepOld = fields.map(([column, field]) => `${column} = COALESCE(@${field}, ${column})`).join(', ');
    const update = db.prepare(`
      UPDATE ${table} SET ${keepOld}, traits = ${mergeTraitsSql('traits', '@traits')},
        last_synced_at = @now, last_run_id = @run, last_file = @file, sync_count = sync_count + 1
      WHERE external_id = @id`);
    const paramsOf = (r: OrganizationRecord | AccountRecord | UserRecord) => {
      const params: Record<string, unknown> = { ...constants, id: r.id, traits: r.traits };
      for (const [, field] of fields) params[field] = (r as unknown as Record<string, string | null>)[field] ?? null;
      return params;
    };
    return {
      write(record) {
        const r = record as OrganizationRecord | AccountRecord | UserRecord;
        if (update.run(paramsOf(r)).changes === 0) {
          skipped++;
          return;
        }
        updatedOnly++;
        link(r);
      },
      finish: () => finish(links ? [links] : []),
    };
  }

  const keepOld = fields.map(([column]) => `${column} = COALESCE(excluded.${column}, ${column})`).join(', ');
  const records = new BatchedStatement(db, {
    head: `INSERT INTO ${table} (external_id, ${fields.map(([c]) => c).join(', ')}, traits, ${syncColumns}) VALUES`,
    row: `(?, ${fields.map(() => '?').join(', ')}, ?, ${syncValues})`,
    tail: `ON CONFLICT (external_id) DO UPDATE SET ${keepOld}, traits = ${mergeTraitsSql('traits', 'excluded.traits')}, ${touch}`,
    paramsPerRow: fields.length + 2,
    constants,
  });
  return {
    write(record) {
      const r = record as OrganizationRecord | AccountRecord | UserRecord;
      records.add(r.id, ...fieldsOf(r), r.traits);
      upserted++;
      link(r);
    },
    finish: () => finish(links ? [records, links] : [records]),
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
}

/** Collects rows and runs them UPSERT_BATCH_ROWS at a time in one multi-row statement. */
class BatchedStatement {
  private readonly full: Database.Statement;
  private readonly params: unknown[];
  private length = 0;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly sql: BatchedStatementSql,
  ) {
    this.full = db.prepare(this.sqlFor(UPSERT_BATCH_ROWS));
    this.params = new Array(UPSERT_BATCH_ROWS * sql.paramsPerRow);
  }

  add(...values: unknown[]): void {
    for (const value of values) this.params[this.length++] = value;
    if (this.length === this.params.length) this.flush();
  }

  /** add() for five values, without an arguments array per row (the events path runs it millions of times). */
  add5(a: unknown, b: unknown, c: unknown, d: unknown, e: unknown): void {
    const p = this.params;
    let n = this.length;
    p[n++] = a;
    p[n++] = b;
    p[n++] = c;
    p[n++] = d;
    p[n++] = e;
    this.length = n;
    if (n === p.length) this.flush();
  }

  flush(): void {
    if (this.length === 0) return;
    if (this.length === this.params.length) this.full.run(this.params, this.sql.constants);
    else this.db.prepare(this.sqlFor(this.length / this.sql.paramsPerRow)).run(this.params.slice(0, this.length), this.sql.constants);
    this.length = 0;
  }

  private sqlFor(rows: number): string {
    return `${this.sql.head} ${Array.from({ length: rows }, () => this.sql.row).join(', ')} ${this.sql.tail}`;
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
}

const REFERENCE_CHECKS: Record<ObjectType, ReferenceCheck[]> = {
  organizations: [],
  accounts: [
    {
      table: 'accounts',
      column: 'organization_id',
      refersTo: 'organizations',
      describe: (n, ex) => `${n} account${n > 1 ? 's refer' : ' refers'} to an organization that does not exist (for example "${ex}")`,
    },
  ],
  users: [
    {
      table: 'users',
      column: 'organization_id',
      refersTo: 'organizations',
      describe: (n, ex) => `${n} user${n > 1 ? 's refer' : ' refers'} to an organization that does not exist (for example "${ex}")`,
    },
    {
      table: 'user_accounts',
      column: 'account_id',
      refersTo: 'accounts',
      describe: (n, ex) => `${n} user-account link${n > 1 ? 's refer' : ' refers'} to an account that does not exist (for example "${ex}")`,
    },
  ],
  nps: [
    {
      table: 'nps_responses',
      column: 'user_id',
      refersTo: 'users',
      describe: (n, ex) => `${n} NPS response${n > 1 ? 's refer' : ' refers'} to a user that does not exist (for example "${ex}")`,
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
    describe: (n: number, ex: string) => `${n} event${n > 1 ? 's refer' : ' refers'} to a${noun === 'organization' || noun === 'account' ? 'n' : ''} ${noun} that does not exist (for example "${ex}")`,
  })),
};

export interface ReferenceScope {
  /** Which rows of the type's own table the file wrote: lets the check read only those. */
  written?: WrittenRows;
  /** The tracks target of the file: its events refer only through that column. */
  target?: TracksMapping['target'];
}

/** References to records that do not exist yet: stored as given, reported as warnings. */
export function findDanglingReferences(db: SqliteDatabase, type: ObjectType, stamp: FileStamp, scope: ReferenceScope = {}): string[] {
  const warnings: string[] = [];
  for (const check of REFERENCE_CHECKS[type]) {
    if (check.target && scope.target && check.target !== scope.target) continue;
    const written = check.table === TABLE_OF[type] ? scope.written : undefined;
    const row = db.prepare(referenceCheckSql(check, written)).get({ run: stamp.runId, file: stamp.key, rowidBefore: written?.rowidBefore ?? 0 }) as {
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
        ...(written.updatedExisting ? [`SELECT ${column} AS ref FROM ${table} WHERE rowid <= @rowidBefore AND ${fromThisFile}`] : []),
      ]
    : [`SELECT ${column} AS ref FROM ${table} WHERE ${fromThisFile}`];
  return `SELECT count(*) AS n, min(ref) AS example FROM (${sources.join(' UNION ALL ')})
          WHERE ref IS NOT NULL AND ref NOT IN (SELECT external_id FROM ${refersTo})`;
}
