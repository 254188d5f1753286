// The local SQLite database: a documented contract that analysts query with their own tools
// (README, "The database"). Schema versioned with PRAGMA user_version and migrated forward.
import Database from 'better-sqlite3';
import type { ObjectType } from './config';
import type { MappedRecord } from './mapping';

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
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL keeps every commit atomic and consistent; only durability of the very
    // last commits on power loss is traded for speed.
    db.pragma('synchronous = NORMAL');
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

export type WriteOutcome = 'created' | 'updated' | 'skipped';

/** Where the records of one file come from: stamped on every record written. */
export interface FileStamp {
  runId: number;
  key: string;
  syncedAt: string;
}

const TABLE_OF: Record<Exclude<ObjectType, 'tracks' | 'nps'>, string> = {
  organizations: 'organizations',
  accounts: 'accounts',
  users: 'users',
};

/**
 * Prepared statements for writing one object type's records. Create per file (statements are cached
 * by better-sqlite3's prepare on the same text, so this is cheap).
 */
export function createRecordWriter(
  db: SqliteDatabase,
  type: ObjectType,
  mode: 'create_update' | 'update_only',
  stamp: FileStamp,
): (record: MappedRecord) => WriteOutcome {
  const base = { run: stamp.runId, file: stamp.key, now: stamp.syncedAt };
  const touch = `last_synced_at = @now, last_run_id = @run, last_file = @file, sync_count = sync_count + 1`;
  const insertSync = `first_synced_at, last_synced_at, last_run_id, last_file`;
  const insertSyncValues = `@now, @now, @run, @file`;

  if (type === 'nps') {
    const upsert = db.prepare(`
      INSERT INTO nps_responses (external_id, user_id, score, feedback, responded_at, ${insertSync})
      VALUES (@id, @userId, @score, @feedback, @respondedAt, ${insertSyncValues})
      ON CONFLICT (external_id) DO UPDATE SET user_id = excluded.user_id, score = excluded.score,
        feedback = COALESCE(excluded.feedback, feedback), responded_at = excluded.responded_at, ${touch}
      RETURNING sync_count`);
    return (record) => {
      const r = record as Extract<MappedRecord, { type: 'nps' }>;
      const row = upsert.get({ ...base, id: r.id, userId: r.userId, score: r.score, feedback: r.feedback, respondedAt: r.respondedAt }) as { sync_count: number };
      return row.sync_count === 1 ? 'created' : 'updated';
    };
  }

  if (type === 'tracks') {
    const upsert = db.prepare(`
      INSERT INTO events (message_id, user_id, account_id, organization_id, event, occurred_at, properties, ${insertSync})
      VALUES (@messageId, @userId, @accountId, @organizationId, @event, @occurredAt, @full, ${insertSyncValues})
      ON CONFLICT (message_id) DO UPDATE SET user_id = excluded.user_id, account_id = excluded.account_id,
        organization_id = excluded.organization_id, event = excluded.event, occurred_at = excluded.occurred_at,
        properties = json_patch(properties, @patch), ${touch}
      RETURNING sync_count`);
    const fixNulls = nullFixer(db, 'events', 'message_id', 'properties');
    return (record) => {
      const r = record as Extract<MappedRecord, { type: 'tracks' }>;
      const row = upsert.get({
        ...base,
        messageId: r.messageId,
        userId: r.target === 'user' ? r.targetId : null,
        accountId: r.target === 'account' ? r.targetId : null,
        organizationId: r.target === 'organization' ? r.targetId : null,
        event: r.event,
        occurredAt: r.occurredAt,
        full: r.properties.fullJson,
        patch: r.properties.patchJson,
      }) as { sync_count: number };
      if (row.sync_count === 1) return 'created';
      if (r.properties.nullKeys.length) fixNulls(r.messageId, r.properties.nullKeys);
      return 'updated';
    };
  }

  const table = TABLE_OF[type];
  // Columns besides ID and traits, per table, with their record field names.
  const fields: [column: string, param: string][] =
    type === 'organizations'
      ? [['name', 'name']]
      : type === 'accounts'
        ? [['name', 'name'], ['organization_id', 'organizationId']]
        : [['name', 'name'], ['email', 'email'], ['organization_id', 'organizationId']];
  // An empty mapped cell leaves the stored value alone on update: COALESCE with the old value.
  const keepOld = fields.map(([column, param]) => `${column} = COALESCE(@${param}, ${column})`).join(', ');
  const update = db.prepare(`
    UPDATE ${table} SET ${keepOld}, traits = json_patch(traits, @patch), ${touch}
    WHERE external_id = @id`);
  const upsert = db.prepare(`
    INSERT INTO ${table} (external_id, ${fields.map(([c]) => c).join(', ')}, traits, ${insertSync})
    VALUES (@id, ${fields.map(([, p]) => `@${p}`).join(', ')}, @full, ${insertSyncValues})
    ON CONFLICT (external_id) DO UPDATE SET ${keepOld}, traits = json_patch(traits, @patch), ${touch}
    RETURNING sync_count`);
  const linkAccount = db.prepare(`
    INSERT INTO user_accounts (user_id, account_id, first_synced_at, last_run_id, last_file)
    VALUES (@id, @accountId, @now, @run, @file)
    ON CONFLICT (user_id, account_id) DO UPDATE SET last_run_id = @run, last_file = @file`);
  const fixNulls = nullFixer(db, table, 'external_id', 'traits');

  return (record) => {
    const r = record as Extract<MappedRecord, { type: 'organizations' | 'accounts' | 'users' }>;
    const params: Record<string, unknown> = { ...base, id: r.id, full: r.traits.fullJson, patch: r.traits.patchJson };
    for (const [, param] of fields) params[param] = (r as unknown as Record<string, unknown>)[param] ?? null;
    let outcome: WriteOutcome;
    if (mode === 'update_only') {
      if (update.run(params).changes === 0) return 'skipped';
      outcome = 'updated';
    } else {
      outcome = (upsert.get(params) as { sync_count: number }).sync_count === 1 ? 'created' : 'updated';
    }
    if (outcome === 'updated' && r.traits.nullKeys.length) fixNulls(r.id, r.traits.nullKeys);
    if (r.type === 'users' && r.accountId !== null) linkAccount.run({ ...base, id: r.id, accountId: r.accountId });
    return outcome;
  };
}

