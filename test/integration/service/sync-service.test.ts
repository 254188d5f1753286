// The app's back end as a whole: a settings folder, the secret from a secret store, a real
// S3-compatible server and a real SQLite file. Saving a new schedule or mapping syncs right away.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunReport } from '../../../electron/shared/domain';
import { InMemorySecretStore } from '../../support/in-memory-secret-store';
import { DATABASE_FILE_NAME, SyncService } from '../../../electron/core/service/sync-service';
import { openDatabase } from '../../../electron/core/db/sqlite-database';
import {
  LOCAL_S3_ACCESS_KEY_ID,
  LOCAL_S3_SECRET,
  startLocalS3Server,
  type LocalS3Server,
} from '../../../scripts/local-s3-server';
import { makeConfig, PREFIX } from '../../support/fixtures';

let server: LocalS3Server;
let dataDir: string;
let service: SyncService;
let secrets: InMemorySecretStore;

beforeEach(async () => {
  server = await startLocalS3Server();
  await server.put(`${PREFIX}orgs/a.csv`, 'org_id,org_name\no1,Acme\n');
  dataDir = mkdtempSync(join(tmpdir(), 's3sync-service-'));
  secrets = new InMemorySecretStore();
  await secrets.set(LOCAL_S3_ACCESS_KEY_ID, LOCAL_S3_SECRET);
  service = new SyncService({ dataDir, secretStore: secrets, env: {} });
});
afterEach(async () => {
  await service.stop();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function nextRun(): Promise<RunReport> {
  return new Promise((resolve) => {
    const off = service.scheduler.on('run-finished', (report) => {
      off();
      resolve(report);
    });
  });
}

describe('SyncService', () => {
  it('syncs right away when the schedule is first set, with the secret from the keychain store', async () => {
    service.start();
    const finished = nextRun();
    service.settings.setConfig({ ...makeConfig(server), schedule: { everyHours: 12 } });
    const report = await finished;
    expect(report).toMatchObject({
      trigger: 'settings-changed',
      status: 'succeeded',
      counts: { files: 1, rows: 1, created: 1 },
    });
    const state = service.scheduler.getState();
    expect(state.nextRunAt! - Date.parse(report.startedAt)).toBe(12 * 3600_000);
  });

  it('syncs right away when a mapping changes, but not when nothing that matters changed', async () => {
    service.settings.setConfig({ ...makeConfig(server), schedule: { everyHours: 24 } });
    service.start();
    await nextRun(); // the first run: due at start, never synced before
    const runs: RunReport[] = [];
    service.scheduler.on('run-finished', (r) => runs.push(r));

    const config = service.settings.getConfig()!;
    service.settings.setConfig({ ...config, connection: { ...config.connection } }); // same values
    const remapped = nextRun();
    service.settings.setConfig({
      ...config,
      objects: {
        ...config.objects,
        organizations: { ...config.objects.organizations!, idColumn: 'org_name', nameColumn: 'org_id' },
      },
    });
    const report = await remapped;
    expect(report).toMatchObject({
      trigger: 'settings-changed',
      status: 'succeeded',
      counts: { files: 1, created: 1 },
    });
    expect(runs).toHaveLength(1);
  });

  it('refuses "sync now" while a sync runs, saying so', async () => {
    const finished = nextRun();
    service.settings.setConfig(makeConfig(server)); // a first mapping: a sync starts at once
    expect(service.scheduler.getState().running).toBe(true);
    const second = service.syncNow();
    expect(second.started).toBe(false);
    expect(second).toMatchObject({
      reason: expect.stringMatching(/^A sync is already running \(started at \d\d:\d\d:\d\d\)/), // local time
    });
    expect(await finished).toMatchObject({ trigger: 'settings-changed', status: 'succeeded' });
    const third = nextRun();
    expect(service.syncNow().started).toBe(true);
    expect(await third).toMatchObject({ trigger: 'manual', status: 'succeeded' });
  });

  it('reports a missing secret as a failed run with the how-to', async () => {
    await secrets.delete(LOCAL_S3_ACCESS_KEY_ID);
    const finished = nextRun();
    service.settings.setConfig(makeConfig(server));
    const report = await finished;
    expect(report.status).toBe('failed');
    expect(report.error).toContain(
      `Store one with: npm run cli -- credentials set --access-key-id ${LOCAL_S3_ACCESS_KEY_ID}`,
    );
    // Recorded in the run log like any other failed run, so the Sync log screen shows it.
    const db = new Database(service.dbPath, { readonly: true });
    expect(db.prepare('SELECT id, status, error FROM sync_runs').all()).toEqual([
      { id: report.runId, status: 'failed', error: report.error },
    ]);
    db.close();
  });

  it('stops a run that is still waiting for the keychain: nothing is synced and the run is recorded as interrupted', async () => {
    await service.stop();
    const slowKeychain = new InMemorySecretStore();
    await slowKeychain.set(LOCAL_S3_ACCESS_KEY_ID, LOCAL_S3_SECRET);
    const get = slowKeychain.get.bind(slowKeychain);
    // The keychain answers only when the test says so (as a macOS keychain prompt waits for a click).
    let asked: () => void = () => {};
    const keychainAsked = new Promise<void>((resolve) => (asked = resolve));
    let answer: () => void = () => {};
    const answered = new Promise<void>((resolve) => (answer = resolve));
    slowKeychain.get = async (id) => {
      asked();
      await answered;
      return get(id);
    };
    service = new SyncService({ dataDir, secretStore: slowKeychain, env: {} });
    const finished = nextRun();
    service.settings.setConfig(makeConfig(server));
    await keychainAsked;
    const stopped = service.stop();
    answer();
    expect(await finished).toMatchObject({ status: 'interrupted', error: 'The sync was stopped before it started.' });
    await stopped;
    const db = new Database(service.dbPath, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM organizations').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT status FROM sync_runs').all()).toEqual([{ status: 'interrupted' }]);
    db.close();
    service = new SyncService({ dataDir, secretStore: secrets, env: {} }); // for afterEach
  });

  it('opens while another program holds the write lock, and marks a run cut short at the next sync', async () => {
    const lockedDir = mkdtempSync(join(tmpdir(), 's3sync-service-locked-'));
    const dbPath = join(lockedDir, DATABASE_FILE_NAME);
    const setup = openDatabase(dbPath);
    setup
      .prepare(
        `INSERT INTO sync_runs (trigger, status, started_at) VALUES ('schedule', 'running', '2026-01-01T00:00:00.000Z')`,
      )
      .run();
    setup.close();
    const other = new Database(dbPath);
    other.exec('BEGIN IMMEDIATE');
    let second: SyncService | undefined;
    try {
      // With the default busy wait (10 s): the app's start must not sit it out.
      const opening = performance.now();
      second = new SyncService({ dataDir: lockedDir, secretStore: secrets, env: {} });
      expect(performance.now() - opening).toBeLessThan(5000);
      expect(other.prepare(`SELECT status FROM sync_runs WHERE id = 1`).get()).toEqual({ status: 'running' });
      other.exec('COMMIT');
      const finished = new Promise<RunReport>((resolve) => second!.scheduler.on('run-finished', resolve));
      second.settings.setConfig({ ...makeConfig(server), schedule: { everyHours: 24 } }); // syncs right away
      expect(await finished).toMatchObject({ status: 'succeeded' });
      expect(other.prepare(`SELECT id, status FROM sync_runs ORDER BY id`).all()).toEqual([
        { id: 1, status: 'interrupted' },
        { id: 2, status: 'succeeded' },
      ]);
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      await second?.stop();
      rmSync(lockedDir, { recursive: true, force: true });
    }
  });
});
