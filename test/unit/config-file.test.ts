// Reading a configuration file: a broken one is named with where it broke, never quoted (a secret
// access key pasted into it by mistake must not be echoed to the terminal).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../electron/shared/config';
import { loadConfigFile } from '../../electron/core/config/config-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 's3sync-config-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfigFile', () => {
  it('says where invalid JSON breaks (an unquoted value: V8 gives no position), without quoting the text around it', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
    const path = join(dir, 'config.json');
    writeFileSync(path, `{\n  "connection": {\n    "bucket": "b",\n    "secret": ${secret}\n  }\n}\n`);
    const error = await loadConfigFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(`The configuration in ${path} is not valid`);
    expect(message).toContain('it is not valid JSON (line 4, column 15)');
    for (let i = 0; i + 6 <= secret.length; i++) expect(message).not.toContain(secret.slice(i, i + 6));
  });

  it('gives the line and column where JSON.parse knows the position', async () => {
    const path = join(dir, 'config.json');
    writeFileSync(path, `{\n  "connection": {\n    "bucket": "b",\n  }\n}\n`);
    await expect(loadConfigFile(path)).rejects.toThrow('it is not valid JSON (line 4, column 3)');
  });

  it('names a missing file', async () => {
    await expect(loadConfigFile(join(dir, 'nope.json'))).rejects.toThrow(/does not exist/);
  });

  it('finds the line and column of every kind of mistake', async () => {
    const path = join(dir, 'config.json');
    const cases: [string, string][] = [
      ['{\n  "a": tru\n}', 'line 2, column 11'],
      ['{\n  "a": 1\n  "b": 2\n}', 'line 3, column 3'],
      ['{ "a": [1, 2,, 3] }', 'line 1, column 14'],
      ["{ 'a': 1 }", 'line 1, column 3'],
    ];
    for (const [text, where] of cases) {
      writeFileSync(path, text);
      await expect(loadConfigFile(path), text).rejects.toThrow(`it is not valid JSON (${where})`);
    }
  });
});
