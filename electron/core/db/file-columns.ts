// The header each file was last read with, so that a file whose columns differ from the file of its
// type read before it gets a notice in the run log (traits appear or disappear): monthly exports drift.
import type { ObjectType } from '../../shared/config';
import { foldHeaderName } from '../../shared/header-names';
// better-sqlite3's own type, not sqlite-database.ts's alias: that module opens the database with this one.
import type Database from 'better-sqlite3';

type SqliteDatabase = Database.Database;

export const FILE_COLUMNS_MIGRATION = `ALTER TABLE file_state ADD COLUMN columns TEXT;`;

/** The notice for a header that differs from the last other file of its type still in the bucket, or null. */
export function describeColumnChange(
  db: SqliteDatabase,
  type: ObjectType,
  key: string,
  header: readonly string[],
): string | null {
  const previous = db
    .prepare(
      `SELECT key, columns FROM file_state WHERE object_type = ? AND key != ? AND columns IS NOT NULL AND missing_since IS NULL
       ORDER BY imported_at DESC, key DESC LIMIT 1`,
    )
    .get(type, key) as { key: string; columns: string } | undefined;
  if (!previous) return null;
  return columnChangeNotice(previous.key, JSON.parse(previous.columns) as string[], header);
}

/** The notice for a header that differs from the one `previousKey` was read with, or null (both targets). */
export function columnChangeNotice(
  previousKey: string,
  previousHeader: readonly string[],
  header: readonly string[],
): string | null {
  const before = previousHeader.filter(Boolean);
  const now = header.filter(Boolean);
  const folded = (names: string[]) => new Set(names.map(foldHeaderName));
  const [beforeSet, nowSet] = [folded(before), folded(now)];
  const added = now.filter((c) => !beforeSet.has(foldHeaderName(c)));
  const gone = before.filter((c) => !nowSet.has(foldHeaderName(c)));
  if (added.length === 0 && gone.length === 0) return null;
  const list = (names: string[]) => names.map((n) => `“${n}”`).join(', ');
  return [
    `Columns changed since ${previousKey}:`,
    added.length ? `new ${list(added)}` : '',
    added.length && gone.length ? ';' : '',
    gone.length ? ` gone ${list(gone)}` : '',
    '. New columns become traits; records keep the traits of gone columns. A renamed column can be given its old name as an alias (columnAliases).',
  ]
    .join(' ')
    .replace(/ +/g, ' ')
    .replace(' ;', ';')
    .replace(' .', '.');
}

export function rememberColumns(db: SqliteDatabase, type: ObjectType, key: string, header: readonly string[]): void {
  db.prepare(`UPDATE file_state SET columns = ? WHERE object_type = ? AND key = ?`).run(
    JSON.stringify(header),
    type,
    key,
  );
}
