// The S3 side: a client from the connection settings, the listing that selects files per object
// type, and object streams. Errors come out in plain language (see s3-errors.ts).
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  MAX_FILES_PER_TYPE,
  OBJECT_TYPES,
  type ConnectionConfig,
  type ObjectType,
  type ObjectsConfig,
} from '../../shared/config';
import type { SignInSecrets } from '../../shared/sign-in';
import { credentialsFor } from './credentials';
import { networkAgents } from './network';
import { explainS3Error } from './s3-errors';
import { compileFilePattern, FilePatternError, type FilePattern } from '../../shared/file-pattern';

// Never sent (the signer does not sign); set so the SDK does not look for credentials of its own.
const UNUSED_CREDENTIALS = { accessKeyId: 'unsigned', secretAccessKey: 'unsigned' };

export interface S3File {
  /** The full S3 key. */
  key: string;
  size: number;
  etag: string;
  lastModified: string;
}

export interface Selection {
  selected: Record<ObjectType, S3File[]>;
  /** Matching files beyond the 1000-file cap, per type: counted, never silently dropped. */
  overCap: Record<ObjectType, number>;
  /** Every key listed under the prefix (folder markers excluded). */
  listedCount: number;
}

export interface S3Timeouts {
  /** Time to establish a connection. */
  connectMs: number;
  /** Time a request may sit with no data flowing before it is abandoned. */
  idleMs: number;
}

// A silent server costs up to four attempts (the SDK's retries) of this idle wait: about two minutes.
const DEFAULT_TIMEOUTS: S3Timeouts = { connectMs: 10_000, idleMs: 30_000 };

/** `secrets` may be just the secret access key (the access key method); see credentials.ts for the others. */
export function createS3Client(
  connection: ConnectionConfig,
  secrets: SignInSecrets | string,
  timeouts: S3Timeouts = DEFAULT_TIMEOUTS,
  env: Readonly<Record<string, string | undefined>> = process.env,
): S3Client {
  const credentials = credentialsFor(
    connection,
    typeof secrets === 'string' ? { secretAccessKey: secrets } : secrets,
    env,
  );
  return new S3Client({
    region: connection.region,
    endpoint: connection.endpoint,
    forcePathStyle: connection.forcePathStyle ?? false,
    // A public bucket: requests go out unsigned (the SDK has no switch for it; a no-op signer is its known way).
    ...(credentials
      ? { credentials }
      : { credentials: UNUSED_CREDENTIALS, signer: { sign: async (request) => request } }),
    // The SDK retries 5xx, throttling and connection resets with backoff; 4 attempts in all.
    maxAttempts: 4,
    requestHandler: new NodeHttpHandler({
      ...networkAgents(connection),
      connectionTimeout: timeouts.connectMs,
      // socketTimeout is the inactivity timeout, and it keeps watching while the body streams in.
      // (requestTimeout only covers the wait for the headers, and in this handler version it merely
      // logs a warning unless throwOnRequestTimeout is set: a silent server hung the sync for good.)
      socketTimeout: timeouts.idleMs,
    }),
  });
}

/**
 * The pattern of each enabled object type, compiled once by the linear-time engine.
 * @throws FilePatternError naming the object type, for a pattern the engine refuses.
 */
export function compileFilePatterns(objects: ObjectsConfig): Partial<Record<ObjectType, FilePattern>> {
  const patterns: Partial<Record<ObjectType, FilePattern>> = {};
  for (const type of OBJECT_TYPES) {
    const mapping = objects[type];
    if (!mapping?.enabled) continue;
    try {
      patterns[type] = compileFilePattern(mapping.fileRegex);
    } catch (error) {
      if (!(error instanceof FilePatternError)) throw error;
      throw new FilePatternError(error.message.replace(/^The file pattern/, `The file pattern of ${type}`));
    }
  }
  return patterns;
}

/** A type's selected files as a preview shows them (no ETag). */
export function previewFilesOf(selection: Selection, type: ObjectType): Omit<S3File, 'etag'>[] {
  return selection.selected[type].map(({ key, size, lastModified }) => ({ key, size, lastModified }));
}

export interface ListOptions {
  /**
   * Called after each listed page with the selection so far (the same object, growing), so a preview
   * can show the first matches while the rest are still being listed and counted. `last` is true for
   * the final page (the selection is then complete).
   */
  onPage?: (selection: Selection, last: boolean) => void;
  /** Keys per listed page (S3's default and maximum: 1000). */
  pageSize?: number;
  /** Called with every listed key (used to notice files that disappeared). */
  onKey?: (key: string) => void;
  signal?: AbortSignal;
}

/**
 * Lists the bucket under the prefix, following pagination, and selects for each type the first
 * 1000 keys its regex matches (tested against the key without the prefix), in S3's key order.
 * Only the selected keys are held; the rest are counted.
 */
