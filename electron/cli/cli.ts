// The command line: the same engine the app runs, for scripts, servers and a first look.
// Exit codes: 0 success, 1 the run was partial or failed, 2 usage or configuration errors.
import { parseArgs } from 'node:util';
import { ConfigError, OBJECT_TYPES, type ObjectType, type SyncConfig } from '../shared/config';
import { loadConfigFile } from '../core/config/config-file';
import { S3AccessError } from '../core/s3/s3-errors';
import {
  compileFilePatterns,
  createS3Client,
  listSelectedFiles,
  prefixSlashCheck,
  previewFilesOf,
  testConnection,
} from '../core/s3/s3-source';
import {
  KeychainUnavailableError,
  KeytarSecretStore,
  MissingSecretError,
  type SecretStore,
} from '../core/config/secret-store';
import { DatabaseError } from '../core/db/sqlite-database';
import { MissingSessionTokenError, resolveSignInSecrets, type SignInSecrets } from '../core/config/sign-in-secrets';
import { describeIdentity } from '../core/s3/identity';
import { withCliSignIn } from './sign-in-options';
import type { SyncReport } from '../shared/domain';
import { openCliTarget, TargetFlagError, type CliTarget } from './target-option';
import { PostgresTargetError, SourceHeldError } from '../core/db/postgres/pg-errors';
import { readSecretFiles } from './secret-files';
import { SyncScheduler } from '../core/sync/scheduler';
import { runSync, sourceName } from '../core/sync/run-sync';
import { AlertDispatcher, type AlertDispatcherOptions } from '../core/alerts/alert-dispatcher';
import type { AlertDelivery } from '../shared/alerts';
import { runCredentialsCommand } from './credentials-command';
import { createProgressBar, formatPreview, formatRunLine, formatStatus, formatSyncReport } from './format';

const TARGET_FLAGS = {
  db: { type: 'string' },
  target: { type: 'string' },
  schema: { type: 'string' },
} as const;

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
  /** Delivery of alerts: shorter timeouts, a private certificate authority (tests). */
  alertDelivery?: Pick<AlertDispatcherOptions, 'policy' | 'email'>;
}

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_USAGE = 2;
/**
 * The PostgreSQL target cannot be reached or refuses us (down, wrong password, no permission): a supervisor may
 * retry.
 */
export const EXIT_TARGET_UNAVAILABLE = 3;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  sync --config FILE --db FILE [--full] [--json]   Sync the bucket into the SQLite database once
  sync --config FILE --target postgres://USER@HOST:PORT/DB [--schema NAME] ...   ... or into PostgreSQL
  preview --config FILE --type TYPE [--json]       List the files a sync would read for one object type
  watch --config FILE --db FILE|--target URL [--log json]   Sync on the schedule until Ctrl-C or SIGTERM
  status [--config FILE] --db FILE|--target URL [--runs N] [--json]   The last runs and the next one
  test-connection --config FILE                    Check that the bucket and prefix can be listed
  credentials set|status|delete --access-key-id ID Manage the secret access key in the OS keychain

Every command but credentials also takes --profile NAME: sign in with that profile of ~/.aws/config.

