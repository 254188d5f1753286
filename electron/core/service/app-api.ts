// The API object behind the one contract (electron/shared/contract.ts): what the renderer may ask and
// what it is told. Electron IPC and the web preview's HTTP serve this same object; only the
// transport differs. Plain Node: tested directly.
import { filePatternMessage } from '../../shared/file-pattern';
import type {
  ApiArgs,
  ApiEvent,
  ApiEvents,
  ApiMethod,
  ApiResult,
  ConnectionInput,
  Overview,
  PreviewFile,
  SaveResult,
  SampleResult,
  TestConnectionResult,
} from '../../shared/contract';
import { ConfigError, parseConfig, type ObjectType, type SyncConfig } from '../../shared/config';
import { whereJsonFailed } from '../config/config-file';
import { readCsv, type CsvEncoding, type Delimiter } from '../csv/rows';
import { headerFromStart, SNIFF_BYTES, whyNotCsv } from '../csv/sniff-file';
import {
  compileFilePatterns,
  createS3Client,
  listSelectedFiles,
  openObject,
  prefixSlashCheck,
  readObjectStart,
  previewFilesOf,
  testConnection,
  type Selection,
} from '../s3/s3-source';
import { KeychainUnavailableError, type SecretStore } from '../config/secret-store';
import {
  resolveSignInSecrets,
  sessionTokenAccount,
  storedSignInSecrets,
  type SignInSecrets,
} from '../config/sign-in-secrets';
import { listAwsProfiles } from '../config/aws-profiles';
import { describeIdentity } from '../s3/identity';
import { METHODS_WITH_KEYS, signInOf } from '../../shared/sign-in';
import type { SyncService } from './sync-service';
import { createAlertHandlers } from './alert-api';
import { createTargetHandlers, describeTarget, localFileOnly } from './target-api';
import { createWorkbench, type ExportDestination } from './workbench-api';

export type ApiHandlers = { [M in ApiMethod]: (args: ApiArgs<M>) => Promise<ApiResult<M>> };

export interface AppApi extends ApiHandlers {
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  close(): void;
}

export interface AppApiOptions {
  service: SyncService;
  secretStore: SecretStore;
  env?: Readonly<Record<string, string | undefined>>;
  /** Opens a folder in the OS file manager; absent where that is impossible (the web preview). */
  openFolder?: (path: string) => Promise<void>;
  /** Where exports go: a save dialog in the desktop app, a one-time download in the web preview. */
  chooseExportDestination?: ExportDestination;
}

/** Rows shown under the column pickers, so the analyst sees what each column holds. */
const SAMPLE_ROWS = 20;
/** At most four previewProgress events a second per preview (besides the first page's, sent at once). */
export const PREVIEW_PROGRESS_MS = 250;
const PREVIEW_CANCELLED = 'The preview was cancelled (a newer pattern replaced it).';
/** The preview reads the first bytes of this many selected files to flag those that are not CSVs. */
export const PREVIEW_SNIFFED_FILES = 50;
const SNIFF_CONCURRENCY = 6;

/**
 * Marks the first PREVIEW_SNIFFED_FILES files that cannot be CSVs, and gives the others' headers (a file
 * that cannot be read is left unmarked).
 */
async function flagNonCsvFiles(
  files: PreviewFile[],
  readStart: (key: string) => Promise<Uint8Array>,
): Promise<PreviewFile[]> {
  const flagged = [...files];
  let next = 0;
  async function worker() {
    while (next < Math.min(files.length, PREVIEW_SNIFFED_FILES)) {
      const i = next++;
      const file = files[i]!;
      const start = file.size === 0 ? new Uint8Array() : await readStart(file.key).catch(() => null);
      const notCsv = start && whyNotCsv(start, file.size);
      const columns = start && !notCsv ? headerFromStart(start) : null;
      if (notCsv) flagged[i] = { ...file, notCsv };
      else if (columns) flagged[i] = { ...file, columns };
    }
  }
  await Promise.all(Array.from({ length: SNIFF_CONCURRENCY }, worker));
  return flagged;
}

