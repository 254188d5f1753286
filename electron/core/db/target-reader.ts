// What the Sync log and Data screens read, whichever target the syncs write to: one interface, a
// SQLite implementation (sqlite-reader.ts) and a PostgreSQL one (postgres/pg-reader.ts). Each method
// takes the contract's own request and answers its own result, so an option added to a request there
// is a type error in every implementation that does not handle it yet (see exhaustive()).
import type { ApiArgs, ApiMethod, ApiResult } from '../../shared/contract';
import type { MaybePromise } from './sync-target';

type Read<M extends ApiMethod> = (args: ApiArgs<M>) => MaybePromise<ApiResult<M>>;

/** The Sync log: run history, a run's files and rejected rows, the chart. */
export interface RunLogReader {
  listRuns: Read<'listRuns'>;
  getRun: Read<'getRun'>;
  runChart: Read<'runChart'>;
  /** When the last run started (ms since the epoch), for the schedule; null before the first. */
  lastRunStart(): MaybePromise<number | null>;
}

/** The Data screen: a table's page of records, one record, its linked records. */
export interface RecordReader {
  queryRecords: Read<'queryRecords'>;
  /** The trait keys found in a table's newest rows, offered as columns. */
  getRecordColumns: Read<'getRecordColumns'>;
  getRecord: Read<'getRecord'>;
  getRecordLinks: Read<'getRecordLinks'>;
}

export interface TargetReader extends RunLogReader, RecordReader {
  /** The target in words (a file path, or the address and schema). */
  readonly label: string;
  close(): MaybePromise<void>;
}

/**
 * Takes what is left of a request after the options an implementation handles were destructured: it
 * compiles only while nothing is left, so a new option in the contract fails the build here.
 */
export function exhaustive<T extends Record<string, never>>(rest: T): void {
  void rest;
}
