// The documented systemd unit must be one systemd accepts: systemd-analyze verify checks its
// directives and that the program it starts exists.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const UNIT = join(import.meta.dirname, '..', '..', 'docs', 'systemd', 's3-csv-sync.service');

it('docs/systemd/s3-csv-sync.service passes systemd-analyze verify', () => {
  const output = execFileSync('systemd-analyze', ['verify', UNIT], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(output).toBe('');
});
