// What the record tables are called and what a file's write reports: shared by both targets.
import type { ObjectType } from '../../shared/config';

export const TABLE_OF: Record<ObjectType, string> = {
  organizations: 'organizations',
  accounts: 'accounts',
  users: 'users',
  nps: 'nps_responses',
  tracks: 'events',
};

/** Where the records of one file come from: stamped on every record written. */
export interface FileStamp {
  runId: number;
  key: string;
  syncedAt: string;
}

/** Which rows of a table one file wrote: the ones it created (above a rowid) and, if any, ones it updated. */
export interface WrittenRows {
  /** Rows it created have a rowid above this (SQLite gives a new row the largest rowid plus one). */
  rowidBefore: number;
  /** Whether it updated rows that existed before it (found by their last_run_id and last_file). */
  updatedExisting: boolean;
}

export interface WriteCounts {
  created: number;
  updated: number;
  skipped: number;
}
