// `node --expose-gc --import tsx scripts/measure-export-memory.ts [--rows N] [--formats csv,xlsx] [--db PATH]`:
// exports every event of a generated database once per format, here on this thread (the memory is the
// process's wherever the export runs), and prints each export's peak RSS (Linux: the kernel's
// high-water mark, reset before each export) beside the RSS before it, so CSV and XLSX compare in one run.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openReadOnlyConnection } from '../electron/core/db/query-runner';
import { exportStatementFor } from '../electron/core/db/workbench-statements';
import { exportToFile } from '../electron/core/export/export-file';
import { fillWorkbenchDatabase } from './workbench-data';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    formats: { type: 'string', default: 'csv,xlsx' },
    db: { type: 'string' },
  },
});
const rows = Number(values.rows);
const work = mkdtempSync(join(tmpdir(), 's3sync-export-memory-'));
const dbPath = values.db ?? join(work, 'bench.sqlite');
if (!existsSync(dbPath)) fillWorkbenchDatabase(dbPath, { events: rows });
if (!global.gc) throw new Error('Run with --expose-gc.');

const status = () => readFileSync('/proc/self/status', 'utf8');
const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status())![1]);
const mb = (kilobytes: number) => `${(kilobytes / 1024).toFixed(0)} MB`;

const db = openReadOnlyConnection(dbPath);
const statement = exportStatementFor({ kind: 'query', sql: 'SELECT * FROM events' });
try {
  for (const format of values.formats.split(',') as ('csv' | 'xlsx')[]) {
    global.gc();
    writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
    const before = kb('VmRSS');
    const started = performance.now();
    const path = join(work, `events.${format}`);
    const written = await exportToFile(db, statement, { format, bom: true }, path);
    const seconds = (performance.now() - started) / 1000;
    const peak = kb('VmHWM');
    console.log(
      `${format.toUpperCase()} of ${written.toLocaleString('en-US')} rows: peak RSS ${mb(peak)} (RSS before ${mb(before)}, +${mb(peak - before)}), ${seconds.toFixed(1)} s, file ${(statSync(path).size / 1e6).toFixed(0)} MB`,
    );
    rmSync(path);
  }
} finally {
  db.close();
  if (!values.db) rmSync(work, { recursive: true, force: true });
}
