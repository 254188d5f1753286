// The one API contract between the back end (main process, web preview) and the renderer.
// Every request with its argument and result, and every event. The renderer imports this file for
// types only; argument schemas for validation live beside it in schemas.ts.
import type { ConnectionConfig, ObjectMapping, ObjectType, SyncConfig } from './config';
import type { RunReport, SchedulerState, SyncRequestResult } from '../core/sync/scheduler';
import type { SyncProgress } from '../core/sync/run-sync';

export type {
  ConnectionConfig,
  ObjectMapping,
  ObjectType,
  SyncConfig,
  RunReport,
  SchedulerState,
  SyncRequestResult,
  SyncProgress,
};

export type ScheduleHours = 6 | 12 | 24 | null;

export interface Overview {
  /** null until a connection has been saved. */
  config: SyncConfig | null;
  /** Whether the keychain holds a secret for the configured access key ID (the secret itself never leaves the back end). */
  secretStored: boolean;
  /** Why the keychain could not be asked, when it could not. */
  keychainProblem: string | null;
  /** Shown once when the settings file was damaged and set aside at start. */
  settingsNotice: string | null;
  databasePath: string;
  scheduler: SchedulerState;
  /** Whether the back end can open the database folder in the OS file manager (the desktop app can, the web preview cannot). */
  canOpenDatabaseFolder: boolean;
}

export interface ConnectionInput {
  connection: ConnectionConfig;
  /** A newly typed secret; left out to keep (or use) the one stored in the keychain. */
  secretAccessKey?: string;
}

export type TestConnectionResult = { ok: true; fileCount: number; more: boolean } | { ok: false; message: string };

export interface PreviewFile {
  key: string;
  size: number;
  lastModified: string;
  /** Why the file cannot be a CSV (empty, binary, prose), from its first bytes; absent when it can be one or was not checked. */
  notCsv?: string;
  /** Its header, read from its first bytes (for the first files only), so the window can show headers that differ. */
  columns?: string[];
}

export type PreviewResult =
  /** warning: the prefix lacks its trailing slash and the pattern selects fewer files because of it. */
  | { ok: true; selected: PreviewFile[]; overCap: number; listedCount: number; warning?: string }
  | { ok: false; message: string };

/**
 * The matches of a preview so far, pushed while the listing goes on (the first page at once, then a
 * few a second), so the first files show before the rest of a large prefix is counted. Only the
 * preview that asked for them (by its previewId) reads them; the final answer is previewFiles' result.
 */
export interface PreviewProgress {
  previewId: string;
  type: ObjectType;
  /** The first matches in key order, at most 1000 (the cap). */
  selected: PreviewFile[];
  /** Matches beyond the cap so far. */
  overCap: number;
  /** Keys listed under the prefix so far. */
  listedCount: number;
}

export type SampleResult =
  { ok: true; key: string; columns: string[]; rows: string[][]; delimiter: string } | { ok: false; message: string };

/** After a save the scheduler may already be syncing (a new schedule or mapping syncs right away). */
export type SaveResult =
  { ok: true; config: SyncConfig; scheduler: SchedulerState } | { ok: false; message: string; problems: string[] };

export interface RunSummary {
  id: number;
  trigger: string;
  status: 'running' | 'succeeded' | 'partial' | 'failed' | 'interrupted';
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  filesImported: number;
  filesUnchanged: number;
  filesFailed: number;
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
  overCap: Partial<Record<ObjectType, number>>;
  /** Files that left their type's set in this run (deleted from the bucket, or no longer selected by the pattern). */
  filesGone: { objectType: ObjectType; key: string; reason: 'deleted' | 'unselected' }[];
}

export interface RunFile {
  objectType: ObjectType;
  key: string;
  size: number | null;
  status: 'imported' | 'unchanged' | 'failed';
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
  error: string | null;
  warnings: string[];
}

export interface RejectedRow {
  key: string;
  line: number;
  reason: string;
  raw: string;
}

export interface RunDetail {
  run: RunSummary;
  files: RunFile[];
  rejects: { total: number; items: RejectedRow[] };
}

export const DATA_TABLES = ['organizations', 'accounts', 'users', 'nps_responses', 'events'] as const;
export type DataTable = (typeof DATA_TABLES)[number];

export interface RecordRow {
  /** external_id, or message_id for events. */
  id: string;
  /** The table's own columns (name, email, score, event, ...), traits/properties excluded. */
  fields: Record<string, string | number | null>;
  lastSyncedAt: string;
  lastFile: string;
  /** No file that holds it is still in the bucket and selected (docs/stale-records.md). */
  stale: boolean;
}

export interface RecordPage {
  table: DataTable;
  total: number;
  offset: number;
  rows: RecordRow[];
  /** Stale records in the whole table (whatever the search). */
  staleCount: number;
}

