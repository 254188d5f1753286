// The CLI against a real PostgreSQL server: --target, connection problems in plain words, the
// advisory lock between two syncers, server mode (status, watch --log json) and exit codes.
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../support/fixtures';
import { runCli } from '../support/cli-process';
import { startHoldingProxy } from '../support/holding-proxy';
import { createPostgresWorkspace, type PostgresWorkspace } from '../support/postgres-workspace';
import { startLocalPostgresServer, SYNC_PASSWORD, type LocalPostgresServer } from '../../scripts/local-postgres-server';

let pg: LocalPostgresServer;
let ws: PostgresWorkspace;
let configPath: string;

beforeAll(async () => {
  pg = await startLocalPostgresServer();
  ws = await createPostgresWorkspace(pg);
  await ws.put('orgs/a.csv', 'org_id,org_name\no1,Acme\n');
  configPath = join(pg.dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(makeConfig(ws.s3)));
}, 60_000);
afterAll(async () => {
  await ws?.close();
  await pg?.stop();
});

const target = (url = pg.url) => ['--target', url, '--schema', ws.schema];
const withPassword = { PGPASSWORD: SYNC_PASSWORD };

describe('connection problems, in plain words', () => {
  it('says the password is wrong, and where it came from', async () => {
    const result = await runCli(['sync', '--config', configPath, ...target()], { env: { PGPASSWORD: 'nope' } });
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `PostgreSQL at 127.0.0.1:${pg.port} refused the password of user "sync". The password came from PGPASSWORD: correct it there.\n`,
    );
  });

  it('says no password was found and how to give one', async () => {
    const result = await runCli(['sync', '--config', configPath, ...target()], {
      env: { PGPASSWORD: '', PGPASSFILE: join(pg.dir, 'none'), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('refused the password of user "sync". No password was found: store one with');
  });

  it('reads the password from PGPASSWORD_FILE and from a .pgpass file', async () => {
    const file = join(pg.dir, 'pw');
    writeFileSync(file, `${SYNC_PASSWORD}\n`);
    const fromFile = await runCli(['sync', '--config', configPath, ...target(), '--json'], {
      env: { PGPASSWORD: '', PGPASSWORD_FILE: file },
    });
    expect(fromFile.stderr).toBe('');
    expect(JSON.parse(fromFile.stdout).status).toBe('succeeded');
    const pgpass = join(pg.dir, 'pgpass');
    writeFileSync(pgpass, `127.0.0.1:${pg.port}:cs:sync:${SYNC_PASSWORD}\n`, { mode: 0o600 });
    const fromPgpass = await runCli(['sync', '--config', configPath, ...target(), '--json'], {
      env: { PGPASSWORD: '', PGPASSFILE: pgpass },
    });
    expect(fromPgpass.stderr).toBe('');
    expect(JSON.parse(fromPgpass.stdout).status).toBe('succeeded');
  }, 120_000);

  it('says the database does not exist', async () => {
    const result = await runCli(
      ['sync', '--config', configPath, ...target(`postgres://sync@127.0.0.1:${pg.port}/nosuchdb`)],
      { env: withPassword },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `The database "nosuchdb" does not exist on the PostgreSQL server at 127.0.0.1:${pg.port}. Create it (createdb nosuchdb) or correct the address.\n`,
    );
  });

  it('says the host cannot be reached', async () => {
    const result = await runCli(['sync', '--config', configPath, ...target('postgres://sync@127.0.0.1:1/cs')], {
      env: withPassword,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      'Cannot reach the PostgreSQL server at 127.0.0.1:1: the connection was refused: is the server running, and listening on that address and port?\n',
    );
  });

  it('says the user may not create the schema, and what to ask for', async () => {
    await pg.psqlRaw(`CREATE ROLE reader LOGIN PASSWORD 'reader-pw'`);
    const result = await runCli(
      ['sync', '--config', configPath, '--target', `postgres://reader@127.0.0.1:${pg.port}/cs`, '--schema', 'fresh'],
      { env: { PGPASSWORD: 'reader-pw' } },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      'User "reader" has no permission to create the schema "fresh" or its tables in database "cs"',
    );
    expect(result.stderr).toContain('GRANT CREATE ON DATABASE cs TO reader');
    expect(await pg.psql(`SELECT nspname FROM pg_namespace WHERE nspname = 'fresh'`)).toEqual([]);
  });

  it('refuses a password inside the address', async () => {
    const result = await runCli(['sync', '--config', configPath, '--target', `postgres://sync:secret@127.0.0.1/cs`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--target must not contain a password');
    expect(result.stderr).not.toContain('secret@');
  });
});

describe('two syncers of one source', () => {
  it('the second one says who holds the source, and the first one finishes', async () => {
    await ws.put('orgs/slow.csv', 'org_id,org_name\no9,Slow Corp\n');
    const proxy = await startHoldingProxy(ws.s3.endpoint, { match: (url) => url.includes('slow.csv'), afterBytes: 0 });
    try {
      const base = makeConfig(ws.s3);
      const slowConfig = join(pg.dir, 'slow.json');
      writeFileSync(
        slowConfig,
        JSON.stringify({ ...base, connection: { ...base.connection, endpoint: proxy.endpoint } }),
      );
      const first = runCli(['sync', '--config', slowConfig, ...target(), '--json'], { env: withPassword });
      await proxy.held;
      const second = await runCli(['sync', '--config', slowConfig, ...target(), '--json'], { env: withPassword });
      expect(second.code).toBe(3);
      expect(second.stderr).toMatch(
        new RegExp(
          `^Another sync of this source \\(${proxy.endpoint.replaceAll('.', '\\.')}/acme-exports/vitally/\\) is running on this database: run #\\d+ on host ${hostname()} \\(pid \\d+\\), started .*, last heartbeat .*\\. It holds the source's lock; try again when it has finished\\.\\n$`,
        ),
      );
      proxy.release();
      const done = await first;
      expect(JSON.parse(done.stdout)).toMatchObject({ status: 'succeeded' });
      expect(await ws.psql(`SELECT name FROM @schema.organizations WHERE external_id = 'o9'`)).toEqual([
        { name: 'Slow Corp' },
      ]);
    } finally {
      proxy.release();
      await proxy.close();
      await ws.remove('orgs/slow.csv');
    }
  }, 60_000);
});

describe('server mode', () => {
  it('status prints the last runs and the next one; exit 0 after a succeeded run', async () => {
    const scheduled = join(pg.dir, 'scheduled.json');
    writeFileSync(scheduled, JSON.stringify({ ...makeConfig(ws.s3), schedule: { everyHours: 6 } }));
    const result = await runCli(['status', '--config', scheduled, ...target(), '--json'], { env: withPassword });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout);
    const runs = await ws.psql<{ id: number; started_at: string }>(
      `SELECT id, started_at FROM @schema.sync_runs ORDER BY id DESC LIMIT 5`,
    );
    expect(status.runs.map((r: { id: number }) => r.id)).toEqual(runs.map((r) => r.id));
    expect(Date.parse(status.nextRunAt)).toBe(Date.parse(runs[0]!.started_at) + 6 * 3_600_000);
  });

  it('watch --log json writes one JSON line per run, with secrets from *_FILE, and stops on SIGTERM', async () => {
    const scheduled = join(pg.dir, 'watch.json');
    // A schema of its own: no run yet, so the first sync is due at once.
    writeFileSync(scheduled, JSON.stringify({ ...makeConfig(ws.s3), schedule: { everyHours: 6 } }));
    const secretFile = join(pg.dir, 'aws-secret');
    writeFileSync(secretFile, 'S3RVER\n');
    const pwFile = join(pg.dir, 'pg-pw');
    writeFileSync(pwFile, SYNC_PASSWORD);
    let out = '';
    let stopped = false;
    const result = await runCli(
      ['watch', '--config', scheduled, '--target', pg.url, '--schema', `${ws.schema}_watch`, '--log', 'json'],
      {
        env: { AWS_SECRET_ACCESS_KEY: '', AWS_SECRET_ACCESS_KEY_FILE: secretFile, PGPASSWORD_FILE: pwFile },
        onStarted: (child) =>
          child.stdout!.on('data', (d) => {
            out += d;
            // Once: a second SIGTERM means "exit at once" (electron/cli/main.ts), not a clean stop.
            if (!stopped && out.includes('"event":"run"')) stopped = child.kill('SIGTERM');
          }),
      },
    );
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.event)).toEqual(['started', 'run', 'stopped']);
    expect(lines[1]).toMatchObject({ runId: 1, status: 'succeeded', files: 1, counts: { created: 1 } });
    expect(Date.parse(lines[1].nextRunAt)).toBeGreaterThan(Date.now() + 5 * 3_600_000);
    expect(await pg.psql(`SELECT id, status FROM ${ws.schema}_watch.sync_runs`)).toEqual([
      { id: 1, status: 'succeeded' },
    ]);
  }, 60_000);
});
