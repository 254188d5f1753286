// Streams CSV rows out of raw object bytes: gunzip when the bytes say gzip, decode (BOM-aware),
// then the record parser (records.ts) driven chunk by chunk, so a file is never held whole.
// Each row keeps the line it starts on and can give back its raw text for the reject log.
// Hostile input is bounded: binary files are recognised before parsing, and one row may hold at
// most ROW_LIMITS (a quote that is never closed would otherwise hold the rest of the file in memory).
import { CsvFileError } from './csv-file-error';
import { createChunkDecoder, TextInspector, type CsvEncoding } from './decode';
import {
  detectDelimiter,
  HEADER_QUOTE_NEVER_CLOSED,
  locateHeaderLine,
  MAX_HEADER_CHARS,
  type Delimiter,
} from './header';
import { countLineBreaks } from './line-breaks';
import { NEVER_CLOSED, parseRecords } from './records';
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
  /** Rows that break the quote rule (index into rows -> reason). */
  malformed: Map<number, string>;
  /** The raw text of row i, as it stood in the file (without its line ending). */
  rawText(i: number): string;
}

export type CsvEvent = CsvHeader | CsvRows;

export interface CsvReadOptions {
  delimiter?: Delimiter;
  /** The encoding of a file without a byte order mark (UTF-8 when left out); a BOM always wins. */
  encoding?: CsvEncoding;
  /**
   * Receives each problem with the whole file that does not stop it (invalid UTF-8, NUL characters), once, at the
   * end.
   */
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
  let nextLine = 1;
  let columns: string[] | null = null;
  // While a row stays open across line breaks (a long quoted field), the parser is not asked again
  // until the pending text has doubled: re-parsing it on every chunk made such a file quadratic.
  let reparseAt = 0;
  let openRowLines = 0; // line breaks in pending while a row is open

  const emitRows = (input: string, final: boolean): CsvRows | null => {
    const batch = parseRecords(input, delimiter!, nextLine, final);
    pending = input.slice(batch.cursor);
    nextLine = batch.nextLine;
    const { rows, lines, starts, ends, malformed } = batch;
    for (const [i, reason] of malformed)
      if (reason === NEVER_CLOSED) malformed.set(i, neverClosedReason(input.slice(starts[i], ends[i]), lines[i]!));
    if (!columns) {
      // The first row of the file is the header.
      const headerRow = rows.shift();
      lines.shift();
      starts.shift();
      ends.shift();
      if (!headerRow) return null;
      const headerProblem = malformed.get(0);
      // A header quote that is never closed made the whole file one header row: say so, rather than
      // list the file's content as a column name.
      if (headerProblem?.includes('never closed')) throw new CsvFileError(HEADER_QUOTE_NEVER_CLOSED);
      if (headerProblem) throw new CsvFileError(`The header (the first line) is not readable: ${headerProblem}.`);
      columns = headerRow.map((name) => name.trim());
      shiftMalformed(malformed);
      headerEvent = { kind: 'header', columns, delimiter: delimiter!, encoding, gzipped };
    }
    // Without a line break after it, a row's raw text may still end in the file's last line breaks.
    const rawText = (i: number): string => input.slice(starts[i], ends[i]).replace(/[\r\n]+$/, '');
    return { kind: 'rows', rows, lines, malformed, rawText };
  };

  /** The line pending's first row starts on (after any blank lines). */
  const openRowLine = (): number => nextLine + countLineBreaks(/^[\r\n]*/.exec(pending)![0]);

  let headerEvent: CsvHeader | null = null;
  let delimiter: Delimiter | undefined = options.delimiter;
  let started = false;

  for await (const chunk of plain.stream) {
    const decoded = decoder.decode(chunk);
    const text = inspector.inspect(decoded, chunk, () => nextLine + countLineBreaks(pending));
    if (!text) continue;
    if (!started) {
      pending += text;
      const header = locateHeaderLine(pending);
      if (header.end === -1) {
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
      delimiter ??= detectDelimiter(pending.slice(header.start, header.end));
      const input = pending;
      pending = '';
      yield* flush(emitRows(input, false));
      continue;
    }
    pending += text;
    if (reparseAt > 0) openRowLines += countLineBreaks(text);
    const overLimit = pending.length > limits.maxRowChars || openRowLines >= limits.maxRowLines;
    // A row can only end at a line break: without one, just collect (keeps huge fields linear).
    if (!overLimit && (pending.length < reparseAt || !/[\r\n]/.test(text))) continue;
    const input = pending;
    pending = '';
    yield* flush(emitRows(input, false));
    if (pending.length === input.length) {
      // Nothing could be parsed: the first row is still open.
      if (overLimit)
        throw new CsvFileError(rowTooLongMessage(openRowLine(), pending.length > limits.maxRowChars, limits));
      if (reparseAt === 0) openRowLines = countLineBreaks(pending);
      reparseAt = pending.length * 2;
    } else {
      reparseAt = 0;
      openRowLines = 0;
    }
  }
  const tail = pending + inspector.inspect(decoder.end(), new Uint8Array(0), () => nextLine + countLineBreaks(pending));
  pending = '';
  inspector.finish();
  if (!started) {
    if (tail.trim() === '') return inspector.report(options.onWarning); // empty file
    const header = locateHeaderLine(tail);
    delimiter ??= detectDelimiter(tail.slice(header.start, header.end === -1 ? tail.length : header.end));
  }
  if (tail !== '') yield* flush(emitRows(tail, true));
  inspector.report(options.onWarning);

  function* flush(rows: CsvRows | null): Generator<CsvEvent> {
    if (headerEvent) {
      yield headerEvent;
      headerEvent = null;
    }
    if (rows && rows.rows.length > 0) yield rows;
  }
}

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

/** Where a quote that is never closed starts, and which lines it swallowed up to the end of the file. */
function neverClosedReason(raw: string, startLine: number): string {
  // Line breaks at the very end of the file close no line of their own.
  const breaks = countLineBreaks(raw.replace(/[\r\n]+$/, ''));
  if (breaks <= 0)
    return `a quoted field that opens on line ${startLine} is never closed (it is the last line of the file): the row was not imported`;
  const lastLine = startLine + breaks;
  return (
    `a quoted field that opens on line ${startLine} is never closed: it swallowed the ${breaks + 1} lines ${startLine}–${lastLine} up to the end of the file, ` +
    `which were read as one value and not imported (check the quotes on line ${startLine})`
  );
}

function shiftMalformed(malformed: Map<number, string>): void {
  const shifted = [...malformed].filter(([i]) => i > 0).map(([i, reason]) => [i - 1, reason] as const);
  malformed.clear();
  for (const [i, reason] of shifted) malformed.set(i, reason);
}
