// File patterns as a user meets them: `npm run cli -- preview` and a sync against a real S3 server.
// A pattern that backtracks for hours in a JavaScript RegExp answers at once; preview and sync select
// exactly the same keys; a pattern the engine refuses is named with what to write instead.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process';
import { createWorkspace, makeConfig, type Workspace } from '../support/fixtures';

const CSV = 'org_id,org_name\no1,Acme\n';
// 40 a's and a "!": `^(a+)+$` takes about 74 s on 34 a's in a RegExp, and doubles with every a.
const EVIL_KEY = `${'a'.repeat(40)}!`;
// A key where RE2 and RegExp (without the u flag) differ: "." is one code point in RE2, one UTF-16 unit in RegExp.
const EMOJI_KEY = 'orgs/😀.csv';

let ws: Workspace;
const configWith = (fileRegex: string): string => {
  const path = join(ws.dir, `config-${Math.random().toString(36).slice(2)}.json`);
  // The pattern goes in after the sample config is validated: a refused one must reach the CLI as written.
  const config = makeConfig(ws.server, {
    organizations: { fileRegex: '.*', mode: 'create_update', idColumn: 'org_id', nameColumn: 'org_name' },
  });
  const objects: Record<string, unknown> = config.objects;
  for (const type of ['accounts', 'users', 'nps', 'tracks']) delete objects[type];
  config.objects.organizations!.fileRegex = fileRegex;
  writeFileSync(path, JSON.stringify(config));
  return path;
};

beforeAll(async () => {
  ws = await createWorkspace();
  for (const key of [EVIL_KEY, EMOJI_KEY, 'orgs/a.csv', 'orgs/bb.csv']) await ws.put(key, CSV);
});
afterAll(async () => {
  await ws.close();
});

describe('file patterns in the CLI and the sync', { timeout: 90_000 }, () => {
  it('previews ^(a+)+$ against the key that freezes a RegExp, and answers', async () => {
    const result = await runCli(['preview', '--config', configWith('^(a+)+$'), '--type', 'organizations', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).selected).toEqual([]);
  });

  it('selects the same keys in preview and in a sync', async () => {
    const config = configWith('^orgs/.\\.csv$');
    const preview = await runCli(['preview', '--config', config, '--type', 'organizations', '--json']);
    const previewed = (JSON.parse(preview.stdout).selected as { key: string }[]).map((file) => file.key);
    expect(previewed).toEqual(['vitally/orgs/a.csv', `vitally/${EMOJI_KEY}`]);
    const dbPath = join(ws.dir, 'same-keys.sqlite');
    const sync = await runCli(['sync', '--config', config, '--db', dbPath, '--json']);
    expect(sync.code).toBe(0);
    const synced = (JSON.parse(sync.stdout).files as { key: string }[]).map((file) => file.key);
    expect(synced).toEqual(previewed);
  });

  it('refuses a lookahead with a message that says what to write instead', async () => {
    const result = await runCli(['preview', '--config', configWith('^(?!orgs/b)orgs/'), '--type', 'organizations']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'objects.organizations.fileRegex: uses a lookahead ((?=…) or (?!…)): file patterns are matched in linear time (RE2 rules)',
    );
    expect(result.stderr).toContain('Write the text to match itself');
  });
});
