// The record parser (electron/core/csv/records.ts) beside papaparse's parser, which it replaced, on
// the same text in the same run: CPU time per pass, alternating, quoted as the median paired ratio.
// Usage: node --import tsx scripts/bench-csv-records.ts
import Papa from 'papaparse';
import { parseRecords } from '../electron/core/csv/records';

const ROWS = 400_000;
const CHUNK = 64 * 1024;
const lines = ['id,name,email,ts,note'];
for (let i = 0; i < ROWS; i++)
  lines.push(`${i},User ${i},u${i}@example.com,2024-06-01T10:00:00Z,${i % 7 === 0 ? '"a, quoted ""note"""' : 'plain'}`);
const text = `${lines.join('\n')}\n`;

/** Feeds the text in chunks, carrying the unfinished tail into the next call, as readCsv does. */
function passRecords(): number {
  let pending = '';
  let rows = 0;
  let line = 1;
  for (let at = 0; at < text.length; at += CHUNK) {
    const parsed = parseRecords(pending + text.slice(at, at + CHUNK), ',', line, at + CHUNK >= text.length);
    rows += parsed.rows.length;
    line = parsed.nextLine;
    pending = (pending + text.slice(at, at + CHUNK)).slice(parsed.cursor);
  }
  return rows;
}

function passPapaparse(): number {
  const parser = new Papa.Parser({ delimiter: ',', newline: '\n', quoteChar: '"' });
  let pending = '';
  let rows = 0;
  for (let at = 0; at < text.length; at += CHUNK) {
    const input = pending + text.slice(at, at + CHUNK);
    const final = at + CHUNK >= text.length;
    const result = parser.parse(input, 0, !final) as { data: string[][]; meta: { cursor: number } };
    rows += result.data.length;
    pending = final ? '' : input.slice(result.meta.cursor);
  }
  return rows;
}

function cpuMs(pass: () => number): number {
  const before = process.cpuUsage();
  pass();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

// papaparse also returns the empty row after the last line break (readCsv dropped it as a blank line).
if (passRecords() !== ROWS + 1 || passPapaparse() !== ROWS + 2) throw new Error('the parsers read different rows');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const records: number[] = [];
const papaparse: number[] = [];
const ratios: number[] = [];
for (let round = 0; round < 15; round++) {
  records.push(cpuMs(passRecords));
  papaparse.push(cpuMs(passPapaparse));
  ratios.push(records.at(-1)! / papaparse.at(-1)!);
}
const mb = text.length / 1e6;
console.log(
  `${ROWS.toLocaleString('en-US')} rows, ${mb.toFixed(1)} MB, ${CHUNK / 1024} KB chunks, median of 15 (CPU time)`,
);
console.log(`records.ts:  ${median(records).toFixed(0)} ms (${(mb / (median(records) / 1000)).toFixed(0)} MB/s)`);
console.log(`papaparse:   ${median(papaparse).toFixed(0)} ms (${(mb / (median(papaparse) / 1000)).toFixed(0)} MB/s)`);
console.log(
  `records.ts / papaparse, median of the 15 paired ratios: ${median(ratios).toFixed(2)}x (range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
);
