// The command line as a user runs it: a real child process, a real S3-compatible server, a real
// SQLite file; exit codes, the JSON report and readable messages.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli-process';
import { startSlowProxy, type SlowProxy } from '../../support/slow-proxy';
import { createWorkspace, eventsCsv, LOCAL_S3_SECRET, makeConfig, type Workspace } from '../../support/fixtures';
import type { SyncConfig } from '../../../electron/shared/config';

/**
 * Sends the signal in the middle of the last file (the big events file): its download is slowed on
 * purpose after its first 256 KB, so the import is under way, whatever the load on the machine.
 */
function killWhileImportingEvents(child: ChildProcess, signal: NodeJS.Signals): void {
  void slow.whenSlowed().then(() => child.kill(signal));
  child.on('close', () => slow.release());
}

async function putBigEventsFile(): Promise<void> {
  await ws.put('events/big.csv', eventsCsv(50_000));
  slow.slowDown('/vitally/events/big.csv', 256 * 1024);
}

/** A config whose endpoint is the slow proxy in front of the test server. */
function viaSlowProxy(config: SyncConfig): SyncConfig {
  return { ...config, connection: { ...config.connection, endpoint: slow.endpoint } };
}

let ws: Workspace;
let slow: SlowProxy;
let configPath: string;

beforeAll(async () => {
  ws = await createWorkspace();
  slow = await startSlowProxy(ws.server.endpoint);
  await ws.put('orgs/a.csv', 'org_id,org_name\no1,Acme\no2,Globex\n');
  await ws.put('orgs/b.csv', 'org_id,org_name\no3,Initech\n');
  await ws.put('accounts/a.csv', 'account_id,account_name,org_id\na1,Acme EU,o1\n,No ID,o1\n');
  configPath = join(ws.dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(viaSlowProxy(makeConfig(ws.server))));
});
afterAll(async () => {
  await slow.close();
  await ws.close();
});

