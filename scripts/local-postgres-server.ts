// A throwaway PostgreSQL cluster for the tests and the benchmark: initdb + pg_ctl from Debian's
// postgresql package, in a temporary folder, on a free loopback port, as a non-root user (the
// server refuses root), never the machine's own cluster. Stopped by its postmaster's pid.
import { execFile, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const SUPERUSER_PASSWORD = 'superuser-pw';
/** The role the sync connects as: it owns the database, like a team's service account. */
export const SYNC_USER = 'sync';
export const SYNC_PASSWORD = 'sync-pw';
export const SYNC_DATABASE = 'cs';

export interface LocalPostgresServer {
  port: number;
  dir: string;
  /** postgres://sync@127.0.0.1:PORT/cs, without the password (it comes from PGPASSWORD or elsewhere). */
  url: string;
  /** Runs SQL through psql as the superuser in the sync database; returns its rows as objects (JSON). */
  psql<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** Runs SQL through psql and returns its plain output. */
  psqlRaw(sql: string, database?: string): Promise<string>;
  pid(): number;
  /** Fast shutdown, then start again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** As root, run the server's programs as the postgres user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

export async function startLocalPostgresServer(): Promise<LocalPostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 's3sync-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${SUPERUSER_PASSWORD}\n`);
  if (userInfo().uid === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const uid = Number(stdout.trim());
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, uid, Number(gid.trim()));
    chownSync(pwfile, uid, Number(gid.trim()));
  }
  await run(
    ...asServerUser(join(PG_BIN, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      `--pwfile=${pwfile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]),
  );
  const port = await freePort();
  const start = async () => {
    const [command, args] = asServerUser(join(PG_BIN, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=64MB`,
      'start',
    ]);
    await run(command, args);
  };
  await start();
  const env = { ...process.env, PGPASSWORD: SUPERUSER_PASSWORD };
  const psqlRaw = async (sql: string, database = SYNC_DATABASE): Promise<string> => {
    const { stdout } = await run(
      'psql',
      [
        '-X',
        '-q',
        '-At',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        database,
        '-c',
        sql,
      ],
      { env, maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  };
  await psqlRaw(`CREATE ROLE ${SYNC_USER} LOGIN PASSWORD '${SYNC_PASSWORD}'`, 'postgres');
  await psqlRaw(`CREATE DATABASE ${SYNC_DATABASE} OWNER ${SYNC_USER}`, 'postgres');
  const pid = () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const waitGone = async (p: number) => {
    for (let i = 0; i < 600; i++) {
      try {
        process.kill(p, 0);
      } catch {
        return;
      }
      // A zombie (pid 1 not reaping) counts as gone.
      try {
        if (/^Z/.test(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1] ?? '')) return;
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stopServer = async () => {
    let p: number;
    try {
      p = pid();
    } catch {
      return;
    }
    try {
      process.kill(p, 'SIGINT'); // fast shutdown: roll back open transactions, disconnect clients
    } catch {
      return;
    }
    await waitGone(p);
  };
  return {
    port,
    dir,
    url: `postgres://${SYNC_USER}@127.0.0.1:${port}/${SYNC_DATABASE}`,
    psqlRaw,
    async psql<T>(sql: string): Promise<T[]> {
      const out = await psqlRaw(`SELECT coalesce(json_agg(t), '[]') FROM (${sql}) t`);
      return JSON.parse(out) as T[];
    },
    pid,
    async restart() {
      await stopServer();
      await start();
    },
    async stop() {
      await stopServer();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** For a shell: `node --import tsx scripts/local-postgres-server.ts` prints the address and waits. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startLocalPostgresServer();
  console.log(`${server.url} (password ${SYNC_PASSWORD}); Ctrl-C stops it`);
  process.on('SIGINT', () => void server.stop().then(() => process.exit(0)));
  spawn('sleep', ['infinity'], { stdio: 'ignore' }).unref();
}
