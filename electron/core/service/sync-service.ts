// The app's sync back end in plain Node: settings, database, secrets and schedule wired together.
// The desktop shell and the web preview serve this object; tests drive it directly. Syncs run on a
// worker thread (sync-worker.ts): this thread never parses CSV or writes records. Syncs write into
// the config's target (this computer's SQLite file, or a PostgreSQL database), and the Sync log and
// Data screens read from the same target (readTarget). Alerts are decided and recorded in the same
// target's run log too (alertLog): with PostgreSQL, its alert_deliveries, shared with a server syncing
// the same source. The SQLite file stays open either way (the workbench reads it).
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
import { SyncWorker, type WorkerSyncRequest } from '../worker/sync-worker-client';
import type { TargetConfig } from '../../shared/target-config';
import { resolvePostgresPassword } from '../config/postgres-password';
import { loginOf } from '../db/postgres/pg-connection';
import { openPostgresReader } from '../db/postgres/pg-reader';
import { openSqliteReader } from '../db/sqlite-reader';
import type { TargetReader } from '../db/target-reader';
import { AlertDispatcher, type AlertDispatcherOptions } from '../alerts/alert-dispatcher';
import { createSqliteAlertLog, type AlertLog } from '../db/alert-log';
import { openPostgresAlertLog, type PostgresAlertLog } from '../db/postgres/pg-alert-log';
import { sourceName } from '../sync/run-sync';
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
  /** The reader of the current target, opened on first use; keyed by the target it reads. */
  private reader: { key: string; opened: Promise<TargetReader> } | null = null;
  /** PostgreSQL: when the last run started, as last read or run (the scheduler asks synchronously). */
  private postgresLastRunStart: number | null = null;
  private readonly unsubscribeSettings: () => void;
  /** The PostgreSQL target's alert log, opened on first use; keyed by the target and source it logs. */
  private postgresAlertLog: { key: string; log: PostgresAlertLog } | null = null;

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
      getLastRunStart: () =>
        this.targetConfig().kind === 'postgres' ? this.postgresLastRunStart : lastRunStart(this.db),
      runSync: (trigger) => this.runOnce(trigger),
    });
    const sqliteAlertLog = createSqliteAlertLog(this.db);
    // The log of whichever target the runs go to, asked at each alert: a run's id is its target's.
    const targetAlertLog: AlertLog = {
      runForAlert: (runId, limit) => (this.alertLog() ?? sqliteAlertLog).runForAlert(runId, limit),
      claim: async (runId, limit, judge) => {
        const shared = this.alertLog();
        if (!shared) return sqliteAlertLog.claim(runId, limit, judge);
        if (runId !== null) return shared.claim(runId, limit, judge);
        // A run that never started, often because the server cannot be reached: then its alert, the
        // one way the team hears of it, is decided and recorded here instead.
        try {
          return await shared.claim(runId, limit, judge);
        } catch {
          return sqliteAlertLog.claim(runId, limit, judge);
        }
      },
    };
    this.alerts = new AlertDispatcher({
      log: targetAlertLog,
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

  /** With a PostgreSQL target, the schedule starts once the last run's start has been read from it. */
  start(): void {
    if (this.targetConfig().kind !== 'postgres') {
      this.scheduler.start();
      return;
    }
    void this.readTarget()
      .then((reader) => this.refreshLastRunStart(reader))
      .catch(() => {}) // unreachable for now: the first sync says why
      .finally(() => this.scheduler.start());
  }

  /** Where syncs write: the config's target, else this computer's SQLite file. */
  targetConfig(): TargetConfig {
    return this.settings.getConfig()?.target ?? { kind: 'sqlite' };
  }

  /**
   * The reader of the Sync log and Data screens for the current target. A PostgreSQL reader that
   * cannot connect rejects with the reason in plain words, and is tried again at the next call.
   */
  readTarget(): Promise<TargetReader> {
    const target = this.targetConfig();
    const key = JSON.stringify(target);
    if (this.reader?.key === key) return this.reader.opened;
    void this.closeReader();
    const opened: Promise<TargetReader> =
      target.kind === 'postgres'
        ? openPostgresReader(target, { env: this.env, store: this.secretStore })
        : Promise.resolve().then(() => openSqliteReader(this.dbPath));
    const entry = { key, opened };
    this.reader = entry;
    opened.catch(() => {
      if (this.reader === entry) this.reader = null;
    });
    return opened;
  }

  /**
   * With a PostgreSQL target, its alert log for this configuration's source (the name runSync gives
   * the runs, so the repeat rule and the claims are those of a server syncing the same source).
   */
  private alertLog(): PostgresAlertLog | null {
    const config = this.settings.getConfig();
    const target = config?.target;
    if (!config || target?.kind !== 'postgres') return null;
    const source = sourceName(config);
    const key = JSON.stringify([target, source]);
    if (this.postgresAlertLog?.key !== key) {
      void this.postgresAlertLog?.log.close();
      this.postgresAlertLog = {
        key,
        log: openPostgresAlertLog(target, { env: this.env, store: this.secretStore }, source),
      };
    }
    return this.postgresAlertLog.log;
  }

  private closeReader(): Promise<void> {
    const previous = this.reader;
    this.reader = null;
    return previous
      ? previous.opened.then(
          (reader) => reader.close(),
          () => {},
        )
      : Promise.resolve();
  }

  private async refreshLastRunStart(reader: TargetReader): Promise<void> {
    this.postgresLastRunStart = await reader.lastRunStart();
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
    await this.closeReader();
    await this.postgresAlertLog?.log.close();
    this.db.close();
  }

  /** Vitally runs a sync right after the schedule or a mapping changes; so do we. */
  private onConfigChanged(before: SyncConfig | null, after: SyncConfig | null): void {
    const change = describeConfigChange(before, after);
    if (JSON.stringify(before?.target ?? null) !== JSON.stringify(after?.target ?? null)) {
      // Another target: its own run log and password. The screens' reader opens again on next use.
      void this.closeReader();
      this.postgresLastRunStart = null;
      this.scheduler.releaseScheduledRuns();
      if (after?.target?.kind === 'postgres')
        void this.readTarget()
          .then((reader) => this.refreshLastRunStart(reader))
          .catch(() => {});
    }
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
      const request: WorkerSyncRequest = { config, ...secrets, dbPath: this.dbPath, trigger };
      if (config.target?.kind === 'postgres') {
        // The keychain is asked here, on the thread that holds it; the worker gets the password found.
        const login = loginOf(config.target.url, this.env);
        const password = await resolvePostgresPassword(login, { env: this.env, store: this.secretStore });
        request.postgres = { target: config.target, password };
      }
      const report = await this.worker.run(request, {
        signal: stop.signal,
        onProgress: (progress) => this.progressListeners.forEach((listener) => listener(progress)),
      });
      if (request.postgres) this.postgresLastRunStart = Date.parse(report.startedAt);
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
    // Recorded in the SQLite run log, which the screens do not read when the target is PostgreSQL:
    // the reason goes to the notification and the tray instead (a failed run without an id).
    if (this.targetConfig().kind === 'postgres') throw new Error(error);
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
