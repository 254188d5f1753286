// Turns AWS SDK errors into sentences an analyst can act on: what is wrong and how to fix it.
// The secret access key is never part of any message (the SDK never puts it in errors either).
import type { ConnectionConfig } from '../../shared/config';
import { assumedRoleOf, signInOf } from '../../shared/sign-in';
import { explainCredentialProblem, type CredentialProblemKind } from './credential-errors';

export type S3ProblemKind =
  | 'unknown-access-key'
  | 'wrong-secret'
  | 'no-such-bucket'
  | 'wrong-region'
  | 'access-denied'
  | 'unreachable'
  | 'timeout'
  | 'no-such-key'
  | 'aborted'
  | 'server-trouble'
  | 'other'
  | CredentialProblemKind;

export class S3AccessError extends Error {
  constructor(
    readonly kind: S3ProblemKind,
    message: string,
  ) {
    super(message);
    this.name = 'S3AccessError';
  }
}

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  Region?: string;
  BucketRegion?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
  cause?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
]);

const UNTRUSTED_CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

export function explainS3Error(error: unknown, connection: ConnectionConfig, key?: string): S3AccessError {
  if (error instanceof S3AccessError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  const name = e.name ?? '';
  const code = e.code ?? (e.cause as SdkErrorShape | undefined)?.code ?? '';
  const status = e.$metadata?.httpStatusCode;
  const bucket = `"${connection.bucket}"`;
  const where = connection.endpoint ? connection.endpoint : `S3 in ${connection.region}`;

  if (name === 'AbortError') return new S3AccessError('aborted', 'The sync was stopped.');
  const credentialProblem = explainCredentialProblem(error, connection);
  if (credentialProblem) return new S3AccessError(credentialProblem.kind, credentialProblem.message);
  const typedKey =
    connection.accessKeyId !== undefined && ['accessKey', 'temporaryKeys'].includes(signInOf(connection).method);
  if (name === 'InvalidAccessKeyId') {
    return new S3AccessError(
      'unknown-access-key',
      typedKey && !assumedRoleOf(signInOf(connection))
        ? `The access key ID "${connection.accessKeyId}" is not known to ${where}. Check the access key ID in the connection settings (it may have been deleted or mistyped).`
        : `The access key ID of ${signerName(connection)} is not known to ${where}. Check where those credentials come from (they may have been deleted, or belong to another account).`,
    );
  }
  if (name === 'SignatureDoesNotMatch') {
    return new S3AccessError(
      'wrong-secret',
      typedKey && !assumedRoleOf(signInOf(connection))
        ? `The secret access key does not match the access key ID "${connection.accessKeyId}". Store the right secret for this key (npm run cli -- credentials set --access-key-id ${connection.accessKeyId}) or set AWS_SECRET_ACCESS_KEY.`
        : `The secret access key of ${signerName(connection)} does not match its access key ID. Fix the secret where those credentials come from.`,
    );
  }
  if (name === 'NoSuchBucket') {
    return new S3AccessError(
      'no-such-bucket',
      `The bucket ${bucket} does not exist at ${where}. Check the bucket name (and the region or endpoint).`,
    );
  }
  const rightRegion = regionFromError(e);
  if (
    name === 'PermanentRedirect' ||
    name === 'AuthorizationHeaderMalformed' ||
    status === 301 ||
    (rightRegion && rightRegion !== connection.region)
  ) {
    return new S3AccessError(
      'wrong-region',
      rightRegion
        ? `The bucket ${bucket} is in region ${rightRegion}, not ${connection.region}. Set the region to ${rightRegion}.`
        : `The bucket ${bucket} is not in region ${connection.region}. Set the region to the one the bucket was created in.`,
    );
  }
  if (name === 'NoSuchKey') {
    return new S3AccessError(
      'no-such-key',
      `The file ${key ?? ''} is no longer in the bucket (it was deleted after the listing).`,
    );
  }
  if (name === 'AccessDenied' || name === 'Forbidden' || status === 403) {
    const action = key
      ? `read ${key} (s3:GetObject)`
      : `list the bucket ${bucket}${connection.prefix ? ` under "${connection.prefix}"` : ''} (s3:ListBucket)`;
    return new S3AccessError(
      'access-denied',
      `Access denied: ${signerName(connection)} may not ${action}. Ask your AWS administrator to grant it.`,
    );
  }
  if (UNTRUSTED_CERTIFICATE_CODES.has(code)) {
    return new S3AccessError(
      'unreachable',
      `The certificate of ${where} is not trusted (${code}). Behind a company proxy that inspects HTTPS, set connection.caFile to the path of its root certificate (a PEM file).`,
    );
  }
  // The SDK calls a dropped connection a TimeoutError (code ECONNRESET): the code says what happened.
  if (NETWORK_CODES.has(code) || NETWORK_CODES.has(name)) {
    const detail =
      code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'its address could not be resolved'
        : code === 'ECONNREFUSED'
          ? 'the connection was refused'
          : 'the connection was lost';
    return new S3AccessError(
      'unreachable',
      `Could not reach ${where}: ${detail}${key ? ` while reading ${key}` : ''}. Check the ${connection.endpoint ? 'custom endpoint' : 'region'} and your network connection.`,
    );
  }
  if (name === 'TimeoutError' || code === 'ETIMEDOUT' || name === 'RequestTimeout') {
    return new S3AccessError(
      'timeout',
      `${where} stopped answering (timed out)${key ? ` while reading ${key}` : ''}. Check your network connection and try again.`,
    );
  }
  if ((status !== undefined && status >= 500) || name === 'SlowDown') {
    return new S3AccessError(
      'server-trouble',
      `${where} kept failing (HTTP ${status ?? 503}${name ? ` ${name}` : ''}) after 4 attempts with backoff. This is usually temporary: sync again later.`,
    );
  }
  const message = e.message || String(error);
  return new S3AccessError('other', `S3 said: ${message}${name && !message.includes(name) ? ` (${name})` : ''}`);
}

/** Who signed the requests, as the analyst set it up. */
export function signerName(connection: ConnectionConfig): string {
  const signIn = signInOf(connection);
  const role = assumedRoleOf(signIn);
  if (role) return `the role ${role.roleArn}`;
  switch (signIn.method) {
    case 'accessKey':
    case 'temporaryKeys':
      return `the access key "${connection.accessKeyId}"`;
    case 'profile':
      return `the AWS profile "${signIn.profile}"`;
    case 'defaultChain':
      return 'the default AWS credentials (environment, instance or container role)';
    case 'public':
      return 'an unsigned request (public bucket)';
  }
}

function regionFromError(e: SdkErrorShape): string | undefined {
  const header = e.$response?.headers?.['x-amz-bucket-region'];
  if (header) return header;
  if (e.Region) return e.Region;
  if (e.BucketRegion) return e.BucketRegion;
  return /expecting '([a-z0-9-]+)'/.exec(e.message ?? '')?.[1];
}

/** Whether a problem concerns the whole connection (nothing can be read) rather than one file. */
export function isConnectionProblem(error: unknown): boolean {
  return (
    error instanceof S3AccessError &&
    [
      'unknown-access-key',
      'wrong-secret',
      'no-such-bucket',
      'wrong-region',
      'unreachable',
      'expired-credentials',
      'profile-missing',
      'sso-expired',
      'no-credentials',
      'role-not-assumable',
      'role-missing',
    ].includes(error.kind)
  );
}
