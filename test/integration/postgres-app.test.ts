// The desktop app's API with a real PostgreSQL server (a throwaway cluster) and a real S3-compatible
// server: "Where the data goes" tested in plain words and saved (password into the keychain, never
// into the settings file), a sync from the app into PostgreSQL, and the Sync log and Data screens
// reading it back. Every row is checked with psql, beside what the API answers.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport, TargetConfig } from '../../electron/shared/contract';
import { createAppApi, type AppApi } from '../../electron/core/service/app-api';
import { SyncService } from '../../electron/core/service/sync-service';
import { openDatabase } from '../../electron/core/db/sqlite-database';
import { LOCAL_S3_SECRET } from '../../scripts/local-s3-server';
import { startLocalPostgresServer, SYNC_PASSWORD, type LocalPostgresServer } from '../../scripts/local-postgres-server';
import { InMemorySecretStore } from '../support/in-memory-secret-store';
import { makeConfig } from '../support/fixtures';
import { createPostgresWorkspace, type PostgresWorkspace } from '../support/postgres-workspace';

let pg: LocalPostgresServer;
let ws: PostgresWorkspace;
let dataDir: string;
let secrets: InMemorySecretStore;
let service: SyncService;
let api: AppApi;

beforeAll(async () => {
  pg = await startLocalPostgresServer();
  ws = await createPostgresWorkspace(pg);
  await ws.put('orgs/a.csv', 'org_id,org_name,tier\no1,Acme,gold\no2,Globex,silver\n');
  await ws.put('accounts/a.csv', 'account_id,account_name,org_id\na1,Acme EU,o1\n');
  await ws.put('users/u.csv', 'user_id,account_id,full_name,email\nu1,a1,Ada,ada@x.io\n,a1,No ID,x@x.io\n');
  dataDir = mkdtempSync(join(tmpdir(), 's3sync-pg-app-'));
  secrets = new InMemorySecretStore();
  // No PGPASSWORD: the password comes from what the screen typed or stored. HOME has no .pgpass.
  const env = { AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET, HOME: dataDir };
  service = new SyncService({ dataDir, secretStore: secrets, env });
  service.start();
  api = createAppApi({ service, secretStore: secrets, env });
  const saved = await api.importConfig({ json: JSON.stringify(makeConfig(ws.s3)) });
  if (!saved.ok) throw new Error(saved.message);
  await nextRunFinished(); // the mappings' own sync, into this computer's SQLite file
}, 60_000);
afterAll(async () => {
  api?.close();
  await service?.stop();
  await ws?.close();
  await pg?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function nextRunFinished(): Promise<RunReport> {
  return new Promise((resolve) => {
    const off = api.on('runFinished', (report) => (off(), resolve(report)));
  });
}

const target = (url = pg.url, schema = ws.schema): TargetConfig => ({ kind: 'postgres', url, schema });

describe('Where the data goes: Test, in plain words', () => {
  it('says the password is wrong, the database is missing, the host cannot be reached', async () => {
    expect(await api.testTarget({ target: target(), password: 'wrong' })).toEqual({
      ok: false,
      message: `PostgreSQL at 127.0.0.1:${pg.port} refused the password of user "sync". Check the password you typed.`,
      problems: [],
    });
    expect(
      await api.testTarget({
        target: target(`postgres://sync@127.0.0.1:${pg.port}/nosuchdb`),
        password: SYNC_PASSWORD,
      }),
    ).toMatchObject({
      ok: false,
      message: `The database "nosuchdb" does not exist on the PostgreSQL server at 127.0.0.1:${pg.port}. Create it (createdb nosuchdb) or correct the address.`,
    });
    expect(
      await api.testTarget({ target: target('postgres://sync@127.0.0.1:1/cs'), password: SYNC_PASSWORD }),
    ).toMatchObject({
      ok: false,
      message:
        'Cannot reach the PostgreSQL server at 127.0.0.1:1: the connection was refused: is the server running, and listening on that address and port?',
    });
    // Nothing typed and nothing stored: says where a password may come from.
    expect((await api.testTarget({ target: target() })).message).toContain('No password was found');
  });

  it('says the user may not create the schema, and what to ask for', async () => {
    await pg.psqlRaw(`CREATE ROLE viewer LOGIN PASSWORD 'viewer-pw'`);
    const result = await api.testTarget({
      target: target(`postgres://viewer@127.0.0.1:${pg.port}/cs`, 'viewer_schema'),
      password: 'viewer-pw',
    });
    expect(result.ok).toBe(false);
    expect(result.message).toContain('User "viewer" has no permission to create the schema "viewer_schema"');
    expect(result.message).toContain('GRANT CREATE ON DATABASE cs TO viewer');
  });

  it('names a bad field, and connects with the right password (creating the schema)', async () => {
    expect(
      await api.testTarget({ target: { kind: 'postgres', url: 'mysql://db/cs', schema: 's3sync' } }),
    ).toMatchObject({
      ok: false,
      problems: ['target.url: must be a postgres:// address, for example "postgres://sync@db.internal:5432/cs"'],
    });
    expect(await api.testTarget({ target: target(), password: SYNC_PASSWORD })).toEqual({
      ok: true,
      message: `Connected to postgres://sync@127.0.0.1:${pg.port}/cs (schema ${ws.schema}) as user "sync": the schema is ready and no sync has written to it yet.`,
    });
    expect(await pg.psql(`SELECT nspname FROM pg_namespace WHERE nspname = '${ws.schema}'`)).toHaveLength(1);
  });
});

describe('a sync from the app into PostgreSQL, read back by the Sync log and Data screens', () => {
  it('saves the target with its password in the keychain, never in the settings file', async () => {
    const refused = await api.saveTarget({
      target: { kind: 'postgres', url: `postgres://sync:pw@127.0.0.1/cs`, schema: 's3sync' },
    });
    expect(refused).toMatchObject({ ok: false });
    expect(refused.ok === false && refused.problems[0]).toMatch(/^target\.url: must not contain a password/);

    const saved = await api.saveTarget({ target: target(), password: SYNC_PASSWORD });
    expect(saved.ok).toBe(true);
    expect(await secrets.get(`postgres://sync@127.0.0.1:${pg.port}/cs`)).toBe(SYNC_PASSWORD);
    const settingsFile = readFileSync(join(dataDir, 'settings.json'), 'utf8');
    expect(JSON.parse(settingsFile).config.target).toEqual(target());
    expect(settingsFile).not.toContain(SYNC_PASSWORD);
    expect(await api.getOverview()).toMatchObject({
      targetLabel: `postgres://sync@127.0.0.1:${pg.port}/cs (schema ${ws.schema})`,
      targetPasswordStored: true,
    });
    // The screens read the (empty) PostgreSQL run log now, not the SQLite file's first run.
    expect(await api.listRuns({ limit: 20 })).toEqual([]);
  });

  it('syncs into PostgreSQL: the run, its files and rejects, and the records, as psql sees them', async () => {
    const finished = nextRunFinished();
    expect((await api.syncNow()).started).toBe(true);
    const report = await finished;
    expect(report).toMatchObject({ status: 'succeeded', counts: { files: 3, created: 4, rejected: 1 } });

    const [pgRun] = await ws.psql<{ id: number; status: string; rows: number; rejected: number }>(
      `SELECT id, status, rows, rejected FROM @schema.sync_runs ORDER BY id DESC LIMIT 1`,
    );
    expect(pgRun).toEqual({ id: report.runId, status: 'succeeded', rows: 5, rejected: 1 });
    const runs = await api.listRuns({ limit: 20 });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      id: pgRun!.id,
      status: 'succeeded',
      filesImported: 3,
      rows: 5,
      created: 4,
      rejected: 1,
    });
    expect(await api.runChart({ limit: 10 })).toMatchObject([{ runId: pgRun!.id, rows: 5, rejected: 1 }]);

    const detail = await api.getRun({ runId: pgRun!.id });
    const pgFiles = await ws.psql<{ key: string; rows: number }>(
      `SELECT key, rows FROM @schema.sync_files WHERE run_id = ${pgRun!.id} ORDER BY id`,
    );
    expect(detail?.files.map((f) => ({ key: f.key, rows: f.rows }))).toEqual(pgFiles);
    const pgRejects = await ws.psql<{ key: string; line: number; reason: string; raw: string }>(
      `SELECT key, line, reason, raw FROM @schema.sync_rejects WHERE run_id = ${pgRun!.id} ORDER BY id`,
    );
    expect(pgRejects).toHaveLength(1);
    expect(detail?.rejects).toEqual({ total: 1, items: pgRejects });

    const pgOrgs = await ws.psql<{ external_id: string; name: string; tier: string }>(
      `SELECT external_id, name, traits->>'tier' AS tier FROM @schema.organizations ORDER BY external_id`,
    );
    expect(pgOrgs).toEqual([
      { external_id: 'o1', name: 'Acme', tier: 'gold' },
      { external_id: 'o2', name: 'Globex', tier: 'silver' },
    ]);
    const page = await api.queryRecords({ table: 'organizations', page: { offset: 0, limit: 50 } });
    expect(page).toMatchObject({ total: 2, staleCount: 0 });
    expect(page.rows.map((r) => ({ id: r.id, name: r.fields.name, stale: r.stale }))).toEqual([
      { id: 'o1', name: 'Acme', stale: false },
      { id: 'o2', name: 'Globex', stale: false },
    ]);
    expect(
      await api.queryRecords({ table: 'organizations', search: 'GLOB', page: { offset: 0, limit: 50 } }),
    ).toMatchObject({
      total: 1,
      rows: [{ id: 'o2' }],
    });
    const [pgOrg] = await ws.psql<{ last_synced_at: string }>(
      `SELECT to_char(last_synced_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last_synced_at FROM @schema.organizations WHERE external_id = 'o1'`,
    );
    expect(await api.getRecord({ table: 'organizations', id: 'o1' })).toMatchObject({
      id: 'o1',
      traits: { tier: 'gold' },
      lastRunId: pgRun!.id,
      lastSyncedAt: pgOrg!.last_synced_at,
      syncCount: 1,
    });
    expect(await api.getRecord({ table: 'users', id: 'u1' })).toMatchObject({ accountIds: ['a1'] });
    expect(await ws.psql(`SELECT user_id, account_id FROM @schema.user_accounts`)).toEqual([
      { user_id: 'u1', account_id: 'a1' },
    ]);
    expect(await api.getRecordLinks({ table: 'users', id: 'u1' })).toContainEqual({
      label: 'Accounts',
      table: 'accounts',
      total: 1,
      more: false,
      items: [{ id: 'a1', name: 'Acme EU' }],
    });
    expect(await api.getRecordLinks({ table: 'organizations', id: 'o1' })).toContainEqual({
      label: 'Accounts',
      table: 'accounts',
      total: 1,
      more: false,
      items: [{ id: 'a1', name: 'Acme EU' }],
    });

    // Nothing of this run went into this computer's SQLite file.
    const local = openDatabase(service.dbPath);
    try {
      expect(local.prepare(`SELECT count(*) AS n FROM sync_runs`).get()).toEqual({ n: 1 });
    } finally {
      local.close();
    }
  });

  it('the Query screen and exports say plainly that they read this computer’s file only', async () => {
    const query = await api.runQuery({ sql: 'SELECT count(*) FROM organizations', queryId: 'q1', limit: 10 });
    expect(query).toEqual({
      ok: false,
      message: `The Query screen reads this computer's SQLite file only, and syncs write to the PostgreSQL database postgres://sync@127.0.0.1:${pg.port}/cs (schema ${ws.schema}). Query that database with psql or your BI tool (SET search_path TO ${ws.schema};), or choose "This computer" under Where the data goes.`,
    });
    const exported = await api.exportData({ source: { kind: 'table', table: 'organizations' }, format: 'csv' });
    expect(exported).toMatchObject({
      ok: false,
      message: expect.stringContaining(`\\copy (SELECT * FROM ${ws.schema}.accounts)`),
    });
  });

  it('an unreachable database: the sync fails saying why, and so does the Sync log', async () => {
    expect((await api.saveTarget({ target: target('postgres://sync@127.0.0.1:1/cs') })).ok).toBe(true);
    const unreachable =
      'Cannot reach the PostgreSQL server at 127.0.0.1:1: the connection was refused: is the server running, and listening on that address and port?';
    await expect(api.listRuns({ limit: 20 })).rejects.toThrow(unreachable);
    const finished = nextRunFinished();
    expect((await api.syncNow()).started).toBe(true);
    expect(await finished).toMatchObject({ runId: null, status: 'failed', error: unreachable });
    expect((await api.getOverview()).targetPasswordStored).toBe(false);
  });

  it('reads from this computer again once it is chosen again', async () => {
    expect((await api.saveTarget({ target: { kind: 'sqlite' } })).ok).toBe(true);
    const runs = await api.listRuns({ limit: 20 });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.trigger).toBe('settings-changed');
    expect((await api.getOverview()).targetLabel).toBe(service.dbPath);
  });
});
