// A worker thread that runs the analyst's queries and exports on a read-only connection, so neither a
// slow query nor a million-row export ever runs on the thread that serves the window. One job at a
// time; the host terminates the thread to cancel one (query-worker-client.ts).
import { parentPort } from 'node:worker_threads';
import { countRows, openReadOnlyConnection, QueryError, queryPage, type ReadOnlyConnection } from '../db/query-runner';
import { describeSchema } from '../db/workbench-statements';
import { DatabaseQueries } from '../db/data-queries';
import { exportToFile } from '../export/export-file';
import type { HostToQueryWorker, QueryJob, QueryJobResults, QueryWorkerToHost } from './query-worker-protocol';

if (!parentPort) throw new Error('query-worker.ts runs as a worker thread: start it through QueryWorkers.');
const port = parentPort;
const post = (message: QueryWorkerToHost): void => port.postMessage(message);

/** Opened once per database file and kept: opening costs more than most queries. */
const connections = new Map<string, ReadOnlyConnection>();
function connection(dbPath: string): ReadOnlyConnection {
  let db = connections.get(dbPath);
  if (!db) connections.set(dbPath, (db = openReadOnlyConnection(dbPath)));
  return db;
}

/** The Data screen's reader, likewise kept per database file. */
const readers = new Map<string, DatabaseQueries>();
function reader(dbPath: string): DatabaseQueries {
  let queries = readers.get(dbPath);
  if (!queries) readers.set(dbPath, (queries = new DatabaseQueries(dbPath)));
  return queries;
}

port.on('message', ({ id, job }: HostToQueryWorker) => {
  run(id, job).then(
    (result) => post({ id, type: 'done', result }),
    (error: unknown) =>
      post({
        id,
        type: 'error',
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof QueryError && error.position ? { position: error.position } : {}),
        queryError: error instanceof QueryError,
      }),
  );
});

async function run(id: number, job: QueryJob): Promise<QueryJobResults[QueryJob['type']]> {
  if (job.type === 'records') return reader(job.dbPath).queryRecords(job.request);
  const db = connection(job.dbPath);
  switch (job.type) {
    case 'page': {
      const page = queryPage(db, job.sql, job.offset, job.limit);
      // A first page that is not full is the whole result: no second pass to count it.
      const whole = job.offset === 0 && page.rows.length < job.limit;
      return { ...page, total: !job.count ? null : whole ? page.rows.length : countRows(db, job.sql) };
    }
    case 'schema':
      return { schema: describeSchema(db) };
    case 'export':
      return {
        rows: await exportToFile(db, job.statement, job.options, job.path, (rows) =>
          post({ id, type: 'progress', rows }),
        ),
      };
  }
}
