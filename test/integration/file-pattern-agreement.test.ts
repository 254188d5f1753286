// Issue 11: "Preview, sync and CLI must match exactly the same keys", and the Objects screen must say
// what they say. Over one table of patterns (test/support/file-pattern-cases.ts) and a real S3 server:
// the screen's check, the CLI's preview, the app's preview (what the screen lists) and a sync's
// selection accept the same patterns, select the same keys, and refuse the others in the same words.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/cli';
import { filePatternMessage } from '../../renderer/src/lib/file-patterns';
import { createAppApi, type AppApi } from '../../electron/core/service/app-api';
import { SyncService } from '../../electron/core/service/sync-service';
import { runSync } from '../../electron/core/sync/run-sync';
import { openDatabase } from '../../electron/core/db/sqlite-database';
import type { SyncConfig } from '../../electron/shared/config';
import { InMemorySecretStore } from '../support/in-memory-secret-store';
import { createWorkspace, makeConfig, PREFIX, type Workspace } from '../support/fixtures';
import { PATTERN_CASES, PATTERN_KEYS } from '../support/file-pattern-cases';

const CSV = 'account_id,account_name\na1,Acme\n';

let ws: Workspace;
beforeAll(async () => {
  ws = await createWorkspace();
  for (const key of PATTERN_KEYS) await ws.put(key, CSV);
});
afterAll(async () => {
  await ws.close();
});

function accountsOnly(fileRegex: string): SyncConfig {
  const { connection, schedule } = makeConfig(ws.server);
  // Not parsed here: a refused pattern must reach the CLI and the sync as a user's file would.
  const accounts = {
    enabled: true,
    fileRegex,
    mode: 'create_update',
    idColumn: 'account_id',
    nameColumn: 'account_name',
  };
  return { connection, schedule, objects: { accounts } } as SyncConfig;
}

let configs = 0;
/** `npm run cli -- preview --json` in this process: its exit code, its keys or its message. */
async function cliPreview(fileRegex: string): Promise<{ code: number; keys: string[] | null; stderr: string }> {
  const path = join(ws.dir, `config-${++configs}.json`);
  writeFileSync(path, JSON.stringify(accountsOnly(fileRegex)));
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const io = {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: { ...process.env, AWS_SECRET_ACCESS_KEY: ws.server.secret },
  };
  const code = await runCli(['preview', '--config', path, '--type', 'accounts', '--json'], io, {
    secretStore: new InMemorySecretStore(),
  });
  const keys = code === 0 ? (JSON.parse(out).selected as { key: string }[]).map((f) => f.key) : null;
  return { code, keys, stderr: err };
}

/** A sync of a configuration holding the pattern (as a stored one does, unchecked): its files or its error. */
async function syncSelection(fileRegex: string): Promise<{ keys: string[]; error: string | undefined }> {
  const dbPath = join(ws.dir, `sync-${++configs}.sqlite`);
  const db = openDatabase(dbPath);
  try {
    const report = await runSync({
      config: accountsOnly(fileRegex),
      secretAccessKey: ws.server.secret,
      db,
      dbPath,
      trigger: 'test',
    });
    return { keys: report.files.map((f) => f.key), error: report.error };
  } finally {
    db.close();
  }
}

describe('one file-pattern check for the screen, the preview, the CLI and the sync', { timeout: 120_000 }, () => {
  // The app's API, as the Electron window and the web preview serve it to the Objects screen.
  let service: SyncService;
  let api: AppApi;
  beforeAll(async () => {
    const secretStore = new InMemorySecretStore();
    service = new SyncService({ dataDir: join(ws.dir, 'app'), secretStore, env: {} });
    api = createAppApi({ service, secretStore, env: {} });
    const saved = await api.saveConnection({
      connection: accountsOnly('.*').connection,
      secretAccessKey: ws.server.secret,
    });
    expect(saved.ok).toBe(true);
  });
  afterAll(async () => {
    api.close();
    await service.stop();
  });

  for (const testCase of PATTERN_CASES) {
    it(`agrees on ${testCase.pattern}`, async () => {
      const shown = filePatternMessage(testCase.pattern);
      const preview = await api.previewFiles({ type: 'accounts', fileRegex: testCase.pattern });
      const cli = await cliPreview(testCase.pattern);
      const sync = await syncSelection(testCase.pattern);
      if ('selects' in testCase) {
        const expected = testCase.selects.map((key) => PREFIX + key);
        expect(shown).toBeNull();
        expect(preview.ok && preview.selected.map((f) => f.key)).toEqual(expected);
        expect(cli).toEqual({ code: 0, keys: expected, stderr: '' });
        expect(sync).toEqual({ keys: expected, error: undefined });
        return;
      }
      // The screen says "The file pattern <problem>."; the CLI names the field, the sync the object type.
      expect(shown).toMatch(/^The file pattern .*\.$/);
      const problem = shown!.replace(/^The file pattern /, '').replace(/\.$/, '');
      expect(problem).toMatch(testCase.refusedFor);
      expect(problem).toContain(testCase.advice);
      expect(preview).toEqual({ ok: false, message: shown });
      expect(cli.code).toBe(2);
      expect(cli.stderr).toContain(`objects.accounts.fileRegex: ${problem}`);
      expect(sync.keys).toEqual([]);
      expect(sync.error).toContain(`The file pattern of accounts ${problem}.`);
    });
  }
});
