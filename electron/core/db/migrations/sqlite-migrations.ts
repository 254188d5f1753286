// The SQLite schema, versioned with PRAGMA user_version and migrated forward one step at a time.
// better-sqlite3's type, not sqlite-database.ts's alias of it: that file runs these migrations.
import type Database from 'better-sqlite3';
import { MIGRATION_001 } from './001-records-and-run-log';
import { MIGRATION_002 } from './002-run-owner';
import { MIGRATION_003 } from './003-alert-deliveries';
// Schemas 4-6 live beside the code that uses them: record_files (stale rule), the search index, the
// header each file was read with.
import { RECORD_FILES_MIGRATION } from '../record-files';
import { SEARCH_INDEX_MIGRATION } from '../search-index';
import { FILE_COLUMNS_MIGRATION } from '../file-columns';

/** Migration i takes the schema from version i to i+1. Never edit a released migration: add one. */
const MIGRATIONS: string[] = [
  MIGRATION_001,
  MIGRATION_002,
  MIGRATION_003,
  RECORD_FILES_MIGRATION,
  SEARCH_INDEX_MIGRATION,
  FILE_COLUMNS_MIGRATION,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
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
