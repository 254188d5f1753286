// The command line: the same engine the app runs, for scripts, servers and a first look.
// Exit codes: 0 success, 1 the run was partial or failed, 2 usage or configuration errors.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile, OBJECT_TYPES, type ObjectType, type SyncConfig } from '../shared/config';
import { S3AccessError } from '../core/s3/s3-errors';
import {
  compileFilePatterns,
  createS3Client,
  listSelectedFiles,
  prefixSlashCheck,
  previewFilesOf,
  testConnection,
} from '../core/s3/s3-source';
import { KeytarSecretStore, resolveSecret, type SecretStore } from '../core/config/secret-store';
import { DatabaseError, openDatabase } from '../core/db/store';
import { SyncScheduler } from '../core/sync/scheduler';
import { lastRunStart } from '../core/db/run-log';
import { runSync } from '../core/sync/run-sync';
import { runCredentialsCommand } from './credentials-command';
import { createProgressBar, formatPreview, formatRunLine, formatSyncReport } from './format';

export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
}

export interface CliDeps {
  secretStore?: SecretStore;
  /** Stops a running sync (SIGINT/SIGTERM in the real CLI). */
  signal?: AbortSignal;
}

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  sync --config FILE --db FILE [--full] [--json]   Sync the bucket into the SQLite database once
  preview --config FILE --type TYPE [--json]       List the files a sync would read for one object type
  watch --config FILE --db FILE                    Sync on the configured schedule until Ctrl-C or SIGTERM
  test-connection --config FILE                    Check that the bucket and prefix can be listed
  credentials set|status|delete --access-key-id ID Manage the secret access key in the OS keychain