export interface RecordDetail extends RecordRow {
  table: DataTable;
  /** Traits (accounts, organizations, users) or properties (events). */
  traits: Record<string, unknown>;
  firstSyncedAt: string;
  lastRunId: number;
  syncCount: number;
  /** For users: the accounts they are linked to. */
  accountIds?: string[];
}

export interface RunChartPoint {
  runId: number;
  startedAt: string;
  status: RunSummary['status'];
  rows: number;
  rejected: number;
}

/** Every request: argument and result. Methods without an argument take `void`. */
export interface ApiRequests {
  getOverview: { args: void; result: Overview };
  saveConnection: { args: ConnectionInput; result: SaveResult };
  testConnection: { args: ConnectionInput; result: TestConnectionResult };
  /** With a previewId, previewProgress events carry the matches while the listing goes on, and cancelPreview can stop it. */
  previewFiles: { args: { type: ObjectType; fileRegex: string; previewId?: string }; result: PreviewResult };
  /** Stops a preview's listing (its previewFiles answers "cancelled"); false when it had already ended. */
  cancelPreview: { args: { previewId: string }; result: { cancelled: boolean } };
  sampleFile: { args: { type: ObjectType; key: string; delimiter?: string; encoding?: string }; result: SampleResult };
  saveMapping: { args: { type: ObjectType; mapping: ObjectMapping | null }; result: SaveResult };
  setSchedule: { args: { everyHours: ScheduleHours }; result: SaveResult };
  syncNow: { args: void; result: SyncRequestResult };
  pauseSchedule: { args: void; result: SchedulerState };
  resumeSchedule: { args: void; result: SchedulerState };
  listRuns: { args: { limit: number; beforeId?: number }; result: RunSummary[] };
  getRun: { args: { runId: number; rejectsOffset?: number; rejectsLimit?: number }; result: RunDetail | null };
  runChart: { args: { limit: number }; result: RunChartPoint[] };
  /** staleOnly: only the records no file in the bucket holds any more. */
  queryRecords: {
    args: { table: DataTable; search?: string; staleOnly?: boolean; offset: number; limit: number };
    result: RecordPage;
  };
  getRecord: { args: { table: DataTable; id: string }; result: RecordDetail | null };
  exportConfig: { args: void; result: { json: string } };
  importConfig: { args: { json: string }; result: SaveResult };
  openDatabaseFolder: { args: void; result: { opened: boolean; path: string } };
}

export type ApiMethod = keyof ApiRequests;
export type ApiArgs<M extends ApiMethod> = ApiRequests[M]['args'];
export type ApiResult<M extends ApiMethod> = ApiRequests[M]['result'];

/** Every event the back end pushes. */
export interface ApiEvents {
  /** At most ten a second while a sync runs. */
  syncProgress: SyncProgress;
  runFinished: RunReport;
  schedulerChanged: SchedulerState;
  /** A preview's matches so far (see PreviewProgress): the first page at once, then at most four a second. */
  previewProgress: PreviewProgress;
}

export type ApiEvent = keyof ApiEvents;

/** The API as the renderer sees it (window.s3sync in Electron, an HTTP client in the web preview). */
export type S3SyncApi = {
  [M in ApiMethod]: ApiArgs<M> extends void ? () => Promise<ApiResult<M>> : (args: ApiArgs<M>) => Promise<ApiResult<M>>;
} & {
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
};

export const API_METHODS: readonly ApiMethod[] = [
  'getOverview',
  'saveConnection',
  'testConnection',
  'previewFiles',
  'cancelPreview',
  'sampleFile',
  'saveMapping',
  'setSchedule',
  'syncNow',
  'pauseSchedule',
  'resumeSchedule',
  'listRuns',
  'getRun',
  'runChart',
  'queryRecords',
  'getRecord',
  'exportConfig',
  'importConfig',
  'openDatabaseFolder',
];

export const API_EVENTS: readonly ApiEvent[] = ['syncProgress', 'runFinished', 'schedulerChanged', 'previewProgress'];

/** Where the desktop app asks its window to go: the log of a run (a notification about it was clicked). */
export interface NavigateRequest {
  screen: 'log';
  /** null when the run never reached the run log (it failed before starting). */
  runId: number | null;
}

/**
 * Events only the desktop shell pushes (the web preview has no notifications). Kept apart from
 * ApiEvents so the API object and the HTTP transport need not know them.
 */
export interface DesktopEvents {
  navigate: NavigateRequest;
}

export type DesktopEvent = keyof DesktopEvents;

export const DESKTOP_EVENTS: readonly DesktopEvent[] = ['navigate'];

/** window.s3sync in the desktop app: the API, whose on() also takes the desktop events. */
export type DesktopS3SyncApi = S3SyncApi & {
  on<E extends DesktopEvent>(event: E, listener: (payload: DesktopEvents[E]) => void): () => void;
};
