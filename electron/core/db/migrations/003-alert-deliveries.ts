// SQLite schema 3: alerts about a run (email, webhook): each delivery, or why none was sent
// (db/alert-log.ts).
export const MIGRATION_003 = `
  CREATE TABLE alert_deliveries (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES sync_runs(id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    at TEXT NOT NULL
  );
  CREATE INDEX alert_deliveries_by_run ON alert_deliveries(run_id);
`;
