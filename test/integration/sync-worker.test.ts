// Syncs on a worker thread: the same report as runSync, progress at most ten times a second, a
// stop that rolls the current file back, and errors that say what went wrong.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncProgress } from '../../electron/shared/domain';
import { runSyncInWorker, SyncWorker } from '../../electron/core/worker/sync-worker-client';
import { createWorkspace, LOCAL_S3_SECRET, makeConfig, type Workspace } from '../support/fixtures';

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace();
});
afterEach(async () => {
  await ws.close();
});

const bigEvents = (rows: number) =>
  `message_id,user_id,ts,event,page\n${Array.from({ length: rows }, (_, i) => `m${i},u${i % 50},2024-01-01T00:00:00.000Z,view,/p/${i}`).join('\n')}\n`;

describe('runSyncInWorker', () => {
  it('syncs on a worker thread and returns the same report as runSync, with the data in the database', async () => {
    await ws.put('orgs/o.csv', 'org_id,org_name,tier\no1,Acme,1\no2,Globex,2\n');
    await ws.put('events/e.csv', 'message_id,user_id,ts,event\nm1,u1,2024-01-01,login\n,u1,2024-01-01,login\n');
    const report = await runSyncInWorker({
      config: makeConfig(ws.server),
      secretAccessKey: LOCAL_S3_SECRET,
      dbPath: ws.dbPath,
      trigger: 'test',
    });
    expect(report).toMatchObject({
      status: 'succeeded',
      trigger: 'test',
      counts: { files: 2, rows: 4, created: 3, updated: 0, rejected: 1 },
      files: [
        { type: 'organizations', key: 'vitally/orgs/o.csv', status: 'imported', rows: 2, created: 2 },
        {
          type: 'tracks',
          key: 'vitally/events/e.csv',
          status: 'imported',
          rows: 2,
          created: 1,
          rejected: 1,
          warnings: ['1 event refers to a user that does not exist (for example "u1"); stored as given.'],
        },
      ],
    });
    // This connection (the test's, like the app's main thread) sees what the worker committed.
    expect(ws.query('SELECT external_id, traits FROM organizations ORDER BY 1')).toEqual([
      { external_id: 'o1', traits: '{"tier":1}' },
      { external_id: 'o2', traits: '{"tier":2}' },
    ]);
    expect(ws.query('SELECT id, status FROM sync_runs')).toEqual([{ id: report.runId, status: 'succeeded' }]);
    expect(ws.query('SELECT line, reason FROM sync_rejects')).toEqual([{ line: 3, reason: 'missing message ID' }]);
  });

  it('forwards progress at most ten times a second, ending with the whole file', async () => {
    await ws.put('events/big.csv', bigEvents(150_000));
    const seen: { at: number; progress: SyncProgress }[] = [];
    const started = Date.now();
    const report = await runSyncInWorker({
      config: makeConfig(ws.server),
      secretAccessKey: LOCAL_S3_SECRET,
      dbPath: ws.dbPath,
      trigger: 'test',
      onProgress: (progress) => seen.push({ at: Date.now(), progress }),
    });
    const elapsed = Date.now() - started;
    expect(report.status).toBe('succeeded');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]!.progress).toMatchObject({ phase: 'listing', runId: report.runId });
    // At most one update per 100 ms (one more for the first, sent at once).
    expect(seen.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
    const importing = seen.filter((s) => s.progress.phase === 'importing');
    expect(importing.at(-1)!.progress).toMatchObject({ key: 'vitally/events/big.csv', fileIndex: 1, fileCount: 1 });
    const rows = importing.map((s) => s.progress.rows);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
  });

  it('stops on abort: the file being imported is rolled back and the run is marked interrupted', async () => {
    await ws.put('events/big.csv', bigEvents(200_000));
    const stop = new AbortController();
    const report = await runSyncInWorker({
      config: makeConfig(ws.server),
      secretAccessKey: LOCAL_S3_SECRET,
      dbPath: ws.dbPath,
      trigger: 'test',
      signal: stop.signal,
      onProgress: (p) => {
        if (p.rows > 0) stop.abort();
      },
    });
    expect(report.status).toBe('interrupted');
    expect(report.files[0]).toMatchObject({
      status: 'failed',
      error: 'The sync was stopped while this file was being read; nothing of it was stored.',
    });
    expect(ws.query('SELECT count(*) AS n FROM events')).toEqual([{ n: 0 }]);
    expect(ws.query('SELECT status FROM sync_runs')).toEqual([{ status: 'interrupted' }]);
  });

  it('rejects with the database error when the database cannot be opened', async () => {
    const run = runSyncInWorker({
      config: makeConfig(ws.server),
      secretAccessKey: LOCAL_S3_SECRET,
      dbPath: join(ws.dir, 'no-such-folder', 'db.sqlite'),
      trigger: 'test',
    });
    await expect(run).rejects.toMatchObject({
      name: 'DatabaseError',
      message: expect.stringContaining('directory does not exist'),
    });
  });
});

