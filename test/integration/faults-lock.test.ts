// Another program has the database open while a sync runs: an analyst's sqlite3 shell reading inside
// a transaction (the sync goes on: WAL), or holding the write lock (the sync waits a bounded time,
// then fails saying why, with nothing half-written).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/db/sqlite-database';
import type { SyncProgress } from '../../electron/shared/domain';
import { runSync } from '../../electron/core/sync/run-sync';
import { createWorkspace, LOCAL_S3_SECRET, makeConfig, type Workspace } from '../support/fixtures';
import { runCli } from '../support/cli-process';

/** The sqlite3 shell on a pipe, one command at a time: send() resolves with what the command printed. */
class SqliteShell {
  private readonly child: ChildProcessWithoutNullStreams;
  private output = '';
  private errors = '';
  private n = 0;

  constructor(dbPath: string) {
    this.child = spawn('sqlite3', ['-batch', dbPath]);
    this.child.stdout.on('data', (d) => (this.output += d));
    this.child.stderr.on('data', (d) => (this.errors += d));
  }

  send(sql: string): Promise<string> {
    const marker = `<<done ${++this.n}>>`;
    const start = this.output.length;
    this.child.stdin.write(`${sql}\nSELECT '${marker}';\n`);
    return new Promise((resolve, reject) => {
      const timer = setInterval(() => {
        const at = this.output.indexOf(marker, start);
        if (this.errors) {
          clearInterval(timer);
          reject(new Error(`sqlite3: ${this.errors}`));
        } else if (at >= 0) {
          clearInterval(timer);
          resolve(this.output.slice(start, at).trim());
        }
      }, 10);
    });
  }

  close(): Promise<void> {
    this.child.stdin.end();
    return new Promise((resolve) =>
      this.child.exitCode !== null ? resolve() : this.child.on('close', () => resolve()),
    );
  }
}

let ws: Workspace;
let configPath: string;
let shell: SqliteShell | null = null;

beforeAll(async () => {
  ws = await createWorkspace();
  await ws.put('orgs/a.csv', 'org_id,org_name\no1,Acme\no2,Globex\n');
  configPath = join(ws.dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(makeConfig(ws.server)));
  expect((await ws.sync(makeConfig(ws.server))).status).toBe('succeeded');
});
afterEach(async () => {
  await shell?.close();
  shell = null;
});
afterAll(async () => {
  await ws.close();
});

const count = (table: string) => ws.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)[0]!.n;
const lockedMessage = (dbPath: string) =>
  `The database ${dbPath} is locked by another program that is writing to it. Close that program (or finish its transaction) and sync again.`;

