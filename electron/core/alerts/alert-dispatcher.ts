// After a run is recorded: decide whether it deserves an alert (repeat-rule.ts), compose it, deliver it
// on every channel that is set up, and record each outcome in the run log. Never throws and never
// holds up a sync: callers fire afterRun() and go on (the CLI awaits it before exiting).
import { hostname } from 'node:os';
import type { AlertChannel, AlertDelivery, AlertKind, ChannelResult } from '../../shared/alerts';
import type { AlertsConfig } from '../../shared/alerts-config';
import type { SyncConfig } from '../../shared/config';
import { finishedRunsBefore, lastAlertAt, recordAlertDelivery, runForAlert } from '../db/alert-log';
import { isDatabaseBusy, withoutBusyWait, type SqliteDatabase } from '../db/sqlite-database';
import { composeAlert, MAX_REJECTS_LISTED, type AlertMessage, type AlertRun } from './alert-message';
import { readAlertSecret, redact, type AlertSecretSources } from './alert-secrets';
import { DEFAULT_DELIVERY_POLICY, DeliveryError, deliverWithRetries, type DeliveryPolicy } from './delivery';
import { sendAlertEmail, type EmailExtras } from './email-channel';
import { decideAlert, HISTORY_LIMIT } from './repeat-rule';
import { postAlertWebhook, webhookSecretParts } from './webhook-channel';
import type { RunCounts } from '../../shared/domain';

/** What a run's end reports (the scheduler's RunReport, the CLI's SyncReport). */
export interface FinishedRun {
  runId: number | null;
  status: AlertRun['status'];
  error?: string | null;
  trigger: string;
  startedAt: string;
  finishedAt: string;
  counts: RunCounts;
}

/** Another program holding the database's write lock delays the record, a second at a time, up to a minute. */
const RECORD_ATTEMPTS = 60;
const RECORD_RETRY_MS = 1_000;

export interface AlertDispatcherOptions {
  db: SqliteDatabase;
  /** The configuration at the time of the run's end (the app's settings may change between runs). */
  getConfig: () => SyncConfig | null;
  secrets: AlertSecretSources;
  /** How to open this run's log where it was recorded. */
  runLogHint: (runId: number | null) => string;
  policy?: DeliveryPolicy;
  email?: EmailExtras;
  host?: string;
  now?: () => Date;
}

/** Secrets typed on the Schedule screen but not saved yet, for a test alert. */
export interface TypedAlertSecrets {
  smtpPassword?: string;
  webhookUrl?: string;
}

export class AlertDispatcher {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly policy: DeliveryPolicy;
  private readonly host: string;
  private readonly now: () => Date;

  constructor(private readonly options: AlertDispatcherOptions) {
    this.policy = options.policy ?? DEFAULT_DELIVERY_POLICY;
    this.host = options.host ?? hostname();
    this.now = options.now ?? (() => new Date());
  }

