// `npm run bench:postgres [-- --rows 250000,2000000] [--runs K]`: an events file from the S3 server
// into PostgreSQL through the CLI (`sync --target`), side by side, in turns, in one run, with
//  - psql's `\copy` of the same CSV into an unindexed table of text columns (the target's yardstick),
//  - psql's `\copy` of the same rows as the sync stored them into a copy of the events table, its
//    types and primary key (what PostgreSQL itself costs for these rows: the floor of any client).
// Prints wall times and CPU times (client, server, S3 server) and their ratios, the sync's phases
// (S3_CSV_SYNC_TIMINGS) and its peak RSS per size. On a shared machine the CPU ratios move less.
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../electron/shared/config';
import { ensureEventsCsv, EVENTS_TRACKS_MAPPING } from './bench-events-csv';
import { LOCAL_S3_ACCESS_KEY_ID, LOCAL_S3_SECRET, startLocalS3Server } from './local-s3-server';
import { startLocalPostgresServer, SYNC_PASSWORD, SYNC_USER, SYNC_DATABASE } from './local-postgres-server';
import { peakRssKb, processCpuMs, sampleBackendsCpu } from './process-cpu';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { rows: { type: 'string' }, runs: { type: 'string' } } });
const sizes = (values.rows ?? '250000,2000000').split(',').map(Number);
const runs = Number(values.runs ?? 1);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
/** The phases of pg-file-write.ts's timings line. */
const PHASES = /(read\+COPY|waiting for the server|the COPY's end|merge|references) (\d+) ms/g;

interface Step {
  wallMs: number;
  /** The client process (psql, or the CLI). */
  clientMs: number;
  /** The PostgreSQL server: the step's own backends (connections as the sync user). */
  serverMs: number;
  /** The S3 server (s3rver, in this process). */
  s3Ms: number;
}

const pg = await startLocalPostgresServer();
const s3 = await startLocalS3Server('bench');
try {
  const configPath = join(pg.dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify(
      parseConfig({
        connection: {
          bucket: 'bench',
          region: 'us-east-1',
          accessKeyId: LOCAL_S3_ACCESS_KEY_ID,
          endpoint: s3.endpoint,
          forcePathStyle: true,
        },
        objects: { tracks: EVENTS_TRACKS_MAPPING },
      }),
    ),
  );
  const columns = 'event_id,user_id,account_id,timestamp,event,plan,duration_ms,is_mobile,page'.split(',');
  await pg.psqlRaw(`CREATE TABLE copy_target (${columns.map((c) => `${c} text`).join(', ')})`);
  await pg.psqlRaw(`GRANT ALL ON copy_target TO sync`);
  const peaks: Record<number, number> = {};
  for (const rows of sizes) {
    const csv = await ensureEventsCsv(join(ROOT, 'bench-data'), rows, console.log);
    const size = statSync(csv).size;
    // Straight into s3rver's store: a streamed PutObject would arrive aws-chunked, which s3rver keeps as is.
    await s3.putMany(['events/events.csv'], readFileSync(csv, 'utf8'));
    console.log(`\n${fmt(rows)} rows, ${(size / 1e6).toFixed(1)} MB`);
    const copy: Step[] = [];
    const sync: Step[] = [];
    const floor: Step[] = [];
    /** From the run's start to its end as its report says: without the CLI's start-up and connecting. */
    const runMs: number[] = [];
    const phases: Record<string, number[]> = {};
    let peak = 0;
    for (let turn = 0; turn < runs; turn++) {
      await pg.psqlRaw(`TRUNCATE copy_target`);
      copy.push(await measure(() => psql(`\\copy copy_target FROM '${csv}' WITH (FORMAT csv, HEADER true)`)));
      console.log(`  psql \\copy, text table     ${describe(copy.at(-1)!, rows)}`);

      const schema = `bench_${rows}_${turn}`;
      let result: SyncResult | undefined;
      sync.push(await measure(async () => (result = await runSync(configPath, pg.url, schema))));
      const report = JSON.parse(result!.stdout);
      if (report.status !== 'succeeded' || report.counts.created !== rows)
        throw new Error(result!.stdout + result!.stderr);
      peak = Math.max(peak, result!.peakRssMb);
      runMs.push(Date.parse(report.finishedAt) - Date.parse(report.startedAt));
      for (const [, phase, ms] of result!.timings.matchAll(PHASES)) (phases[phase!] ??= []).push(Number(ms));
      console.log(
        `  sync --target              ${describe(sync.at(-1)!, rows)}, peak RSS ${result!.peakRssMb.toFixed(0)} MB\n` +
          `    (the run itself ${fmt(runMs.at(-1)!)} ms; ${result!.timings})`,
      );

      // The same rows as the sync stored them, by psql into a copy of the events table with its primary key.
      const rowsFile = join(pg.dir, 'events-rows.tsv');
      await pg.psqlRaw(`\\copy ${schema}.events TO '${rowsFile}'`);
      await pg.psqlRaw(
        `DROP TABLE IF EXISTS floor_events; CREATE TABLE floor_events (LIKE ${schema}.events INCLUDING ALL); ` +
          `GRANT ALL ON floor_events TO sync; DROP SCHEMA ${schema} CASCADE`,
      );
      floor.push(await measure(() => psql(`\\copy floor_events FROM '${rowsFile}'`)));
      console.log(`  psql \\copy, events table   ${describe(floor.at(-1)!, rows)}`);
    }
    peaks[rows] = peak;
    const m = (steps: Step[], key: keyof Step) => median(steps.map((s) => s[key]));
    const all = (steps: Step[]) => median(steps.map((s) => s.clientMs + s.serverMs + s.s3Ms));
    console.log(
      `  medians of ${runs}: wall \\copy ${fmt(m(copy, 'wallMs'))} ms, sync ${fmt(m(sync, 'wallMs'))} ms (the run itself ${fmt(median(runMs))} ms), \\copy into the events table ${fmt(m(floor, 'wallMs'))} ms\n` +
        `    wall:         sync / \\copy ${ratio(m(sync, 'wallMs'), m(copy, 'wallMs'))} (the run itself ${ratio(median(runMs), m(copy, 'wallMs'))}); \\copy into the events table / \\copy ${ratio(m(floor, 'wallMs'), m(copy, 'wallMs'))}\n` +
        `    server CPU:   sync / \\copy ${ratio(m(sync, 'serverMs'), m(copy, 'serverMs'))}; \\copy into the events table / \\copy ${ratio(m(floor, 'serverMs'), m(copy, 'serverMs'))}\n` +
        `    all CPU:      sync / \\copy ${ratio(all(sync), all(copy))} (client + server + S3 server)\n` +
        `    sync phases:  ${Object.entries(phases)
          .map(([phase, ms]) => `${phase} ${fmt(median(ms))} ms`)
          .join(', ')}`,
    );
  }
  if (sizes.length > 1) {
    const [a, b] = [sizes[0]!, sizes.at(-1)!];
    console.log(
      `\npeak RSS of the sync: ${sizes.map((n) => `${fmt(n)} rows ${peaks[n]!.toFixed(0)} MB`).join(', ')} (${ratio(peaks[b]!, peaks[a]!)})`,
    );
  }
} finally {
  await s3.close();
  await pg.stop();
}

function describe(step: Step, rows: number): string {
  return (
    `${fmt(step.wallMs).padStart(7)} ms ${fmt(rows / (step.wallMs / 1000)).padStart(9)} rows/s; CPU: client ${fmt(step.clientMs)} ms, ` +
    `server ${fmt(step.serverMs)} ms${step.s3Ms >= 50 ? `, S3 server ${fmt(step.s3Ms)} ms` : ''}`
  );
}

/** One step's wall time and CPU: its client process (run returns its CPU), its backends and s3rver. */
async function measure(run: () => Promise<{ cpuMs: number }>): Promise<Step> {
  await pg.psqlRaw('CHECKPOINT');
  const server = sampleBackendsCpu(pg.pid(), SYNC_USER);
  const ownBefore = process.cpuUsage();
  const started = performance.now();
  const { cpuMs } = await run();
  const wallMs = performance.now() - started;
  const own = process.cpuUsage(ownBefore);
  return { wallMs, clientMs: cpuMs, serverMs: server.stop(), s3Ms: (own.user + own.system) / 1000 };
}

interface SyncResult {
  stdout: string;
  stderr: string;
  timings: string;
  peakRssMb: number;
  cpuMs: number;
}

/** A child process, its CPU and peak RSS from /proc, sampled until it exits. */
function runChild(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ stdout: string; stderr: string; cpuMs: number; peakRssMb: number; code: number | null }>(
    (resolvePromise, reject) => {
      const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let peakKb = 0;
      let cpuMs = 0;
      const sample = () => {
        peakKb = Math.max(peakKb, peakRssKb(child.pid!));
        cpuMs = Math.max(cpuMs, processCpuMs(child.pid!));
      };
      const sampler = setInterval(sample, 50);
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      // The last sample is taken before the process is reaped ('exit' comes first, 'close' after the pipes).
      child.on('exit', sample);
      child.on('close', (code) => {
        clearInterval(sampler);
        resolvePromise({ stdout, stderr, cpuMs, peakRssMb: peakKb / 1024, code });
      });
    },
  );
}

