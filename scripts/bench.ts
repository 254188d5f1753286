// `npm run bench [-- --rows N[,M...]] [--runs K] [--json]`: how a full tracks sync compares with
// the sqlite3 shell's own `.import --csv` of the same file.
//
// An events CSV of N rows is generated into bench-data/ (kept for the next run), served from the
// embedded S3-compatible server (in a child process), and synced through the app's code path from a
// second child process that holds only the sync (bench-sync-host.ts): a SyncWorker, i.e. runSync on
// a worker thread with its own database
// connection, running the workers as the app's build bundles them (scripts/build-shell.ts;
// --sources runs them from the TypeScript sources through tsx instead, which costs a module-hook
// thread per worker and slower starts). In turns with it, the sqlite3 shell imports the same file from disk into a fresh
// database. Printed: rows per second of both (medians), their ratio, the checkpoint the worker runs
// after each sync's report (timed apart; the next turn waits for it), the sync host's peak RSS during
// the sync, its main thread's event-loop delay during the sync (p99 and max), and the time of a second
// sync with nothing changed (which must download nothing). With several sizes (--rows 250000,2000000)
// the peak memory of each is compared, to show that it does not grow with the file.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseConfig, type SyncConfig } from '../electron/shared/config';
import type { SyncReport } from '../electron/shared/domain';
import type { WorkerSyncRequest } from '../electron/core/worker/sync-worker-client';
import { ensureEventsCsv, EVENTS_TRACKS_MAPPING } from './bench-events-csv';
import type { FromSyncHost, MeasuredSync, ToSyncHost } from './bench-sync-host';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = resolve(import.meta.dirname, '..');
const DATA_DIR = join(ROOT, 'bench-data');
const BUCKET = 'bench';
/** s3rver's built-in credentials (see local-s3-server.ts, which only the server process loads). */
const LOCAL_S3_SECRET = 'S3RVER';
const KEY = 'events/events.csv';
const WARMUP_KEY = 'warmup/events.csv';
const WARMUP_ROWS = 100_000;
const EVENT_LOOP_RESOLUTION_MS = 10;
const MEMORY_SAMPLE_MS = 20;

if (process.env.BENCH_S3_CHILD) await serveS3();
else await main();

