// The disk fills up, or the database file is read-only, for real: the CLI runs with a file size
// limit (RLIMIT_FSIZE, so writes past it fail as on a full disk: no mount needed, works in CI
// containers), or without the capabilities that let root ignore file permissions (as any user whose
// database file, or its folder, has lost its write permission).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/db/sqlite-database';
import { runSync } from '../../electron/core/sync/run-sync';
import { createWorkspace, eventsCsv, LOCAL_S3_SECRET, makeConfig, type Workspace } from '../support/fixtures';
import { fileSize, runCli } from '../support/cli-process';

const EVENT_ROWS = 50_000;
const BIG_EVENTS = eventsCsv(EVENT_ROWS);

/** A real full disk needs a small filesystem: a tmpfs, where mounting is allowed (not in most CI containers). */
function mountTmpfs(dir: string, size: string, remount = false): boolean {
  const options = remount ? `remount,size=${size}` : `size=${size}`;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]).status === 0;
}
const canMountTmpfs = (() => {
  const dir = mkdtempSync(join(tmpdir(), 's3sync-mount-'));
  const ok = mountTmpfs(dir, '1m');
  if (ok) spawnSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
  return ok;
})();

let ws: Workspace;
let configPath: string;

beforeAll(async () => {
  ws = await createWorkspace();
  await ws.put('orgs/a.csv', 'org_id,org_name\no1,Acme\no2,Globex\n');
  configPath = join(ws.dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(makeConfig(ws.server)));
});
afterAll(async () => {
  await ws.close();
});

/** A database in its own folder holding the first sync (two organizations), closed. */
async function databaseWithEarlierData(name: string): Promise<string> {
  const dir = join(ws.dir, name);
  mkdirSync(dir);
  const dbPath = join(dir, 'sync.sqlite');
  const db = openDatabase(dbPath);
  const report = await runSync({
    config: makeConfig(ws.server),
    secretAccessKey: LOCAL_S3_SECRET,
    db,
    dbPath,
    trigger: 'test',
  });
  expect(report.status).toBe('succeeded');
  db.close();
  return dbPath;
}

