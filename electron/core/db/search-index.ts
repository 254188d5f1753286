// Case- and accent-insensitive search on the Data screen: an FTS5 trigram index (diacritics removed,
// Unicode case folded) beside each table of names, so "MÜLLER" finds "Müller" and "zurich" finds
// "Zürich" without a table scan. The sync refreshes it per file in bulk (per-row triggers cost ~10x
// the import); events keep a plain LIKE, and so do terms under three characters.
import type { ObjectType } from '../../shared/config';
// better-sqlite3's own type, not sqlite-database.ts's alias: that module opens the database with this one.
import type Database from 'better-sqlite3';

type SqliteDatabase = Database.Database;

/** The indexed tables and the columns a search looks in (the same as data-queries' searchable). */
export const SEARCH_INDEXES = {
  organizations: ['external_id', 'name'],
  accounts: ['external_id', 'name'],
  users: ['external_id', 'name', 'email'],
  nps_responses: ['external_id', 'user_id', 'feedback'],
} as const;

export type IndexedTable = keyof typeof SEARCH_INDEXES;

const TABLE_OF_TYPE: Partial<Record<ObjectType, IndexedTable>> = {
  organizations: 'organizations',
  accounts: 'accounts',
  users: 'users',
  nps: 'nps_responses',
};

export const searchIndexName = (table: IndexedTable) => `${table}_search`;

// Contentless (the text stays in the table itself) with deletes by rowid, so a record's old entry can
// be dropped without its old values.
function indexSql(table: IndexedTable): string {
  const index = searchIndexName(table);
  const list = SEARCH_INDEXES[table].join(', ');
  return `
  CREATE VIRTUAL TABLE ${index} USING fts5(${list}, content='', contentless_delete=1,
    tokenize='trigram remove_diacritics 1');
  INSERT INTO ${index} (rowid, ${list}) SELECT rowid, ${list} FROM ${table};`;
}

export const SEARCH_INDEX_MIGRATION = (Object.keys(SEARCH_INDEXES) as IndexedTable[]).map(indexSql).join('\n');

/**
 * After a file's rows are written (inside its transaction): index what it wrote. Rows it created lie
 * above rowidBefore and have no entry yet; rows it updated are found by its stamp and re-indexed.
 */
export function indexWrittenRecords(
  db: SqliteDatabase,
  type: ObjectType,
  stamp: { runId: number; key: string },
  written: { rowidBefore: number; updatedExisting: boolean },
): void {
  const table = TABLE_OF_TYPE[type];
  if (!table) return;
  const index = searchIndexName(table);
  const list = SEARCH_INDEXES[table].join(', ');
  const params = { run: stamp.runId, key: stamp.key, rowidBefore: written.rowidBefore };
  const fromThisFile = `last_run_id = @run AND last_file = @key`;
  if (written.updatedExisting)
    db.prepare(
      `DELETE FROM ${index} WHERE rowid IN (SELECT rowid FROM ${table} WHERE rowid <= @rowidBefore AND ${fromThisFile})`,
    ).run(params);
  const range = written.updatedExisting ? '' : 'rowid > @rowidBefore AND';
  db.prepare(
    `INSERT INTO ${index} (rowid, ${list}) SELECT rowid, ${list} FROM ${table} WHERE ${range} ${fromThisFile}`,
  ).run(params);
}

/**
 * Indexes rows added since the index last saw the table (by rowid): rows another program inserted.
 * Run when the app opens the database (a busy database skips it); rows others update in place stay as indexed.
 */
export function indexNewRows(db: SqliteDatabase): void {
  for (const table of Object.keys(SEARCH_INDEXES) as IndexedTable[]) {
    const index = searchIndexName(table);
    const list = SEARCH_INDEXES[table].join(', ');
    const newer = `FROM ${table} WHERE rowid > coalesce((SELECT rowid FROM ${index} ORDER BY rowid DESC LIMIT 1), 0)`;
    // Read first: opening must not wait for a write lock when there is nothing to write.
    if (db.prepare(`SELECT EXISTS (SELECT 1 ${newer})`).pluck().get() !== 1) continue;
    db.prepare(`INSERT INTO ${index} (rowid, ${list}) SELECT rowid, ${list} ${newer}`).run();
  }
}

export function isIndexed(table: string): table is IndexedTable {
  return Object.hasOwn(SEARCH_INDEXES, table);
}

/** A trigram index finds terms of at least three characters. */
export const MIN_INDEXED_TERM = 3;

/**
 * The WHERE condition for a search, with its parameter: the index for terms it can look up, else a
 * LIKE over the columns (case-insensitive for ASCII only).
 */
export function searchCondition(
  table: string,
  searchable: readonly string[],
  term: string,
): { sql: string; params: Record<string, string> } {
  if (isIndexed(table) && [...term].length >= MIN_INDEXED_TERM) {
    const index = searchIndexName(table);
    // One phrase: the whole term as typed, found anywhere in any indexed column.
    return {
      sql: `rowid IN (SELECT rowid FROM ${index} WHERE ${index} MATCH @match)`,
      params: { match: `"${term.replaceAll('"', '""')}"` },
    };
  }
  return {
    sql: `(${searchable.map((c) => `${c} LIKE @pattern ESCAPE '\\'`).join(' OR ')})`,
    params: { pattern: `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%` },
  };
}
