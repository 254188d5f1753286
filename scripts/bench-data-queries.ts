// Measures the Data screen's queries (electron/core/db/data-queries.ts, what the window asks through
// queryRecords/getRecord) on a generated database with a million rows in each of accounts, users and
// events. `node --import tsx scripts/bench-data-queries.ts [--rows N] [--dir bench-data] [--reuse]`
// [--delay-only] (--reuse: keep the database of an earlier run). Last, the delay a slow page (a sort on a million
// rows) gives the thread that serves the window: run on a query worker, as the app does, and on that
// thread itself, side by side.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DatabaseQueries } from '../electron/core/db/data-queries';
import { openDatabase } from '../electron/core/db/sqlite-database';
import { createWorkbench } from '../electron/core/service/workbench-api';
import type { RecordsRequest } from '../electron/shared/contract';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    dir: { type: 'string', default: 'bench-data' },
    reuse: { type: 'boolean', default: false },
    /** Only the side-by-side delay of the window's thread, not the query times. */
    'delay-only': { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const dir = resolve(values.dir);
mkdirSync(dir, { recursive: true });
const dbPath = join(dir, `data-queries-${rows}.sqlite`);
const reuse = values.reuse && existsSync(dbPath);
if (!reuse) for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });

const FILES = 200; // records spread over 200 files; 10 of them gone from the bucket (stale)
const WORDS = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Wonka', 'Tyrell', 'Cyberdyne'];
const now = new Date().toISOString();

const db = openDatabase(dbPath);
const started = performance.now();
if (!reuse)
  db.transaction(() => {
    db.prepare(
      `INSERT INTO sync_runs (trigger, status, started_at, finished_at, over_cap) VALUES ('bench', 'succeeded', ?, ?, '{}')`,
    ).run(now, now);
    const file = db.prepare(
      `INSERT INTO file_state (object_type, key, etag, size, mapping_hash, run_id, imported_at, missing_since) VALUES (?, ?, 'e', 1, 'h', 1, ?, ?)`,
    );
    for (const type of ['accounts', 'users', 'tracks'])
      for (let f = 0; f < FILES; f++) file.run(type, `exports/${type}/part-${f}.csv`, now, f < 10 ? now : null);
    const account = db.prepare(
      `INSERT INTO accounts (external_id, name, organization_id, traits, first_synced_at, ` +
        `last_synced_at, last_run_id, last_file) VALUES (?, ?, ?, ?, ?, ?, 1, ?)`,
    );
    const user = db.prepare(
      `INSERT INTO users (external_id, name, email, organization_id, traits, first_synced_at, ` +
        `last_synced_at, last_run_id, last_file) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)`,
    );
    const event = db.prepare(
      `INSERT INTO events (message_id, user_id, account_id, organization_id, event, occurred_at, ` +
        `properties, first_synced_at, last_synced_at, last_run_id, last_file) VALUES (?, ?, NULL, ` +
        `NULL, ?, ?, ?, ?, ?, 1, ?)`,
    );
    for (let i = 0; i < rows; i++) {
      const id = String(i).padStart(7, '0');
      const word = WORDS[i % WORDS.length]!;
      account.run(
        `acc_${id}`,
        `${word} ${i}`,
        `org_${i % 5000}`,
        `{"plan":"growth","mrr":${i % 10000}}`,
        now,
        now,
        `exports/accounts/part-${i % FILES}.csv`,
      );
      user.run(
        `usr_${id}`,
        `User ${i}`,
        `user${i}@${word.toLowerCase()}.example`,
        null,
        '{"role":"member"}',
        now,
        now,
        `exports/users/part-${i % FILES}.csv`,
      );
      event.run(
        `evt_${id}`,
        `usr_${String(i % 50000).padStart(7, '0')}`,
        i % 3 ? 'page_viewed' : 'login',
        now,
        '{"page":"/home"}',
        now,
        now,
        `exports/tracks/part-${i % FILES}.csv`,
      );
    }
  })();
db.close();
// Opening the database indexes rows written outside a sync (db/search-index.ts): else every search
// below would look in an empty index.
openDatabase(dbPath).close();
console.log(
  reuse
    ? `Reusing ${dbPath}\n`
    : `Generated ${rows.toLocaleString('en-US')} rows in each of accounts, users and events in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s: ${dbPath}\n`,
);

const queries = new DatabaseQueries(dbPath);
const PAGE = 50;

function measure(label: string, run: () => unknown, repeat = 5): void {
  run(); // warm the page cache, as a second look at the screen would
  const times: number[] = [];
  let result: unknown;
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    result = run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const summary =
    result && typeof result === 'object' && 'total' in result
      ? ` (total ${(result as { total: number }).total.toLocaleString('en-US')})`
      : '';
  console.log(
    `${label.padEnd(58)} median ${times[Math.floor(times.length / 2)]!.toFixed(1).padStart(7)} ` +
      `ms   max ${times[times.length - 1]!.toFixed(1).padStart(7)} ms${summary}`,
  );
}

