// After a run is recorded: decide whether it deserves an alert (repeat-rule.ts), compose it, deliver it
// on every channel that is set up, and record each outcome in the run log. Never throws and never
// holds up a sync: callers fire afterRun() and go on (the CLI awaits it before exiting).
import { hostname } from 'node:os';
import type { AlertChannel, AlertDelivery, ChannelResult } from '../../shared/alerts';
import type { AlertsConfig } from '../../shared/alerts-config';
import type { SyncConfig } from '../../shared/config';
import { createSqliteAlertLog, type AlertLog } from '../db/alert-log';
import type { SqliteDatabase } from '../db/sqlite-database';
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

/**
 * What a claimed delivery says until it ends: if the program stops before then, it stays, and is true.
 * (Only a shared log writes claims first: db/postgres/pg-alert-log.ts.)
 */
export const UNFINISHED_DELIVERY =
  'Not known to have arrived: the program stopped while delivering this alert (or it is being delivered right now).';

export interface AlertDispatcherOptions {
  /** Where runs are logged and deliveries recorded: a PostgreSQL target's log, or (db) the SQLite file. */
  log?: AlertLog;
  db?: SqliteDatabase;
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
  private readonly log: AlertLog;

  constructor(private readonly options: AlertDispatcherOptions) {
    if (!options.log && !options.db) throw new Error('An AlertDispatcher needs a run log: give it log or db.');
    this.log = options.log ?? createSqliteAlertLog(options.db!);
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
    const recorded =
      run.runId === null
        ? { files: [], rejects: [], rejectedTotal: 0 }
        : await this.log.runForAlert(run.runId, MAX_REJECTS_LISTED);
    const failedFiles = recorded.files
      .filter((f) => f.status === 'failed')
      .map((f) => ({ key: f.key, error: f.error ?? null }));
    const delivery = (fields: Pick<AlertDelivery, 'kind' | 'channel' | 'outcome' | 'detail' | 'attempts'>) => ({
      runId: run.runId,
      ...fields,
      at: this.now().toISOString(),
    });
    // Decided and claimed in one step: two syncers of one shared target never both send it.
    const claimed = await this.log.claim(run.runId, HISTORY_LIMIT, (history) => {
      const decision = decideAlert(
        { status: run.status, error: run.error ?? null, startedAt: run.startedAt, failedFiles },
        history.previous,
        (runIds) => history.lastAlertAt(runIds, ['still-failing', 'reminder']),
        this.now(),
      );
      const deliveries = !decision.send
        ? decision.heldBack === null
          ? []
          : [
              delivery({
                kind: 'failure',
                channel: 'none',
                outcome: 'held-back',
                detail: decision.heldBack,
                attempts: 0,
              }),
            ]
        : remoteChannels(alerts).map((channel) =>
            delivery({ kind: decision.kind, channel, outcome: 'failed', detail: UNFINISHED_DELIVERY, attempts: 0 }),
          );
      return { result: { decision, deliveries }, deliveries };
    });
    if (!claimed) return []; // another syncer of this target has decided about this run
    const { decision, deliveries: claims } = claimed.result;
    if (!decision.send) {
      for (const held of claims) await claimed.settle(held);
      return claims;
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
    for (const r of results) {
      const ended = delivery({
        kind: decision.kind,
        channel: r.channel,
        outcome: r.ok ? 'sent' : 'failed',
        detail: r.detail,
        attempts: r.attempts,
      });
      await claimed.settle(ended);
      deliveries.push(ended);
    }
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
}

function hasRemoteChannel(alerts: AlertsConfig): boolean {
  return remoteChannels(alerts).length > 0;
}

/** The channels deliver() tries, in its order. */
function remoteChannels(alerts: AlertsConfig): Exclude<AlertChannel, 'none'>[] {
  return [...(alerts.email ? (['email'] as const) : []), ...(alerts.webhook?.enabled ? (['webhook'] as const) : [])];
}

export function sourceOf(config: SyncConfig): string {
  return `${config.connection.bucket}/${config.connection.prefix}`;
}
