// The benchmark (npm run bench) at a small size: it runs end to end and prints every figure. Speed
// targets are checked by running the bench itself, never by timed tests.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ['--openssl-legacy-provider', '--expose-gc', '--import', 'tsx', join(ROOT, 'scripts/bench.ts'), ...args],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

describe('npm run bench', () => {
  it('syncs a generated events file through the worker, times sqlite3 .import of it, and prints every figure', async () => {
    const { code, stdout, stderr } = await runBench(['--rows', '20000', '--runs', '1']);
    expect(stderr).not.toMatch(/Error/);
    expect(code).toBe(0);
    const number = String.raw`[\d,]+(?:\.\d)?`;
    expect(stdout).toMatch(new RegExp(`sqlite3 \\.import \\(median of 1\\):\\s+${number} ms, ${number} rows/s`));
    expect(stdout).toMatch(new RegExp(`full sync \\(median of 1\\):\\s+${number} ms, ${number} rows/s`));
    expect(stdout).toMatch(/ratio sync \/ sqlite3 \(medians\):\s+\d+\.\d\dx/);
    expect(stdout).toMatch(
      new RegExp(`checkpoint after the report:\\s+${number} ms .*sync \\+ checkpoint / sqlite3: \\d+\\.\\d\\dx`),
    );
    expect(stdout).toMatch(new RegExp(`peak RSS during the sync:\\s+${number} MB`));
    expect(stdout).toMatch(new RegExp(`main-thread event-loop delay:\\s+p99 ${number} ms, max ${number} ms`));
    expect(stdout).toMatch(
      new RegExp(`second sync, nothing changed:\\s+${number} ms \\(${number}% of the full sync; nothing downloaded\\)`),
    );
  }, 180_000);

  it('--preview lists a prefix of many objects and shows the first 1000 matches before the listing ends', async () => {
    const { code, stdout } = await runBench(['--preview', '2500', '--json']);
    expect(code).toBe(0);
    const { preview } = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      preview: {
        objects: number;
        events: number;
        firstEventMs: number;
        firstMatchesMs: number;
        totalMs: number;
        selected: number;
        overCap: number;
        listedCount: number;
      };
    };
    // Through the app's API: previewProgress events (at most one per page of 1000 keys) before the answer.
    expect(preview).toMatchObject({ objects: 2500, selected: 1000, overCap: 1500, listedCount: 2500 });
    expect(preview.events).toBeGreaterThanOrEqual(1);
    expect(preview.events).toBeLessThanOrEqual(3);
    expect(preview.firstEventMs).toBeGreaterThan(0);
    expect(preview.firstMatchesMs).toBe(preview.firstEventMs);
    expect(preview.firstMatchesMs).toBeLessThan(preview.totalMs);
  }, 180_000);

  it('reports each size as JSON when asked, for comparing peak memory across sizes', async () => {
    const { code, stdout } = await runBench(['--rows', '5000,10000', '--runs', '1', '--json']);
    expect(code).toBe(0);
    const { results } = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      results: { rows: number; peakRssMb: number; ratio: number; secondSyncMs: number }[];
    };
    expect(results.map((r) => r.rows)).toEqual([5000, 10000]);
    for (const r of results) {
      expect(r.peakRssMb).toBeGreaterThan(0);
      expect(r.ratio).toBeGreaterThan(0);
      expect(r.secondSyncMs).toBeGreaterThan(0);
    }
  }, 180_000);
});
