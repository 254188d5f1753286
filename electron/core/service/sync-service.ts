// The app's sync back end in plain Node: settings, database, secrets and schedule wired together.
// The desktop shell and the web preview serve this object; tests drive it directly. Syncs run on a
// worker thread (sync-worker.ts): this thread never parses CSV or writes records, it keeps its own
// connection only to read the run log.
import { filePatternProblem } from '../s3/file-pattern';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncConfig } from '../../shared/config';
import { finishRun, lastRunStart, markInterruptedRuns, startRun, type SyncReport } from '../db/run-log';
import { SyncScheduler, type SchedulerClock, type SyncRequestResult, type SyncTrigger } from '../sync/scheduler';
import { resolveSecret, type SecretStore } from '../config/secret-store';
import { describeConfigChange, SettingsStore } from '../config/settings-store';
import { isDatabaseBusy, openDatabase, withoutBusyWait, type SqliteDatabase } from '../db/store';
import type { SyncProgress } from '../sync/run-sync';
import { SyncWorker } from '../worker/sync-worker-client';

export const DATABASE_FILE_NAME = 's3-csv-sync.sqlite';

export interface SyncServiceOptions {
  /** Holds settings.json and the database. */
  dataDir: string;
  secretStore: SecretStore;
  env?: Readonly<Record<string, string | undefined>>;
  clock?: SchedulerClock;
  tickMs?: number;
}

export class SyncService {
  readonly settings: SettingsStore;
  readonly dbPath: string;
  readonly scheduler: SyncScheduler;
  private readonly db: SqliteDatabase;
  private readonly worker = new SyncWorker();
  private readonly secretStore: SecretStore;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly progressListeners = new Set<(progress: SyncProgress) => void>();
  private currentRun: AbortController | null = null;
  private readonly unsubscribeSettings: () => void;

  constructor(options: SyncServiceOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    this.settings = new SettingsStore({ cwd: options.dataDir, checks: { filePatternProblem } });
    this.dbPath = join(options.dataDir, DATABASE_FILE_NAME);
    this.db = openDatabase(this.dbPath);
    // A run still marked running was cut short when the app last stopped. If another program holds
    // the write lock right now, the app must still open, at once (this runs before the window shows):
    // the next sync marks them (runSync does too).
    try {
      withoutBusyWait(this.db, () => markInterruptedRuns(this.db));
    } catch (error) {
      if (!isDatabaseBusy(error)) throw error;
    }
    this.secretStore = options.secretStore;
    this.env = options.env ?? process.env;
    this.scheduler = new SyncScheduler({
      clock: options.clock,
      tickMs: options.tickMs,
      everyHours: this.settings.getConfig()?.schedule.everyHours ?? null,
      getLastRunStart: () => lastRunStart(this.db),
      runSync: (trigger) => this.runOnce(trigger),
    });
    this.unsubscribeSettings = this.settings.onConfigChange(({ before, after }) => this.onConfigChanged(before, after));
  }

  start(): void {
    this.scheduler.start();
  }

  syncNow(): SyncRequestResult {
    return this.scheduler.syncNow('manual');
  }

  onProgress(listener: (progress: SyncProgress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** Stops scheduling and the running sync (its current file is rolled back), then closes the database. */
  async stop(): Promise<void> {
    this.unsubscribeSettings();
    this.currentRun?.abort();
    await this.scheduler.stop();
    await this.worker.close();
    this.db.close();
  }

  /** Vitally runs a sync right after the schedule or a mapping changes; so do we. */
  private onConfigChanged(before: SyncConfig | null, after: SyncConfig | null): void {
    const change = describeConfigChange(before, after);
    if (change.scheduleChanged) {
      const result = this.scheduler.setSchedule(after?.schedule.everyHours ?? null);
      if (result.started || !change.mappingChanged) return;
    }
    if (change.mappingChanged && after) this.scheduler.settingsChanged();
  }

  private async runOnce(trigger: SyncTrigger): Promise<SyncReport> {
    // Created before any await, so stop() during the keychain lookup already stops this run.
    const stop = new AbortController();
    this.currentRun = stop;
    try {
      const config = this.settings.getConfig();
      if (!config)
        return this.recordRunThatCouldNotStart(
          trigger,
          'failed',
          'There is no connection set up yet: fill in the Connection screen and save it.',
        );
      let secret: string;
      try {
        ({ secret } = await resolveSecret(config.connection.accessKeyId, { env: this.env, store: this.secretStore }));
      } catch (error) {
        // A missing secret or a locked keychain is a failed run like any other: it goes in the run log.
        return this.recordRunThatCouldNotStart(trigger, 'failed', (error as Error).message);
      }
      if (stop.signal.aborted)
        return this.recordRunThatCouldNotStart(trigger, 'interrupted', 'The sync was stopped before it started.');
      return await this.worker.run(
        { config, secretAccessKey: secret, dbPath: this.dbPath, trigger },
        {
          signal: stop.signal,
          onProgress: (progress) => this.progressListeners.forEach((listener) => listener(progress)),
        },
      );
    } finally {
      this.currentRun = null;
    }
  }

  private recordRunThatCouldNotStart(
    trigger: SyncTrigger,
    status: 'failed' | 'interrupted',
    error: string,
  ): SyncReport {
    const at = new Date().toISOString();
    const report: SyncReport = {
      runId: startRun(this.db, trigger, at),
      status,
      error,
      trigger,
      startedAt: at,
      finishedAt: at,
      files: [],
      overCap: {},
      counts: { files: 0, rows: 0, created: 0, updated: 0, skipped: 0, rejected: 0 },
    };
    finishRun(this.db, report);
    return report;
  }
}
