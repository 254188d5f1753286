// The domain's words, defined once: what a run, a file and a rejected row are, and what the
// scheduler and the sync engine report. Core and the contract both import them from here.
import type { ObjectType, SCHEDULE_HOURS } from './config';

/** Every schedule the app offers, in hours; null (off) is spelled out where it is allowed. */
export type ScheduleHours = (typeof SCHEDULE_HOURS)[number];

export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'interrupted';
/** How a run that has ended ended. */
export type FinishedRunStatus = Exclude<RunStatus, 'running'>;
export type FileStatus = 'imported' | 'unchanged' | 'failed';
export type SyncTrigger = 'schedule' | 'manual' | 'settings-changed' | 'startup';

export interface FileCounts {
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
}

export interface FileReport extends FileCounts {
  type: ObjectType;
  key: string;
  status: FileStatus;
  error?: string;
  warnings?: string[];
}

export interface RunCounts extends FileCounts {
  files: number;
}

/** A file that left its type's set in a run: deleted from the bucket, or no longer selected. */
export interface FileGone {
  objectType: ObjectType;
  key: string;
  reason: 'deleted' | 'unselected';
}

export interface SyncReport {
  runId: number;
  status: FinishedRunStatus;
  error?: string;
  /** The run failed because the sign-in's temporary credentials expired: retrying on schedule cannot help. */
  credentialsExpired?: boolean;
  trigger: string;
  startedAt: string;
  finishedAt: string;
  files: FileReport[];
  overCap: Partial<Record<ObjectType, number>>;
  counts: RunCounts;
  /** Files that left their type's set in this run: deleted from the bucket, or no longer selected. */
  filesGone?: FileGone[];
}

export interface RejectedRow {
  key: string;
  line: number;
  reason: string;
  raw: string;
}

export interface SyncProgress {
  runId: number;
  phase: 'listing' | 'importing';
  type?: ObjectType;
  key?: string;
  /** 1-based position of the current file among the files selected for this run. */
  fileIndex: number;
  fileCount: number;
  rows: number;
  bytes: number;
  size: number;
}

/** What the sync engine reports for one run (a subset of its SyncReport). */
export type RunOutcome = Pick<
  SyncReport,
  'runId' | 'status' | 'startedAt' | 'finishedAt' | 'error' | 'counts' | 'credentialsExpired'
>;

/** What listeners receive when a run ends: the engine's outcome, or a failure built by the scheduler. */
export interface RunReport extends Omit<RunOutcome, 'runId'> {
  /** null when the runner threw, so the run may never have reached the run log. */
  runId: number | null;
  trigger: SyncTrigger;
}

export interface SchedulerState {
  everyHours: ScheduleHours | null;
  paused: boolean;
  running: boolean;
  runningSince: number | null;
  lastRunStart: number | null;
  /** When the next scheduled run is due; null when the schedule is off, paused or held. */
  nextRunAt: number | null;
  /** Why scheduled runs are held (the sign-in expired), until the connection is saved again; else null. */
  heldReason: string | null;
}

export type SyncRequestResult =
  { started: true; startedAt: number } | { started: false; reason: string; runningSince?: number };
