// Which target a CLI command writes to or reads from: --target postgres://… (or the config's
// "target"), else the SQLite file given with --db.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SyncConfig } from '../shared/config';
import { postgresUrl, type PostgresTargetConfig } from '../shared/target-config';
import type { SecretStore } from '../core/config/secret-store';
import { openDatabase, type SqliteDatabase } from '../core/db/sqlite-database';
import { createSqliteTarget } from '../core/db/sqlite-target';
import { lastRunStart } from '../core/db/run-log';
import type { SyncTarget } from '../core/db/sync-target';
import { openPostgresTarget } from '../core/db/postgres/pg-target';
import { lastSqliteRuns, type RunRow } from '../core/db/run-history';

export interface CliTarget {
  target: SyncTarget;
  /** The SQLite file, when the target is one (the summary names it). */
  dbPath?: string;
  /** Its open database, when the target is SQLite (alerts record their deliveries there). */
  db?: SqliteDatabase;
  lastRunStart(): Promise<number | null>;
  lastRuns(limit: number): Promise<RunRow[]>;
  close(): Promise<void>;
}

export interface TargetFlags {
  db?: string;
  target?: string;
  schema?: string;
}

/** The PostgreSQL target the flags and config name, or null for SQLite. */
export function postgresTargetOf(flags: TargetFlags, config: SyncConfig | null): PostgresTargetConfig | null {
  const fromConfig = config?.target?.kind === 'postgres' ? config.target : null;
  if (flags.target !== undefined) {
    const url = postgresUrl.safeParse(flags.target);
    if (!url.success) throw new TargetFlagError(`--target ${url.error.issues[0]!.message}.`);
    return {
      ...(fromConfig ?? {}),
      kind: 'postgres',
      url: url.data,
      schema: flags.schema ?? fromConfig?.schema ?? 's3sync',
    };
  }
  if (fromConfig) return flags.schema ? { ...fromConfig, schema: flags.schema } : fromConfig;
  return null;
}

export class TargetFlagError extends Error {
  override readonly name = 'UsageError';
}

export async function openCliTarget(
  flags: TargetFlags,
  config: SyncConfig | null,
  options: { env: NodeJS.ProcessEnv; store?: SecretStore },
): Promise<CliTarget> {
  const postgres = postgresTargetOf(flags, config);
  if (postgres) {
    const target = await openPostgresTarget(postgres, { env: options.env, store: options.store });
    return {
      target,
      async lastRunStart() {
        const [last] = await target.lastRuns(1);
        return last ? Date.parse(last.startedAt) : null;
      },
      lastRuns: (limit) => target.lastRuns(limit),
      close: () => target.close(),
    };
  }
  if (!flags.db) {
    throw new TargetFlagError(
      'Missing --db FILE. Give a SQLite database file on this computer, or --target postgres://user@host:port/db.',
    );
  }
  const dbPath = resolve(flags.db);
  mkdirSync(dirname(dbPath), { recursive: true });
  const db = openDatabase(dbPath);
  return {
    target: createSqliteTarget(db, dbPath),
    dbPath,
    db,
    lastRunStart: async () => lastRunStart(db),
    lastRuns: async (limit) => lastSqliteRuns(db, limit),
    close: async () => {
      db.close();
    },
  };
}
