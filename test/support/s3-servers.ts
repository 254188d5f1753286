// The S3 servers the engine's S3-facing tests run against: s3rver (fast, checks key IDs only) and Ceph's
// RADOS Gateway (checks SigV4 signatures, AWS's error codes, multipart ETags with their -N suffix).
// One gateway per test file, started on first use and stopped after the file's last test.
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe } from 'vitest';
import { LOCAL_S3_ACCESS_KEY_ID, LOCAL_S3_SECRET, startLocalS3Server } from '../../scripts/local-s3-server';
import { startCephGateway, type CephGateway } from './ceph-rgw';

export const S3_SERVERS = ['s3rver', 'ceph-rgw'] as const;
export type S3ServerKind = (typeof S3_SERVERS)[number];

/** One bucket on one server, with the credentials of its owner. */
export interface TestS3Server {
  kind: S3ServerKind;
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secret: string;
  client: S3Client;
  put(key: string, body: string | Uint8Array): Promise<void>;
  close(): Promise<void>;
}

let gateway: Promise<CephGateway> | undefined;

/** This file's gateway (without STS, so a wrong secret is answered with SignatureDoesNotMatch). */
export function sharedCephGateway(): Promise<CephGateway> {
  gateway ??= startCephGateway();
  return gateway;
}

async function stopSharedCephGateway(): Promise<void> {
  const started = gateway;
  gateway = undefined;
  if (started) await (await started).stop();
}

/** A fresh bucket on the gateway, owned by its test user. */
export async function bucketOnGateway(ceph: CephGateway, bucket = `test-${randomUUID()}`): Promise<TestS3Server> {
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: ceph.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: ceph.accessKeyId, secretAccessKey: ceph.secret },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    kind: 'ceph-rgw',
    endpoint: ceph.endpoint,
    bucket,
    accessKeyId: ceph.accessKeyId,
    secret: ceph.secret,
    client,
    async put(key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async close() {
      client.destroy();
    },
  };
}

/** On the gateway every call gets a bucket of its own (the gateway outlives the test), named at random. */
export async function startTestS3Server(kind: S3ServerKind, bucket = 'acme-exports'): Promise<TestS3Server> {
  if (kind === 'ceph-rgw') return bucketOnGateway(await sharedCephGateway());
  const server = await startLocalS3Server(bucket);
  return { kind, ...server, accessKeyId: LOCAL_S3_ACCESS_KEY_ID, secret: LOCAL_S3_SECRET };
}

/** Runs a suite once per S3 server; the gateway is stopped after the file's tests. */
export function describeOnEachS3Server(title: string, suite: (kind: S3ServerKind) => void): void {
  for (const kind of S3_SERVERS) {
    describe(`${title} (${kind})`, () => {
      if (kind === 'ceph-rgw') afterAll(stopSharedCephGateway);
      suite(kind);
    });
  }
}
