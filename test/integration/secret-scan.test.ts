// The all-outputs secret scan. A known, distinctive secret access key goes where users put it (the
// real OS keychain through the app's secret store and `credentials set`, the AWS_SECRET_ACCESS_KEY
// variable, the Connection screen's typed secret); syncs then fail in every way the app knows; and
// every output is searched for the secret, raw and in the encodings an SDK error or a log might give
// it (base64 at any alignment, URL-encoding, hex, UTF-16): CLI stdout and stderr (text and --json,
// in-process and real child processes), the reports, the web preview's API answers and its SSE event
// stream, the IPC wrapper's replies and logs, the console and process output of this test process
// (the sync worker's included), every table of every SQLite database, and every file under the test's
// folder (settings, exported configuration, databases with their -wal and -shm files), byte by byte.
//
// Each failure is also checked to have happened as intended (its plain message), so the scan never
// passes because nothing failed.
//
// Alerts too: the SMTP password and the webhook URL's token go to the real keychain (the Schedule
// screen's saveAlerts) and the environment (the CLI); every failing run then alerts a real SMTP server
// (STARTTLS, AUTH) and a real webhook receiver, test alerts fail in every way they can (a refused login
// with the stored password, a receiver that quotes its URL back), and the emails as sent, the webhook
// bodies and the run log's alert deliveries are searched for all three secrets.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConnectionConfig, RunReport } from '../../electron/shared/contract';
import { runCli } from '../../electron/cli/cli';
import { parseConfig, type SyncConfig } from '../../electron/shared/config';
import { KeytarSecretStore } from '../../electron/core/config/secret-store';
import { openDatabase } from '../../electron/core/db/sqlite-database';
import { sessionTokenAccount } from '../../electron/core/config/sign-in-secrets';
import { runSync } from '../../electron/core/sync/run-sync';
import { isAppUrl } from '../../electron/main/app-protocol';
import { registerApiHandlers } from '../../electron/main/ipc';
import { createBridge } from '../../electron/preload/bridge';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { startLocalS3Server, type LocalS3Server } from '../../scripts/local-s3-server';
import { FakeIpc } from '../shell/fakes';
import { makeSelfSignedCert, startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const ROOT = resolve(import.meta.dirname, '../..');

// Distinctive, with '/' and '+' so that its URL-encoded and base64 forms differ from it.
const SECRET = `Zk9q/ScanSecret+${randomBytes(12).toString('base64url')}`;
// Unique per run, so parallel tests using the same test keyring never see these entries.
const RUN = randomBytes(4).toString('hex').toUpperCase();
const KEY_ID = `AKIASCAN${RUN}`;
const CLI_KEY_ID = `AKIASCANCLI${RUN}`;
const KEY_WITHOUT_SECRET = `AKIASCANNONE${RUN}`;
const UNKNOWN_KEY_ID = `AKIASCANNOBODY${RUN}`;
// Temporary keys: their secret is SECRET too, and their session token is a second secret to look for.
const TEMPORARY_KEY_ID = `ASIASCAN${RUN}`;
const SESSION_TOKEN = `IQoJb3Jp/ScanToken+${randomBytes(24).toString('base64url')}`;

/** The forms in which the secret would betray itself in bytes. */
function secretNeedles(secret: string): { form: string; bytes: Buffer }[] {
  const utf8 = Buffer.from(secret, 'utf8');
  const needles: { form: string; bytes: Buffer }[] = [
    { form: 'raw', bytes: utf8 },
    { form: 'UTF-16LE', bytes: Buffer.from(secret, 'utf16le') },
    { form: 'URL-encoded', bytes: Buffer.from(encodeURIComponent(secret)) },
    { form: 'JSON-escaped', bytes: Buffer.from(JSON.stringify(secret).slice(1, -1).replaceAll('/', '\\/')) },
    { form: 'hex', bytes: Buffer.from(utf8.toString('hex')) },
    { form: 'HEX', bytes: Buffer.from(utf8.toString('hex').toUpperCase()) },
    // Part of it is still a leak: halves, and the ten characters a V8 JSON.parse message quotes.
    { form: 'first half', bytes: utf8.subarray(0, Math.floor(utf8.length / 2)) },
    { form: 'second half', bytes: utf8.subarray(Math.floor(utf8.length / 2)) },
    { form: 'first 10 characters', bytes: utf8.subarray(0, 10) },
    { form: 'last 10 characters', bytes: utf8.subarray(-10) },
  ];
  // Base64 of data that contains the secret depends on where it starts modulo 3: the stable middle part.
  for (const padding of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(padding, 0x20), utf8]).toString('base64');
    const stable = encoded.slice(padding === 0 ? 0 : 4, -4);
    needles.push({ form: `base64 (offset ${padding})`, bytes: Buffer.from(stable) });
    needles.push({
      form: `base64url (offset ${padding})`,
      bytes: Buffer.from(stable.replaceAll('+', '-').replaceAll('/', '_')),
    });
  }
  return needles;
}

// The alert secrets: the SMTP password, and the webhook URL's token (its host may be shown, its path never).
const SMTP_PASSWORD = `Smtp/Pw+${randomBytes(12).toString('base64url')}`;
const WEBHOOK_TOKEN = `T0SCAN/B0SCAN/${randomBytes(12).toString('base64url')}`;
const NEEDLES = [
  ...secretNeedles(SECRET),
  ...secretNeedles(SESSION_TOKEN).map((needle) => ({ ...needle, form: `session token, ${needle.form}` })),
  ...secretNeedles(SMTP_PASSWORD).map((needle) => ({ ...needle, form: `SMTP password, ${needle.form}` })),
  ...secretNeedles(WEBHOOK_TOKEN).map((needle) => ({ ...needle, form: `webhook token, ${needle.form}` })),
];
const ALERT_ACCOUNTS = ['alerts:smtp-password:sync@127.0.0.1', 'alerts:webhook-url'];

