// The analyst's workbench through the app's API object, on a real SQLite file: read-only queries on
// worker threads (paged, counted, timed, refused when they write, cancelled, time-limited), saved
// queries that travel with the configuration, and a sync's writes meanwhile (WAL: neither waits).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryResult } from '../../electron/shared/contract';
import { createAppApi, type AppApi } from '../../electron/core/service/app-api';
import { openDatabase } from '../../electron/core/db/sqlite-database';
import { DATABASE_FILE_NAME, SyncService } from '../../electron/core/service/sync-service';
import { fillWorkbenchDatabase } from '../../scripts/workbench-data';
import { makeConfig } from '../support/fixtures';
import { InMemorySecretStore } from '../support/in-memory-secret-store';

const EVENTS = 20_000;
/** Reads a table (so it holds a read snapshot), gives its first rows at once, takes seconds to count. */
const SLOW_QUERY = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000)
  SELECT x FROM c WHERE x > (SELECT count(*) FROM organizations) - 100`;

let dataDir: string;
let service: SyncService;
let api: AppApi;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 's3sync-workbench-'));
  fillWorkbenchDatabase(join(dataDir, DATABASE_FILE_NAME), { events: EVENTS });
  const secretStore = new InMemorySecretStore();
  service = new SyncService({ dataDir, secretStore, env: {} });
  api = createAppApi({ service, secretStore, env: {} });
}, 60_000);
afterAll(async () => {
  api.close();
  await service.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function expectOk(result: QueryResult): Extract<QueryResult, { ok: true }> {
  if (!result.ok) throw new Error(`The query failed: ${result.message}`);
  return result;
}

describe('running a query', () => {
  it('answers the first page, the row count and the time taken; later pages follow in order', async () => {
    const sql = 'SELECT message_id, event FROM events ORDER BY message_id;';
    const first = expectOk(await api.runQuery({ sql, queryId: 'q1', limit: 100 }));
    expect(first).toMatchObject({ columns: ['message_id', 'event'], total: EVENTS, offset: 0 });
    expect(first.rows).toHaveLength(100);
    expect(first.rows[0]).toEqual(['evt_00000001', 'page_view']);
    expect(first.elapsedMs).toBeGreaterThanOrEqual(0);
    const later = expectOk(await api.queryPage({ sql, queryId: 'q1', offset: 19_950, limit: 100, total: EVENTS }));
    expect(later.rows).toHaveLength(50);
    expect(later.rows.at(-1)).toEqual([`evt_000${EVENTS}`, 'login']);
    expect(later.total).toBe(EVENTS);
  });

  it('refuses statements that write, in plain words, and the data stays as it was', async () => {
    for (const sql of [
      'DELETE FROM accounts',
      "UPDATE accounts SET name = 'x'",
      "INSERT INTO organizations (external_id) VALUES ('x')",
      'DROP TABLE events',
      'PRAGMA user_version = 99',
      'CREATE TABLE mine (a)',
    ]) {
      const result = await api.runQuery({ sql, queryId: 'w', limit: 10 });
      expect(result, sql).toMatchObject({ ok: false });
      expect(!result.ok && result.message, sql).toMatch(
        /changes the database, and queries here only read it|readonly|read-only/i,
      );
    }
    const result = await api.runQuery({ sql: "ATTACH 'other.sqlite' AS other", queryId: 'w', limit: 10 });
    expect(result.ok).toBe(false);
    expect(
      expectOk(await api.runQuery({ sql: 'SELECT count(*) FROM accounts', queryId: 'w', limit: 10 })).rows,
    ).toEqual([[500]]);
  });

  it('says where the statement is wrong: line and column', async () => {
    const typo = await api.runQuery({ sql: 'SELECT name,\n       mrrr\nFROM accounts', queryId: 'e', limit: 10 });
    expect(typo).toMatchObject({ ok: false, message: 'No such column: mrrr.', position: { line: 2, column: 8 } });
    const syntax = await api.runQuery({ sql: 'SELECT * FORM accounts', queryId: 'e', limit: 10 });
    expect(syntax).toMatchObject({
      ok: false,
      message: 'Syntax error near "FORM".',
      position: { line: 1, column: 10 },
    });
    const table = await api.runQuery({ sql: 'SELECT * FROM acounts', queryId: 'e', limit: 10 });
    expect(table).toMatchObject({ ok: false, position: { line: 1, column: 15 } });
    expect(!table.ok && table.message).toMatch(/^No such table: acounts\./);
    const two = await api.runQuery({ sql: 'SELECT 1; SELECT 2', queryId: 'e', limit: 10 });
    expect(two).toMatchObject({ ok: false, message: expect.stringMatching(/more than one statement/) });
  });

  it('cancels a slow query at once, and the next query runs', async () => {
    const slow = api.runQuery({ sql: SLOW_QUERY, queryId: 'slow', limit: 10 });
    // Cancel once the worker has it: cancelQuery answers true only for a query in flight.
    await expect
      .poll(async () => (await api.cancelQuery({ queryId: 'slow' })).cancelled, { timeout: 10_000 })
      .toBe(true);
    expect(await slow).toMatchObject({ ok: false, cancelled: true, message: 'The query was cancelled.' });
    expect(expectOk(await api.runQuery({ sql: 'SELECT 42', queryId: 'next', limit: 10 })).rows).toEqual([[42]]);
  });

  it('stops a query past its time limit and says how to get an answer', async () => {
    const result = await api.runQuery({ sql: SLOW_QUERY, queryId: 't', limit: 10, timeLimitMs: 300 });
    expect(result).toMatchObject({ ok: false, timedOut: true });
    expect(!result.ok && result.message).toMatch(/longer than its time limit \(0\.3 s\).*narrow it/);
  });

  it('runs every starter query on synced data; NPS by month is % promoters minus % detractors', async () => {
    const tools = await api.getQueryTools();
    expect(tools.starters.map((s) => s.name)).toEqual([
      'Accounts by MRR',
      'Users without an account',
      'Events per day by event name',
      'NPS by month',
      'Rejected rows of the last run',
    ]);
    expect(tools.schema.find((t) => t.name === 'accounts')?.columns.map((c) => c.name)).toContain('traits');
    const results = new Map<string, Extract<QueryResult, { ok: true }>>();
    for (const starter of tools.starters)
      results.set(starter.name, expectOk(await api.runQuery({ sql: starter.sql, queryId: starter.name, limit: 1000 })));
    const mrrs = results.get('Accounts by MRR')!.rows.map((r) => r[3] as number);
    expect(mrrs).toEqual([...mrrs].sort((a, b) => b - a));
    expect(results.get('Users without an account')!.total).toBe(100);
    expect(results.get('Rejected rows of the last run')!.rows.map((r) => r[1])).toEqual([7, 12]);

    // NPS computed here from the raw scores, the way Vitally defines it.
    const db = openDatabase(service.dbPath);
    const scores = db.prepare(`SELECT strftime('%Y-%m', responded_at) AS month, score FROM nps_responses`).all() as {
      month: string;
      score: number;
    }[];
    db.close();
    const byMonth = new Map<string, number[]>();
    for (const { month, score } of scores) byMonth.set(month, [...(byMonth.get(month) ?? []), score]);
    const expected = [...byMonth.keys()].sort().map((month) => {
      const s = byMonth.get(month)!;
      const pct = (n: number) => (100 * n) / s.length;
      return [
        month,
        s.length,
        Math.round((pct(s.filter((x) => x >= 9).length) - pct(s.filter((x) => x <= 6).length)) * 10) / 10,
      ];
    });
    expect(results.get('NPS by month')!.rows).toEqual(expected);
  });
});

describe('saved queries', () => {
  it('are kept in the settings by name and travel with the exported configuration', async () => {
    expect(await api.saveQuery({ name: 'Big', sql: 'SELECT 1' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/save a connection first/),
    });
    const config = makeConfig({ endpoint: 'http://127.0.0.1:9', bucket: 'acme-exports' });
    expect(service.settings.setConfig(config)).toBeTruthy();
    expect(await api.saveQuery({ name: 'Big accounts', sql: 'SELECT * FROM accounts' })).toMatchObject({ ok: true });
    expect(await api.saveQuery({ name: 'Big accounts', sql: 'SELECT name FROM accounts' })).toMatchObject({ ok: true });
    expect(
      await api.saveQuery({ name: 'Admins', sql: "SELECT * FROM users WHERE traits ->> 'role' = 'admin'" }),
    ).toMatchObject({ ok: true });
    expect((await api.getQueryTools()).saved).toEqual([
      { name: 'Admins', sql: "SELECT * FROM users WHERE traits ->> 'role' = 'admin'" },
      { name: 'Big accounts', sql: 'SELECT name FROM accounts' },
    ]);
    const { json } = await api.exportConfig();
    expect(JSON.parse(json).savedQueries).toHaveLength(2);
    expect(await api.deleteQuery({ name: 'Admins' })).toMatchObject({ ok: true });
    expect((await api.getQueryTools()).saved.map((q) => q.name)).toEqual(['Big accounts']);
    expect(await api.importConfig({ json })).toMatchObject({ ok: true });
    expect((await api.getQueryTools()).saved.map((q) => q.name)).toEqual(['Admins', 'Big accounts']);
    const refused = await api.saveQuery({ name: '   ', sql: 'SELECT 1' });
    expect(refused).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/savedQueries\.\d+\.name: needs a name/)],
    });
  });
});

describe('a sync writing meanwhile (WAL)', () => {
  it('does not block a query, and a running query does not block the sync', async () => {
    const writer = openDatabase(service.dbPath, { busyTimeoutMs: 0 });
    try {
      // A sync mid-file: a write transaction open, not committed.
      writer.exec('BEGIN IMMEDIATE');
      writer
        .prepare(
          `INSERT INTO organizations (external_id, name, first_synced_at, last_synced_at, last_run_id, last_file) VALUES ('org_new', 'New', 'x', 'x', 1, 'f')`,
        )
        .run();
      const during = expectOk(
        await api.runQuery({ sql: 'SELECT count(*) FROM organizations', queryId: 'wal1', limit: 10 }),
      );
      expect(during.rows).toEqual([[50]]);
      writer.exec('COMMIT');

      // A slow query holding its read snapshot: seen as a checkpoint that cannot copy the newest frames.
      const slow = api.runQuery({ sql: SLOW_QUERY, queryId: 'wal2', limit: 10 });
      const touch = writer.prepare(`UPDATE organizations SET sync_count = sync_count + 1 WHERE external_id = 'org_1'`);
      await expect
        .poll(
          () => {
            touch.run();
            const [state] = writer.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
            return state!.checkpointed < state!.log;
          },
          { timeout: 20_000 },
        )
        .toBe(true);
      // The writer commits without waiting (busy timeout 0: a wait would be an error).
      writer.exec('BEGIN IMMEDIATE');
      writer.prepare(`DELETE FROM organizations WHERE external_id = 'org_new'`).run();
      writer.exec('COMMIT');
      await api.cancelQuery({ queryId: 'wal2' });
      await slow;
      expect(
        expectOk(await api.runQuery({ sql: 'SELECT count(*) FROM organizations', queryId: 'wal3', limit: 10 })).rows,
      ).toEqual([[50]]);
    } finally {
      writer.close();
    }
  });
});

describe('linked records', () => {
  it('names an account\u2019s organization, users, events and NPS responses, and an event\u2019s targets', async () => {
    const account = await api.getRecordLinks({ table: 'accounts', id: 'acc_7' });
    expect(account.map((g) => [g.label, g.table, g.total])).toEqual([
      ['Organization', 'organizations', 1],
      ['Users', 'users', 10],
      ['Events', 'events', EVENTS / 500],
      ['NPS responses', 'nps_responses', expect.any(Number)],
    ]);
    expect(account[0]!.items).toEqual([{ id: 'org_8', name: 'Organization 8' }]);
    expect(account[1]!.items[0]).toEqual({ id: expect.stringMatching(/^u_/), name: expect.stringMatching(/^User /) });
    const event = await api.getRecordLinks({ table: 'events', id: 'evt_00000007' });
    expect(event.map((g) => g.items)).toEqual([
      [{ id: 'u_8', name: 'User 8' }],
      [{ id: 'acc_8', name: 'Account 8' }],
      [{ id: 'org_8', name: 'Organization 8' }],
    ]);
    const user = await api.getRecordLinks({ table: 'users', id: 'u_50' });
    expect(user[0]).toMatchObject({ label: 'Accounts', total: 0, items: [] });
  });
});
