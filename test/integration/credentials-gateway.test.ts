// Every way to sign in, against Ceph's RADOS Gateway with STS on: a server that checks signatures and
// session tokens, issues temporary keys and lets roles be assumed. What a user sees is the outcome of
// "Test connection" or a sync: files listed, or a sentence saying what is wrong and how to fix it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutBucketAclCommand } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type ConnectionConfig } from '../../electron/shared/config';
import type { SignInConfig, SignInSecrets } from '../../electron/shared/sign-in';
import { createS3Client, testConnection } from '../../electron/core/s3/s3-source';
import { describeIdentity } from '../../electron/core/s3/identity';
import { openDatabase } from '../../electron/core/db/sqlite-database';
import { runSync } from '../../electron/core/sync/run-sync';
import { SyncService } from '../../electron/core/service/sync-service';
import { sessionTokenAccount } from '../../electron/core/config/sign-in-secrets';
import { SAMPLE_OBJECT_MAPPINGS } from '../../scripts/sample-config';
import { runCli as runCliInProcess } from '../../electron/cli/cli';
import { PassThrough } from 'node:stream';
import { startCephGateway, type CephGateway } from '../support/ceph-rgw';
import { bucketOnGateway, type TestS3Server } from '../support/s3-servers';
import type { RunReport } from '../../electron/shared/domain';
import { InMemorySecretStore } from '../support/in-memory-secret-store';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let gateway: CephGateway;
let bucket: TestS3Server;
let dir: string;
const OUTSIDER = { accessKeyId: 'OUTSIDERKEY', secret: 'outsider-secret-value' };
let readerRole: string; // the outsider may assume it
let ownerOnlyRole: string; // only the owner may assume it

beforeAll(async () => {
  gateway = await startCephGateway({ sts: true });
  bucket = await bucketOnGateway(gateway);
  await bucket.put('vitally/orgs/a.csv', 'org_id,org_name\no1,Acme\n');
  const outsiderArn = await gateway.createUser('outsider', OUTSIDER.accessKeyId, OUTSIDER.secret);
  readerRole = await gateway.createRole('exports-reader', [outsiderArn]);
  ownerOnlyRole = await gateway.createRole('owner-only');
  dir = mkdtempSync(join(tmpdir(), 's3sync-credentials-'));
}, 90_000);
afterAll(async () => {
  await bucket?.close();
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function connection(signIn: SignInConfig, accessKeyId?: string, bucketName = bucket.bucket): ConnectionConfig {
  return parseConfig({
    connection: {
      bucket: bucketName,
      prefix: 'vitally/',
      region: 'us-east-1',
      endpoint: gateway.endpoint,
      forcePathStyle: true,
      ...(accessKeyId ? { accessKeyId } : {}),
      signIn,
    },
    objects: {},
  }).connection;
}

/** What "Test connection" shows: the files it sees and who it signed in as, or the problem. */
async function tryConnection(conn: ConnectionConfig, secrets: SignInSecrets = {}, env: NodeJS.ProcessEnv = {}) {
  const client = createS3Client(conn, secrets, { connectMs: 2000, idleMs: 10_000 }, env);
  try {
    const listed = await testConnection(client, conn);
    return { ...listed, identity: await describeIdentity(conn, secrets, env) };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    client.destroy();
  }
}

/** Temporary keys from the gateway's STS, as an administrator would hand them out. */
async function issueTemporaryKeys(durationSeconds: number) {
  const sts = new STSClient({
    region: 'us-east-1',
    endpoint: gateway.endpoint,
    credentials: { accessKeyId: OUTSIDER.accessKeyId, secretAccessKey: OUTSIDER.secret },
  });
  try {
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: readerRole, RoleSessionName: 'handed-out', DurationSeconds: durationSeconds }),
    );
    return {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
      expiration: Credentials!.Expiration!,
    };
  } finally {
    sts.destroy();
  }
}

async function waitUntilPast(moment: Date): Promise<void> {
  // The gateway compares with its own clock in whole seconds: one more second of margin.
  while (Date.now() < moment.getTime() + 1000) await new Promise((resolve) => setTimeout(resolve, 200));
}

