// Alerts from the desktop app with a PostgreSQL target, next to a server (the CLI) syncing the same
// source into the same schema: one repeat rule over both syncers' runs, each run alerted once, the
// deliveries recorded in the target's alert_deliveries (read with psql) and shown in the app's Sync log.
// Real parts: a throwaway PostgreSQL cluster, an S3-compatible server, a webhook receiver on loopback.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertDelivery } from '../../electron/shared/alerts';
import { runCli } from '../../electron/cli/cli';
import { createAppApi, type AppApi } from '../../electron/core/service/app-api';
import { DATABASE_FILE_NAME, SyncService } from '../../electron/core/service/sync-service';
import { LOCAL_S3_SECRET } from '../../scripts/local-s3-server';
import { startLocalPostgresServer, SYNC_PASSWORD, type LocalPostgresServer } from '../../scripts/local-postgres-server';
import { InMemorySecretStore } from '../support/in-memory-secret-store';
import { makeConfig } from '../support/fixtures';
import { createPostgresWorkspace, type PostgresWorkspace } from '../support/postgres-workspace';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

let pg: LocalPostgresServer;
let ws: PostgresWorkspace;
let hook: WebhookReceiver;
let dataDir: string;
let service: SyncService;
let api: AppApi;
let configPath: string;
const alertsRecorded: { runId: number | null; deliveries: AlertDelivery[] }[] = [];
const onRecorded = new Set<() => void>();

const FAST = { policy: { attempts: 2, timeoutMs: 15_000, backoffMs: [50] } };

