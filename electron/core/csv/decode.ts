// Bytes to text: a streaming decoder per encoding, and an inspector that watches the decoded text for
// binary data, invalid UTF-8 and NUL characters.
import { isAscii } from 'node:buffer';
import type { ENCODINGS } from '../../shared/delimiters';
import { CsvFileError } from './csv-file-error';
import { countChar, countLineBreaks } from './line-breaks';

// Characters that never appear in text: C0 controls other than tab, LF, CR (and NUL, counted apart), and DEL.
// eslint-disable-next-line no-control-regex -- matching control characters is this expression's purpose.
const CONTROL = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
// The text looked at to tell binary data from text, and the least of it looked at before the first rows.
const SNIFF_CHARS = 65536;
const SNIFF_MIN_CHARS = 4096;
const SNIFF_MIN_JUDGED = 512;

export type CsvEncoding = (typeof ENCODINGS)[number];

/**
 * Looks at the decoded text as it passes: tells binary data from text in the first characters,
 * counts invalid UTF-8 sequences (the decoder writes U+FFFD for each) and removes NUL characters,
 * remembering the line of the first of each for the file's warnings.
 */
export class TextInspector {
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
          this.firstInvalidLine = lineAtStart() + countLineBreaks(text.slice(0, text.indexOf('\uFFFD')));
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
    if (this.nuls === 0) this.firstNulLine = lineAtStart() + countLineBreaks(text.slice(0, nul));
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
