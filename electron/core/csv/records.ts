// The CSV record grammar, one rule for every file and every chunking (docs/csv-reading-rules.md):
// a field that starts with a quote ends at its closing quote, which must be followed by the
// delimiter, a line break or the end of the file. Anything else there makes the row malformed: it is
// read on to the end of its line (as Python's csv module reads it) and flagged, never silently
// repaired, so the next row starts on its own line. LF, CRLF and a lone CR each end a line.

import { countLineBreaks } from './line-breaks';

const QUOTE = 34; // "
const LF = 10;
const CR = 13;
const END = -1;

/** The character code at, or END past the end (reading past a string's end makes V8 deoptimize). */
const codeAt = (input: string, at: number): number => (at < input.length ? input.charCodeAt(at) : END);

export interface ParsedRecords {
  rows: string[][];
  /** The line each row starts on. */
  lines: number[];
  /** Where each row's text starts and ends in the input (the end is before its line break). */
  starts: number[];
  ends: number[];
  /** Rows that broke the quote rule (index into rows -> reason). */
  malformed: Map<number, string>;
  /** Where the input's complete rows end: the rest waits for more text (all of it when final). */
  cursor: number;
  /** The line the text at cursor starts on. */
  nextLine: number;
}

/** A quote that is never closed, up to the end of the file: rows.ts words the reason (it knows the lines). */
export const NEVER_CLOSED = 'never-closed';

/**
 * Reads the complete rows in input. Unless final, a row that may still go on (no line break yet,
 * an open quote, a CR that may be the start of CRLF) is left for the next call. Blank lines are
 * skipped but counted.
 */
export function parseRecords(input: string, delimiter: string, firstLine: number, final: boolean): ParsedRecords {
  const result: ParsedRecords = {
    rows: [],
    lines: [],
    starts: [],
    ends: [],
    malformed: new Map(),
    cursor: 0,
    nextLine: firstLine,
  };
  const length = input.length;
  const delimiterCode = delimiter.charCodeAt(0);
  let pos = 0;
  let line = firstLine;
  const breaks = new LineBreakFinder(input);
  const delimiters = new NextChar(input, delimiter);

  rows: while (pos < length) {
    const rowStart = pos;
    const first = input.charCodeAt(pos);
    if (first === LF || first === CR) {
      if (first === CR && pos + 1 === length && !final) break; // CR or CRLF: not known yet
      pos += first === CR && codeAt(input, pos + 1) === LF ? 2 : 1;
      line++;
      result.cursor = pos;
      continue; // blank line
    }
    const row: string[] = [];
    let lineEnd = breaks.after(pos); // where unquoted fields stop; moves on after a quoted field
    let breaksInRow = 0;
    let problem: string | undefined;
    for (;;) {
      let value: string;
      if (codeAt(input, pos) === QUOTE) {
        value = '';
        let segment = pos + 1;
        for (;;) {
          const quote = input.indexOf('"', segment);
          if (quote === -1 || (quote + 1 === length && !final)) {
            if (!final) break rows; // the closing quote (or a doubled one) may come with the next text
            value += input.slice(segment);
            breaksInRow += countLineBreaks(input, segment, length);
            problem ??= NEVER_CLOSED;
            pos = length;
            break;
          }
          if (lineEnd < quote) {
            // Line breaks inside the value (rare): counted with the finder, which never scans twice.
            breaksInRow += breaks.countBefore(lineEnd, quote);
            lineEnd = breaks.after(quote);
          }
          if (codeAt(input, quote + 1) === QUOTE) {
            value += input.slice(segment, quote + 1);
            segment = quote + 2;
            continue;
          }
          value += input.slice(segment, quote);
          pos = quote + 1;
          if (pos > lineEnd) lineEnd = breaks.after(pos);
          break;
        }
        const after = codeAt(input, pos);
        if (after !== END && after !== delimiterCode && after !== LF && after !== CR) {
          // Text after the closing quote: read on to the end of the field, as an unquoted field.
          lineEnd = breaks.after(pos);
          const end = fieldEnd(delimiters, pos, lineEnd);
          if (end === length && !final) break rows;
          problem ??= textAfterClosingQuote(input.slice(pos, end), row.length + 1);
          value += input.slice(pos, end);
          pos = end;
        }
      } else {
        const end = fieldEnd(delimiters, pos, lineEnd);
        if (end === length && !final) break rows;
        value = input.slice(pos, end);
        pos = end;
      }
      row.push(value);
      const next = codeAt(input, pos);
      if (next === delimiterCode) {
        pos++;
        continue;
      }
      // The end of the row: a line break or the end of the file.
      const rowEnd = pos;
      if (next === CR) {
        if (pos + 1 === length && !final) break rows;
        pos += codeAt(input, pos + 1) === LF ? 2 : 1;
      } else if (next === LF) pos++;
      if (problem) result.malformed.set(result.rows.length, problem);
      result.rows.push(row);
      result.lines.push(line);
      result.starts.push(rowStart);
      result.ends.push(rowEnd);
      line += breaksInRow + (rowEnd < pos ? 1 : 0);
      result.cursor = pos;
      break;
    }
  }
  if (final) result.cursor = length;
  result.nextLine = line;
  return result;
}