TYPE is one of: ${OBJECT_TYPES.join(', ')}.
The secret access key comes from AWS_SECRET_ACCESS_KEY (or the file AWS_SECRET_ACCESS_KEY_FILE names), else from
the OS keychain. AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) replace the configured key;
see docs/credentials.md.
The PostgreSQL password: PGPASSWORD, PGPASSWORD_FILE, the OS keychain (credentials set --postgres URL), or ~/.pgpass.
Alerts (the configuration's "alerts"): the SMTP password from S3_CSV_SYNC_SMTP_PASSWORD(_FILE), the
webhook URL from S3_CSV_SYNC_WEBHOOK_URL(_FILE), else the OS keychain (see docs/alerts.md); SQLite and PostgreSQL
targets alike.
Exit codes: 0 success, 1 the run failed or was partial, 2 usage or configuration error, 3 the PostgreSQL
target cannot be reached or refused us.`;

export async function runCli(argv: string[], io: CliIo, deps: CliDeps = {}): Promise<number> {
  const [command, ...rest] = argv;
  const store = deps.secretStore ?? new KeytarSecretStore();
  try {
    io = { ...io, env: await readSecretFiles(io.env) };
    switch (command) {
      case 'sync':
        return await syncCommand(rest, io, store, deps);
      case 'preview':
        return await previewCommand(rest, io, store);
      case 'watch':
        return await watchCommand(rest, io, store, deps);
      case 'status':
        return await statusCommand(rest, io, store);
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
  if (error instanceof UsageError || error instanceof TargetFlagError) {
    io.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof ConfigError) {
    io.stderr.write(`${error.message}\n`);
    return EXIT_USAGE;
  }
  if (
    error instanceof MissingSecretError ||
    error instanceof MissingSessionTokenError ||
    error instanceof KeychainUnavailableError
  ) {
    io.stderr.write(`${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof PostgresTargetError) {
    io.stderr.write(`${error.message}\n`);
    return EXIT_TARGET_UNAVAILABLE;
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
        'Unexpected argument (not shown): this command takes only --options. A secret access key ' +
          'never goes on the command line: store it with `credentials set`.',
      );
    }
    throw new UsageError((error as Error).message);
  }
}

function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`Missing ${flag}.`);
  return value;
}

/** The config with the command line's sign-in (--profile, AWS_* variables) and that sign-in's secrets. */
async function loadConfigAndSecrets(
  configPath: string,
  profile: string | boolean | undefined,
  io: CliIo,
  store: SecretStore,
): Promise<{ config: SyncConfig; secrets: SignInSecrets }> {
  const config = withCliSignIn(
    await loadConfigFile(configPath),
    typeof profile === 'string' ? profile : undefined,
    io.env,
  );
  return { config, secrets: await resolveSignInSecrets(config.connection, { env: io.env, store }) };
}

/** Alerts about runs of this configuration, recorded in the target's run log (SQLite or PostgreSQL). */
function cliAlerts(config: SyncConfig, opened: CliTarget, io: CliIo, store: SecretStore, deps: CliDeps) {
  return new AlertDispatcher({
    log: opened.alertLog(sourceName(config)),
    getConfig: () => config,
    secrets: { env: io.env, store },
    runLogHint: (runId) => opened.runLogHint(runId),
    ...deps.alertDelivery,
  });
}

function alertLine(delivery: AlertDelivery): string {
  if (delivery.outcome === 'held-back') return `alert held back: ${delivery.detail}`;
  const what = `${delivery.kind} alert by ${delivery.channel}`;
  return delivery.outcome === 'sent' ? `${what}: ${delivery.detail}` : `${what} NOT delivered: ${delivery.detail}`;
}

async function syncCommand(args: string[], io: CliIo, store: SecretStore, deps: CliDeps): Promise<number> {
  const { signal } = deps;
  const values = parse(args, {
    config: { type: 'string' },
    ...TARGET_FLAGS,
    full: { type: 'boolean' },
    json: { type: 'boolean' },
    profile: { type: 'string' },
  });
  const configPath = required(values.config, '--config FILE');
  const { config, secrets } = await loadConfigAndSecrets(configPath, values.profile, io, store);
  const opened = await openCliTarget(values, config, { env: io.env, store });
  const json = Boolean(values.json);
  const bar = !json && io.stderr.isTTY ? createProgressBar(io.stderr) : null;
  try {
    const report = await runSync({
      config,
      ...secrets,
      target: opened.target,
      trigger: 'cli',
      full: Boolean(values.full),
      signal,
      onProgress: bar ? (p) => bar.update(p) : undefined,
    });
    bar?.clear();
    // The run is recorded; a delivery that fails is recorded too, and never changes the exit code.
    const alerts = await cliAlerts(config, opened, io, store, deps).afterRun(report);
    io.stdout.write(
      json ? `${JSON.stringify({ ...toJsonReport(report), alerts })}\n` : formatSyncReport(report, opened.target.label),
    );
    if (!json) for (const delivery of alerts) io.stderr.write(`${alertLine(delivery)}\n`);
    return report.status === 'succeeded' ? EXIT_OK : EXIT_RUN_FAILED;
  } finally {
    bar?.clear();
    await opened.close();
  }
}

