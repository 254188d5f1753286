// Faults with a real PostgreSQL server: the syncer killed mid-file, the connection cut mid-COPY, the
// server restarted between files, and a reader holding a long transaction. The S3 download is held
// part-way (a proxy) so the sync is observably in the middle of a file; data is checked with psql.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { INTERRUPTED_RUN_REASON } from '../../electron/core/db/run-log';
import { eventsCsv, makeConfig } from '../support/fixtures';
import { runCli, waitUntilAsync } from '../support/cli-process';
import { startHoldingProxy, type HoldingProxy } from '../support/holding-proxy';
import { createPostgresWorkspace, type PostgresWorkspace } from '../support/postgres-workspace';
import { startLocalPostgresServer, SYNC_PASSWORD, type LocalPostgresServer } from '../../scripts/local-postgres-server';

const EVENT_ROWS = 200_000;
let pg: LocalPostgresServer;
let ws: PostgresWorkspace;
let proxy: HoldingProxy;

beforeAll(async () => {
  pg = await startLocalPostgresServer();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
});
beforeEach(async () => {
  ws = await createPostgresWorkspace(pg);
  await ws.put('orgs/a.csv', 'org_id,org_name\no1,Acme\n');
  await ws.put('events/big.csv', eventsCsv(EVENT_ROWS));
  // The events download stops after 2 MB (about 40,000 rows, several COPY chunks) until released.
  proxy = await startHoldingProxy(ws.s3.endpoint, {
    match: (url) => url.includes('big.csv'),
    afterBytes: 2 * 1024 * 1024,
  });
});
afterEach(async () => {
  proxy.release();
  await proxy.close();
  await ws.close();
});

const config = () => {
  const base = makeConfig(ws.s3);
  return { ...base, connection: { ...base.connection, endpoint: proxy.endpoint } };
};

/** The COPY of the events file has received rows on the server. */
const copyUnderWay = () =>
  waitUntilAsync(
    async () =>
      (await pg.psql<{ n: number }>(`SELECT coalesce(max(tuples_processed), 0) AS n FROM pg_stat_progress_copy`))[0]!
        .n > 0,
    30_000,
    'the COPY of the events file to be under way',
  );

const count = async (table: string) =>
  (await ws.psql<{ n: number }>(`SELECT count(*)::int AS n FROM @schema.${table}`))[0]!.n;

it('kill -9 mid-file: nothing of the file lands, the run is marked interrupted, the next sync completes', async () => {
  const configPath = join(pg.dir, `${ws.schema}.json`);
  writeFileSync(configPath, JSON.stringify(config()));
  const args = ['sync', '--config', configPath, '--target', pg.url, '--schema', ws.schema, '--json'];
  const env = { PGPASSWORD: SYNC_PASSWORD, S3_CSV_SYNC_HEARTBEAT_MS: '200' };
  const killed = await runCli(args, {
    env,
    onStarted: (child) =>
      void (async () => {
        await proxy.held;
        await copyUnderWay();
        child.kill('SIGKILL');
      })().catch(() => child.kill('SIGKILL')),
  });
  expect(killed.signal).toBe('SIGKILL');
  // The server notices the dead client and rolls its transaction back.
  await waitUntilAsync(
    async () => (await pg.psql(`SELECT 1 FROM pg_stat_progress_copy`)).length === 0,
    30_000,
    'the killed COPY to end',
  );
  expect(await count('events')).toBe(0);
  expect(await ws.psql(`SELECT key FROM @schema.file_state ORDER BY 1`)).toEqual([{ key: 'vitally/orgs/a.csv' }]);
  expect(await ws.psql(`SELECT id, status FROM @schema.sync_runs`)).toEqual([{ id: 1, status: 'running' }]);

  proxy.release();
  const next = await runCli(args, { env });
  expect(next.stderr).toBe('');
  expect(JSON.parse(next.stdout)).toMatchObject({ runId: 2, status: 'succeeded' });
  expect(await ws.psql(`SELECT id, status, error FROM @schema.sync_runs ORDER BY id`)).toEqual([
    { id: 1, status: 'interrupted', error: INTERRUPTED_RUN_REASON },
    { id: 2, status: 'succeeded', error: null },
  ]);
  expect(
    await ws.psql(`SELECT count(*)::int AS n, count(DISTINCT message_id)::int AS ids FROM @schema.events`),
  ).toEqual([{ n: EVENT_ROWS, ids: EVENT_ROWS }]);
}, 120_000);