interface SizeResult {
  rows: number;
  bytes: number;
  sqliteMs: number[];
  syncMs: number[];
  /** The worker's WAL checkpoint after each sync's report (not in syncMs). */
  checkpointMs: number[];
  /** CPU time (user + system) of the sqlite3 process, and of this process (the worker's thread, mostly) during the sync. */
  sqliteCpuMs: number[];
  syncCpuMs: number[];
  ratio: number;
  peakRssMb: number;
  /** The sync host process (bench-sync-host.ts) before its sync worker started. */
  hostRssMb: number;
  /** Peak minus that: the sync worker's (and its parsing worker's) memory. */
  syncRssMb: number;
  baselineRssMb: number;
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  secondSyncMs: number;
  secondSyncRatio: number;
  workerStartMs: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '2000000' },
      runs: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      sources: { type: 'boolean', default: false },
      preview: { type: 'string' },
      // Internal: set on the child process that measures one size of a multi-size run.
      'one-size': { type: 'boolean', default: false },
    },
  });
  const sizes = values.rows!.split(',').map((s) => Number(s.replaceAll('_', '')));
  const runs = Number(values.runs);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(runs) || runs < 1) {
    console.error('Usage: npm run bench -- [--rows N[,M...]] [--runs K] [--json]');
    process.exit(2);
  }
  if (values.preview !== undefined) {
    const objects = Number(values.preview.replaceAll('_', ''));
    if (!Number.isInteger(objects) || objects < 1) {
      console.error('Usage: npm run bench -- --preview N   (N objects under the prefix)');
      process.exit(2);
    }
    await benchPreview(objects, values.json!);
    return;
  }
  const sqlite3 = process.env.SQLITE3 ?? 'sqlite3';
  await checkSqliteShell(sqlite3);
  mkdirSync(DATA_DIR, { recursive: true });
  if (sizes.length > 1) {
    // Each size in a fresh process, so that one's memory is not the next one's baseline.
    const results: SizeResult[] = [];
    for (const rows of sizes) results.push(await benchSizeInChild(rows, process.argv.slice(2), values.json!));
    reportSizes(results, values.json!);
    return;
  }

  const buildDir = join(DATA_DIR, `build-${process.pid}`);
  let workerUrl: URL | undefined;
  let hostEntry = join(ROOT, 'scripts', 'bench-sync-host.ts');
  if (!values.sources) {
    // In a child process: the bundler's buffers are not this process's memory during the runs.
    await new Promise<void>((resolveBuild, reject) => {
      const child = fork(join(ROOT, 'scripts/build-shell.ts'), ['--out-dir', buildDir], {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolveBuild() : reject(new Error(`Building the workers failed (exit ${code}).`)),
      );
    });
    workerUrl = pathToFileURL(join(buildDir, 'main', 'sync-worker.cjs'));
    // The sync host too, so that it runs on plain node, without tsx's loader in its memory.
    hostEntry = join(buildDir, 'bench-sync-host.mjs');
    const { build } = await import('esbuild');
    await build({
      entryPoints: [join(ROOT, 'scripts', 'bench-sync-host.ts')],
      outfile: hostEntry,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      logLevel: 'warning',
    });
  }
  const results: SizeResult[] = [];
  try {
    for (const rows of sizes)
      results.push(await benchSize(rows, runs, sqlite3, values.json!, { entry: hostEntry, workerUrl }));
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
  if (values['one-size']) process.send!({ results });
  else reportSizes(results, values.json!);
}

function reportSizes(results: SizeResult[], json: boolean): void {
  if (json) {
    console.log(JSON.stringify({ results }));
    return;
  }
  if (results.length > 1) {
    const small = results[0]!;
    const large = results.at(-1)!;
    const change = (a: number, b: number) => `${b >= a ? '+' : ''}${fmt(((b - a) / a) * 100)}%`;
    console.log(
      `\nPeak RSS: ${fmt(small.peakRssMb)} MB at ${small.rows.toLocaleString('en-US')} rows, ${fmt(large.peakRssMb)} MB at ${large.rows.toLocaleString('en-US')} rows (${change(small.peakRssMb, large.peakRssMb)}); ` +
        `the sync's share (peak minus the host process before the worker started): ${fmt(small.syncRssMb)} MB and ${fmt(large.syncRssMb)} MB (${change(small.syncRssMb, large.syncRssMb)}).`,
    );
  }
}

/** Runs this script for one size in a child process and takes its results. */
function benchSizeInChild(rows: number, args: string[], json: boolean): Promise<SizeResult> {
  const childArgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--rows') i++;
    else if (!args[i]!.startsWith('--rows=')) childArgs.push(args[i]!);
  }
  return new Promise((resolveChild, reject) => {
    const child = fork(new URL(import.meta.url).pathname, ['--rows', String(rows), '--one-size', ...childArgs], {
      stdio: ['ignore', json ? 'ignore' : 'inherit', 'inherit', 'ipc'],
    });
    let result: SizeResult | undefined;
    child.on('message', (message: { results: SizeResult[] }) => (result = message.results[0]));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 && result
        ? resolveChild(result)
        : reject(new Error(`The bench of ${rows} rows failed (exit ${code}).`)),
    );
  });
}