export async function listSelectedFiles(
  client: S3Client,
  connection: ConnectionConfig,
  patterns: Partial<Record<ObjectType, FilePattern>>,
  options: ListOptions = {},
): Promise<Selection> {
  const selection: Selection = {
    selected: { organizations: [], accounts: [], users: [], nps: [], tracks: [] },
    overCap: { organizations: 0, accounts: 0, users: 0, nps: 0, tracks: 0 },
    listedCount: 0,
  };
  const activeTypes = OBJECT_TYPES.filter((type) => patterns[type]);
  const prefix = connection.prefix;
  let continuationToken: string | undefined;
  do {
    let page;
    try {
      page = await client.send(
        new ListObjectsV2Command({
          Bucket: connection.bucket,
          Prefix: prefix || undefined,
          ContinuationToken: continuationToken,
          MaxKeys: options.pageSize,
        }),
        { abortSignal: options.signal },
      );
    } catch (error) {
      throw explainS3Error(error, connection);
    }
    for (const object of page.Contents ?? []) {
      const key = object.Key;
      if (!key || key.endsWith('/')) continue; // folder markers
      selection.listedCount++;
      options.onKey?.(key);
      const relativeKey = key.slice(prefix.length);
      for (const type of activeTypes) {
        if (!patterns[type]!.test(relativeKey)) continue;
        if (selection.selected[type].length < MAX_FILES_PER_TYPE) {
          selection.selected[type].push({
            key,
            size: object.Size ?? 0,
            etag: (object.ETag ?? '').replaceAll('"', ''),
            lastModified: (object.LastModified ?? new Date(0)).toISOString(),
          });
        } else {
          selection.overCap[type]++;
        }
      }
    }
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    options.onPage?.(selection, continuationToken === undefined);
  } while (continuationToken);
  return selection;
}

export interface OpenedObject {
  body: AsyncIterable<Uint8Array>;
  etag: string;
  size: number;
}

/** Opens an object as a byte stream (never buffered whole). */
export async function openObject(
  client: S3Client,
  connection: ConnectionConfig,
  key: string,
  signal?: AbortSignal,
): Promise<OpenedObject> {
  try {
    const response = await client.send(new GetObjectCommand({ Bucket: connection.bucket, Key: key }), {
      abortSignal: signal,
    });
    const body = response.Body as AsyncIterable<Uint8Array> | undefined;
    if (!body) throw new Error(`S3 returned no content for ${key}`);
    return { body, etag: (response.ETag ?? '').replaceAll('"', ''), size: response.ContentLength ?? 0 };
  } catch (error) {
    throw explainS3Error(error, connection, key);
  }
}

/** The first `bytes` bytes of an object (a ranged GET), to tell what kind of file it is. */
export async function readObjectStart(
  client: S3Client,
  connection: ConnectionConfig,
  key: string,
  bytes: number,
): Promise<Uint8Array> {
  try {
    const response = await client.send(
      new GetObjectCommand({ Bucket: connection.bucket, Key: key, Range: `bytes=0-${bytes - 1}` }),
    );
    const body = response.Body as AsyncIterable<Uint8Array> | undefined;
    const chunks: Uint8Array[] = [];
    let length = 0;
    if (body)
      for await (const chunk of body) {
        chunks.push(chunk);
        length += chunk.length;
        if (length >= bytes) break;
      }
    return Buffer.concat(chunks).subarray(0, bytes);
  } catch (error) {
    throw explainS3Error(error, connection, key);
  }
}

/** Checks that the bucket and prefix can be listed; returns how many files the first page shows. */
export async function testConnection(
  client: S3Client,
  connection: ConnectionConfig,
): Promise<{ fileCount: number; more: boolean }> {
  try {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: connection.bucket, Prefix: connection.prefix || undefined, MaxKeys: 1000 }),
    );
    const fileCount = (page.Contents ?? []).filter((o) => o.Key && !o.Key.endsWith('/')).length;
    return { fileCount, more: Boolean(page.IsTruncated) };
  } catch (error) {
    throw explainS3Error(error, connection);
  }
}

/**
 * With the prefix "exports" rather than "exports/", keys are matched as "/accounts/a.csv", so a pattern
 * written as "^accounts/" selects nothing. Every key under "exports/" is also listed under "exports",
 * so the preview's own listing (onKey) counts what the pattern would select with the slash, and
 * warning() says so when that is more: no second listing.
 */
export function prefixSlashCheck(prefix: string, pattern: FilePattern) {
  const withSlash = `${prefix}/`;
  let wouldSelect = 0;
  let example: string | undefined;
  const applies = prefix !== '' && !prefix.endsWith('/');
  return {
    onKey: applies
      ? (key: string) => {
          if (!key.startsWith(withSlash) || !pattern.test(key.slice(withSlash.length))) return;
          wouldSelect++;
          example ??= key.slice(prefix.length);
        }
      : undefined,
    warning(selection: Selection, type: ObjectType): string | undefined {
      const selects = selection.selected[type].length + selection.overCap[type];
      if (!applies || wouldSelect <= selects) return undefined;
      return (
        `The prefix "${prefix}" does not end with "/", so the pattern is tested against keys such ` +
        `as "${example}" (with the slash at their start). ` +
        `It selects ${selects.toLocaleString('en-US')} file${selects === 1 ? '' : 's'} here, and ` +
        `would select ${wouldSelect.toLocaleString('en-US')} with the prefix "${withSlash}": ` +
        'add the slash to the prefix (on the Connection screen, or connection.prefix in the configuration).'
      );
    },
  };
}
