// PostgreSQL's errors in plain words: what is wrong and what to do about it.
import { DatabaseError } from '../sqlite-database';
import type { TargetProblem } from '../sync-target';
import type { PostgresSettings } from './pg-connection';

/** A problem with the PostgreSQL target, already in plain words (the CLI prints it as it is). */
export class PostgresTargetError extends DatabaseError {
  constructor(
    message: string,
    readonly fatal = true,
  ) {
    super(message);
  }
}

/** Another syncer holds the source's lock: this run did not start, and nothing about the sync failed. */
export class SourceHeldError extends PostgresTargetError {}

interface PgLikeError {
  code?: string;
  message?: string;
  severity?: string;
  routine?: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Is this an error of node-postgres or of the server (as opposed to S3 or the CSV)? */
export function isPostgresError(error: unknown): boolean {
  const e = error as PgLikeError;
  if (error instanceof PostgresTargetError) return true;
  if (typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string') return true;
  return /Connection terminated|Client has encountered a connection error|connection timeout|SASL: |server does not support SSL|self.signed certificate|unable to verify the first certificate|Query read timeout/i.test(
    e?.message ?? '',
  );
}

export function explainPostgresError(error: unknown, settings: PostgresSettings, context = ''): TargetProblem {
  if (error instanceof PostgresTargetError) return { message: error.message, fatal: error.fatal };
  const e = error as PgLikeError & { errno?: number; address?: string };
  const { host, port, database, user } = settings.login;
  const where = `${host}:${port}`;
  const code = e?.code ?? '';
  const message = e?.message ?? String(error);
  if (NETWORK_CODES.has(code) || /connection timeout|timeout expired/i.test(message)) {
    const why =
      code === 'ECONNREFUSED'
        ? 'the connection was refused: is the server running, and listening on that address and port?'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'that host name is not known: check the address.'
          : 'it did not answer in time: check the address, the port and any firewall in between.';
    return { message: `Cannot reach the PostgreSQL server at ${where}: ${why}`, fatal: true };
  }
  if (code === '28P01' || /SASL: .*password must be/.test(message)) {
    const hint =
      settings.passwordSource === 'none'
        ? 'No password was found: store one with `credentials set --postgres URL`, or set PGPASSWORD, PGPASSWORD_FILE or a .pgpass file (readable only by you).'
        : settings.passwordSource === 'typed'
          ? 'Check the password you typed.'
          : `The password came from ${settings.passwordSource}: correct it there.`;
    return { message: `PostgreSQL at ${where} refused the password of user "${user}". ${hint}`, fatal: true };
  }
  if (code === '28000') {
    return {
      message: `PostgreSQL at ${where} does not let user "${user}" connect to database "${database}" from this machine (pg_hba.conf): ${message}. Ask its administrator for access.`,
      fatal: true,
    };
  }
  if (code === '3D000') {
    return {
      message: `The database "${database}" does not exist on the PostgreSQL server at ${where}. Create it (createdb ${database}) or correct the address.`,
      fatal: true,
    };
  }
  if (code === '42501') {
    return {
      message: `User "${user}" has no permission ${context || 'for this'} in database "${database}" (${message}). Ask for it (for the schema: GRANT CREATE ON DATABASE ${database} TO ${user}; or create schema "${settings.schema}" owned by ${user}).`,
      fatal: true,
    };
  }
  if (/server does not support SSL/i.test(message)) {
    return {
      message: `The PostgreSQL server at ${where} does not accept TLS, but sslmode is ${settings.sslmode}. Use sslmode=disable on a trusted network, or enable ssl on the server.`,
      fatal: true,
    };
  }
  if (/certificate|self.signed/i.test(message)) {
    return {
      message: `The TLS certificate of the PostgreSQL server at ${where} could not be verified (${message}) with sslmode=${settings.sslmode}. Give the CA file that signed it (sslRootCert), or use sslmode=require to encrypt without checking.`,
      fatal: true,
    };
  }
  if (/Connection terminated|connection error|57P0[123]/.test(message + code) || code.startsWith('08')) {
    return {
      message: `The connection to the PostgreSQL server at ${where} was lost (${message}); the file being written was rolled back.`,
      fatal: false,
    };
  }
  if (code === '53100') {
    return {
      message: `The PostgreSQL server at ${where} is out of disk space; nothing of the interrupted file was stored.`,
      fatal: true,
    };
  }
  if (code === '55P03' || code === '57014') {
    return {
      message: `PostgreSQL at ${where} gave up waiting for a lock or a statement (${message}). Another program may be holding locks on the tables; try again.`,
      fatal: false,
    };
  }
  return { message: `PostgreSQL at ${where} (database "${database}") said: ${message}`, fatal: false };
}
