// "Where the data goes" on the Connection screen: test a target through the same connect path as a
// sync and the CLI (openPostgresTarget: password, TLS, schema creation), and save it, with a typed
// PostgreSQL password going into the keychain, never into the settings file.
import type { SaveResult, TargetInput, TestTargetResult } from '../../shared/contract';
import { ConfigError, parseConfig, type SyncConfig } from '../../shared/config';
import { targetSchema, type TargetConfig } from '../../shared/target-config';
import { postgresKeychainAccount } from '../config/postgres-password';
import { KeychainUnavailableError, type SecretStore } from '../config/secret-store';
import { loginOf } from '../db/postgres/pg-connection';
import { openPostgresTarget } from '../db/postgres/pg-target';

export interface TargetApiDeps {
  dbPath: string;
  secretStore: SecretStore;
  env: Readonly<Record<string, string | undefined>>;
  requireConfig: () => SyncConfig;
  save: (next: unknown) => SaveResult;
}

export interface TargetHandlers {
  testTarget: (input: TargetInput) => Promise<TestTargetResult>;
  saveTarget: (input: TargetInput) => Promise<SaveResult>;
  targetPasswordStored: (config: SyncConfig | null) => Promise<boolean>;
}

/** The target in words, as the screens name it: the file, or the address and schema (no password). */
export function describeTarget(
  target: TargetConfig | undefined,
  dbPath: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  if (target?.kind !== 'postgres') return dbPath;
  const { user, host, port, database } = loginOf(target.url, env);
  return `postgres://${user}@${host}:${port}/${database} (schema ${target.schema})`;
}

/**
 * Why the Query screen and the exports refuse while syncs write to PostgreSQL, or null: they read this
 * computer's SQLite file only (their starters, completion and row streaming are SQLite's), and a shared
 * database has its own tools. Said plainly rather than answering from a file the syncs no longer fill.
 */
export function localFileOnly(
  target: TargetConfig,
  what: 'query' | 'export',
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | null {
  if (target.kind !== 'postgres') return null;
  const where = `syncs write to the PostgreSQL database ${describeTarget(target, '', env)}`;
  return what === 'query'
    ? `The Query screen reads this computer's SQLite file only, and ${where}. Query that database with psql or your BI tool (SET search_path TO ${target.schema};), or choose "This computer" under Where the data goes.`
    : `Exports read this computer's SQLite file only, and ${where}. Export from that database with psql, for example: \\copy (SELECT * FROM ${target.schema}.accounts) TO 'accounts.csv' CSV HEADER`;
}

export function createTargetHandlers({ dbPath, secretStore, env, requireConfig, save }: TargetApiDeps): TargetHandlers {
  const refuse = (error: unknown) => {
    if (error instanceof ConfigError) return { ok: false as const, message: error.message, problems: error.problems };
    throw error;
  };

  return {
    async testTarget(input) {
      const parsed = targetSchema.safeParse(input.target);
      if (!parsed.success) {
        const problems = parsed.error.issues.map(
          (i) => `target${i.path.map((p) => `.${String(p)}`).join('')}: ${i.message}`,
        );
        return { ok: false, message: `The target is not valid: ${problems.join('; ')}.`, problems };
      }
      const target = parsed.data;
      if (target.kind === 'sqlite') {
        return { ok: true, message: `Syncs write into the SQLite file ${dbPath} on this computer.` };
      }
      try {
        const opened = await openPostgresTarget(target, {
          env,
          store: secretStore,
          ...(input.password ? { password: { password: input.password, source: 'typed' as const } } : {}),
        });
        try {
          const [last] = await opened.lastRuns(1);
          const held = last ? `it holds runs up to #${last.id}` : 'no sync has written to it yet';
          return {
            ok: true,
            message: `Connected to ${describeTarget(target, dbPath, env)} as user "${opened.settings.login.user}": the schema is ready and ${held}.`,
          };
        } finally {
          await opened.close();
        }
      } catch (error) {
        // Already in plain words: cannot reach the host, wrong password, no database, no permission, TLS.
        return { ok: false, message: (error as Error).message, problems: [] };
      }
    },

    async saveTarget(input) {
      const next = { ...requireConfig(), target: input.target };
      // Validated before the keychain is touched, so a refused save stores nothing at all.
      let config: SyncConfig;
      try {
        config = parseConfig(next);
      } catch (error) {
        return refuse(error);
      }
      if (config.target?.kind === 'postgres' && input.password) {
        try {
          await secretStore.set(postgresKeychainAccount(loginOf(config.target.url, env)), input.password);
        } catch (error) {
          if (error instanceof KeychainUnavailableError) return { ok: false, message: error.message, problems: [] };
          throw error;
        }
      }
      return save(next);
    },

    async targetPasswordStored(config) {
      if (config?.target?.kind !== 'postgres') return false;
      try {
        return (await secretStore.get(postgresKeychainAccount(loginOf(config.target.url, env)))) !== null;
      } catch {
        return false; // the keychain's own problem is reported once, by getOverview's keychainProblem
      }
    },
  };
}
