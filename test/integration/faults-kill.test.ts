// The CLI is killed with SIGKILL in the middle of a file: no handler runs, no rollback is issued.
// SQLite's journal alone must leave the database whole, without any row of that file, and the next
// start must say what happened to the run and then finish the job.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createWorkspace, eventsCsv, makeConfig, type Workspace } from '../support/fixtures';
import { fileSize, queryOnce, runCli, waitUntil } from '../support/cli-process';

const EVENT_ROWS = 400_000;
let ws: Workspace;
let configPath: string;

beforeAll(async () => {
  ws = await createWorkspace();
  await ws.put('orgs/a.csv', 'org_id,org_name\no1,Acme\no2,Globex\n');
  await ws.put('accounts/a.csv', 'account_id,account_name,org_id\na1,Acme EU,o1\n');
  await ws.put('events/big.csv', eventsCsv(EVENT_ROWS));
  configPath = join(ws.dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(makeConfig(ws.server)));
});
afterAll(async () => {
  await ws.close();
});

it('SIGKILL in the middle of a file: the database is intact, holds nothing of that file, and the next sync marks the run interrupted and completes', async () => {
  const dbPath = join(ws.dir, 'killed.sqlite');
  const walPath = `${dbPath}-wal`;
  let killedMidFile = false;
  const killed = await runCli(['sync', '--config', configPath, '--db', dbPath, '--json'], {
    onStarted: (child) => {
      // Mid-file, observably: the files before the events file are recorded, and then the events
      // import has written several MB of uncommitted pages to the WAL (its cache spills there).
      void (async () => {
        await waitUntil(
          () =>
            queryOnce<{ n: number }>(dbPath, `SELECT count(*) AS n FROM sync_files WHERE object_type = 'accounts'`)[0]!
              .n > 0,
          30_000,
          'the accounts file to be recorded',
        );
        const walBefore = fileSize(walPath);
        await waitUntil(
          () => fileSize(walPath) > walBefore + 4 * 1024 * 1024,
          30_000,
          'the events import to spill into the WAL',
        );
        killedMidFile =
          queryOnce<{ n: number }>(dbPath, `SELECT count(*) AS n FROM sync_files WHERE object_type = 'tracks'`)[0]!
            .n === 0;
        child.kill('SIGKILL');
      })().catch(() => child.kill('SIGKILL'));
    },
  });
  expect(killed.signal).toBe('SIGKILL');
  expect(killed.stdout).toBe(''); // it never got to report anything
  expect(killedMidFile).toBe(true);

  // What an analyst finds in the file right after the kill (opening it recovers the WAL).
  const db = new Database(dbPath);
  expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 0 });
  expect(db.prepare(`SELECT count(*) AS n FROM sync_files WHERE key = 'vitally/events/big.csv'`).get()).toEqual({
    n: 0,
  });
  expect(db.prepare(`SELECT count(*) AS n FROM file_state WHERE key = 'vitally/events/big.csv'`).get()).toEqual({
    n: 0,
  });
  // The files before it were committed, each in its own transaction.
  expect(db.prepare('SELECT external_id FROM organizations ORDER BY 1').pluck().all()).toEqual(['o1', 'o2']);
  expect(db.prepare('SELECT id, status, finished_at FROM sync_runs').all()).toEqual([
    { id: 1, status: 'running', finished_at: null },
  ]);
  db.close();

  const next = await runCli(['sync', '--config', configPath, '--db', dbPath, '--json']);
  expect(next.stderr).toBe('');
  expect(next.code).toBe(0);
  const report = JSON.parse(next.stdout);
  expect(report).toMatchObject({ runId: 2, status: 'succeeded' });
  expect(report.files.map((f: { key: string; status: string; rows: number }) => [f.key, f.status, f.rows])).toEqual([
    ['vitally/orgs/a.csv', 'unchanged', 0],
    ['vitally/accounts/a.csv', 'unchanged', 0],
    ['vitally/events/big.csv', 'imported', EVENT_ROWS],
  ]);

  const after = new Database(dbPath, { readonly: true });
  expect(after.prepare('SELECT id, status, error FROM sync_runs ORDER BY id').all()).toEqual([
    {
      id: 1,
      status: 'interrupted',
      error:
        'The app or command stopped before this sync finished (it was closed or killed), or could ' +
        'not record the end of it in the database (locked, read-only or full). Files it had not ' +
        'finished were rolled back.',
    },
    { id: 2, status: 'succeeded', error: null },
  ]);
  expect(after.prepare('SELECT count(*) AS n, count(DISTINCT message_id) AS ids FROM events').get()).toEqual({
    n: EVENT_ROWS,
    ids: EVENT_ROWS,
  });
  expect(
    after.prepare(`SELECT run_id, status, rows FROM sync_files WHERE key = 'vitally/events/big.csv'`).all(),
  ).toEqual([{ run_id: 2, status: 'imported', rows: EVENT_ROWS }]);
  expect(after.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  after.close();
}, 60_000);
