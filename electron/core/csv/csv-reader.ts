// Streams CSV rows out of raw object bytes: gunzip when the bytes say gzip, decode (BOM-aware),
// then papaparse's RFC 4180 parser driven chunk by chunk, so a file is never held whole.
// Each row keeps the line it starts on and can give back its raw text for the reject log.
// Hostile input is bounded: binary files are recognised before parsing, and one row may hold at
// most ROW_LIMITS (a quote that is never closed would otherwise hold the rest of the file in memory).
import { isAscii } from 'node:buffer';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import Papa from 'papaparse';
import { DELIMITERS, type ENCODINGS } from '../../shared/delimiters';

export type Delimiter = (typeof DELIMITERS)[number];
export type CsvEncoding = (typeof ENCODINGS)[number];

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
  /**
   * Receives each problem with the whole file that does not stop it (invalid UTF-8, NUL characters), once, at the end.
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

/** A file that cannot be read as CSV at all (as opposed to single bad rows). */
export class CsvFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvFileError';
  }
}

const GZIP_MAGIC = [0x1f, 0x8b];
/** Enough leading bytes to recognise the common binary formats (gzip, PNG, ZIP, ...). */
const MAGIC_BYTES = 8;
// The header must end within this much text; beyond it the file is not a CSV we can read.
const MAX_HEADER_CHARS = 4 * 1024 * 1024;
const HEADER_QUOTE_NEVER_CLOSED =
  'A quoted field in the header (the first line) is never closed, so the file has no readable header. Check the quotes on line 1.';

export async function* readCsv(
  source: AsyncIterable<Uint8Array>,
  options: CsvReadOptions = {},
): AsyncGenerator<CsvEvent> {
  const limits: RowLimits = { ...ROW_LIMITS, ...options.limits };
  const bytes = await peekBytes(source, MAGIC_BYTES);
  const gzipped = bytes.head[0] === GZIP_MAGIC[0] && bytes.head[1] === GZIP_MAGIC[1];
  const plain = gzipped ? await peekBytes(gunzip(bytes.stream), MAGIC_BYTES) : bytes;
  const binary = describeBinaryFormat(plain.head);
  if (binary) throw new CsvFileError(`This does not look like a CSV file: it starts like ${binary}.`);
  // A byte order mark is unambiguous (no CSV in another encoding starts with those bytes), so it
  // wins over the configured encoding.
  const encoding = encodingFromBom(plain.head) ?? options.encoding ?? 'utf-8';
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
  /** With end -1: the text so far ends inside a quoted field. */
  inQuotes?: boolean;
}

/** Finds the header line, skipping blank lines and ignoring line breaks inside quoted header cells. */
function locateHeaderLine(text: string): HeaderLine {
  const start = text.search(/[^\r\n]/);
  if (start === -1) return { start: text.length, end: -1 };
  let inQuotes = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */)
      inQuotes = !inQuotes; // a doubled "" flips twice: still inside
    else if (!inQuotes && (c === 10 || c === 13)) return { start, end: i };
  }
  return { start, end: -1, inQuotes };
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
    else if (!inQuotes && (DELIMITERS as readonly string[]).includes(char))
      counts.set(char, (counts.get(char) ?? 0) + 1);
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

function encodingFromBom(head: Uint8Array): string | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return undefined;
}

const startsWith = (head: Uint8Array, magic: readonly number[]): boolean => magic.every((byte, i) => head[i] === byte);

/** Names the binary format a file's first bytes belong to, for the formats people mistake for CSV exports. */
export function describeBinaryFormat(head: Uint8Array): string | null {
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
    return 'a ZIP archive (an Excel .xlsx workbook is one)';
  }
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))
    return 'an Excel .xls workbook (or another old Microsoft Office file)';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'a PNG image';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'a JPEG image';
  if (startsWith(head, [0x47, 0x49, 0x46, 0x38])) return 'a GIF image';
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'a PDF document';
  if (startsWith(head, [0x50, 0x41, 0x52, 0x31])) return 'a Parquet file';
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return 'a 7-Zip archive';
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'an xz archive';
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return 'a Zstandard archive';
  if (
    startsWith(head, [0x42, 0x5a, 0x68]) &&
    head[3]! >= 0x31 &&
    head[3]! <= 0x39 &&
    head[4] === 0x31 &&
    head[5] === 0x41
  )
    return 'a bzip2 archive';
  return null;
}

