// `node --expose-gc --import tsx scripts/measure-worker-memory.ts [--rows N] [--turns K] [--young-mb M,...]`:
// where a sync worker's peak memory goes. Imports the bench's events file (from disk: no S3 server)
// K times on a worker thread, as the sync worker does (a fresh database and connection each time), once
// per young-generation limit given ("engine" = what startWorker gives the engine's workers, "v8" =
// V8's own sizing, a number = resourceLimits.maxYoungGenerationSizeMb), each in its own worker, taking
// turns (CPU compares in one run; for peaks compare one setting per run: idle workers keep their heaps).
// Per turn: the process's peak RSS (the kernel's high-water mark, reset before the turn), and the
// worker's V8 heap at the end of the import, before any collection: its new space (the young
// generation, which V8 grows while a scavenge finds many survivors and does not shrink until the
// heap is idle) and its old space; and the worker's CPU time. Set MALLOC_ARENA_MAX in the
// environment to see the allocator's part.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, workerData, type Worker } from 'node:worker_threads';
import { startWorker } from '../electron/core/worker/worker-start';
import { ensureEventsCsv } from './bench-events-csv';

interface TurnResult {
  newSpaceMb: number;
  oldSpaceMb: number;
  cpuMs: number;
}

const mb = (bytes: number) => bytes / 2 ** 20;

if (isMainThread) await main();
else await serveTurns();

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '2000000' },
      turns: { type: 'string', default: '2' },
      'young-mb': { type: 'string', default: 'engine' },
    },
  });
  const csv = await ensureEventsCsv(join(resolve(import.meta.dirname, '..'), 'bench-data'), Number(values.rows));
  const settings = values['young-mb'].split(',');
  const workers = settings.map((setting) =>
    startWorker(new URL(import.meta.url), {
      workerData: { csv },
      ...(setting === 'engine'
        ? {}
        : { resourceLimits: { maxYoungGenerationSizeMb: setting === 'v8' ? undefined : Number(setting) } }),
    }),
  );
  const peakMb = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
  const rssMb = () => mb(process.memoryUsage.rss());
  try {
    for (let turn = 0; turn < Number(values.turns); turn++) {
      for (const [i, worker] of workers.entries()) {
        global.gc?.();
        const before = rssMb();
        writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
        const result = await ask(worker);
        console.log(
          `young ${settings[i]!.padEnd(7)} turn ${turn}: peak RSS ${peakMb().toFixed(0)} MB (${before.toFixed(0)} before); ` +
            `worker at the end: new space ${result.newSpaceMb.toFixed(1)} MB, old space ${result.oldSpaceMb.toFixed(1)} MB; ` +
            `CPU ${result.cpuMs.toFixed(0)} ms`,
        );
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function ask(worker: Worker): Promise<TurnResult> {
  return new Promise((resolveTurn, reject) => {
    worker.once('message', resolveTurn);
    worker.once('error', reject);
    worker.postMessage('turn');
  });
}

async function serveTurns(): Promise<void> {
  const { benchEventsMapping, importEventsIntoFreshFile } = await import('./measured-file');
  const { csv } = workerData as { csv: string };
  const mapping = benchEventsMapping();
  const dir = mkdtempSync(join(tmpdir(), 'worker-memory-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  parentPort!.on('message', () => void importTurn());
  async function importTurn(): Promise<void> {
    const cpuBefore = process.threadCpuUsage();
    const db = await importEventsIntoFreshFile(join(dir, 'import.sqlite'), csv, mapping);
    const spaces = getHeapSpaceStatistics();
    const space = (name: string) => mb(spaces.find((s) => s.space_name === name)!.physical_space_size);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const cpu = process.threadCpuUsage(cpuBefore);
    parentPort!.postMessage({
      newSpaceMb: space('new_space'),
      oldSpaceMb: space('old_space'),
      cpuMs: (cpu.user + cpu.system) / 1000,
    } satisfies TurnResult);
  }
}
