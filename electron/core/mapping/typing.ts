// How CSV cells become typed trait and property values, and how timestamps are read,
// following Vitally's S3/CSV rules.

export type TraitValue = string | number | boolean | null | unknown[];

// A plain decimal: optional minus, no leading zeros (so "00501" stays a zip code), optional fraction.
const PLAIN_DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/**
 * Types one cell. Returns undefined for an empty cell, which means "not set": an update keeps the
 * stored value.
 */
export function typeTraitValue(cell: string): TraitValue | undefined {
  if (cell === '') return undefined;
  if (cell === 'null') return null;
  const lower = cell.length <= 5 ? cell.toLowerCase() : '';
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (PLAIN_DECIMAL.test(cell)) {
    const value = Number(cell);
    // Integers beyond 2^53 would silently lose digits (IDs, card numbers): keep them as text.
    if (Number.isSafeInteger(Math.trunc(value)) && Number.isFinite(value)) return value;
    return cell;
  }
  if (cell.charCodeAt(0) === 91 /* [ */ && cell.charCodeAt(cell.length - 1) === 93 /* ] */) {
    try {
      const parsed: unknown = JSON.parse(cell);
      if (Array.isArray(parsed)) return parsed as unknown[];
    } catch {
      // Not JSON after all: an ordinary string that happens to be bracketed.
    }
  }
  return cell;
}

/**
 * The JSON text of a cell's typed value, exactly JSON.stringify(typeTraitValue(cell)), without
 * building the value: undefined for an empty cell (not set), null for an explicit null. This runs
 * for every trait cell of every row, so the common cases avoid allocation and regular expressions.
 */
export function traitValueJson(cell: string): string | null | undefined {
  const length = cell.length;
  if (length === 0) return undefined;
  const first = cell.charCodeAt(0);
  if (length <= 5) {
    if (cell === 'null') return null;
    if ((length === 4 || length === 5) && (first | 0x20) === (length === 4 ? 116 /* t */ : 102) /* f */) {
      const lower = cell.toLowerCase();
      if (lower === 'true' || lower === 'false') return lower;
    }
  }
  if ((first >= 48 && first <= 57) || first === 45 /* - */) {
    const canonical = plainIntegerText(cell);
    if (canonical) return cell;
    if (PLAIN_DECIMAL.test(cell)) {
      const value = Number(cell);
      // Integers beyond 2^53 would silently lose digits (IDs, card numbers): keep them as text.
      if (Number.isSafeInteger(Math.trunc(value)) && Number.isFinite(value)) return String(value);
    }
    return stringJson(cell);
  }
  if (first === 91 /* [ */ && cell.charCodeAt(length - 1) === 93 /* ] */) {
    const value = typeTraitValue(cell);
    return typeof value === 'string' ? stringJson(value) : JSON.stringify(value);
  }
  return stringJson(cell);
}

