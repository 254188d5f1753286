// The app's sync back end in plain Node: settings, database, secrets and schedule wired together.
// The desktop shell and the web preview serve this object; tests drive it directly. Syncs run on a
// worker thread (sync-worker.ts): this thread never parses CSV or writes records, it keeps its own
// connection only to read the run log.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { SyncConfig } from '../../shared/config';
import type { SyncProgress, SyncReport, SyncRequestResult, SyncTrigger } from '../../shared/domain';
import { finishRun, lastRunStart, markInterruptedRuns, startRun } from '../db/run-log';
import { SyncScheduler, type SchedulerClock } from '../sync/scheduler';
import type { SecretStore } from '../config/secret-store';
import { resolveSignInSecrets, type SignInSecrets } from '../config/sign-in-secrets';
import { describeConfigChange, SettingsStore } from '../config/settings-store';
import { isDatabaseBusy, openDatabase, withoutBusyWait, type SqliteDatabase } from '../db/sqlite-database';
import { SyncWorker } from '../worker/sync-worker-client';
import { AlertDispatcher, type AlertDispatcherOptions } from '../alerts/alert-dispatcher';
import type { AlertDelivery } from '../../shared/alerts';

export const DATABASE_FILE_NAME = 's3-csv-sync.sqlite';

export interface SyncServiceOptions {
  /** Holds settings.json and the database. */
  dataDir: string;
  secretStore: SecretStore;
  env?: Readonly<Record<string, string | undefined>>;
  clock?: SchedulerClock;
  tickMs?: number;
  /** Delivery of alerts: shorter timeouts, a private certificate authority (tests). */
  alertDelivery?: Pick<AlertDispatcherOptions, 'policy' | 'email'>;
}

/** How long stopping waits for alerts still being delivered before the database closes. */
const ALERTS_GRACE_MS = 5_000;

export class SyncService {
  readonly settings: SettingsStore;
  readonly dbPath: string;
  readonly scheduler: SyncScheduler;
  readonly alerts: AlertDispatcher;
  private readonly db: SqliteDatabase;
  private readonly worker = new SyncWorker();
  private readonly secretStore: SecretStore;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly progressListeners = new Set<(progress: SyncProgress) => void>();
  private readonly alertListeners = new Set<(runId: number | null, deliveries: AlertDelivery[]) => void>();
  private currentRun: AbortController | null = null;
  private readonly unsubscribeSettings: () => void;

  constructor(options: SyncServiceOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    this.settings = new SettingsStore({ cwd: options.dataDir });
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
    this.alerts = new AlertDispatcher({
      db: this.db,
      getConfig: () => this.settings.getConfig(),
      secrets: { env: this.env, store: this.secretStore },
      runLogHint: (runId) =>
        `open S3 CSV Sync on ${hostname()} and go to Sync log${runId === null ? '' : `, run #${runId}`}.`,
      ...options.alertDelivery,
    });
    // After the run is recorded, and without holding up the scheduler: alerts never delay the next sync.
    this.scheduler.on('run-finished', (report) => {
      void this.alerts.afterRun(report).then((deliveries) => {
        if (deliveries.length) this.alertListeners.forEach((listener) => listener(report.runId, deliveries));
      });
    });
    this.unsubscribeSettings = this.settings.onConfigChange(({ before, after }) => this.onConfigChanged(before, after));
  }

  start(): void {
    this.scheduler.start();
  }

  /**
   * A manual sync; refused when no object type is switched on (it would record a "succeeded" run that read
   * nothing).
   */
  syncNow(): SyncRequestResult {
    const config = this.settings.getConfig();
    if (config && !Object.values(config.objects).some((mapping) => mapping?.enabled))
      return {
        started: false,
        reason:
          'Nothing to sync: no object type is switched on. On the Objects screen, switch one on, map its columns and save it.',
      };
    return this.scheduler.syncNow('manual');
  }

  onProgress(listener: (progress: SyncProgress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  /** Called once the alerts about a run have been delivered (or not) and recorded. */
  onAlertsRecorded(listener: (runId: number | null, deliveries: AlertDelivery[]) => void): () => void {
    this.alertListeners.add(listener);
    return () => this.alertListeners.delete(listener);
  }

  /** Stops scheduling and the running sync (its current file is rolled back), then closes the database. */
  async stop(): Promise<void> {
    this.unsubscribeSettings();
    this.currentRun?.abort();
    await this.scheduler.stop();
    await this.worker.close();
    await Promise.race([this.alerts.idle(), new Promise((resolve) => setTimeout(resolve, ALERTS_GRACE_MS).unref())]);
    this.db.close();
  }

  /** Vitally runs a sync right after the schedule or a mapping changes; so do we. */
  private onConfigChanged(before: SyncConfig | null, after: SyncConfig | null): void {
    const change = describeConfigChange(before, after);
    if (change.connectionChanged) this.scheduler.releaseScheduledRuns(); // perhaps new keys: try again
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
      let secrets: SignInSecrets;
      try {
        secrets = await resolveSignInSecrets(config.connection, { env: this.env, store: this.secretStore });
      } catch (error) {
        // A missing secret or a locked keychain is a failed run like any other: it goes in the run log.
        return this.recordRunThatCouldNotStart(trigger, 'failed', (error as Error).message);
      }
      if (stop.signal.aborted)
        return this.recordRunThatCouldNotStart(trigger, 'interrupted', 'The sync was stopped before it started.');
      const report = await this.worker.run(
        { config, ...secrets, dbPath: this.dbPath, trigger },
        {
          signal: stop.signal,
          onProgress: (progress) => this.progressListeners.forEach((listener) => listener(progress)),
        },
      );
      // Expired keys fail every scheduled run the same way: one failure (and notification), then a hold.
      if (report.credentialsExpired) this.scheduler.holdScheduledRuns(report.error ?? 'The sign-in has expired.');
      else if (report.status === 'succeeded' || report.status === 'partial') this.scheduler.releaseScheduledRuns();
      return report;
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