/** Line breaks in text: the file's line break once known, else LF (or CR in a file without LF). */
function countLineBreaks(text: string, newline: LineBreak | undefined): number {
  const char = newline ? newline[newline.length - 1]! : text.includes('\n') || !text.includes('\r') ? '\n' : '\r';
  return countChar(text, char, 0, text.length);
}

// Characters that never appear in text: C0 controls other than tab, LF, CR (and NUL, counted apart), and DEL.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
// The text looked at to tell binary data from text, and the least of it looked at before the first rows.
const SNIFF_CHARS = 65536;
const SNIFF_MIN_CHARS = 4096;
const SNIFF_MIN_JUDGED = 512;

/**
 * Looks at the decoded text as it passes: tells binary data from text in the first characters,
 * counts invalid UTF-8 sequences (the decoder writes U+FFFD for each) and removes NUL characters,
 * remembering the line of the first of each for the file's warnings.
 */
class TextInspector {
  private sample = '';
  private sniffed = false;
  private invalid = 0;
  private firstInvalidLine = 0;
  private nuls = 0;
  private firstNulLine = 0;
  /** The last two bytes of the previous chunk: a literal U+FFFD (EF BF BD) may straddle chunks. */
  private previousTail: Uint8Array = new Uint8Array(0);

  constructor(private readonly encoding: string) {}

  /** Returns the text to parse (without NULs); lineAtStart gives the line the text starts on. */
  inspect(text: string, chunk: Uint8Array, lineAtStart: () => number): string {
    if (!this.sniffed) {
      this.sample += text.slice(0, SNIFF_CHARS - this.sample.length);
      if (this.sample.length >= SNIFF_MIN_CHARS) this.sniff();
    }
    if (this.encoding === 'utf-8') {
      const replacements = text.indexOf('\uFFFD') === -1 ? 0 : countChar(text, '\uFFFD', 0, text.length);
      // A U+FFFD the file itself holds (its bytes EF BF BD) is text, not an invalid sequence.
      const invalid = replacements === 0 ? 0 : replacements - countReplacementBytes(this.previousTail, chunk);
      if (invalid > 0) {
        if (this.invalid === 0)
          this.firstInvalidLine = lineAtStart() + countLineBreaks(text.slice(0, text.indexOf('\uFFFD')), undefined);
        this.invalid += invalid;
      }
      if (chunk.length > 0)
        this.previousTail =
          chunk.length >= 2
            ? chunk.subarray(chunk.length - 2)
            : Uint8Array.from([...this.previousTail, ...chunk].slice(-2));
    }
    const nul = text.indexOf('\u0000');
    if (nul === -1) return text;
    // SQLite stores a NUL inside TEXT, but its shell, most drivers and C strings cut the value there:
    // a NUL in a CSV is padding or damage, so it is removed (and reported).
    if (this.nuls === 0) this.firstNulLine = lineAtStart() + countLineBreaks(text.slice(0, nul), undefined);
    const cleaned = text.replaceAll('\u0000', '');
    this.nuls += text.length - cleaned.length;
    return cleaned;
  }

