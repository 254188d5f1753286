// A real S3-compatible server (s3rver) on loopback, for the demo, the benchmark and the tests.
// s3rver paginates listings with a DES cipher: the process needs --openssl-legacy-provider
// for listings beyond 1000 keys (the npm scripts pass it).
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import S3rver from 's3rver';

/** s3rver checks access key IDs (this one is built in) but not signatures. */
export const LOCAL_S3_ACCESS_KEY_ID = 'S3RVER';
export const LOCAL_S3_SECRET = 'S3RVER';

export interface LocalS3Server {
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the objects. */
  directory: string;
  client: S3Client;
  put(key: string, body: string | Uint8Array): Promise<void>;
  /** Many objects with one body, written straight into the store (a PUT each would take minutes for 100,000). */
  putMany(keys: readonly string[], body: string): Promise<void>;
  close(): Promise<void>;
}

/** tls: serve https:// with this key and certificate (PEM) instead of http://. */
export async function startLocalS3Server(
  bucket = 'acme-exports',
  { tls }: { tls?: { key: string; cert: string } } = {},
): Promise<LocalS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
    ...(tls ?? {}),
  });
  const address = (await server.run()) as AddressInfo;
  const endpoint = `${tls ? 'https' : 'http'}://127.0.0.1:${address.port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    ...(tls ? { requestHandler: new NodeHttpHandler({ httpsAgent: new HttpsAgent({ ca: [tls.cert] }) }) } : {}),
    credentials: { accessKeyId: LOCAL_S3_ACCESS_KEY_ID, secretAccessKey: LOCAL_S3_SECRET },
  });
  return {
    endpoint,
    bucket,
    directory,
    client,
    async put(key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async putMany(keys, body) {
      // s3rver's file store: <dir>/<bucket>/<key>._S3rver_object, its MD5 beside it (else s3rver computes it on listing).
      const md5 = createHash('md5').update(body).digest('hex');
      const folders = new Set<string>();
      for (let i = 0; i < keys.length; i += 1000) {
        const writes: Promise<void>[] = [];
        for (const key of keys.slice(i, i + 1000)) {
          const file = join(directory, bucket, `${key}._S3rver_object`);
          if (!folders.has(dirname(file))) {
            folders.add(dirname(file));
            await mkdir(dirname(file), { recursive: true });
          }
          writes.push(writeFile(file, body), writeFile(`${file}.md5`, md5));
        }
        await Promise.all(writes);
      }
    },
    async close() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
