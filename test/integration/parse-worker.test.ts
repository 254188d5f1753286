// Big files are parsed on a second thread (csv-parse-worker.ts) while the importing thread writes.
// Whatever a file holds, that must land exactly as when the file is read on the importing thread:
// the same records, rejects (lines, reasons, raw text), counts, warnings and failures.
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncConfig } from '../../electron/core/config';
import { CsvParseWorker } from '../../electron/core/csv-parse-host';
import { PARSED_BATCH_ROWS } from '../../electron/core/csv-parse-protocol';
import { openDatabase } from '../../electron/core/store';
import { runSync } from '../../electron/core/sync-engine';
import { createWorkspace, LOCAL_S3_SECRET, makeConfig, type Workspace } from '../support/fixtures';

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace();
});
afterEach(async () => {
  await ws.close();
});

const IN_WORKER = 0;
const ON_THIS_THREAD = Number.POSITIVE_INFINITY;

/** Syncs the bucket into a fresh database, parsing every file on one side or the other. */
async function syncInto(name: string, config: SyncConfig, parseInWorkerMinBytes: number) {
  const dbPath = join(ws.dir, `${name}.sqlite`);
  const db = openDatabase(dbPath);
  try {
    const report = await runSync({ config, secretAccessKey: LOCAL_S3_SECRET, db, dbPath, trigger: 'test', parseInWorkerMinBytes });
    const tables: Record<string, unknown[]> = {};
    for (const [table, order] of [
      ['organizations', 'external_id'],
      ['accounts', 'external_id'],
      ['users', 'external_id'],
      ['user_accounts', 'user_id, account_id'],
      ['nps_responses', 'external_id'],
      ['events', 'message_id'],
    ] as const) {
      // Everything but the sync times, which differ between the two runs.
      tables[table] = db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all().map((row) => {
        const { first_synced_at: _first, last_synced_at: _last, ...rest } = row as Record<string, unknown>;
        return { ...rest, rowid: undefined };
      });
    }
    tables.sync_files = db.prepare(`SELECT object_type, key, status, rows, created, updated, skipped, rejected, error, warnings FROM sync_files ORDER BY key`).all();
    tables.sync_rejects = db.prepare(`SELECT key, line, reason, raw FROM sync_rejects ORDER BY key, line`).all();
    const files = report.files;
    return { report: { status: report.status, error: report.error, counts: report.counts, files }, tables };
  } finally {
    db.close();
  }
}

const manyRows = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i)).join('\n');

