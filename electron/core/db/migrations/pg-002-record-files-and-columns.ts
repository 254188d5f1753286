// PostgreSQL schema 2: what SQLite's schemas 4 and 6 added for issue 14, in PostgreSQL's types. Which
// files hold each record (the stale rule, docs/stale-records.md), files listed but no longer selected,
// the files each run saw leave, and the header each file was last read with (docs/header-changes.md).
// Never edit a released migration: add one.
import { HELD_TABLES } from '../record-files';

export const PG_MIGRATION_002 = `
  ALTER TABLE file_state ADD COLUMN unselected_since timestamptz;
  ALTER TABLE file_state ADD COLUMN columns jsonb;
  ALTER TABLE sync_runs ADD COLUMN files_gone jsonb NOT NULL DEFAULT '[]';
  CREATE TABLE record_files (
    object_type text NOT NULL,
    record_id text NOT NULL,
    key text NOT NULL,
    PRIMARY KEY (object_type, record_id, key)
  );
  CREATE INDEX record_files_by_file ON record_files(object_type, key);
  ${Object.entries(HELD_TABLES)
    .map(
      ([type, table]) =>
        `INSERT INTO record_files (object_type, record_id, key) SELECT '${type}', external_id, last_file FROM ${table} ON CONFLICT DO NOTHING;`,
    )
    .join('\n  ')}
`;