describe('access key', () => {
  it('lists the bucket with the right secret, and names the key it signed in as', async () => {
    const result = await tryConnection(connection({ method: 'accessKey' }, gateway.accessKeyId), {
      secretAccessKey: gateway.secret,
    });
    expect(result).toEqual({ fileCount: 1, more: false, identity: `the access key "${gateway.accessKeyId}"` });
  });

  it('a key without rights on the bucket is denied, in plain words', async () => {
    const result = await tryConnection(connection({ method: 'accessKey' }, OUTSIDER.accessKeyId), {
      secretAccessKey: OUTSIDER.secret,
    });
    expect(result.error).toBe(
      `Access denied: the access key "${OUTSIDER.accessKeyId}" may not list the bucket "${bucket.bucket}" under "vitally/" (s3:ListBucket). Ask your AWS administrator to grant it.`,
    );
  });
});

describe('assume a role', () => {
  it('signs in as the role on top of an access key that alone may not read the bucket', async () => {
    const result = await tryConnection(
      connection({ method: 'accessKey', assumeRole: { roleArn: readerRole } }, OUTSIDER.accessKeyId),
      { secretAccessKey: OUTSIDER.secret },
    );
    // The gateway has no GetCallerIdentity (405): the identity is named from the settings.
    expect(result).toEqual({ fileCount: 1, more: false, identity: `the role ${readerRole}` });
  });

  it('says the role may not be assumed when its trust policy does not name this identity', async () => {
    const result = await tryConnection(
      connection(
        { method: 'accessKey', assumeRole: { roleArn: ownerOnlyRole, externalId: 'wrong-id' } },
        OUTSIDER.accessKeyId,
      ),
      { secretAccessKey: OUTSIDER.secret },
    );
    expect(result.error).toBe(
      `The role ${ownerOnlyRole} may not be assumed by this identity: the role's trust policy does not allow it, or the external ID "wrong-id" is not the one the role expects. Check the external ID with the bucket owner.`,
    );
  });

  it('says a role that does not exist does not exist', async () => {
    const result = await tryConnection(
      connection(
        { method: 'accessKey', assumeRole: { roleArn: 'arn:aws:iam:::role/no-such-role' } },
        OUTSIDER.accessKeyId,
      ),
      { secretAccessKey: OUTSIDER.secret },
    );
    expect(result.error).toBe(
      'The role arn:aws:iam:::role/no-such-role does not exist. Check the role ARN with the bucket owner, who created it.',
    );
  });
});

describe('temporary keys', () => {
  it('work with their session token, and a sync fails once they have expired, saying so', async () => {
    const keys = await issueTemporaryKeys(3);
    const conn = connection({ method: 'temporaryKeys' }, keys.accessKeyId);
    const secrets = { secretAccessKey: keys.secretAccessKey, sessionToken: keys.sessionToken };
    expect(await tryConnection(conn, secrets)).toMatchObject({ fileCount: 1 });
    // The same keys without their token are refused: the gateway checks the token.
    expect((await tryConnection(conn, { secretAccessKey: keys.secretAccessKey })).error).toMatch(
      /^The server refused these temporary keys/,
    );

    await waitUntilPast(keys.expiration);
    const dbPath = join(dir, 'expired.sqlite');
    const db = openDatabase(dbPath);
    try {
      const config = parseConfig({ connection: conn, objects: {} });
      const report = await runSync({ config, ...secrets, db, dbPath, trigger: 'schedule' });
      expect(report.status).toBe('failed');
      expect(report.credentialsExpired).toBe(true);
      expect(report.error).toBe(
        `The server refused these temporary keys (${keys.accessKeyId}): they have most likely expired, or the session token does not belong to this key ID, or they may not read this bucket. ` +
          'Get new ones (key ID, secret and session token) and enter them on the Connection screen.',
      );
    } finally {
      db.close();
    }
  });

  it('with their expiry entered, say when they expired without asking the server', async () => {
    const keys = await issueTemporaryKeys(1);
    await waitUntilPast(keys.expiration);
    const expiresAt = keys.expiration.toISOString();
    const result = await tryConnection(connection({ method: 'temporaryKeys', expiresAt }, keys.accessKeyId), {
      secretAccessKey: keys.secretAccessKey,
      sessionToken: keys.sessionToken,
    });
    expect(result.error).toBe(
      `These temporary keys (${keys.accessKeyId}) expired at ${expiresAt.slice(11, 16)} UTC. Get new ones (key ID, secret and session token) from whoever issued them and enter them on the Connection screen.`,
    );
  });
});

