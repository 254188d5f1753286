// The reader against an independent one (csv-parse, used only here) over files nobody on this
// project wrote: the csv-spectrum corpus, the sample files papaparse ships, and world-countries'
// 250-country export. Every disagreement is one of the rules in docs/csv-reading-rules.md, each
// asserted below so a change to either reader shows up.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../electron/core/csv/rows';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

const corpus: [string, string][] = [
  ...readdirSync(join(packageDir('csv-spectrum'), 'csvs'))
    .filter((file) => file.endsWith('.csv'))
    .map((file): [string, string] => [`csv-spectrum/${file}`, join(packageDir('csv-spectrum'), 'csvs', file)]),
  ...readdirSync(join(packageDir('papaparse'), 'tests'))
    .filter((file) => file.endsWith('.csv'))
    .map((file): [string, string] => [`papaparse/tests/${file}`, join(packageDir('papaparse'), 'tests', file)]),
  ['world-countries/dist/countries.csv', join(packageDir('world-countries'), 'dist', 'countries.csv')],
];

async function* inChunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
}

/** The header (trimmed, as the reader gives it) and the rows, plus the reasons of rows it flags. */
async function ours(bytes: Uint8Array, chunkSize = bytes.length || 1) {
  const rows: string[][] = [];
  const malformed: string[] = [];
  for await (const event of readCsv(inChunks(bytes, chunkSize))) {
    if (event.kind === 'header') rows.push(event.columns);
    else {
      rows.push(...event.rows);
      malformed.push(...event.malformed.values());
    }
  }
  return { rows, malformed };
}

/** Files where csv-parse, by default, refuses what the reader reads by a documented rule. */
const RELAX_QUOTES: Record<string, string> = {
  // "37°36'37.8"N": a quote inside an unquoted field is a literal character (also for Python's csv).
  'csv-spectrum/location_coordinates.csv': 'Invalid Opening Quote',
};

function theirs(bytes: Uint8Array, relaxQuotes = false): string[][] {
  const records = parse(Buffer.from(bytes), {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    relax_quotes: relaxQuotes,
  });
  return records.map((row, i) => (i === 0 ? row.map((name) => name.trim()) : row));
}

describe('differential: the reader and csv-parse agree on real files', () => {
  it('has a corpus of real files', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(18);
  });

  it.each(corpus)('%s: the same header and rows, whole and in 7-byte chunks', async (name, path) => {
    const bytes = new Uint8Array(readFileSync(path));
    const relaxed = RELAX_QUOTES[name];
    if (relaxed) expect(() => theirs(bytes)).toThrow(relaxed);
    const want = theirs(bytes, relaxed !== undefined);
    for (const chunkSize of [bytes.length, 7]) {
      const got = await ours(bytes, chunkSize);
      expect(got.malformed).toEqual([]);
      expect(got.rows).toEqual(want);
    }
  });
});

describe('differential: the documented disagreements', () => {
  const bytesOf = (text: string) => new Uint8Array(Buffer.from(text));

  it('text after a closing quote: csv-parse fails the whole file; the reader rejects that row alone', async () => {
    const text = 'id,v,w\n1,"b"c,d\n2,e,f\n3,"g",h\n';
    expect(() => theirs(bytesOf(text))).toThrow(/Invalid Closing Quote: got "c" at line 2/);
    const got = await ours(bytesOf(text));
    expect(got.rows.slice(2)).toEqual([
      ['2', 'e', 'f'],
      ['3', 'g', 'h'],
    ]);
    expect(got.malformed).toEqual([expect.stringMatching(/^text after the closing quote in column 2/)]);
  });

  it('a lone CR in an LF file: csv-parse keeps it inside a value; the reader ends the line there (as Python’s csv)', async () => {
    const text = 'id,v\n1,a\r2,b\n3,c\n';
    expect(theirs(bytesOf(text))).toEqual([
      ['id', 'v'],
      ['1', 'a\r2', 'b'],
      ['3', 'c'],
    ]);
    expect((await ours(bytesOf(text))).rows).toEqual([
      ['id', 'v'],
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
    ]);
  });
});
