// Alerts from the command line, with real parts: a real S3-compatible server, a real SQLite file, a
// real SMTP server (STARTTLS with a self-signed certificate, AUTH required) whose messages are parsed
// as a mail client would, and a real HTTP receiver for the webhook. A partial sync must tell the
// team what failed; a failed delivery must never change the sync's outcome, and is recorded plainly.
// Every scenario runs into a SQLite file and into a real PostgreSQL server (a throwaway cluster, its
// alert log read with psql); two syncers of one PostgreSQL target never send the same alert.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startLocalPostgresServer, SYNC_PASSWORD, type LocalPostgresServer } from '../../scripts/local-postgres-server';
import { TARGET_KINDS, type TargetKind } from '../support/target-workspaces';
import { AlertDispatcher } from '../../electron/core/alerts/alert-dispatcher';
import { openPostgresTarget, type PostgresTarget } from '../../electron/core/db/postgres/pg-target';
import { runSync, sourceName } from '../../electron/core/sync/run-sync';
import { runCli, type CliDeps } from '../../electron/cli/cli';
import type { AlertsConfig, SmtpConfig } from '../../electron/shared/alerts-config';
import { createWorkspace, LOCAL_S3_SECRET, makeConfig, type Workspace } from '../support/fixtures';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { InMemorySecretStore } from '../support/in-memory-secret-store';

let ws: Workspace;
let smtp: SmtpReceiver;
let hook: WebhookReceiver;
let dbCount = 0;

beforeAll(async () => {
  [ws, smtp, hook] = await Promise.all([createWorkspace(), startSmtpReceiver(), startWebhookReceiver()]);
  await ws.put('orgs/a.csv', 'org_id,org_name\no1,Acme\n');
  await ws.put('accounts/good.csv', 'account_id,account_name,org_id\na1,Acme EU,o1\n,No ID,o1\n');
});
afterAll(async () => {
  await Promise.all([ws.close(), smtp.close(), hook.close()]);
});
beforeEach(async () => {
  // Each test starts failing the same way: one file with the wrong header.
  await ws.put('accounts/bad.csv', 'account_id,name\na2,Wrong header\n');
  hook.answer = { status: 200, body: 'ok' };
});

function alertsConfig(overrides: Partial<SmtpConfig> = {}): AlertsConfig {
  return {
    desktop: true,
    email: {
      to: ['cs-lead@acme.io', 'oncall@acme.io'],
      from: 's3-csv-sync@acme.io',
      smtp: { host: '127.0.0.1', port: smtp.port, security: 'starttls', user: smtp.user, ...overrides },
    },
    webhook: { enabled: true },
  };
}

function writeConfig(alerts: AlertsConfig): string {
  const path = join(ws.dir, `config-${++dbCount}.json`);
  writeFileSync(path, JSON.stringify({ ...makeConfig(ws.server), alerts }));
  return path;
}

const FAST: CliDeps['alertDelivery'] = { policy: { attempts: 2, timeoutMs: 15_000, backoffMs: [50] } };

/** Where a CLI run writes its run log and alerts: a fresh SQLite file, or a fresh PostgreSQL schema. */
interface AlertTarget {
  args: string[];
  env: Record<string, string>;
  /** The run log's alert_deliveries, read with SQL (better-sqlite3; psql). */
  deliveries(): Promise<Delivery[]>;
  /** How the alert says to open a run's log. */
  runLogHint(runId: number): string;
}

interface Delivery {
  run_id: number;
  kind: string;
  channel: string;
  outcome: string;
  detail: string;
  attempts: number;
}

let pg: LocalPostgresServer | undefined;
let schemas = 0;

