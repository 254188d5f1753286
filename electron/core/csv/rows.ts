// Streams CSV rows out of raw object bytes: gunzip when the bytes say gzip, decode (BOM-aware),
// then papaparse's RFC 4180 parser driven chunk by chunk, so a file is never held whole.
// Each row keeps the line it starts on and can give back its raw text for the reject log.
// Hostile input is bounded: binary files are recognised before parsing, and one row may hold at
// most ROW_LIMITS (a quote that is never closed would otherwise hold the rest of the file in memory).
import Papa from 'papaparse';
import { CsvFileError } from './csv-file-error';
import { createChunkDecoder, TextInspector, type CsvEncoding } from './decode';
import {
  detectDelimiter,
  HEADER_QUOTE_NEVER_CLOSED,
  locateHeaderLine,
  MAX_HEADER_CHARS,
  type Delimiter,
  type HeaderLine,
} from './header';
import { countChar, countLineBreaks, lineBreakAt, type LineBreak } from './line-breaks';
import { openPlainBytes } from './sniff';

export { CsvFileError } from './csv-file-error';
export type { CsvEncoding } from './decode';
export type { Delimiter } from './header';

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
  /** The encoding of a file without a byte order mark (UTF-8 when left out); a BOM always wins. */
  encoding?: CsvEncoding;
  /** Receives each problem with the whole file that does not stop it (invalid UTF-8, NUL characters), once, at the end. */
  onWarning?: (message: string) => void;
  /** Tests lower the row limits to reach them with small files. */
  limits?: Partial<RowLimits>;
}

export interface RowLimits {
  /** Characters one row may hold. */
  maxRowChars: number;
  /** Lines one row may span (through line breaks inside quoted fields). */
  maxRowLines: number;
}

/**
 * One row may hold at most 16 M characters and span at most 50,000 lines. Beyond that it is almost
 * surely a quote that is never closed, which would make the parser hold (and re-read) the rest of
 * the file: the file fails with a message naming the line the row starts on. 16 MB leaves room for
 * big legitimate values (a 5 MB field imports); no export writes a 50,000-line value.
 */
export const ROW_LIMITS: RowLimits = { maxRowChars: 16 * 1024 * 1024, maxRowLines: 50_000 };

