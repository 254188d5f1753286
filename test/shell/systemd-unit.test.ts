// The documented systemd unit must be one systemd accepts: systemd-analyze verify checks its
// directives and that the program it starts exists.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const UNIT = join(ROOT, 'docs', 'systemd', 's3-csv-sync.service');

it('docs/systemd/s3-csv-sync.service passes systemd-analyze verify', () => {
  const output = execFileSync('systemd-analyze', ['verify', UNIT], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(output).toBe('');
});

it('starts the CLI with the Node options `npm run cli` uses (its memory bound among them)', () => {
  const cli = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { cli: string } }).scripts
    .cli;
  const execStart = readFileSync(UNIT, 'utf8').match(/^ExecStart=(\S+) (.*)$/m);
  expect(execStart?.[1]).toBe('/usr/bin/node');
  expect(cli).toMatch(/^node --max-semi-space-size=\d+ /);
  const nodeArgs = cli.replace(/^node /, ''); // the options and the CLI's entry point
  expect(execStart?.[2]?.slice(0, nodeArgs.length + 1)).toBe(`${nodeArgs} `);
});
