// Connecting to the PostgreSQL target: the address and TLS options as libpq users write them, the
// password from wherever resolvePostgresPassword found it, and the schema created on first use.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { PostgresTargetConfig } from '../../../shared/target-config';
import type { PostgresLogin, PostgresPasswordSource } from '../../config/postgres-password';

export interface PostgresSettings {
  login: PostgresLogin;
  schema: string;
  password: string | undefined;
  passwordSource: PostgresPasswordSource;
  ssl: false | ConnectionOptions;
  sslmode: string;
}

/** Host, port, database and user of a postgres:// address (libpq's defaults fill what is missing). */
export function loginOf(url: string, env: Readonly<Record<string, string | undefined>> = process.env): PostgresLogin {
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username) || env.PGUSER || env.USER || 'postgres';
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || env.PGHOST || 'localhost',
    port: Number(parsed.port || env.PGPORT || 5432),
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || env.PGDATABASE || user,
    user,
  };
}

/** node-postgres has no "prefer" (try TLS, fall back to plain): only an explicit mode turns TLS on. */
export function tlsOptions(config: PostgresTargetConfig): { ssl: false | ConnectionOptions; sslmode: string } {
  const fromUrl = new URL(config.url).searchParams.get('sslmode') ?? undefined;
  const sslmode = config.sslmode ?? fromUrl ?? 'disable';
  const rootCert = config.sslRootCert ?? new URL(config.url).searchParams.get('sslrootcert') ?? undefined;
  const ca = rootCert ? readCaFile(rootCert) : undefined;
  switch (sslmode) {
    case 'disable':
    case 'allow':
    case 'prefer':
      return { ssl: false, sslmode };
    case 'require':
      // As libpq: with a root certificate, require also checks the chain (like verify-ca).
      return ca
        ? { ssl: { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined }, sslmode }
        : { ssl: { rejectUnauthorized: false }, sslmode };
    case 'verify-ca':
      return { ssl: { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined }, sslmode };
    case 'verify-full':
      return { ssl: { ca, rejectUnauthorized: true }, sslmode };
    default:
      throw new Error(`sslmode "${sslmode}" is not one of disable, prefer, require, verify-ca, verify-full.`);
  }
}

function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `The CA file ${path} (sslRootCert) cannot be read (${(error as NodeJS.ErrnoException).code}). Check the path.`,
      { cause: error },
    );
  }
}

/** How long connecting may take before the host counts as unreachable. */
const CONNECT_TIMEOUT_MS = 10_000;

export async function connectClient(settings: PostgresSettings, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: settings.login.host,
    port: settings.login.port,
    database: settings.login.database,
    user: settings.login.user,
    // A function, so that pg never falls back to reading .pgpass itself (resolvePostgresPassword did).
    password: async () => settings.password ?? '',
    ssl: settings.ssl,
    application_name: applicationName,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
  });
  // An idle connection that the server drops emits 'error': the next query reconnects instead.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  return client;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** node-postgres marks a client whose connection failed; a query on it would fail at once. */
export function isBroken(client: pg.Client): boolean {
  const c = client as unknown as { _ending?: boolean; _connectionError?: boolean; _queryable?: boolean };
  return Boolean(c._ending || c._connectionError || c._queryable === false);
}
