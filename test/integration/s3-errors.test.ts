// S3's error responses, served by a loopback HTTP server exactly as S3 sends them, go through the
// real AWS SDK and come out as plain sentences. (s3rver cannot produce these: it checks no
// signatures and knows no regions; the last suite checks the same against Ceph's gateway.)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../electron/shared/config';
import { createS3Client, testConnection } from '../../electron/core/s3/s3-source';
import { startCephGateway, type CephGateway } from '../support/ceph-rgw';
import { bucketOnGateway, type TestS3Server } from '../support/s3-servers';

interface CannedResponse {
  status: number;
  code?: string;
  message?: string;
  extra?: string;
  headers?: Record<string, string>;
}

let server: Server;
let endpoint: string;
let requests = 0;
let respond: () => CannedResponse;

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    const r = respond();
    res.writeHead(r.status, { 'content-type': 'application/xml', 'x-amz-request-id': 'TEST', ...r.headers });
    res.end(
      r.code
        ? `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${r.code}</Code><Message>${r.message ?? ''}</Message>${r.extra ?? ''}<RequestId>TEST</RequestId></Error>`
        : `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Name>acme</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>` +
            `<Contents><Key>orgs/a.csv</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"abc"</ETag><Size>10</Size></Contents></ListBucketResult>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

async function attempt(
  response: CannedResponse | (() => CannedResponse),
): Promise<{ error?: Error; result?: unknown; requests: number }> {
  respond = typeof response === 'function' ? response : () => response;
  requests = 0;
  const config = parseConfig({
    connection: { bucket: 'acme', region: 'us-east-1', accessKeyId: 'AKIATEST', endpoint, forcePathStyle: true },
    objects: {},
  });
  const client = createS3Client(config.connection, SECRET, { connectMs: 2000, idleMs: 5000 });
  try {
    return { result: await testConnection(client, config.connection), requests };
  } catch (error) {
    return { error: error as Error, requests };
  } finally {
    client.destroy();
  }
}

describe('S3 errors in plain language', () => {
  it('unknown access key ID', async () => {
    const { error } = await attempt({
      status: 403,
      code: 'InvalidAccessKeyId',
      message: 'The AWS Access Key Id you provided does not exist in our records.',
    });
    expect(error?.message).toBe(
      `The access key ID "AKIATEST" is not known to ${endpoint}. Check the access key ID in the connection settings (it may have been deleted or mistyped).`,
    );
  });

  it('wrong secret, without ever quoting the secret', async () => {
    const { error } = await attempt({
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided.',
    });
    expect(error?.message).toBe(
      'The secret access key does not match the access key ID "AKIATEST". Store the right secret for this key (npm run cli -- credentials set --access-key-id AKIATEST) or set AWS_SECRET_ACCESS_KEY.',
    );
    expect(error?.message).not.toContain(SECRET);
  });

  it('missing bucket, named', async () => {
    const { error } = await attempt({
      status: 404,
      code: 'NoSuchBucket',
      message: 'The specified bucket does not exist',
    });
    expect(error?.message).toBe(
      `The bucket "acme" does not exist at ${endpoint}. Check the bucket name (and the region or endpoint).`,
    );
  });

  it('bucket in another region, naming the right one from the response header', async () => {
    const { error } = await attempt({
      status: 301,
      code: 'PermanentRedirect',
      message: 'The bucket you are attempting to access must be addressed using the specified endpoint.',
      extra: '<Endpoint>acme.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>acme</Bucket>',
      headers: { 'x-amz-bucket-region': 'eu-west-1' },
    });
    expect(error?.message).toBe(
      'The bucket "acme" is in region eu-west-1, not us-east-1. Set the region to eu-west-1.',
    );
  });

  it('bucket in another region, from an AuthorizationHeaderMalformed error', async () => {
    const { error } = await attempt({
      status: 400,
      code: 'AuthorizationHeaderMalformed',
      message: "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'ap-southeast-2'",
      extra: '<Region>ap-southeast-2</Region>',
    });
    expect(error?.message).toBe(
      'The bucket "acme" is in region ap-southeast-2, not us-east-1. Set the region to ap-southeast-2.',
    );
  });

  it('access denied', async () => {
    const { error } = await attempt({ status: 403, code: 'AccessDenied', message: 'Access Denied' });
    expect(error?.message).toBe(
      'Access denied: the access key "AKIATEST" may not list the bucket "acme" (s3:ListBucket). Ask your AWS administrator to grant it.',
    );
  });

  it('retries throttling and server errors with backoff, then succeeds', async () => {
    let n = 0;
    const {
      result,
      error,
      requests: made,
    } = await attempt(() =>
      ++n === 1
        ? { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' }
        : n === 2
          ? { status: 500, code: 'InternalError', message: 'We encountered an internal error.' }
          : { status: 200 },
    );
    expect(error).toBeUndefined();
    expect(result).toEqual({ fileCount: 1, more: false });
    expect(made).toBe(3);
  });

  it('gives up after four attempts at a server that keeps failing', async () => {
    const { error, requests: made } = await attempt({
      status: 503,
      code: 'ServiceUnavailable',
      message: 'Service is unable to handle request.',
    });
    expect(made).toBe(4);
    expect(error?.message).toBe(
      `${endpoint} kept failing (HTTP 503 ServiceUnavailable) after 4 attempts with backoff. This is usually temporary: sync again later.`,
    );
  }, 30_000);
});

// The canned answers above check the wording; these check that a server that verifies SigV4 really
// answers that way (Ceph's RADOS Gateway; s3rver checks no signatures).
describe('S3 errors from a server that checks signatures', () => {
  let gateway: CephGateway;
  let bucket: TestS3Server;
  beforeAll(async () => {
    gateway = await startCephGateway();
    bucket = await bucketOnGateway(gateway);
  }, 90_000);
  afterAll(async () => {
    await bucket?.close();
    await gateway?.stop();
  });

  async function attemptOnGateway(accessKeyId: string, secret: string, bucketName = bucket.bucket) {
    const config = parseConfig({
      connection: {
        bucket: bucketName,
        region: 'us-east-1',
        accessKeyId,
        endpoint: gateway.endpoint,
        forcePathStyle: true,
      },
      objects: {},
    });
    const client = createS3Client(config.connection, secret, { connectMs: 2000, idleMs: 5000 });
    try {
      return { result: await testConnection(client, config.connection) };
    } catch (error) {
      return { error: error as Error };
    } finally {
      client.destroy();
    }
  }

  it('the right secret lists the bucket', async () => {
    expect(await attemptOnGateway(gateway.accessKeyId, gateway.secret)).toEqual({
      result: { fileCount: 0, more: false },
    });
  });

  it('a wrong secret is SignatureDoesNotMatch, explained without quoting either secret', async () => {
    const { error } = await attemptOnGateway(gateway.accessKeyId, SECRET);
    expect(error?.message).toBe(
      `The secret access key does not match the access key ID "${gateway.accessKeyId}". Store the right secret for this key (npm run cli -- credentials set --access-key-id ${gateway.accessKeyId}) or set AWS_SECRET_ACCESS_KEY.`,
    );
    expect(error?.message).not.toContain(SECRET);
    expect(error?.message).not.toContain(gateway.secret);
  });

  it('an unknown key and a missing bucket, as the gateway reports them', async () => {
    expect((await attemptOnGateway('AKIANOBODY', SECRET)).error?.message).toBe(
      `The access key ID "AKIANOBODY" is not known to ${gateway.endpoint}. Check the access key ID in the connection settings (it may have been deleted or mistyped).`,
    );
    expect((await attemptOnGateway(gateway.accessKeyId, gateway.secret, 'no-such-bucket')).error?.message).toBe(
      `The bucket "no-such-bucket" does not exist at ${gateway.endpoint}. Check the bucket name (and the region or endpoint).`,
    );
  });
});
