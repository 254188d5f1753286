// The one API contract between the back end (main process, web preview) and the renderer.
// Every request with its argument and result, and every event. The renderer imports this file for
// types only; argument schemas for validation live beside it in schemas.ts.
import { DATA_TABLES, type ConnectionConfig, type ObjectMapping, type ObjectType, type SyncConfig } from './config';
import type {
  FileStatus,
  RejectedRow,
  RunReport,
  RunStatus,
  ScheduleHours,
  SchedulerState,
  SyncProgress,
  SyncRequestResult,
} from './domain';
import type { AlertDelivery, ChannelResult } from './alerts';
import type { AlertsConfig } from './alerts-config';
import type { AwsProfileSummary } from './sign-in';
import type { PostgresTargetConfig, TargetConfig } from './target-config';

export type {
  ConnectionConfig,
  ObjectMapping,
  ObjectType,
  SyncConfig,
  FileStatus,
  RejectedRow,
  RunReport,
  RunStatus,
  ScheduleHours,
  SchedulerState,
  SyncRequestResult,
  SyncProgress,
  AlertDelivery,
  AlertsConfig,
  ChannelResult,
  PostgresTargetConfig,
  TargetConfig,
};

export interface Overview {
  /** null until a connection has been saved. */
  config: SyncConfig | null;
  /**
   * Whether the keychain holds a secret for the configured access key ID (the secret itself never leaves the back end).
   */
  secretStored: boolean;
  /** Temporary keys: whether the keychain holds their session token. */
  sessionTokenStored: boolean;
  /** The profiles of ~/.aws/config and ~/.aws/credentials, for "Sign in with: AWS profile". */
  awsProfiles: AwsProfileSummary[];
  /** Why the keychain could not be asked, when it could not. */
  keychainProblem: string | null;
  /** Shown once when the settings file was damaged and set aside at start. */
  settingsNotice: string | null;
  /** This computer's SQLite file (where syncs write unless the config's target is PostgreSQL). */
  databasePath: string;
  /**
   * Where syncs write and the Sync log and Data screens read: the SQLite file's path, or the PostgreSQL
   * address and schema (never with a password).
   */
  targetLabel: string;
  /** Whether the keychain holds the password of the configured PostgreSQL target (it never leaves the back end). */
  targetPasswordStored: boolean;
  scheduler: SchedulerState;
  /**
   * Whether the back end can open the database folder in the OS file manager (the desktop app can, the web preview
   * cannot).
   */
  canOpenDatabaseFolder: boolean;
  /** Whether the keychain (or the environment) holds the alert secrets; they never leave the back end. */
  alertSecrets: { smtpPassword: boolean; webhookUrl: boolean };
}

/** The Schedule screen's alert settings, with newly typed secrets (left out to keep the stored ones). */
export interface AlertsInput {
  /** null: no alerts beyond this computer's notification. */
  alerts: AlertsConfig | null;
  smtpPassword?: string;
  webhookUrl?: string;
}

export type TestAlertResult =
  { ok: true; results: ChannelResult[] } | { ok: false; message: string; problems: string[] };

export interface ConnectionInput {
  connection: ConnectionConfig;
  /** A newly typed secret; left out to keep (or use) the one stored in the keychain. */
  secretAccessKey?: string;
  /** A newly typed session token (temporary keys); left out to keep the stored one. */
  sessionToken?: string;
}

/** identity: who the requests were signed as ("arn:aws:sts::…:assumed-role/…" where STS can tell). */
export type TestConnectionResult =
  { ok: true; fileCount: number; more: boolean; identity: string } | { ok: false; message: string };

/** "Where the data goes": this computer's SQLite file, or a shared PostgreSQL database. */
export interface TargetInput {
  target: TargetConfig;
  /** PostgreSQL: a newly typed password; left out to use the stored one (keychain, PGPASSWORD, .pgpass). */
  password?: string;
}

/** problems: "target.url: must be …", one per field the back end refused. */
export type TestTargetResult = { ok: true; message: string } | { ok: false; message: string; problems: string[] };

export interface PreviewFile {
  key: string;
  size: number;
  lastModified: string;
  /**
   * Why the file cannot be a CSV (empty, binary, prose), from its first bytes; absent when it can be one or was not
   * checked.
   */
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
  status: RunStatus;
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
  status: FileStatus;
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
  error: string | null;
  warnings: string[];
}

export interface RunDetail {
  run: RunSummary;
  files: RunFile[];
  rejects: { total: number; items: RejectedRow[] };
  /** The alerts about this run: each delivery (email, webhook) and its outcome, or why none was sent. */
  alerts: AlertDelivery[];
}

export { DATA_TABLES };
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
  /** The chosen trait columns' values, by key (JSON booleans as "true"/"false", objects as JSON text). */
  traitValues?: Record<string, string | number | null>;
}

