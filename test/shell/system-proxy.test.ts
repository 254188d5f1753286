// The app's proxy: what Electron's session.resolveProxy answers from the OS settings (or a PAC
// script) becomes the proxy variables the S3 client honours; then a real listing of a real S3 server
// goes through a real proxy on loopback, to a host name only that proxy can resolve.
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkAgents } from '../../electron/core/s3/network';
import { applySystemProxy, PROXY_PROBE_URL, proxyUrlFromRules } from '../../electron/main/system-proxy';
import {
  LOCAL_S3_ACCESS_KEY_ID,
  LOCAL_S3_SECRET,
  startLocalS3Server,
  type LocalS3Server,
} from '../../scripts/local-s3-server';
import { startLoopbackProxy, type LoopbackProxy } from '../support/loopback-proxy';

let server: LocalS3Server;
let proxy: LoopbackProxy;

beforeAll(async () => {
  server = await startLocalS3Server('acme-exports');
  await server.put('exports/orgs.csv', 'org_id\no-1\n');
  proxy = await startLoopbackProxy({ hosts: { 's3.corp.internal': '127.0.0.1' } });
});
afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

describe('the system proxy', () => {
  it('reads PAC-style answers: the first proxy, DIRECT, or a SOCKS proxy it cannot use', () => {
    expect(proxyUrlFromRules('PROXY proxy.corp:3128; DIRECT')).toEqual({
      url: 'http://proxy.corp:3128',
      unsupported: null,
    });
    expect(proxyUrlFromRules('HTTPS secure.corp:443')).toEqual({ url: 'https://secure.corp:443', unsupported: null });
    expect(proxyUrlFromRules('DIRECT')).toEqual({ url: null, unsupported: null });
    expect(proxyUrlFromRules('SOCKS5 socks.corp:1080')).toEqual({ url: null, unsupported: 'SOCKS5 socks.corp:1080' });
  });

  it('lists a real bucket through the proxy the OS names, and leaves the user’s own variables alone', async () => {
    const asked: string[] = [];
    const env: NodeJS.ProcessEnv = {};
    const said = await applySystemProxy(async (url) => {
      asked.push(url);
      return `PROXY ${new URL(proxy.url).host}; DIRECT`;
    }, env);
    expect(asked).toEqual([PROXY_PROBE_URL]);
    expect(said).toBe(`Using the system proxy ${proxy.url} for S3.`);
    expect(env).toMatchObject({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url });

    const port = new URL(server.endpoint).port;
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: `http://s3.corp.internal:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: LOCAL_S3_ACCESS_KEY_ID, secretAccessKey: LOCAL_S3_SECRET },
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ ...networkAgents({}, env) }),
    });
    try {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: 'acme-exports' }));
      expect(listed.Contents?.map((object) => object.Key)).toEqual(['exports/orgs.csv']);
    } finally {
      client.destroy();
    }
    expect(proxy.seen.some((line) => line.startsWith(`GET http://s3.corp.internal:${port}/acme-exports`))).toBe(true);

    const own = { https_proxy: 'http://mine:8080' };
    expect(await applySystemProxy(async () => 'PROXY other:3128', own)).toMatch(/set in the environment/);
    expect(own).toEqual({ https_proxy: 'http://mine:8080' });
  });
});
