// A shared PostgreSQL database as the sync target. Two connections: one writes (a transaction per
// file), one holds the source's advisory lock and beats the run's heartbeat, so a long COPY never
// delays the heartbeat and a second syncer of the same source knows who holds it.
import { hostname } from 'node:os';
import type pg from 'pg';
import type { PostgresTargetConfig } from '../../../shared/target-config';
import { INTERRUPTED_RUN_REASON } from '../run-log';
import type { SyncTarget } from '../sync-target';
import {
  connectClient,
  isBroken,
  resolvePostgresSettings,
  type PostgresSettings,
  type PostgresSettingsOptions,
} from './pg-connection';
import { createPostgresAlertLog, type PostgresAlertLog } from './pg-alert-log';
import { explainPostgresError, isPostgresError, PostgresTargetError, SourceHeldError } from './pg-errors';
import { beginPostgresFileWithBookkeeping } from './pg-file-bookkeeping';
import { preparePostgresSchema } from './pg-migrations';
import { finishRunPg, lastRunsPg, previousFileStatePg, recordFileSql } from './pg-run-log';
import { knownFilesPg, markFilePresencePg } from './pg-record-files';
import type { RunRow } from '../run-history';

export interface PostgresTargetOptions extends PostgresSettingsOptions {
  /** How long to wait for another syncer of the same source before saying who it is. */
  lockWaitMs?: number;
}

export interface PostgresTarget extends SyncTarget {
  readonly settings: PostgresSettings;
  lastRuns(limit: number): Promise<RunRow[]>;
  /** The alerts part of the run log for runs of this source (as runSync names it), on a connection of its own. */
  alertLog(source: string): PostgresAlertLog;
  close(): Promise<void>;
}

