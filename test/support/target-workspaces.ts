// Both sync targets behind one face, for tests whose scenarios must hold on either engine (issue 13:
// "the same engine, rules and guarantees"): a fresh bucket and a fresh SQLite file, or a fresh schema
// in a throwaway PostgreSQL cluster started once per describe block. Data is read with SQL: through
// better-sqlite3 from the file, through psql from PostgreSQL.
import { afterAll, beforeAll } from 'vitest';
import type { SyncConfig } from '../../electron/shared/config';
import type { runSync, SyncRequest } from '../../electron/core/sync/run-sync';
import { startLocalPostgresServer, type LocalPostgresServer } from '../../scripts/local-postgres-server';
import { openPostgresReader } from '../../electron/core/db/postgres/pg-reader';
import { openSqliteReader } from '../../electron/core/db/sqlite-reader';
import type { TargetReader } from '../../electron/core/db/target-reader';
import { createWorkspace } from './fixtures';
import { createPostgresWorkspace } from './postgres-workspace';

export const TARGET_KINDS = ['sqlite', 'postgres'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface TargetWorkspace {
  kind: TargetKind;
  /** For makeConfig(). */
  server: { endpoint: string; bucket: string; accessKeyId?: string };
  /** The SQLite file (sqlite only). */
  dbPath?: string;
  /** postgres://… and the schema (postgres only). */
  postgres?: { url: string; schema: string; env: Record<string, string> };
  put(relativeKey: string, body: string | Uint8Array): Promise<void>;
  remove(relativeKey: string): Promise<void>;
  sync(config: SyncConfig, extra?: Partial<SyncRequest>): ReturnType<typeof runSync>;
  /**
   * Rows of a query; "@schema." stands for the workspace's schema (nothing in SQLite). JSON columns come
   * back parsed in both (SQLite stores text).
   */
  query<T = Record<string, unknown>>(sql: string, jsonColumns?: string[]): Promise<T[]>;
  /** What the app's Sync log and Data screens read this target with (close it after use). */
  openReader(): Promise<TargetReader>;
  close(): Promise<void>;
}

/** Registers the PostgreSQL cluster's start and stop (postgres only); create() makes a fresh workspace. */
export function useTargetWorkspaces(kind: TargetKind): { create(): Promise<TargetWorkspace> } {
  let pg: LocalPostgresServer | undefined;
  if (kind === 'postgres') {
    beforeAll(async () => {
      pg = await startLocalPostgresServer();
    }, 60_000);
    afterAll(async () => {
      await pg?.stop();
    });
  }
  return {
    async create() {
      if (kind === 'sqlite') {
        const ws = await createWorkspace();
        return {
          kind,
          server: ws.server,
          dbPath: ws.dbPath,
          put: (key, body) => ws.put(key, body),
          remove: (key) => ws.remove(key),
          sync: (config, extra) => ws.sync(config, extra),
          async query<T>(sql: string, jsonColumns: string[] = []) {
            return ws.query<Record<string, unknown>>(sql.replaceAll('@schema.', '')).map((row) => {
              const parsed = { ...row };
              for (const column of jsonColumns)
                if (typeof parsed[column] === 'string') parsed[column] = JSON.parse(parsed[column]);
              return parsed as T;
            });
          },
          openReader: async () => openSqliteReader(ws.dbPath),
          close: () => ws.close(),
        };
      }
      const ws = await createPostgresWorkspace(pg!);
      return {
        kind,
        server: ws.s3,
        postgres: { url: pg!.url, schema: ws.schema, env: ws.env },
        put: (key, body) => ws.put(key, body),
        remove: (key) => ws.remove(key),
        sync: (config, extra) => ws.sync(config, extra),
        query: <T>(sql: string) => ws.psql<T>(sql),
        openReader: () => openPostgresReader({ kind: 'postgres', url: pg!.url, schema: ws.schema }, { env: ws.env }),
        close: () => ws.close(),
      };
    },
  };
}
