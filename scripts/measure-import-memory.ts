// `node --expose-gc --import tsx scripts/measure-import-memory.ts [--rows N] [--turns K]`: imports the
// bench's events file (generate it first with measure-import-cpu.ts or npm run bench) K times in this
// one process, each into a fresh database with its connection opened and closed as the sync worker
// does, and prints each turn's peak RSS (Linux: the kernel's high-water mark, reset before the turn)
// and, after a full collection, the RSS, the JavaScript heap in use and external memory. A heap in use
// that grows turn by turn is memory retained across runs; an RSS that grows while it does not is the
// allocator's (compare with MALLOC_ARENA_MAX=1 in the environment).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchEventsMapping, importEventsIntoFreshFile } from './measured-file';
import { ensureEventsCsv } from './bench-events-csv';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '250000' }, turns: { type: 'string', default: '12' } },
});
const csv = await ensureEventsCsv(join(resolve(import.meta.dirname, '..'), 'bench-data'), Number(values.rows));
if (!global.gc) throw new Error('Run with --expose-gc.');
const mapping = benchEventsMapping();
const dir = mkdtempSync(join(tmpdir(), 'import-memory-'));
const peakMb = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const settle = async () => {
  global.gc!();
  await new Promise((r) => setTimeout(r, 100));
};
try {
  for (let turn = 0; turn < Number(values.turns); turn++) {
    await settle();
    writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
    const db = await importEventsIntoFreshFile(join(dir, 'import.sqlite'), csv, mapping);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const peak = peakMb();
    await settle();
    const m = process.memoryUsage();
    console.log(
      `turn ${turn}: peak RSS ${peak.toFixed(1)} MB; after a collection: RSS ${mb(m.rss)} MB, ` +
        `heap used ${mb(m.heapUsed)} MB, external ${mb(m.external)} MB`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
