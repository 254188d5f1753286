// PostgreSQL schema 1: the same tables and meaning as SQLite's schemas 1 and 2, in PostgreSQL's types
// (jsonb traits and properties, timestamptz times, bigint ids), plus what a shared server needs:
// the source of each run and its heartbeat. Never edit a released migration: add one.

const SYNC_COLUMNS = `
  first_synced_at timestamptz NOT NULL,
  last_synced_at timestamptz NOT NULL,
  last_run_id bigint NOT NULL,
  last_file text NOT NULL,
  sync_count integer NOT NULL DEFAULT 1`;

export const PG_MIGRATION_001 = `
  CREATE TABLE organizations (
    external_id text PRIMARY KEY,
    name text,
    traits jsonb NOT NULL DEFAULT '{}',${SYNC_COLUMNS}
  );
  CREATE TABLE accounts (
    external_id text PRIMARY KEY,
    name text,
    organization_id text,
    traits jsonb NOT NULL DEFAULT '{}',${SYNC_COLUMNS}
  );
  CREATE TABLE users (
    external_id text PRIMARY KEY,
    name text,
    email text,
    organization_id text,
    traits jsonb NOT NULL DEFAULT '{}',${SYNC_COLUMNS}
  );
  CREATE TABLE user_accounts (
    user_id text NOT NULL,
    account_id text NOT NULL,
    first_synced_at timestamptz NOT NULL,
    last_run_id bigint NOT NULL,
    last_file text NOT NULL,
    PRIMARY KEY (user_id, account_id)
  );
  CREATE TABLE nps_responses (
    external_id text PRIMARY KEY,
    user_id text NOT NULL,
    score smallint NOT NULL CHECK (score BETWEEN 0 AND 10),
    feedback text,
    responded_at timestamptz NOT NULL,${SYNC_COLUMNS}
  );
  CREATE TABLE events (
    message_id text PRIMARY KEY,
    user_id text,
    account_id text,
    organization_id text,
    event text NOT NULL,
    occurred_at timestamptz NOT NULL,
    properties jsonb NOT NULL DEFAULT '{}',${SYNC_COLUMNS}
  );
  CREATE TABLE sync_runs (
    id bigserial PRIMARY KEY,
    trigger text NOT NULL,
    status text NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    error text,
    files_imported integer NOT NULL DEFAULT 0,
    files_unchanged integer NOT NULL DEFAULT 0,
    files_failed integer NOT NULL DEFAULT 0,
    rows bigint NOT NULL DEFAULT 0,
    created bigint NOT NULL DEFAULT 0,
    updated bigint NOT NULL DEFAULT 0,
    skipped bigint NOT NULL DEFAULT 0,
    rejected bigint NOT NULL DEFAULT 0,
    over_cap jsonb NOT NULL DEFAULT '{}',
    pid integer,
    host text,
    -- The bucket and prefix the run reads (runs of one source hold one advisory lock).
    source text,
    -- Updated while the run is alive: a run on another host cannot be checked by its pid.
    heartbeat_at timestamptz
  );
  CREATE TABLE sync_files (
    id bigserial PRIMARY KEY,
    run_id bigint NOT NULL REFERENCES sync_runs(id),
    object_type text NOT NULL,
    key text NOT NULL,
    etag text,
    size bigint,
    status text NOT NULL,
    rows bigint NOT NULL DEFAULT 0,
    created bigint NOT NULL DEFAULT 0,
    updated bigint NOT NULL DEFAULT 0,
    skipped bigint NOT NULL DEFAULT 0,
    rejected bigint NOT NULL DEFAULT 0,
    error text,
    warnings jsonb NOT NULL DEFAULT '[]',
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL
  );
  CREATE INDEX sync_files_by_run ON sync_files(run_id);
  CREATE TABLE sync_rejects (
    id bigserial PRIMARY KEY,
    run_id bigint NOT NULL REFERENCES sync_runs(id),
    key text NOT NULL,
    line integer NOT NULL,
    reason text NOT NULL,
    raw text NOT NULL
  );
  CREATE INDEX sync_rejects_by_run ON sync_rejects(run_id, key);
  CREATE TABLE file_state (
    object_type text NOT NULL,
    key text NOT NULL,
    etag text NOT NULL,
    size bigint NOT NULL,
    mapping_hash text NOT NULL,
    run_id bigint NOT NULL,
    imported_at timestamptz NOT NULL,
    missing_since timestamptz,
    PRIMARY KEY (object_type, key)
  );
  -- Traits of the rows of one ID in one file, merged in file order (later keys win, as SQLite's
  -- row-by-row upsert merges them).
  CREATE AGGREGATE s3sync_merge_traits(jsonb) (SFUNC = jsonb_concat, STYPE = jsonb, INITCOND = '{}');
`;
