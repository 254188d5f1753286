// The messages between the thread that serves the window and a query worker (query-worker.ts). Only
// plain data crosses: the worker opens its own read-only connection by path.
import type {
  ExportRequest,
  QueryErrorPosition,
  QueryValue,
  RecordPage,
  RecordsRequest,
  SchemaTable,
} from '../../shared/contract';
import type { ExportStatement } from '../db/workbench-statements';

export type QueryJob =
  /** count: also count the result's rows (the first page of a run; later pages do not). */
  | { type: 'page'; dbPath: string; sql: string; offset: number; limit: number; count: boolean }
  | { type: 'schema'; dbPath: string }
  /** A page of the Data screen (a sort or filter on a trait reads the whole table: seconds on a million rows). */
  | { type: 'records'; dbPath: string; request: RecordsRequest }
  | {
      type: 'export';
      dbPath: string;
      statement: ExportStatement;
      options: Pick<ExportRequest, 'format' | 'bom' | 'expandTraits'>;
      path: string;
    };

export interface QueryJobResults {
  page: { columns: string[]; rows: QueryValue[][]; total: number | null };
  schema: { schema: SchemaTable[] };
  records: RecordPage;
  export: { rows: number };
}

export type HostToQueryWorker = { id: number; job: QueryJob };

export type QueryWorkerToHost =
  | { id: number; type: 'done'; result: QueryJobResults[QueryJob['type']] }
  | { id: number; type: 'progress'; rows: number }
  /** queryError: the user's statement is at fault (the message says how); else a failure of ours. */
  | { id: number; type: 'error'; message: string; position?: QueryErrorPosition; queryError: boolean };
