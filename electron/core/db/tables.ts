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

export interface WriteCounts {
  created: number;
  updated: number;
  skipped: number;
}
