// `npm run bench:postgres [-- --rows 250000,2000000] [--runs K]`: an events file from the S3 server
// into PostgreSQL through the CLI (`sync --target`), side by side with `psql -c "\copy …"` of the same
// file into an unindexed text table, in turns, in one run. Prints medians, their ratio, the sync
// process's peak RSS per size, and where the sync's time goes (S3_CSV_SYNC_TIMINGS).
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../electron/shared/config';
import { ensureEventsCsv, EVENTS_TRACKS_MAPPING } from './bench-events-csv';
import { LOCAL_S3_ACCESS_KEY_ID, LOCAL_S3_SECRET, startLocalS3Server } from './local-s3-server';
import { startLocalPostgresServer, SYNC_PASSWORD } from './local-postgres-server';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { rows: { type: 'string' }, runs: { type: 'string' } } });
const sizes = (values.rows ?? '250000,2000000').split(',').map(Number);
const runs = Number(values.runs ?? 1);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

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
    const copyMs: number[] = [];
    const syncMs: number[] = [];
    /** From the run's start to its end as its report says: without the CLI's start-up and connecting. */
    const runMs: number[] = [];
    let peak = 0;
    for (let turn = 0; turn < runs; turn++) {
      await pg.psqlRaw(`TRUNCATE copy_target; CHECKPOINT`);
      let started = performance.now();
      await pg.psqlRaw(`\\copy copy_target FROM '${csv}' WITH (FORMAT csv, HEADER true)`);
      copyMs.push(performance.now() - started);
      console.log(
        `  psql \\copy        ${fmt(copyMs.at(-1)!).padStart(8)} ms  ${fmt(rows / (copyMs.at(-1)! / 1000)).padStart(9)} rows/s`,
      );

      const schema = `bench_${rows}_${turn}`;
      await pg.psqlRaw(`CHECKPOINT`);
      started = performance.now();
      const result = await runSync(configPath, pg.url, schema);
      syncMs.push(performance.now() - started);
      peak = Math.max(peak, result.peakRssMb);
      const report = JSON.parse(result.stdout);
      if (report.status !== 'succeeded' || report.counts.created !== rows)
        throw new Error(result.stdout + result.stderr);
      runMs.push(Date.parse(report.finishedAt) - Date.parse(report.startedAt));
      console.log(
        `  sync --target     ${fmt(syncMs.at(-1)!).padStart(8)} ms (the run itself ${fmt(runMs.at(-1)!)} ms)  ${fmt(rows / (syncMs.at(-1)! / 1000)).padStart(9)} rows/s  peak RSS ${result.peakRssMb.toFixed(0)} MB  (${result.timings.trim()})`,
      );
      await pg.psqlRaw(`DROP SCHEMA ${schema} CASCADE`);
    }
    peaks[rows] = peak;
    console.log(
      `  medians: \\copy ${fmt(median(copyMs))} ms, sync ${fmt(median(syncMs))} ms; ratio sync / \\copy ${(median(syncMs) / median(copyMs)).toFixed(2)}x (the run itself: ${(median(runMs) / median(copyMs)).toFixed(2)}x)`,
    );
  }
  if (sizes.length > 1) {
    const [a, b] = [sizes[0]!, sizes.at(-1)!];
    console.log(
      `\npeak RSS of the sync: ${sizes.map((n) => `${fmt(n)} rows ${peaks[n]!.toFixed(0)} MB`).join(', ')} (${(peaks[b]! / peaks[a]!).toFixed(2)}x)`,
    );
  }
} finally {
  await s3.close();
  await pg.stop();
}

/** The CLI's sync in a child process; its peak RSS from /proc (VmHWM, sampled until it exits). */
function runSync(configPath: string, url: string, schema: string) {
  return new Promise<{ stdout: string; stderr: string; timings: string; peakRssMb: number }>(
    (resolvePromise, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(ROOT, 'electron/cli/main.ts'),
          'sync',
          '--config',
          configPath,
          '--target',
          url,
          '--schema',
          schema,
          '--json',
        ],
        {
          env: {
            ...process.env,
            PGPASSWORD: SYNC_PASSWORD,
            AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET,
            S3_CSV_SYNC_TIMINGS: '1',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      let peakKb = 0;
      let cpuTicks = 0;
      const sample = setInterval(() => {
        try {
          const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
          // utime + stime (fields 14 and 15 of /proc/PID/stat), in clock ticks of 10 ms.
          const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
          cpuTicks = Number(fields[11]) + Number(fields[12]);
        } catch {
          // exited
        }
      }, 50);
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', () => {
        clearInterval(sample);
        const timings = stderr
          .split('\n')
          .filter((l) => l.startsWith('timings:'))
          .join(' ');
        resolvePromise({
          stdout,
          stderr,
          timings: `${timings.replace(/timings: /g, '')}; CLI process CPU ${fmt(cpuTicks * 10)} ms`,
          peakRssMb: peakKb / 1024,
        });
      });
    },
  );
}
