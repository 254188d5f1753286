// Case- and accent-insensitive search on the Data screen: an FTS5 trigram index (diacritics removed,
// Unicode case folded) beside each table of names, kept current by triggers, so "MÜLLER" finds
// "Müller" and "zurich" finds "Zürich" without a table scan. Events keep a plain LIKE (IDs and names
// of events), and so do terms under three characters (a trigram index cannot look them up).

/** The indexed tables and the columns a search looks in (the same as data-queries' searchable). */
export const SEARCH_INDEXES = {
  organizations: ['external_id', 'name'],
  accounts: ['external_id', 'name'],
  users: ['external_id', 'name', 'email'],
  nps_responses: ['external_id', 'user_id', 'feedback'],
} as const;

export type IndexedTable = keyof typeof SEARCH_INDEXES;

export const searchIndexName = (table: IndexedTable) => `${table}_search`;

function indexSql(table: IndexedTable): string {
  const index = searchIndexName(table);
  const columns = SEARCH_INDEXES[table];
  const list = columns.join(', ');
  const values = (row: 'new' | 'old') => columns.map((c) => `${row}.${c}`).join(', ');
  const changed = columns.map((c) => `old.${c} IS NOT new.${c}`).join(' OR ');
  return `
  CREATE VIRTUAL TABLE ${index} USING fts5(${list}, content='${table}', content_rowid='rowid',
    tokenize='trigram remove_diacritics 1');
  CREATE TRIGGER ${index}_insert AFTER INSERT ON ${table} BEGIN
    INSERT INTO ${index} (rowid, ${list}) VALUES (new.rowid, ${values('new')});
  END;
  CREATE TRIGGER ${index}_delete AFTER DELETE ON ${table} BEGIN
    INSERT INTO ${index} (${index}, rowid, ${list}) VALUES ('delete', old.rowid, ${values('old')});
  END;
  CREATE TRIGGER ${index}_update AFTER UPDATE ON ${table} WHEN ${changed} BEGIN
    INSERT INTO ${index} (${index}, rowid, ${list}) VALUES ('delete', old.rowid, ${values('old')});
    INSERT INTO ${index} (rowid, ${list}) VALUES (new.rowid, ${values('new')});
  END;
  INSERT INTO ${index} (${index}) VALUES ('rebuild');`;
}

export const SEARCH_INDEX_MIGRATION = (Object.keys(SEARCH_INDEXES) as IndexedTable[]).map(indexSql).join('\n');

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
