// Search on the Data screen, before and after the accent- and case-insensitive index, side by side in
// one run on the same generated accounts: what each finds, how long a search takes, and what the
// index costs an import (the same writer, then indexing what it wrote, against the writer alone).
// `node --import tsx scripts/bench-search.ts [--rows 1000000] [--dir bench-data]`
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DatabaseQueries } from '../electron/core/db/data-queries';
import {
  indexWrittenRecords,
  SEARCH_INDEXES,
  searchIndexName,
  type IndexedTable,
} from '../electron/core/db/search-index';
import { createRecordWriter } from '../electron/core/db/record-writer';
import { openDatabase, type SqliteDatabase } from '../electron/core/db/sqlite-database';
import type { ObjectMapping } from '../electron/shared/config';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, dir: { type: 'string', default: 'bench-data' } },
});
const rows = Number(values.rows);
const dir = resolve(values.dir);
mkdirSync(dir, { recursive: true });

const WORDS = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Wonka', 'Tyrell', 'Cyberdyne'];
/** Names with accents, every so many rows: the searches below look for them typed without. */
const ACCENTED: [every: number, name: string][] = [
  [3000, 'Müller & Söhne'],
  [11_000, 'Initech, Zürich Office'],
];
const MAPPING = {
  enabled: true,
  fileRegex: '.*',
  mode: 'create_update',
  idColumn: 'account_id',
  nameColumn: 'name',
} as ObjectMapping;

function nameOf(i: number): string {
  for (const [every, name] of ACCENTED) if (i % every === 7) return `${name} ${i}`;
  return `${WORDS[i % WORDS.length]} ${i}`;
}

/** Writes `rows` accounts through the sync's record writer in one transaction; returns the seconds taken. */
function importAccounts(db: SqliteDatabase, indexed: boolean): number {
  const started = performance.now();
  db.transaction(() => {
    db.prepare(
      `INSERT INTO sync_runs (trigger, status, started_at, over_cap) VALUES ('bench', 'running', ?, '{}')`,
    ).run(new Date().toISOString());
    const writer = createRecordWriter(db, 'accounts', MAPPING, {
      runId: 1,
      key: 'exports/accounts.csv',
      syncedAt: new Date().toISOString(),
    });
    const batch: (string | null)[] = [];
    for (let i = 0; i < rows; i++) {
      batch.push(`acc_${String(i).padStart(7, '0')}`, nameOf(i), null, '{}');
      if (batch.length >= 4000) writer.writeRows(batch.splice(0), 0, 1000);
    }
    writer.writeRows(batch, 0, batch.length / 4);
    const written = writer.finish();
    if (indexed) indexWrittenRecords(db, 'accounts', { runId: 1, key: 'exports/accounts.csv' }, written);
  })();
  return (performance.now() - started) / 1000;
}

function freshDatabase(name: string): { db: SqliteDatabase; path: string } {
  const path = join(dir, `search-${name}-${rows}.sqlite`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  return { db: openDatabase(path), path };
}

// Before: the same schema without the search index.
const before = freshDatabase('before');
for (const table of Object.keys(SEARCH_INDEXES) as IndexedTable[])
  before.db.exec(`DROP TABLE ${searchIndexName(table)}`);
const after = freshDatabase('after');
const importBefore = importAccounts(before.db, false);
const importAfter = importAccounts(after.db, true);
before.db.close();
after.db.close();
console.log(`Import of ${rows.toLocaleString('en-US')} accounts through the record writer, one transaction:`);
console.log(`  without the search index  ${importBefore.toFixed(2)} s`);
console.log(
  `  with the search index     ${importAfter.toFixed(2)} s   (${(importAfter / importBefore).toFixed(2)}x the time)\n`,
);

/** The search as it was: LIKE over the ID and name (case-insensitive for ASCII only), a page and a capped count. */
const oldDb = openDatabase(before.path);
function oldSearch(term: string) {
  const pattern = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const where = `WHERE external_id LIKE @pattern ESCAPE '\\' OR name LIKE @pattern ESCAPE '\\'`;
  const page = oldDb
    .prepare(`SELECT external_id FROM accounts ${where} ORDER BY external_id LIMIT 50`)
    .all({ pattern });
  const total = oldDb
    .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM accounts ${where} LIMIT 10001)`)
    .get({ pattern }) as { n: number };
  return { rows: page, total: page.length < 50 ? page.length : total.n };
}
const queries = new DatabaseQueries(after.path);
const newSearch = (term: string) =>
  queries.queryRecords({ table: 'accounts', search: term, page: { offset: 0, limit: 50 } });

function time(run: () => { total: number }): { ms: number; total: number } {
  run(); // warm the page cache
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    total = run().total;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[2]!, total };
}

console.log('Search (first page of 50 and the match count; median of 5):');
console.log(
  `  ${'term'.padEnd(12)} ${'before: found'.padStart(14)} ${'ms'.padStart(8)}   ${'after: found'.padStart(13)} ${'ms'.padStart(8)}   speed`,
);
for (const term of ['müller', 'MÜLLER', 'muller', 'zurich', 'Zürich', 'acme', 'acc_0765432', 'no-such-thing']) {
  const old = time(() => oldSearch(term));
  const now = time(() => newSearch(term));
  console.log(
    `  ${term.padEnd(12)} ${old.total.toLocaleString('en-US').padStart(14)} ${old.ms.toFixed(1).padStart(8)}   ${now.total.toLocaleString('en-US').padStart(13)} ${now.ms.toFixed(1).padStart(8)}   ${(old.ms / now.ms).toFixed(1)}x`,
  );
}
queries.close();
oldDb.close();