async function benchSize(
  rows: number,
  runs: number,
  sqlite3: string,
  quiet: boolean,
  host: { entry: string; workerUrl: URL | undefined },
): Promise<SizeResult> {
  const { workerUrl } = host;
  const log = quiet ? () => {} : (line: string) => console.log(line);
  const csv = await ensureEventsCsv(DATA_DIR, rows, log);
  const bytes = statSync(csv).size;
  log(`\n${rows.toLocaleString('en-US')} rows, ${fmt(bytes / 1e6)} MB: ${csv}`);
  log(`workers: ${workerUrl ? `built (${workerUrl.pathname})` : 'TypeScript sources through tsx'}`);

  const s3 = await startS3Child();
  const worker = await startSyncHost(host.entry, workerUrl);
  const hostRss = worker.readyRssMb * 2 ** 20;
  // Per process: another bench (a test run, say) may be using bench-data at the same time.
  const runDir = join(DATA_DIR, `run-${process.pid}`);
  try {
    await s3.put(csv, KEY);
    // A smaller file of the same kind, synced once before the timed runs (see below).
    await s3.put(await ensureEventsCsv(DATA_DIR, WARMUP_ROWS, log), WARMUP_KEY);
    const config = benchConfig(s3.endpoint);
    mkdirSync(runDir, { recursive: true });

    // The app keeps its worker between syncs, so its code is compiled and optimised after the first
    // one: start it and import a smaller file once, as a JIT benchmark warms up, before timing.
    const warmStart = performance.now();
    await worker.run({
      config: { ...config, objects: { tracks: { ...config.objects.tracks!, fileRegex: '^warmup/' } } },
      secretAccessKey: LOCAL_S3_SECRET,
      dbPath: freshDb(runDir, 'warmup'),
      trigger: 'bench',
    });
    const workerStartMs = performance.now() - warmStart;
    log(
      `worker started and warmed up (a ${WARMUP_ROWS.toLocaleString('en-US')}-row import) in ${fmt(workerStartMs)} ms`,
    );

    const sqliteMs: number[] = [];
    const syncMs: number[] = [];
    const checkpointMs: number[] = [];
    const sqliteCpuMs: number[] = [];
    const syncCpuMs: number[] = [];
    const peaks: number[] = [];
    const baselines: number[] = [];
    const loopP99: number[] = [];
    const loopMax: number[] = [];
    let lastDb = '';
    for (let round = 0; round < runs; round++) {
      // Alternate which goes first, so a slow phase of a shared machine does not favour either.
      const order = round % 2 === 0 ? ['sqlite3', 'sync'] : ['sync', 'sqlite3'];
      for (const what of order) {
        if (what === 'sqlite3') {
          const cpuBefore = childrenCpuMs();
          const ms = await timeSqliteImport(sqlite3, csv, freshDb(runDir, 'sqlite3'));
          const cpu = childrenCpuMs() - cpuBefore;
          sqliteMs.push(ms);
          sqliteCpuMs.push(cpu);
          log(
            `  sqlite3 .import   ${fmt(ms).padStart(8)} ms  ${fmt(rows / (ms / 1000)).padStart(10)} rows/s  CPU ${fmt(cpu)} ms`,
          );
        } else {
          lastDb = freshDb(runDir, 'sync');
          const measured = await timeSync(
            worker,
            { config, secretAccessKey: LOCAL_S3_SECRET, dbPath: lastDb, trigger: 'bench' },
            rows,
          );
          syncMs.push(measured.ms);
          checkpointMs.push(measured.checkpointMs);
          syncCpuMs.push(measured.cpuMs);
          peaks.push(measured.peakRssMb);
          baselines.push(measured.baselineRssMb);
          loopP99.push(measured.loopP99Ms);
          loopMax.push(measured.loopMaxMs);
          log(
            `  sync (worker)     ${fmt(measured.ms).padStart(8)} ms  ${fmt(rows / (measured.ms / 1000)).padStart(10)} rows/s  CPU ${fmt(measured.cpuMs)} ms  then checkpoint ${fmt(measured.checkpointMs)} ms` +
              `  peak RSS ${fmt(measured.peakRssMb)} MB (idle ${fmt(measured.baselineRssMb)} MB)  event loop p99 ${fmt(measured.loopP99Ms)} ms, max ${fmt(measured.loopMaxMs)} ms`,
          );
        }
      }
    }

    // A second sync of the last database: the file is unchanged, so nothing may be downloaded.
    const second: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const { report } = await worker.run({
        config,
        secretAccessKey: LOCAL_S3_SECRET,
        dbPath: lastDb,
        trigger: 'bench',
      });
      second.push(performance.now() - start);
      if (
        report.status !== 'succeeded' ||
        report.files.some((f) => f.status !== 'unchanged') ||
        report.counts.rows !== 0
      ) {
        throw new Error(`The second sync read the file again: ${JSON.stringify(report.files)}`);
      }
    }

    const result: SizeResult = {
      rows,
      bytes,
      sqliteMs,
      syncMs,
      checkpointMs,
      sqliteCpuMs,
      syncCpuMs,
      ratio: median(syncMs) / median(sqliteMs),
      peakRssMb: Math.max(...peaks),
      hostRssMb: hostRss / 2 ** 20,
      syncRssMb: Math.max(...peaks) - hostRss / 2 ** 20,
      baselineRssMb: median(baselines),
      eventLoopP99Ms: Math.max(...loopP99),
      eventLoopMaxMs: Math.max(...loopMax),
      secondSyncMs: median(second),
      secondSyncRatio: median(second) / median(syncMs),
      workerStartMs,
    };
    log(
      [
        `  sqlite3 .import (median of ${runs}):  ${fmt(median(sqliteMs))} ms, ${fmt(rows / (median(sqliteMs) / 1000))} rows/s`,
        `  full sync (median of ${runs}):        ${fmt(median(syncMs))} ms, ${fmt(rows / (median(syncMs) / 1000))} rows/s`,
        `  ratio sync / sqlite3 (medians):   ${result.ratio.toFixed(2)}x`,
        `  checkpoint after the report:      ${fmt(median(checkpointMs))} ms (median; the worker copies the WAL into the database file once the report is sent;` +
          ` sync + checkpoint / sqlite3: ${(median(syncMs.map((ms, i) => ms + checkpointMs[i]!)) / median(sqliteMs)).toFixed(2)}x)`,
        ...(sqliteCpuMs.some((ms) => ms > 0)
          ? [
              `  CPU time (medians):               sqlite3 ${fmt(median(sqliteCpuMs))} ms, sync ${fmt(median(syncCpuMs))} ms (${(median(syncCpuMs) / median(sqliteCpuMs)).toFixed(2)}x; the S3 server's is not counted)`,
            ]
          : []),
        `  peak RSS during the sync:         ${fmt(result.peakRssMb)} MB (the sync host process, workers included; ${fmt(result.hostRssMb)} MB before its sync worker started, so the sync's share is ${fmt(result.syncRssMb)} MB)`,
        `  main-thread event-loop delay:     p99 ${fmt(result.eventLoopP99Ms)} ms, max ${fmt(result.eventLoopMaxMs)} ms (worst run; beyond the ${EVENT_LOOP_RESOLUTION_MS} ms sampling interval)`,
        `  second sync, nothing changed:     ${fmt(result.secondSyncMs)} ms (${fmt(result.secondSyncRatio * 100)}% of the full sync; nothing downloaded)`,
      ].join('\n'),
    );
    return result;
  } finally {
    await worker.close();
    await s3.close();
    rmSync(runDir, { recursive: true, force: true });
  }
}

