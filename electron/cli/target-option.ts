// Which target a CLI command writes to or reads from: --target postgres://… (or the config's
// "target"), else the SQLite file given with --db.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
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
import { createSqliteAlertLog, type AlertLog } from '../core/db/alert-log';

export interface CliTarget {
  target: SyncTarget;
  /** The SQLite file, when the target is one (the summary names it). */
  dbPath?: string;
  /** Its open database, when the target is SQLite. */
  db?: SqliteDatabase;
  /** Where alerts about runs of this source read the history and record their deliveries. */
  alertLog(source: string): AlertLog;
  /** How to open a run's log where it was recorded, for an alert's text. */
  runLogHint(runId: number | null): string;
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
    const { login } = target.settings;
    const address = `postgres://${login.user}@${login.host}:${login.port}/${login.database}`;
    return {
      target,
      alertLog: (source) => target.alertLog(source),
      runLogHint: (runId) =>
        runId === null
          ? `the run log is in ${target.label}.`
          : `the run log is in ${target.label}: psql "${address}" -c "SELECT key, status, error FROM ${postgres.schema}.sync_files WHERE run_id = ${runId}"`,
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
    alertLog: () => createSqliteAlertLog(db),
    runLogHint: (runId) =>
      runId === null
        ? `the run log is in ${dbPath} on ${hostname()}.`
        : `the run log is in ${dbPath} on ${hostname()}: sqlite3 "${dbPath}" "SELECT key, status, error FROM sync_files WHERE run_id = ${runId}"`,
    lastRunStart: async () => lastRunStart(db),
    lastRuns: async (limit) => lastSqliteRuns(db, limit),
    close: async () => {
      db.close();
    },
  };
}
