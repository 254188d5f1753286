// An endpoint that lists the bucket and then drops every download: the run must not try file after
// file for hours. A loopback server plays the part (s3rver cannot be told to drop connections).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig } from '../../electron/shared/config';
import { openDatabase } from '../../electron/core/db/sqlite-database';
import { runSync } from '../../electron/core/sync/run-sync';

const FILES = 10;
let server: Server;
let endpoint: string;
let downloads = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.includes('list-type=2')) {
      const contents = Array.from(
        { length: FILES },
        (_, i) =>
          `<Contents><Key>orgs/${i}.csv</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"e${i}"</ETag><Size>20</Size></Contents>`,
      ).join('');
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>acme</Name><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
      );
      return;
    }
    downloads++;
    req.socket.destroy(); // the connection drops before any answer
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

it('stops after three files in a row cannot be downloaded, and says how many were not attempted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 's3sync-lost-'));
  const db = openDatabase(join(dir, 'db.sqlite'));
  try {
    const config = parseConfig({
      connection: { bucket: 'acme', region: 'us-east-1', accessKeyId: 'AKIATEST', endpoint, forcePathStyle: true },
      objects: { organizations: { fileRegex: '^orgs/', mode: 'create_update', idColumn: 'id', nameColumn: 'name' } },
    });
    const report = await runSync({ config, secretAccessKey: 'x', db, dbPath: join(dir, 'db.sqlite'), trigger: 'test' });
    expect(report.status).toBe('failed');
    expect(report.files.map((f) => f.status)).toEqual(['failed', 'failed', 'failed']);
    expect(report.files[0]!.error).toBe(
      `Could not reach ${endpoint}: the connection was lost while reading orgs/0.csv. Check the custom endpoint and your network connection. Nothing of this file was stored; it will be read again next sync.`,
    );
    expect(report.error).toMatch(
      /^3 files in a row could not be downloaded: .* The sync stopped there; 7 more files were not attempted\.$/,
    );
    expect(downloads).toBe(3 * 4); // each file: four attempts with backoff, then no more files
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
