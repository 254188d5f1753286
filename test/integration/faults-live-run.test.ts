// A sync starts while another process's sync is still running on the same database (a CLI sync
// beside the app's, or two CLI syncs): the newcomer must not mark the other's live run interrupted.
// Only runs whose process is gone are.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { INTERRUPTED_RUN_REASON, markInterruptedRuns } from '../../electron/core/db/run-log';
import { openDatabase } from '../../electron/core/db/sqlite-database';
import { SCHEMA_VERSION } from '../../electron/core/db/migrations/sqlite-migrations';
import { createWorkspace, makeConfig, type Workspace } from '../support/fixtures';
import { queryOnce, runCli, waitUntil } from '../support/cli-process';

let ws: Workspace;

beforeAll(async () => {
  ws = await createWorkspace();
  await ws.put('orgs/a.csv', 'org_id,org_name\no1,Acme\n');
});
afterAll(async () => {
  await ws.close();
});

const runs = () =>
  ws.query<{ id: number; status: string; error: string | null }>('SELECT id, status, error FROM sync_runs ORDER BY id');

it('marks only the runs whose process is gone: not one whose process is alive', async () => {
  const alive = spawn('sleep', ['60']); // stands for another program in the middle of a sync
  const gone = spawnSync(process.execPath, ['-e', '']).pid; // a process that has exited
  try {
    const insert = ws.db.prepare(
      `INSERT INTO sync_runs (trigger, status, started_at, pid, host) VALUES ('test', 'running', ?, ?, ?)`,
    );
    const now = new Date().toISOString(); // after the process started, as a run's start always is
    insert.run(now, alive.pid, hostname());
    insert.run(now, gone, hostname());
    insert.run(now, null, null); // recorded before pids were
    insert.run(now, alive.pid, 'another-host'); // WAL databases are not shared between machines: a leftover
    // A run from long ago whose pid now belongs to a process started since (pids are reused).
    insert.run('2024-01-01T00:00:00.000Z', alive.pid, hostname());

    const report = await ws.sync(makeConfig(ws.server));
    expect(report.status).toBe('succeeded');
    expect(runs()).toEqual([
      { id: 1, status: 'running', error: null },
      { id: 2, status: 'interrupted', error: INTERRUPTED_RUN_REASON },
      { id: 3, status: 'interrupted', error: INTERRUPTED_RUN_REASON },
      { id: 4, status: 'interrupted', error: INTERRUPTED_RUN_REASON },
      { id: 5, status: 'interrupted', error: INTERRUPTED_RUN_REASON },
      { id: 6, status: 'succeeded', error: null },
    ]);
    expect(ws.query('SELECT pid, host FROM sync_runs WHERE id = 6')).toEqual([{ pid: process.pid, host: hostname() }]);
  } finally {
    alive.kill();
  }
  await new Promise((resolve) =>
    alive.exitCode !== null || alive.signalCode !== null ? resolve(null) : alive.on('exit', resolve),
  );
  await ws.sync(makeConfig(ws.server));
  expect(runs()[0]).toEqual({ id: 1, status: 'interrupted', error: INTERRUPTED_RUN_REASON });
});

it('counts a zombie (a killed process nobody reaped, as under a container init that does not reap) as gone', async () => {
  // sh starts the stand-in sync in the background, then becomes a sleep that never waits for it:
  // killed with -9, it stays in the process table as a zombie, and kill(pid, 0) still finds it.
  const parent = spawn('sh', ['-c', 'sleep 1000 & echo $!; exec sleep 2000']);
  try {
    const pid = await new Promise<number>((resolvePid) =>
      parent.stdout.once('data', (data: Buffer) => resolvePid(Number(String(data).trim()))),
    );
    const insert = ws.db.prepare(
      `INSERT INTO sync_runs (trigger, status, started_at, pid, host) VALUES ('zombie', 'running', ?, ?, ?)`,
    );
    const runId = Number(insert.run(new Date().toISOString(), pid, hostname()).lastInsertRowid);
    const statusOfRun = () =>
      ws.query<{ status: string }>('SELECT status FROM sync_runs WHERE id = ?', runId)[0]!.status;
    markInterruptedRuns(ws.db);
    expect(statusOfRun()).toBe('running'); // alive: left alone

    process.kill(pid, 'SIGKILL');
    const state = () => spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim();
    await waitUntil(() => state().startsWith('Z'), 10_000, `process ${pid} to become a zombie`);
    expect(() => process.kill(pid, 0)).not.toThrow(); // still "exists" to a signal 0
    expect(markInterruptedRuns(ws.db)).toBe(1);
    expect(statusOfRun()).toBe('interrupted');
  } finally {
    parent.kill('SIGKILL');
  }
});

