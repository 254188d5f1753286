// The header each file was last read with, in PostgreSQL (as db/file-columns.ts keeps it in SQLite),
// so that a file whose columns differ from the file of its type read before it gets a notice.
import type pg from 'pg';
import type { ObjectType } from '../../../shared/config';
import { columnChangeNotice } from '../file-columns';

/** The notice for a header that differs from the last other file of its type still in the bucket, or null. */
export async function describeColumnChangePg(
  client: pg.Client,
  type: ObjectType,
  key: string,
  header: readonly string[],
): Promise<string | null> {
  // COLLATE "C": keys compare byte by byte, as SQLite compares them, whatever the database's locale.
  const { rows } = await client.query<{ key: string; columns: string[] }>(
    `SELECT key, columns FROM file_state WHERE object_type = $1 AND key <> $2 AND columns IS NOT NULL AND missing_since IS NULL
     ORDER BY imported_at DESC, key COLLATE "C" DESC LIMIT 1`,
    [type, key],
  );
  const previous = rows[0];
  return previous ? columnChangeNotice(previous.key, previous.columns, header) : null;
}

/** Call after file_state is written, inside the file's transaction. */
export async function rememberColumnsPg(
  client: pg.Client,
  type: ObjectType,
  key: string,
  header: readonly string[],
): Promise<void> {
  await client.query(`UPDATE file_state SET columns = $1 WHERE object_type = $2 AND key = $3`, [
    JSON.stringify(header),
    type,
    key,
  ]);
}
