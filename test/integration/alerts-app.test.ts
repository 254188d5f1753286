// Alerts from the app's back end (the API the Schedule and Sync log screens use), with a real
// S3-compatible server, a real SQLite file, a real SMTP server (STARTTLS, AUTH) and a real webhook
// receiver: settings saved with their secrets kept out of the settings and exports, the test alert's
// plain answers, and a delivery that hangs never holding up the sync or the next one.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlertsConfig, ApiEvents, RunReport } from '../../electron/shared/contract';
import { createAppApi, type AppApi } from '../../electron/core/service/app-api';
import { SyncService } from '../../electron/core/service/sync-service';
import { LOCAL_S3_SECRET, startLocalS3Server, type LocalS3Server } from '../../scripts/local-s3-server';
import { makeConfig, PREFIX } from '../support/fixtures';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { InMemorySecretStore } from '../support/in-memory-secret-store';

let server: LocalS3Server;
let smtp: SmtpReceiver;
let hook: WebhookReceiver;
let dataDir: string;
let service: SyncService;
let secrets: InMemorySecretStore;
let api: AppApi;

beforeAll(async () => {
  [server, smtp, hook] = await Promise.all([startLocalS3Server(), startSmtpReceiver(), startWebhookReceiver()]);
  await server.put(`${PREFIX}orgs/a.csv`, 'org_id,org_name\no1,Acme\n');
  await server.put(`${PREFIX}accounts/bad.csv`, 'account_id,name\na1,Wrong header\n');
});
afterAll(async () => {
  await Promise.all([server.close(), smtp.close(), hook.close()]);
});
beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 's3sync-alerts-app-'));
  secrets = new InMemorySecretStore();
  const env = { AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET };
  service = new SyncService({
    dataDir,
    secretStore: secrets,
    env,
    alertDelivery: { policy: { attempts: 2, timeoutMs: 15_000, backoffMs: [50] }, email: { tls: { ca: smtp.cert } } },
  });
  service.start();
  api = createAppApi({ service, secretStore: secrets, env });
  hook.answer = { status: 200, body: 'ok' };
  // Importing a mapping starts a sync (no alerts set up yet): the tests begin once it has ended.
  const firstRun = next('runFinished');
  expect((await api.importConfig({ json: JSON.stringify(makeConfig(server)) })).ok).toBe(true);
  expect((await firstRun).status).toBe('partial');
});
afterEach(async () => {
  hook.answer = { status: 200 };
  api.close();
  await service.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const alerts = (): AlertsConfig => ({
  desktop: false,
  email: {
    to: ['cs-lead@acme.io'],
    from: 's3-csv-sync@acme.io',
    smtp: { host: '127.0.0.1', port: smtp.port, security: 'starttls', user: smtp.user },
  },
  webhook: { enabled: true },
});

function next<E extends 'runFinished' | 'alertsRecorded'>(event: E): Promise<ApiEvents[E]> {
  return new Promise((resolve) => {
    const off = api.on(event, (payload) => {
      off();
      resolve(payload);
    });
  });
}

describe('alert settings', { timeout: 60_000 }, () => {
  it('saves the settings with the password and URL in the keychain, never in the settings or the export', async () => {
    const saved = await api.saveAlerts({ alerts: alerts(), smtpPassword: smtp.password, webhookUrl: hook.url });
    expect(saved).toMatchObject({ ok: true, config: { alerts: alerts() } });
    expect(await secrets.get(`alerts:smtp-password:${smtp.user}@127.0.0.1`)).toBe(smtp.password);
    expect(await secrets.get('alerts:webhook-url')).toBe(hook.url);
    const settingsFile = readFileSync(join(dataDir, 'settings.json'), 'utf8');
    const { json } = await api.exportConfig();
    for (const text of [settingsFile, json, JSON.stringify(await api.getOverview())]) {
      expect(text).not.toContain(smtp.password);
      expect(text).not.toContain('hook-token');
    }
    expect(JSON.parse(json).alerts).toEqual(alerts());
    expect((await api.getOverview()).alertSecrets).toEqual({ smtpPassword: true, webhookUrl: true });
    expect(service.scheduler.getState().running).toBe(false); // alert settings do not start a sync
  });

  it('refuses bad settings naming the field, and stores no secret then', async () => {
    const bad = {
      ...alerts(),
      email: { ...alerts().email!, to: ['cs-lead'], smtp: { ...alerts().email!.smtp, port: 0 } },
    };
    const result = await api.saveAlerts({ alerts: bad, smtpPassword: 'typed' });
    expect(result).toMatchObject({
      ok: false,
      problems: [
        'alerts.email.to.0: must be an email address, for example "cs-lead@acme.io"',
        'alerts.email.smtp.port: must be between 1 and 65535',
      ],
    });
    expect(await secrets.get(`alerts:smtp-password:${smtp.user}@127.0.0.1`)).toBeNull();
    const url = await api.saveAlerts({ alerts: alerts(), webhookUrl: 'hooks.slack.com/services/x' });
    expect(url).toMatchObject({ ok: false, message: expect.stringMatching(/^The webhook URL is not a web address/) });
  });

  it('"Send a test alert" reaches the SMTP server and the webhook, and says plainly when it does not', async () => {
    const before = smtp.messages.length;
    const ok = await api.sendTestAlert({ alerts: alerts(), smtpPassword: smtp.password, webhookUrl: hook.url });
    expect(ok).toEqual({
      ok: true,
      results: [
        { channel: 'email', ok: true, message: `sent to cs-lead@acme.io through 127.0.0.1:${smtp.port}` },
        {
          channel: 'webhook',
          ok: true,
          message: `posted to the webhook at ${new URL(hook.url).host} (it answered 200)`,
        },
      ],
    });
    expect((await smtp.waitForMessage(before + 1)).mail.subject).toBe(
      'S3 CSV Sync: test alert for acme-exports/vitally/',
    );
    expect(hook.received.at(-1)!.body).toMatchObject({
      kind: 'test',
      text: expect.stringMatching(/^S3 CSV Sync: test alert/),
    });

    hook.answer = { status: 404, body: 'no_service' };
    const refused = await api.sendTestAlert({ alerts: alerts(), smtpPassword: 'wrong-password', webhookUrl: hook.url });
    expect(refused).toMatchObject({
      ok: true,
      results: [
        {
          channel: 'email',
          ok: false,
          message: expect.stringMatching(/refused the login for user "sync" .*: check the user and password$/),
        },
        {
          channel: 'webhook',
          ok: false,
          message: expect.stringContaining('answered 404 Not Found (it said: no_service)'),
        },
      ],
    });

    const down = await startSmtpReceiver();
    await down.close();
    const unreachable = await api.sendTestAlert({
      alerts: { desktop: true, email: { ...alerts().email!, smtp: { ...alerts().email!.smtp, port: down.port } } },
      smtpPassword: smtp.password,
    });
    expect(unreachable).toMatchObject({
      ok: true,
      results: [
        {
          channel: 'email',
          ok: false,
          message: expect.stringContaining('is unreachable: nothing accepts connections there'),
        },
      ],
    });
    expect(await api.sendTestAlert({ alerts: { desktop: true } })).toEqual({
      ok: false,
      message: 'Nothing to test: add an email address or turn on the webhook first.',
      problems: [],
    });
  });
});

describe('alerts after a sync', { timeout: 60_000 }, () => {
  it('a delivery in flight never holds up the sync: the run ends and the next one runs; its failure is recorded after', async () => {
    await api.saveAlerts({ alerts: { ...alerts(), email: undefined }, webhookUrl: hook.url });
    hook.answer = 'hold';
    const finished = next('runFinished');
    const recorded: ApiEvents['alertsRecorded'][] = [];
    api.on('alertsRecorded', (event) => recorded.push(event));
    const postsBefore = hook.received.length;
    expect((await api.syncNow()).started).toBe(true);
    const report: RunReport = await finished;
    expect(report.status).toBe('partial');
    await hook.waitForPosts(postsBefore + 1); // the alert is on its way and held without an answer
    expect(service.scheduler.getState().running).toBe(false);
    expect((await api.getRun({ runId: report.runId! }))!.alerts).toEqual([]);
    const second = next('runFinished');
    expect((await api.syncNow()).started).toBe(true);
    expect((await second).status).toBe('partial');

    hook.answer = { status: 500, body: 'down for maintenance' };
    hook.releaseHeld(500, 'down for maintenance');
    // Both runs' alerts are released at once: this run's is looked for among them.
    const { deliveries } = await vi.waitFor(
      () => recorded.find((event) => event.runId === report.runId) ?? Promise.reject(new Error('not yet')),
      { timeout: 30_000, interval: 50 },
    );
    const expected = {
      runId: report.runId,
      kind: 'failure',
      channel: 'webhook',
      outcome: 'failed',
      attempts: 2,
      detail: `the webhook at ${new URL(hook.url).host} answered 500 Internal Server Error (it said: down for maintenance)`,
    };
    expect(deliveries).toEqual([expect.objectContaining(expected)]);
    expect((await api.getRun({ runId: report.runId! }))!).toMatchObject({
      run: { status: 'partial' }, // the run's own outcome is unchanged
      alerts: [expect.objectContaining(expected)],
    });
  });

  it('a partly failed sync emails the team (from the keychain’s password) and says so on the run', async () => {
    await api.saveAlerts({ alerts: { ...alerts(), webhook: undefined }, smtpPassword: smtp.password });
    const before = smtp.messages.length;
    const recorded = next('alertsRecorded');
    expect((await api.syncNow()).started).toBe(true);
    const { runId } = await recorded;
    const { mail, secure } = await smtp.waitForMessage(before + 1);
    expect(secure).toBe(true);
    expect(mail.subject).toBe('S3 CSV Sync: sync partly failed — 1 file failed in acme-exports/vitally/');
    expect(mail.text).toMatch(/To see the whole run: open S3 CSV Sync on .+ and go to Sync log, run #\d+\./);
    expect((await api.getRun({ runId: runId! }))!.alerts).toEqual([
      expect.objectContaining({ kind: 'failure', channel: 'email', outcome: 'sent', attempts: 1 }),
    ]);
  });
});
