// PostgreSQL schema 3: alerts about a run (email, webhook), as SQLite's schema 3, so that the repeat
// rule reads the same history on both engines (db/postgres/pg-alert-log.ts). One row per run and
// channel: a syncer claims a run's alert before delivering it, and a second syncer of the same target
// finds it claimed. Never edit a released migration: add one.
export const PG_MIGRATION_003 = `
  CREATE TABLE alert_deliveries (
    id bigserial PRIMARY KEY,
    run_id bigint REFERENCES sync_runs(id),
    kind text NOT NULL,
    channel text NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('sent', 'failed', 'held-back')),
    detail text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    at timestamptz NOT NULL,
    UNIQUE (run_id, channel)
  );
`;
