// `node --import tsx scripts/bench-postgres-holdings.ts [--rows 250000,1000000]`: what record_files (which
// file holds each record: the stale rule) adds to a users file written into PostgreSQL, side by side
// with the rest of the same file's write, in one run. Per size: a first import (every row created) and
// a re-import of a changed file (every row updated); prints the whole run, the file's finish (merge,
// user links, reference checks) and the holdings statements, with their ratio. Events never touch
// record_files (an event is stale by the file it last came from), so a 2M-event file pays nothing.
import { parseArgs } from 'node:util';
import { parseConfig } from '../electron/shared/config';
import { LOCAL_S3_ACCESS_KEY_ID, LOCAL_S3_SECRET, startLocalS3Server } from './local-s3-server';
import { startLocalPostgresServer, SYNC_PASSWORD } from './local-postgres-server';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.S3_CSV_SYNC_TIMINGS = '1';
const { openPostgresTarget } = await import('../electron/core/db/postgres/pg-target');
const { runSync } = await import('../electron/core/sync/run-sync');

const { values } = parseArgs({ options: { rows: { type: 'string' } } });
const sizes = (values.rows ?? '250000,1000000').split(',').map(Number);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The timing lines the write path prints, caught from this process's stderr. */
const timings: string[] = [];
const write = process.stderr.write.bind(process.stderr);
process.stderr.write = (chunk: string | Uint8Array, ...rest: never[]) => {
  const text = String(chunk);
  if (text.startsWith('timings: ')) return timings.push(text.trim()) > 0;
  return write(chunk, ...rest);
};

const usersCsv = (rows: number, round: number) =>
  `user_id,account_id,full_name,email,role\n${Array.from({ length: rows }, (_, i) => `u${i},a${i % 5000},User ${i},u${i}@x.io,r${round}`).join('\n')}\n`;

const pg = await startLocalPostgresServer();
const s3 = await startLocalS3Server('bench');
try {
  const config = parseConfig({
    connection: {
      bucket: 'bench',
      region: 'us-east-1',
      accessKeyId: LOCAL_S3_ACCESS_KEY_ID,
      endpoint: s3.endpoint,
      forcePathStyle: true,
    },
    objects: {
      users: {
        fileRegex: '^users/',
        mode: 'create_update',
        idColumn: 'user_id',
        accountIdColumn: 'account_id',
        nameColumn: 'full_name',
        emailColumn: 'email',
      },
    },
  });
  for (const rows of sizes) {
    const schema = `holdings_${rows}`;
    for (const [round, what] of [
      [1, 'first import (created)'],
      [2, 're-import (updated)'],
    ] as const) {
      await s3.putMany(['users/users.csv'], usersCsv(rows, round));
      const target = await openPostgresTarget(
        { kind: 'postgres', url: pg.url, schema },
        { env: { PGPASSWORD: SYNC_PASSWORD } },
      );
      timings.length = 0;
      const started = performance.now();
      try {
        const report = await runSync({ config, secretAccessKey: LOCAL_S3_SECRET, target, trigger: 'bench' });
        if (report.status !== 'succeeded') throw new Error(`the bench sync ${report.status}: ${report.error}`);
      } finally {
        await target.close();
      }
      const runMs = performance.now() - started;
      const line = timings.find((t) => t.includes('holdings')) ?? '';
      const [finish, holdings] = [/finish (\d+)/, /holdings (\d+)/].map((re) => Number(re.exec(line)?.[1] ?? NaN));
      console.log(
        `${fmt(rows)} users, ${what}: run ${fmt(runMs)} ms; finish ${fmt(finish!)} ms; record_files ${fmt(holdings!)} ms ` +
          `= ${((holdings! / runMs) * 100).toFixed(1)}% of the run (${(holdings! / finish!).toFixed(2)}x the finish)`,
      );
      console.log(`  ${timings.join('\n  ')}`);
    }
  }
} finally {
  await s3.close();
  await pg.stop();
}