export function createAppApi({
  service,
  secretStore,
  env = process.env,
  openFolder,
  chooseExportDestination,
}: AppApiOptions): AppApi {
  const { settings, scheduler } = service;
  const workbench = createWorkbench({
    dbPath: service.dbPath,
    getConfig: () => settings.getConfig(),
    saveConfig: (next) => save(next),
    chooseExportDestination,
  });

  /** Typed secrets win; else the environment, else the keychain. */
  async function secretsFor(input: ConnectionInput): Promise<SignInSecrets> {
    const { method } = signInOf(input.connection);
    const typed: SignInSecrets = {
      ...(input.secretAccessKey ? { secretAccessKey: input.secretAccessKey } : {}),
      ...(input.sessionToken ? { sessionToken: input.sessionToken } : {}),
    };
    const complete = method === 'accessKey' ? typed.secretAccessKey : typed.secretAccessKey && typed.sessionToken;
    if (!METHODS_WITH_KEYS.includes(method) || complete) return typed;
    return { ...(await resolveSignInSecrets(input.connection, { env, store: secretStore })), ...typed };
  }

  async function withClient<T>(
    input: ConnectionInput,
    use: (client: ReturnType<typeof createS3Client>) => Promise<T>,
  ): Promise<T> {
    const client = createS3Client(input.connection, await secretsFor(input), undefined, env);
    try {
      return await use(client);
    } finally {
      client.destroy();
    }
  }

  function currentConnection(): ConnectionInput {
    const config = settings.getConfig();
    if (!config) throw new Error('There is no connection yet: fill in the Connection screen and save it first.');
    return { connection: config.connection };
  }

  function save(next: unknown): SaveResult {
    try {
      return { ok: true, config: settings.setConfig(next), scheduler: scheduler.getState() };
    } catch (error) {
      if (error instanceof ConfigError) return { ok: false, message: error.message, problems: error.problems };
      throw error;
    }
  }

  function requireConfig(): SyncConfig {
    const config = settings.getConfig();
    if (!config) throw new Error('Save a connection first.');
    return config;
  }

  const alertHandlers = createAlertHandlers({ service, secretStore, env, requireConfig, save });
  const targetHandlers = createTargetHandlers({ dbPath: service.dbPath, secretStore, env, requireConfig, save });

  /** Previews still listing, by the renderer's previewId, so that cancelPreview can abort them. */
  const previewsInFlight = new Map<string, AbortController>();

  /**
   * The onPage of a preview's listing: pushes previewProgress for the first page at once, then at
   * most every PREVIEW_PROGRESS_MS (a page of S3 takes ~0.2 s; the renderer needs no more), and
   * nothing once the preview is cancelled. Nothing for the last page either: the final state is the
   * request's own answer (so a prefix listed in one page pushes nothing, and the screen does not
   * flash "so far" before its count).
   */
  function throttledPreviewProgress(
    previewId: string,
    type: ObjectType,
    signal: AbortSignal,
  ): (selection: Selection, last: boolean) => void {
    let lastSent = -Infinity;
    return (selection, last) => {
      const now = performance.now();
      if (last || signal.aborted || now - lastSent < PREVIEW_PROGRESS_MS) return;
      lastSent = now;
      emit('previewProgress', {
        previewId,
        type,
        selected: previewFilesOf(selection, type),
        overCap: selection.overCap[type],
        listedCount: selection.listedCount,
      });
    };
  }

  const handlers: ApiHandlers = {
    getQueryTools: workbench.getQueryTools,
    // The workbench and the exports read the SQLite file only: with a PostgreSQL target they say so.
    async runQuery(args) {
      const refusal = localFileOnly(service.targetConfig(), 'query', env);
      return refusal ? { ok: false, message: refusal } : workbench.runQuery(args);
    },
    async queryPage(args) {
      const refusal = localFileOnly(service.targetConfig(), 'query', env);
      return refusal ? { ok: false, message: refusal } : workbench.queryPage(args);
    },
    cancelQuery: workbench.cancelQuery,
    saveQuery: workbench.saveQuery,
    deleteQuery: workbench.deleteQuery,
    async exportData(args) {
      const refusal = localFileOnly(service.targetConfig(), 'export', env);
      return refusal ? { ok: false, message: refusal } : workbench.exportData(args);
    },

    async getOverview(): Promise<Overview> {
      const config = settings.getConfig();
      let secretStored = false;
      let sessionTokenStored = false;
      let keychainProblem: string | null = null;
      if (config) {
        try {
          ({ secretAccessKey: secretStored, sessionToken: sessionTokenStored } = await storedSignInSecrets(
            config.connection,
            secretStore,
          ));
        } catch (error) {
          if (!(error instanceof KeychainUnavailableError)) throw error;
          keychainProblem = error.message;
        }
      }
      return {
        config,
        secretStored,
        sessionTokenStored,
        awsProfiles: await listAwsProfiles(env),
        keychainProblem,
        settingsNotice: settings.startupNotice?.message ?? null,
        databasePath: service.dbPath,
        targetLabel: describeTarget(config?.target, service.dbPath, env),
        targetPasswordStored: await targetHandlers.targetPasswordStored(config),
        scheduler: scheduler.getState(),
        canOpenDatabaseFolder: openFolder !== undefined,
        alertSecrets: await alertHandlers.alertSecretsStored(config),
      };
    },

    async saveConnection(input) {
      const current = settings.getConfig();
      const next = { objects: {}, schedule: { everyHours: null }, ...current, connection: input.connection };
      // Validate before touching the keychain, so a refused save stores nothing at all.
      try {
        parseConfig(next);
      } catch (error) {
        if (error instanceof ConfigError) return { ok: false, message: error.message, problems: error.problems };
        throw error;
      }
      const { method } = signInOf(input.connection);
      const keyId = input.connection.accessKeyId;
      if (METHODS_WITH_KEYS.includes(method) && keyId && (input.secretAccessKey || input.sessionToken)) {
        try {
          if (input.secretAccessKey) await secretStore.set(keyId, input.secretAccessKey);
          if (input.sessionToken && method === 'temporaryKeys')
            await secretStore.set(sessionTokenAccount(keyId), input.sessionToken);
        } catch (error) {
          if (error instanceof KeychainUnavailableError) return { ok: false, message: error.message, problems: [] };
          throw error;
        }
      }
      return save(next);
    },

    async testConnection(input): Promise<TestConnectionResult> {
      try {
        const listed = await withClient(input, (client) => testConnection(client, input.connection));
        const identity = await describeIdentity(input.connection, await secretsFor(input), env);
        return { ok: true, ...listed, identity };
      } catch (error) {
        return { ok: false, message: (error as Error).message };
      }
    },

    testTarget: targetHandlers.testTarget,
    saveTarget: targetHandlers.saveTarget,

    async previewFiles({ type, fileRegex, previewId }) {
      const patternProblem = filePatternMessage(fileRegex);
      if (patternProblem) return { ok: false, message: patternProblem };
      // Without an id nobody could tell its events apart or cancel it: it is listed quietly.
      const controller = new AbortController();
      if (previewId !== undefined) {
        previewsInFlight.get(previewId)?.abort(); // the same id sent twice: the later one wins
        previewsInFlight.set(previewId, controller);
      }
      const progress =
        previewId === undefined ? undefined : throttledPreviewProgress(previewId, type, controller.signal);
      try {
        const input = currentConnection();
        const patterns = compileFilePatterns({ [type]: { enabled: true, fileRegex } });
        const slashCheck = prefixSlashCheck(input.connection.prefix, patterns[type]!);
        const { selection, selected } = await withClient(input, async (client) => {
          const selection = await listSelectedFiles(client, input.connection, patterns, {
            signal: controller.signal,
            onPage: progress,
            onKey: slashCheck.onKey,
          });
          const selected = await flagNonCsvFiles(previewFilesOf(selection, type), (key) =>
            readObjectStart(client, input.connection, key, SNIFF_BYTES),
          );
          return { selection, selected };
        });
        const warning = slashCheck.warning(selection, type);
        if (controller.signal.aborted) return { ok: false, message: PREVIEW_CANCELLED };
        return {
          ok: true,
          selected,
          overCap: selection.overCap[type],
          listedCount: selection.listedCount,
          ...(warning ? { warning } : {}),
        };
      } catch (error) {
        if (controller.signal.aborted) return { ok: false, message: PREVIEW_CANCELLED };
        return { ok: false, message: (error as Error).message };
      } finally {
        if (previewId !== undefined && previewsInFlight.get(previewId) === controller)
          previewsInFlight.delete(previewId);
      }
    },

    async cancelPreview({ previewId }) {
      const controller = previewsInFlight.get(previewId);
      if (!controller) return { cancelled: false };
      previewsInFlight.delete(previewId);
      controller.abort();
      return { cancelled: true };
    },

    async sampleFile({ key, delimiter, encoding }): Promise<SampleResult> {
      try {
        const input = currentConnection();
        return await withClient(input, async (client) => {
          const object = await openObject(client, input.connection, key);
          let columns: string[] = [];
          let detected = delimiter ?? ',';
          const rows: string[][] = [];
          for await (const event of readCsv(object.body, {
            delimiter: delimiter as Delimiter | undefined,
            encoding: encoding as CsvEncoding | undefined,
          })) {
            if (event.kind === 'header') {
              columns = event.columns;
              detected = event.delimiter;
            } else {
              rows.push(...event.rows.slice(0, SAMPLE_ROWS - rows.length));
            }
            if (rows.length >= SAMPLE_ROWS) break;
          }
          return { ok: true, key, columns, rows, delimiter: detected };
        });
      } catch (error) {
        return { ok: false, message: (error as Error).message };
      }
    },

    async saveMapping({ type, mapping }) {
      const config = requireConfig();
      const objects: Record<string, unknown> = { ...config.objects };
      if (mapping === null) delete objects[type];
      else objects[type] = mapping;
      return save({ ...config, objects });
    },

    async setSchedule({ everyHours }) {
      return save({ ...requireConfig(), schedule: { everyHours } });
    },

    async syncNow() {
      return service.syncNow();
    },

    async pauseSchedule() {
      scheduler.pause();
      return scheduler.getState();
    },

    async resumeSchedule() {
      scheduler.resume();
      return scheduler.getState();
    },

    // The Sync log and Data screens read from the target syncs write to (SyncService.readTarget).
    listRuns: async (args) => (await service.readTarget()).listRuns(args),
    getRun: async (args) => (await service.readTarget()).getRun(args),
    runChart: async (args) => (await service.readTarget()).runChart(args),
    getRecord: async (args) => (await service.readTarget()).getRecord(args),
    getRecordLinks: async (args) => (await service.readTarget()).getRecordLinks(args),

    async queryRecords(request) {
      // On this computer a sort or a filter reads every row (seconds on a million): on a query worker. A
      // plain page (in ID order, its search through the index) is answered here at once.
      const onWorker = service.targetConfig().kind === 'sqlite' && (request.sort || request.filters?.length);
      return onWorker ? workbench.queryRecords(request) : (await service.readTarget()).queryRecords(request);
    },

    // A sample of the newest rows: tens of milliseconds on a million.
    getRecordColumns: async (args) => (await service.readTarget()).getRecordColumns(args),

    async saveDataColumns({ table, columns }) {
      const config = settings.getConfig();
      if (!config)
        return {
          ok: false,
          message: 'Chosen columns are kept with the configuration: save a connection first.',
          problems: [],
        };
      const unique = [...new Set(columns)];
      return save({ ...config, dataColumns: { ...config.dataColumns, [table]: unique } });
    },

    async exportConfig() {
      return { json: `${JSON.stringify(requireConfig(), null, 2)}\n` };
    },

    async importConfig({ json }) {
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch (error) {
        const problem = `it is not valid JSON${whereJsonFailed(error, json)}`;
        return { ok: false, message: `The imported configuration is not valid: ${problem}`, problems: [problem] };
      }
      return save(value);
    },

    async openDatabaseFolder() {
      if (!openFolder) return { opened: false, path: service.dbPath };
      await openFolder(service.dbPath);
      return { opened: true, path: service.dbPath };
    },

    saveAlerts: alertHandlers.saveAlerts,
    sendTestAlert: alertHandlers.sendTestAlert,
  };

  const unsubscribers: (() => void)[] = [];
  const listeners: { [E in ApiEvent]: Set<(payload: ApiEvents[E]) => void> } = {
    syncProgress: new Set(),
    runFinished: new Set(),
    schedulerChanged: new Set(),
    previewProgress: new Set(),
    alertsRecorded: new Set(),
  };
  const emit = <E extends ApiEvent>(event: E, payload: ApiEvents[E]) =>
    listeners[event].forEach((listener) => listener(payload));
  unsubscribers.push(
    service.onProgress((p) => emit('syncProgress', p)),
    scheduler.on('run-finished', (r) => emit('runFinished', r)),
    scheduler.on('state-changed', (s) => emit('schedulerChanged', s)),
    service.onAlertsRecorded((runId, deliveries) => emit('alertsRecorded', { runId, deliveries })),
  );

  return {
    ...handlers,
    on(event, listener) {
      listeners[event].add(listener);
      return () => listeners[event].delete(listener);
    },
    close() {
      unsubscribers.forEach((unsubscribe) => unsubscribe());
      previewsInFlight.forEach((controller) => controller.abort());
      previewsInFlight.clear();
      void workbench.close();
    },
  };
}
