// The importer's side of the parsing worker (csv-parse-worker.ts): start it, stream a file's bytes to
// it and take back batches of mapped rows, with credits both ways so memory stays flat.
import type { Worker } from 'node:worker_threads';
import type { ObjectMapping, ObjectType } from './config';
import {
  BATCHES_PER_ACK,
  BYTES_IN_FLIGHT,
  BYTES_PER_MESSAGE,
  decodeRows,
  type FromParser,
  type ParsedReject,
  type ToParser,
} from './csv-parse-protocol';
import { Cancelled, Credit } from './credit';
import { CsvFileError } from './csv-reader';
import { HeaderError } from './mapping';
import type { RowValue } from './record-rows';
import { fromWorkerError, type WorkerError } from './sync-worker-protocol';
import { startWorker, workerEntryUrl } from './worker-start';

export interface ParsedBatch {
  /** rowCount rows in the record-rows.ts layout. */
  values: RowValue[];
  rowCount: number;
  /** Data rows read, rejected ones included. */
  parsedRows: number;
  rejects: ParsedReject[];
  unrecordedRejects: number;
}

export interface ReadFileOptions {
  type: ObjectType;
  mapping: ObjectMapping;
  body: AsyncIterable<Uint8Array>;
  /** Called with the size of each chunk of the body as it is passed on. */
  onBytes?: (bytes: number) => void;
  /** Called with the reader's warnings about the whole file, once it is read. */
  onWarning?: (warning: string) => void;
}

type InboxMessage = FromParser | { type: 'failed'; error: unknown };

/** How long a parsing worker may take to start before files are read on the importing thread instead. */
const START_TIMEOUT_MS = 30_000;

