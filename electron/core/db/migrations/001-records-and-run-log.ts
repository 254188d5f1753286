// SQLite schema 1: the five record tables, the run log and file_state (README, "The database").
// Never edit a released migration: add one.

// Columns every synced record carries: when it was first and last synced, by which run, from which file.
const SYNC_COLUMNS = `
  first_synced_at TEXT NOT NULL,
  last_synced_at TEXT NOT NULL,
  last_run_id INTEGER NOT NULL,
  last_file TEXT NOT NULL,
  sync_count INTEGER NOT NULL DEFAULT 1`;

export const MIGRATION_001 = `
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
`;
