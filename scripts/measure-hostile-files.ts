// Times the CSV reader on hostile files and reports peak memory, one case per process so each
// case's peak RSS is its own: node --import tsx scripts/measure-hostile-files.ts CASE [MB] [--import]
// With --import, the whole import path runs (reader, mapping, SQLite writes into a temporary file).
//   unterminated  a file of MB megabytes (default 50) whose quote on line 2 is never closed
//   big-field     a 5 MB single field
//   wide          5,000 columns, 200 rows
// Prints one JSON line: { case, seconds, peakRssMB, rows, rejected, error? }.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../electron/shared/config';
import { readCsv } from '../electron/core/csv/rows';
import { importFile } from '../electron/core/sync/import-file';
import { openDatabase } from '../electron/core/db/sqlite-database';
import { createSqliteTarget } from '../electron/core/db/sqlite-target';
import { startRun } from '../electron/core/db/run-log';
import { measuredFileRows } from './measured-file';

const args = process.argv.slice(2);
const wholeImport = args.includes('--import');
const [caseName = 'unterminated', sizeArg] = args.filter((a) => a !== '--import');

/** Yields the file in 64 KB chunks, as an S3 body would, without ever holding it whole. */
async function* generate(parts: () => Generator<string>): AsyncGenerator<Uint8Array> {
  let buffered = '';
  for (const part of parts()) {
    buffered += part;
    if (buffered.length >= 65536) {
      sampleHeap();
      yield Buffer.from(buffered);
      buffered = '';
    }
  }
  if (buffered) yield Buffer.from(buffered);
}

function* unterminated(megabytes: number): Generator<string> {
  yield 'account_id,account_name,plan,note\n';
  yield '1,"Acme,pro,never closed\n';
  const target = megabytes * 1024 * 1024;
  let written = 0;
  for (let i = 2; written < target; i++) {
    const line = `${i},Company ${i},basic,an ordinary row of about sixty bytes\n`;
    written += line.length;
    yield line;
  }
}

function* bigField(): Generator<string> {
  yield 'account_id,account_name,note\n1,Acme,"';
  for (let i = 0; i < 5 * 1024; i++) yield 'x'.repeat(1023) + (i % 2 ? ',' : '""');
  yield '"\n2,Beta,short\n';
}

function* wide(): Generator<string> {
  const columns = 5000;
  yield ['account_id', 'account_name', ...Array.from({ length: columns - 2 }, (_, i) => `trait_${i}`)].join(',') + '\n';
  for (let r = 0; r < 200; r++)
    yield [`a-${r}`, `Account ${r}`, ...Array.from({ length: columns - 2 }, (_, i) => String(i * r))].join(',') + '\n';
}

const sources: Record<string, () => Generator<string>> = {
  unterminated: () => unterminated(Number(sizeArg ?? 50)),
  'big-field': bigField,
  wide,
};

// Sampled as each chunk is handed over (a timer would not fire while the reader works).
let heapPeakMB = 0;
function sampleHeap(): void {
  heapPeakMB = Math.max(heapPeakMB, process.memoryUsage().heapUsed / 2 ** 20);
}

const parts = sources[caseName];
if (!parts) throw new Error(`unknown case ${caseName}`);
const started = process.hrtime.bigint();
let rows = 0;
let rejected = 0;
let error: string | undefined;
try {
  if (wholeImport) {
    const dir = mkdtempSync(join(tmpdir(), 'measure-hostile-'));
    const db = openDatabase(join(dir, 'measure.sqlite'));
    try {
      const config = parseConfig({
        connection: { bucket: 'measure', region: 'us-east-1', accessKeyId: 'AKIA' },
        objects: {
          accounts: { fileRegex: '.', mode: 'create_update', idColumn: 'account_id', nameColumn: 'account_name' },
        },
      });
      const runId = startRun(db, 'measure', new Date().toISOString());
      const result = await importFile({
        target: createSqliteTarget(db, ''),
        type: 'accounts',
        mapping: config.objects.accounts!,
        stamp: { runId, key: caseName, syncedAt: new Date().toISOString() },
        body: generate(parts),
        commit: (write, counts) => write.commit(...measuredFileRows(runId, 'accounts', caseName, counts)),
      });
      rows = result.rows;
      rejected = result.rejected;
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    for await (const event of readCsv(generate(parts))) {
      if (event.kind !== 'rows') continue;
      rows += event.rows.length;
      rejected += event.malformed.size;
    }
  }
} catch (e) {
  error = (e as Error).message;
}
sampleHeap();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(
  JSON.stringify({
    case: caseName,
    path: wholeImport ? 'import' : 'reader',
    seconds: Number(seconds.toFixed(2)),
    peakRssMB,
    heapPeakMB: Math.round(heapPeakMB),
    rows,
    rejected,
    ...(error ? { error } : {}),
  }),
);