/** Every output seen, with where it came from. */
const outputs: { where: string; bytes: Buffer }[] = [];

function record(where: string, value: unknown): void {
  const bytes = Buffer.isBuffer(value)
    ? value
    : Buffer.from(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
  outputs.push({ where, bytes });
}

function leaksIn(bytes: Buffer): string[] {
  return NEEDLES.filter((needle) => bytes.includes(needle.bytes)).map((needle) => needle.form);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const info = statSync(path);
    return info.isDirectory() ? filesUnder(path) : info.isFile() ? [path] : [];
  });
}

/** Every row of every table (and the schema) of a SQLite file, as text. */
function dumpDatabase(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare(`SELECT name, sql FROM sqlite_master`).all() as { name: string; sql: string | null }[];
    const dump = tables.map(({ name, sql }) => {
      const rows = sql?.startsWith('CREATE TABLE')
        ? db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all()
        : [];
      return `${sql}\n${JSON.stringify(rows, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('latin1') : value))}`;
    });
    return dump.join('\n');
  } finally {
    db.close();
  }
}

let scratch: string;
let s3rver: LocalS3Server;
let canned: Server;
let cannedEndpoint: string;
let unreachableEndpoint: string;
const keychain = new KeytarSecretStore();
let smtp: SmtpReceiver;
let hook: WebhookReceiver;
/** The SMTP servers' self-signed certificate, trusted by the CLI processes through NODE_EXTRA_CA_CERTS. */
let caFile: string;
let smtpTls: { key: string; cert: string };

function scanAlerts(smtpPort = smtp.port) {
  return {
    desktop: true,
    email: {
      to: ['cs-lead@acme.io'],
      from: 's3-csv-sync@acme.io',
      smtp: { host: '127.0.0.1', port: smtpPort, security: 'starttls' as const, user: 'sync' },
    },
    webhook: { enabled: true },
  };
}

const alertDelivery = () => ({
  policy: { attempts: 2, timeoutMs: 15_000, backoffMs: [50] },
  email: { tls: { ca: smtp.cert } },
});

/** What this process writes to its console and stdio, the sync worker's output included. */
const restoreSpies: (() => void)[] = [];

function captureProcessOutput(): void {
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[method].bind(console);
    const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      record(
        `console.${method}`,
        args
          .map((arg) => (arg instanceof Error ? `${arg.stack}` : typeof arg === 'string' ? arg : JSON.stringify(arg)))
          .join(' '),
      );
      original(...args);
    });
    restoreSpies.push(() => spy.mockRestore());
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      record(
        stream === process.stdout ? 'process.stdout' : 'process.stderr',
        typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array),
      );
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    };
    restoreSpies.push(() => {
      stream.write = original;
    });
  }
}

// ---------------------------------------------------------------------------------------------
// An S3 endpoint that answers each bucket (path-style: /<bucket>/<key>) with one kind of trouble,
// as S3 sends it. s3rver can produce neither these errors nor dropped connections.

const LISTED_KEYS = ['orgs/a.csv', 'orgs/b.csv'];

function listing(bucket: string): string {
  const contents = LISTED_KEYS.map(
    (key, i) =>
      `<Contents><Key>${key}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"e${i}"</ETag><Size>200</Size></Contents>`,
  ).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Name>${bucket}</Name><Prefix></Prefix><KeyCount>${LISTED_KEYS.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`;
}

function s3Error(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra = '',
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': 'SCAN', ...headers });
  response.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>SCAN</RequestId></Error>`,
  );
}

const xmlEscape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function answerCanned(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const [, bucket = '', ...keyParts] = url.pathname.split('/');
  const isListing = keyParts.length === 0 || keyParts.join('/') === '';
  const authorization = request.headers.authorization ?? '';
  switch (bucket) {
    case 'sig-mismatch':
      // As S3 says it: the string it signed, the canonical request and the signature it got (never the secret).
      return s3Error(
        response,
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
        `<AWSAccessKeyId>${KEY_ID}</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n20240101T000000Z</StringToSign>` +
          `<SignatureProvided>${xmlEscape(/Signature=(\w+)/.exec(authorization)?.[1] ?? '')}</SignatureProvided>` +
          `<CanonicalRequest>${xmlEscape(`${request.method} ${request.url}\n${JSON.stringify(request.headers)}`)}</CanonicalRequest>`,
      );
    case 'unknown-key':
      return s3Error(
        response,
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
        `<AWSAccessKeyId>${KEY_ID}</AWSAccessKeyId>`,
      );
    case 'access-denied':
      return s3Error(response, 403, 'AccessDenied', 'Access Denied');
    case 'other-region':
      return s3Error(
        response,
        301,
        'PermanentRedirect',
        'The bucket you are attempting to access must be addressed using the specified endpoint.',
        '<Endpoint>other-region.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>other-region</Bucket>',
        { 'x-amz-bucket-region': 'eu-west-1' },
      );
    case 'auth-header-region':
      return s3Error(
        response,
        400,
        'AuthorizationHeaderMalformed',
        "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'ap-southeast-2'",
        '<Region>ap-southeast-2</Region>',
      );
    case 'slow-down':
      return s3Error(response, 503, 'SlowDown', 'Please reduce your request rate.');
    case 'echoes-request':
      // An odd error whose message repeats what the client sent (its Authorization header included):
      // the app quotes such messages verbatim ("S3 said: ...").
      return s3Error(
        response,
        400,
        'InvalidRequest',
        `Bad request ${xmlEscape(`${request.method} ${request.url} ${authorization}`)}`,
      );
    case 'drops-downloads':
      if (isListing) break;
      // Headers and the start of the file, then the connection drops mid-download.
      response.writeHead(200, { 'content-type': 'text/csv', 'content-length': '200', etag: '"e0"' });
      response.write('org_id,org_name\no1,Acme\no2,Glo');
      setTimeout(() => response.socket?.destroy(), 20);
      return;
    case 'read-denied':
      if (isListing) break;
      return s3Error(response, 403, 'AccessDenied', 'Access Denied');
    default:
      return s3Error(
        response,
        404,
        'NoSuchBucket',
        'The specified bucket does not exist',
        `<BucketName>${xmlEscape(bucket)}</BucketName>`,
      );
  }
  response.writeHead(200, { 'content-type': 'application/xml' });
  response.end(listing(bucket));
}