export async function* readCsv(
  source: AsyncIterable<Uint8Array>,
  options: CsvReadOptions = {},
): AsyncGenerator<CsvEvent> {
  const limits: RowLimits = { ...ROW_LIMITS, ...options.limits };
  const plain = await openPlainBytes(source);
  const gzipped = plain.gzipped;
  // A byte order mark is unambiguous (no CSV in another encoding starts with those bytes), so it
  // wins over the configured encoding.
  const encoding = plain.bomEncoding ?? options.encoding ?? 'utf-8';
  const decoder = createChunkDecoder(encoding);
  const inspector = new TextInspector(encoding);

  let pending = ''; // text after the last complete row, carried into the next parse
  let parser: Papa.Parser | null = null;
  let newline: LineBreak = '\n';
  let nextLine = 1;
  let columns: string[] | null = null;
  // While a row stays open across line breaks (a long quoted field), the parser is not asked again
  // until the pending text has doubled: re-parsing it on every chunk made such a file quadratic.
  let reparseAt = 0;
  let openRowLines = 0; // line breaks in pending while a row is open

  const emitRows = (input: string, final: boolean): CsvRows | null => {
    const result = parser!.parse(input, 0, !final) as PapaResult;
    const consumed = final ? input.length : result.meta.cursor;
    pending = input.slice(consumed);
    const malformed = new Map<number, string>();
    for (const error of result.errors) {
      if (error.row === undefined) continue;
      malformed.set(error.row, error.code === 'MissingQuotes' ? NEVER_CLOSED : MALFORMED_QUOTE);
    }
    const batch = buildBatch(result.data, input, consumed, nextLine, newline, malformed, final);
    nextLine = batch.nextLine;
    if (!columns) {
      // The first row of the file is the header.
      const headerRow = batch.rows.rows.shift();
      batch.rows.lines.shift();
      if (!headerRow) return null;
      // A header quote that is never closed made the whole file one header row: say so, rather than
      // list the file's content as a column name.
      if (batch.rows.malformed.get(0)?.includes('never closed')) throw new CsvFileError(HEADER_QUOTE_NEVER_CLOSED);
      columns = headerRow.map((name) => name.trim());
      shiftMalformed(batch.rows.malformed);
      headerEvent = { kind: 'header', columns, delimiter: delimiter!, encoding, gzipped };
    }
    return batch.rows;
  };

  /** The line pending's first row starts on (after any blank lines). */
  const openRowLine = (): number =>
    nextLine + countChar(/^[\r\n]*/.exec(pending)![0], newline === '\r' ? '\r' : '\n', 0, Infinity);

  let headerEvent: CsvHeader | null = null;
  let delimiter: Delimiter | undefined = options.delimiter;
  let started = false;

  for await (const chunk of plain.stream) {
    const decoded = decoder.decode(chunk);
    const text = inspector.inspect(
      decoded,
      chunk,
      () => nextLine + countLineBreaks(pending, started ? newline : undefined),
    );
    if (!text) continue;
    if (!started) {
      pending += text;
      const header = locateHeaderLine(pending);
      // Wait until the header line has ended and one more character shows whether its break is CR or CRLF.
      if (header.end === -1 || header.end === pending.length - 1) {
        if (pending.length > MAX_HEADER_CHARS) {
          // Line breaks inside an open quote: the same mistake as in a short file, named the same way.
          if (header.inQuotes && /[\r\n]/.test(pending.slice(header.start)))
            throw new CsvFileError(HEADER_QUOTE_NEVER_CLOSED);
          throw new CsvFileError('The first line is longer than 4 MB: this does not look like a CSV file.');
        }
        continue;
      }
      inspector.sniff(); // judge binary data before the first event, however short the start
      started = true;
      startParser(pending, header);
      const input = pending;
      pending = '';
      yield* flush(emitRows(input, false));
      continue;
    }
    const newlineChar = newline[newline.length - 1]!;
    pending += text;
    if (reparseAt > 0) openRowLines += countChar(text, newlineChar, 0, text.length);
    const overLimit = pending.length > limits.maxRowChars || openRowLines >= limits.maxRowLines;
    // A row can only end at a line break: without one, just collect (keeps huge fields linear).
    if (!overLimit && (pending.length < reparseAt || text.indexOf(newlineChar) === -1)) continue;
    const input = pending;
    pending = '';
    yield* flush(emitRows(input, false));
    if (pending.length === input.length) {
      // Nothing could be parsed: the first row is still open.
      if (overLimit)
        throw new CsvFileError(rowTooLongMessage(openRowLine(), pending.length > limits.maxRowChars, limits));
      if (reparseAt === 0) openRowLines = countChar(pending, newlineChar, 0, pending.length);
      reparseAt = pending.length * 2;
    } else {
      reparseAt = 0;
      openRowLines = 0;
    }
  }
  const tail =
    pending +
    inspector.inspect(
      decoder.end(),
      new Uint8Array(0),
      () => nextLine + countLineBreaks(pending, started ? newline : undefined),
    );
  pending = '';
  inspector.finish();
  if (!started) {
    if (tail.trim() === '') return inspector.report(options.onWarning); // empty file
    startParser(tail, locateHeaderLine(tail));
  }
  if (tail !== '') yield* flush(emitRows(tail, true));
  inspector.report(options.onWarning);

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

const NEVER_CLOSED = 'never-closed';
const MALFORMED_QUOTE =
  'a quoted field is malformed (a closing quote must be followed by the delimiter or the end of the line)';

/** Says which limit the open row passed (not how far: that depends on how the bytes arrived). */
function rowTooLongMessage(line: number, tooLong: boolean, limits: RowLimits): string {
  const lines = limits.maxRowLines.toLocaleString('en-US');
  const megabytes = `${Math.round(limits.maxRowChars / (1024 * 1024))} MB`;
  return (
    `The row that starts on line ${line} is still not complete after ${tooLong ? megabytes : `${lines} lines`}: ` +
    `one row may span at most ${lines} lines and ${megabytes}, so a quoted field in it is probably never closed. ` +
    `Nothing of this file was imported; check the quotes on line ${line}.`
  );
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
  final: boolean,
): { rows: CsvRows; nextLine: number } {
  const newlineChar = newline === '\r' ? '\r' : '\n';
  const rows: string[][] = [];
  const lines: number[] = [];
  const malformed = new Map<number, string>();
  // When the consumed text has exactly one line break per row, no field spans lines: lines are sequential.
  // The last row of the final parse has no line break of its own (after a trailing line break it is
  // an empty row): without this, one line break inside a field made up for it, and later rows got
  // the wrong line.
  const rowsWithBreak = final ? parsed.length - 1 : parsed.length;
  const simple = countChar(input, newlineChar, 0, consumed) === rowsWithBreak;
  let line = firstLine;
  for (let i = 0; i < parsed.length; i++) {
    const row = parsed[i]!;
    const startLine = line;
    line += 1;
    if (!simple) for (const field of row) line += countChar(field, newlineChar, 0, field.length);
    if (row.length === 1 && row[0] === '') continue; // blank line
    const reason = papaMalformed.get(i);
    if (reason)
      malformed.set(rows.length, reason === NEVER_CLOSED ? neverClosedReason(row, startLine, newlineChar) : reason);
    rows.push(row);
    lines.push(startLine);
  }
  const rawText = (i: number): string =>
    rawTextOfLines(input, consumed, firstLine, lines[i]!, lines[i + 1], newlineChar);
  return { rows: { kind: 'rows', rows, lines, malformed, rawText }, nextLine: line };
}

/** Where a quote that is never closed starts, and which lines it swallowed up to the end of the file. */
function neverClosedReason(row: string[], startLine: number, newlineChar: string): string {
  let breaks = 0;
  for (const field of row) breaks += countChar(field, newlineChar, 0, field.length);
  // Line breaks at the very end of the file close no line of their own.
  const last = row[row.length - 1] ?? '';
  breaks -= countChar(/[\r\n]*$/.exec(last)![0], newlineChar, 0, Infinity);
  if (breaks <= 0)
    return `a quoted field that opens on line ${startLine} is never closed (it is the last line of the file): the row was not imported`;
  const lastLine = startLine + breaks;
  return (
    `a quoted field that opens on line ${startLine} is never closed: it swallowed the ${breaks + 1} lines ${startLine}–${lastLine} up to the end of the file, ` +
    `which were read as one value and not imported (check the quotes on line ${startLine})`
  );
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
