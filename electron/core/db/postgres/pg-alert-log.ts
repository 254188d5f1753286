// The alerts part of the run log in PostgreSQL (db/alert-log.ts's interface): the same history for the
// repeat rule, read from the runs of one source only (several sources share a schema), and claims that
// keep two syncers of one target from sending the same alert. A claim is decided and written in one
// transaction under an advisory lock per source, before anything is sent: the next run's decision,
// from whichever syncer, sees it ("still failing" already went out: no second one). UNIQUE (run_id,
// channel) makes a run's alert one per channel even so. Its own connection: a delivery may still be
// under way while the next sync writes.
import type pg from 'pg';
import type { AlertDelivery, AlertKind } from '../../../shared/alerts';
import type { FileReport, RejectedRow } from '../../../shared/domain';
import type { PostgresTargetConfig } from '../../../shared/target-config';
import type { AlertLog, PastRun } from '../alert-log';
import { connectClient, isBroken, resolvePostgresSettings, type PostgresSettingsOptions } from './pg-connection';
import { explainPostgresError, PostgresTargetError } from './pg-errors';
import { preparePostgresSchema } from './pg-migrations';

export interface PostgresAlertLog extends AlertLog {
  close(): Promise<void>;
}

/**
 * The alert log of a target for a program that does not hold a PostgresTarget open (the desktop app:
 * its syncs run on the worker thread, its alerts on the main thread). The password is looked up at
 * each connection, so a new one saved on the Connection screen is used from the next alert.
 */
export function openPostgresAlertLog(
  config: PostgresTargetConfig,
  options: PostgresSettingsOptions,
  source: string,
): PostgresAlertLog {
  return createPostgresAlertLog(
    async () => {
      const settings = await resolvePostgresSettings(config, options);
      let client: pg.Client;
      try {
        client = await connectClient(settings, 's3-csv-sync alerts');
      } catch (error) {
        throw new PostgresTargetError(explainPostgresError(error, settings).message);
      }
      try {
        await preparePostgresSchema(client, config.schema);
      } catch (error) {
        await client.end().catch(() => {});
        throw error instanceof PostgresTargetError
          ? error
          : new PostgresTargetError(explainPostgresError(error, settings).message);
      }
      return client;
    },
    config.schema,
    source,
  );
}

/** connect: a new connection with search_path set to the schema. */
export function createPostgresAlertLog(
  connect: () => Promise<pg.Client>,
  schema: string,
  source: string,
): PostgresAlertLog {
  let client: pg.Client | null = null;
  /** One statement or transaction at a time on the connection. */
  let turn: Promise<unknown> = Promise.resolve();
  const withClient = <T>(work: (c: pg.Client) => Promise<T>): Promise<T> => {
    const next = turn.then(async () => {
      if (!client || isBroken(client)) {
        await client?.end().catch(() => {});
        client = await connect();
      }
      return work(client);
    });
    turn = next.catch(() => {});
    return next;
  };

  return {
    runForAlert: (runId, rejectLimit) => withClient((c) => runForAlertPg(c, runId, rejectLimit)),
    claim: (runId, historyLimit, judge) =>
      withClient(async (c) => {
        await c.query('BEGIN');
        try {
          await c.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`s3sync alerts ${schema} ${source}`]);
          if (runId !== null) {
            const claimed = await c.query(`SELECT 1 FROM alert_deliveries WHERE run_id = $1 LIMIT 1`, [runId]);
            if (claimed.rowCount) {
              await c.query('COMMIT');
              return null;
            }
          }
          const previous = await finishedRunsBeforePg(c, source, runId, historyLimit);
          const notes = await alertTimesPg(
            c,
            previous.map((p) => p.id),
          );
          const { result, deliveries } = judge({
            previous,
            lastAlertAt: (runIds, kinds) => {
              const times = runIds.flatMap((id) => kinds.map((kind) => notes.get(`${id} ${kind}`) ?? ''));
              return times.reduce((a, b) => (b > a ? b : a), '') || null;
            },
          });
          const ids = new Map<string, string>();
          if (deliveries.length > 0) {
            const { rows } = await c.query<{ id: string; channel: string }>(
              `INSERT INTO alert_deliveries (run_id, kind, channel, outcome, detail, attempts, at)
               SELECT $1, kind, channel, outcome, detail, attempts, at
               FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::timestamptz[])
                 AS d(kind, channel, outcome, detail, attempts, at)
               RETURNING id, channel`,
              [
                runId,
                deliveries.map((d) => d.kind),
                deliveries.map((d) => d.channel),
                deliveries.map((d) => d.outcome),
                deliveries.map((d) => d.detail),
                deliveries.map((d) => d.attempts),
                deliveries.map((d) => d.at),
              ],
            );
            for (const row of rows) ids.set(row.channel, row.id);
          }
          await c.query('COMMIT');
          return {
            result,
            settle: (delivery: AlertDelivery) =>
              withClient(async (s) => {
                await s.query(
                  `UPDATE alert_deliveries SET kind = $2, outcome = $3, detail = $4, attempts = $5, at = $6 WHERE id = $1`,
                  [
                    ids.get(delivery.channel),
                    delivery.kind,
                    delivery.outcome,
                    delivery.detail,
                    delivery.attempts,
                    delivery.at,
                  ],
                );
              }),
          };
        } catch (error) {
          await c.query('ROLLBACK').catch(() => {});
          throw error;
        }
      }),
    async close() {
      await turn;
      await client?.end().catch(() => {});
      client = null;
    },
  };
}