function inspect(dbPath: string) {
  const db = new Database(dbPath);
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      organizations: db.prepare('SELECT external_id FROM organizations ORDER BY 1').pluck().all(),
      events: db.prepare('SELECT count(*) FROM events').pluck().get(),
      runs: db.prepare('SELECT id, status FROM sync_runs ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}

describe('the database cannot be written', { timeout: 50_000 }, () => {
  it('read-only file: the run fails saying so, and the earlier data is intact', async () => {
    const dbPath = await databaseWithEarlierData('read-only');
    // The folder stays writable (SQLite may create its -shm and -wal files there); the file is not.
    chmodSync(dbPath, 0o444);
    const before = inspect(dbPath);
    await ws.put('orgs/b.csv', 'org_id,org_name\no3,Initech\n');

    const result = await runCli(['sync', '--config', configPath, '--db', dbPath], { obeyFilePermissions: true });
    console.log(`read-only database: exit ${result.code} after ${result.ms} ms; stderr: ${result.stderr.trim()}`);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`The database ${dbPath} is read-only. Check the file's permissions.\n`);
    expect(inspect(dbPath)).toEqual(before);
  });

  it('read-only folder and file: the run fails saying so, and the earlier data is intact', async () => {
    const dbPath = await databaseWithEarlierData('read-only-folder');
    const before = inspect(dbPath);
    chmodSync(dbPath, 0o444);
    chmodSync(join(ws.dir, 'read-only-folder'), 0o555);
    await ws.put('orgs/c.csv', 'org_id,org_name\no4,Umbrella\n');
    const result = await runCli(['sync', '--config', configPath, '--db', dbPath], { obeyFilePermissions: true });
    console.log(`read-only folder: exit ${result.code} after ${result.ms} ms; stderr: ${result.stderr.trim()}`);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `The folder holding the database ${dbPath} is read-only, and SQLite needs to create its ` +
        `journal files (-wal, -shm) beside it. Check the folder's permissions.\n`,
    );
    expect(inspect(dbPath)).toEqual(before);
  });

  it('disk full in the middle of a file: the run fails saying so, nothing of the file lands, the earlier data is intact', async () => {
    const dbPath = await databaseWithEarlierData('full');
    const before = inspect(dbPath);
    await ws.put('events/big.csv', BIG_EVENTS);
    try {
      // Room for the run log, not for 50,000 events (about 7 MB in the WAL).
      const limit = fileSize(dbPath) + 2 * 1024 * 1024;
      const result = await runCli(['sync', '--config', configPath, '--db', dbPath, '--json'], { maxFileBytes: limit });
      console.log(`file size limit: exit ${result.code} after ${result.ms} ms; stderr: ${result.stderr.trim()}`);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      const message =
        `Writing to the database ${dbPath} failed (disk I/O error): the disk may be full or ` +
        `failing, or the file may have reached a size limit. Free some space or check the disk, ` +
        `and sync again; nothing of the interrupted file was stored.`;
      expect(report.status).toBe('failed');
      expect(report.error).toBe(message);
      expect(report.files.at(-1)).toMatchObject({ key: 'vitally/events/big.csv', status: 'failed', error: message });
      // The run log holds the failure (its small writes still fitted); nothing of the file, the rest as it was.
      const after = inspect(dbPath);
      expect(after).toEqual({ ...before, runs: [...before.runs, { id: report.runId, status: 'failed' }] });
      const db = new Database(dbPath, { readonly: true });
      expect(db.prepare('SELECT error FROM sync_runs WHERE id = ?').pluck().get(report.runId)).toBe(message);
      db.close();

      // Room again (the limit lifted): the next sync imports the file.
      const next = await runCli(['sync', '--config', configPath, '--db', dbPath, '--json']);
      expect(next.code).toBe(0);
      expect(inspect(dbPath).events).toBe(EVENT_ROWS);
    } finally {
      await ws.remove('events/big.csv');
    }
  });
  it('SQLite says the disk is full (SQLITE_FULL, here from a page limit, so it runs where no tmpfs can be mounted): the run fails saying so', async () => {
    const dbPath = await databaseWithEarlierData('page-limit');
    const before = inspect(dbPath);
    await ws.put('events/big.csv', BIG_EVENTS);
    const db = openDatabase(dbPath);
    try {
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages + 8}`); // room for the run log, not for 50,000 events
      const report = await runSync({
        config: makeConfig(ws.server),
        secretAccessKey: LOCAL_S3_SECRET,
        db,
        dbPath,
        trigger: 'test',
      });
      const message = `The disk holding ${dbPath} is full. Free some space and sync again; nothing of the interrupted file was stored.`;
      expect(report).toMatchObject({ status: 'failed', error: message });
      expect(report.files.at(-1)).toMatchObject({ key: 'vitally/events/big.csv', status: 'failed', error: message });
      db.close();
      expect(inspect(dbPath)).toEqual({ ...before, runs: [...before.runs, { id: report.runId, status: 'failed' }] });

      const next = openDatabase(dbPath); // no limit: the next sync imports the file
      expect(
        (
          await runSync({
            config: makeConfig(ws.server),
            secretAccessKey: LOCAL_S3_SECRET,
            db: next,
            dbPath,
            trigger: 'test',
          })
        ).status,
      ).toBe('succeeded');
      next.close();
      expect(inspect(dbPath).events).toBe(EVENT_ROWS);
    } finally {
      if (db.open) db.close();
      await ws.remove('events/big.csv');
    }
  });

  it.skipIf(!canMountTmpfs)(
    'a really full disk (a small tmpfs): the run fails saying the disk is full, nothing of the file lands',
    async () => {
      const mountDir = join(ws.dir, 'tmpfs');
      mkdirSync(mountDir);
      // 8 MB: the schema (search indexes, holdings) takes more pages than 4 MB allowed; the big file still fills it.
      expect(mountTmpfs(mountDir, '8m')).toBe(true);
      try {
        const dbPath = join(mountDir, 'sync.sqlite');
        const db = openDatabase(dbPath);
        expect(
          (
            await runSync({
              config: makeConfig(ws.server),
              secretAccessKey: LOCAL_S3_SECRET,
              db,
              dbPath,
              trigger: 'test',
            })
          ).status,
        ).toBe('succeeded');
        db.close();
        const before = inspect(dbPath);
        await ws.put('events/big.csv', BIG_EVENTS);

        const result = await runCli(['sync', '--config', configPath, '--db', dbPath, '--json']);
        console.log(`full tmpfs: exit ${result.code} after ${result.ms} ms; stderr: ${result.stderr.trim()}`);
        expect(result.code).toBe(1);
        const report = JSON.parse(result.stdout);
        const message = `The disk holding ${dbPath} is full. Free some space and sync again; nothing of the interrupted file was stored.`;
        expect(report).toMatchObject({ status: 'failed', error: message });
        expect(report.files.at(-1)).toMatchObject({ key: 'vitally/events/big.csv', status: 'failed', error: message });
        expect(inspect(dbPath)).toEqual({ ...before, runs: [...before.runs, { id: report.runId, status: 'failed' }] });

        expect(mountTmpfs(mountDir, '64m', true)).toBe(true); // space freed
        const next = await runCli(['sync', '--config', configPath, '--db', dbPath, '--json']);
        expect(next.code).toBe(0);
        expect(inspect(dbPath).events).toBe(EVENT_ROWS);
      } finally {
        spawnSync('umount', [mountDir]);
        await ws.remove('events/big.csv');
      }
    },
  );
});