function freshTarget(kind: TargetKind): AlertTarget {
  if (kind === 'sqlite') {
    const dbPath = join(ws.dir, `alerts-${++dbCount}.sqlite`);
    return {
      args: ['--db', dbPath],
      env: {},
      deliveries: async () => sqliteDeliveries(dbPath),
      runLogHint: (runId) => `sqlite3 "${dbPath}" "SELECT key, status, error FROM sync_files WHERE run_id = ${runId}"`,
    };
  }
  const schema = `alerts_${process.pid}_${++schemas}`;
  return {
    args: ['--target', pg!.url, '--schema', schema],
    env: { PGPASSWORD: SYNC_PASSWORD },
    deliveries: () =>
      pg!.psql<Delivery>(
        `SELECT run_id, kind, channel, outcome, detail, attempts FROM ${schema}.alert_deliveries ORDER BY id`,
      ),
    runLogHint: (runId) =>
      `psql "${pg!.url}" -c "SELECT key, status, error FROM ${schema}.sync_files WHERE run_id = ${runId}"`,
  };
}

async function cliSync(
  configPath: string,
  target: AlertTarget,
  {
    env = {},
    json = false,
    alertDelivery = FAST,
  }: { env?: NodeJS.ProcessEnv; json?: boolean; alertDelivery?: CliDeps['alertDelivery'] } = {},
) {
  const out = { stdout: '', stderr: '' };
  const sink = (name: 'stdout' | 'stderr') => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => (out[name] += chunk.toString('utf8')));
    return stream;
  };
  const io = {
    stdin: Readable.from(['']),
    stdout: sink('stdout'),
    stderr: sink('stderr'),
    env: {
      AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET,
      S3_CSV_SYNC_SMTP_PASSWORD: smtp.password,
      ...target.env,
      ...env,
    },
  };
  const args = ['sync', '--config', configPath, ...target.args, ...(json ? ['--json'] : [])];
  const code = await runCli(args, io, {
    secretStore: new InMemorySecretStore(),
    alertDelivery: { ...alertDelivery, email: { tls: { ca: smtp.cert } } },
  });
  await new Promise((done) => setImmediate(done));
  return { code, ...out };
}

function sqliteDeliveries(dbPath: string): Delivery[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db
      .prepare('SELECT run_id, kind, channel, outcome, detail, attempts FROM alert_deliveries ORDER BY id')
      .all() as Delivery[];
  } finally {
    db.close();
  }
}