  /** Decides about binary data now, if the start of the file has not been judged yet. */
  sniff(): void {
    if (this.sniffed) return;
    this.sniffed = true;
    const sample = this.sample;
    this.sample = '';
    if (sample.length === 0) return;
    let nulsEven = 0;
    let nulsOdd = 0;
    for (let at = sample.indexOf('\u0000'); at !== -1; at = sample.indexOf('\u0000', at + 1)) {
      if (at % 2 === 0) nulsEven++;
      else nulsOdd++;
    }
    // UTF-16 puts its NULs at every other byte, all on one side; a run of NULs (padding) fills both.
    const alternating =
      Math.max(nulsEven, nulsOdd) > sample.length * 0.3 &&
      Math.min(nulsEven, nulsOdd) < Math.max(nulsEven, nulsOdd) * 0.1;
    if (this.encoding !== 'utf-16le' && alternating) {
      throw new CsvFileError(
        'This does not look like a CSV file: every other byte of it is a NUL, as in UTF-16 text without a byte order mark. ' +
          "If it is UTF-16 text, set this object type's encoding to utf-16le.",
      );
    }
    const controls = sample.match(CONTROL)?.length ?? 0;
    const replacements = this.encoding === 'utf-8' ? countChar(sample, '\uFFFD', 0, sample.length) : 0;
    // A few odd characters in a short file are not evidence: judge by shares only on a real sample.
    if (sample.length >= SNIFF_MIN_JUDGED && (controls > sample.length * 0.05 || replacements > sample.length * 0.25)) {
      throw new CsvFileError(
        `This does not look like a CSV file: its first characters are full of control characters or invalid ${this.encoding}, as in binary data. ` +
          'Check that the file pattern matches only CSV exports.',
      );
    }
  }

  /** The end of the file: judge a short file now. */
  finish(): void {
    this.sniff();
  }

  report(onWarning: ((message: string) => void) | undefined): void {
    if (!onWarning) return;
    if (this.invalid > 0) {
      onWarning(
        `${plural(this.invalid, 'invalid UTF-8 sequence')}, first on line ${this.firstInvalidLine}, ${this.invalid === 1 ? 'was' : 'were'} replaced by "\uFFFD". ` +
          "If this file comes from an older tool, set this object type's encoding to windows-1252.",
      );
    }
    if (this.nuls > 0) {
      onWarning(
        `${plural(this.nuls, 'NUL character')}, first on line ${this.firstNulLine}, ${this.nuls === 1 ? 'was' : 'were'} removed from the values (SQLite tools cut text at a NUL).`,
      );
    }
  }
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

/** Occurrences of U+FFFD's UTF-8 bytes (EF BF BD) that end in chunk (they may start in the previous chunk's tail). */
function countReplacementBytes(previousTail: Uint8Array, chunk: Uint8Array): number {
  const bytes = Buffer.concat([previousTail, chunk]);
  let count = 0;
  for (let at = bytes.indexOf(0xef); at !== -1 && at + 2 < bytes.length; at = bytes.indexOf(0xef, at + 1)) {
    if (bytes[at + 1] === 0xbf && bytes[at + 2] === 0xbd) count++;
  }
  return count;
}

/**
 * A streaming TextDecoder (which strips a BOM itself), with a fast path for the common case: as long
 * as every chunk so far has been ASCII, a chunk of ASCII bytes is its own text in UTF-8 and in
 * windows-1252, and Buffer's latin1 conversion makes it several times faster than the decoder
 * (measured: ~0.06 s less CPU per million rows). The first chunk that is not ASCII hands over to a
 * TextDecoder for the rest of the file; if text went before it, that decoder is past the start of
 * the file and must keep a BOM as text, as the one decoder for the whole file did.
 */
export function createChunkDecoder(encoding: string): { decode(chunk: Uint8Array): string; end(): string } {
  let decoder = encoding === 'utf-8' || encoding === 'windows-1252' ? null : new TextDecoder(encoding);
  let decodedAny = false;
  return {
    decode(chunk) {
      if (decoder === null) {
        if (isAscii(chunk)) {
          if (chunk.length > 0) decodedAny = true;
          return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
        }
        decoder = new TextDecoder(encoding, { ignoreBOM: decodedAny });
      }
      return decoder.decode(chunk, { stream: true });
    },
    end() {
      return decoder === null ? '' : decoder.decode();
    },
  };
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