// ---------------------------------------------------------------------------------------------
// The failure modes: each a connection, and what the failed run must say.

interface Scenario {
  name: string;
  connection: () => ConnectionConfig;
  /** The run's error, or its first failed file's error, matches this. */
  says: RegExp;
  /** The secret to type on the Connection screen (and to store in the keychain); none: the keychain has none. */
  typedSecret?: boolean;
}

const cannedConnection = (bucket: string): ConnectionConfig => ({
  bucket,
  prefix: '',
  region: 'us-east-1',
  accessKeyId: KEY_ID,
  endpoint: cannedEndpoint,
  forcePathStyle: true,
});
const s3rverConnection = (overrides: Partial<ConnectionConfig> = {}): ConnectionConfig => ({
  bucket: s3rver.bucket,
  prefix: 'vitally/',
  region: 'us-east-1',
  accessKeyId: KEY_ID,
  endpoint: s3rver.endpoint,
  forcePathStyle: true,
  ...overrides,
});

const SCENARIOS: Scenario[] = [
  {
    name: 'hostile and broken CSV files',
    connection: () => s3rverConnection(),
    says: /of \d+ files failed/,
    typedSecret: true,
  },
  {
    name: 'unknown access key ID',
    connection: () => s3rverConnection({ accessKeyId: UNKNOWN_KEY_ID }),
    says: /is not known to/,
    typedSecret: true,
  },
  {
    name: 'unknown access key ID (S3 XML)',
    connection: () => cannedConnection('unknown-key'),
    says: /is not known to/,
    typedSecret: true,
  },
  {
    name: 'missing bucket',
    connection: () => s3rverConnection({ bucket: 'no-such-bucket-here' }),
    says: /The bucket "no-such-bucket-here" does not exist/,
    typedSecret: true,
  },
  {
    name: 'wrong secret (signature mismatch)',
    connection: () => cannedConnection('sig-mismatch'),
    says: /The secret access key does not match/,
    typedSecret: true,
  },
  {
    name: 'access denied',
    connection: () => cannedConnection('access-denied'),
    says: /^Access denied: the access key/,
    typedSecret: true,
  },
  {
    name: 'wrong region (redirect)',
    connection: () => cannedConnection('other-region'),
    says: /is in region eu-west-1, not us-east-1/,
    typedSecret: true,
  },
  {
    name: 'wrong region (authorization header)',
    connection: () => cannedConnection('auth-header-region'),
    says: /is in region ap-southeast-2/,
    typedSecret: true,
  },
  {
    name: 'endpoint unreachable',
    connection: () => ({ ...cannedConnection('anything'), endpoint: unreachableEndpoint }),
    says: /Could not reach .*the connection was refused/,
    typedSecret: true,
  },
  {
    name: 'connection dropped mid-download',
    connection: () => cannedConnection('drops-downloads'),
    says: /the connection was lost while reading orgs\/a\.csv|stopped answering/,
    typedSecret: true,
  },
  {
    name: 'files that may not be read',
    connection: () => cannedConnection('read-denied'),
    says: /Access denied: .* may not read orgs\/a\.csv/,
    typedSecret: true,
  },
  {
    name: 'throttled until giving up',
    connection: () => cannedConnection('slow-down'),
    says: /kept failing \(HTTP 503 SlowDown\) after 4 attempts/,
    typedSecret: true,
  },
  {
    name: 'an error that echoes the request',
    connection: () => cannedConnection('echoes-request'),
    says: /^S3 said: Bad request GET/,
    typedSecret: true,
  },
  {
    name: 'no secret anywhere (the run cannot start)',
    connection: () => ({ ...cannedConnection('anything'), accessKeyId: KEY_WITHOUT_SECRET }),
    says: /No secret access key found for/,
  },
];

const ORGANIZATIONS = {
  enabled: true,
  fileRegex: '^orgs/',
  mode: 'create_update',
  idColumn: 'org_id',
  nameColumn: 'org_name',
} as const;

function configFor(connection: ConnectionConfig): SyncConfig {
  return parseConfig({
    connection,
    objects: { organizations: ORGANIZATIONS },
    schedule: { everyHours: null },
    alerts: scanAlerts(),
  });
}

