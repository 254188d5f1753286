// The Sync log and Data screens' reads from the PostgreSQL target, on a connection of their own: read
// only (default_transaction_read_only), in UTC, with a statement timeout so a slow query cannot hang a
// screen, and connected again after the server dropped it. It never blocks a sync, and a sync never
// blocks it (MVCC: a reader sees each file whole or not at all).
import type pg from 'pg';
import type { PostgresTargetConfig } from '../../../shared/target-config';
import { exhaustive, type TargetReader } from '../target-reader';
import { connectClient, isBroken, resolvePostgresSettings, type PostgresSettingsOptions } from './pg-connection';
import { getRecordLinksPg, getRecordPg, queryRecordsPg, recordColumnsPg } from './pg-data-queries';
import { explainPostgresError, isPostgresError, PostgresTargetError } from './pg-errors';
import { preparePostgresSchema } from './pg-migrations';
import { getRunPg, lastRunStartPg, listRunsPg, runChartPg } from './pg-run-log-reader';

const READ_TIMEOUT = '30s';
export async function openPostgresReader(
  config: PostgresTargetConfig,
  options: PostgresSettingsOptions = {},
): Promise<TargetReader> {
  const settings = await resolvePostgresSettings(config, options);
  const { user, host, port, database } = settings.login;
  const explain = (error: unknown, context?: string) => explainPostgresError(error, settings, context);

  async function connect(): Promise<pg.Client> {
    let client: pg.Client;
    try {
      client = await connectClient(settings, 's3-csv-sync reader');
    } catch (error) {
      throw new PostgresTargetError(explain(error).message);
    }
    try {
      // Before the first sync the tables do not exist yet: create them as a sync would, then read only.
      await preparePostgresSchema(client, config.schema);
      await client.query(`SET default_transaction_read_only = on`);
      await client.query(`SET TIME ZONE 'UTC'`);
      await client.query(`SET statement_timeout = '${READ_TIMEOUT}'`);
    } catch (error) {
      await client.end().catch(() => {});
      if (error instanceof PostgresTargetError) throw error;
      throw new PostgresTargetError(explain(error, `to create the schema "${config.schema}" or its tables`).message);
    }
    return client;
  }

  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  const current = async (): Promise<pg.Client> => {
    if (client && !isBroken(client)) return client;
    connecting ??= (async () => {
      await client?.end().catch(() => {});
      client = null;
      try {
        client = await connect();
        return client;
      } finally {
        connecting = null;
      }
    })();
    return connecting;
  };
  /** One read at a time on the connection (node-postgres deprecates overlapping queries on a client). */
  let turn: Promise<unknown> = Promise.resolve();
  /** A read, with PostgreSQL's errors in plain words (the screens show the message as it is). */
  const read = <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const next = turn.then(async () => {
      const c = await current();
      try {
        return await work(c);
      } catch (error) {
        if (isPostgresError(error)) throw new PostgresTargetError(explain(error).message, false);
        throw error;
      }
    });
    turn = next.catch(() => {});
    return next;
  };
  await current(); // a wrong password or a missing database is said now, not at the first screen

  return {
    label: `postgres://${user}@${host}:${port}/${database} (schema ${config.schema})`,
    listRuns({ limit, beforeId, ...rest }) {
      exhaustive(rest);
      return read((c) => listRunsPg(c, limit, beforeId));
    },
    getRun({ runId, rejectsOffset, rejectsLimit, ...rest }) {
      exhaustive(rest);
      return read((c) => getRunPg(c, runId, rejectsOffset, rejectsLimit));
    },
    runChart({ limit, ...rest }) {
      exhaustive(rest);
      return read((c) => runChartPg(c, limit));
    },
    lastRunStart: () => read(lastRunStartPg),
    queryRecords({ table, search, staleOnly, page, sort, filters, columns, ...rest }) {
      exhaustive(rest);
      return read((c) => queryRecordsPg(c, { table, search, staleOnly, page, sort, filters, columns }));
    },
    getRecordColumns({ table, ...rest }) {
      exhaustive(rest);
      return read((c) => recordColumnsPg(c, table));
    },
    getRecord({ table, id, ...rest }) {
      exhaustive(rest);
      return read((c) => getRecordPg(c, table, id));
    },
    getRecordLinks({ table, id, ...rest }) {
      exhaustive(rest);
      return read((c) => getRecordLinksPg(c, table, id));
    },
    async close() {
      await connecting?.catch(() => {});
      await client?.end().catch(() => {});
      client = null;
    },
  };
}
