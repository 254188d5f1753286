// Where a sync writes: the one interface the engine talks to, whether the target is this computer's
// SQLite file or a shared PostgreSQL database. SQLite's methods return plain values (its hot loop stays
// synchronous); the engine awaits only what comes back as a promise.
import type { ObjectMapping, ObjectType } from '../../shared/config';
import type { RowValue } from '../mapping/record-rows';
import type { FileVersion, ImportedFile } from './file-state';
import type { FileGone, FileReport, RejectedRow, SyncReport } from '../../shared/domain';
import type { FileStamp, WriteCounts } from './tables';

export type MaybePromise<T> = T | Promise<T>;

/** A file's row in sync_files: its report and the version of the object that was read. */
export type RecordedFile = FileReport & { etag: string; size: number; startedAt: string; finishedAt: string };

/** One file's write, inside its own transaction: it lands whole or not at all. */
export interface FileWrite {
  /** `count` records as rows (record-rows.ts) from values[from]. A promise means: wait before the next rows. */
  writeRows(values: readonly RowValue[], from: number, count: number): void | Promise<void>;
  recordReject(reject: RejectedRow): void;
  /** After the last row: the exact counts and warnings about references to records that do not exist. */
  finish(header: readonly string[] | null): MaybePromise<WriteCounts & { warnings: string[]; columnChange?: string }>;
  /** Writes file_state and the file's sync_files row in the same transaction, and commits. */
  commit(state: ImportedFile, file: RecordedFile): MaybePromise<void>;
  /** Undoes everything of the file; safe to call after a failed commit or a lost connection. */
  rollback(): MaybePromise<void>;
}

/** A target's error in plain words; fatal when no other file could be written either. */
export interface TargetProblem {
  message: string;
  fatal: boolean;
  /** Another program's lock outlasted the wait: later bookkeeping must not wait for it again. */
  lockedOut?: boolean;
}

export interface WriteOptions {
  /** Write without waiting for another program's lock (the wait was spent once already). */
  noWait?: boolean;
}

export interface SyncTarget {
  readonly kind: 'sqlite' | 'postgres';
  /** The target in words, for messages: a file path, or host, database and schema. */
  readonly label: string;
  /**
   * Marks runs that were cut short as interrupted, then records a new run and returns its id.
   * `source` names the bucket and prefix: two syncs of one source never run at once.
   */
  beginRun(trigger: string, startedAt: string, source: string): MaybePromise<number>;
  finishRun(report: SyncReport, options?: WriteOptions): MaybePromise<void>;
  recordFile(runId: number, file: RecordedFile, options?: WriteOptions): MaybePromise<void>;
  previousFileState(type: ObjectType, key: string): MaybePromise<FileVersion | undefined>;
  /** Keys imported before: the listing notes which of them it still sees. */
  knownFileKeys(): MaybePromise<Set<string>>;
  /**
   * Marks the known files present or missing (seen in the listing or not) and selected or not, and
   * returns those that left their type's set in this run (docs/stale-records.md).
   */
  markFilePresence(
    seen: Set<string>,
    isSelected: (type: ObjectType, key: string) => boolean,
    at: string,
  ): MaybePromise<FileGone[]>;
  beginFile(type: ObjectType, mapping: ObjectMapping, stamp: FileStamp): MaybePromise<FileWrite>;
  /** Plain words for an error of this target; undefined when the error is not the target's. */
  explainError(error: unknown): TargetProblem | undefined;
}
