// Times the CSV reader on hostile files and reports peak memory, one case per process so each
// case's peak RSS is its own: node --import tsx scripts/measure-hostile-files.ts CASE [MB]
//   unterminated  a file of MB megabytes (default 50) whose quote on line 2 is never closed
//   big-field     a 5 MB single field
//   wide          5,000 columns, 200 rows
// Prints one JSON line: { case, seconds, peakRssMB, rows, rejected, error? }.
import { readCsv } from '../electron/core/csv-reader';

const [caseName = 'unterminated', sizeArg] = process.argv.slice(2);

/** Yields the file in 64 KB chunks, as an S3 body would, without ever holding it whole. */
async function* generate(parts: () => Generator<string>): AsyncGenerator<Uint8Array> {
  let buffered = '';
  for (const part of parts()) {
    buffered += part;
    if (buffered.length >= 65536) {
      yield Buffer.from(buffered);
      buffered = '';
    }
  }
  if (buffered) yield Buffer.from(buffered);
}

function* unterminated(megabytes: number): Generator<string> {
  yield 'id,name,plan,note\n';
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
  yield 'id,name,note\n1,Acme,"';
  for (let i = 0; i < 5 * 1024; i++) yield 'x'.repeat(1023) + (i % 2 ? ',' : '""');
  yield '"\n2,Beta,short\n';
}

function* wide(): Generator<string> {
  const columns = 5000;
  yield ['id', 'name', ...Array.from({ length: columns - 2 }, (_, i) => `trait_${i}`)].join(',') + '\n';
  for (let r = 0; r < 200; r++) yield [`a-${r}`, `Account ${r}`, ...Array.from({ length: columns - 2 }, (_, i) => String(i * r))].join(',') + '\n';
}

const sources: Record<string, () => Generator<string>> = {
  unterminated: () => unterminated(Number(sizeArg ?? 50)),
  'big-field': bigField,
  wide,
};

const parts = sources[caseName];
if (!parts) throw new Error(`unknown case ${caseName}`);
const started = process.hrtime.bigint();
let rows = 0;
let rejected = 0;
let error: string | undefined;
try {
  for await (const event of readCsv(generate(parts))) {
    if (event.kind !== 'rows') continue;
    rows += event.rows.length;
    rejected += event.malformed.size;
  }
} catch (e) {
  error = (e as Error).message;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify({ case: caseName, seconds: Number(seconds.toFixed(2)), peakRssMB, rows, rejected, ...(error ? { error } : {}) }));
