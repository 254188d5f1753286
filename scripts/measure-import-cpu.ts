// `node --import tsx scripts/measure-import-cpu.ts [--rows N] [--core DIR[,DIR...]] [--runs K] [--json]`:
// CPU time of importing a tracks CSV (the bench's events file) through importFile, from disk, on this
// thread: no S3 server, no worker, so the figure is the import's own work (parsing, mapping, typing,
// writing) and little else. `--core` loads electron/core from elsewhere (a copy of an older commit, or
// an esbuild bundle of one), and several take turns in one process (below):
//   mkdir -p bench-data/old && git archive OLD electron/core | tar -x -C bench-data/old
//   node --import tsx scripts/measure-import-cpu.ts --rows 250000 --runs 21 \
//     --core bench-data/old/electron/core,electron/core
// (The copy inside the repository, so that it finds node_modules; with --cpu-prof it profiles exactly this work.)
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureEventsCsv, EVENTS_TRACKS_MAPPING } from './bench-events-csv';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    core: { type: 'string', default: join(ROOT, 'electron', 'core') },
    runs: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '100000' },
    json: { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
// Each --core is a .mjs bundle exporting importFile, openDatabase and parseConfig (esbuild: real line
// numbers in profiles), or a directory of the sources. With several (comma-separated), they are loaded
// into this one process and take turns file by file, so that the machine's load weighs on them alike;
// the report gives each one's median and the median of its differences from the first, turn by turn.
const cores = values.core.split(',').map((c) => resolve(c));
const versions = await Promise.all(
  cores.map(async (core) => {
    const load = (name: string) => import(pathToFileURL(core.endsWith('.mjs') ? core : join(core, `${name}.ts`)).href);
    const [{ importFile }, { openDatabase }, { parseConfig }] = await Promise.all([
      load('import-file'),
      load('store'),
      load('config'),
    ]);
    return { core, importFile, openDatabase, parseConfig };
  }),
);
type Version = (typeof versions)[number];

const mappingOf = (version: Version) =>
  version.parseConfig({
    connection: { bucket: 'bench', prefix: '', region: 'us-east-1', accessKeyId: 'x' },
    objects: {
      tracks: EVENTS_TRACKS_MAPPING,
    },
    schedule: { everyHours: null },
  }).objects.tracks;

const dir = mkdtempSync(join(tmpdir(), 'import-cpu-'));
try {
  const warmupRows = Number(values.warmup);
  if (warmupRows > 0)
    for (const version of versions)
      await importOnce(version, await ensureEventsCsv(join(ROOT, 'bench-data'), warmupRows), warmupRows);
  const csv = await ensureEventsCsv(join(ROOT, 'bench-data'), rows);
  const cpu: number[][] = versions.map(() => []);
  const load = [loadAverage()];
  for (let r = 0; r < Number(values.runs); r++) {
    // Alternate the order, so that neither always follows the other.
    const order = r % 2 === 0 ? versions.map((_, i) => i) : versions.map((_, i) => versions.length - 1 - i);
    for (const i of order) cpu[i]!.push((await importOnce(versions[i]!, csv, rows)).cpuMs);
  }
  load.push(loadAverage());
  const results = versions.map((version, i) => ({
    core: version.core,
    medianCpuMs: median(cpu[i]!),
    minCpuMs: Math.min(...cpu[i]!),
    medianDiffFromFirstMs: median(cpu[i]!.map((ms, r) => ms - cpu[0]![r]!)),
    cpuMs: cpu[i]!,
  }));
  if (values.json) console.log(JSON.stringify({ rows, load, results }));
  else {
    console.log(`${rows} rows, ${values.runs} turns; load average ${load.join(' -> ')}`);
    for (const r of results) {
      console.log(
        `${r.core}: CPU median ${r.medianCpuMs.toFixed(0)} ms, min ${r.minCpuMs.toFixed(0)} ms, ` +
          `median difference from the first ${r.medianDiffFromFirstMs.toFixed(0)} ms`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function loadAverage(): string {
  return loadavg()[0]!.toFixed(2);
}

async function importOnce(
  version: Version,
  csv: string,
  expectedRows: number,
): Promise<{ cpuMs: number; wallMs: number }> {
  const db = version.openDatabase(join(dir, 'import.sqlite'));
  db.pragma('wal_autocheckpoint = 0'); // as the sync worker's connection
  const stamp = { runId: 1, key: 'events/events.csv', syncedAt: new Date(0).toISOString() };
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await version.importFile({
    db,
    type: 'tracks',
    mapping: mappingOf(version),
    stamp,
    body: createReadStream(csv, { highWaterMark: 64 * 1024 }),
    recordReject: () => {},
    beforeCommit: () => {},
  });
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - start;
  if (result.rows !== expectedRows || result.rejected !== 0)
    throw new Error(`unexpected counts ${JSON.stringify(result)}`);
  db.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `import.sqlite${suffix}`), { force: true });
  return { cpuMs: (used.user + used.system) / 1000, wallMs };
}
