// The bookkeeping a measuring script commits with a file it imports outside a sync run.
import type { ObjectType } from '../electron/shared/config';
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
