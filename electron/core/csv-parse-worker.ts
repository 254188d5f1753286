// Reads CSV files for the importer on a second core: gunzip, decode, parse, check and map each row,
// and send the mapped rows back in batches (csv-parse-protocol.ts). The importer's thread is left with
// what only it can do, writing SQLite, and the two overlap. Started by csv-parse-host.ts; one file at
// a time.
import { parentPort } from 'node:worker_threads';
import type { ObjectMapping, ObjectType } from './config';
import {
  BATCHES_IN_FLIGHT,
  encodeRows,
  mayHoldSeparators,
  PARSED_BATCH_ROWS,
  type FromParser,
  type ParsedReject,
  type ToParser,
} from './csv-parse-protocol';
import { Cancelled, Credit } from './credit';
import { readCsv } from './csv-reader';
import { MAX_STORED_REJECTS_PER_FILE, rejectReasonForFieldCount, truncateRaw } from './import-rules';
import { createRowEncoder, type RowEncoder } from './mapping';
import type { RowValue } from './record-rows';
import { toWorkerError } from './sync-worker-protocol';

if (!parentPort) throw new Error('csv-parse-worker.ts runs as a worker thread: start it with csv-parse-host.ts.');
const port = parentPort;
const post = (message: FromParser): void => port.postMessage(message);

interface FileParse {
  input: ByteQueue;
  credit: Credit;
}

const files = new Map<number, FileParse>();

port.on('message', (message: ToParser) => {
  const file = files.get(message.fileId);
  switch (message.type) {
    case 'file': {
      const parse: FileParse = { input: new ByteQueue(() => post({ type: 'consumed', fileId: message.fileId })), credit: new Credit(BATCHES_IN_FLIGHT) };
      files.set(message.fileId, parse);
      void parseFile(message.fileId, message.objectType, message.mapping, parse);
      break;
    }
    case 'bytes':
      file?.input.push(message.chunk);
      break;
    case 'end':
      file?.input.end();
      break;
    case 'ack':
      for (let i = 0; i < message.batches; i++) file?.credit.give();
      break;
    case 'cancel':
      if (file) {
        files.delete(message.fileId);
        file.input.cancel();
        file.credit.cancel();
      }
      break;
  }
});

post({ type: 'ready' });


async function parseFile(fileId: number, type: ObjectType, mapping: ObjectMapping, { input, credit }: FileParse): Promise<void> {
  let values: RowValue[] = [];
  let rowCount = 0;
  let parsedRows = 0;
  let rejects: ParsedReject[] = [];
  let unrecordedRejects = 0;
  let rejected = 0;
  const reject = (line: number, reason: string, raw: () => string) => {
    rejected++;
    if (rejected <= MAX_STORED_REJECTS_PER_FILE) rejects.push({ line, reason, raw: truncateRaw(raw()) });
    else unrecordedRejects++;
  };
  const send = async () => {
    await credit.take();
    post({ type: 'batch', fileId, rows: encodeRows(values, input.sawSeparatorBytes), rowCount, parsedRows, rejects, unrecordedRejects });
    values = [];
    rowCount = 0;
    parsedRows = 0;
    rejects = [];
    unrecordedRejects = 0;
  };
  try {
    let encodeRow: RowEncoder | null = null;
    let columnCount = 0;
    const warnings: string[] = [];
    for await (const event of readCsv(input, { delimiter: mapping.delimiter, encoding: mapping.encoding, onWarning: (w) => warnings.push(w) })) {
      if (event.kind === 'header') {
        encodeRow = createRowEncoder(type, mapping, event.columns);
        columnCount = event.columns.length;
        continue;
      }
      const { rows, lines, malformed } = event;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        parsedRows++;
        const problem = malformed.get(i) ?? (row.length !== columnCount ? rejectReasonForFieldCount(row.length, columnCount) : undefined);
        if (problem) {
          reject(lines[i]!, problem, () => event.rawText(i));
        } else {
          const reason = encodeRow!(row, values, values.length);
          if (reason === null) rowCount++;
          else reject(lines[i]!, reason, () => event.rawText(i));
        }
        // Rejected rows count too, so a file of bad rows still reports progress and never holds many.
        if (rowCount === PARSED_BATCH_ROWS || parsedRows === 4 * PARSED_BATCH_ROWS) await send();
      }
    }
    if (parsedRows > 0) await send();
    if (files.get(fileId)?.input === input) post({ type: 'done', fileId, warnings });
  } catch (error) {
    if (!(error instanceof Cancelled) && files.get(fileId)?.input === input) post({ type: 'error', fileId, error: toWorkerError(error) });
  } finally {
    if (files.get(fileId)?.input === input) files.delete(fileId);
  }
}

/** The file's bytes as they arrive, as the async iterable readCsv reads; tells the importer each time one is taken. */
class ByteQueue implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  /** Whether any chunk taken so far held a 0x00 or 0x01 byte (see encodeRows). */
  sawSeparatorBytes = false;
  private ended = false;
  private cancelled = false;
  private wake: (() => void) | null = null;

  constructor(private readonly onTaken: () => void) {}

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  cancel(): void {
    this.cancelled = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (this.cancelled) throw new Cancelled();
      const chunk = this.chunks.shift();
      if (chunk) {
        if (!this.sawSeparatorBytes && mayHoldSeparators(chunk)) this.sawSeparatorBytes = true;
        this.onTaken();
        yield chunk;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

