// A corporate network: the CLI reaches an https S3 server only through a forward proxy on loopback
// (HTTPS_PROXY, a CONNECT tunnel), trusting the server's certificate only through connection.caFile,
// as behind a TLS-inspecting proxy; NO_PROXY sends a host around the proxy.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3Server, type LocalS3Server } from '../../scripts/local-s3-server';
import { runCli } from '../support/cli-process';
import { makeConfig, PREFIX } from '../support/fixtures';
import { startLoopbackProxy, type LoopbackProxy } from '../support/loopback-proxy';

let dir: string;
let server: LocalS3Server;
let proxy: LoopbackProxy;
let certFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's3sync-proxy-'));
  const keyFile = join(dir, 'key.pem');
  certFile = join(dir, 'cert.pem');
  // A certificate no Node trusts by itself: like a company CA's. (Made before any server runs.)
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '2',
    ],
    { stdio: 'ignore' },
  );
  server = await startLocalS3Server('acme-exports', {
    tls: { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') },
  });
  await server.put(`${PREFIX}orgs/2024-06.csv`, 'org_id,org_name\no-1,Acme\no-2,Globex\n');
  proxy = await startLoopbackProxy();
});

afterAll(async () => {
  await proxy?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function configFile(name: string, caFile?: string): string {
  const config = makeConfig(server);
  const onlyOrgs = { organizations: config.objects.organizations };
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      ...config,
      connection: { ...config.connection, ...(caFile ? { caFile } : {}) },
      objects: onlyOrgs,
    }),
  );
  return path;
}

const organizations = (dbPath: string) => {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM organizations').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('the CLI behind a proxy', () => {
  it('syncs through HTTPS_PROXY (a CONNECT tunnel), trusting the server through connection.caFile', async () => {
    const dbPath = join(dir, 'through-proxy.sqlite');
    const before = proxy.seen.length;
    const result = await runCli(['sync', '--config', configFile('with-ca', certFile), '--db', dbPath, '--json'], {
      env: { HTTPS_PROXY: proxy.url, NO_PROXY: '' },
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).status).toBe('succeeded');
    expect(result.code).toBe(0);
    expect(organizations(dbPath)).toBe(2);
    expect(proxy.seen.slice(before)).toContain(`CONNECT ${new URL(server.endpoint).host}`);
  });

  it('says the certificate is not trusted, and what to set, without the CA file', async () => {
    const result = await runCli(['test-connection', '--config', configFile('without-ca')], {
      env: { HTTPS_PROXY: proxy.url, NO_PROXY: '' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted .*connection\.caFile/);
  });

  it('goes around the proxy for a NO_PROXY host', async () => {
    const before = proxy.seen.length;
    const result = await runCli(['test-connection', '--config', configFile('no-proxy', certFile)], {
      env: { HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
    });
    expect(result.stdout).toMatch(/^Connected/);
    expect(proxy.seen.length).toBe(before);
  });

  it('names a mistyped proxy address or an unreadable CA file instead of failing on the network', async () => {
    const badProxy = await runCli(['test-connection', '--config', configFile('bad-proxy', certFile)], {
      env: { HTTPS_PROXY: 'proxy.example.com 3128' },
    });
    expect(badProxy.code).not.toBe(0);
    expect(badProxy.stderr).toMatch(/HTTPS_PROXY=proxy\.example\.com 3128 is not an address/);
    const missingCa = await runCli(['test-connection', '--config', configFile('missing-ca', join(dir, 'nope.pem'))]);
    expect(missingCa.code).not.toBe(0);
    expect(missingCa.stderr).toMatch(/The CA file .*nope\.pem \(connection\.caFile\) cannot be read: ENOENT/);
  });
});