describe('a scheduled sync with expired temporary keys', () => {
  it('fails once with the reason, holds the schedule, and syncs again once new keys are saved', async () => {
    const HOUR = 3600_000;
    let now = Date.now();
    const clock = { now: () => now, setInterval: () => 0, clearInterval: () => {} };
    const store = new InMemorySecretStore();
    const service = new SyncService({ dataDir: join(dir, 'app'), secretStore: store, env: {}, clock });
    const runs: RunReport[] = [];
    service.scheduler.on('run-finished', (report) => runs.push(report));
    const nextRun = () =>
      new Promise<RunReport>((resolve) => {
        const off = service.scheduler.on('run-finished', (report) => (off(), resolve(report)));
      });
    const saveKeys = async (keys: Awaited<ReturnType<typeof issueTemporaryKeys>>) => {
      await store.set(keys.accessKeyId, keys.secretAccessKey);
      await store.set(sessionTokenAccount(keys.accessKeyId), keys.sessionToken);
      service.settings.setConfig({
        connection: connection({ method: 'temporaryKeys' }, keys.accessKeyId),
        objects: { organizations: SAMPLE_OBJECT_MAPPINGS.organizations },
        schedule: { everyHours: 6 },
      });
    };
    try {
      const expired = await issueTemporaryKeys(1);
      await waitUntilPast(expired.expiration);
      now = Date.now();
      await saveKeys(expired);
      const first = nextRun();
      service.start(); // due at start: never synced
      expect(await first).toMatchObject({ status: 'failed', credentialsExpired: true });
      expect(runs[0]!.error).toMatch(/^The server refused these temporary keys/);

      // Six hours and a day later: no more runs, the hold says why.
      for (const hours of [6, 30]) {
        now += hours * HOUR;
        service.scheduler.checkNow();
      }
      expect(runs).toHaveLength(1);
      // A run started by checkNow() would show as running at once.
      expect(service.scheduler.getState()).toMatchObject({
        running: false,
        heldReason: runs[0]!.error,
        nextRunAt: null,
      });

      const second = nextRun();
      await saveKeys(await issueTemporaryKeys(900));
      expect(await second).toMatchObject({ status: 'succeeded', counts: { rows: 1 } });
      expect(service.scheduler.getState().heldReason).toBeNull();
    } finally {
      await service.stop();
    }
  });
});

describe('AWS profile', () => {
  function awsFiles(config: string, credentials = ''): NodeJS.ProcessEnv {
    const configFile = join(dir, `config-${Math.random().toString(36).slice(2)}`);
    const credentialsFile = `${configFile}-credentials`;
    writeFileSync(configFile, config);
    writeFileSync(credentialsFile, credentials);
    return { AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: credentialsFile };
  }

  it('signs in with the keys of a named profile, and with a role the profile assumes', async () => {
    const env = awsFiles(
      '[profile analytics]\nregion = us-east-1\n',
      `[analytics]\naws_access_key_id = ${OUTSIDER.accessKeyId}\naws_secret_access_key = ${OUTSIDER.secret}\n`,
    );
    const plain = await tryConnection(connection({ method: 'profile', profile: 'analytics' }), {}, env);
    expect(plain.error).toMatch(/^Access denied: the AWS profile "analytics" may not list the bucket/);
    const withRole = await tryConnection(
      connection({ method: 'profile', profile: 'analytics', assumeRole: { roleArn: readerRole } }),
      {},
      env,
    );
    expect(withRole).toMatchObject({ fileCount: 1, identity: `the role ${readerRole}` });
  });

  it('says a profile is missing, and tells an expired SSO sign-in to run aws sso login', async () => {
    const env = awsFiles(
      '[profile sso-analyst]\nsso_session = acme\nsso_account_id = 123456789012\nsso_role_name = Reader\nregion = us-east-1\n' +
        '[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\nsso_region = us-east-1\n',
    );
    const missing = await tryConnection(connection({ method: 'profile', profile: 'nobody' }), {}, env);
    expect(missing.error).toMatch(/^There is no AWS profile "nobody" in ~\/\.aws\/config or ~\/\.aws\/credentials/);
    // The SDK's SSO provider reads AWS_CONFIG_FILE and HOME from process.env, not from fromIni's options.
    const saved = { config: process.env.AWS_CONFIG_FILE, home: process.env.HOME };
    process.env.AWS_CONFIG_FILE = env.AWS_CONFIG_FILE;
    process.env.HOME = dir; // no cached SSO sign-in here
    try {
      const sso = await tryConnection(connection({ method: 'profile', profile: 'sso-analyst' }), {}, env);
      expect(sso.error).toBe(
        'The AWS sign-in (SSO) of the profile "sso-analyst" has expired or was never made. Run: aws sso login --profile sso-analyst   then try again.',
      );
    } finally {
      restore('AWS_CONFIG_FILE', saved.config);
      restore('HOME', saved.home);
    }
  });
});

