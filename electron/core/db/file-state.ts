// file_state: the last successful import of each file. Lets an unchanged file be skipped, and marks
// files that disappeared from the bucket (their records stay, as stale).
import type { ObjectType } from '../../shared/config';
import type { SqliteDatabase } from './sqlite-database';

/** What a file was when it was last imported, and under which mapping rules. */
export interface FileVersion {
  etag: string;
  size: number;
  mappingHash: string;
}

export interface ImportedFile extends FileVersion {
  type: ObjectType;
  key: string;
  runId: number;
  importedAt: string;
}

export function previousFileState(db: SqliteDatabase, type: ObjectType, key: string): FileVersion | undefined {
  return db
    .prepare(`SELECT etag, size, mapping_hash AS mappingHash FROM file_state WHERE object_type = ? AND key = ?`)
    .get(type, key) as FileVersion | undefined;
}

/** Call inside the file's transaction: the state commits with the data. */
export function saveFileState(db: SqliteDatabase, file: ImportedFile): void {
  db.prepare(
    `INSERT INTO file_state (object_type, key, etag, size, mapping_hash, run_id, imported_at, missing_since)
     VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
     ON CONFLICT (object_type, key) DO UPDATE SET etag = excluded.etag, size = excluded.size,
       mapping_hash = excluded.mapping_hash, run_id = excluded.run_id, imported_at = excluded.imported_at, missing_since = NULL`,
  ).run(file.type, file.key, file.etag, file.size, file.mappingHash, file.runId, file.importedAt);
}