/**
 * Finds the next line break (LF or CR) at or after a position, remembering the next of each: a file
 * without CRs is searched for one once, not once per row or quoted field (which made reading a file of
 * quoted fields quadratic in the chunk's length).
 */
class LineBreakFinder {
  private lf = -2;
  private cr = -2;
  constructor(private readonly input: string) {}

  after(from: number): number {
    if (this.lf !== -1 && this.lf < from) this.lf = this.input.indexOf('\n', from);
    if (this.cr !== -1 && this.cr < from) this.cr = this.input.indexOf('\r', from);
    if (this.lf === -1) return this.cr === -1 ? this.input.length : this.cr;
    return this.cr === -1 || this.lf < this.cr ? this.lf : this.cr;
  }

  /** Line breaks from the one at first (found by after) up to end, CRLF counting one, as countLineBreaks counts. */
  countBefore(first: number, end: number): number {
    let count = 0;
    for (let at = first; at < end; at = this.after(at + 1)) {
      count++;
      if (this.input.charCodeAt(at) === CR && this.input.charCodeAt(at + 1) === LF) at++;
    }
    return count;
  }
}

/**
 * The next occurrence of one character at or after a position, remembered: the last field of a row
 * finds the next row's delimiter, which serves that row's fields, and a file with one column searches
 * its input for a delimiter once, not once per row.
 */
class NextChar {
  private at = -2;
  constructor(
    private readonly input: string,
    private readonly char: string,
  ) {}

  /** The position, or the input's length when there is none. */
  after(from: number): number {
    if (this.at < from) {
      this.at = this.input.indexOf(this.char, from);
      if (this.at === -1) this.at = this.input.length;
    }
    return this.at;
  }
}

/** Where an unquoted field ends: the next delimiter, or the line break (or end) given. */
function fieldEnd(delimiters: NextChar, from: number, lineEnd: number): number {
  const delimiterAt = delimiters.after(from);
  return delimiterAt < lineEnd ? delimiterAt : lineEnd;
}

const SHOWN_CHARS = 20;

/** Names what follows the closing quote in a column and how to write the value instead. */
function textAfterClosingQuote(text: string, column: number): string {
  const rule = 'a quoted field must end at its closing quote';
  if (/^[ \t]+$/.test(text)) {
    const what = text === ' ' ? 'a space' : text === '\t' ? 'a tab' : 'spaces';
    return `${what} after the closing quote in column ${column}: ${rule}; move ${text === ' ' || text === '\t' ? 'it' : 'them'} inside the quotes, or remove ${text === ' ' || text === '\t' ? 'it' : 'them'}`;
  }
  const shown = text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text;
  return (
    `text after the closing quote in column ${column} (${JSON.stringify(shown)}): ${rule}; ` +
    'quote the whole value and double each quote inside it, as in "say ""hi"" now"'
  );
}
