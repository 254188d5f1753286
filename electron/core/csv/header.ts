// The header line: where it ends (outside quotes) and which delimiter it uses.
import { DELIMITERS } from '../../shared/delimiters';

export type Delimiter = (typeof DELIMITERS)[number];

// The header must end within this much text; beyond it the file is not a CSV we can read.
export const MAX_HEADER_CHARS = 4 * 1024 * 1024;
export const HEADER_QUOTE_NEVER_CLOSED =
  'A quoted field in the header (the first line) is never closed, so the file has no readable header. Check the quotes on line 1.';

export interface HeaderLine {
  /** Where the header starts (after any blank lines). */
  start: number;
  /** The first line break after it outside quotes, or -1 when the text does not have one yet. */
  end: number;
  /** With end -1: the text so far ends inside a quoted field. */
  inQuotes?: boolean;
}

/** Finds the header line, skipping blank lines and ignoring line breaks inside quoted header cells. */
export function locateHeaderLine(text: string): HeaderLine {
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