/** Sets traits to JSON null on an existing record (json_patch would delete them instead). */
function nullFixer(db: SqliteDatabase, table: string, idColumn: string, jsonColumn: string) {
  const read = db.prepare(`SELECT ${jsonColumn} AS json FROM ${table} WHERE ${idColumn} = ?`);
  const write = db.prepare(`UPDATE ${table} SET ${jsonColumn} = ? WHERE ${idColumn} = ?`);
  return (id: string, keys: string[]): void => {
    const current = JSON.parse((read.get(id) as { json: string }).json) as Record<string, unknown>;
    for (const key of keys) current[key] = null;
    write.run(JSON.stringify(current), id);
  };
}

interface ReferenceCheck {
  /** What refers, in words, and the SQL that finds dangling references among this file's records. */
  describe: (count: number, example: string) => string;
  sql: string;
}

const REFERENCE_CHECKS: Record<ObjectType, ReferenceCheck[]> = {
  organizations: [],
  accounts: [
    {
      describe: (n, ex) => `${n} account${n > 1 ? 's refer' : ' refers'} to an organization that does not exist (for example "${ex}")`,
      sql: `SELECT count(*) AS n, min(organization_id) AS example FROM accounts WHERE last_run_id = @run AND last_file = @file
            AND organization_id IS NOT NULL AND organization_id NOT IN (SELECT external_id FROM organizations)`,
    },
  ],
  users: [
    {
      describe: (n, ex) => `${n} user${n > 1 ? 's refer' : ' refers'} to an organization that does not exist (for example "${ex}")`,
      sql: `SELECT count(*) AS n, min(organization_id) AS example FROM users WHERE last_run_id = @run AND last_file = @file
            AND organization_id IS NOT NULL AND organization_id NOT IN (SELECT external_id FROM organizations)`,
    },
    {
      describe: (n, ex) => `${n} user-account link${n > 1 ? 's refer' : ' refers'} to an account that does not exist (for example "${ex}")`,
      sql: `SELECT count(*) AS n, min(account_id) AS example FROM user_accounts WHERE last_run_id = @run AND last_file = @file
            AND account_id NOT IN (SELECT external_id FROM accounts)`,
    },
  ],
  nps: [
    {
      describe: (n, ex) => `${n} NPS response${n > 1 ? 's refer' : ' refers'} to a user that does not exist (for example "${ex}")`,
      sql: `SELECT count(*) AS n, min(user_id) AS example FROM nps_responses WHERE last_run_id = @run AND last_file = @file
            AND user_id NOT IN (SELECT external_id FROM users)`,
    },
  ],
  tracks: (
    [
      ['user_id', 'users', 'user'],
      ['account_id', 'accounts', 'account'],
      ['organization_id', 'organizations', 'organization'],
    ] as const
  ).map(([column, table, noun]) => ({
    describe: (n: number, ex: string) => `${n} event${n > 1 ? 's refer' : ' refers'} to a${noun === 'organization' || noun === 'account' ? 'n' : ''} ${noun} that does not exist (for example "${ex}")`,
    sql: `SELECT count(*) AS n, min(${column}) AS example FROM events WHERE last_run_id = @run AND last_file = @file
          AND ${column} IS NOT NULL AND ${column} NOT IN (SELECT external_id FROM ${table})`,
  })),
};

/** References to records that do not exist yet: stored as given, reported as warnings. */
export function findDanglingReferences(db: SqliteDatabase, type: ObjectType, stamp: FileStamp): string[] {
  const warnings: string[] = [];
  for (const check of REFERENCE_CHECKS[type]) {
    const row = db.prepare(check.sql).get({ run: stamp.runId, file: stamp.key }) as { n: number; example: string | null };
    if (row.n > 0) warnings.push(`${check.describe(row.n, row.example ?? '')}; stored as given.`);
  }
  return warnings;
}
