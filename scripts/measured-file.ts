// What measuring scripts share to import a file outside a sync run: its bookkeeping, and one events import.
import { createReadStream, rmSync } from 'node:fs';
import { parseConfig, type ObjectType, type TracksMapping } from '../electron/shared/config';
import { importFile } from '../electron/core/sync/import-file';
import { openDatabase } from '../electron/core/db/sqlite-database';
import { createSqliteTarget } from '../electron/core/db/sqlite-target';
import { startRun } from '../electron/core/db/run-log';
import { EVENTS_TRACKS_MAPPING } from './bench-events-csv';
import type { ImportedFile } from '../electron/core/db/file-state';
import type { FileCounts } from '../electron/shared/domain';
import type { RecordedFile } from '../electron/core/db/sync-target';

export function measuredFileRows(
  runId: number,
  type: ObjectType,
  key: string,
  counts: FileCounts,
): [ImportedFile, RecordedFile] {
  const at = new Date().toISOString();
  const version = { etag: 'measured', size: 0 };
  return [
    { type, key, ...version, mappingHash: 'measured', runId, importedAt: at },
    { type, key, status: 'imported', ...counts, ...version, startedAt: at, finishedAt: at },
  ];
}

/** The bench's events file, mapped as tracks (bench-events-csv.ts's columns). */
export function benchEventsMapping(): TracksMapping {
  return parseConfig({
    connection: { bucket: 'bench', prefix: '', region: 'us-east-1', accessKeyId: 'x' },
    objects: { tracks: EVENTS_TRACKS_MAPPING },
    schedule: { everyHours: null },
  }).objects.tracks!;
}

/**
 * A fresh SQLite file at `path` with `csv` imported as the sync imports a file (64 KB reads, one run, the
 * file's bookkeeping in its commit). The WAL is not checkpointed: the caller measures, then checkpoints.
 */
export async function importEventsIntoFreshFile(path: string, csv: string, mapping: TracksMapping) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const db = openDatabase(path);
  db.pragma('wal_autocheckpoint = 0');
  const runId = startRun(db, 'measure', new Date().toISOString());
  const stamp = { runId, key: 'events/events.csv', syncedAt: new Date().toISOString() };
  await importFile({
    target: createSqliteTarget(db, ''),
    type: 'tracks',
    mapping,
    stamp,
    body: createReadStream(csv, { highWaterMark: 64 * 1024 }),
    commit: (write, counts) => write.commit(...measuredFileRows(runId, 'tracks', stamp.key, counts)),
  });
  return db;
}