it("two CLI syncs on one database: the second leaves the first one's live run alone, and both finish", async () => {
  // The first sync's download of its file is held (the server is slow to answer): its run is live,
  // and it holds no lock while it waits, so the second sync runs from start to end meanwhile.
  const held: ServerResponse[] = [];
  let release: (() => void) | null = null;
  const proxy: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const target = new URL(ws.server.endpoint);
    const forward = () =>
      req.pipe(
        httpRequest(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        ),
      );
    if (req.method === 'GET' && req.url?.includes('slow.csv') && !release) {
      held.push(res);
      release = forward;
      return;
    }
    forward();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  try {
    await ws.put('orgs/slow.csv', 'org_id,org_name\no9,Slow Corp\n');
    const base = makeConfig(ws.server);
    const slowConfig = join(ws.dir, 'slow.json');
    writeFileSync(
      slowConfig,
      JSON.stringify({
        ...base,
        connection: { ...base.connection, endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` },
      }),
    );
    const configPath = join(ws.dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(base));
    const dbPath = join(ws.dir, 'two.sqlite');

    const first = runCli(['sync', '--config', slowConfig, '--db', dbPath, '--json']);
    await waitUntil(() => release !== null, 30_000, 'the first sync to ask for the slow file');
    expect(queryOnce(dbPath, 'SELECT id, status FROM sync_runs')).toEqual([{ id: 1, status: 'running' }]);

    const second = await runCli(['sync', '--config', configPath, '--db', dbPath, '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ runId: 2, status: 'succeeded' });
    expect(queryOnce(dbPath, 'SELECT id, status, error FROM sync_runs ORDER BY id')).toEqual([
      { id: 1, status: 'running', error: null }, // still the first sync's, not "interrupted"
      { id: 2, status: 'succeeded', error: null },
    ]);

    release!();
    const done = await first;
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ runId: 1, status: 'succeeded' });
    expect(queryOnce(dbPath, 'SELECT id, status FROM sync_runs ORDER BY id')).toEqual([
      { id: 1, status: 'succeeded' },
      { id: 2, status: 'succeeded' },
    ]);
  } finally {
    for (const res of held) res.socket?.destroy();
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    await ws.remove('orgs/slow.csv');
  }
}, 60_000);

it('a database from before pids were recorded migrates: its runs are kept, and a run it left running is marked interrupted', () => {
  const dir = mkdtempSync(join(tmpdir(), 's3sync-migrate-'));
  const dbPath = join(dir, 'old.sqlite');
  try {
    // Schema 1 as the previous version left it: no pid or host column, nor what later migrations add.
    const old = openDatabase(dbPath);
    old.exec(`DROP TABLE alert_deliveries; ALTER TABLE sync_runs DROP COLUMN pid; ALTER TABLE sync_runs DROP COLUMN host;
      ALTER TABLE sync_runs DROP COLUMN files_gone; DROP TABLE record_files;
      ALTER TABLE file_state DROP COLUMN unselected_since; ALTER TABLE file_state DROP COLUMN columns;
      DROP TABLE organizations_search; DROP TABLE accounts_search; DROP TABLE users_search; DROP TABLE nps_responses_search;
      PRAGMA user_version = 1;
      INSERT INTO sync_runs (trigger, status, started_at) VALUES ('schedule', 'succeeded', '2024-01-01T00:00:00.000Z'), ('schedule', 'running', '2024-01-02T00:00:00.000Z');`);
    old.close();

    const db = openDatabase(dbPath);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(markInterruptedRuns(db)).toBe(1);
    expect(db.prepare('SELECT id, status, pid, host FROM sync_runs ORDER BY id').all()).toEqual([
      { id: 1, status: 'succeeded', pid: null, host: null },
      { id: 2, status: 'interrupted', pid: null, host: null },
    ]);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
