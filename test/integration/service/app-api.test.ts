// The API object the window talks to, end to end over a real S3-compatible server and SQLite file:
// what the Connection, Objects, Schedule, Sync log and Data screens ask, and what they get.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunReport } from '../../../electron/shared/contract';
import { createAppApi, type AppApi } from '../../../electron/core/service/app-api';
import { InMemorySecretStore } from '../../support/in-memory-secret-store';
import { SyncService } from '../../../electron/core/service/sync-service';
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
let api: AppApi;

beforeEach(async () => {
  server = await startLocalS3Server();
  await server.put(`${PREFIX}orgs/a.csv`, 'org_id,org_name,tier\no1,Acme,gold\no2,Globex,silver\n');
  await server.put(
    `${PREFIX}users/u.csv`,
    'user_id,account_id,full_name,email\nu1,a1,Ada,ada@x.io\nu1,a2,Ada,\n,a1,No ID,x@x.io\n',
  );
  dataDir = mkdtempSync(join(tmpdir(), 's3sync-api-'));
  secrets = new InMemorySecretStore();
  service = new SyncService({ dataDir, secretStore: secrets, env: {} });
  service.start();
  api = createAppApi({ service, secretStore: secrets, env: {} });
});
afterEach(async () => {
  api.close();
  await service.stop();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const connection = () => makeConfig(server).connection;

function nextRunFinished(): Promise<RunReport> {
  return new Promise((resolve) => {
    const off = api.on('runFinished', (report) => {
      off();
      resolve(report);
    });
  });
}

describe('Connection', () => {
  it('starts empty, stores the typed secret in the keychain (never in the settings), and knows it is stored', async () => {
    expect(await api.getOverview()).toMatchObject({
      config: null,
      secretStored: false,
      settingsNotice: null,
      canOpenDatabaseFolder: false,
    });
    // s3rver checks no signatures, so a distinctive secret works and can be searched for.
    const typedSecret = 'typed-secret-4f9c2e';
    const saved = await api.saveConnection({ connection: connection(), secretAccessKey: typedSecret });
    expect(saved.ok).toBe(true);
    expect(await secrets.get(LOCAL_S3_ACCESS_KEY_ID)).toBe(typedSecret);
    expect(readFileSync(join(dataDir, 'settings.json'), 'utf8')).not.toContain(typedSecret);
    const overview = await api.getOverview();
    expect(overview.secretStored).toBe(true);
    expect(JSON.stringify(overview)).not.toContain(typedSecret);
  });

  it('refuses an invalid connection naming the field, and stores nothing (not even the secret)', async () => {
    const result = await api.saveConnection({
      connection: { ...connection(), bucket: 'x', region: '' },
      secretAccessKey: 'typed-secret',
    });
    expect(result).toMatchObject({ ok: false });
    expect(result.ok === false && result.problems).toEqual([
      'connection.bucket: must be a bucket name (letters, digits, dots, hyphens and underscores; at least 2 characters)',
      'connection.region: must name an AWS region, for example "us-east-1"',
    ]);
    expect(await secrets.get(LOCAL_S3_ACCESS_KEY_ID)).toBeNull();
    expect((await api.getOverview()).config).toBeNull();
  });

  it('tests a connection with the typed secret, and says what is wrong in plain words', async () => {
    expect(await api.testConnection({ connection: connection(), secretAccessKey: LOCAL_S3_SECRET })).toEqual({
      ok: true,
      fileCount: 2,
      more: false,
      // s3rver has no STS GetCallerIdentity: the identity is named from the settings.
      identity: 'the access key "S3RVER"',
    });
    const wrongBucket = await api.testConnection({
      connection: { ...connection(), bucket: 'nope-bucket' },
      secretAccessKey: LOCAL_S3_SECRET,
    });
    expect(wrongBucket).toEqual({
      ok: false,
      message: expect.stringMatching(/^The bucket "nope-bucket" does not exist at http:\/\/127\.0\.0\.1:\d+\./),
    });
    const noSecret = await api.testConnection({ connection: connection() });
    expect(noSecret).toEqual({
      ok: false,
      message: expect.stringContaining('Store one with: npm run cli -- credentials set --access-key-id S3RVER'),
    });
  });
});

describe('Objects', () => {
  beforeEach(async () => {
    await api.saveConnection({ connection: connection(), secretAccessKey: LOCAL_S3_SECRET });
  });

  it('previews the files a pattern selects, and names an invalid pattern', async () => {
    const preview = await api.previewFiles({ type: 'organizations', fileRegex: '^orgs/' });
    expect(preview).toMatchObject({
      ok: true,
      overCap: 0,
      listedCount: 2,
      selected: [{ key: 'vitally/orgs/a.csv', size: 'org_id,org_name,tier\no1,Acme,gold\no2,Globex,silver\n'.length }],
    });
    expect(await api.previewFiles({ type: 'organizations', fileRegex: '^orgs/(' })).toEqual({
      ok: false,
      message: 'The file pattern is not a valid regular expression: missing closing ): `^orgs/(`.',
    });
    // What the Objects screen shows for a construct the linear-time engine refuses.
    expect(await api.previewFiles({ type: 'organizations', fileRegex: '^(?!tmp/)orgs/' })).toEqual({
      ok: false,
      message: expect.stringMatching(/^The file pattern uses a lookahead .* Write the text to match itself/),
    });
  });

  it('flags, in the preview, selected files that cannot be CSVs: prose, an empty file, a workbook renamed .csv', async () => {
    await server.put(`${PREFIX}orgs/README.txt`, 'Organizations, exported monthly\nAsk Ana for access.\n');
    await server.put(`${PREFIX}orgs/empty.csv`, '');
    await server.put(`${PREFIX}orgs/book.csv`, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0, 8, 0]));
    const preview = await api.previewFiles({ type: 'organizations', fileRegex: '^orgs/' });
    expect(preview.ok && preview.selected.map((f) => [f.key.slice(PREFIX.length), f.notCsv ?? null])).toEqual([
      ['orgs/README.txt', null], // "Organizations, exported monthly" has a comma: it could be a header
      ['orgs/a.csv', null],
      ['orgs/book.csv', expect.stringMatching(/^A ZIP archive, not a CSV/)],
      ['orgs/empty.csv', 'Empty (0 bytes): there is no header to read.'],
    ]);
    await server.put(`${PREFIX}orgs/README.txt`, 'Organizations exported monthly.\nAsk Ana for access.\n');
    const again = await api.previewFiles({ type: 'organizations', fileRegex: '^orgs/' });
    expect(again.ok && again.selected[0]!.notCsv).toBe(
      'Its first line has no comma, semicolon, tab or pipe: it reads as prose, not a CSV header.',
    );
  });

  it('samples the header and first rows of a file for the column pickers', async () => {
    expect(await api.sampleFile({ type: 'users', key: 'vitally/users/u.csv' })).toEqual({
      ok: true,
      key: 'vitally/users/u.csv',
      columns: ['user_id', 'account_id', 'full_name', 'email'],
      rows: [
        ['u1', 'a1', 'Ada', 'ada@x.io'],
        ['u1', 'a2', 'Ada', ''],
        ['', 'a1', 'No ID', 'x@x.io'],
      ],
      delimiter: ',',
    });
  });

  it('saving a mapping validates it, then syncs right away', async () => {
    const bad = await api.saveMapping({
      type: 'organizations',
      mapping: { enabled: true, fileRegex: '^orgs/', mode: 'sometimes', idColumn: 'org_id' } as never,
    });
    expect(bad).toMatchObject({
      ok: false,
      problems: [
        'objects.organizations.mode: must be "create_update" or "update_only"',
        'objects.organizations.nameColumn: is required',
      ],
    });

    const finished = nextRunFinished();
    const saved = await api.saveMapping({
      type: 'organizations',
      mapping: {
        enabled: true,
        fileRegex: '^orgs/',
        mode: 'create_update',
        idColumn: 'org_id',
        nameColumn: 'org_name',
      },
    });
    expect(saved.ok && saved.scheduler.running).toBe(true);
    expect(await finished).toMatchObject({ trigger: 'settings-changed', status: 'succeeded', counts: { created: 2 } });
  });

  it('refuses "Sync now" while no object type is switched on, rather than record a run that read nothing', async () => {
    expect(await api.syncNow()).toEqual({
      started: false,
      reason:
        'Nothing to sync: no object type is switched on. On the Objects screen, switch one on, map its columns and save it.',
    });
    expect(await api.listRuns({ limit: 10 })).toEqual([]);
  });
});

