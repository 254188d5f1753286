// What the first bytes of an object say before any text is decoded: gzip, a binary format people
// mistake for CSV, or a byte order mark naming the encoding.
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CsvFileError } from './csv-file-error';

const GZIP_MAGIC = [0x1f, 0x8b];
/** Enough leading bytes to recognise the common binary formats (gzip, PNG, ZIP, ...). */
const MAGIC_BYTES = 8;

export interface PlainBytes {
  gzipped: boolean;
  /** The encoding a byte order mark names, if the text starts with one. */
  bomEncoding: string | undefined;
  /** The object's bytes, gunzipped when they were gzip. */
  stream: AsyncIterable<Uint8Array>;
}

/** Gunzips when the bytes say gzip and refuses binary formats, before any text is decoded. */
export async function openPlainBytes(source: AsyncIterable<Uint8Array>): Promise<PlainBytes> {
  const bytes = await peekBytes(source, MAGIC_BYTES);
  const gzipped = bytes.head[0] === GZIP_MAGIC[0] && bytes.head[1] === GZIP_MAGIC[1];
  const plain = gzipped ? await peekBytes(gunzip(bytes.stream), MAGIC_BYTES) : bytes;
  const binary = describeBinaryFormat(plain.head);
  if (binary) throw new CsvFileError(`This does not look like a CSV file: it starts like ${binary}.`);
  return { gzipped, bomEncoding: encodingFromBom(plain.head), stream: plain.stream };
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
