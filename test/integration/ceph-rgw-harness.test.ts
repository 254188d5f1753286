// The gateway harness cleans up after itself: stop() ends every daemon, and so does the death of the
// test process that started them, even by SIGKILL (a timed-out test worker), so no cluster outlives CI.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCephGateway } from '../support/ceph-rgw';

const ROOT = resolve(import.meta.dirname, '../..');

/** Gone, or a zombie waiting for pid 1 to reap it (containers often never do). */
function ended(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  try {
    return readFileSync(stat, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

async function waitUntilEnded(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pids.every(ended)) {
    if (Date.now() > deadline) throw new Error(`daemons still running: ${pids.filter((p) => !ended(p)).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the Ceph gateway harness', () => {
  it('stop() ends mon, osd and radosgw and removes the folder', async () => {
    const gateway = await startCephGateway();
    expect(gateway.pids).toHaveLength(3);
    expect(gateway.pids.every((pid) => !ended(pid))).toBe(true);
    await gateway.stop();
    await waitUntilEnded(gateway.pids, 10_000);
    expect(existsSync(gateway.directory)).toBe(false);
  });

  it('takes the daemons down when the process that started them is killed with SIGKILL', async () => {
    const script = `import { startCephGateway } from './test/support/ceph-rgw.ts';
      const g = await startCephGateway(); console.log(JSON.stringify(g.pids)); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pids = await new Promise<number[]>((resolvePids, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const line = out.split('\n').find((l) => l.startsWith('['));
        if (line) resolvePids(JSON.parse(line) as number[]);
      });
      child.once('exit', (code) => reject(new Error(`the starter exited (${code}) before printing the pids`)));
    });
    expect(pids.every((pid) => !ended(pid))).toBe(true);
    child.kill('SIGKILL');
    await waitUntilEnded(pids, 15_000);
  }, 60_000);
});
