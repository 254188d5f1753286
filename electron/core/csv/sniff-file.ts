// Tells from a file's first bytes whether it can be a CSV at all, so the Objects preview can flag a
// README, an Excel workbook renamed .csv or an empty export before any sync reads it.
import { constants, gunzipSync } from 'node:zlib';

/** Bytes read from the start of each file: enough for a header line, cheap on a big prefix. */
export const SNIFF_BYTES = 4096;

const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/** Why these first bytes (of a file of `size` bytes) are not a CSV, or null when they can be one. */
export function whyNotCsv(start: Uint8Array, size: number): string | null {
  if (size === 0) return 'Empty (0 bytes): there is no header to read.';
  if (startsWith(start, [0x1f, 0x8b])) {
    let inner: Uint8Array;
    try {
      inner = gunzipSync(start, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      return 'Named like gzip but not valid gzip data.';
    }
    return inner.length === 0 ? 'A gzip file with nothing inside.' : whyNotCsv(inner, inner.length);
  }
  if (startsWith(start, [0x50, 0x4b, 0x03, 0x04]))
    return 'A ZIP archive, not a CSV (an Excel workbook under a .csv name?): export it as CSV.';
  if (startsWith(start, [0x25, 0x50, 0x44, 0x46])) return 'A PDF document, not a CSV.';
  const utf16 = startsWith(start, [0xff, 0xfe]) || startsWith(start, [0xfe, 0xff]) || looksLikeUtf16(start);
  if (!utf16 && start.includes(0)) return 'Binary content, not text: not a CSV.';
  const text = new TextDecoder(utf16 ? 'utf-16le' : 'latin1').decode(start);
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  if (firstLine.trim() === '') return 'Its first line is blank: a CSV starts with its header.';
  if (!/[,;\t|]/.test(firstLine))
    return 'Its first line has no comma, semicolon, tab or pipe: it reads as prose, not a CSV header.';
  return null;
}

/** UTF-16 without a byte order mark: ASCII text with a zero byte in every other position. */
function looksLikeUtf16(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 64) & ~1;
  if (n < 4) return false;
  let zerosOdd = 0;
  for (let i = 1; i < n; i += 2) if (bytes[i] === 0) zerosOdd++;
  return zerosOdd >= (n / 2) * 0.9;
}

/** The header row of a file that can be a CSV, from its first bytes (gzip looked inside); null when there is none. */
export function headerFromStart(start: Uint8Array): string[] | null {
  let bytes = start;
  if (startsWith(bytes, [0x1f, 0x8b])) {
    try {
      bytes = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      return null;
    }
  }
  const utf16 = startsWith(bytes, [0xff, 0xfe]) || looksLikeUtf16(bytes);
  const text = new TextDecoder(utf16 ? 'utf-16le' : 'utf-8').decode(bytes).replace(/^\uFEFF/, '');
  const end = text.search(/\r?\n/);
  if (end < 0 && bytes.length >= SNIFF_BYTES) return null; // the header is longer than what was read
  const line = end < 0 ? text : text.slice(0, end);
  const delimiter = [',', ';', '\t', '|'].reduce((best, d) => (count(line, d) > count(line, best) ? d : best), ',');
  return splitCsvLine(line, delimiter);
}

const count = (text: string, char: string) => text.split(char).length - 1;

/** One CSV line split on `delimiter`, double quotes honoured ("" inside quotes is a quote). */
function splitCsvLine(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}