describe('public bucket', () => {
  it('lists a public-read bucket with unsigned requests, and says so when the bucket is private', async () => {
    const publicBucket = await bucketOnGateway(gateway);
    try {
      await publicBucket.put('vitally/orgs/p.csv', 'org_id,org_name\np1,Public\n');
      await publicBucket.client.send(new PutBucketAclCommand({ Bucket: publicBucket.bucket, ACL: 'public-read' }));
      const open = await tryConnection(connection({ method: 'public' }, undefined, publicBucket.bucket));
      expect(open).toEqual({ fileCount: 1, more: false, identity: 'an unsigned request (public bucket)' });
      const closed = await tryConnection(connection({ method: 'public' }));
      expect(closed.error).toBe(
        `Access denied: an unsigned request (public bucket) may not list the bucket "${bucket.bucket}" under "vitally/" (s3:ListBucket). Ask your AWS administrator to grant it.`,
      );
    } finally {
      await publicBucket.close();
    }
  });
});

describe('default chain', () => {
  it('takes the keys from the environment, as servers set them', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    // The SDK's chain reads process.env itself.
    process.env.AWS_ACCESS_KEY_ID = gateway.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = gateway.secret;
    try {
      expect(await tryConnection(connection({ method: 'defaultChain' }))).toMatchObject({ fileCount: 1 });
    } finally {
      restore('AWS_ACCESS_KEY_ID', saved.id);
      restore('AWS_SECRET_ACCESS_KEY', saved.secret);
    }
  });
});

describe('the command line', () => {
  async function cli(args: string[], env: NodeJS.ProcessEnv, store: InMemorySecretStore, stdin = '') {
    const input = new PassThrough();
    input.end(stdin);
    let stdout = '';
    let stderr = '';
    const out = new PassThrough().on('data', (chunk) => (stdout += chunk));
    const err = new PassThrough().on('data', (chunk) => (stderr += chunk));
    const code = await runCliInProcess(args, { stdin: input, stdout: out, stderr: err, env }, { secretStore: store });
    return { code, stdout, stderr };
  }

  it('stores a session token, signs in with temporary keys, and takes --profile and AWS_* variables', async () => {
    const keys = await issueTemporaryKeys(900);
    const store = new InMemorySecretStore();
    const configPath = join(dir, 'cli-config.json');
    writeFileSync(
      configPath,
      JSON.stringify({ connection: connection({ method: 'temporaryKeys' }, keys.accessKeyId), objects: {} }),
    );
    const where = `bucket "${bucket.bucket}" under "vitally/" can be listed and holds 1 file.`;

    expect(
      (await cli(['credentials', 'set', '--access-key-id', keys.accessKeyId], {}, store, keys.secretAccessKey)).code,
    ).toBe(0);
    const missingToken = await cli(['test-connection', '--config', configPath], {}, store);
    expect(missingToken.code).toBe(2);
    expect(missingToken.stderr).toMatch(/^No session token found for the temporary key/);
    const stored = await cli(
      ['credentials', 'set', '--access-key-id', keys.accessKeyId, '--session-token'],
      {},
      store,
      keys.sessionToken,
    );
    expect(stored.stdout).toBe(`Stored the session token for ${keys.accessKeyId} in the OS keychain.\n`);
    expect(await cli(['test-connection', '--config', configPath], {}, store)).toEqual({
      code: 0,
      stdout: `Connected as the access key "${keys.accessKeyId}": ${where}\n`,
      stderr: '',
    });

    const fromEnv = await cli(
      ['test-connection', '--config', configPath],
      {
        AWS_ACCESS_KEY_ID: gateway.accessKeyId,
        AWS_SECRET_ACCESS_KEY: gateway.secret,
      },
      new InMemorySecretStore(),
    );
    expect(fromEnv.stdout).toBe(`Connected as the access key "${gateway.accessKeyId}": ${where}\n`);

    const configFile = join(dir, 'cli-aws-config');
    writeFileSync(
      configFile,
      `[profile owner]\naws_access_key_id = ${gateway.accessKeyId}\naws_secret_access_key = ${gateway.secret}\n`,
    );
    const env = { AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') };
    const profile = await cli(
      ['test-connection', '--config', configPath, '--profile', 'owner'],
      env,
      new InMemorySecretStore(),
    );
    expect(profile.stdout).toBe(`Connected as the AWS profile "owner": ${where}\n`);
    const noProfile = await cli(['test-connection', '--config', configPath, '--profile', 'nobody'], env, store);
    expect(noProfile.code).toBe(1);
    expect(noProfile.stderr).toMatch(/^There is no AWS profile "nobody"/);
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
