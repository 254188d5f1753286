// Shared test setup: a real S3 server on loopback (s3rver, or Ceph's gateway: s3-servers.ts), a real SQLite
// file in a temp folder, and configs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { SyncConfig } from '../../electron/shared/config';
import { openDatabase, type SqliteDatabase } from '../../electron/core/db/sqlite-database';
import { runSync, type SyncRequest } from '../../electron/core/sync/run-sync';
import { LOCAL_S3_SECRET } from '../../scripts/local-s3-server';
import { SAMPLE_PREFIX, sampleConfig } from '../../scripts/sample-config';
import { startTestS3Server, type S3ServerKind, type TestS3Server } from './s3-servers';

export { LOCAL_S3_SECRET };

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const PREFIX = SAMPLE_PREFIX;

/** A config for the local server with all five object types mapped as in the spec's example. */
export const makeConfig = sampleConfig;

export interface Workspace {
  server: TestS3Server;
  dir: string;
  dbPath: string;
  db: SqliteDatabase;
  put(relativeKey: string, body: string | Uint8Array): Promise<void>;
  remove(relativeKey: string): Promise<void>;
  sync(config: SyncConfig, extra?: Partial<SyncRequest>): ReturnType<typeof runSync>;
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
  close(): Promise<void>;
}

/** A fresh bucket (on a fresh s3rver, or on this file's gateway) and an empty database file. */
export async function createWorkspace(kind: S3ServerKind = 's3rver'): Promise<Workspace> {
  const server = await startTestS3Server(kind);
  const dir = mkdtempSync(join(tmpdir(), 's3sync-test-'));
  const dbPath = join(dir, 'sync.sqlite');
  const db = openDatabase(dbPath);
  return {
    server,
    dir,
    dbPath,
    db,
    put: (key, body) => server.put(PREFIX + key, body),
    remove: async (key) => {
      await server.client.send(new DeleteObjectCommand({ Bucket: server.bucket, Key: PREFIX + key }));
    },
    sync: (config, extra = {}) =>
      runSync({ config, secretAccessKey: server.secret, db, dbPath, trigger: 'test', ...extra }),
    query: <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[],
    async close() {
      db.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An events CSV of `rows` page views (one user), for tests that need a file big enough to be mid-import. */
export function eventsCsv(rows: number): string {
  return `message_id,user_id,ts,event,page\n${Array.from({ length: rows }, (_, i) => `m${i},u1,2024-01-01T00:00:00Z,page_view,/p/${i}`).join('\n')}\n`;
}
