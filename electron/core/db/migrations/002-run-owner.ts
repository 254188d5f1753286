// SQLite schema 2: which process runs a sync. A run left 'running' is marked interrupted only once
// that process is gone (a CLI sync must not mark the app's live run, or the other way round).
export const MIGRATION_002 = `
  ALTER TABLE sync_runs ADD COLUMN pid INTEGER;
  ALTER TABLE sync_runs ADD COLUMN host TEXT;
`;