/** One full sync into a fresh database, measured by the sync host; checks that every row went in. */
async function timeSync(host: SyncHost, request: WorkerSyncRequest, rows: number): Promise<MeasuredSync> {
  const { report, measured } = await host.run(request, true);
  const file = report.files[0];
  if (
    report.status !== 'succeeded' ||
    !file ||
    file.status !== 'imported' ||
    file.rows !== rows ||
    file.created !== rows ||
    file.rejected !== 0
  ) {
    throw new Error(`The sync did not import every row: ${JSON.stringify(report)}`);
  }
  return measured!;
}

interface SyncHost {
  /** RSS of the host process once started, before its sync worker starts. */
  readyRssMb: number;
  run(request: WorkerSyncRequest, measure?: boolean): Promise<{ report: SyncReport; measured: MeasuredSync | null }>;
  close(): Promise<void>;
}

/** Forks bench-sync-host (plain node for the bundle, tsx for the sources): the process whose memory is the sync's. */
async function startSyncHost(entry: string, workerUrl: URL | undefined): Promise<SyncHost> {
  const child = fork(entry, [], {
    execArgv: ['--expose-gc', ...(entry.endsWith('.ts') ? ['--import', 'tsx'] : [])],
    env: { ...process.env, ...(workerUrl ? { BENCH_WORKER_URL: workerUrl.href } : {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<
    number,
    { resolve: (m: FromSyncHost & { type: 'result' }) => void; reject: (e: Error) => void }
  >();
  let nextId = 1;
  const readyRssMb = await new Promise<number>((resolveReady, reject) => {
    child.on('message', (message: FromSyncHost) => {
      if (message.type === 'ready') resolveReady(message.rssMb);
      else if (message.type === 'result') waiting.get(message.id)?.resolve(message);
      else waiting.get(message.id)?.reject(new Error(message.message));
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const error = new Error(`The sync host exited (code ${code}).`);
      reject(error);
      for (const w of waiting.values()) w.reject(error);
    });
  });
  const send = (message: ToSyncHost) => child.send(message);
  return {
    readyRssMb,
    run(request, measure = false) {
      const id = nextId++;
      return new Promise((resolveRun, reject) => {
        waiting.set(id, {
          resolve: (m) => {
            waiting.delete(id);
            resolveRun({ report: m.report, measured: m.measured });
          },
          reject,
        });
        send({ type: 'run', id, request, measure });
      });
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      send({ type: 'close' });
      await exited;
    },
  };
}

/** CPU time of this process's finished children (Linux /proc; 0 elsewhere). */
function childrenCpuMs(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // After "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return 0;
  }
}

function timeSqliteImport(sqlite3: string, csv: string, dbPath: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const start = performance.now();
    const child = spawn(sqlite3, [dbPath, `.import --csv '${csv.replaceAll("'", "''")}' events`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      if (code !== 0) reject(new Error(`sqlite3 .import failed (exit ${code}): ${stderr}`));
      else resolvePromise(ms);
    });
  });
}

async function checkSqliteShell(sqlite3: string): Promise<void> {
  const ok = await new Promise<boolean>((r) => {
    const child = spawn(sqlite3, ['-version'], { stdio: 'ignore' });
    child.on('error', () => r(false));
    child.on('close', (code) => r(code === 0));
  });
  if (!ok) {
    console.error(
      `The bench compares with the sqlite3 shell, which was not found ("${sqlite3}"). Install it (Debian: apt-get install sqlite3) or set SQLITE3.`,
    );
    process.exit(2);
  }
}

function benchConfig(endpoint: string): SyncConfig {
  return parseConfig({
    connection: {
      bucket: BUCKET,
      prefix: '',
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      endpoint,
      forcePathStyle: true,
    },
    objects: {
      tracks: EVENTS_TRACKS_MAPPING,
    },
    schedule: { everyHours: null },
  });
}

function freshDb(dir: string, name: string): string {
  const path = join(dir, `${name}.sqlite`);
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
  return path;
}

interface S3Child {
  endpoint: string;
  put(file: string, key: string): Promise<void>;
  /** Writes that many small objects straight into the server's store (a PUT each would take minutes). */
  populate(objects: number): Promise<void>;
  close(): Promise<void>;
}

/** The S3-compatible server in a child process: its work does not count against this process. */
async function startS3Child(): Promise<S3Child> {
  const child = fork(new URL(import.meta.url).pathname, [], {
    env: { ...process.env, BENCH_S3_CHILD: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const request = (message: object) =>
    new Promise<Record<string, string>>((resolvePromise, reject) => {
      const onMessage = (reply: Record<string, string>) => {
        child.off('exit', onExit);
        if (reply.error) reject(new Error(reply.error));
        else resolvePromise(reply);
      };
      const onExit = (code: number | null) => reject(new Error(`The S3 server process exited (${code}).`));
      child.once('message', onMessage);
      child.once('exit', onExit);
      if (Object.keys(message).length) child.send(message);
    });
  const { endpoint } = await request({});
  return {
    endpoint: endpoint!,
    put: async (file, key) => void (await request({ put: file, key })),
    populate: async (objects) => void (await request({ populate: objects })),
    close: async () => {
      await request({ close: true });
      await waitForExit(child);
    },
  };
}

function waitForExit(child: ChildProcess): Promise<void> {
  return new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
}

/** The child side: serve, upload the bench file when asked, close when asked. */
async function serveS3(): Promise<void> {
  const { startLocalS3Server } = await import('./local-s3-server');
  const server = await startLocalS3Server(BUCKET);
  process.send!({ endpoint: server.endpoint });
  process.on('message', async (message: { put?: string; key?: string; populate?: number; close?: boolean }) => {
    try {
      if (message.populate) {
        await server.putMany(
          Array.from({ length: message.populate }, (_, i) => previewKey(i)),
          'event_id,user_id,timestamp,event\n',
        );
        process.send!({ ok: 'populated' });
      } else if (message.put) {
        await server.put(message.key ?? KEY, readFileSync(message.put));
        process.send!({ ok: 'put' });
      } else if (message.close) {
        await server.close();
        process.send!({ ok: 'closed' }, undefined, undefined, () => process.exit(0));
      }
    } catch (error) {
      process.send!({ error: (error as Error).message });
    }
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

/** The keys of the preview bench: exports/pNNNNN/e-NNNNNNN.csv, a thousand to a folder. */
function previewKey(i: number): string {
  return `exports/p${String(Math.floor(i / 1000)).padStart(5, '0')}/e-${String(i).padStart(7, '0')}.csv`;
}

/**
 * The preview of a pattern over a prefix with many objects, through the path the Objects screen uses:
 * the app's API object (createAppApi), previewFiles with a previewId and its previewProgress events,
 * on this process's main thread as in the app's main process. Timed: the first event, the first with
 * 1000 matches, and the answer with the full count; and how much memory it took.
 */
async function benchPreview(objects: number, json: boolean): Promise<void> {
  const log = json ? () => {} : (line: string) => console.log(line);
  const s3 = await startS3Child();
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dataDir = mkdtempSync(join(tmpdir(), 's3sync-bench-preview-'));
  try {
    let start = performance.now();
    await s3.populate(objects);
    log(
      `${objects.toLocaleString('en-US')} objects written into the S3 server's store in ${fmt(performance.now() - start)} ms`,
    );
    const { createAppApi } = await import('../electron/core/service/app-api');
    const { InMemorySecretStore } = await import('../electron/core/config/secret-store');
    const { SyncService } = await import('../electron/core/service/sync-service');
    const secretStore = new InMemorySecretStore();
    const service = new SyncService({ dataDir, secretStore, env: {} });
    const api = createAppApi({ service, secretStore, env: {} });
    const saved = await api.saveConnection({
      connection: benchConfig(s3.endpoint).connection,
      secretAccessKey: LOCAL_S3_SECRET,
    });
    if (!saved.ok) throw new Error(`The bench connection was refused: ${saved.message}`);
    global.gc?.();
    const baselineRss = process.memoryUsage.rss();
    let peakRss = baselineRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), MEMORY_SAMPLE_MS);
    const loop = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
    loop.enable();
    const wanted = Math.min(1000, objects);
    let firstEventMs = 0;
    let firstMatchesMs = 0;
    let events = 0;
    start = performance.now();
    const off = api.on('previewProgress', (progress) => {
      if (progress.previewId !== 'bench') return;
      const elapsed = performance.now() - start;
      events++;
      if (events === 1) firstEventMs = elapsed;
      if (!firstMatchesMs && progress.selected.length >= wanted) firstMatchesMs = elapsed;
    });
    const answer = await api.previewFiles({ type: 'tracks', fileRegex: '^exports/', previewId: 'bench' });
    const totalMs = performance.now() - start;
    off();
    loop.disable();
    clearInterval(sampler);
    api.close();
    await service.stop();
    if (!answer.ok) throw new Error(`The preview failed: ${answer.message}`);
    const result = {
      objects,
      events,
      firstEventMs,
      firstMatchesMs,
      totalMs,
      selected: answer.selected.length,
      overCap: answer.overCap,
      listedCount: answer.listedCount,
      peakRssGrowthMb: (peakRss - baselineRss) / 2 ** 20,
      eventLoopMaxMs: Math.max(0, loop.max / 1e6 - EVENT_LOOP_RESOLUTION_MS),
    };
    if (json) {
      console.log(JSON.stringify({ preview: result }));
      return;
    }
    log(
      [
        `  first previewProgress event:      ${fmt(firstEventMs)} ms`,
        `  ${`first ${wanted} matches shown:`.padEnd(34)}${fmt(firstMatchesMs)} ms`,
        `  previewFiles answered (count):    ${fmt(totalMs)} ms (${events} progress events; ${result.selected} selected, ${result.overCap.toLocaleString('en-US')} over the cap, ${result.listedCount.toLocaleString('en-US')} listed)`,
        `  RSS growth during the listing:    ${fmt(result.peakRssGrowthMb)} MB`,
        `  main-thread event-loop delay max: ${fmt(result.eventLoopMaxMs)} ms`,
      ].join('\n'),
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await s3.close();
  }
}
