// Test setup for the PostgreSQL target: one throwaway cluster per test file (scripts/
// local-postgres-server.ts), a fresh schema and bucket per workspace, and syncs that open the
// target as the CLI does. Data is checked with psql, never through the project's own reader.
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { SyncConfig } from '../../electron/shared/config';
import { openPostgresTarget, type PostgresTarget } from '../../electron/core/db/postgres/pg-target';
import { runSync, type SyncRequest } from '../../electron/core/sync/run-sync';
import { LOCAL_S3_SECRET, startLocalS3Server, type LocalS3Server } from '../../scripts/local-s3-server';
import { SYNC_PASSWORD, type LocalPostgresServer } from '../../scripts/local-postgres-server';
import { PREFIX } from './fixtures';

export interface PostgresWorkspace {
  s3: LocalS3Server;
  pg: LocalPostgresServer;
  schema: string;
  env: Record<string, string>;
  put(relativeKey: string, body: string | Uint8Array): Promise<void>;
  remove(relativeKey: string): Promise<void>;
  open(options?: { env?: Record<string, string | undefined>; lockWaitMs?: number }): Promise<PostgresTarget>;
  sync(config: SyncConfig, extra?: Partial<SyncRequest>): ReturnType<typeof runSync>;
  /** Rows of a query in the workspace's schema, through psql. */
  psql<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

let schemas = 0;

export async function createPostgresWorkspace(pg: LocalPostgresServer): Promise<PostgresWorkspace> {
  const s3 = await startLocalS3Server('acme-exports');
  const schema = `t${process.pid}_${++schemas}`;
  const env = { PGPASSWORD: SYNC_PASSWORD, S3_CSV_SYNC_HEARTBEAT_MS: '200' };
  const open: PostgresWorkspace['open'] = (options = {}) =>
    openPostgresTarget(
      { kind: 'postgres', url: pg.url, schema },
      { env: { ...env, ...options.env }, lockWaitMs: options.lockWaitMs },
    );
  return {
    s3,
    pg,
    schema,
    env,
    put: (key, body) => s3.put(PREFIX + key, body),
    remove: async (key) => {
      await s3.client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: PREFIX + key }));
    },
    open,
    async sync(config, extra = {}) {
      const target = await open();
      try {
        return await runSync({ config, secretAccessKey: LOCAL_S3_SECRET, target, trigger: 'test', ...extra });
      } finally {
        await target.close();
      }
    },
    psql: (sql) => pg.psql(sql.replaceAll('@schema', schema)),
    async close() {
      await s3.close();
    },
  };
}