  /** Alerts about a recorded run, as the repeat rule decides; resolves with what was recorded. */
  afterRun(run: FinishedRun): Promise<AlertDelivery[]> {
    const work = this.alertAbout(run).catch((error: unknown) => {
      console.error('Alerts about a sync could not be sent or recorded:', (error as Error)?.message ?? error);
      return [] as AlertDelivery[];
    });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  /** Resolves once every delivery started so far has ended (before the database is closed). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** A test alert on every channel of these settings, tried once each; nothing is recorded. */
  async sendTest(config: SyncConfig, alerts: AlertsConfig, typed: TypedAlertSecrets = {}): Promise<ChannelResult[]> {
    const message = composeAlert({
      kind: 'test',
      run: {
        runId: null,
        status: 'succeeded',
        error: null,
        trigger: 'test',
        startedAt: this.now().toISOString(),
        finishedAt: this.now().toISOString(),
        counts: { files: 0, rows: 0, created: 0, updated: 0, skipped: 0, rejected: 0 },
        files: [],
        rejects: [],
        rejectedTotal: 0,
      },
      source: sourceOf(config),
      streak: 0,
      failingSince: this.now().toISOString(),
      runLogHint: this.options.runLogHint(null),
      host: this.host,
    });
    const results = await this.deliver(alerts, message, { ...this.policy, attempts: 1 }, typed);
    return results.map(({ channel, ok, detail }) => ({ channel, ok, message: detail }));
  }

  private async alertAbout(run: FinishedRun): Promise<AlertDelivery[]> {
    const config = this.options.getConfig();
    const alerts = config?.alerts;
    if (!config || !alerts || !hasRemoteChannel(alerts)) return [];
    const { db } = this.options;
    const recorded =
      run.runId === null
        ? { files: [], rejects: [], rejectedTotal: 0 }
        : runForAlert(db, run.runId, MAX_REJECTS_LISTED);
    const failedFiles = recorded.files
      .filter((f) => f.status === 'failed')
      .map((f) => ({ key: f.key, error: f.error ?? null }));
    const decision = decideAlert(
      { status: run.status, error: run.error ?? null, startedAt: run.startedAt, failedFiles },
      finishedRunsBefore(db, run.runId, HISTORY_LIMIT),
      (runIds) => lastAlertAt(db, runIds, ['still-failing', 'reminder']),
      this.now(),
    );
    if (!decision.send) {
      if (decision.heldBack === null) return [];
      return [await this.record(run.runId, 'failure', 'none', 'held-back', decision.heldBack, 0)];
    }
    const message = composeAlert({
      kind: decision.kind,
      run: { ...run, error: run.error ?? null, ...recorded },
      source: sourceOf(config),
      streak: decision.streak,
      failingSince: decision.failingSince,
      runLogHint: this.options.runLogHint(run.runId),
      host: this.host,
    });
    const results = await this.deliver(alerts, message, this.policy, {});
    const deliveries: AlertDelivery[] = [];
    for (const r of results)
      deliveries.push(
        await this.record(run.runId, decision.kind, r.channel, r.ok ? 'sent' : 'failed', r.detail, r.attempts),
      );
    return deliveries;
  }

  private async deliver(
    alerts: AlertsConfig,
    message: AlertMessage,
    policy: DeliveryPolicy,
    typed: TypedAlertSecrets,
  ): Promise<{ channel: ChannelResult['channel']; ok: boolean; detail: string; attempts: number }[]> {
    const { secrets } = this.options;
    const jobs: Promise<{ channel: ChannelResult['channel']; ok: boolean; detail: string; attempts: number }>[] = [];
    const describe = (error: unknown) => new DeliveryError((error as Error)?.message ?? String(error));
    if (alerts.email) {
      const email = alerts.email;
      jobs.push(
        (async () => {
          let password: string | null = null;
          try {
            password =
              typed.smtpPassword ||
              (email.smtp.user ? await readAlertSecret('smtp-password', secrets, email.smtp) : null);
          } catch (error) {
            return { channel: 'email' as const, ok: false, detail: (error as Error).message, attempts: 0 };
          }
          const result = await deliverWithRetries(
            (timeoutMs) => sendAlertEmail(email, password, message, timeoutMs, this.options.email),
            policy,
            describe,
          );
          return { channel: 'email' as const, ...result, detail: redact(result.detail, [password]) };
        })(),
      );
    }
    if (alerts.webhook?.enabled) {
      jobs.push(
        (async () => {
          let url: string | null;
          try {
            url = typed.webhookUrl || (await readAlertSecret('webhook-url', secrets));
          } catch (error) {
            return { channel: 'webhook' as const, ok: false, detail: (error as Error).message, attempts: 0 };
          }
          if (!url)
            return {
              channel: 'webhook' as const,
              ok: false,
              detail: 'no webhook URL is stored: paste it on the Schedule screen, or set S3_CSV_SYNC_WEBHOOK_URL',
              attempts: 0,
            };
          const result = await deliverWithRetries(
            (timeoutMs) => postAlertWebhook(url, message, timeoutMs),
            policy,
            describe,
          );
          return { channel: 'webhook' as const, ...result, detail: redact(result.detail, webhookSecretParts(url)) };
        })(),
      );
    }
    return Promise.all(jobs);
  }

  /**
   * Written without waiting on another program's lock: the app's main thread, which draws the window, must not
   * block.
   */
  private async record(
    runId: number | null,
    kind: AlertKind,
    channel: AlertChannel,
    outcome: AlertDelivery['outcome'],
    detail: string,
    attempts: number,
  ): Promise<AlertDelivery> {
    const delivery: AlertDelivery = { runId, kind, channel, outcome, detail, attempts, at: this.now().toISOString() };
    for (let attempt = 1; ; attempt++) {
      try {
        withoutBusyWait(this.options.db, () => recordAlertDelivery(this.options.db, delivery));
        return delivery;
      } catch (error) {
        if (!isDatabaseBusy(error) || attempt >= RECORD_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, RECORD_RETRY_MS));
      }
    }
  }
}

function hasRemoteChannel(alerts: AlertsConfig): boolean {
  return Boolean(alerts.email || alerts.webhook?.enabled);
}

export function sourceOf(config: SyncConfig): string {
  return `${config.connection.bucket}/${config.connection.prefix}`;
}
