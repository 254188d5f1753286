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
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // Not JSON after all: an ordinary string that happens to be bracketed.
    }
  }
  return cell;
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
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear puts them back.
  if (year < 100) {
    const date = new Date(ms);
    date.setUTCFullYear(year);
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

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** NPS scores are whole numbers from 0 to 10; anything else rejects the row. */
export function parseNpsScore(text: string): number | null {
  const cell = text.trim();
  if (!/^\d{1,2}$/.test(cell)) return null;
  const score = Number(cell);
  return score <= 10 ? score : null;
}