beforeAll(async () => {
  [pg, hook] = await Promise.all([startLocalPostgresServer(), startWebhookReceiver()]);
  ws = await createPostgresWorkspace(pg);
  await ws.put('orgs/a.csv', 'org_id,org_name\no1,Acme\n');
  await ws.put('accounts/good.csv', 'account_id,account_name,org_id\na1,Acme EU,o1\n');
  await ws.put('accounts/bad.csv', 'account_id,name\na2,Wrong header\n'); // every run fails the same way
  dataDir = mkdtempSync(join(tmpdir(), 's3sync-pg-app-alerts-'));
  const config = {
    ...makeConfig(ws.s3),
    target: { kind: 'postgres' as const, url: pg.url, schema: ws.schema },
    alerts: { desktop: true, webhook: { enabled: true } },
  };
  configPath = join(dataDir, 'server-config.json');
  writeFileSync(configPath, JSON.stringify({ ...config, target: undefined }));
  const env = {
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET,
    PGPASSWORD: SYNC_PASSWORD,
    S3_CSV_SYNC_WEBHOOK_URL: hook.url,
    HOME: dataDir,
  };
  const secrets = new InMemorySecretStore();
  service = new SyncService({ dataDir, secretStore: secrets, env, alertDelivery: FAST });
  service.onAlertsRecorded((runId, deliveries) => {
    alertsRecorded.push({ runId, deliveries });
    onRecorded.forEach((wake) => wake());
  });
  service.start();
  api = createAppApi({ service, secretStore: secrets, env });
  const saved = await api.importConfig({ json: JSON.stringify(config) });
  if (!saved.ok) throw new Error(saved.message);
}, 60_000);
afterAll(async () => {
  api?.close();
  await service?.stop();
  await Promise.all([ws?.close(), hook?.close()]);
  await pg?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The desktop's alerts about its count-th alerted run, once they are recorded. */
function desktopAlerts(count: number): Promise<{ runId: number | null; deliveries: AlertDelivery[] }> {
  return new Promise((resolve) => {
    const check = () => {
      if (alertsRecorded.length < count) return;
      onRecorded.delete(check);
      resolve(alertsRecorded[count - 1]!);
    };
    onRecorded.add(check);
    check();
  });
}

/** A sync by the server: the CLI into the same schema, its alerts sent before it exits. */
async function serverSync(): Promise<number> {
  const io = {
    stdin: Readable.from(['']),
    stdout: new PassThrough().resume(),
    stderr: new PassThrough().resume(),
    env: { AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET, PGPASSWORD: SYNC_PASSWORD, S3_CSV_SYNC_WEBHOOK_URL: hook.url },
  };
  const args = ['sync', '--config', configPath, '--target', pg.url, '--schema', ws.schema];
  return runCli(args, io, { secretStore: new InMemorySecretStore(), alertDelivery: FAST });
}

const deliveries = () =>
  ws.psql(
    `SELECT d.run_id, r.host IS NOT NULL AS has_host, d.kind, d.channel, d.outcome
     FROM @schema.alert_deliveries d JOIN @schema.sync_runs r ON r.id = d.run_id ORDER BY d.id`,
  );

describe('alerts from the desktop app into a shared PostgreSQL target', { timeout: 120_000 }, () => {
  it('one repeat rule over the app’s and the server’s runs of one source, recorded in PostgreSQL', async () => {
    // Run 1: the app's own sync after the settings were saved.
    const first = await desktopAlerts(1);
    expect(first.deliveries).toMatchObject([{ kind: 'failure', channel: 'webhook', outcome: 'sent' }]);
    await hook.waitForPosts(1);
    expect((hook.received[0]!.body as { run: { runId: number } }).run.runId).toBe(first.runId);

    expect(await serverSync()).toBe(1); // run 2, partly failed the same way
    await hook.waitForPosts(2);

    expect(service.syncNow()).toMatchObject({ started: true }); // run 3: the third identical failure
    const third = await desktopAlerts(2);
    expect(third.deliveries).toMatchObject([{ kind: 'still-failing', channel: 'webhook', outcome: 'sent' }]);
    await hook.waitForPosts(3);
    expect((hook.received[2]!.body as { text: string }).text).toMatch(
      /^S3 CSV Sync: still failing \(3 syncs in a row\)/,
    );

    expect(await serverSync()).toBe(1); // run 4: held back by the server, which sees the app's "still failing"
    expect(hook.received).toHaveLength(3);

    const rows = await deliveries();
    expect(rows.map(({ run_id, kind, channel, outcome }) => [Number(run_id), kind, channel, outcome])).toEqual([
      [first.runId, 'failure', 'webhook', 'sent'],
      [first.runId! + 1, 'failure', 'webhook', 'sent'],
      [third.runId, 'still-failing', 'webhook', 'sent'],
      [third.runId! + 1, 'failure', 'none', 'held-back'],
    ]);
    expect(third.runId).toBe(first.runId! + 2);

    // Nothing of it in this computer's SQLite file.
    const local = new Database(join(dataDir, DATABASE_FILE_NAME), { readonly: true });
    try {
      expect(local.prepare('SELECT count(*) AS n FROM alert_deliveries').get()).toEqual({ n: 0 });
    } finally {
      local.close();
    }
  });

  it('the Sync log shows each run’s alert deliveries from PostgreSQL, whichever syncer sent them', async () => {
    const runs = await api.listRuns({ limit: 10 });
    expect(runs.map((r) => r.status)).toEqual(['partial', 'partial', 'partial', 'partial']);
    const [held, stillFailing, server] = await Promise.all(
      [runs[0]!, runs[1]!, runs[2]!].map((r) => api.getRun({ runId: r.id })),
    );
    expect(stillFailing!.alerts).toMatchObject([
      { runId: runs[1]!.id, kind: 'still-failing', channel: 'webhook', outcome: 'sent', attempts: 1 },
    ]);
    expect(server!.alerts).toMatchObject([{ kind: 'failure', channel: 'webhook', outcome: 'sent' }]);
    expect(held!.alerts).toHaveLength(1);
    expect(held!.alerts[0]!.detail).toMatch(/^Not sent: this sync failed exactly as the 3 before it/);
    const [psqlRow] = await ws.psql(`SELECT detail, at FROM @schema.alert_deliveries WHERE run_id = ${runs[0]!.id}`);
    expect(held!.alerts[0]).toMatchObject({
      detail: psqlRow!.detail,
      at: new Date(psqlRow!.at as string).toISOString(),
    });
  });
});

describe('a PostgreSQL target that cannot be reached', { timeout: 60_000 }, () => {
  it('the sync that could not start is still alerted about, recorded on this computer', async () => {
    const posts = hook.received.length;
    const config = service.settings.getConfig()!;
    service.settings.setConfig({ ...config, target: { ...config.target!, url: 'postgres://sync@127.0.0.1:1/cs' } });
    const before = alertsRecorded.length;
    expect(service.syncNow()).toMatchObject({ started: true });
    const { runId, deliveries } = await desktopAlerts(before + 1);
    expect(runId).toBeNull();
    expect(deliveries).toMatchObject([{ kind: 'failure', channel: 'webhook', outcome: 'sent' }]);
    await hook.waitForPosts(posts + 1);
    expect((hook.received.at(-1)!.body as { text: string }).text).toContain(
      'Cannot reach the PostgreSQL server at 127.0.0.1:1',
    );
    const local = new Database(join(dataDir, DATABASE_FILE_NAME), { readonly: true });
    try {
      expect(local.prepare('SELECT run_id, kind, channel, outcome FROM alert_deliveries').all()).toEqual([
        { run_id: null, kind: 'failure', channel: 'webhook', outcome: 'sent' },
      ]);
    } finally {
      local.close();
    }
  });
});