// Every test starts CLI processes (Node + tsx + the AWS SDK, about 2 s each on an idle machine).
describe('npm run cli', { timeout: 90_000 }, () => {
  it('prints usage and exits 2 without a command, or with an unknown one', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('Usage: npm run cli -- <command>');
    const unknown = await runCli(['synk']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "synk".');
  });

  it('refuses a wrong configuration before anything runs, naming each field (exit 2)', async () => {
    const bad = join(ws.dir, 'bad.json');
    const base = makeConfig(ws.server);
    const config = {
      ...base,
      connection: { ...base.connection, secretAccessKey: 'do-not-put-me-here' },
      objects: {
        ...base.objects,
        accounts: { ...base.objects.accounts, fileRegex: '^accounts/(' },
        tracks: { ...base.objects.tracks, target: 'company' },
      },
    };
    writeFileSync(bad, JSON.stringify(config));
    const dbPath = join(ws.dir, 'never-created.sqlite');
    const result = await runCli(['sync', '--config', bad, '--db', dbPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`The configuration in ${bad} is not valid:`);
    expect(result.stderr).toContain(
      'objects.accounts.fileRegex: is not a valid regular expression: missing closing ): `^accounts/(`',
    );
    expect(result.stderr).toContain('objects.tracks.target: must be "user", "account" or "organization"');
    expect(result.stderr).toContain(
      'connection: unknown field "secretAccessKey" (the secret access key never goes in the configuration',
    );
    expect(result.stderr).not.toContain('do-not-put-me-here');

    const missing = await runCli(['sync', '--config', join(ws.dir, 'nope.json'), '--db', dbPath]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`the file ${join(ws.dir, 'nope.json')} does not exist`);
    const noDb = await runCli(['sync', '--config', configPath]);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain('Missing --db FILE.');
  });

  it('sync --json prints only the JSON report; exit 0 on success, and the secret appears nowhere', async () => {
    const dbPath = join(ws.dir, 'json.sqlite');
    const result = await runCli(['sync', '--config', configPath, '--db', dbPath, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      runId: 1,
      status: 'succeeded',
      overCap: { organizations: 0, accounts: 0, users: 0, nps: 0, tracks: 0 },
    });
    expect(report.files).toEqual([
      {
        type: 'organizations',
        key: 'vitally/orgs/a.csv',
        status: 'imported',
        rows: 2,
        created: 2,
        updated: 0,
        skipped: 0,
        rejected: 0,
      },
      {
        type: 'organizations',
        key: 'vitally/orgs/b.csv',
        status: 'imported',
        rows: 1,
        created: 1,
        updated: 0,
        skipped: 0,
        rejected: 0,
      },
      {
        type: 'accounts',
        key: 'vitally/accounts/a.csv',
        status: 'imported',
        rows: 2,
        created: 1,
        updated: 0,
        skipped: 0,
        rejected: 1,
      },
    ]);
    expect(result.stdout + result.stderr).not.toContain(LOCAL_S3_SECRET);
    const db = new Database(dbPath, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM organizations').get()).toEqual({ n: 3 });
    db.close();

    const again = await runCli(['sync', '--config', configPath, '--db', dbPath, '--json']);
    expect(JSON.parse(again.stdout).files.map((f: { status: string }) => f.status)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    const full = await runCli(['sync', '--config', configPath, '--db', dbPath, '--json', '--full']);
    expect(JSON.parse(full.stdout).files.map((f: { status: string }) => f.status)).toEqual([
      'imported',
      'imported',
      'imported',
    ]);
  });

  it('sync prints a readable summary and exits 1 when the run is partial', async () => {
    const partial = join(ws.dir, 'partial.json');
    writeFileSync(
      partial,
      JSON.stringify(
        makeConfig(ws.server, {
          accounts: { fileRegex: '^accounts/', mode: 'create_update', idColumn: 'account_id', nameColumn: 'title' },
        }),
      ),
    );
    const dbPath = join(ws.dir, 'partial.sqlite');
    const result = await runCli(['sync', '--config', partial, '--db', dbPath]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^Sync #1 partial in \d+\.\d s: 3 files \(2 imported, 0 unchanged, 1 failed\)/);
    expect(result.stdout).toContain(
      'The name column "title" is not in the file. The file has the columns: "account_id", "account_name", "org_id" (names are matched ignoring case and spaces).',
    );
    expect(result.stdout).toContain(`Database: ${dbPath}`);
  });

  it('sync exits 1 with a plain message when the run fails (unknown access key)', async () => {
    const wrongKey = join(ws.dir, 'wrong-key.json');
    const config = makeConfig(ws.server);
    writeFileSync(
      wrongKey,
      JSON.stringify({ ...config, connection: { ...config.connection, accessKeyId: 'AKIANOBODY' } }),
    );
    const result = await runCli(['sync', '--config', wrongKey, '--db', join(ws.dir, 'fail.sqlite'), '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe('failed');
    expect(report.error).toContain('The access key ID "AKIANOBODY" is not known to');
  });

  it('preview --json lists the selected files in key order with sizes and dates', async () => {
    const result = await runCli(['preview', '--config', configPath, '--type', 'organizations', '--json']);
    expect(result.code).toBe(0);
    const preview = JSON.parse(result.stdout);
    expect(preview.type).toBe('organizations');
    expect(preview.overCap).toBe(0);
    expect(preview.selected.map((f: { key: string; size: number }) => [f.key, f.size])).toEqual([
      ['vitally/orgs/a.csv', 'org_id,org_name\no1,Acme\no2,Globex\n'.length],
      ['vitally/orgs/b.csv', 'org_id,org_name\no3,Initech\n'.length],
    ]);
    expect(Date.parse(preview.selected[0].lastModified)).toBeGreaterThan(Date.now() - 600_000);
    const badType = await runCli(['preview', '--config', configPath, '--type', 'contacts']);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toContain(
      'Unknown object type "contacts": use one of organizations, accounts, users, nps, tracks.',
    );
  });

  it('test-connection says how many files it sees, or what is wrong', async () => {
    const ok = await runCli(['test-connection', '--config', configPath]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      'Connected as the access key "S3RVER": bucket "acme-exports" under "vitally/" can be listed and holds 3 files.\n',
    );
    const noBucket = join(ws.dir, 'no-bucket.json');
    const config = makeConfig(ws.server);
    writeFileSync(
      noBucket,
      JSON.stringify({ ...config, connection: { ...config.connection, bucket: 'missing-bucket' } }),
    );
    const bad = await runCli(['test-connection', '--config', noBucket]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('The bucket "missing-bucket" does not exist at http://127.0.0.1:');
  });

  it('stops cleanly on SIGINT: the file being imported is rolled back and the run marked interrupted', async () => {
    await putBigEventsFile();
    const dbPath = join(ws.dir, 'sigint.sqlite');
    const result = await runCli(['sync', '--config', configPath, '--db', dbPath, '--json'], {
      onStarted: (child) => killWhileImportingEvents(child, 'SIGINT'),
    });
    await ws.remove('events/big.csv');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe('interrupted');
    expect(report.files.at(-1)).toMatchObject({
      key: 'vitally/events/big.csv',
      status: 'failed',
      error: 'The sync was stopped while this file was being read; nothing of it was stored.',
    });
    const db = new Database(dbPath, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT status FROM sync_runs').all()).toEqual([{ status: 'interrupted' }]);
    expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    db.close();
  });

  it('watch syncs at start, logs each run, and on SIGTERM rolls back the file being imported and exits cleanly', async () => {
    const watchConfig = join(ws.dir, 'watch.json');
    writeFileSync(watchConfig, JSON.stringify({ ...viaSlowProxy(makeConfig(ws.server)), schedule: { everyHours: 6 } }));
    const dbPath = join(ws.dir, 'watch.sqlite');
    let output = '';
    const waitFor = (pattern: RegExp, child: ChildProcess) =>
      new Promise<void>((resolveWait, reject) => {
        const check = () =>
          pattern.test(output) && (clearTimeout(timer), child.stdout!.off('data', check), resolveWait());
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${output}`)),
          20_000,
        );
        child.stdout!.on('data', check);
        check();
      });

    // First run at start; stop it while idle.
    const first = await runCli(['watch', '--config', watchConfig, '--db', dbPath], {
      onStarted: (child) => {
        child.stdout!.on('data', (d) => (output += d));
        void waitFor(/sync #1 succeeded: 3 files/, child).then(() => child.kill('SIGTERM'));
      },
    });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/watching bucket "acme-exports" every 6 hours into .*watch\.sqlite; Ctrl-C stops/);
    expect(first.stdout).toMatch(
      /sync started \(startup\)\n.*sync #1 succeeded: 3 files, 5 rows \(4 created, 0 updated, 0 skipped, 1 rejected\); next sync at (\S+)\n/,
    );
    const nextAt = Date.parse(/next sync at (\S+)/.exec(first.stdout)![1]!);
    const db = new Database(dbPath, { readonly: true });
    const { started_at } = db.prepare('SELECT started_at FROM sync_runs WHERE id = 1').get() as { started_at: string };
    db.close();
    expect(nextAt - Date.parse(started_at)).toBe(6 * 3600_000);
    expect(first.stdout).toMatch(/stopped\n$/);

    // Restarted within the interval: no run at start. A SIGTERM arrives; nothing was running.
    output = '';
    const second = await runCli(['watch', '--config', watchConfig, '--db', dbPath], {
      onStarted: (child) => {
        child.stdout!.on('data', (d) => (output += d));
        void waitFor(/Ctrl-C stops\. Next sync at/, child).then(() => child.kill('SIGTERM'));
      },
    });
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('sync started');

    // Stopped in the middle of a file: that file is rolled back, the run recorded as interrupted.
    await putBigEventsFile();
    const midFileDb = join(ws.dir, 'watch-mid-file.sqlite');
    const third = await runCli(['watch', '--config', watchConfig, '--db', midFileDb], {
      onStarted: (child) => killWhileImportingEvents(child, 'SIGTERM'),
    });
    await ws.remove('events/big.csv');
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(
      /sync #1 interrupted: 4 files.*The sync was stopped before it finished; 3 of 4 files were synced, the rest will be read next time\./,
    );
    const midFile = new Database(midFileDb, { readonly: true });
    expect(midFile.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 0 });
    expect(midFile.prepare(`SELECT status FROM sync_files WHERE key = 'vitally/events/big.csv'`).all()).toEqual([
      { status: 'failed' },
    ]);
    expect(midFile.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    midFile.close();

    const noSchedule = await runCli(['watch', '--config', configPath, '--db', dbPath]);
    expect(noSchedule.code).toBe(2);
    expect(noSchedule.stderr).toContain(
      `The schedule is off in ${configPath}: set schedule.everyHours to 6, 12 or 24 to watch`,
    );
  }, 180_000); // four CLI processes, each starting Node, tsx and the AWS SDK: slow on a loaded machine
});