export class CsvParseWorker {
  private nextFileId = 1;
  private readonly inboxes = new Map<number, Inbox<InboxMessage>>();
  private readonly byteCredits = new Map<number, Credit>();
  private dead: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: FromParser) => {
      if (message.type === 'ready') return;
      if (message.type === 'consumed') this.byteCredits.get(message.fileId)?.give();
      else this.inboxes.get(message.fileId)?.push(message);
    });
    const fail = (error: Error) => {
      this.dead ??= error;
      for (const inbox of this.inboxes.values()) inbox.push({ type: 'failed', error: this.dead });
      for (const credit of this.byteCredits.values()) credit.cancel();
    };
    worker.on('error', (error) => fail(new Error(`The CSV parsing thread failed: ${error.message}`)));
    worker.on('exit', (code) => fail(new Error(`The CSV parsing thread stopped unexpectedly (exit code ${code}).`)));
    // Idle between files, it must not keep the process alive (after the listeners: adding one refs the port again).
    worker.unref();
  }

  /** Starts a parsing worker; resolves once it is ready, rejects if it cannot start. */
  static start(url = workerEntryUrl('csv-parse-worker', import.meta.url)): Promise<CsvParseWorker> {
    return new Promise((resolve, reject) => {
      const worker = startWorker(url);
      const timer = setTimeout(() => {
        void worker.terminate();
        reject(new Error('The CSV parsing thread did not start in time.'));
      }, START_TIMEOUT_MS);
      const onMessage = (message: FromParser) => {
        if (message.type !== 'ready') return;
        cleanup();
        resolve(new CsvParseWorker(worker));
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number) => onError(new Error(`The CSV parsing thread exited while starting (exit code ${code}).`));
      const cleanup = () => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
  }

  get alive(): boolean {
    return this.dead === null;
  }

  /**
   * Reads one file: passes its bytes on as the worker asks for them and yields the mapped rows in
   * file order. Leaving the loop early (an error, a stop) cancels the worker's side and releases the
   * body; the next batch is only asked for when the caller comes back for it.
   */
  async *readFile({ type, mapping, body, onBytes, onWarning }: ReadFileOptions): AsyncGenerator<ParsedBatch> {
    if (this.dead) throw this.dead;
    const fileId = this.nextFileId++;
    const inbox = new Inbox<InboxMessage>();
    const bytesCredit = new Credit(BYTES_IN_FLIGHT);
    this.inboxes.set(fileId, inbox);
    this.byteCredits.set(fileId, bytesCredit);
    // While a file is read, its messages are what this thread waits for.
    this.worker.ref();
    this.post({ type: 'file', fileId, objectType: type, mapping });
    const source = body[Symbol.asyncIterator]();
    let finished = false;
    const pump = async () => {
      try {
        let gathered: Uint8Array[] = [];
        let size = 0;
        const send = async () => {
          await bytesCredit.take();
          // One copy into a buffer of its own, which is transferred: the body's chunks may share
          // theirs (Buffer pools; and a Buffer's slice() would not copy).
          const chunk = new Uint8Array(size);
          let at = 0;
          for (const part of gathered) {
            chunk.set(part, at);
            at += part.length;
          }
          this.post({ type: 'bytes', fileId, chunk }, [chunk.buffer as ArrayBuffer]);
          onBytes?.(size);
          gathered = [];
          size = 0;
        };
        for (;;) {
          const next = await source.next();
          if (next.done) break;
          gathered.push(next.value);
          size += next.value.length;
          if (size >= BYTES_PER_MESSAGE) await send();
        }
        if (size > 0) await send();
        this.post({ type: 'end', fileId });
      } catch (error) {
        if (!(error instanceof Cancelled)) inbox.push({ type: 'failed', error });
      }
    };
    const pumping = pump();
    let unacknowledged = 0;
    try {
      for (;;) {
        const message = await inbox.next();
        if (message.type === 'failed') throw message.error;
        if (message.type === 'error') throw parserError(message.error);
        if (message.type === 'done') {
          for (const warning of message.warnings) onWarning?.(warning);
          finished = true;
          return;
        }
        if (message.type === 'batch') {
          yield {
            values: decodeRows(message.rows, message.rowCount),
            rowCount: message.rowCount,
            parsedRows: message.parsedRows,
            rejects: message.rejects,
            unrecordedRejects: message.unrecordedRejects,
          };
          if (++unacknowledged === BATCHES_PER_ACK) {
            this.post({ type: 'ack', fileId, batches: unacknowledged });
            unacknowledged = 0;
          }
        }
      }
    } finally {
      this.inboxes.delete(fileId);
      this.byteCredits.delete(fileId);
      if (this.inboxes.size === 0) this.worker.unref();
      bytesCredit.cancel();
      if (!finished) {
        this.post({ type: 'cancel', fileId });
        // Release the body now (for an S3 object: its pooled connection), not after its next chunk
        // arrives: an async iterator's return() waits behind a pending next(), a stream's destroy() does not.
        const stream = body as { destroy?: () => void };
        if (typeof stream.destroy === 'function') stream.destroy();
        else void source.return?.();
      }
      await pumping;
    }
  }

  async close(): Promise<void> {
    this.dead ??= new Error('The CSV parsing thread was closed.');
    await this.worker.terminate();
  }

  private post(message: ToParser, transfer?: ArrayBuffer[]): void {
    if (!this.dead) this.worker.postMessage(message, transfer);
  }
}

/** After its last file, the parsing worker lives this long (the run's next file may need it), then ends. */
const IDLE_CLOSE_MS = 2_000;

let shared: Promise<CsvParseWorker | null> | null = null;
let leases = 0;
let idleTimer: NodeJS.Timeout | null = null;

export interface CsvParseLease {
  parser: CsvParseWorker;
  release(): void;
}

/**
 * The parsing worker of this thread for one file: started when first needed, shared by the files of
 * a run, and ended shortly after the last one is released, so an idle app holds no parsing thread.
 * Null when it cannot start (say, a build without its entry file): the file is then read on the
 * importing thread.
 */
export async function acquireCsvParseWorker(): Promise<CsvParseLease | null> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  leases++;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    leases--;
    if (leases === 0) idleTimer = setTimeout(closeIdleWorker, IDLE_CLOSE_MS).unref();
  };
  try {
    let parser = await (shared ??= startShared());
    if (!parser?.alive) {
      // It died since (or never started): one fresh attempt, shared with concurrent callers.
      if ((await shared) === parser) shared = startShared();
      parser = await shared;
    }
    if (!parser?.alive) {
      release();
      return null;
    }
    return { parser, release };
  } catch {
    release();
    return null;
  }
}

function startShared(): Promise<CsvParseWorker | null> {
  return CsvParseWorker.start().catch(() => null);
}

function closeIdleWorker(): void {
  idleTimer = null;
  if (leases > 0 || !shared) return;
  const closing = shared;
  shared = null;
  void closing.then((parser) => parser?.close());
}

/** Errors about the file's content keep their class across the thread boundary (they fail the file, not the run). */
function parserError(error: WorkerError): Error {
  if (error.name === 'HeaderError') return new HeaderError(error.message);
  if (error.name === 'CsvFileError') return new CsvFileError(error.message);
  return fromWorkerError(error);
}

class Inbox<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | null = null;

  push(item: T): void {
    this.items.push(item);
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async next(): Promise<T> {
    while (this.items.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.items.shift()!;
  }
}