function failureText(report: { error?: string | null; files?: { error?: string | null }[] }): string {
  return report.error ?? report.files?.find((file) => file.error)?.error ?? '';
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 's3sync-secret-scan-'));
  captureProcessOutput();

  s3rver = await startLocalS3Server('acme-exports');
  smtpTls = makeSelfSignedCert();
  [smtp, hook] = await Promise.all([
    startSmtpReceiver({ user: 'sync', password: SMTP_PASSWORD, tls: smtpTls }),
    startWebhookReceiver(WEBHOOK_TOKEN),
  ]);
  caFile = join(scratch, 'smtp-ca.pem');
  writeFileSync(caFile, smtp.cert);
  // s3rver checks access key IDs against its accounts (but no signatures): let it know ours.
  const { DUMMY_ACCOUNT } = createRequire(import.meta.url)('s3rver/lib/models/account') as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
  };
  for (const id of [KEY_ID, CLI_KEY_ID]) DUMMY_ACCOUNT.createKeyPair(id, SECRET);
  await s3rver.put(
    'vitally/orgs/a.csv',
    'org_id,org_name,tier\no1,Acme,gold\n,No ID,silver\no2,Globex,"never closed\n',
  );
  await s3rver.put('vitally/orgs/b-missing-column.csv', 'org_id,title\no3,Initech\n');
  await s3rver.put(
    'vitally/orgs/c-damaged.csv.gz',
    Buffer.concat([gzipSync('org_id,org_name\no4,Umbrella\n').subarray(0, 14), Buffer.from('garbage')]),
  );
  await s3rver.put(
    'vitally/orgs/d-binary.csv',
    Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]), randomBytes(512)]),
  );
  await s3rver.put('vitally/orgs/e-duplicate-header.csv', 'org_id,org_name,org_name\no5,Hooli,Hooli\n');

  canned = createServer(answerCanned);
  await new Promise<void>((done) => canned.listen(0, '127.0.0.1', done));
  cannedEndpoint = `http://127.0.0.1:${(canned.address() as AddressInfo).port}`;
  // A port that was just free: nothing listens there.
  const closed = createServer();
  await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
  unreachableEndpoint = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((done) => closed.close(done));
  writeCliConfigs();
}, 60_000);