describe.each(TARGET_KINDS)('alerts from `sync` (%s)', { timeout: 120_000 }, (kind) => {
  if (kind === 'postgres') {
    beforeAll(async () => {
      pg = await startLocalPostgresServer();
    }, 60_000);
    afterAll(async () => {
      await pg?.stop();
    });
  }
  const newTarget = () => freshTarget(kind);

  it('a partly failed sync sends one email (over STARTTLS, logged in) and one webhook post saying what failed', async () => {
    const urlFile = join(ws.dir, 'webhook-url');
    writeFileSync(urlFile, `${hook.url}\n`);
    const target = newTarget();
    const mailsBefore = smtp.messages.length;
    const postsBefore = hook.received.length;

    const result = await cliSync(writeConfig(alertsConfig()), target, {
      env: { S3_CSV_SYNC_WEBHOOK_URL_FILE: urlFile },
    });

    expect(result.code).toBe(1); // partial, as without alerts
    const { mail, secure, user, envelopeTo } = await smtp.waitForMessage(mailsBefore + 1);
    expect(secure).toBe(true);
    expect(user).toBe(smtp.user);
    expect(envelopeTo).toEqual(['cs-lead@acme.io', 'oncall@acme.io']);
    expect(mail.from?.text).toBe('s3-csv-sync@acme.io');
    expect(mail.subject).toBe('S3 CSV Sync: sync partly failed — 1 file failed in acme-exports/vitally/');
    const body = mail.text ?? '';
    expect(body).toContain('partly failed: 1 of 3 files could not be imported');
    expect(body).toMatch(
      /Files: 2 imported, 0 unchanged, 1 failed\. Rows: 3 read — 2 created, 0 updated, 0 skipped, 1 rejected\./,
    );
    expect(body).toContain('  - vitally/accounts/bad.csv (accounts): ');
    expect(body).toMatch(/bad\.csv \(accounts\): .*account_name/); // the reason names the missing column
    expect(body).toContain('First rejected rows (1 in all):\n  - vitally/accounts/good.csv, line 3: ');
    expect(body).toContain(',No ID,o1');
    expect(body).toContain(target.runLogHint(1));

    await hook.waitForPosts(postsBefore + 1);
    const post = hook.received.at(-1)!;
    const posted = post.body as { text: string; kind: string; run: unknown };
    expect(post.path).toBe(new URL(hook.url).pathname);
    expect(post.contentType).toBe('application/json');
    expect(posted.text).toMatch(
      /^S3 CSV Sync: sync partly failed — 1 file failed in acme-exports\/vitally\/\n• vitally\/accounts\/bad\.csv: /,
    );
    expect(posted.kind).toBe('failure');
    expect(posted.run).toMatchObject({
      runId: 1,
      status: 'partial',
      filesFailed: 1,
      failedFiles: [{ type: 'accounts', key: 'vitally/accounts/bad.csv' }],
      rejectedTotal: 1,
    });

    expect(await target.deliveries()).toEqual([
      expect.objectContaining({ run_id: 1, kind: 'failure', channel: 'email', outcome: 'sent', attempts: 1 }),
      expect.objectContaining({ run_id: 1, kind: 'failure', channel: 'webhook', outcome: 'sent', attempts: 1 }),
    ]);
    expect(result.stderr).toContain('failure alert by email: sent to cs-lead@acme.io, oncall@acme.io');
  });

  it('identical failures: an alert each, the third says "still failing", the fourth is held back; a fix sends "works again"', async () => {
    const configPath = writeConfig({ ...alertsConfig(), webhook: undefined });
    const target = newTarget();
    const subjects: string[] = [];
    for (let run = 1; run <= 4; run++) {
      const before = smtp.messages.length;
      expect((await cliSync(configPath, target)).code).toBe(1);
      if (run <= 3) subjects.push((await smtp.waitForMessage(before + 1)).mail.subject ?? '');
      else expect(smtp.messages.length).toBe(before);
    }
    expect(subjects).toEqual([
      'S3 CSV Sync: sync partly failed — 1 file failed in acme-exports/vitally/',
      'S3 CSV Sync: sync partly failed — 1 file failed in acme-exports/vitally/',
      'S3 CSV Sync: still failing (3 syncs in a row) — 1 file failed in acme-exports/vitally/',
    ]);
    expect(smtp.messages.at(-1)!.mail.text).toContain('you will get one reminder a day');
    const held = (await target.deliveries()).at(-1)!;
    expect(held).toMatchObject({ run_id: 4, channel: 'none', outcome: 'held-back' });
    expect(held.detail).toMatch(
      /^Not sent: this sync failed exactly as the 3 before it .* one reminder a day; the next one is due after /,
    );

    await ws.put('accounts/bad.csv', 'account_id,account_name,org_id\na2,Fixed,o1\n');
    const before = smtp.messages.length;
    expect((await cliSync(configPath, target)).code).toBe(0);
    const recovery = await smtp.waitForMessage(before + 1);
    expect(recovery.mail.subject).toBe('S3 CSV Sync: syncing works again in acme-exports/vitally/');
    expect(recovery.mail.text).toContain('succeeded. Syncs had been failing since');
  });

  it('a wrong SMTP password: the sync ends as it would, and the run log says the login was refused (not retried)', async () => {
    const target = newTarget();
    const result = await cliSync(writeConfig({ ...alertsConfig(), webhook: undefined }), target, {
      env: { S3_CSV_SYNC_SMTP_PASSWORD: 'not-the-password' },
      json: true,
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe('partial');
    expect(report.alerts).toEqual([expect.objectContaining({ channel: 'email', outcome: 'failed', attempts: 1 })]);
    const [delivery] = await target.deliveries();
    expect(delivery!.detail).toMatch(
      new RegExp(
        `^the SMTP server 127\\.0\\.0\\.1:${smtp.port} refused the login for user "sync" \\(it said: 535 .*\\): check the user and password$`,
      ),
    );
    expect(delivery!.detail).not.toContain('not-the-password');
  });

  it('the SMTP server is down: tried again, then recorded as unreachable; the sync is unchanged', async () => {
    const down = await startSmtpReceiver();
    const port = down.port;
    await down.close();
    const target = newTarget();
    const result = await cliSync(writeConfig({ ...alertsConfig({ port }), webhook: undefined }), target);
    expect(result.code).toBe(1);
    expect(await target.deliveries()).toEqual([
      expect.objectContaining({
        channel: 'email',
        outcome: 'failed',
        attempts: 2,
        detail: `the SMTP server 127.0.0.1:${port} is unreachable: nothing accepts connections there (is the host and port right, and the server running?)`,
      }),
    ]);
    expect(result.stderr).toContain('failure alert by email NOT delivered: the SMTP server');
  });

  it('the webhook answers 500: retried, then recorded with its answer; one answering 404 is not retried', async () => {
    const configPath = writeConfig({ desktop: true, webhook: { enabled: true } });
    hook.answer = { status: 500, body: 'internal trouble' };
    let target = newTarget();
    let before = hook.received.length;
    expect((await cliSync(configPath, target, { env: { S3_CSV_SYNC_WEBHOOK_URL: hook.url } })).code).toBe(1);
    expect(hook.received.length - before).toBe(2);
    expect(await target.deliveries()).toEqual([
      expect.objectContaining({
        channel: 'webhook',
        outcome: 'failed',
        attempts: 2,
        detail:
          'the webhook at ' +
          new URL(hook.url).host +
          ' answered 500 Internal Server Error (it said: internal trouble)',
      }),
    ]);

    hook.answer = { status: 404, body: 'no_service' };
    target = newTarget();
    before = hook.received.length;
    expect((await cliSync(configPath, target, { env: { S3_CSV_SYNC_WEBHOOK_URL: hook.url } })).code).toBe(1);
    expect(hook.received.length - before).toBe(1);
    const [notFound] = await target.deliveries();
    expect(notFound).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(notFound!.detail).toContain('answered 404 Not Found (it said: no_service): the URL may be mistyped');
    expect(notFound!.detail).not.toContain('hook-token');
  });

  it('a webhook that never answers times out (the sync already ended), recorded as such', async () => {
    hook.answer = 'never';
    const target = newTarget();
    const result = await cliSync(writeConfig({ desktop: true, webhook: { enabled: true } }), target, {
      env: { S3_CSV_SYNC_WEBHOOK_URL: hook.url },
      alertDelivery: { policy: { attempts: 2, timeoutMs: 1_000, backoffMs: [50] } },
    });
    expect(result.code).toBe(1);
    expect(await target.deliveries()).toEqual([
      expect.objectContaining({
        channel: 'webhook',
        outcome: 'failed',
        attempts: 2,
        detail: `the webhook at ${new URL(hook.url).host} did not answer within 1 second`,
      }),
    ]);
  });

  it('`watch` alerts too, and logs each delivery after the run’s line', async () => {
    const configPath = join(ws.dir, `watch-${++dbCount}.json`);
    const { webhook: _none, ...emailOnly } = alertsConfig();
    writeFileSync(
      configPath,
      JSON.stringify({ ...makeConfig(ws.server), schedule: { everyHours: 24 }, alerts: emailOnly }),
    );
    const before = smtp.messages.length;
    const stop = new AbortController();
    let stdout = '';
    const out = new PassThrough().on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const io = {
      stdin: Readable.from(['']),
      stdout: out,
      stderr: new PassThrough(),
      env: { AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET, S3_CSV_SYNC_SMTP_PASSWORD: smtp.password },
    };
    const target = newTarget();
    Object.assign(io.env, target.env);
    const watching = runCli(['watch', '--config', configPath, ...target.args], io, {
      secretStore: new InMemorySecretStore(),
      signal: stop.signal,
      alertDelivery: { ...FAST, email: { tls: { ca: smtp.cert } } },
    });
    // The first run is due at once (no run yet); its alert arrives, then watch is stopped.
    expect((await smtp.waitForMessage(before + 1)).mail.subject).toMatch(/^S3 CSV Sync: sync partly failed/);
    stop.abort();
    expect(await watching).toBe(0);
    expect(stdout).toMatch(/sync #1 partial: .*\n.*failure alert by email: sent to cs-lead@acme\.io, oncall@acme\.io/);
    expect(stdout).toMatch(/stopped\n$/);
  });

  it('a webhook set up without a URL anywhere says where to put one', async () => {
    const target = newTarget();
    expect((await cliSync(writeConfig({ desktop: true, webhook: { enabled: true } }), target)).code).toBe(1);
    expect(await target.deliveries()).toEqual([
      expect.objectContaining({
        channel: 'webhook',
        outcome: 'failed',
        detail: 'no webhook URL is stored: paste it on the Schedule screen, or set S3_CSV_SYNC_WEBHOOK_URL',
      }),
    ]);
  });
});

describe('two syncers of one PostgreSQL target', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    pg = await startLocalPostgresServer();
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
  });
  const webhookOnly = () => writeConfig({ desktop: true, webhook: { enabled: true } });

  it('a "still failing" alert still on its way when another syncer’s run fails the same way: that run is held back, not alerted twice', async () => {
    const configPath = webhookOnly();
    const target = freshTarget('postgres');
    const env = { S3_CSV_SYNC_WEBHOOK_URL: hook.url };
    expect((await cliSync(configPath, target, { env })).code).toBe(1);
    expect((await cliSync(configPath, target, { env })).code).toBe(1);
    hook.answer = 'hold';
    const before = hook.received.length;
    // The laptop's third identical failure: its "still failing" post is held without an answer.
    const laptop = cliSync(configPath, target, { env });
    await hook.waitForPosts(before + 1);
    hook.answer = { status: 200, body: 'ok' };
    // Meanwhile the server syncs the same source, which fails the same way once more.
    const server = await cliSync(configPath, target, { env, json: true });
    expect(JSON.parse(server.stdout).alerts).toEqual([
      expect.objectContaining({ runId: 4, channel: 'none', outcome: 'held-back' }),
    ]);
    expect(hook.received.length).toBe(before + 1);
    hook.releaseHeld(200, 'ok');
    expect((await laptop).code).toBe(1);
    expect((hook.received.at(-1)!.body as { kind: string }).kind).toBe('still-failing');
    expect((await target.deliveries()).map((d) => [d.run_id, d.kind, d.channel, d.outcome, d.attempts])).toEqual([
      [1, 'failure', 'webhook', 'sent', 1],
      [2, 'failure', 'webhook', 'sent', 1],
      [3, 'still-failing', 'webhook', 'sent', 1],
      [4, 'failure', 'none', 'held-back', 0],
    ]);
  });

  it('a `watch` run refused because another syncer holds the source sends no alert (that syncer’s run will)', async () => {
    const target = freshTarget('postgres');
    const schema = target.args[3]!;
    const config = makeConfig(ws.server);
    const configPath = join(ws.dir, `watch-${++dbCount}.json`);
    writeFileSync(
      configPath,
      JSON.stringify({
        ...config,
        schedule: { everyHours: 24 },
        alerts: { desktop: true, webhook: { enabled: true } },
      }),
    );
    const holder = await openPostgresTarget(
      { kind: 'postgres', url: pg!.url, schema },
      { env: { PGPASSWORD: SYNC_PASSWORD } },
    );
    try {
      // The other syncer's run, started long enough ago that watch's first run is due at once.
      await holder.beginRun('schedule', '2026-01-01T00:00:00.000Z', sourceName(config));
      const before = hook.received.length;
      const stop = new AbortController();
      let stdout = '';
      const io = {
        stdin: Readable.from(['']),
        stdout: new PassThrough().on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8'))),
        stderr: new PassThrough(),
        env: { AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET, S3_CSV_SYNC_WEBHOOK_URL: hook.url, ...target.env },
      };
      const watching = runCli(['watch', '--config', configPath, ...target.args], io, {
        secretStore: new InMemorySecretStore(),
        signal: stop.signal,
        alertDelivery: FAST,
      });
      await vi.waitFor(() => expect(stdout).toContain('Another sync of this source'), {
        timeout: 30_000,
        interval: 50,
      });
      stop.abort();
      expect(await watching).toBe(0); // and every alert under way has ended
      expect(hook.received.length).toBe(before);
      expect(await target.deliveries()).toEqual([]);
    } finally {
      await holder.close();
    }
  });

  it('two dispatchers deciding about the same run send its alert once', async () => {
    const config = { ...makeConfig(ws.server), alerts: { desktop: true, webhook: { enabled: true } } };
    const target = freshTarget('postgres');
    const schema = target.args[3]!;
    const open = () =>
      openPostgresTarget({ kind: 'postgres', url: pg!.url, schema }, { env: { PGPASSWORD: SYNC_PASSWORD } });
    const [laptop, server] = await Promise.all([open(), open()]);
    try {
      const report = await runSync({ config, secretAccessKey: LOCAL_S3_SECRET, target: laptop, trigger: 'test' });
      expect(report.status).toBe('partial');
      const dispatcher = (on: PostgresTarget) =>
        new AlertDispatcher({
          log: on.alertLog(sourceName(config)),
          getConfig: () => config,
          secrets: { env: { S3_CSV_SYNC_WEBHOOK_URL: hook.url }, store: new InMemorySecretStore() },
          runLogHint: () => '',
          ...FAST,
        });
      const before = hook.received.length;
      const both = await Promise.all([dispatcher(laptop).afterRun(report), dispatcher(server).afterRun(report)]);
      expect(both.flat()).toEqual([expect.objectContaining({ kind: 'failure', channel: 'webhook', outcome: 'sent' })]);
      expect(hook.received.length - before).toBe(1);
      expect(await target.deliveries()).toEqual([expect.objectContaining({ run_id: 1, outcome: 'sent' })]);
    } finally {
      await Promise.all([laptop.close(), server.close()]);
    }
  });

  it('sources that share a schema keep their own history: another source’s success is no "works again"', async () => {
    const configPath = webhookOnly();
    const base = makeConfig(ws.server);
    const otherPath = join(ws.dir, `other-${++dbCount}.json`);
    writeFileSync(
      otherPath,
      JSON.stringify({
        ...base,
        connection: { ...base.connection, prefix: 'other/' },
        alerts: { desktop: true, webhook: { enabled: true } },
      }),
    );
    await ws.server.put('other/orgs/a.csv', 'org_id,org_name\no9,Other\n');
    const target = freshTarget('postgres');
    const env = { S3_CSV_SYNC_WEBHOOK_URL: hook.url };
    expect((await cliSync(configPath, target, { env })).code).toBe(1);
    const other = await cliSync(otherPath, target, { env, json: true });
    expect(other.code).toBe(0);
    expect(JSON.parse(other.stdout).alerts).toEqual([]);
    // Back to the failing source: its second identical failure, counted from its own runs.
    expect((await cliSync(configPath, target, { env })).code).toBe(1);
    expect((await target.deliveries()).map((d) => [d.run_id, d.kind, d.outcome])).toEqual([
      [1, 'failure', 'sent'],
      [3, 'failure', 'sent'],
    ]);
    expect((hook.received.at(-1)!.body as { identicalFailuresInARow: number }).identicalFailuresInARow).toBe(2);
  });
});
