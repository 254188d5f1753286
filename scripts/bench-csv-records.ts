// The record parser (electron/core/csv/records.ts) beside papaparse's parser, which it replaced, on
// the same text in the same run: CPU time per pass, taking turns, quoted as the median paired ratio.
// Four files of N rows (2,000,000 unless --rows says otherwise): no quote anywhere; the same with a
// quoted field (commas and doubled quotes inside) on every seventh row; every field quoted; one column
// (no delimiter at all, as in a list of IDs).
// Usage: node --import tsx scripts/bench-csv-records.ts [--rows N] [--rounds K] [--before FILE]
// --before adds another records.ts (an older commit's: git show OLD:electron/core/csv/records.ts >
// bench-data/records-before.ts, with its line-breaks.ts beside it) to the turns.
import { parseArgs } from 'node:util';
import Papa from 'papaparse';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseRecords } from '../electron/core/csv/records';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '2000000' },
    rounds: { type: 'string', default: '9' },
    before: { type: 'string' },
  },
});
const ROWS = Number(values.rows);
const ROUNDS = Number(values.rounds);
const CHUNK = 64 * 1024;

const COLUMNS = 'id,name,email,ts,note';
const FILES: Record<string, { header: string; row: (i: number) => string }> = {
  unquoted: { header: COLUMNS, row: (i) => `${i},User ${i},u${i}@example.com,2024-06-01T10:00:00Z,plain` },
  'quoted 1 in 7': {
    header: COLUMNS,
    row: (i) =>
      `${i},User ${i},u${i}@example.com,2024-06-01T10:00:00Z,${i % 7 === 0 ? '"a, quoted ""note"""' : 'plain'}`,
  },
  'all quoted': {
    header: COLUMNS,
    row: (i) =>
      `"${i}","User ${i}","u${i}@example.com","2024-06-01T10:00:00Z","${i % 7 === 0 ? 'a, quoted ""note""' : 'plain'}"`,
  },
  'one column': { header: 'id', row: (i) => `user-${i}` },
};

type ParseRecords = typeof parseRecords;

/** Feeds the text in chunks, carrying the unfinished tail into the next call, as readCsv does. */
const passRecords =
  (parse: ParseRecords) =>
  (text: string): number => {
    let pending = '';
    let rows = 0;
    let line = 1;
    for (let at = 0; at < text.length; at += CHUNK) {
      const input = pending + text.slice(at, at + CHUNK);
      const parsed = parse(input, ',', line, at + CHUNK >= text.length);
      rows += parsed.rows.length;
      line = parsed.nextLine;
      pending = input.slice(parsed.cursor);
    }
    // papaparse also returns the empty row after the last line break (readCsv drops it as a blank line).
    return rows + 1;
  };

function passPapaparse(text: string): number {
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

function cpuMs(pass: (text: string) => number, text: string): number {
  const before = process.cpuUsage();
  pass(text);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const contenders: { name: string; pass: (text: string) => number }[] = [
  { name: 'papaparse', pass: passPapaparse },
  { name: 'records.ts', pass: passRecords(parseRecords) },
];
if (values.before) {
  const module = (await import(pathToFileURL(resolve(values.before)).href)) as { parseRecords: ParseRecords };
  contenders.push({ name: 'before', pass: passRecords(module.parseRecords) });
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`${ROWS.toLocaleString('en-US')} rows a file, ${CHUNK / 1024} KB chunks, median of ${ROUNDS} (CPU time)`);
for (const [name, { header, row }] of Object.entries(FILES)) {
  const text = `${header}\n${Array.from({ length: ROWS }, (_, i) => row(i)).join('\n')}\n`;
  for (const contender of contenders)
    if (contender.pass(text) !== ROWS + 2) throw new Error(`${contender.name} read a different number of rows`);
  const ms = contenders.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    // The order turns each round: none always inherits another's garbage.
    for (let k = 0; k < contenders.length; k++) {
      const i = (round + k) % contenders.length;
      ms[i]!.push(cpuMs(contenders[i]!.pass, text));
    }
  }
  const mb = text.length / 1e6;
  const figures = contenders.map((c, i) => {
    const m = median(ms[i]!);
    return `${c.name} ${m.toFixed(0)} ms (${(mb / (m / 1000)).toFixed(0)} MB/s)`;
  });
  // Each contender against papaparse, round by round: the median of the paired ratios, and their range.
  const ratios = contenders.slice(1).map((c, j) => {
    const paired = ms[j + 1]!.map((m, round) => m / ms[0]![round]!);
    return `${c.name} / papaparse ${median(paired).toFixed(2)}x (${Math.min(...paired).toFixed(2)}-${Math.max(...paired).toFixed(2)})`;
  });
  console.log(`${name.padEnd(14)} ${mb.toFixed(0)} MB: ${figures.join(', ')}; ${ratios.join(', ')}`);
}