function envMs(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number {
  const value = Number(env[name]);
  return env[name] && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Resolves the password and TLS options, connects, and creates or migrates the schema. */
export async function openPostgresTarget(
  config: PostgresTargetConfig,
  options: PostgresTargetOptions = {},
): Promise<PostgresTarget> {
  const env = options.env ?? process.env;
  const settings = await resolvePostgresSettings(config, options);
  const { login } = settings;
  const explain = (error: unknown, context?: string) => explainPostgresError(error, settings, context);
  const connect = async (role: string): Promise<pg.Client> => {
    let client: pg.Client;
    try {
      client = await connectClient(settings, `s3-csv-sync ${role}`);
    } catch (error) {
      throw new PostgresTargetError(explain(error).message);
    }
    try {
      await preparePostgresSchema(client, config.schema);
    } catch (error) {
      await client.end().catch(() => {});
      if (error instanceof PostgresTargetError) throw error;
      throw new PostgresTargetError(explain(error, `to create the schema "${config.schema}" or its tables`).message);
    }
    return client;
  };
  const heartbeatMs = envMs(env, 'S3_CSV_SYNC_HEARTBEAT_MS', 10_000);
  const staleAfterMs = envMs(env, 'S3_CSV_SYNC_HEARTBEAT_STALE_MS', 6 * heartbeatMs);
  const lockWaitMs = options.lockWaitMs ?? envMs(env, 'S3_CSV_SYNC_LOCK_WAIT_MS', 0);

  let session: pg.Client | null = await connect('lock');
  let writer: pg.Client | null = null;
  let run: { id: number; lockKey: string; timer: NodeJS.Timeout } | null = null;
  let lockLost: string | null = null;
  const alertLogs: PostgresAlertLog[] = [];
  /** The lock connection is shared by the heartbeat timer and the run: one statement at a time on it. */
  let sessionTurn: Promise<unknown> = Promise.resolve();
  const onSession = <T>(work: () => Promise<T>): Promise<T> => {
    const next = sessionTurn.then(work, work);
    sessionTurn = next.catch(() => {});
    return next;
  };

  /** The writing connection, connected again after the server dropped it (a restart, a cut connection). */
  const write = async (): Promise<pg.Client> => {
    if (writer && !isBroken(writer)) return writer;
    await writer?.end().catch(() => {});
    writer = null;
    writer = await connect('writer');
    // The staging table is temporary: its pages live in this session's temp buffers (8 MB by
    // default), and a big file's stage spilled to disk page by page without more.
    await writer.query(`SET temp_buffers = '128MB'`);
    return writer;
  };
  const sessionClient = async (): Promise<pg.Client> => {
    if (session && !isBroken(session)) return session;
    await session?.end().catch(() => {});
    session = null;
    session = await connect('lock');
    return session;
  };

  const tryLock = async (client: pg.Client, key: string): Promise<boolean> => {
    const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`, [
      key,
    ]);
    return rows[0]!.ok;
  };

  const beat = async (): Promise<void> => {
    if (!run) return;
    try {
      let client = session;
      if (!client || isBroken(client)) {
        // The lock went with the old connection: take it again, unless another syncer has meanwhile.
        client = await sessionClient();
        if (!(await tryLock(client, run.lockKey))) {
          lockLost =
            "The connection that held this source's lock was lost and another sync took the source over; this run stopped.";
          return;
        }
      }
      await client.query(`UPDATE sync_runs SET heartbeat_at = now() WHERE id = $1`, [run.id]);
    } catch {
      // The server is unreachable for now: the next beat tries again (and a writer's error says why).
    }
  };

  const target: PostgresTarget = {
    kind: 'postgres',
    label: `postgres://${login.user}@${login.host}:${login.port}/${login.database} (schema ${config.schema})`,
    settings,
    async beginRun(trigger, startedAt, source) {
      const lockKey = `s3sync ${config.schema} ${source}`;
      const client = await sessionClient();
      const deadline = Date.now() + lockWaitMs;
      while (!(await tryLock(client, lockKey))) {
        if (Date.now() >= deadline) throw new SourceHeldError(await describeHolder(client, source), true);
        await new Promise((resolve) => setTimeout(resolve, Math.min(500, Math.max(1, deadline - Date.now()))));
      }
      try {
        // We hold the source's lock: any other run of it still marked running is dead. Runs of other
        // sources are dead once their heartbeat is stale (they may run on another host).
        await client.query(
          `UPDATE sync_runs SET status = 'interrupted', error = COALESCE(error, $1)
           WHERE status = 'running' AND (source = $2 OR heartbeat_at IS NULL OR heartbeat_at < now() - $3 * interval '1 millisecond')`,
          [INTERRUPTED_RUN_REASON, source, staleAfterMs],
        );
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO sync_runs (trigger, status, started_at, pid, host, source, heartbeat_at)
           VALUES ($1, 'running', $2, $3, $4, $5, now()) RETURNING id`,
          [trigger, startedAt, process.pid, hostname(), source],
        );
        const id = Number(rows[0]!.id);
        const timer = setInterval(() => void onSession(beat), heartbeatMs);
        timer.unref();
        run = { id, lockKey, timer };
        return id;
      } catch (error) {
        await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [lockKey]).catch(() => {});
        throw new PostgresTargetError(explain(error).message);
      }
    },
    async finishRun(report) {
      const current = run;
      run = null;
      if (current) clearInterval(current.timer);
      try {
        await finishRunPg(await write(), report);
      } finally {
        await onSession(async () => {
          if (current && session && !isBroken(session)) {
            await session.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [current.lockKey]);
          }
        }).catch(() => {});
      }
    },
    async recordFile(runId, file) {
      await (await write()).query(recordFileSql.text, recordFileSql.values(runId, file));
    },
    previousFileState: async (type, key) => previousFileStatePg(await write(), type, key),
    knownFileKeys: async () => new Set((await knownFilesPg(await write())).map((f) => f.key)),
    markFilePresence: async (seen, isSelected, at) =>
      markFilePresencePg(await write(), (key) => seen.has(key), isSelected, at),
    async beginFile(type, mapping, stamp) {
      if (lockLost) throw new PostgresTargetError(lockLost, true);
      return beginPostgresFileWithBookkeeping(await write(), type, mapping, stamp);
    },
    explainError(error) {
      return isPostgresError(error) ? explain(error) : undefined;
    },
    lastRuns: async (limit) => lastRunsPg(await write(), limit),
    alertLog(source) {
      const log = createPostgresAlertLog(() => connect('alerts'), config.schema, source);
      alertLogs.push(log);
      return log;
    },
    async close() {
      if (run) clearInterval(run.timer);
      run = null;
      await Promise.all(alertLogs.map((log) => log.close()));
      await sessionTurn;
      await Promise.all([writer?.end().catch(() => {}), session?.end().catch(() => {})]);
      writer = session = null;
    },
  };
  return target;
}

/** Who holds a source's lock, in words, from the run it recorded. */
async function describeHolder(client: pg.Client, source: string): Promise<string> {
  const { rows } = await client.query<{
    id: string | number;
    host: string | null;
    pid: number | null;
    started_at: Date | string;
    heartbeat_at: Date | string | null;
  }>(
    `SELECT id, host, pid, started_at, heartbeat_at FROM sync_runs WHERE status = 'running' AND source = $1 ORDER BY id DESC LIMIT 1`,
    [source],
  );
  const r = rows[0];
  const who = r
    ? `run #${r.id} on host ${r.host} (pid ${r.pid}), started ${new Date(r.started_at).toISOString()}, last heartbeat ${r.heartbeat_at ? new Date(r.heartbeat_at).toISOString() : 'never'}`
    : 'another program (it has not recorded a run yet)';
  return `Another sync of this source (${source}) is running on this database: ${who}. It holds the source's lock; try again when it has finished.`;
}
