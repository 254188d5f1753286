// A fake S3SyncApi for component tests: every request is a vi.fn with a plausible default answer, and
// emit() pushes events the way the back end would.
import { vi, type Mock } from 'vitest';
import type {
  ApiEvent,
  ApiEvents,
  ApiMethod,
  ApiResult,
  DataTable,
  Overview,
  RecordColumns,
  RunDetail,
  RunSummary,
  S3SyncApi,
  SchedulerState,
  SyncConfig,
} from '../../electron/shared/contract';

export const IDLE_SCHEDULER: SchedulerState = {
  everyHours: null,
  paused: false,
  running: false,
  runningSince: null,
  lastRunStart: null,
  nextRunAt: null,
  heldReason: null,
};

export const CONNECTION = {
  bucket: 'acme-exports',
  prefix: 'vitally/',
  region: 'us-east-1',
  accessKeyId: 'AKIAEXAMPLE',
  endpoint: 'http://127.0.0.1:9000',
  forcePathStyle: true,
};

export function makeConfig(objects: SyncConfig['objects'] = {}, everyHours: 6 | 12 | 24 | null = null): SyncConfig {
  return { connection: { ...CONNECTION }, objects, schedule: { everyHours } };
}

export function makeOverview(patch: Partial<Overview> = {}): Overview {
  return {
    config: null,
    secretStored: false,
    sessionTokenStored: false,
    awsProfiles: [],
    keychainProblem: null,
    settingsNotice: null,
    databasePath: '/home/ana/.config/S3 CSV Sync/s3-csv-sync.sqlite',
    targetLabel: '/home/ana/.config/S3 CSV Sync/s3-csv-sync.sqlite',
    targetPasswordStored: false,
    scheduler: IDLE_SCHEDULER,
    canOpenDatabaseFolder: false,
    alertSecrets: { smtpPassword: false, webhookUrl: false },
    ...patch,
  };
}

export function makeRun(patch: Partial<RunSummary> = {}): RunSummary {
  return {
    id: 1,
    trigger: 'manual',
    status: 'succeeded',
    startedAt: '2026-03-02T10:00:00.000Z',
    finishedAt: '2026-03-02T10:00:04.500Z',
    error: null,
    filesImported: 2,
    filesUnchanged: 0,
    filesFailed: 0,
    rows: 120,
    created: 100,
    updated: 15,
    skipped: 2,
    rejected: 3,
    overCap: {},
    filesGone: [],
    ...patch,
  };
}

type Handlers = { [M in ApiMethod]: Mock<(args: never) => Promise<ApiResult<M>>> };

export type FakeApi = S3SyncApi &
  Handlers & {
    emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void;
    listenerCount(event: ApiEvent): number;
  };

export function createFakeApi(overview: Overview = makeOverview()): FakeApi {
  const listeners = new Map<ApiEvent, Set<(payload: never) => void>>();
  const saved = (config: SyncConfig) => ({ ok: true as const, config, scheduler: IDLE_SCHEDULER });
  const emptyDetail: RunDetail | null = null;
  const handlers = {
    getOverview: vi.fn(async () => overview),
    saveConnection: vi.fn(async (input: { connection: SyncConfig['connection'] }) =>
      saved({ ...makeConfig(), connection: input.connection }),
    ),
    testConnection: vi.fn(async () => ({ ok: true as const, fileCount: 12, more: false })),
    testTarget: vi.fn(async () => ({ ok: true as const, message: 'Connected.' })),
    saveTarget: vi.fn(async (input: { target: SyncConfig['target'] }) =>
      saved({ ...makeConfig(), target: input.target }),
    ),
    previewFiles: vi.fn(async () => ({ ok: true as const, selected: [], overCap: 0, listedCount: 0 })),
    cancelPreview: vi.fn(async () => ({ cancelled: true })),
    sampleFile: vi.fn(async ({ key }: { key: string }) => ({
      ok: true as const,
      key,
      columns: [],
      rows: [],
      delimiter: ',',
    })),
    saveMapping: vi.fn(async () => saved(makeConfig())),
    setSchedule: vi.fn(async () => saved(makeConfig())),
    syncNow: vi.fn(async () => ({ started: true as const, startedAt: Date.now() })),
    pauseSchedule: vi.fn(async () => ({ ...IDLE_SCHEDULER, paused: true })),
    resumeSchedule: vi.fn(async () => IDLE_SCHEDULER),
    listRuns: vi.fn(async () => [] as RunSummary[]),
    getRun: vi.fn(async () => emptyDetail),
    runChart: vi.fn(async () => []),
    queryRecords: vi.fn(async ({ table, offset }: { table: 'accounts'; offset: number }) => ({
      table,
      total: 0,
      offset,
      rows: [],
      staleCount: 0,
    })),
    getRecordColumns: vi.fn(async ({ table }: { table: DataTable }): Promise<RecordColumns> => ({
      table,
      fields: [
        { column: { field: 'id' }, type: 'text' },
        { column: { field: 'last_synced_at' }, type: 'date' },
      ],
      traits: [],
    })),
    saveDataColumns: vi.fn(async () => saved(makeConfig())),
    getRecord: vi.fn(async () => null),
    getRecordLinks: vi.fn(async () => []),
    exportConfig: vi.fn(async () => ({ json: '{}' })),
    importConfig: vi.fn(async () => saved(makeConfig())),
    openDatabaseFolder: vi.fn(async () => ({ opened: true, path: overview.databasePath })),
    saveAlerts: vi.fn(async () => saved(makeConfig())),
    sendTestAlert: vi.fn(async () => ({ ok: true as const, results: [] })),
    getQueryTools: vi.fn(async () => ({ starters: [], saved: [], schema: [] })),
    runQuery: vi.fn(async () => ({ ok: true as const, columns: [], rows: [], offset: 0, total: 0, elapsedMs: 1 })),
    queryPage: vi.fn(async () => ({ ok: true as const, columns: [], rows: [], offset: 0, total: 0, elapsedMs: 1 })),
    cancelQuery: vi.fn(async () => ({ cancelled: true })),
    saveQuery: vi.fn(async () => saved(makeConfig())),
    deleteQuery: vi.fn(async () => saved(makeConfig())),
    exportData: vi.fn(async () => ({ ok: false as const, message: 'not in tests', cancelled: true })),
  };
  return {
    ...handlers,
    on(event: ApiEvent, listener: (payload: never) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    emit(event: ApiEvent, payload: unknown) {
      for (const listener of [...(listeners.get(event) ?? [])]) (listener as (p: unknown) => void)(payload);
    },
    listenerCount(event: ApiEvent) {
      return listeners.get(event)?.size ?? 0;
    },
  } as unknown as FakeApi;
}
