// The Objects screen's preview warns when the connection's prefix lacks its trailing slash and the
// pattern selects fewer files because of it ("exports" makes keys read "/accounts/a.csv").
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/cli';
import { createAppApi, type AppApi } from '../../electron/core/service/app-api';
import { InMemorySecretStore } from '../support/in-memory-secret-store';
import { SyncService } from '../../electron/core/service/sync-service';
import { LOCAL_S3_SECRET, startLocalS3Server, type LocalS3Server } from '../../scripts/local-s3-server';
import { makeConfig } from '../support/fixtures';

let server: LocalS3Server;
let dataDir: string;
let service: SyncService;
let api: AppApi;

beforeEach(async () => {
  server = await startLocalS3Server();
  await server.put('exports/accounts/a.csv', 'account_id,account_name\na1,Acme\n');
  await server.put('exports/accounts/b.csv', 'account_id,account_name\na2,Beta\n');
  await server.put('exports-old/accounts/c.csv', 'account_id,account_name\na3,Old\n');
  dataDir = mkdtempSync(join(tmpdir(), 's3sync-prefix-'));
  const secrets = new InMemorySecretStore();
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

const connect = (prefix: string) =>
  api.saveConnection({ connection: { ...makeConfig(server).connection, prefix }, secretAccessKey: LOCAL_S3_SECRET });

it('warns about "exports" without its slash when "exports/" would select more, naming both counts', async () => {
  await connect('exports');
  const preview = await api.previewFiles({ type: 'accounts', fileRegex: '^accounts/' });
  expect(preview).toEqual({
    ok: true,
    selected: [],
    overCap: 0,
    listedCount: 3,
    warning:
      'The prefix "exports" does not end with "/", so the pattern is tested against keys such as ' +
      '"/accounts/a.csv" (with the slash at their start). ' +
      'It selects 0 files here, and would select 2 with the prefix "exports/": add the slash to ' +
      'the prefix (on the Connection screen, or connection.prefix in the configuration).',
  });
});

it('does not warn when the prefix has its slash, or when the slash would select no more', async () => {
  await connect('exports/');
  const withSlash = await api.previewFiles({ type: 'accounts', fileRegex: '^accounts/' });
  expect(withSlash).toMatchObject({ ok: true, listedCount: 2 });
  expect(withSlash).not.toHaveProperty('warning');
  await connect('exports');
  // A pattern that allows the leading slash selects the same files either way.
  const tolerant = await api.previewFiles({ type: 'accounts', fileRegex: 'accounts/' });
  expect(tolerant).toMatchObject({ ok: true, listedCount: 3 });
  expect(tolerant.ok && tolerant.selected.map((f) => f.key).sort()).toEqual([
    'exports-old/accounts/c.csv',
    'exports/accounts/a.csv',
    'exports/accounts/b.csv',
  ]);
  expect(tolerant).not.toHaveProperty('warning');
});

it('the command line preview gives the same warning, in its text and in --json', async () => {
  const config = makeConfig(server);
  const configPath = join(dataDir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ ...config, connection: { ...config.connection, prefix: 'exports' } }));
  const cli = async (args: string[]) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await runCli(
      args,
      { stdin: new PassThrough(), stdout, stderr, env: { AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET } },
      { secretStore: new InMemorySecretStore() },
    );
    return { code, out };
  };
  const text = await cli(['preview', '--config', configPath, '--type', 'accounts']);
  expect(text.code).toBe(0);
  expect(text.out).toContain('Check the prefix: The prefix "exports" does not end with "/"');
  const json = await cli(['preview', '--config', configPath, '--type', 'accounts', '--json']);
  expect(JSON.parse(json.out)).toMatchObject({
    type: 'accounts',
    selected: [],
    warning: expect.stringContaining('would select 2 with the prefix "exports/"'),
  });
});
