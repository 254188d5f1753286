// Streams CSV rows out of raw object bytes: gunzip when the bytes say gzip, decode (BOM-aware),
// then papaparse's RFC 4180 parser driven chunk by chunk, so a file is never held whole.
// Each row keeps the line it starts on and can give back its raw text for the reject log.
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import Papa from 'papaparse';
import { DELIMITERS } from './delimiters';

export type Delimiter = (typeof DELIMITERS)[number];

export interface CsvHeader {
  kind: 'header';
  columns: string[];
  delimiter: Delimiter;
  encoding: string;
  gzipped: boolean;
}

export interface CsvRows {
  kind: 'rows';
  rows: string[][];
  /** The line each row starts on (the header is line 1). */
  lines: number[];
  /** Rows papaparse could not read cleanly (index into rows -> reason). */
  malformed: Map<number, string>;
  /** The raw text of row i, as it stood in the file (without its line ending). */
  rawText(i: number): string;
}

export type CsvEvent = CsvHeader | CsvRows;

export interface CsvReadOptions {
  delimiter?: Delimiter;
}

/** A file that cannot be read as CSV at all (as opposed to single bad rows). */
export class CsvFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvFileError';
  }
}

const GZIP_MAGIC = [0x1f, 0x8b];
// The header must end within this much text; beyond it the file is not a CSV we can read.
const MAX_HEADER_CHARS = 4 * 1024 * 1024;

export async function* readCsv(
  source: AsyncIterable<Uint8Array>,
  options: CsvReadOptions = {},
): AsyncGenerator<CsvEvent> {
  const bytes = await peekBytes(source, 4);
  const gzipped = bytes.head[0] === GZIP_MAGIC[0] && bytes.head[1] === GZIP_MAGIC[1];
  const plain = gzipped ? await peekBytes(gunzip(bytes.stream), 4) : bytes;
  const encoding = encodingFromBom(plain.head);
  const decoder = new TextDecoder(encoding); // strips the BOM itself

  let pending = ''; // text after the last complete row, carried into the next parse
  let parser: Papa.Parser | null = null;
  let newline: LineBreak = '\n';
  let nextLine = 1;
  let columns: string[] | null = null;

  const emitRows = (input: string, final: boolean): CsvRows | null => {
    const result = parser!.parse(input, 0, !final) as PapaResult;
    const consumed = final ? input.length : result.meta.cursor;
    pending = input.slice(consumed);
    const malformed = new Map<number, string>();
    for (const error of result.errors) {
      if (error.row === undefined) continue;
      malformed.set(
        error.row,
        error.code === 'MissingQuotes'
          ? 'a quoted field is never closed: this row and everything after it up to the end of the file were not imported'
          : 'a quoted field is malformed (a closing quote must be followed by the delimiter or the end of the line)',
      );
    }
    const batch = buildBatch(result.data, input, consumed, nextLine, newline, malformed);
    nextLine = batch.nextLine;
    if (!columns) {
      // The first row of the file is the header.
      const headerRow = batch.rows.rows.shift();
      batch.rows.lines.shift();
      if (!headerRow) return null;
      columns = headerRow.map((name) => name.trim());
      shiftMalformed(batch.rows.malformed);
      headerEvent = { kind: 'header', columns, delimiter: delimiter!, encoding, gzipped };
    }
    return batch.rows;
  };

  let headerEvent: CsvHeader | null = null;
  let delimiter: Delimiter | undefined = options.delimiter;
  let started = false;

  for await (const chunk of plain.stream) {
    const text = decoder.decode(chunk, { stream: true });
    if (!text) continue;
    if (!started) {
      pending += text;
      const header = locateHeaderLine(pending);
      // Wait until the header line has ended and one more character shows whether its break is CR or CRLF.
      if (header.end === -1 || header.end === pending.length - 1) {
        if (pending.length > MAX_HEADER_CHARS) throw new CsvFileError('The first line is longer than 4 MB: this does not look like a CSV file.');
        continue;
      }
      started = true;
      startParser(pending, header);
      const input = pending;
      pending = '';
      yield* flush(emitRows(input, false));
      continue;
    }
    // A row can only end at a line break: without one, just collect (keeps huge fields linear).
    if (text.indexOf(newline[newline.length - 1]!) === -1) {
      pending += text;
      continue;
    }
    const input = pending + text;
    pending = '';
    yield* flush(emitRows(input, false));
  }
  const tail = pending + decoder.decode();
  pending = '';
  if (!started) {
    if (tail.trim() === '') return; // empty file
    startParser(tail, locateHeaderLine(tail));
  }
  if (tail !== '') yield* flush(emitRows(tail, true));

  function startParser(text: string, header: HeaderLine): void {
    const end = header.end === -1 ? text.length : header.end;
    newline = header.end === -1 ? '\n' : lineBreakAt(text, header.end);
    delimiter ??= detectDelimiter(text.slice(header.start, end));
    parser = new Papa.Parser({ delimiter, newline, quoteChar: '"' });
  }

  function* flush(rows: CsvRows | null): Generator<CsvEvent> {
    if (headerEvent) {
      yield headerEvent;
      headerEvent = null;
    }
    if (rows && rows.rows.length > 0) yield rows;
  }
}

interface PapaResult {
  data: string[][];
  errors: { code: string; row?: number }[];
  meta: { cursor: number };
}