describe('parsing on a second thread', () => {
  it('lands every kind of file exactly as parsing on the importing thread does', async () => {
    await ws.put('orgs/o.csv', 'org_id,org_name,tier,note,"say ""hi"""\no1,Acme,1,null,x\no2,"Globex, Inc.",,"multi\nline",\no1,Acme 2,2,,y\n');
    await ws.put('accounts/a.csv', gzipSync('account_id,account_name,org_id,mrr,zip,tags\na1,Acme EU,o1,1200.50,00501,"[""x""]"\na2,Ghost,o404,-0,1e5,[]\n'));
    await ws.put('accounts/b.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('account_id;account_name;org_id\r\na3;Zürich ✓;o2\r\n', 'utf16le')]));
    await ws.put('accounts/broken.csv', gzipSync(`account_id,account_name\n${manyRows(5000, (i) => `b${i},Broken ${i}`)}\n`).subarray(0, 3000));
    await ws.put('users/u.csv', 'user_id,account_id,full_name,email,seats\nu1,a1,Ada,ada@x.io,3\nu1,a2,Ada,,\nu2,a404,Grace,grace@x.io,null\n');
    await ws.put('users/missing-column.csv', 'user_id,name\nu9,Nobody\n');
    await ws.put('nps/n.csv', 'response_id,user_id,score,comment,submitted_at\nr1,u1,9,Great,2024-01-01 10:00\nr2,u2,11,x,2024-01-01\nr3,u404,0,,2024-01-02T00:00:00+02:00\n');
    // Events: rejects of every kind, a NUL and a lone SOH in values (batches then travel as arrays),
    // IDs repeated across batches, more rejects than are stored, a malformed quote at the end.
    const events = [
      'message_id,user_id,ts,event,note,n',
      ...Array.from({ length: PARSED_BATCH_ROWS + 50 }, (_, i) => `m${i},u${i % 3},2024-01-01T00:00:00.000Z,view,"a, ""b""",${i}`),
      ...Array.from({ length: 60 }, (_, i) => `m${i},u1,1704067200,again,,null`),
      'm-nul,u1,2024-01-01,view,has\u0000nul,1',
      'm-soh,u1,2024-01-01,view,\u0001,2',
      ',u1,2024-01-01,view,x,1',
      'm-no-target,,2024-01-01,view,x,1',
      'm-bad-ts,u1,31/12/2024,view,x,1',
      'm-short,u1,2024-01-01,view',
      ...Array.from({ length: 1100 }, (_, i) => `m-reject-${i},u1,not a time,view,x,1`),
      // A malformed quote: the reader takes the rest of the file into this one rejected row.
      'm-quote,u1,2024-01-01,view,"bad"quote,1',
      'm-after,u1,2024-01-01,view,x,1',
    ];
    await ws.put('events/e.csv', `${events.join('\r\n')}\r\n`);
    await ws.put('events/empty.csv', new Uint8Array());
    await ws.put('events/header-only.csv', 'message_id,user_id,ts,event\n');

    const config = makeConfig(ws.server);
    const here = await syncInto('here', config, ON_THIS_THREAD);
    const there = await syncInto('there', config, IN_WORKER);
    expect(there).toEqual(here);
    // And what they agree on is right.
    expect(here.report.status).toBe('partial');
    const eventsFile = here.report.files.find((f) => f.key.endsWith('events/e.csv'))!;
    expect(eventsFile).toMatchObject({ status: 'imported', rows: PARSED_BATCH_ROWS + 50 + 60 + 2 + 4 + 1100 + 1, rejected: 4 + 1100 + 1 });
    expect(here.tables.sync_rejects!.filter((r) => (r as { key: string }).key.endsWith('events/e.csv'))).toHaveLength(1000);
    // The reader removes NUL characters (and warns): SQLite tools cut text at a NUL.
    expect(here.tables.events!.find((e) => (e as { message_id: string }).message_id === 'm-nul')).toMatchObject({ properties: '{"note":"hasnul","n":1}' });
    expect(here.tables.events!.find((e) => (e as { message_id: string }).message_id === 'm-soh')).toMatchObject({ properties: '{"note":"\\u0001","n":2}' });
    expect(here.report.files.map((f) => [f.key.replace('vitally/', ''), f.status])).toEqual([
      ['orgs/o.csv', 'imported'],
      ['accounts/a.csv', 'imported'],
      ['accounts/b.csv', 'imported'],
      ['accounts/broken.csv', 'failed'],
      ['users/missing-column.csv', 'failed'],
      ['users/u.csv', 'imported'],
      ['nps/n.csv', 'imported'],
      ['events/e.csv', 'imported'],
      ['events/empty.csv', 'imported'],
      ['events/header-only.csv', 'imported'],
    ]);
  }, 60_000);

  it('rolls the file back when the sync is stopped while the worker reads it', async () => {
    await ws.put('events/big.csv', `message_id,user_id,ts,event\n${manyRows(100_000, (i) => `m${i},u1,2024-01-01,e`)}\n`);
    const stop = new AbortController();
    const report = await ws.sync(makeConfig(ws.server), {
      parseInWorkerMinBytes: IN_WORKER,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.rows > 0) stop.abort();
      },
    });
    expect(report.status).toBe('interrupted');
    expect(report.files[0]).toMatchObject({ status: 'failed', error: 'The sync was stopped while this file was being read; nothing of it was stored.' });
    expect(ws.query('SELECT count(*) AS n FROM events')).toEqual([{ n: 0 }]);
    // The next run reads the file whole.
    const again = await ws.sync(makeConfig(ws.server), { parseInWorkerMinBytes: IN_WORKER });
    expect(again.files[0]).toMatchObject({ status: 'imported', rows: 100_000, created: 100_000 });
  });

  it('fails to start cleanly when its entry file is missing (files are then read on the importing thread)', async () => {
    await expect(CsvParseWorker.start(new URL('./no-such-parse-worker.js', import.meta.url))).rejects.toThrow();
  });
});