/**
 * A column of a Data screen table: one of its own, as the database names it (`id` for its ID column,
 * `last_synced_at`), or a trait: a key of its traits (properties for events) JSON.
 */
export type RecordColumn = { field: string } | { trait: string };

/** What a column holds, which says how it sorts and which filter fits it. */
export type RecordColumnType = 'text' | 'number' | 'date' | 'boolean';

export interface RecordColumnInfo {
  column: RecordColumn;
  type: RecordColumnType;
}

/** A table's columns: its own, and the trait keys found in its stored traits (a sample of the newest rows). */
export interface RecordColumns {
  table: DataTable;
  fields: RecordColumnInfo[];
  traits: RecordColumnInfo[];
}

export interface RecordSort {
  column: RecordColumn;
  direction: 'asc' | 'desc';
}

/** One column's filter; bounds are inclusive and either may be left out. Dates are YYYY-MM-DD (UTC days). */
export type RecordFilter =
  | { kind: 'text'; column: RecordColumn; contains: string }
  | { kind: 'number'; column: RecordColumn; min?: number; max?: number }
  | { kind: 'date'; column: RecordColumn; from?: string; to?: string }
  | { kind: 'boolean'; column: RecordColumn; is: boolean };

/**
 * What the Data screen shows of a table, as one request: the screen pages it, an export writes all of
 * it, and every database's Data reader (SQLite, PostgreSQL) answers the same shape.
 */
export interface RecordView {
  table: DataTable;
  /** Looked up in the search index (ID, name, email, …): the same rows on the screen and in its export. */
  search?: string;
  /** Only the records no file in the bucket holds any more. */
  staleOnly?: boolean;
  /** Absent: by ID. Ties are broken by ID, so pages never overlap. */
  sort?: RecordSort;
  /** All must hold. */
  filters?: RecordFilter[];
  /** Trait keys shown as columns after the table's own, in order. */
  columns?: string[];
}