/** Builds a batch, dropping blank lines and working out which line each row starts on. */
function buildBatch(
  parsed: string[][],
  input: string,
  consumed: number,
  firstLine: number,
  newline: string,
  papaMalformed: Map<number, string>,
): { rows: CsvRows; nextLine: number } {
  const newlineChar = newline === '\r' ? '\r' : '\n';
  const rows: string[][] = [];
  const lines: number[] = [];
  const malformed = new Map<number, string>();
  // When the consumed text has exactly one line break per row, no field spans lines: lines are sequential.
  const simple = countChar(input, newlineChar, 0, consumed) === parsed.length;
  let line = firstLine;
  for (let i = 0; i < parsed.length; i++) {
    const row = parsed[i]!;
    const startLine = line;
    line += 1;
    if (!simple) for (const field of row) line += countChar(field, newlineChar, 0, field.length);
    if (row.length === 1 && row[0] === '') continue; // blank line
    const reason = papaMalformed.get(i);
    if (reason) malformed.set(rows.length, reason);
    rows.push(row);
    lines.push(startLine);
  }
  const rawText = (i: number): string => rawTextOfLines(input, consumed, firstLine, lines[i]!, lines[i + 1], newlineChar);
  return { rows: { kind: 'rows', rows, lines, malformed, rawText }, nextLine: line };
}

/**
 * The text from the start of `fromLine` up to the start of `toLine` (or the end of consumed input),
 * without its line ending. Lines are counted by the same character as row lines: LF, or CR in
 * CR-only files, so a quoted field with a bare LF inside a CRLF file still counts as a new line.
 */
function rawTextOfLines(
  input: string,
  consumed: number,
  inputFirstLine: number,
  fromLine: number,
  toLine: number | undefined,
  newlineChar: string,
): string {
  const start = offsetOfLine(input, inputFirstLine, fromLine, newlineChar);
  const end = toLine === undefined ? consumed : offsetOfLine(input, inputFirstLine, toLine, newlineChar);
  // Drop the row's own line ending and any blank lines that followed it.
  return input.slice(start, Math.max(start, end)).replace(/[\r\n]+$/, '');
}

function offsetOfLine(input: string, inputFirstLine: number, line: number, newlineChar: string): number {
  let offset = 0;
  for (let current = inputFirstLine; current < line; current++) {
    const next = input.indexOf(newlineChar, offset);
    if (next === -1) return input.length;
    offset = next + 1;
  }
  return offset;
}

function shiftMalformed(malformed: Map<number, string>): void {
  const shifted = [...malformed].filter(([i]) => i > 0).map(([i, reason]) => [i - 1, reason] as const);
  malformed.clear();
  for (const [i, reason] of shifted) malformed.set(i, reason);
}

function countChar(text: string, char: string, from: number, to: number): number {
  let count = 0;
  let at = text.indexOf(char, from);
  while (at !== -1 && at < to) {
    count++;
    at = text.indexOf(char, at + 1);
  }
  return count;
}

interface HeaderLine {
  /** Where the header starts (after any blank lines). */
  start: number;
  /** The first line break after it outside quotes, or -1 when the text does not have one yet. */
  end: number;
}

/** Finds the header line, skipping blank lines and ignoring line breaks inside quoted header cells. */
function locateHeaderLine(text: string): HeaderLine {
  const start = text.search(/[^\r\n]/);
  if (start === -1) return { start: text.length, end: -1 };
  let inQuotes = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) inQuotes = !inQuotes; // a doubled "" flips twice: still inside
    else if (!inQuotes && (c === 10 || c === 13)) return { start, end: i };
  }
  return { start, end: -1 };
}

type LineBreak = '\n' | '\r' | '\r\n';

function lineBreakAt(text: string, at: number): LineBreak {
  if (text[at] === '\r') return text[at + 1] === '\n' ? '\r\n' : '\r';
  return '\n';
}

/** Picks the candidate delimiter that occurs most often outside quotes in the header line (comma when none does). */
export function detectDelimiter(headerLine: string): Delimiter {
  const counts = new Map<string, number>();
  let inQuotes = false;
  for (const char of headerLine) {
    if (char === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (DELIMITERS as readonly string[]).includes(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best: Delimiter = ',';
  let bestCount = 0;
  for (const candidate of DELIMITERS) {
    const count = counts.get(candidate) ?? 0;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

function encodingFromBom(head: Uint8Array): string {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

function gunzip(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const inflate = createGunzip();
  // pipeline forwards a source error (connection lost) into the gunzip stream, which then throws.
  pipeline(Readable.from(source), inflate, () => {});
  return inflate;
}

/** Reads at least n bytes (or all, if fewer) and returns them plus a stream that replays everything. */
async function peekBytes(
  source: AsyncIterable<Uint8Array>,
  n: number,
): Promise<{ head: Uint8Array; stream: AsyncIterable<Uint8Array> }> {
  const iterator = source[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  let length = 0;
  let done = false;
  while (length < n) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    taken.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(taken).subarray(0, n);
  async function* replay(): AsyncGenerator<Uint8Array> {
    try {
      yield* taken;
      if (done) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      // A reader that stops early (bad header, abort) must release the source: for an S3 body,
      // that frees its pooled connection, of which the SDK has only 50.
      if (!done) await iterator.return?.();
    }
  }
  return { head, stream: replay() };
}