describe('SyncWorker', () => {
  it('runs one sync after another on the same thread', async () => {
    const worker = new SyncWorker();
    try {
      await ws.put('orgs/o.csv', 'org_id,org_name\no1,Acme\n');
      const request = {
        config: makeConfig(ws.server),
        secretAccessKey: LOCAL_S3_SECRET,
        dbPath: ws.dbPath,
        trigger: 'test',
      };
      const first = await worker.run(request);
      const second = await worker.run(request);
      expect([first.status, second.status]).toEqual(['succeeded', 'succeeded']);
      expect(second.files.map((f) => f.status)).toEqual(['unchanged']);
      expect(second.runId).toBe(first.runId + 1);
    } finally {
      await worker.close();
    }
  });

  it('copies the WAL into the database file after the report and empties it, and close waits for that', async () => {
    await ws.put('events/big.csv', bigEvents(50_000));
    const worker = new SyncWorker();
    const settled: number[] = [];
    const report = await worker.run(
      { config: makeConfig(ws.server), secretAccessKey: LOCAL_S3_SECRET, dbPath: ws.dbPath, trigger: 'test' },
      { onSettled: ({ checkpointMs }) => settled.push(checkpointMs) },
    );
    expect(report.counts.created).toBe(50_000);
    await worker.close();
    expect(settled).toHaveLength(1);
    // Every page is in the database file itself (a page only in the WAL lies beyond the file's end).
    const pages = ws.db.pragma('page_count', { simple: true }) as number;
    const pageSize = ws.db.pragma('page_size', { simple: true }) as number;
    expect(statSync(ws.dbPath).size).toBe(pages * pageSize);
    // And the WAL file is emptied, not left at the size of the import.
    expect(statSync(`${ws.dbPath}-wal`).size).toBe(0);
  });

  it('never waits for a reader inside a transaction: the checkpoint settles at once, the reader keeps its snapshot, and the next one empties the WAL', async () => {
    await ws.put('events/big.csv', bigEvents(20_000));
    const reader = new Database(ws.dbPath, { readonly: true });
    const worker = new SyncWorker();
    try {
      reader.exec('BEGIN');
      expect(reader.prepare('SELECT count(*) FROM events').pluck().get()).toBe(0); // the snapshot is taken here
      let settledMs = -1;
      const report = await worker.run(
        { config: makeConfig(ws.server), secretAccessKey: LOCAL_S3_SECRET, dbPath: ws.dbPath, trigger: 'test' },
        { onSettled: ({ checkpointMs }) => (settledMs = checkpointMs) },
      );
      expect(report.counts.created).toBe(20_000);
      await worker.close();
      expect(settledMs).toBeGreaterThanOrEqual(0);
      expect(settledMs).toBeLessThan(5000); // not the 10 s busy wait
      expect(reader.prepare('SELECT count(*) FROM events').pluck().get()).toBe(0);
      expect(ws.db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(20_000); // a new reader sees the import
      expect(statSync(`${ws.dbPath}-wal`).size).toBeGreaterThan(0); // what the reader holds stays in the WAL
      reader.exec('COMMIT');

      // The next sync's checkpoint, with no reader left, copies the rest and empties the WAL.
      const next = new SyncWorker();
      await next.run({
        config: makeConfig(ws.server),
        secretAccessKey: LOCAL_S3_SECRET,
        dbPath: ws.dbPath,
        trigger: 'test',
      });
      await next.close();
      expect(statSync(`${ws.dbPath}-wal`).size).toBe(0);
      const pages = ws.db.pragma('page_count', { simple: true }) as number;
      expect(statSync(ws.dbPath).size).toBe(pages * (ws.db.pragma('page_size', { simple: true }) as number));
    } finally {
      if (reader.inTransaction) reader.exec('COMMIT');
      reader.close();
      await worker.close();
    }
  });
});
