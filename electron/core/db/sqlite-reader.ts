// The Sync log and Data screens' reads from this computer's SQLite file: the queries of
// data-queries.ts on their own read-only connection, behind the TargetReader interface.
import { DatabaseQueries } from './data-queries';
import type { TargetReader } from './target-reader';

export function openSqliteReader(dbPath: string): TargetReader {
  const queries = new DatabaseQueries(dbPath);
  return {
    label: dbPath,
    listRuns: ({ limit, beforeId }) => queries.listRuns(limit, beforeId),
    getRun: ({ runId, rejectsOffset, rejectsLimit }) => queries.getRun(runId, rejectsOffset, rejectsLimit),
    runChart: ({ limit }) => queries.runChart(limit),
    lastRunStart() {
      const [last] = queries.runChart(1);
      return last ? Date.parse(last.startedAt) : null;
    },
    queryRecords: (request) => queries.queryRecords(request),
    getRecordColumns: ({ table }) => queries.recordColumns(table),
    getRecord: ({ table, id }) => queries.getRecord(table, id),
    getRecordLinks: ({ table, id }) => queries.getRecordLinks(table, id),
    close: () => queries.close(),
  };
}