/** Finished runs of this source before this one (newest first), interrupted ones left out. */
async function finishedRunsBeforePg(
  client: pg.Client,
  source: string,
  runId: number | null,
  limit: number,
): Promise<PastRun[]> {
  const { rows } = await client.query<{
    id: string;
    status: PastRun['status'];
    error: string | null;
    started_at: Date;
  }>(
    `SELECT id, status, error, started_at FROM sync_runs
     WHERE source = $1 AND ($2::bigint IS NULL OR id < $2) AND status IN ('succeeded', 'partial', 'failed')
     ORDER BY id DESC LIMIT $3`,
    [source, runId, limit],
  );
  const failing = rows.filter((r) => r.status !== 'succeeded').map((r) => r.id);
  const files = await client.query<{ run_id: string; key: string; error: string | null }>(
    `SELECT run_id, key, error FROM sync_files WHERE run_id = ANY($1::bigint[]) AND status = 'failed' ORDER BY id`,
    [failing],
  );
  const failedFiles = new Map<string, PastRun['failedFiles']>();
  for (const f of files.rows) {
    const list = failedFiles.get(f.run_id) ?? [];
    list.push({ key: f.key, error: f.error });
    failedFiles.set(f.run_id, list);
  }
  return rows.map((r) => ({
    id: Number(r.id),
    status: r.status,
    error: r.error,
    startedAt: new Date(r.started_at).toISOString(),
    failedFiles: failedFiles.get(r.id) ?? [],
  }));
}

/** The latest alert (sent or tried, not held back) per run and kind, keyed "runId kind", as ISO times. */
async function alertTimesPg(client: pg.Client, runIds: number[]): Promise<Map<string, string>> {
  if (runIds.length === 0) return new Map();
  const { rows } = await client.query<{ run_id: string; kind: AlertKind; at: Date }>(
    `SELECT run_id, kind, max(at) AS at FROM alert_deliveries
     WHERE outcome <> 'held-back' AND run_id = ANY($1::bigint[]) GROUP BY run_id, kind`,
    [runIds],
  );
  return new Map(rows.map((r) => [`${r.run_id} ${r.kind}`, new Date(r.at).toISOString()]));
}

async function runForAlertPg(
  client: pg.Client,
  runId: number,
  rejectLimit: number,
): Promise<{ files: FileReport[]; rejects: RejectedRow[]; rejectedTotal: number }> {
  const files = await client.query<{
    type: FileReport['type'];
    key: string;
    status: FileReport['status'];
    rows: string;
    created: string;
    updated: string;
    skipped: string;
    rejected: string;
    error: string | null;
  }>(
    `SELECT object_type AS type, key, status, rows, created, updated, skipped, rejected, error FROM sync_files WHERE run_id = $1 ORDER BY id`,
    [runId],
  );
  const rejects = await client.query<RejectedRow>(
    `SELECT key, line, reason, raw FROM sync_rejects WHERE run_id = $1 ORDER BY id LIMIT $2`,
    [runId, rejectLimit],
  );
  const total = await client.query<{ n: string }>(`SELECT count(*) AS n FROM sync_rejects WHERE run_id = $1`, [runId]);
  return {
    files: files.rows.map(({ error, rows, created, updated, skipped, rejected, ...file }) => ({
      ...file,
      rows: Number(rows),
      created: Number(created),
      updated: Number(updated),
      skipped: Number(skipped),
      rejected: Number(rejected),
      ...(error === null ? {} : { error }),
    })),
    rejects: rejects.rows,
    rejectedTotal: Number(total.rows[0]!.n),
  };
}