/** The documented JSON report: run, status, files and the over-cap counts. */
function toJsonReport(report: SyncReport, withFiles = true) {
  return {
    runId: report.runId,
    status: report.status,
    ...(report.error ? { error: report.error } : {}),
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    ...(withFiles ? { files: report.files } : { files: report.files.length }),
    overCap: report.overCap,
    filesGone: report.filesGone ?? [],
    counts: report.counts,
  };
}

/** Runs the schedule in the foreground for people who sync from a server; logs one line per run. */
async function watchCommand(args: string[], io: CliIo, store: SecretStore, deps: CliDeps): Promise<number> {
  const { signal } = deps;
  const values = parse(args, {
    config: { type: 'string' },
    ...TARGET_FLAGS,
    log: { type: 'string' },
    profile: { type: 'string' },
  });
  const configPath = required(values.config, '--config FILE');
  if (values.log !== undefined && values.log !== 'json' && values.log !== 'text') {
    throw new UsageError(`--log takes "text" (the default) or "json", not "${values.log}".`);
  }
  const jsonLog = values.log === 'json';
  // Fail now, not at the first run, when there is no secret to be found.
  const { config } = await loadConfigAndSecrets(configPath, values.profile, io, store);
  const everyHours = config.schedule.everyHours;
  if (everyHours === null) {
    throw new UsageError(
      `The schedule is off in ${configPath}: set schedule.everyHours to 6, 12 or 24 to watch, or use "sync" for one run.`,
    );
  }
  const opened = await openCliTarget(values, config, { env: io.env, store });
  let lastStart = await opened.lastRunStart();
  const stopRun = new AbortController();
  /** The last run did not start: another syncer of this source holds it (no failure to alert about). */
  let sourceHeld = false;
  const scheduler = new SyncScheduler({
    everyHours,
    getLastRunStart: () => lastStart,
    runSync: async (trigger) => {
      const secrets = await resolveSignInSecrets(config.connection, { env: io.env, store });
      sourceHeld = false;
      const report = await runSync({
        config,
        ...secrets,
        target: opened.target,
        trigger,
        signal: stopRun.signal,
      }).catch((error: unknown) => {
        sourceHeld = error instanceof SourceHeldError;
        throw error;
      });
      lastStart = Date.parse(report.startedAt); // as the run log has it
      // Expired credentials fail every run the same way: one failure, then no more scheduled runs.
      if (report.credentialsExpired) scheduler.holdScheduledRuns(report.error ?? 'The sign-in has expired.');
      return report;
    },
  });
  const log = (line: string, fields: Record<string, unknown>) =>
    io.stdout.write(
      jsonLog
        ? `${JSON.stringify({ time: new Date().toISOString(), ...fields })}\n`
        : `${new Date().toISOString()}  ${line}\n`,
    );
  const nextAt = () => {
    const next = scheduler.getState().nextRunAt;
    return next ? new Date(next).toISOString() : null;
  };
  const alerts = cliAlerts(config, opened, io, store, deps);
  if (!jsonLog) scheduler.on('run-started', ({ trigger }) => log(`sync started (${trigger})`, {}));
  scheduler.on('run-finished', (report) => {
    const next = nextAt();
    log(`${formatRunLine(report)}${next ? `; next sync at ${next}` : ''}`, {
      event: 'run',
      ...(typeof report.runId === 'number' ? toJsonReport(report as SyncReport, false) : report),
      nextRunAt: next,
    });
    // Another syncer (the server, a laptop) is syncing this source right now: its run alerts, not this one.
    if (!sourceHeld)
      void alerts
        .afterRun(report)
        .then((deliveries) => deliveries.forEach((d) => log(alertLine(d), { event: 'alert', ...d })));
    if (report.credentialsExpired) {
      log('scheduled syncs are held until the credentials are renewed: renew them, then restart watch', {
        event: 'held',
      });
    }
  });
  const next = scheduler.getState().nextRunAt;
  log(
    `watching bucket "${config.connection.bucket}" every ${everyHours} hours into ${opened.target.label}; Ctrl-C stops` +
      (next && next > Date.now() ? `. Next sync at ${new Date(next).toISOString()}` : ''),
    {
      event: 'started',
      bucket: config.connection.bucket,
      target: opened.target.label,
      everyHours,
      nextRunAt: nextAt(),
    },
  );
  scheduler.start();
  await new Promise<void>((resolveStop) => {
    if (signal?.aborted) resolveStop();
    signal?.addEventListener('abort', () => resolveStop(), { once: true });
  });
  // The file being imported is rolled back; the run is recorded as interrupted.
  stopRun.abort();
  await scheduler.stop();
  await alerts.idle();
  await opened.close();
  log('stopped', { event: 'stopped' });
  return EXIT_OK;
}

