// Where the PostgreSQL password comes from, in the order a server and a laptop expect: PGPASSWORD,
// then PGPASSWORD_FILE (a secret mounted as a file), then the OS keychain, then ~/.pgpass (or PGPASSFILE).
import { createReadStream, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { SecretStore } from './secret-store';

/** 'typed': given on the app's Connection screen for a test, before it is saved. */
export type PostgresPasswordSource = 'typed' | 'PGPASSWORD' | 'PGPASSWORD_FILE' | 'keychain' | '.pgpass' | 'none';

export interface ResolvedPostgresPassword {
  password: string | undefined;
  source: PostgresPasswordSource;
}

export interface PostgresLogin {
  host: string;
  port: number;
  database: string;
  user: string;
}

/** The keychain account that holds the password of one login (same service as the S3 secrets). */
export function postgresKeychainAccount(login: PostgresLogin): string {
  return `postgres://${login.user}@${login.host}:${login.port}/${login.database}`;
}

export async function resolvePostgresPassword(
  login: PostgresLogin,
  options: { env: Readonly<Record<string, string | undefined>>; store?: SecretStore },
): Promise<ResolvedPostgresPassword> {
  const { env } = options;
  if (env.PGPASSWORD) return { password: env.PGPASSWORD, source: 'PGPASSWORD' };
  if (env.PGPASSWORD_FILE) {
    try {
      // A trailing newline is how editors and `echo` end the file; it is not part of the password.
      return {
        password: (await readFile(env.PGPASSWORD_FILE, 'utf8')).replace(/\r?\n$/, ''),
        source: 'PGPASSWORD_FILE',
      };
    } catch (error) {
      throw new Error(
        `PGPASSWORD_FILE names ${env.PGPASSWORD_FILE}, which cannot be read (${(error as NodeJS.ErrnoException).code}). Check the path and its permissions.`,
        { cause: error },
      );
    }
  }
  if (options.store) {
    try {
      const stored = await options.store.get(postgresKeychainAccount(login));
      if (stored !== null) return { password: stored, source: 'keychain' };
    } catch {
      // No keychain on this machine (a server): the .pgpass file may still hold the password.
    }
  }
  const fromPgpass = await readPgpass(login, env);
  if (fromPgpass !== undefined) return { password: fromPgpass, source: '.pgpass' };
  return { password: undefined, source: 'none' };
}

/** The pgpass package reads the file as libpq does (wildcards, escapes, ignored when group- or world-readable). */
async function readPgpass(
  login: PostgresLogin,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | undefined> {
  const helper = createRequire(import.meta.url)('pgpass/lib/helper.js') as {
    getFileName(env: Readonly<Record<string, string | undefined>>): string;
    usePgPass(stats: Stats, file: string): boolean;
    getPassword(info: PostgresLogin, stream: NodeJS.ReadableStream, cb: (password: string | undefined) => void): void;
  };
  const file = helper.getFileName(env);
  let stats: Stats;
  try {
    stats = await stat(file);
  } catch {
    return undefined;
  }
  if (!stats.isFile() || (stats.mode & 0o077) !== 0) return undefined;
  return new Promise((resolve) => helper.getPassword(login, createReadStream(file), resolve));
}
