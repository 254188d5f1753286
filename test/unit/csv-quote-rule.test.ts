// The quote rule as properties, over random tables with injected quote damage (text after a closing
// quote), read in random chunkings, plain or gzipped, in UTF-8, UTF-16LE (with BOM) or windows-1252:
// (a) rows = created + updated + skipped + rejected, through the real importer into a SQLite file;
// (b) every data line belongs to exactly one row, which lands or is rejected with the line it starts on;
// (c) a well-formed row is never absorbed by a damaged neighbour: it reads back exactly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../electron/shared/config';
import { readCsv, type CsvEncoding } from '../../electron/core/csv/rows';
import { startRun } from '../../electron/core/db/run-log';
import { openDatabase, type SqliteDatabase } from '../../electron/core/db/sqlite-database';
import { importFile } from '../../electron/core/sync/import-file';
import { createSqliteTarget } from '../../electron/core/db/sqlite-target';
import { measuredFileRows } from '../../scripts/measured-file';

interface Cell {
  value: string;
  quoted: boolean;
  /** Text written after the closing quote (quote damage); only on quoted cells. */
  damage: string;
}

// Values with the characters that matter: delimiters, quotes, every line break, spaces, accents.
const value = fc
  .array(fc.constantFrom('a', 'b', 'Z', '1', ' ', ',', '"', '\n', '\r\n', '\r', 'é', 'ü'), { maxLength: 6 })
  .map((parts) => parts.join(''));

const cell = fc
  .record({ value, quoted: fc.boolean(), damage: fc.constantFrom('', '', '', '', 'x', ' ', '  ', 'x y', '\t') })
  .map(({ value, quoted, damage }): Cell => {
    // Unquoted cells can hold neither a delimiter nor a line break, nor start with a quote.
    const mustQuote = /[,\r\n]/.test(value) || value.startsWith('"');
    const isQuoted = quoted || mustQuote;
    return { value, quoted: isQuoted, damage: isQuoted ? damage : '' };
  });

const table = fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 12 });

const writeCell = (c: Cell) => (c.quoted ? `"${c.value.replaceAll('"', '""')}"${c.damage}` : c.value);
const lineBreaksIn = (text: string) => (text.match(/\r\n|\r|\n/g) ?? []).length;

function fileOf(rows: [Cell, Cell][], lineBreak: string) {
  const lines = rows.map(([v, w], i) => `r${i},${writeCell(v)},${writeCell(w)}`);
  const text = `id,v,w${lineBreak}${lines.join(lineBreak)}${lineBreak}`;
  let line = 2;
  const expected = rows.map(([v, w], i) => {
    const start = line;
    line += 1 + lineBreaksIn(lines[i]!);
    const damagedColumn = v.damage ? 2 : w.damage ? 3 : 0;
    return { id: `r${i}`, line: start, raw: lines[i]!, fields: [`r${i}`, v.value, w.value], damagedColumn };
  });
  return { text, expected };
}

function encode(text: string, encoding: CsvEncoding): Uint8Array {
  if (encoding === 'utf-16le') return new Uint8Array(Buffer.from(`\ufeff${text}`, 'utf16le'));
  return new Uint8Array(Buffer.from(text, encoding === 'windows-1252' ? 'latin1' : 'utf8'));
}

async function* chunked(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  const bounds = [0, ...cuts.map((n) => n % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
  for (let i = 0; i + 1 < bounds.length; i++)
    if (bounds[i + 1]! > bounds[i]!) yield bytes.slice(bounds[i], bounds[i + 1]);
}

const options = fc.record({
  lineBreak: fc.constantFrom('\n', '\r\n', '\r'),
  encoding: fc.constantFrom<CsvEncoding>('utf-8', 'utf-16le', 'windows-1252'),
  gzip: fc.boolean(),
  cuts: fc.array(fc.nat(), { maxLength: 10 }),
});

function sourceOf(text: string, o: { encoding: CsvEncoding; gzip: boolean; cuts: number[] }) {
  const bytes = encode(text, o.encoding);
  return chunked(o.gzip ? new Uint8Array(gzipSync(bytes)) : bytes, o.cuts);
}

describe('property: the quote rule holds at any chunking, in gzip and every encoding', () => {
  it('(b)+(c): each row lands exactly or is rejected on its own line, naming the column', async () => {
    await fc.assert(
      fc.asyncProperty(table, options, async (rows, o) => {
        const { text, expected } = fileOf(rows, o.lineBreak);
        const read: { fields: string[]; line: number; raw: string; malformed?: string }[] = [];
        for await (const event of readCsv(sourceOf(text, o), { encoding: o.encoding })) {
          if (event.kind === 'header') {
            expect(event.columns).toEqual(['id', 'v', 'w']);
            continue;
          }
          event.rows.forEach((fields, i) =>
            read.push({ fields, line: event.lines[i]!, raw: event.rawText(i), malformed: event.malformed.get(i) }),
          );
        }
        expect(read.map((row) => row.line)).toEqual(expected.map((row) => row.line));
        expect(read.map((row) => row.raw)).toEqual(expected.map((row) => row.raw));
        read.forEach((row, i) => {
          const want = expected[i]!;
          if (want.damagedColumn) {
            expect(row.malformed).toMatch(new RegExp(`after the closing quote in column ${want.damagedColumn}`));
          } else {
            expect(row.malformed).toBeUndefined();
            expect(row.fields).toEqual(want.fields);
          }
        });
      }),
      { numRuns: 400 },
    );
  });
});

describe('property: the importer counts every row once', () => {
  let dir: string;
  let db: SqliteDatabase;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 's3sync-quote-rule-'));
    db = openDatabase(join(dir, 'quote-rule.sqlite'));
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const mapping = parseConfig({
    connection: { bucket: 'acme-exports', prefix: '', region: 'us-east-1', accessKeyId: 'AKIAEXAMPLE' },
    objects: { accounts: { fileRegex: '.*', mode: 'create_update', idColumn: 'id', nameColumn: 'v' } },
    schedule: { everyHours: null },
  }).objects.accounts!;

  it('(a): rows = created + updated + skipped + rejected; the rejects are the damaged rows, on their lines', async () => {
    let file = 0;
    await fc.assert(
      fc.asyncProperty(table, options, async (rows, o) => {
        const { text, expected } = fileOf(rows, o.lineBreak);
        const runId = startRun(db, 'test', new Date().toISOString());
        const rejects: { line: number; reason: string }[] = [];
        const key = `file-${file++}.csv`;
        const target = createSqliteTarget(db, '');
        const beginFile = target.beginFile.bind(target);
        target.beginFile = async (...args) => {
          const write = await beginFile(...args);
          const recordReject = write.recordReject.bind(write);
          write.recordReject = (reject) => {
            rejects.push(reject);
            recordReject(reject);
          };
          return write;
        };
        const result = await importFile({
          target,
          type: 'accounts',
          mapping: { ...mapping, encoding: o.encoding },
          stamp: { runId, key, syncedAt: new Date().toISOString() },
          body: sourceOf(text, o),
          commit: (write, counts) => write.commit(...measuredFileRows(runId, 'accounts', key, counts)),
        });
        expect(result.rows).toBe(rows.length);
        expect(result.created + result.updated + result.skipped + result.rejected).toBe(result.rows);
        expect(rejects.map((r) => r.line)).toEqual(expected.filter((row) => row.damagedColumn).map((row) => row.line));
      }),
      { numRuns: 150 },
    );
  });
});