async function psql(command: string): Promise<{ cpuMs: number }> {
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(pg.port), '-U', SYNC_USER];
  const result = await runChild('psql', [...args, '-d', SYNC_DATABASE, '-c', command], { PGPASSWORD: SYNC_PASSWORD });
  if (result.code !== 0) throw new Error(`psql failed: ${result.stderr}`);
  return result;
}

/**
 * `npm run cli` as package.json spells it (node's flags, then the script): the bench runs the CLI the way
 * a user types it, its memory settings included (docs/performance.md: the young generation on Node 24).
 */
function cliAsTyped(): string[] {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { cli: string } }).scripts
    .cli;
  const [, ...words] = script.split(' '); // without the leading "node"
  return words.map((word) => (word.endsWith('.ts') ? join(ROOT, word) : word));
}

/** The CLI's sync in a child process. */
async function runSync(configPath: string, url: string, schema: string): Promise<SyncResult> {
  const cli = [...cliAsTyped(), 'sync', '--config', configPath, '--target', url];
  const result = await runChild(process.execPath, [...cli, '--schema', schema, '--json'], {
    PGPASSWORD: SYNC_PASSWORD,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET,
    S3_CSV_SYNC_TIMINGS: '1',
  });
  const timings = result.stderr
    .split('\n')
    .filter((l) => l.startsWith('timings:'))
    .map((l) => l.replace(/^timings: /, ''))
    .join('; ');
  return { ...result, timings };
}
