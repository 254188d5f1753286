// Which files hold each record, so that a record is stale only when no file still in the bucket and
// still selected holds it (docs/stale-records.md). Events are not tracked here: a message ID lives in
// one file, so an event is stale by the file it last came from.
import type { ObjectType } from '../../shared/config';
// better-sqlite3's own type, not sqlite-database.ts's alias: that module opens the database with this one.
import type Database from 'better-sqlite3';

type SqliteDatabase = Database.Database;
import type { FileGone } from '../../shared/domain';

/** The tables whose records may appear in several files (monthly exports of the same users). */
export const HELD_TABLES = {
  organizations: 'organizations',
  accounts: 'accounts',
  users: 'users',
  nps: 'nps_responses',
} as const satisfies Partial<Record<ObjectType, string>>;

export const RECORD_FILES_MIGRATION = `
  ALTER TABLE file_state ADD COLUMN unselected_since TEXT;
  ALTER TABLE sync_runs ADD COLUMN files_gone TEXT NOT NULL DEFAULT '[]';
  CREATE TABLE record_files (
    object_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (object_type, record_id, key)
  ) WITHOUT ROWID;
  CREATE INDEX record_files_by_file ON record_files(object_type, key);
  ${Object.entries(HELD_TABLES)
    .map(
      ([type, table]) =>
        `INSERT OR IGNORE INTO record_files (object_type, record_id, key) SELECT '${type}', external_id, last_file FROM ${table};`,
    )
    .join('\n  ')}
`;

/**
 * After a file's rows are written (inside its transaction): the file now holds exactly the records it
 * wrote. Rows it created lie above rowidBefore; rows it updated are looked for only when there were some.
 */
export function recordFileHoldings(
  db: SqliteDatabase,
  type: ObjectType,
  stamp: { runId: number; key: string },
  written: { rowidBefore: number; updatedExisting: boolean },
): void {
  if (!(type in HELD_TABLES)) return;
  const table = HELD_TABLES[type as keyof typeof HELD_TABLES];
  const params = { type, key: stamp.key, run: stamp.runId, rowidBefore: written.rowidBefore };
  db.prepare(`DELETE FROM record_files WHERE object_type = @type AND key = @key`).run(params);
  const range = written.updatedExisting ? '' : 'rowid > @rowidBefore AND';
  db.prepare(
    `INSERT OR IGNORE INTO record_files (object_type, record_id, key)
     SELECT @type, external_id, @key FROM ${table} WHERE ${range} last_run_id = @run AND last_file = @key`,
  ).run(params);
}

/** A file is gone from a type's set when it left the bucket or its type's pattern no longer selects it. */

export interface KnownFile {
  objectType: ObjectType;
  key: string;
  missing: boolean;
  unselected: boolean;
}

export function knownFiles(db: SqliteDatabase): KnownFile[] {
  return (
    db
      .prepare(
        `SELECT object_type AS objectType, key, missing_since IS NOT NULL AS missing, unselected_since IS NOT NULL AS unselected FROM file_state`,
      )
      .all() as { objectType: ObjectType; key: string; missing: number; unselected: number }[]
  ).map((f) => ({ ...f, missing: f.missing === 1, unselected: f.unselected === 1 }));
}

export interface PresenceChange {
  objectType: ObjectType;
  key: string;
  missing: boolean;
  unselected: boolean;
}

/**
 * Which known files change state (listed or not, selected by their type's pattern now or not), and
 * those that left their type's set in this run. Shared by both targets: only the writing differs.
 */
export function presenceChanges(
  known: readonly KnownFile[],
  isListed: (key: string) => boolean,
  isSelected: (type: ObjectType, key: string) => boolean,
): { changes: PresenceChange[]; gone: FileGone[] } {
  const changes: PresenceChange[] = [];
  const gone: FileGone[] = [];
  for (const file of known) {
    const missing = !isListed(file.key);
    const unselected = !missing && !isSelected(file.objectType, file.key);
    if (missing === file.missing && unselected === file.unselected) continue;
    changes.push({ objectType: file.objectType, key: file.key, missing, unselected });
    const wasInSet = !file.missing && !file.unselected;
    if (wasInSet && (missing || unselected))
      gone.push({ objectType: file.objectType, key: file.key, reason: missing ? 'deleted' : 'unselected' });
  }
  return { changes, gone };
}

/**
 * Marks each known file present or missing (listed or not) and selected or not (by its type's pattern
 * now), and returns those that left their type's set in this run. Their records stay, as stale
 * unless another file holds them; a file that comes back makes them current again.
 */
export function markFilePresence(
  db: SqliteDatabase,
  known: readonly KnownFile[],
  isListed: (key: string) => boolean,
  isSelected: (type: ObjectType, key: string) => boolean,
  at: string,
): FileGone[] {
  const update = db.prepare(
    `UPDATE file_state SET missing_since = CASE WHEN @missing THEN coalesce(missing_since, @at) END,
       unselected_since = CASE WHEN @unselected THEN coalesce(unselected_since, @at) END
     WHERE object_type = @type AND key = @key`,
  );
  const { changes, gone } = presenceChanges(known, isListed, isSelected);
  db.transaction(() => {
    for (const change of changes)
      update.run({
        missing: change.missing ? 1 : 0,
        unselected: change.unselected ? 1 : 0,
        at,
        type: change.objectType,
        key: change.key,
      });
  })();
  return gone;
}
