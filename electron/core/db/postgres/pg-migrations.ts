// The PostgreSQL schema, versioned in schema_migrations and migrated forward under an advisory lock
// (two syncers starting at once on a new database must not both create the tables).
import type pg from 'pg';
import { PG_MIGRATION_001 } from '../migrations/pg-001-records-and-run-log';
import { PG_MIGRATION_002 } from '../migrations/pg-002-record-files-and-columns';
import { PG_MIGRATION_003 } from '../migrations/pg-003-alert-deliveries';
import { quoteIdentifier } from './pg-connection';
import { PostgresTargetError } from './pg-errors';

const MIGRATIONS: string[] = [PG_MIGRATION_001, PG_MIGRATION_002, PG_MIGRATION_003];

export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/** Creates the schema if needed, points search_path at it and applies the migrations it lacks. */
export async function preparePostgresSchema(client: pg.Client, schema: string): Promise<void> {
  const quoted = quoteIdentifier(schema);
  const exists = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
  if (exists.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
  await client.query(`SET search_path TO ${quoted}`);
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`s3sync migrate ${schema}`]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ v: number }>(`SELECT coalesce(max(version), 0) AS v FROM schema_migrations`);
    const version = Number(rows[0]!.v);
    if (version > PG_SCHEMA_VERSION) {
      throw new PostgresTargetError(
        `The schema "${schema}" was written by a newer version of S3 CSV Sync (schema ${version}; this version knows ${PG_SCHEMA_VERSION}). Update S3 CSV Sync.`,
      );
    }
    for (let v = version; v < PG_SCHEMA_VERSION; v++) {
      await client.query(MIGRATIONS[v]!);
      await client.query(`INSERT INTO schema_migrations (version) VALUES ($1)`, [v + 1]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
