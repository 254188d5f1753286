// `node --import tsx scripts/measure-import-cpu.ts [--rows N] [--core DIR] [--runs K] [--json]`:
// CPU time of importing a tracks CSV (the bench's events file) through importFile, from disk, on this
// thread: no S3 server, no worker, so the figure is the import's own work (parsing, mapping, typing,
// writing) and little else. `--core` loads electron/core from another directory (a copy of an older
// commit) so two versions can be measured in turns, each in a fresh process:
//   for i in 1 2 3 4 5; do for c in OLD NEW; do node --import tsx scripts/measure-import-cpu.ts --core $c --json; done; done
// With --cpu-prof on the node command line it gives the profile of exactly this work.
import { createReadStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

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
const core = resolve(values.core!);
// A .mjs bundle exporting importFile, openDatabase and parseConfig (esbuild: real line numbers in profiles), or a directory of the sources.
const importModule = (name: string) => import(pathToFileURL(core.endsWith('.mjs') ? core : join(core, `${name}.ts`)).href);
const { importFile } = await importModule('import-file');
const { openDatabase } = await importModule('store');
const { parseConfig } = await importModule('config');

const config = parseConfig({
  connection: { bucket: 'bench', prefix: '', region: 'us-east-1', accessKeyId: 'x' },
  objects: {
    tracks: { fileRegex: '^events/', target: 'user', targetIdColumn: 'user_id', messageIdColumn: 'event_id', timestampColumn: 'timestamp', eventColumn: 'event' },
  },
  schedule: { everyHours: null },
});
const mapping = config.objects.tracks;

const dir = mkdtempSync(join(tmpdir(), 'import-cpu-'));
try {
  const warmupRows = Number(values.warmup);
  if (warmupRows > 0) await importOnce(await ensureCsv(warmupRows), 'warmup');
  const results: { cpuMs: number; wallMs: number }[] = [];
  for (let r = 0; r < Number(values.runs); r++) results.push(await importOnce(await ensureCsv(rows), `run${r}`));
  if (values.json) console.log(JSON.stringify({ core, rows, results }));
  else for (const { cpuMs, wallMs } of results) console.log(`${core}: ${rows} rows, CPU ${cpuMs.toFixed(0)} ms, wall ${wallMs.toFixed(0)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function importOnce(csv: string, name: string): Promise<{ cpuMs: number; wallMs: number }> {
  const db = openDatabase(join(dir, `${name}.sqlite`));
  db.pragma('wal_autocheckpoint = 0'); // as the sync worker's connection
  const stamp = { runId: 1, key: 'events/events.csv', syncedAt: new Date(0).toISOString() };
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await importFile({
    db,
    type: 'tracks',
    mapping,
    stamp,
    body: createReadStream(csv, { highWaterMark: 64 * 1024 }),
    recordReject: () => {},
    beforeCommit: () => {},
  });
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - start;
  if (result.rows !== Number(name === 'warmup' ? values.warmup : rows) || result.rejected !== 0) throw new Error(`unexpected counts ${JSON.stringify(result)}`);
  db.close();
  return { cpuMs: (used.user + used.system) / 1000, wallMs };
}

/** The bench's events file (scripts/bench.ts, ensureCsv: same generator, same name). */
async function ensureCsv(count: number): Promise<string> {
  const dataDir = join(ROOT, 'bench-data');
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, `events-v1-${count}.csv`);
  if (existsSync(path)) return path;
  const partial = `${path}.${process.pid}.partial`;
  const out = createWriteStream(partial);
  let seed = 42;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const events = ['page_viewed', 'login', 'logout', 'report_exported', 'invite_sent', 'search', 'settings_changed', 'file_uploaded'];
  const plans = ['free', 'starter', 'gold', 'enterprise', 'null', ''];
  const pages = ['/home', '/docs/intro', '/settings', '/reports/42', '"/search?q=a,b"', '/billing', '"Say ""hi"""'];
  const start = Date.UTC(2024, 0, 1);
  let text = 'event_id,user_id,account_id,timestamp,event,plan,duration_ms,is_mobile,page\n';
  for (let i = 0; i < count; i++) {
    const user = Math.floor(random() * 50_000);
    const at = new Date(start + i * 1500 + Math.floor(random() * 1000)).toISOString();
    text +=
      `ev${String(i).padStart(9, '0')},u${String(user).padStart(6, '0')},a${String(user % 5000).padStart(5, '0')},${at},` +
      `${pick(events)},${pick(plans)},${Math.floor(random() * 100_000)},${random() < 0.3 ? 'true' : 'false'},${pick(pages)}\n`;
    if (text.length > 1 << 20) {
      if (!out.write(text)) await new Promise((r) => out.once('drain', () => r(undefined)));
      text = '';
    }
  }
  out.end(text);
  await new Promise<void>((r, reject) => out.on('finish', () => r()).on('error', reject));
  renameSync(partial, path);
  return path;
}