afterAll(async () => {
  restoreSpies.forEach((restore) => restore());
  if (web && !webClosed) await web.close().catch(() => {});
  await new Promise((done) => canned?.close(done));
  await s3rver?.close();
  await Promise.all([smtp?.close(), hook?.close()]);
  for (const id of [
    KEY_ID,
    CLI_KEY_ID,
    UNKNOWN_KEY_ID,
    KEY_WITHOUT_SECRET,
    TEMPORARY_KEY_ID,
    sessionTokenAccount(TEMPORARY_KEY_ID),
    ...ALERT_ACCOUNTS,
  ])
    await keychain.delete(id).catch(() => false);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The app's back end, through the web preview (HTTP + SSE) and the Electron IPC wrapper.

let web: WebServer;
let webClosed = false;
let sse = '';
let sseRequest: ReturnType<typeof request> | undefined;

function http(
  path: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port: web.port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** An API request over HTTP as the page sends it; its whole answer is recorded. */
async function call<T = unknown>(
  method: string,
  args?: unknown,
): Promise<{ status: number; result?: T; error?: string }> {
  const answer = await http(`/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-S3Sync-Token': web.token },
    body: JSON.stringify(args === undefined ? {} : { args }),
  });
  record(`web preview answer to ${method}`, `${answer.status} ${answer.body}`);
  return { status: answer.status, ...(JSON.parse(answer.body) as { result?: T; error?: string }) };
}

function nextRunFinished(): Promise<RunReport> {
  return new Promise((resolvePromise) => {
    const off = web.api.on('runFinished', (report) => {
      off();
      resolvePromise(report);
    });
  });
}

describe('the app (web preview and IPC) with the secret in the real keychain', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    const rendererDir = join(scratch, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>S3 CSV Sync</title>');
    // env {}: the secret can only come from the keychain, as in the desktop app without the variable.
    web = await startWebServer({
      dataDir: join(scratch, 'app-data'),
      secretStore: keychain,
      rendererDir,
      env: {},
      alertDelivery: alertDelivery(),
    });
    await new Promise<void>((resolvePromise, reject) => {
      sseRequest = request({ host: '127.0.0.1', port: web.port, path: `/api/events?token=${web.token}` }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (sse += chunk));
        resolvePromise();
      });
      sseRequest.on('error', (error) => (sse ? undefined : reject(error)));
      sseRequest.end();
    });
  });

  it('the web preview token is not the secret, and a run with no connection yet fails plainly', async () => {
    expect(web.token).not.toContain(SECRET);
    const finished = nextRunFinished();
    expect((await call('syncNow')).status).toBe(200);
    expect((await finished).error).toMatch(/There is no connection set up yet/);
  });

  it('alert secrets go to the keychain; test alerts that fail say why without them', async () => {
    expect((await call<{ ok: boolean }>('saveConnection', { connection: s3rverConnection() })).result?.ok).toBe(true);
    const saved = await call<{ ok: boolean }>('saveAlerts', {
      alerts: scanAlerts(),
      smtpPassword: SMTP_PASSWORD,
      webhookUrl: hook.url,
    });
    expect(saved.result?.ok, saved.error).toBe(true);
    expect(await keychain.get(ALERT_ACCOUNTS[0]!)).toBe(SMTP_PASSWORD);
    expect(await keychain.get(ALERT_ACCOUNTS[1]!)).toBe(hook.url);
    type Tested = { ok: boolean; results: { channel: string; ok: boolean; message: string }[] };
    const works = await call<Tested>('sendTestAlert', { alerts: scanAlerts() });
    expect(works.result?.results.map((r) => r.ok)).toEqual([true, true]);

    // The stored password sent to a server that wants another one; a receiver quoting its URL back.
    const otherServer = await startSmtpReceiver({ user: 'sync', password: 'another-password', tls: smtpTls });
    hook.answer = { status: 404, body: (path) => `no such hook: ${path}` };
    try {
      const refused = await call<Tested>('sendTestAlert', { alerts: scanAlerts(otherServer.port) });
      expect(refused.result?.results).toEqual([
        expect.objectContaining({ channel: 'email', ok: false, message: expect.stringContaining('refused the login') }),
        expect.objectContaining({ channel: 'webhook', ok: false, message: expect.stringContaining('[redacted]') }),
      ]);
      expect(otherServer.logins).toEqual([{ user: 'sync', accepted: false }]);
    } finally {
      hook.answer = { status: 200, body: 'ok' };
      await otherServer.close();
    }
    // Typed but unsaved secrets, wrong ones: refused as well.
    await call('sendTestAlert', {
      alerts: scanAlerts(),
      smtpPassword: `${SMTP_PASSWORD}x`,
      webhookUrl: `${hook.url}x`,
    });
  });

  it.each(SCENARIOS)('$name: the run fails as it should', async (scenario) => {
    const connection = scenario.connection();
    const saved = await call<{ ok: boolean }>('saveConnection', {
      connection,
      ...(scenario.typedSecret ? { secretAccessKey: SECRET } : {}),
    });
    expect(saved.result?.ok, saved.error).toBe(true);
    if (scenario.typedSecret) expect(await keychain.get(connection.accessKeyId!)).toBe(SECRET);

    const finished = nextRunFinished();
    const overview = await call<{ config: SyncConfig; secretStored: boolean }>('getOverview');
    expect(overview.result?.secretStored).toBe(Boolean(scenario.typedSecret));
    if (!overview.result?.config.objects.organizations) {
      // The first mapping saved starts a sync by itself.
      expect((await call('saveMapping', { type: 'organizations', mapping: ORGANIZATIONS })).status).toBe(200);
    } else {
      expect((await call<{ started: boolean }>('syncNow')).result?.started).toBe(true);
    }
    const report = await finished;
    expect(report.status).not.toBe('succeeded');
    if (report.runId !== null) {
      const detail = await call<{ run: { error: string | null }; files: { error: string | null }[] }>('getRun', {
        runId: report.runId,
        rejectsLimit: 1000,
      });
      expect(failureText({ error: detail.result!.run.error, files: detail.result!.files })).toMatch(scenario.says);
    } else {
      expect(report.error).toMatch(scenario.says);
    }

    // Each request to a throttling endpoint takes seconds of backoff: its sync is enough.
    if (scenario.name.startsWith('throttled')) return;
    // The Connection and Objects screens' own calls, with the typed secret and with the stored one.
    const typed = await call<{ ok: boolean; message?: string }>('testConnection', {
      connection,
      secretAccessKey: SECRET,
    });
    const stored = await call<{ ok: boolean; message?: string }>('testConnection', { connection });
    if (
      scenario.name !== 'hostile and broken CSV files' &&
      !scenario.name.startsWith('connection dropped') &&
      !scenario.name.startsWith('files that')
    ) {
      expect(stored.result?.ok).toBe(false);
    }
    expect(typed.status).toBe(200);
    await call('previewFiles', { type: 'organizations', fileRegex: '^orgs/' });
    for (const key of ['orgs/a.csv', 'vitally/orgs/d-binary.csv', 'vitally/orgs/c-damaged.csv.gz'])
      await call('sampleFile', { type: 'organizations', key });
  });

  it('the database locked by another program: the app says so', async () => {
    // Another program holds the write lock for longer than the app waits (its busy timeout is 10 s).
    const saved = await call<{ ok: boolean }>('saveConnection', {
      connection: s3rverConnection(),
      secretAccessKey: SECRET,
    });
    expect(saved.result?.ok).toBe(true);
    const locker = new Database(web.service.dbPath);
    locker.pragma('busy_timeout = 0');
    locker.exec('BEGIN IMMEDIATE');
    cliProcesses ??= startCliProcesses();
    try {
      const finished = nextRunFinished();
      expect((await call<{ started: boolean }>('syncNow')).result?.started).toBe(true);
      const report = await finished;
      expect(report.status).toBe('failed');
      expect(report.error).toMatch(/is locked by another program/);
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
  }, 60_000);

  it('every other screen’s answers, the exported configuration and the IPC wrapper', async () => {
    const runs = await call<{ id: number }[]>('listRuns', { limit: 500 });
    expect(runs.result!.length).toBeGreaterThanOrEqual(SCENARIOS.length);
    for (const run of runs.result!) await call('getRun', { runId: run.id, rejectsLimit: 1000 });
    await call('runChart', { limit: 1000 });
    for (const table of ['organizations', 'accounts', 'users', 'nps_responses', 'events']) {
      const page = await call<{ rows: { id: string }[] }>('queryRecords', { table, page: { offset: 0, limit: 500 } });
      for (const row of page.result!.rows) await call('getRecord', { table, id: row.id });
    }
    const exported = await call<{ json: string }>('exportConfig');
    expect(exported.result!.json).toContain(KEY_ID);
    writeFileSync(join(scratch, 'shared-setup.json'), exported.result!.json);

    // Temporary keys typed on the Connection screen: secret and token go to the keychain, not the config.
    const temporary = {
      ...cannedConnection('access-denied'),
      accessKeyId: TEMPORARY_KEY_ID,
      signIn: { method: 'temporaryKeys', expiresAt: '2030-01-01T00:00:00Z' },
    };
    const refused = await call<{ ok: false; message: string }>('testConnection', {
      connection: temporary,
      secretAccessKey: SECRET,
      sessionToken: SESSION_TOKEN,
    });
    expect(refused.result?.message).toMatch(/^Access denied: the access key "ASIASCAN/);
    const savedTemporary = await call<{ ok: boolean }>('saveConnection', {
      connection: temporary,
      secretAccessKey: SECRET,
      sessionToken: SESSION_TOKEN,
    });
    expect(savedTemporary.result?.ok, savedTemporary.error).toBe(true);
    expect(await keychain.get(sessionTokenAccount(TEMPORARY_KEY_ID))).toBe(SESSION_TOKEN);
    expect((await call<{ sessionTokenStored: boolean }>('getOverview')).result?.sessionTokenStored).toBe(true);
    const exportedTemporary = await call<{ json: string }>('exportConfig');
    expect(exportedTemporary.result!.json).toContain('"method": "temporaryKeys"');
    writeFileSync(join(scratch, 'shared-setup-temporary-keys.json'), exportedTemporary.result!.json);
    // A session token pasted into a configuration: refused without quoting it.
    const pasted = await call<{ ok: boolean; message: string }>('importConfig', {
      json: JSON.stringify({
        connection: { ...temporary, signIn: { method: 'temporaryKeys', sessionToken: SESSION_TOKEN } },
        objects: {},
      }),
    });
    expect(pasted.result).toMatchObject({
      ok: false,
      message: expect.stringContaining('unknown field "sessionToken"'),
    });
    await call('importConfig', { json: exported.result!.json }); // back to the access key connection
    await call('openDatabaseFolder');
    await call('importConfig', { json: exported.result!.json });
    // The secret pasted into the import box by mistake, alone or unquoted in a configuration: refused
    // without quoting it (JSON.parse's own message quotes the text around the mistake).
    for (const json of [
      SECRET,
      `{"connection": {"secretAccessKey": ${SECRET}}}`,
      `{"connection": {"secretAccessKey": "${SECRET}"}}`,
    ]) {
      const imported = await call<{ ok: boolean; message: string }>('importConfig', { json });
      expect(imported.result).toMatchObject({
        ok: false,
        message: expect.stringMatching(/^The (imported )?configuration is not valid/),
      });
    }
    // An invalid connection typed with a secret: refused, naming the fields.
    await call('saveConnection', {
      connection: { ...s3rverConnection(), bucket: 'x', region: '' },
      secretAccessKey: SECRET,
    });
    // A request the transport refuses: a secret that is not a string, and one beyond the size limit.
    expect(
      (await call('saveConnection', { connection: s3rverConnection(), secretAccessKey: SECRET.length })).status,
    ).toBe(400);
    expect(
      (await call('testConnection', { connection: s3rverConnection(), secretAccessKey: SECRET.repeat(40) })).status,
    ).toBe(400);
    expect(
      (await call('testConnection', { connection: s3rverConnection(), secretAccessKey: SECRET, extra: SECRET })).status,
    ).toBe(400);

    // The same API object over the desktop app's IPC wrapper and preload bridge.
    const ipc = new FakeIpc();
    ipc.sender = { sender: { id: 1 }, senderFrame: { url: 'app://s3-csv-sync/index.html', parent: null } };
    const unregister = registerApiHandlers(
      ipc.main,
      web.api,
      { windowContentsId: () => 1, isAppUrl: (url) => isAppUrl(url) },
      { log: (message, error) => record('IPC log', `${message} ${String(error)}`) },
    );
    const bridge = createBridge(ipc.renderer);
    const settle = async (where: string, promise: Promise<unknown>) =>
      record(
        where,
        await promise.then(
          (value) => ({ value }),
          (error: Error) => ({ error: error.message }),
        ),
      );
    for (const scenario of SCENARIOS.filter((s) => !s.name.startsWith('throttled'))) {
      await settle(
        `IPC testConnection (${scenario.name})`,
        bridge.testConnection({ connection: scenario.connection(), secretAccessKey: SECRET }),
      );
    }
    await settle(
      'IPC saveConnection (invalid)',
      bridge.saveConnection({ connection: { ...s3rverConnection(), region: '' }, secretAccessKey: SECRET }),
    );
    await settle(
      'IPC testConnection (malformed)',
      bridge.testConnection({ connection: s3rverConnection(), secretAccessKey: SECRET, extra: SECRET } as never),
    );
    await settle('IPC getOverview', bridge.getOverview());
    await settle(
      'IPC testConnection (temporary keys)',
      bridge.testConnection({
        connection: {
          ...cannedConnection('access-denied'),
          accessKeyId: TEMPORARY_KEY_ID,
          signIn: { method: 'temporaryKeys' },
        },
        secretAccessKey: SECRET,
        sessionToken: SESSION_TOKEN,
      }),
    );
    ipc.sender = { sender: { id: 2 }, senderFrame: { url: 'https://evil.example/', parent: null } };
    await settle('IPC refused', bridge.testConnection({ connection: s3rverConnection(), secretAccessKey: SECRET }));
    unregister();
  });
});

// ---------------------------------------------------------------------------------------------
// The sync engine where the database refuses writes (the CLI and the app's worker both run it).

describe('the database refusing writes', () => {
  it('locked by another program, or read-only: the run fails with that reason', async () => {
    const config = configFor(s3rverConnection());
    const dbPath = join(scratch, 'engine.sqlite');
    openDatabase(dbPath).close();

    const locker = new Database(dbPath);
    locker.exec('BEGIN IMMEDIATE');
    const lockedDb = openDatabase(dbPath, { busyTimeoutMs: 200 });
    try {
      const locked = await runSync({ config, secretAccessKey: SECRET, db: lockedDb, dbPath, trigger: 'test' }).catch(
        (error: Error) => error,
      );
      record('engine: locked database', locked instanceof Error ? `${locked.message}\n${locked.stack}` : locked);
      expect(locked instanceof Error ? locked.message : failureText(locked)).toMatch(/is locked by another program/);
    } finally {
      lockedDb.close();
      locker.exec('ROLLBACK');
      locker.close();
    }

    // Root ignores file permissions: a read-only connection stands for a read-only file.
    const readOnlyDb = new Database(dbPath, { readonly: true });
    try {
      const readOnly = await runSync({
        config,
        secretAccessKey: SECRET,
        db: readOnlyDb,
        dbPath,
        trigger: 'test',
      }).catch((error: Error) => error);
      record(
        'engine: read-only database',
        readOnly instanceof Error ? `${readOnly.message}\n${readOnly.stack}` : readOnly,
      );
      expect(readOnly instanceof Error ? readOnly.message : failureText(readOnly)).toMatch(/is read-only/);
    } finally {
      readOnlyDb.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The command line: in-process for every failure mode (text and --json), and as real processes.

function memoryIo(env: NodeJS.ProcessEnv, stdin = '') {
  const out = { stdout: '', stderr: '' };
  const sink = (name: 'stdout' | 'stderr') => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => (out[name] += chunk.toString('utf8')));
    return stream;
  };
  return { io: { stdin: Readable.from([stdin]), stdout: sink('stdout'), stderr: sink('stderr'), env }, out };
}

async function cliInProcess(
  label: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, out } = memoryIo(env);
  const code = await runCli(args, io, { secretStore: keychain, alertDelivery: alertDelivery() });
  await new Promise((done) => setImmediate(done));
  record(`CLI (in process) ${label}: stdout`, out.stdout);
  record(`CLI (in process) ${label}: stderr`, out.stderr);
  return { code, ...out };
}

function cliProcess(
  label: string,
  args: string[],
  env: Record<string, string | undefined>,
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const childEnv: Record<string, string | undefined> = { ...process.env, NODE_EXTRA_CA_CERTS: caFile, ...env };
    for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name];
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'electron/cli/main.ts'), ...args], {
      cwd: ROOT,
      env: childEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      record(`CLI process ${label}: stdout`, stdout);
      record(`CLI process ${label}: stderr`, stderr);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

let cliDir: string;
const configPath = (name: string) => join(cliDir, `${name.replace(/\W+/g, '-')}.json`);

function writeCliConfigs(): void {
  cliDir = join(scratch, 'cli');
  mkdirSync(cliDir);
  for (const scenario of SCENARIOS)
    writeFileSync(configPath(scenario.name), JSON.stringify(configFor(scenario.connection())));
  writeFileSync(join(cliDir, 'cli-key.json'), JSON.stringify(configFor(s3rverConnection({ accessKeyId: CLI_KEY_ID }))));
  writeFileSync(join(cliDir, 'key-id.json'), JSON.stringify(configFor(s3rverConnection())));
}

let cliProcesses: ReturnType<typeof startCliProcesses> | undefined;

/**
 * The real CLI processes (each starts Node, tsx and the AWS SDK: seconds). Started while the app
 * waits out a database lock, so the two waits overlap; they touch neither the app's database nor
 * its keychain entries.
 */
function startCliProcesses() {
  const noKeychain = {
    DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent',
    DISPLAY: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
  };
  return Promise.all([
    cliProcess(
      'credentials set',
      ['credentials', 'set', '--access-key-id', CLI_KEY_ID],
      { AWS_SECRET_ACCESS_KEY: undefined },
      `${SECRET}\n`,
    ),
    cliProcess(
      'credentials set without a keychain',
      ['credentials', 'set', '--access-key-id', CLI_KEY_ID],
      noKeychain,
      `${SECRET}\n`,
    ),
    cliProcess(
      'sync without a keychain',
      ['sync', '--config', join(cliDir, 'cli-key.json'), '--db', join(cliDir, 'never.sqlite')],
      noKeychain,
    ),
    cliProcess(
      'sync with the wrong secret',
      [
        'sync',
        '--config',
        configPath('wrong secret (signature mismatch)'),
        '--db',
        join(cliDir, 'process-wrong.sqlite'),
      ],
      { AWS_SECRET_ACCESS_KEY: SECRET },
    ),
    // The app part stored the secret for KEY_ID in the keychain.
    cliProcess(
      'sync --json from the keychain',
      ['sync', '--config', join(cliDir, 'key-id.json'), '--db', join(cliDir, 'process.sqlite'), '--json'],
      { AWS_SECRET_ACCESS_KEY: undefined },
    ),
  ]);
}

describe('the command line', { timeout: 120_000 }, () => {
  it.each(SCENARIOS)('$name: sync, sync --json, test-connection and preview say what is wrong', async (scenario) => {
    // Half the scenarios take the secret from the environment, the others from the keychain.
    const env: NodeJS.ProcessEnv =
      SCENARIOS.indexOf(scenario) % 2 === 0 || !scenario.typedSecret
        ? {}
        : {
            AWS_SECRET_ACCESS_KEY: SECRET,
            S3_CSV_SYNC_SMTP_PASSWORD: SMTP_PASSWORD,
            S3_CSV_SYNC_WEBHOOK_URL: hook.url,
          };
    const config = configPath(scenario.name);
    const db = join(cliDir, `${scenario.name.replace(/\W+/g, '-')}.sqlite`);
    const json = await cliInProcess(
      `${scenario.name} sync --json`,
      ['sync', '--config', config, '--db', db, '--json'],
      env,
    );
    expect(json.code).not.toBe(0);
    expect(json.stdout ? failureText(JSON.parse(json.stdout)) : json.stderr).toMatch(scenario.says);
    if (scenario.name.startsWith('throttled')) return; // seconds of backoff per request: its sync --json is enough
    const text = await cliInProcess(`${scenario.name} sync`, ['sync', '--config', config, '--db', db, '--full'], env);
    expect(text.code).not.toBe(0);
    await cliInProcess(`${scenario.name} test-connection`, ['test-connection', '--config', config], env);
    await cliInProcess(
      `${scenario.name} preview`,
      ['preview', '--config', config, '--type', 'organizations', '--json'],
      env,
    );
  });

  it('runs that cannot start: a database that cannot be opened, a secret in the configuration', async () => {
    const env = { AWS_SECRET_ACCESS_KEY: SECRET };
    const config = configPath(SCENARIOS[0]!.name);
    const folderAsDb = await cliInProcess('sync into a folder', ['sync', '--config', config, '--db', cliDir], env);
    expect(folderAsDb.code).toBe(1);
    expect(folderAsDb.stderr).toMatch(/cannot be opened|is not a valid SQLite database|directory/i);

    const withSecret = join(cliDir, 'with-secret.json');
    const valid = JSON.parse(readFileSync(config, 'utf8')) as SyncConfig;
    writeFileSync(
      withSecret,
      JSON.stringify({ ...valid, connection: { ...valid.connection, secretAccessKey: SECRET } }),
    );
    const refused = await cliInProcess(
      'config holding the secret',
      ['sync', '--config', withSecret, '--db', join(cliDir, 'never.sqlite')],
      env,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('unknown field "secretAccessKey"');
    rmSync(withSecret);

    const status = await cliInProcess('credentials status', ['credentials', 'status', '--access-key-id', KEY_ID], {});
    expect(status.stdout).toContain('is stored in the OS keychain');
    // The secret given as an argument by mistake: refused, never repeated back.
    const asArgument = await cliInProcess(
      'credentials set <secret>',
      ['credentials', 'set', SECRET, '--access-key-id', KEY_ID],
      {},
    );
    expect(asArgument.code).toBe(2);
    expect(asArgument.stderr).toContain('the secret access key is never given on the command line');
    for (const [label, args] of [
      ['sync <secret>', ['sync', '--config', config, '--db', join(cliDir, 'never.sqlite'), SECRET]],
      ['preview <secret>', ['preview', '--config', config, '--type', 'accounts', SECRET]],
      ['test-connection <secret>', ['test-connection', SECRET, '--config', config]],
      ['watch <secret>', ['watch', '--config', config, '--db', join(cliDir, 'never.sqlite'), SECRET]],
      ['credentials status <secret>', ['credentials', 'status', SECRET, '--access-key-id', KEY_ID]],
    ] as const) {
      const stray = await cliInProcess(label, [...args], {});
      expect(stray.code, label).toBe(2);
      expect(stray.stderr, label).toContain('Unexpected argument (not shown');
    }
  });

  it('as real processes: credentials set from standard input, syncs from the keychain and the environment, and a keychain that cannot be reached', async () => {
    const [stored, unreachableSet, unreachableSync, wrongSecret, fromKeychain] = await (cliProcesses ??=
      startCliProcesses());
    expect(stored.code).toBe(0);
    expect(await keychain.get(CLI_KEY_ID)).toBe(SECRET);
    expect(unreachableSet.code).toBe(1);
    expect(unreachableSet.stderr).toContain('The OS keychain could not be reached');
    expect(unreachableSync.code).toBe(2);
    expect(unreachableSync.stderr).toContain('The OS keychain could not be reached');
    expect(wrongSecret.code).toBe(1);
    expect(wrongSecret.stdout).toContain('The secret access key does not match');
    expect(fromKeychain.code).toBe(1);
    expect(JSON.parse(fromKeychain.stdout)).toMatchObject({ status: 'partial' });
  });
});

// ---------------------------------------------------------------------------------------------

describe('the scan', () => {
  it('finds the secret in no output, no database table and no file', async () => {
    // The app's database while it is open (with its -wal and -shm files), then every file once the app has stopped.
    const scanFiles = (when: string) => {
      for (const file of filesUnder(scratch)) {
        record(`${when}: file ${relative(scratch, file)}`, readFileSync(file));
        if (/\.sqlite$/.test(file)) record(`${when}: every table of ${relative(scratch, file)}`, dumpDatabase(file));
      }
    };
    await web.service.alerts.idle();
    scanFiles('while the app runs');
    sseRequest?.destroy();
    record('web preview SSE events', sse);
    expect(sse).toContain('event: runFinished');
    webClosed = true;
    await web.close();
    scanFiles('after the app stopped');
    // The app wrote a settings file and a database, and every CLI run its database: all were read.
    const scanned = outputs.map((output) => output.where);
    expect(scanned).toContain('after the app stopped: file app-data/settings.json');
    expect(scanned).toContain('after the app stopped: file app-data/s3-csv-sync.sqlite');
    expect(scanned.some((where) => /-wal$/.test(where))).toBe(true);
    expect(scanned.filter((where) => where.startsWith('CLI')).length).toBeGreaterThan((SCENARIOS.length - 1) * 8);
    // Alerts went out from the app and the CLI: the emails as sent and the webhook bodies are scanned too.
    smtp.messages.forEach((message, i) => record(`alert email ${i + 1} as sent`, message.raw));
    hook.received.forEach((post, i) => record(`webhook post ${i + 1}`, post.raw));
    expect(smtp.messages.length).toBeGreaterThan(SCENARIOS.length);
    expect(hook.received.length).toBeGreaterThan(SCENARIOS.length);
    const appDeliveries = dumpDatabase(join(scratch, 'app-data/s3-csv-sync.sqlite'));
    expect(appDeliveries).toMatch(/"channel":"email","outcome":"sent"/);

    const leaks = outputs.flatMap(({ where, bytes }) => {
      const forms = leaksIn(bytes);
      return forms.length ? [`${where}: ${forms.join(', ')}`] : [];
    });
    expect(leaks).toEqual([]);
  });
});