export interface RecordsRequest extends RecordView {
  page: { offset: number; limit: number };
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

/** Records linked to one record (an account's organization, users, events, NPS responses), by name. */
export interface RecordLinkGroup {
  label: string;
  table: DataTable;
  /** How many there are; more: beyond the counted cap (10,000). */
  total: number;
  more: boolean;
  items: { id: string; name: string | null }[];
}

export interface RunChartPoint {
  runId: number;
  startedAt: string;
  status: RunSummary['status'];
  rows: number;
  rejected: number;
}

/** Where in the statement SQLite found the problem (1-based line and column; offset from 0). */
export interface QueryErrorPosition {
  offset: number;
  line: number;
  column: number;
}

export type QueryValue = string | number | null;

export type QueryResult =
  | {
      ok: true;
      columns: string[];
      rows: QueryValue[][];
      offset: number;
      /** Rows in the whole result (runQuery counts them; queryPage repeats the count it was given). */
      total: number;
      elapsedMs: number;
    }
  /** cancelled: by cancelQuery; timedOut: past its time limit. */
  | { ok: false; message: string; position?: QueryErrorPosition; cancelled?: boolean; timedOut?: boolean };

export interface SavedQuery {
  name: string;
  sql: string;
}

export interface StarterQuery extends SavedQuery {
  /** Stable, for the screens that draw a starter's result (the Data screen's NPS trend, events per day). */
  id: 'accounts-by-mrr' | 'users-without-account' | 'events-per-day' | 'nps-by-month' | 'last-run-rejects';
}

export interface SchemaTable {
  name: string;
  columns: { name: string; type: string }[];
}

export interface QueryTools {
  starters: StarterQuery[];
  saved: SavedQuery[];
  schema: SchemaTable[];
}

/**
 * What an export writes: a query's result, a Data screen table as shown (its search, filters, sort and
 * chosen columns), or a run's rejected rows.
 */
export type ExportSource =
  { kind: 'query'; sql: string } | ({ kind: 'table' } & RecordView) | { kind: 'rejects'; runId: number };

export interface ExportRequest {
  source: ExportSource;
  format: 'csv' | 'xlsx';
  /** CSV: start with a UTF-8 byte order mark, so Excel reads accents right (default true). */
  bom?: boolean;
  /** XLSX: one column per key of the traits/properties JSON instead of the JSON text. */
  expandTraits?: boolean;
  /** Chosen by the renderer, so cancelQuery can stop the export. */
  queryId?: string;
}

export type ExportResult =
  /** path: where the desktop app saved it; downloadUrl: where the web preview serves it, once. */
  | { ok: true; rows: number; fileName: string; path: string | null; downloadUrl: string | null }
  /** cancelled: the save dialog was dismissed or cancelQuery stopped it. */
  | { ok: false; message: string; cancelled?: boolean };

/** Every request: argument and result. Methods without an argument take `void`. */
export interface ApiRequests {
  getOverview: { args: void; result: Overview };
  saveConnection: { args: ConnectionInput; result: SaveResult };
  testConnection: { args: ConnectionInput; result: TestConnectionResult };
  /** Connects to the target as a sync would (creating the schema if needed) and says in plain words how it went. */
  testTarget: { args: TargetInput; result: TestTargetResult };
  /** Saves where syncs write; a typed PostgreSQL password goes to the keychain, never into the settings. */
  saveTarget: { args: TargetInput; result: SaveResult };
  /**
   * With a previewId, previewProgress events carry the matches while the listing goes on, and cancelPreview can stop
   * it.
   */
  previewFiles: { args: { type: ObjectType; fileRegex: string; previewId?: string }; result: PreviewResult };
  /** Stops a preview's listing (its previewFiles answers "cancelled"); false when it had already ended. */
  cancelPreview: { args: { previewId: string }; result: { cancelled: boolean } };
  sampleFile: { args: { type: ObjectType; key: string; delimiter?: string; encoding?: string }; result: SampleResult };
  saveMapping: { args: { type: ObjectType; mapping: ObjectMapping | null }; result: SaveResult };
  setSchedule: { args: { everyHours: ScheduleHours | null }; result: SaveResult };
  syncNow: { args: void; result: SyncRequestResult };
  pauseSchedule: { args: void; result: SchedulerState };
  resumeSchedule: { args: void; result: SchedulerState };
  listRuns: { args: { limit: number; beforeId?: number }; result: RunSummary[] };
  getRun: { args: { runId: number; rejectsOffset?: number; rejectsLimit?: number }; result: RunDetail | null };
  runChart: { args: { limit: number }; result: RunChartPoint[] };
  /** One page of a table as the Data screen shows it (search, filters, sort, chosen trait columns). */
  queryRecords: { args: RecordsRequest; result: RecordPage };
  /** A table's own columns and the trait keys its stored traits hold, with what each holds. */
  getRecordColumns: { args: { table: DataTable }; result: RecordColumns };
  /** Remembers the trait columns chosen for a table, in the settings (they travel with exportConfig). */
  saveDataColumns: { args: { table: DataTable; columns: string[] }; result: SaveResult };
  getRecord: { args: { table: DataTable; id: string }; result: RecordDetail | null };
  getRecordLinks: { args: { table: DataTable; id: string }; result: RecordLinkGroup[] };
  exportConfig: { args: void; result: { json: string } };
  importConfig: { args: { json: string }; result: SaveResult };
  openDatabaseFolder: { args: void; result: { opened: boolean; path: string } };
  saveAlerts: { args: AlertsInput; result: SaveResult };
  /** Sends a test alert with these settings (saved or not) on every channel, and says whether each arrived. */
  sendTestAlert: { args: AlertsInput; result: TestAlertResult };
  /** Starters, saved queries and the tables with their columns (for completion). */
  getQueryTools: { args: void; result: QueryTools };
  /** Runs a read-only query on a worker thread: the first page, the row count and the time taken. */
  runQuery: { args: { sql: string; queryId: string; limit: number; timeLimitMs?: number }; result: QueryResult };
  /** Another page of a query that ran (the grid scrolls): `total` is passed back from runQuery. */
  queryPage: {
    args: { sql: string; queryId: string; offset: number; limit: number; total: number };
    result: QueryResult;
  };
  /** Stops a query or an export by its queryId; false when it had already ended. */
  cancelQuery: { args: { queryId: string }; result: { cancelled: boolean } };
  /** Saves (or replaces, by name) a query in the settings; it travels with exportConfig. */
  saveQuery: { args: SavedQuery; result: SaveResult };
  deleteQuery: { args: { name: string }; result: SaveResult };
  /** Desktop: asks where with a save dialog, then writes the file; web preview: a one-time download. */
  exportData: { args: ExportRequest; result: ExportResult };
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
  /** The alerts about a run were delivered (or not) and recorded, a while after its runFinished. */
  alertsRecorded: { runId: number | null; deliveries: AlertDelivery[] };
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
  'testTarget',
  'saveTarget',
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
  'getRecordColumns',
  'saveDataColumns',
  'getRecord',
  'getRecordLinks',
  'exportConfig',
  'importConfig',
  'openDatabaseFolder',
  'saveAlerts',
  'sendTestAlert',
  'getQueryTools',
  'runQuery',
  'queryPage',
  'cancelQuery',
  'saveQuery',
  'deleteQuery',
  'exportData',
];

export const API_EVENTS: readonly ApiEvent[] = [
  'syncProgress',
  'runFinished',
  'schedulerChanged',
  'previewProgress',
  'alertsRecorded',
];

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
