// The sync engine into a real PostgreSQL server (a throwaway cluster): the same tables, meaning and
// rules as SQLite. Every check reads the data with psql.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeConfig } from '../support/fixtures';
import { createPostgresWorkspace, type PostgresWorkspace } from '../support/postgres-workspace';
import {
  startLocalPostgresServer,
  SYNC_PASSWORD,
  SYNC_USER,
  SYNC_DATABASE,
  type LocalPostgresServer,
} from '../../scripts/local-postgres-server';
import { postgresKeychainAccount } from '../../electron/core/config/postgres-password';
import { openPostgresTarget } from '../../electron/core/db/postgres/pg-target';
import { PG_SCHEMA_VERSION } from '../../electron/core/db/postgres/pg-migrations';
import { PG_MIGRATION_001 } from '../../electron/core/db/migrations/pg-001-records-and-run-log';
import { InMemorySecretStore } from '../support/in-memory-secret-store';

let pg: LocalPostgresServer;
let ws: PostgresWorkspace;

beforeAll(async () => {
  pg = await startLocalPostgresServer();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
});
beforeEach(async () => {
  ws = await createPostgresWorkspace(pg);
});
afterEach(async () => {
  await ws.close();
});

describe('a sync into PostgreSQL', () => {
  it('stores all five object types with PostgreSQL types, records the run, and skips unchanged files next time', async () => {
    await ws.put('orgs/o.csv', 'org_id,org_name,tier\no1,Acme,gold\no2,Globex,\n');
    await ws.put('accounts/a.csv', 'account_id,account_name,org_id,seats\na1,Acme EU,o1,12\n');
    await ws.put('users/u.csv', 'user_id,full_name,email,account_id,role\nu1,Ann,ann@acme.test,a1,admin\n');
    await ws.put('nps/n.csv', 'response_id,user_id,score,comment,submitted_at\nr1,u1,9,Great,2024-02-01T10:00:00Z\n');
    await ws.put('events/e.csv', 'message_id,user_id,ts,event,page\nm1,u1,2024-01-01T00:00:00Z,login,/home\n');
    const report = await ws.sync(makeConfig(ws.s3));
    expect(report.status).toBe('succeeded');
    expect(report.files.map((f) => [f.type, f.status, f.rows, f.created, f.updated])).toEqual([
      ['organizations', 'imported', 2, 2, 0],
      ['accounts', 'imported', 1, 1, 0],
      ['users', 'imported', 1, 1, 0],
      ['nps', 'imported', 1, 1, 0],
      ['tracks', 'imported', 1, 1, 0],
    ]);
    expect(
      await ws.psql(
        `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = '@schema'
         AND column_name IN ('traits', 'properties', 'occurred_at', 'responded_at', 'last_synced_at', 'score') AND table_name IN ('organizations', 'events', 'nps_responses')
         ORDER BY 1, 2`,
      ),
    ).toEqual([
      { table_name: 'events', column_name: 'last_synced_at', data_type: 'timestamp with time zone' },
      { table_name: 'events', column_name: 'occurred_at', data_type: 'timestamp with time zone' },
      { table_name: 'events', column_name: 'properties', data_type: 'jsonb' },
      { table_name: 'nps_responses', column_name: 'last_synced_at', data_type: 'timestamp with time zone' },
      { table_name: 'nps_responses', column_name: 'responded_at', data_type: 'timestamp with time zone' },
      { table_name: 'nps_responses', column_name: 'score', data_type: 'smallint' },
      { table_name: 'organizations', column_name: 'last_synced_at', data_type: 'timestamp with time zone' },
      { table_name: 'organizations', column_name: 'traits', data_type: 'jsonb' },
    ]);
    expect(await ws.psql(`SELECT external_id, name, traits FROM @schema.organizations ORDER BY 1`)).toEqual([
      { external_id: 'o1', name: 'Acme', traits: { tier: 'gold' } },
      { external_id: 'o2', name: 'Globex', traits: {} },
    ]);
    expect(await ws.psql(`SELECT user_id, account_id FROM @schema.user_accounts`)).toEqual([
      { user_id: 'u1', account_id: 'a1' },
    ]);
    expect(
      await ws.psql(
        `SELECT message_id, user_id, account_id, event, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS at, properties FROM @schema.events`,
      ),
    ).toEqual([
      {
        message_id: 'm1',
        user_id: 'u1',
        account_id: null,
        event: 'login',
        at: '2024-01-01T00:00:00',
        properties: { page: '/home' },
      },
    ]);
    expect(await ws.psql(`SELECT score, feedback FROM @schema.nps_responses`)).toEqual([
      { score: 9, feedback: 'Great' },
    ]);
    expect(await ws.psql(`SELECT id, status, files_imported, rows, created FROM @schema.sync_runs`)).toEqual([
      { id: 1, status: 'succeeded', files_imported: 5, rows: 6, created: 6 },
    ]);

    const again = await ws.sync(makeConfig(ws.s3));
    expect(again.files.map((f) => f.status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(
      await ws.psql(`SELECT run_id, status, count(*)::int AS n FROM @schema.sync_files GROUP BY 1, 2 ORDER BY 1`),
    ).toEqual([
      { run_id: 1, status: 'imported', n: 5 },
      { run_id: 2, status: 'unchanged', n: 5 },
    ]);
  });

  it('lets the last row win inside a file, merges traits (an empty cell keeps the stored value) and never doubles an event', async () => {
    await ws.put('orgs/1.csv', 'org_id,org_name,tier,region\no1,First,gold,eu\n');
    await ws.sync(makeConfig(ws.s3));
    await ws.put('orgs/2.csv', 'org_id,org_name,tier,region\no1,,silver,\no1,Second,,us\no2,Other,,\n');
    await ws.put('events/1.csv', 'message_id,user_id,ts,event\nm1,u1,2024-01-01,login\nm1,u1,2024-01-02,login-again\n');
    await ws.put('events/2.csv', 'message_id,user_id,ts,event\nm1,u2,2024-01-03,final\n');
    const report = await ws.sync(makeConfig(ws.s3));
    const counts = report.files.filter((f) => f.status === 'imported').map((f) => [f.key, f.created, f.updated]);
    // As in SQLite: every row after the first of an ID counts as an update.
    expect(counts).toEqual([
      ['vitally/orgs/2.csv', 1, 2],
      ['vitally/events/1.csv', 1, 1],
      ['vitally/events/2.csv', 0, 1],
    ]);
    expect(await ws.psql(`SELECT external_id, name, traits, sync_count FROM @schema.organizations ORDER BY 1`)).toEqual(
      [
        { external_id: 'o1', name: 'Second', traits: { tier: 'silver', region: 'us' }, sync_count: 3 },
        { external_id: 'o2', name: 'Other', traits: {}, sync_count: 1 },
      ],
    );
    expect(await ws.psql(`SELECT message_id, user_id, event, sync_count FROM @schema.events`)).toEqual([
      { message_id: 'm1', user_id: 'u2', event: 'final', sync_count: 3 },
    ]);
  });

  it('counts a file of new events whose last one is stored already exactly, and keeps nothing of its first try', async () => {
    // The write first tries the rows as new records; the stored m9 at the end makes that fail and the upsert redo it.
    await ws.put('events/1.csv', 'message_id,user_id,ts,event\nm9,u1,2024-01-01,first\n');
    await ws.sync(makeConfig(ws.s3));
    await ws.put(
      'events/2.csv',
      'message_id,user_id,ts,event\nm1,u1,2024-01-02,a\nm2,u1,2024-01-03,b\nm3,u2,2024-01-04,c\nm9,u2,2024-01-05,again\n',
    );
    const report = await ws.sync(makeConfig(ws.s3));
    const file = report.files.find((f) => f.key === 'vitally/events/2.csv')!;
    expect([file.status, file.created, file.updated]).toEqual(['imported', 3, 1]);
    expect(
      await ws.psql(`SELECT message_id, user_id, event, sync_count FROM @schema.events ORDER BY message_id`),
    ).toEqual([
      { message_id: 'm1', user_id: 'u1', event: 'a', sync_count: 1 },
      { message_id: 'm2', user_id: 'u1', event: 'b', sync_count: 1 },
      { message_id: 'm3', user_id: 'u2', event: 'c', sync_count: 1 },
      { message_id: 'm9', user_id: 'u2', event: 'again', sync_count: 2 },
    ]);
  });

  it('update-only mode updates known records, skips unknown ones, and links only the users it updated', async () => {
    await ws.put('users/1.csv', 'user_id,full_name,email,account_id\nu1,Ann,ann@x.test,\n');
    await ws.sync(makeConfig(ws.s3));
    await ws.put(
      'users/2.csv',
      'user_id,full_name,email,account_id\nu1,,ann@new.test,a1\nu2,Bob,bob@x.test,a2\nu1,Ann B,,\n',
    );
    const config = makeConfig(ws.s3, {
      users: {
        fileRegex: '^users/2',
        mode: 'update_only',
        idColumn: 'user_id',
        accountIdColumn: 'account_id',
        nameColumn: 'full_name',
        emailColumn: 'email',
      },
    });
    const report = await ws.sync(config);
    expect(report.files.find((f) => f.key.endsWith('2.csv'))).toMatchObject({ created: 0, updated: 2, skipped: 1 });
    expect(await ws.psql(`SELECT external_id, name, email FROM @schema.users ORDER BY 1`)).toEqual([
      { external_id: 'u1', name: 'Ann B', email: 'ann@new.test' },
    ]);
    expect(await ws.psql(`SELECT user_id, account_id FROM @schema.user_accounts`)).toEqual([
      { user_id: 'u1', account_id: 'a1' },
    ]);
  });

  it('stores rejected rows with their lines, warns about references to missing records, and marks files gone from the bucket as stale', async () => {
    await ws.put(
      'nps/n.csv',
      'response_id,user_id,score,comment,submitted_at\nr1,u9,11,Too high,2024-02-01\nr2,u9,7,,2024-02-02\n',
    );
    await ws.put('orgs/o.csv', 'org_id,org_name\no1,Acme\n');
    const report = await ws.sync(makeConfig(ws.s3));
    const nps = report.files.find((f) => f.type === 'nps')!;
    expect(nps).toMatchObject({ rows: 2, created: 1, rejected: 1 });
    expect(nps.warnings).toEqual([
      '1 NPS response refers to a user that does not exist (for example "u9"); stored as given.',
    ]);
    expect(await ws.psql(`SELECT key, line, raw FROM @schema.sync_rejects`)).toEqual([
      { key: 'vitally/nps/n.csv', line: 2, raw: 'r1,u9,11,Too high,2024-02-01' },
    ]);
    expect(await ws.psql(`SELECT warnings FROM @schema.sync_files WHERE object_type = 'nps'`)).toEqual([
      { warnings: nps.warnings },
    ]);

    await ws.remove('orgs/o.csv');
    await ws.sync(makeConfig(ws.s3));
    expect(await ws.psql(`SELECT key, missing_since IS NOT NULL AS stale FROM @schema.file_state ORDER BY 1`)).toEqual([
      { key: 'vitally/nps/n.csv', stale: false },
      { key: 'vitally/orgs/o.csv', stale: true },
    ]);
    expect(await ws.psql(`SELECT external_id FROM @schema.organizations`)).toEqual([{ external_id: 'o1' }]);
  });
});

describe('runs on a shared database', () => {
  it('marks a run interrupted once its heartbeat is stale (it may have run on another host), and leaves a live one alone', async () => {
    await ws.put('orgs/o.csv', 'org_id,org_name\no1,Acme\n');
    await ws.sync(makeConfig(ws.s3)); // creates the schema
    // Two runs of another source on another host: one beat a minute ago, one just now.
    await pg.psqlRaw(
      `INSERT INTO ${ws.schema}.sync_runs (trigger, status, started_at, pid, host, source, heartbeat_at) VALUES
         ('schedule', 'running', now() - interval '2 hours', 4242, 'server-a', 'other/source', now() - interval '1 minute'),
         ('schedule', 'running', now() - interval '1 minute', 4343, 'server-b', 'other/source2', now())`,
    );
    const report = await ws.sync(makeConfig(ws.s3));
    expect(report.status).toBe('succeeded');
    expect(await ws.psql(`SELECT host, status FROM @schema.sync_runs ORDER BY id`)).toEqual([
      { host: expect.any(String), status: 'succeeded' },
      { host: 'server-a', status: 'interrupted' },
      { host: 'server-b', status: 'running' },
      { host: expect.any(String), status: 'succeeded' },
    ]);
  });
});

describe('the password from the keychain', () => {
  it('is used when no environment variable gives one, under the login it opens', async () => {
    const store = new InMemorySecretStore();
    await store.set(
      postgresKeychainAccount({ host: '127.0.0.1', port: pg.port, database: SYNC_DATABASE, user: SYNC_USER }),
      SYNC_PASSWORD,
    );
    const target = await openPostgresTarget(
      { kind: 'postgres', url: pg.url, schema: ws.schema },
      { env: { PGPASSFILE: '/nonexistent' }, store },
    );
    try {
      expect(target.settings.passwordSource).toBe('keychain');
    } finally {
      await target.close();
    }
    expect(await ws.psql(`SELECT version FROM @schema.schema_migrations ORDER BY 1`)).toEqual(
      Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
    );
  });
});

describe('a schema written by an earlier version', () => {
  it('is migrated forward: each record is held by the file it last came from, and a deleted file makes it stale', async () => {
    // Schema 1 as the first PostgreSQL release left it: one user from users/a.csv.
    await pg.psqlRaw(
      `CREATE SCHEMA ${ws.schema} AUTHORIZATION sync; SET ROLE sync; SET search_path TO ${ws.schema}; ${PG_MIGRATION_001}
       CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
       INSERT INTO schema_migrations (version) VALUES (1);
       INSERT INTO users (external_id, name, first_synced_at, last_synced_at, last_run_id, last_file)
         VALUES ('u1', 'Ann', now(), now(), 1, 'vitally/users/a.csv');
       INSERT INTO file_state (object_type, key, etag, size, mapping_hash, run_id, imported_at)
         VALUES ('users', 'vitally/users/a.csv', 'e', 1, 'h', 1, now());`,
    );
    await ws.put('orgs/o.csv', 'org_id,org_name\no1,Acme\n');
    const report = await ws.sync(makeConfig(ws.s3));
    expect(report.filesGone).toEqual([{ objectType: 'users', key: 'vitally/users/a.csv', reason: 'deleted' }]);
    expect(await ws.psql(`SELECT version FROM @schema.schema_migrations ORDER BY 1`)).toEqual(
      Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
    );
    expect(
      await ws.psql(`SELECT object_type, record_id, key FROM @schema.record_files WHERE object_type = 'users'`),
    ).toEqual([{ object_type: 'users', record_id: 'u1', key: 'vitally/users/a.csv' }]);
    expect(
      await ws.psql(
        `SELECT key, missing_since IS NOT NULL AS missing FROM @schema.file_state WHERE object_type = 'users'`,
      ),
    ).toEqual([{ key: 'vitally/users/a.csv', missing: true }]);
  });
});
