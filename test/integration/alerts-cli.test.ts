// Alerts from the command line, with real parts: a real S3-compatible server, a real SQLite file, a
// real SMTP server (STARTTLS with a self-signed certificate, AUTH required) whose messages are parsed
// as a mail client would, and a real HTTP receiver for the webhook. A partial sync must tell the
// team what failed; a failed delivery must never change the sync's outcome, and is recorded plainly.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

async function cliSync(
  configPath: string,
  dbPath: string,
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
    env: { AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET, S3_CSV_SYNC_SMTP_PASSWORD: smtp.password, ...env },
  };
  const args = ['sync', '--config', configPath, '--db', dbPath, ...(json ? ['--json'] : [])];
  const code = await runCli(args, io, {
    secretStore: new InMemorySecretStore(),
    alertDelivery: { ...alertDelivery, email: { tls: { ca: smtp.cert } } },
  });
  await new Promise((done) => setImmediate(done));
  return { code, ...out };
}

function deliveries(dbPath: string) {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db
      .prepare('SELECT run_id, kind, channel, outcome, detail, attempts FROM alert_deliveries ORDER BY id')
      .all() as {
      run_id: number;
      kind: string;
      channel: string;
      outcome: string;
      detail: string;
      attempts: number;
    }[];
  } finally {
    db.close();
  }
}

const newDb = () => join(ws.dir, `alerts-${++dbCount}.sqlite`);

describe('alerts from `sync`', { timeout: 120_000 }, () => {
  it('a partly failed sync sends one email (over STARTTLS, logged in) and one webhook post saying what failed', async () => {
    const urlFile = join(ws.dir, 'webhook-url');
    writeFileSync(urlFile, `${hook.url}\n`);
    const dbPath = newDb();
    const mailsBefore = smtp.messages.length;
    const postsBefore = hook.received.length;

    const result = await cliSync(writeConfig(alertsConfig()), dbPath, {
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
    expect(body).toContain(`sqlite3 "${dbPath}" "SELECT key, status, error FROM sync_files WHERE run_id = 1"`);

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

    expect(deliveries(dbPath)).toEqual([
      expect.objectContaining({ run_id: 1, kind: 'failure', channel: 'email', outcome: 'sent', attempts: 1 }),
      expect.objectContaining({ run_id: 1, kind: 'failure', channel: 'webhook', outcome: 'sent', attempts: 1 }),
    ]);
    expect(result.stderr).toContain('failure alert by email: sent to cs-lead@acme.io, oncall@acme.io');
  });

  it('identical failures: an alert each, the third says "still failing", the fourth is held back; a fix sends "works again"', async () => {
    const configPath = writeConfig({ ...alertsConfig(), webhook: undefined });
    const dbPath = newDb();
    const subjects: string[] = [];
    for (let run = 1; run <= 4; run++) {
      const before = smtp.messages.length;
      expect((await cliSync(configPath, dbPath)).code).toBe(1);
      if (run <= 3) subjects.push((await smtp.waitForMessage(before + 1)).mail.subject ?? '');
      else expect(smtp.messages.length).toBe(before);
    }
    expect(subjects).toEqual([
      'S3 CSV Sync: sync partly failed — 1 file failed in acme-exports/vitally/',
      'S3 CSV Sync: sync partly failed — 1 file failed in acme-exports/vitally/',
      'S3 CSV Sync: still failing (3 syncs in a row) — 1 file failed in acme-exports/vitally/',
    ]);
    expect(smtp.messages.at(-1)!.mail.text).toContain('you will get one reminder a day');
    const held = deliveries(dbPath).at(-1)!;
    expect(held).toMatchObject({ run_id: 4, channel: 'none', outcome: 'held-back' });
    expect(held.detail).toMatch(
      /^Not sent: this sync failed exactly as the 3 before it .* one reminder a day; the next one is due after /,
    );

    await ws.put('accounts/bad.csv', 'account_id,account_name,org_id\na2,Fixed,o1\n');
    const before = smtp.messages.length;
    expect((await cliSync(configPath, dbPath)).code).toBe(0);
    const recovery = await smtp.waitForMessage(before + 1);
    expect(recovery.mail.subject).toBe('S3 CSV Sync: syncing works again in acme-exports/vitally/');
    expect(recovery.mail.text).toContain('succeeded. Syncs had been failing since');
  });

  it('a wrong SMTP password: the sync ends as it would, and the run log says the login was refused (not retried)', async () => {
    const dbPath = newDb();
    const result = await cliSync(writeConfig({ ...alertsConfig(), webhook: undefined }), dbPath, {
      env: { S3_CSV_SYNC_SMTP_PASSWORD: 'not-the-password' },
      json: true,
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe('partial');
    expect(report.alerts).toEqual([expect.objectContaining({ channel: 'email', outcome: 'failed', attempts: 1 })]);
    const [delivery] = deliveries(dbPath);
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
    const dbPath = newDb();
    const result = await cliSync(writeConfig({ ...alertsConfig({ port }), webhook: undefined }), dbPath);
    expect(result.code).toBe(1);
    expect(deliveries(dbPath)).toEqual([
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
    let dbPath = newDb();
    let before = hook.received.length;
    expect((await cliSync(configPath, dbPath, { env: { S3_CSV_SYNC_WEBHOOK_URL: hook.url } })).code).toBe(1);
    expect(hook.received.length - before).toBe(2);
    expect(deliveries(dbPath)).toEqual([
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
    dbPath = newDb();
    before = hook.received.length;
    expect((await cliSync(configPath, dbPath, { env: { S3_CSV_SYNC_WEBHOOK_URL: hook.url } })).code).toBe(1);
    expect(hook.received.length - before).toBe(1);
    const [notFound] = deliveries(dbPath);
    expect(notFound).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(notFound!.detail).toContain('answered 404 Not Found (it said: no_service): the URL may be mistyped');
    expect(notFound!.detail).not.toContain('hook-token');
  });

  it('a webhook that never answers times out (the sync already ended), recorded as such', async () => {
    hook.answer = 'never';
    const dbPath = newDb();
    const result = await cliSync(writeConfig({ desktop: true, webhook: { enabled: true } }), dbPath, {
      env: { S3_CSV_SYNC_WEBHOOK_URL: hook.url },
      alertDelivery: { policy: { attempts: 2, timeoutMs: 1_000, backoffMs: [50] } },
    });
    expect(result.code).toBe(1);
    expect(deliveries(dbPath)).toEqual([
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
    const watching = runCli(['watch', '--config', configPath, '--db', newDb()], io, {
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
    const dbPath = newDb();
    expect((await cliSync(writeConfig({ desktop: true, webhook: { enabled: true } }), dbPath)).code).toBe(1);
    expect(deliveries(dbPath)).toEqual([
      expect.objectContaining({
        channel: 'webhook',
        outcome: 'failed',
        detail: 'no webhook URL is stored: paste it on the Schedule screen, or set S3_CSV_SYNC_WEBHOOK_URL',
      }),
    ]);
  });
});
