// Messages between the thread that writes a file's records (the importer) and the worker that reads
// the file for it (csv-parse-worker.ts): raw bytes go one way, batches of mapped rows come back.
// Both directions are credit-based, so neither side can run ahead of the other by more than a few
// chunks or batches: memory stays flat however big the file is.
import type { ObjectMapping, ObjectType } from './config';
import type { RowValue } from './record-rows';
import type { WorkerError } from './sync-worker-protocol';

export type ToParser =
  | { type: 'file'; fileId: number; objectType: ObjectType; mapping: ObjectMapping }
  /** The next bytes of the file, as they came from S3 (gzip and encoding are the parser's business). */
  | { type: 'bytes'; fileId: number; chunk: Uint8Array }
  /** No more bytes: the object has been read to its end. */
  | { type: 'end'; fileId: number }
  /** Batches have been written: the parser may send that many more. */
  | { type: 'ack'; fileId: number; batches: number }
  /** Stop reading this file (it failed or the sync was stopped). */
  | { type: 'cancel'; fileId: number };

export interface ParsedReject {
  line: number;
  reason: string;
  raw: string;
}

export type FromParser =
  | { type: 'ready' }
  /** One bytes chunk was taken in: the importer may send one more. */
  | { type: 'consumed'; fileId: number }
  | {
      type: 'batch';
      fileId: number;
      /** The batch's rows (record-rows.ts layout), encoded by encodeRows. */
      rows: EncodedRows;
      rowCount: number;
      /** Data rows read for this batch, rejected ones included (for progress and the file's row count). */
      parsedRows: number;
      /** Rejected rows to record (the first ones of the file), in file order. */
      rejects: ParsedReject[];
      /** Rejected rows beyond those: counted, not recorded. */
      unrecordedRejects: number;
    }
  /** The file is read; warnings are the reader's, about the whole file. */
  | { type: 'done'; fileId: number; warnings: string[] }
  | { type: 'error'; fileId: number; error: WorkerError };

/**
 * A batch's values joined by NUL, with null written as a lone SOH: one string crosses threads as a
 * single copy, and splitting it costs far less than deserialising thousands of small strings (measured:
 * split ~35-80 ns a value, structured clone of a string array 130-200 ns). When the file's bytes so far
 * held a 0x00 or 0x01 byte (a NUL or SOH character, or any UTF-16 text), a value might contain one:
 * such batches travel as a plain array instead.
 */
export type EncodedRows = string | RowValue[];

const SEPARATOR = '\u0000';
const NULL_VALUE = '\u0001';

/** Whether a chunk of the file's bytes could put NUL or SOH into a value (then batches go as arrays). */
export function mayHoldSeparators(chunk: Uint8Array): boolean {
  return chunk.indexOf(0) !== -1 || chunk.indexOf(1) !== -1;
}

/** Encodes a batch's values (the array is reused: nulls in it become SOH). */
export function encodeRows(values: RowValue[], asArray: boolean): EncodedRows {
  if (asArray) return values;
  for (let i = 0; i < values.length; i++) if (values[i] === null) values[i] = NULL_VALUE;
  return values.join(SEPARATOR);
}

export function decodeRows(rows: EncodedRows, rowCount: number): RowValue[] {
  if (typeof rows !== 'string') return rows;
  if (rowCount === 0) return [];
  const values: RowValue[] = rows.split(SEPARATOR);
  for (let i = 0; i < values.length; i++) if (values[i] === NULL_VALUE) values[i] = null;
  return values;
}

/** Bytes messages the importer may have sent but the parser not yet taken in. */
export const BYTES_IN_FLIGHT = 4;
/** The importer gathers the body's chunks into messages of about this size (each message wakes the other thread). */
export const BYTES_PER_MESSAGE = 256 * 1024;
/** The importer acknowledges written batches this many at a time. */
export const BATCHES_PER_ACK = 2;
/** Batches the parser may have sent but the importer not yet written. */
export const BATCHES_IN_FLIGHT = 8;
/** Rows per batch sent back. */
export const PARSED_BATCH_ROWS = 400;