TYPE is one of: ${OBJECT_TYPES.join(', ')}.
The secret access key comes from AWS_SECRET_ACCESS_KEY, else from the OS keychain.`;

export async function runCli(argv: string[], io: CliIo, deps: CliDeps = {}): Promise<number> {
  const [command, ...rest] = argv;
  const store = deps.secretStore ?? new KeytarSecretStore();
  try {
    switch (command) {
      case 'sync':
        return await syncCommand(rest, io, store, deps.signal);
      case 'preview':
        return await previewCommand(rest, io, store);
      case 'watch':
        return await watchCommand(rest, io, store, deps.signal);
      case 'test-connection':
        return await testConnectionCommand(rest, io, store);
      case 'credentials':
        return await runCredentialsCommand(rest, io, store);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT_USAGE : EXIT_OK;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof ConfigError) {
    io.stderr.write(`${error.message}\n`);
    return EXIT_USAGE;
  }
  const name = (error as Error)?.name;
  if (name === 'MissingSecretError' || name === 'KeychainUnavailableError') {
    io.stderr.write(`${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof S3AccessError || error instanceof DatabaseError) {
    io.stderr.write(`${error.message}\n`);
    return EXIT_RUN_FAILED;
  }
  io.stderr.write(`Unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
  return EXIT_RUN_FAILED;
}

function parse<T extends Record<string, { type: 'string' | 'boolean' }>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    // parseArgs quotes a stray argument, which may be a secret pasted in the wrong place: never repeat it.
    if ((error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(
        'Unexpected argument (not shown): this command takes only --options. A secret access key never goes on the command line: store it with `credentials set`.',
      );
    }
    throw new UsageError((error as Error).message);
  }
}

function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`Missing ${flag}.`);
  return value;
}

async function loadConfigAndSecret(
  configPath: string,
  io: CliIo,
  store: SecretStore,
): Promise<{ config: SyncConfig; secret: string }> {
  const config = await loadConfigFile(configPath);
  const { secret } = await resolveSecret(config.connection.accessKeyId, { env: io.env, store });
  return { config, secret };
}

async function syncCommand(args: string[], io: CliIo, store: SecretStore, signal?: AbortSignal): Promise<number> {
  const values = parse(args, {
    config: { type: 'string' },
    db: { type: 'string' },
    full: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const configPath = required(values.config, '--config FILE');
  const dbPath = resolve(required(values.db, '--db FILE'));
  const { config, secret } = await loadConfigAndSecret(configPath, io, store);
  mkdirSync(dirname(dbPath), { recursive: true });
  const db = openDatabase(dbPath);
  const json = Boolean(values.json);
  const bar = !json && io.stderr.isTTY ? createProgressBar(io.stderr) : null;
  try {
    const report = await runSync({
      config,
      secretAccessKey: secret,
      db,
      dbPath,
      trigger: 'cli',
      full: Boolean(values.full),
      signal,
      onProgress: bar ? (p) => bar.update(p) : undefined,
    });
    bar?.clear();
    io.stdout.write(json ? `${JSON.stringify(toJsonReport(report))}\n` : formatSyncReport(report, dbPath));
    return report.status === 'succeeded' ? EXIT_OK : EXIT_RUN_FAILED;
  } finally {
    bar?.clear();
    db.close();
  }
}

/** The documented JSON report: run, status, files and the over-cap counts. */
function toJsonReport(report: Awaited<ReturnType<typeof runSync>>) {
  return {
    runId: report.runId,
    status: report.status,
    ...(report.error ? { error: report.error } : {}),
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    files: report.files,
    overCap: report.overCap,
    filesGone: report.filesGone ?? [],
    counts: report.counts,
  };
}

/** Runs the schedule in the foreground for people who sync from a server; logs one line per run. */
async function watchCommand(args: string[], io: CliIo, store: SecretStore, signal?: AbortSignal): Promise<number> {
  const values = parse(args, { config: { type: 'string' }, db: { type: 'string' } });
  const configPath = required(values.config, '--config FILE');
  const dbPath = resolve(required(values.db, '--db FILE'));
  const config = await loadConfigFile(configPath);
  const everyHours = config.schedule.everyHours;
  if (everyHours === null) {
    throw new UsageError(
      `The schedule is off in ${configPath}: set schedule.everyHours to 6, 12 or 24 to watch, or use "sync" for one run.`,
    );
  }
  // Fail now, not at the first run, when there is no secret to be found.
  await resolveSecret(config.connection.accessKeyId, { env: io.env, store });
  mkdirSync(dirname(dbPath), { recursive: true });
  const db = openDatabase(dbPath);
  const stopRun = new AbortController();
  const scheduler = new SyncScheduler({
    everyHours,
    getLastRunStart: () => lastRunStart(db),
    runSync: async (trigger) => {
      const { secret } = await resolveSecret(config.connection.accessKeyId, { env: io.env, store });
      return runSync({ config, secretAccessKey: secret, db, dbPath, trigger, signal: stopRun.signal });
    },
  });
  const log = (line: string) => io.stdout.write(`${new Date().toISOString()}  ${line}\n`);
  scheduler.on('run-started', ({ trigger }) => log(`sync started (${trigger})`));
  scheduler.on('run-finished', (report) => {
    const next = scheduler.getState().nextRunAt;
    log(`${formatRunLine(report)}${next ? `; next sync at ${new Date(next).toISOString()}` : ''}`);
  });
  const next = scheduler.getState().nextRunAt;
  log(
    `watching bucket "${config.connection.bucket}" every ${everyHours} hours into ${dbPath}; Ctrl-C stops` +
      (next && next > Date.now() ? `. Next sync at ${new Date(next).toISOString()}` : ''),
  );
  scheduler.start();
  await new Promise<void>((resolveStop) => {
    if (signal?.aborted) resolveStop();
    signal?.addEventListener('abort', () => resolveStop(), { once: true });
  });
  // The file being imported is rolled back; the run is recorded as interrupted.
  stopRun.abort();
  await scheduler.stop();
  db.close();
  log('stopped');
  return EXIT_OK;
}

async function previewCommand(args: string[], io: CliIo, store: SecretStore): Promise<number> {
  const values = parse(args, { config: { type: 'string' }, type: { type: 'string' }, json: { type: 'boolean' } });
  const configPath = required(values.config, '--config FILE');
  const type = required(values.type, '--type TYPE') as ObjectType;
  if (!OBJECT_TYPES.includes(type))
    throw new UsageError(`Unknown object type "${type}": use one of ${OBJECT_TYPES.join(', ')}.`);
  const { config, secret } = await loadConfigAndSecret(configPath, io, store);
  const mapping = config.objects[type];
  if (!mapping)
    throw new UsageError(`The configuration has no "${type}" object type: add objects.${type} with a fileRegex.`);
  const client = createS3Client(config.connection, secret);
  try {
    const patterns = compileFilePatterns({ [type]: { ...mapping, enabled: true } });
    const slashCheck = prefixSlashCheck(config.connection.prefix, patterns[type]!);
    const selection = await listSelectedFiles(client, config.connection, patterns, { onKey: slashCheck.onKey });
    const warning = slashCheck.warning(selection, type);
    const result = {
      type,
      selected: previewFilesOf(selection, type),
      overCap: selection.overCap[type],
      ...(warning ? { warning } : {}),
    };
    io.stdout.write(
      values.json ? `${JSON.stringify(result)}\n` : formatPreview(result, mapping.fileRegex, selection.listedCount),
    );
    return EXIT_OK;
  } finally {
    client.destroy();
  }
}

async function testConnectionCommand(args: string[], io: CliIo, store: SecretStore): Promise<number> {
  const values = parse(args, { config: { type: 'string' } });
  const { config, secret } = await loadConfigAndSecret(required(values.config, '--config FILE'), io, store);
  const client = createS3Client(config.connection, secret);
  try {
    const { fileCount, more } = await testConnection(client, config.connection);
    const where = `bucket "${config.connection.bucket}"${config.connection.prefix ? ` under "${config.connection.prefix}"` : ''}`;
    io.stdout.write(
      `Connected: ${where} can be listed and holds ${more ? `more than ${fileCount}` : fileCount} file${fileCount === 1 && !more ? '' : 's'}.\n`,
    );
    return EXIT_OK;
  } finally {
    client.destroy();
  }
}
