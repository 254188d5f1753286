// Shared test setup: a real s3rver on loopback, a real SQLite file in a temp folder, and configs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { parseConfig, type SyncConfig } from '../../electron/core/config';
import { openDatabase, type SqliteDatabase } from '../../electron/core/store';
import { runSync, type SyncRequest } from '../../electron/core/sync-engine';
import { LOCAL_S3_ACCESS_KEY_ID, LOCAL_S3_SECRET, startLocalS3Server, type LocalS3Server } from '../../scripts/local-s3-server';

export { LOCAL_S3_SECRET };

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const PREFIX = 'vitally/';

/** A config for the local server with all five object types mapped as in the spec's example. */
export function makeConfig(server: Pick<LocalS3Server, 'endpoint' | 'bucket'>, objects: Record<string, unknown> = {}): SyncConfig {
  return parseConfig({
    connection: {
      bucket: server.bucket,
      prefix: PREFIX,
      region: 'us-east-1',
      accessKeyId: LOCAL_S3_ACCESS_KEY_ID,
      endpoint: server.endpoint,
      forcePathStyle: true,
    },
    objects: {
      organizations: { fileRegex: '^orgs/', mode: 'create_update', idColumn: 'org_id', nameColumn: 'org_name' },
      accounts: { fileRegex: '^accounts/.*\\.csv', mode: 'create_update', idColumn: 'account_id', nameColumn: 'account_name', organizationIdColumn: 'org_id' },
      users: { fileRegex: '^users/', mode: 'create_update', idColumn: 'user_id', accountIdColumn: 'account_id', nameColumn: 'full_name', emailColumn: 'email', organizationIdColumn: null },
      nps: { fileRegex: '^nps/', idColumn: 'response_id', userIdColumn: 'user_id', scoreColumn: 'score', feedbackColumn: 'comment', timestampColumn: 'submitted_at' },
      tracks: { fileRegex: '^events/', target: 'user', targetIdColumn: 'user_id', messageIdColumn: 'message_id', timestampColumn: 'ts', eventColumn: 'event' },
      ...objects,
    },
    schedule: { everyHours: null },
  });
}

export interface Workspace {
  server: LocalS3Server;
  dir: string;
  dbPath: string;
  db: SqliteDatabase;
  put(relativeKey: string, body: string | Uint8Array): Promise<void>;
  remove(relativeKey: string): Promise<void>;
  sync(config: SyncConfig, extra?: Partial<SyncRequest>): ReturnType<typeof runSync>;
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
  close(): Promise<void>;
}

/** A fresh bucket on a fresh server and an empty database file. */
export async function createWorkspace(): Promise<Workspace> {
  const server = await startLocalS3Server('acme-exports');
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
    sync: (config, extra = {}) => runSync({ config, secretAccessKey: LOCAL_S3_SECRET, db, dbPath, trigger: 'test', ...extra }),
    query: <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[],
    async close() {
      db.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