describe('Sync log and Data', () => {
  beforeEach(async () => {
    await secrets.set(LOCAL_S3_ACCESS_KEY_ID, LOCAL_S3_SECRET);
    const finished = nextRunFinished();
    const { json } = { json: JSON.stringify(makeConfig(server)) };
    expect((await api.importConfig({ json })).ok).toBe(true);
    await finished;
  });

  it('lists runs with counts and shows a run with its files and rejected rows', async () => {
    const [run] = await api.listRuns({ limit: 10 });
    expect(run).toMatchObject({
      id: 1,
      trigger: 'settings-changed',
      status: 'succeeded',
      filesImported: 2,
      rows: 5,
      created: 3,
      updated: 1,
      rejected: 1,
    });
    const detail = await api.getRun({ runId: 1 });
    expect(detail!.files.map((f) => [f.objectType, f.key, f.status, f.rows])).toEqual([
      ['organizations', 'vitally/orgs/a.csv', 'imported', 2],
      ['users', 'vitally/users/u.csv', 'imported', 3],
    ]);
    expect(detail!.files[1]!.warnings).toEqual([
      '2 user-account links refer to an account that does not exist (for example "a1"); stored as given.',
    ]);
    expect(detail!.rejects).toEqual({
      total: 1,
      items: [{ key: 'vitally/users/u.csv', line: 4, reason: 'missing user ID', raw: ',a1,No ID,x@x.io' }],
    });
    expect(await api.runChart({ limit: 10 })).toEqual([
      { runId: 1, startedAt: run!.startedAt, status: 'succeeded', rows: 5, rejected: 1 },
    ]);
    expect(await api.getRun({ runId: 99 })).toBeNull();
  });

  it('pages and searches records, and shows a record with traits, source file and links', async () => {
    const all = await api.queryRecords({ table: 'organizations', page: { offset: 0, limit: 1 } });
    expect(all).toMatchObject({
      total: 2,
      offset: 0,
      rows: [{ id: 'o1', fields: { name: 'Acme' }, lastFile: 'vitally/orgs/a.csv', stale: false }],
    });
    const found = await api.queryRecords({ table: 'organizations', search: 'glob', page: { offset: 0, limit: 50 } });
    expect(found.total).toBe(1);
    expect(found.rows.map((r) => r.id)).toEqual(['o2']);
    // LIKE wildcards typed by the user are matched literally.
    expect(
      (await api.queryRecords({ table: 'organizations', search: '%', page: { offset: 0, limit: 50 } })).total,
    ).toBe(0);

    const user = await api.getRecord({ table: 'users', id: 'u1' });
    expect(user).toMatchObject({
      id: 'u1',
      fields: { name: 'Ada', email: 'ada@x.io' },
      accountIds: ['a1', 'a2'],
      syncCount: 2,
      lastRunId: 1,
      stale: false,
    });
    const org = await api.getRecord({ table: 'organizations', id: 'o1' });
    expect(org!.traits).toEqual({ tier: 'gold' });
    expect(await api.getRecord({ table: 'accounts', id: 'nope' })).toBeNull();
  });

  it('marks records stale once their file has disappeared from the bucket', async () => {
    await server.client.send(
      new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({
        Bucket: server.bucket,
        Key: `${PREFIX}orgs/a.csv`,
      }),
    );
    const finished = nextRunFinished();
    expect((await api.syncNow()).started).toBe(true);
    await finished;
    const page = await api.queryRecords({ table: 'organizations', page: { offset: 0, limit: 10 } });
    expect(page.rows.map((r) => [r.id, r.stale])).toEqual([
      ['o1', true],
      ['o2', true],
    ]);
    expect((await api.queryRecords({ table: 'users', page: { offset: 0, limit: 10 } })).rows[0]!.stale).toBe(false);
  });

  it('exports the configuration as JSON and refuses an invalid import, keeping what was stored', async () => {
    const { json } = await api.exportConfig();
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(makeConfig(server))));
    const refused = await api.importConfig({ json: '{"connection": {}, "objects": {}}' });
    expect(refused.ok).toBe(false);
    expect((await api.exportConfig()).json).toBe(json);
    const garbage = await api.importConfig({ json: 'not json' });
    expect(garbage).toMatchObject({ ok: false, message: expect.stringContaining('is not valid JSON') });
  });

  it('pushes scheduler state and progress events while a sync runs', async () => {
    const states: boolean[] = [];
    const progress: string[] = [];
    api.on('schedulerChanged', (s) => states.push(s.running));
    api.on('syncProgress', (p) => progress.push(p.phase));
    const finished = nextRunFinished();
    await api.syncNow();
    await finished;
    expect(states[0]).toBe(true);
    expect(states.at(-1)).toBe(false);
    expect(progress[0]).toBe('listing');
    expect(progress).toContain('importing');
    const paused = await api.pauseSchedule();
    expect(paused.paused).toBe(true);
    expect((await api.resumeSchedule()).paused).toBe(false);
  });
});

describe('guards', () => {
  it('refuses a table name that is not one of the data tables, even from an in-process caller', async () => {
    await expect(api.queryRecords({ table: 'sqlite_master' as never, page: { offset: 0, limit: 10 } })).rejects.toThrow(
      'Unknown table "sqlite_master": use one of organizations, accounts, users, nps_responses, events.',
    );
    await expect(api.getRecord({ table: 'users; DROP TABLE users' as never, id: 'x' })).rejects.toThrow(
      'Unknown table',
    );
  });
});