for (const table of values['delay-only'] ? [] : (['accounts', 'users', 'events'] as const)) {
  console.log(`${table}:`);
  measure('  first page (count + 50 rows)', () => queries.queryRecords({ table, page: { offset: 0, limit: PAGE } }));
  measure('  page in the middle (offset 500,000)', () =>
    queries.queryRecords({ table, page: { offset: Math.floor(rows / 2), limit: PAGE } }),
  );
  measure('  last page', () => queries.queryRecords({ table, page: { offset: rows - PAGE, limit: PAGE } }));
  measure('  search, many matches ("acme" / "login")', () =>
    queries.queryRecords({ table, search: table === 'events' ? 'login' : 'acme', page: { offset: 0, limit: PAGE } }),
  );
  measure('  search, one match (an exact ID)', () =>
    queries.queryRecords({
      table,
      search: `${table === 'accounts' ? 'acc' : table === 'users' ? 'usr' : 'evt'}_0765432`,
      page: { offset: 0, limit: PAGE },
    }),
  );
  measure('  search, no match', () =>
    queries.queryRecords({ table, search: 'no-such-thing', page: { offset: 0, limit: PAGE } }),
  );
  const trait = table === 'events' ? 'page' : table === 'users' ? 'role' : 'mrr';
  measure(`  trait columns offered (sample of the newest rows)`, () => queries.recordColumns(table));
  measure(`  first page with the "${trait}" trait as a column`, () =>
    queries.queryRecords({ table, columns: [trait], page: { offset: 0, limit: PAGE } }),
  );
  measure(`  sorted by the "${trait}" trait, descending`, () =>
    queries.queryRecords({
      table,
      sort: { column: { trait }, direction: 'desc' },
      columns: [trait],
      page: { offset: 0, limit: PAGE },
    }),
  );
  measure('  sorted by name / event, page in the middle', () =>
    queries.queryRecords({
      table,
      sort: { column: { field: table === 'events' ? 'event' : 'name' }, direction: 'asc' },
      page: { offset: Math.floor(rows / 2), limit: PAGE },
    }),
  );
  measure(`  filtered: "${trait}" contains "9" (a scan) and sorted by it`, () =>
    queries.queryRecords({
      table,
      filters: [{ kind: 'text', column: { trait }, contains: '9' }],
      sort: { column: { trait }, direction: 'asc' },
      page: { offset: 0, limit: PAGE },
    }),
  );
  measure('  record detail', () =>
    queries.getRecord(table, `${table === 'accounts' ? 'acc' : table === 'users' ? 'usr' : 'evt'}_0765432`),
  );
}

// How late this thread's timers run (the window's requests and events wait as long) while a slow
// page is read: a 5 ms interval's lateness, tick by tick.
async function delayWhile(read: () => Promise<unknown>): Promise<{ p99: number; max: number; ms: number }> {
  const late: number[] = [];
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    late.push(Math.max(0, now - last - 5));
    last = now;
  }, 5);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const t = performance.now();
  await read();
  const ms = performance.now() - t;
  // A read on this thread blocks the loop: the tick it held back runs (and is counted) first.
  await new Promise((resolve) => setTimeout(resolve, 20));
  clearInterval(ticker);
  late.sort((a, b) => a - b);
  return { p99: late[Math.floor(late.length * 0.99)] ?? 0, max: late.at(-1) ?? 0, ms };
}
const workbench = createWorkbench({
  dbPath,
  getConfig: () => null,
  saveConfig: () => ({ ok: false, message: 'not here', problems: [] }),
});
const slow: RecordsRequest = {
  table: 'accounts',
  sort: { column: { field: 'name' }, direction: 'asc' },
  columns: ['mrr'],
  page: { offset: Math.floor(rows / 2), limit: PAGE },
};
await workbench.queryRecords(slow); // starts the worker thread and opens its connection
const idle = await delayWhile(() => new Promise((resolve) => setTimeout(resolve, 3000)));
const onWorker = await delayWhile(() => workbench.queryRecords(slow));
const onThread = await delayWhile(async () => queries.queryRecords(slow));
console.log(
  `\nA page of accounts sorted by name, in the middle: this thread's timers late by p99 ${onWorker.p99.toFixed(1)} ms ` +
    `(max ${onWorker.max.toFixed(0)} ms) with the read on a worker vs ${onThread.p99.toFixed(1)} ms (max ${onThread.max.toFixed(0)} ms) ` +
    `on this thread; ${(onWorker.ms / 1000).toFixed(1)} s vs ${(onThread.ms / 1000).toFixed(1)} s; idle for 3 s: p99 ${idle.p99.toFixed(1)} ms`,
);
await workbench.close();
queries.close();