/** True when the cell is an integer whose own text is its JSON (no leading zero, no -0, at most 15 digits). */
function plainIntegerText(cell: string): boolean {
  let i = cell.charCodeAt(0) === 45 ? 1 : 0;
  const digits = cell.length - i;
  if (digits === 0 || digits > 15) return false;
  const lead = cell.charCodeAt(i);
  if (lead === 48 /* 0 */) return digits === 1 && i === 0;
  for (; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** JSON.stringify(text), with the common case of nothing to escape done by concatenation. */
export function stringJson(text: string): string {
  return needsNoEscape(text) ? `"${text}"` : JSON.stringify(text);
}

/**
 * True when JSON.stringify writes the text as it is between quotes: no quote, backslash, control
 * character or surrogate (a lone one is escaped; a pair is left to JSON.stringify too). A loop
 * over the characters: cheaper than a regular expression for the short cells it sees.
 */
function needsNoEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

// Date, then optionally T or space and a time with optional fraction, then an optional zone.
const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const EPOCH_NUMBER = /^-?\d+(?:\.\d+)?$/;
// Epoch values below this are seconds (up to the year 5138); above, milliseconds.
const EPOCH_SECONDS_LIMIT = 100_000_000_000;
// Keep to the range JavaScript dates (and ISO strings without an expanded year) can represent.
const MAX_EPOCH_MS = 253402300799999; // 9999-12-31T23:59:59.999Z

/**
 * Reads an ISO 8601 date or date-time (no zone = UTC) or an epoch number, and returns the
 * instant as a UTC ISO string with milliseconds, or null when it cannot be read.
 */
export function parseTimestamp(text: string): string | null {
  // Most exports already write the canonical form (what toISOString gives): it is its own answer.
  if (text.length === 24 && isCanonicalUtc(text)) return text;
  return parseTimestampInGeneral(text);
}

/** parseTimestamp without its fast path for the canonical form (exported for the test that compares the two). */
export function parseTimestampInGeneral(text: string): string | null {
  const cell = text.trim();
  if (cell === '') return null;
  if (EPOCH_NUMBER.test(cell)) {
    const value = Number(cell);
    const ms = Math.abs(value) < EPOCH_SECONDS_LIMIT ? value * 1000 : value;
    if (!Number.isFinite(ms) || Math.abs(ms) > MAX_EPOCH_MS) return null;
    return new Date(Math.round(ms)).toISOString();
  }
  const match = ISO_TIMESTAMP.exec(cell);
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = match;
  const year = Number(y),
    month = Number(mo),
    day = Number(d);
  const hour = Number(h),
    minute = Number(mi),
    second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear sets them as written. (The whole date at
  // once: 0000-02-29 exists, 1900-02-29 does not, and went over to March 1 before the year was put back.)
  if (year < 100) {
    const date = new Date(ms);
    date.setUTCFullYear(year, month - 1, day);
    ms = date.getTime();
  }
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMinutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (offsetHours > 23 || offsetMinutes > 59) return null;
    ms -= sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  if (Math.abs(ms) > MAX_EPOCH_MS) return null;
  return new Date(ms).toISOString();
}

/** YYYY-MM-DDTHH:MM:SS.mmmZ with a real date and time: exactly what new Date(...).toISOString() writes. */
function isCanonicalUtc(t: string): boolean {
  if (
    t.charCodeAt(4) !== 45 ||
    t.charCodeAt(7) !== 45 ||
    t.charCodeAt(10) !== 84 /* T */ ||
    t.charCodeAt(13) !== 58 ||
    t.charCodeAt(16) !== 58
  )
    return false;
  if (t.charCodeAt(19) !== 46 /* . */ || t.charCodeAt(23) !== 90 /* Z */) return false;
  // Every timestamp of every row comes here: two digits at a time, no loop.
  const century = twoDigitsAt(t, 0),
    yearOfCentury = twoDigitsAt(t, 2),
    month = twoDigitsAt(t, 5),
    day = twoDigitsAt(t, 8);
  const hour = twoDigitsAt(t, 11),
    minute = twoDigitsAt(t, 14),
    second = twoDigitsAt(t, 17),
    millis = twoDigitsAt(t, 20);
  if (century < 0 || yearOfCentury < 0 || millis < 0 || !isDigit(t.charCodeAt(22))) return false;
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  )
    return false;
  return day <= 28 || day <= daysInMonth(century * 100 + yearOfCentury, month);
}

/** The number written by the two ASCII digits at `at`, or -1 when either is not a digit. */
function twoDigitsAt(text: string, at: number): number {
  const tens = text.charCodeAt(at),
    ones = text.charCodeAt(at + 1);
  return isDigit(tens) && isDigit(ones) ? (tens - 48) * 10 + (ones - 48) : -1;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** NPS scores are whole numbers from 0 to 10; anything else rejects the row. */
export function parseNpsScore(text: string): number | null {
  const cell = text.trim();
  if (!/^\d{1,2}$/.test(cell)) return null;
  const score = Number(cell);
  return score <= 10 ? score : null;
}