it('the connection cut mid-COPY: the file is rolled back with a clear error, no hang, and the next sync completes', async () => {
  const run = ws.sync(config());
  await proxy.held;
  await copyUnderWay();
  expect(
    await pg.psql(
      `SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE application_name = 's3-csv-sync writer'`,
    ),
  ).toEqual([{ cut: true }]);
  proxy.release();
  const report = await run;
  expect(report.status).toBe('partial');
  const events = report.files.find((f) => f.type === 'tracks')!;
  expect(events.status).toBe('failed');
  expect(events.error).toMatch(
    new RegExp(
      `^The connection to the PostgreSQL server at 127\\.0\\.0\\.1:${pg.port} was lost \\(.+\\); the file being written was rolled back\\.$`,
    ),
  );
  expect(await count('events')).toBe(0);
  // The failure itself is in the run log (written on a new connection).
  expect(await ws.psql(`SELECT status, error FROM @schema.sync_files WHERE object_type = 'tracks'`)).toEqual([
    { status: 'failed', error: events.error },
  ]);

  const next = await ws.sync(config());
  expect(next.status).toBe('succeeded');
  expect(next.files.map((f) => [f.type, f.status, f.rows])).toEqual([
    ['organizations', 'unchanged', 0],
    ['tracks', 'imported', EVENT_ROWS],
  ]);
  expect(await count('events')).toBe(EVENT_ROWS);
}, 120_000);

it('the server restarted between files: the sync reconnects and finishes', async () => {
  await ws.remove('events/big.csv');
  await ws.put('events/big.csv', eventsCsv(1000));
  proxy.release();
  await proxy.close();
  proxy = await startHoldingProxy(ws.s3.endpoint, { match: (url) => url.includes('big.csv'), afterBytes: null });
  const run = ws.sync(config());
  await proxy.held; // the organizations file is committed; the events file is asked for, not begun
  const before = pg.pid();
  await pg.restart();
  expect(pg.pid()).not.toBe(before);
  proxy.release();
  const report = await run;
  expect(report).toMatchObject({ status: 'succeeded' });
  expect(report.files.map((f) => [f.type, f.status, f.rows])).toEqual([
    ['organizations', 'imported', 1],
    ['tracks', 'imported', 1000],
  ]);
  expect(await count('events')).toBe(1000);
  expect(await ws.psql(`SELECT status FROM @schema.sync_runs`)).toEqual([{ status: 'succeeded' }]);
}, 120_000);

it('a reader holding a long transaction neither blocks the sync nor sees half a file', async () => {
  proxy.release();
  await ws.sync(makeConfig(ws.s3)); // 200,000 events, through the proxy's other side
  await ws.remove('events/big.csv');
  await ws.put('events/more.csv', 'message_id,user_id,ts,event\nn1,u1,2024-01-01,login\nn2,u1,2024-01-01,login\n');
  // An analyst's session: a repeatable-read transaction that has read the table and stays open.
  const reader = spawn(
    'psql',
    ['-X', '-q', '-At', '-h', '127.0.0.1', '-p', String(pg.port), '-U', 'sync', '-d', 'cs'],
    { env: { ...process.env, PGPASSWORD: SYNC_PASSWORD }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  reader.stdout.on('data', (d) => (out += d));
  const ask = async (sql: string, lines: number) => {
    reader.stdin.write(`${sql}\n`);
    await waitUntilAsync(async () => out.split('\n').filter(Boolean).length >= lines, 30_000, `psql to answer ${sql}`);
  };
  try {
    await ask(`BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM ${ws.schema}.events;`, 1);
    expect(out.trim()).toBe(String(EVENT_ROWS));
    const report = await ws.sync(makeConfig(ws.s3));
    expect(report.status).toBe('succeeded');
    expect(await count('events')).toBe(EVENT_ROWS + 2);
    await ask(`SELECT count(*) FROM ${ws.schema}.events; COMMIT;`, 2);
    expect(out.trim().split('\n')).toEqual([String(EVENT_ROWS), String(EVENT_ROWS)]); // its snapshot, unchanged
  } finally {
    reader.kill();
  }
}, 120_000);
