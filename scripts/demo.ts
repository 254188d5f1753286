// `npm run demo`: an embedded S3-compatible server on loopback with sample CSVs for all five object
// types, synced into a local SQLite file. No AWS account needed.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { formatSyncReport } from '../electron/cli/format';
import { openDatabase } from '../electron/core/db/sqlite-database';
import { runSync } from '../electron/core/sync/run-sync';
import { LOCAL_S3_SECRET, startLocalS3Server } from './local-s3-server';
import { SAMPLE_PREFIX, sampleConfig } from './sample-config';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({ options: { dir: { type: 'string', default: 'demo-data' } } });
const dataDir = resolve(values.dir!);
const samples = resolve(import.meta.dirname, '../resources/demo');
const prefix = SAMPLE_PREFIX;

// Where each sample lands in the bucket; one is gzipped under a plain .csv name, as some exporters do.
const uploads: [key: string, file: string, gzip?: boolean][] = [
  ['orgs/organizations.csv', 'organizations.csv'],
  ['accounts/emea.csv', 'accounts-emea.csv', true],
  ['accounts/americas.csv', 'accounts-americas.csv'],
  ['users/users.csv', 'users.csv'],
  ['nps/responses.csv', 'nps.csv'],
  ['events/2024-05.csv', 'events.csv'],
  ['README.txt', 'organizations.csv'], // not a CSV any pattern selects: shows that selection is by pattern
];

const server = await startLocalS3Server('acme-exports');
try {
  for (const [key, file, gzip] of uploads) {
    const content = readFileSync(join(samples, file));
    await server.put(prefix + key, gzip ? gzipSync(content) : content);
  }
  const config = sampleConfig(server);

  mkdirSync(dataDir, { recursive: true });
  const dbPath = join(dataDir, 'demo.sqlite');
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  writeFileSync(join(dataDir, 'demo-config.json'), `${JSON.stringify(config, null, 2)}\n`);

  console.log(
    `Demo S3 server on ${server.endpoint}, bucket "${server.bucket}", ${uploads.length} files under "${prefix}".\n`,
  );
  const db = openDatabase(dbPath);
  const report = await runSync({ config, secretAccessKey: LOCAL_S3_SECRET, db, dbPath, trigger: 'demo' });
  process.stdout.write(formatSyncReport(report, dbPath));

  console.log('\nWhat landed:');
  for (const table of [
    'organizations',
    'accounts',
    'users',
    'user_accounts',
    'nps_responses',
    'events',
    'sync_rejects',
  ]) {
    const { n } = db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
    console.log(`  ${table.padEnd(14)} ${n}`);
  }
  console.log('\nA few accounts with their typed traits:');
  for (const row of db
    .prepare(`SELECT external_id, name, organization_id, traits FROM accounts ORDER BY external_id LIMIT 3`)
    .all()) {
    console.log(`  ${JSON.stringify(row)}`);
  }
  console.log('\nRejected rows (file, line, reason):');
  for (const row of db
    .prepare(`SELECT key, line, reason FROM sync_rejects WHERE run_id = ? ORDER BY key, line`)
    .all(report.runId) as { key: string; line: number; reason: string }[]) {
    console.log(`  ${row.key}:${row.line}  ${row.reason}`);
  }
  db.close();
  console.log(
    `\nThe database is ${dbPath}: open it with any SQLite tool, e.g.\n  sqlite3 "${dbPath}" "SELECT event, occurred_at, properties FROM events"`,
  );
  console.log(`The configuration used is ${join(dataDir, 'demo-config.json')}.`);
  process.exitCode = report.status === 'succeeded' ? 0 : 1;
} finally {
  await server.close();
}
