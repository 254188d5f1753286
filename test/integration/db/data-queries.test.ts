// The Data screen's search totals: a search whose first page is not full counts what it found (no
// second scan of the table); otherwise the matches are counted, up to the cap.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseQueries, MAX_COUNTED_MATCHES } from '../../../electron/core/db/data-queries';
import { openDatabase } from '../../../electron/core/db/sqlite-database';

let dir: string;
let queries: DatabaseQueries;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 's3sync-queries-'));
  const dbPath = join(dir, 'q.sqlite');
  const db = openDatabase(dbPath);
  const insert = db.prepare(
    `INSERT INTO accounts (external_id, name, traits, first_synced_at, last_synced_at, last_run_id, last_file) VALUES (?, ?, '{}', 'x', 'x', 1, 'f.csv')`,
  );
  db.transaction(() => {
    for (let i = 0; i < MAX_COUNTED_MATCHES + 20; i++)
      insert.run(`acc_${String(i).padStart(6, '0')}`, i % 1000 === 7 ? `Rare ${i}` : `Common ${i}`);
  })();
  db.close();
  // Rows written outside a sync reach the search index when the app next opens the database.
  openDatabase(dbPath).close();
  queries = new DatabaseQueries(dbPath);
});
afterAll(() => {
  queries.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('queryRecords totals', () => {
  it('counts the whole table without a search', () => {
    expect(queries.queryRecords({ table: 'accounts', page: { offset: 0, limit: 50 } }).total).toBe(
      MAX_COUNTED_MATCHES + 20,
    );
  });

  it('takes the total from a first page that is not full', () => {
    const page = queries.queryRecords({ table: 'accounts', search: 'rare', page: { offset: 0, limit: 50 } });
    expect(page.rows).toHaveLength(11);
    expect(page.total).toBe(11);
  });

  it('counts the matches when the page is full or not the first', () => {
    expect(queries.queryRecords({ table: 'accounts', search: 'rare', page: { offset: 0, limit: 5 } }).total).toBe(11);
    expect(queries.queryRecords({ table: 'accounts', search: 'rare', page: { offset: 5, limit: 5 } }).total).toBe(11);
    expect(queries.queryRecords({ table: 'accounts', search: 'rare', page: { offset: 50, limit: 5 } })).toMatchObject({
      total: 11,
      rows: [],
    });
    expect(queries.queryRecords({ table: 'accounts', search: 'common', page: { offset: 0, limit: 50 } }).total).toBe(
      MAX_COUNTED_MATCHES + 1,
    );
  });
});
