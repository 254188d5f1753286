// The SQLite file on this computer as a sync target: every call is synchronous, as it always was.
import type { ObjectMapping, ObjectType } from '../../shared/config';
import { previousFileState, saveFileState } from './file-state';
import { knownFiles, markFilePresence, recordFileHoldings } from './record-files';
import { indexWrittenRecords } from './search-index';
import { describeColumnChange, rememberColumns } from './file-columns';
import { createRecordWriter } from './record-writer';
import { findDanglingReferences } from './references';
import { createRejectRecorder, finishRun, markInterruptedRuns, recordFile, startRun } from './run-log';
import {
  beginFileTransaction,
  commitFileTransaction,
  DatabaseError,
  explainSqliteError,
  isDatabaseBusy,
  isFatalSqliteError,
  isSqliteError,
  rollbackFileTransaction,
  withoutBusyWait,
  type SqliteDatabase,
} from './sqlite-database';
import type { FileWrite, SyncTarget, WriteOptions } from './sync-target';
import type { FileStamp } from './tables';

export function createSqliteTarget(db: SqliteDatabase, dbPath: string): SyncTarget {
  const maybeWithoutWait = <T>(options: WriteOptions | undefined, write: () => T): T =>
    options?.noWait ? withoutBusyWait(db, write) : write();
  return {
    kind: 'sqlite',
    label: dbPath,
    beginRun(trigger, startedAt) {
      try {
        markInterruptedRuns(db);
        return startRun(db, trigger, startedAt);
      } catch (error) {
        // Nothing could even be logged (the database is locked, read-only or full): say so plainly.
        throw new DatabaseError(explainSqliteError(error, dbPath));
      }
    },
    finishRun: (report, options) => maybeWithoutWait(options, () => finishRun(db, report)),
    recordFile: (runId, file, options) => maybeWithoutWait(options, () => recordFile(db, runId, file)),
    previousFileState: (type, key) => previousFileState(db, type, key),
    knownFileKeys: () => new Set(knownFiles(db).map((f) => f.key)),
    markFilePresence: (seen, isSelected, at) =>
      markFilePresence(db, knownFiles(db), (key) => seen.has(key), isSelected, at),
    beginFile: (type, mapping, stamp) => beginSqliteFile(db, type, mapping, stamp),
    explainError(error) {
      if (!isSqliteError(error)) return undefined;
      return {
        message: explainSqliteError(error, dbPath),
        fatal: isFatalSqliteError(error),
        lockedOut: isDatabaseBusy(error),
      };
    },
  };
}

function beginSqliteFile(db: SqliteDatabase, type: ObjectType, mapping: ObjectMapping, stamp: FileStamp): FileWrite {
  beginFileTransaction(db);
  try {
    const writer = createRecordWriter(db, type, mapping, stamp);
    let header: readonly string[] | null = null;
    return {
      writeRows: (values, from, count) => writer.writeRows(values, from, count),
      recordReject: createRejectRecorder(db, stamp.runId),
      finish(fileHeader) {
        header = fileHeader;
        const written = writer.finish();
        const columnChange = (header && describeColumnChange(db, type, stamp.key, [...header])) || undefined;
        const warnings = findDanglingReferences(db, type, stamp, {
          written,
          counted: written.references,
          target: 'target' in mapping ? mapping.target : undefined,
        });
        // Which files hold each record (the stale rule), and the search index, in the file's transaction.
        recordFileHoldings(db, type, stamp, written);
        indexWrittenRecords(db, type, stamp, written);
        return { created: written.created, updated: written.updated, skipped: written.skipped, warnings, columnChange };
      },
      commit(state, file) {
        saveFileState(db, state);
        recordFile(db, stamp.runId, file);
        if (header) rememberColumns(db, type, stamp.key, [...header]);
        commitFileTransaction(db);
      },
      rollback: () => rollbackFileTransaction(db),
    };
  } catch (error) {
    rollbackFileTransaction(db);
    throw error;
  }
}