/** The last runs of the target and when the schedule runs the next one. */
async function statusCommand(args: string[], io: CliIo, store: SecretStore): Promise<number> {
  const values = parse(args, {
    config: { type: 'string' },
    ...TARGET_FLAGS,
    json: { type: 'boolean' },
    runs: { type: 'string' },
  });
  const config = values.config ? await loadConfigFile(values.config) : null;
  const limit = values.runs === undefined ? 5 : Number(values.runs);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--runs takes a whole number of runs, at least 1.');
  const opened = await openCliTarget(values, config, { env: io.env, store });
  try {
    const runs = await opened.lastRuns(limit);
    const everyHours = config?.schedule.everyHours ?? null;
    const last = runs[0] ? Date.parse(runs[0].startedAt) : null;
    const nextRunAt =
      everyHours === null ? null : new Date(last === null ? Date.now() : last + everyHours * 3_600_000).toISOString();
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ target: opened.target.label, runs, nextRunAt })}\n`);
    } else {
      io.stdout.write(formatStatus(opened.target.label, runs, nextRunAt, config !== null));
    }
    const latest = runs[0];
    return latest && latest.status !== 'succeeded' && latest.status !== 'running' ? EXIT_RUN_FAILED : EXIT_OK;
  } finally {
    await opened.close();
  }
}

async function previewCommand(args: string[], io: CliIo, store: SecretStore): Promise<number> {
  const values = parse(args, {
    config: { type: 'string' },
    type: { type: 'string' },
    json: { type: 'boolean' },
    profile: { type: 'string' },
  });
  const configPath = required(values.config, '--config FILE');
  const type = required(values.type, '--type TYPE') as ObjectType;
  if (!OBJECT_TYPES.includes(type))
    throw new UsageError(`Unknown object type "${type}": use one of ${OBJECT_TYPES.join(', ')}.`);
  const { config, secrets } = await loadConfigAndSecrets(configPath, values.profile, io, store);
  const mapping = config.objects[type];
  if (!mapping)
    throw new UsageError(`The configuration has no "${type}" object type: add objects.${type} with a fileRegex.`);
  const client = createS3Client(config.connection, secrets, undefined, io.env);
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
  const values = parse(args, { config: { type: 'string' }, profile: { type: 'string' } });
  const configPath = required(values.config, '--config FILE');
  const { config, secrets } = await loadConfigAndSecrets(configPath, values.profile, io, store);
  const client = createS3Client(config.connection, secrets, undefined, io.env);
  try {
    const { fileCount, more } = await testConnection(client, config.connection);
    const identity = await describeIdentity(config.connection, secrets, io.env);
    const where = `bucket "${config.connection.bucket}"${config.connection.prefix ? ` under "${config.connection.prefix}"` : ''}`;
    io.stdout.write(
      `Connected as ${identity}: ${where} can be listed and holds ${more ? `more than ${fileCount}` : fileCount} file${fileCount === 1 && !more ? '' : 's'}.\n`,
    );
    return EXIT_OK;
  } finally {
    client.destroy();
  }
}