describe('another program has the database open', { timeout: 45_000 }, () => {
  it('reading inside a transaction: the sync neither waits nor fails, and the reader keeps its snapshot', async () => {
    shell = new SqliteShell(ws.dbPath);
    expect(await shell.send('BEGIN; SELECT count(*) FROM organizations;')).toBe('2');
    await ws.put('orgs/b.csv', 'org_id,org_name\no3,Initech\n');

    const result = await runCli(['sync', '--config', configPath, '--db', ws.dbPath, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe('succeeded');
    const runMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
    console.log(`sync beside a reading transaction: the run took ${runMs} ms (the CLI process ${result.ms} ms)`);
    expect(runMs).toBeLessThan(5_000); // far below the 10 s a lock would make it wait
    expect(count('organizations')).toBe(3);

    // The shell still sees the database as it was when its transaction began; after it, the new rows.
    expect(await shell.send('SELECT count(*) FROM organizations;')).toBe('2');
    expect(await shell.send('COMMIT; SELECT count(*) FROM organizations;')).toBe('3');
  });

  it('holding the write lock when the sync starts: the CLI waits the bounded time, then fails naming the cause; nothing is written', async () => {
    shell = new SqliteShell(ws.dbPath);
    expect(await shell.send(`BEGIN IMMEDIATE; SELECT 'locked';`)).toBe('locked');
    await ws.put('orgs/c.csv', 'org_id,org_name\no4,Umbrella\n');
    const runsBefore = count('sync_runs');

    const waitMs = 1500;
    const result = await runCli(['sync', '--config', configPath, '--db', ws.dbPath, '--json'], {
      env: { S3_CSV_SYNC_BUSY_TIMEOUT_MS: String(waitMs) },
    });
    console.log(`write lock held: the CLI exited ${result.code} after ${result.ms} ms (busy timeout ${waitMs} ms)`);
    // The run log itself cannot be written while the lock is held: the reason goes to stderr.
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`${lockedMessage(ws.dbPath)}\n`);
    expect(result.ms).toBeGreaterThanOrEqual(waitMs);

    await shell.send('ROLLBACK;');
    expect(count('sync_runs')).toBe(runsBefore);
    expect(count('organizations')).toBe(3);
    expect(ws.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);

    const later = await runCli(['sync', '--config', configPath, '--db', ws.dbPath, '--json']);
    expect(later.code).toBe(0);
    expect(count('organizations')).toBe(4);
  });

  it('taking the write lock in the middle of a run: the next file waits, then the run fails naming the cause; the file before it stays whole, nothing of the rest lands', async () => {
    await ws.put('users/a.csv', 'user_id,account_id,full_name,email\nu1,,Ann,ann@example.com\n');
    const db = openDatabase(ws.dbPath, { busyTimeoutMs: 3000 });
    let other: Database.Database | null = null;
    const started = Date.now();
    let lockedAt = 0;
    try {
      await ws.put('orgs/d.csv', 'org_id,org_name\no5,Hooli\n');
      const report = await runSyncWith(db, (p) => {
        // The users file comes after the organizations: lock the database just before it is read.
        if (p.phase === 'importing' && p.type === 'users' && !other) {
          other = new Database(ws.dbPath);
          other.exec('BEGIN IMMEDIATE');
          lockedAt = Date.now();
        }
      });
      console.log(
        `write lock taken mid-run: the run ended ${Date.now() - lockedAt} ms after the lock (busy timeout 3000 ms; whole run ${Date.now() - started} ms)`,
      );
      // One wait, not one per write that follows (the failed file's record, the end of the run): two
      // waits would take 6 s; the margin is for a loaded machine, where SQLite's sleeps overshoot.
      expect(Date.now() - lockedAt).toBeLessThan(5500);
      expect(report.status).toBe('failed');
      expect(report.error).toBe(lockedMessage(ws.dbPath));
      expect(report.files.find((f) => f.key === 'vitally/users/a.csv')).toMatchObject({
        status: 'failed',
        error: lockedMessage(ws.dbPath),
      });
      expect(report.files.find((f) => f.key === 'vitally/orgs/d.csv')).toMatchObject({ status: 'imported', rows: 1 });
    } finally {
      (other as Database.Database | null)?.exec('ROLLBACK');
      (other as Database.Database | null)?.close();
      db.close();
    }
    expect(count('users')).toBe(0);
    expect(ws.query(`SELECT external_id FROM organizations WHERE external_id = 'o5'`)).toEqual([{ external_id: 'o5' }]);
    expect(ws.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    // The end of that run could not be written either; the next start says what happened to it.
    const [stuck] = ws.query<{ id: number; status: string }>(
      `SELECT id, status FROM sync_runs ORDER BY id DESC LIMIT 1`,
    );
    expect(stuck!.status).toBe('running');
    const next = await ws.sync(makeConfig(ws.server));
    expect(next.status).toBe('succeeded');
    expect(count('users')).toBe(1);
    const [marked] = ws.query<{ status: string; error: string }>(
      `SELECT status, error FROM sync_runs WHERE id = ?`,
      stuck!.id,
    );
    expect(marked).toEqual({
      status: 'interrupted',
      error:
        'The app or command stopped before this sync finished (it was closed or killed), or could not record the end of it in the database (locked, read-only or full). Files it had not finished were rolled back.',
    });
  });
});

function runSyncWith(db: ReturnType<typeof openDatabase>, onProgress: (progress: SyncProgress) => void) {
  return runSync({
    config: makeConfig(ws.server),
    secretAccessKey: LOCAL_S3_SECRET,
    db,
    dbPath: ws.dbPath,
    trigger: 'test',
    onProgress,
  });
}
