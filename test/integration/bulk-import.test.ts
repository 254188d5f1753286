// The bulk write path: multi-row upserts must keep every row-by-row rule (last row wins, created vs
// updated, explicit nulls on update) across batch boundaries, and the reference check must look at
// exactly the rows a file wrote.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NEW_DATABASE_PAGE_SIZE, openDatabase } from '../../electron/core/db/sqlite-database';
import { mergeTraits, UPSERT_BATCH_ROWS } from '../../electron/core/db/record-writer';
import { createWorkspace, makeConfig, type Workspace } from '../support/fixtures';

let ws: Workspace;
beforeEach(async () => {
  ws = await createWorkspace();
});
afterEach(async () => {
  await ws.close();
});

const EVENTS_HEADER = 'message_id,user_id,ts,event,n,note\n';

describe('multi-row upserts', () => {
  it('count created and updated rows and let the last row win when an ID repeats across batch boundaries', async () => {
    const unique = UPSERT_BATCH_ROWS + 100;
    const rows: string[] = [];
    for (let i = 0; i < unique; i++) rows.push(`m${i},u1,2024-01-01,first,${i},`);
    // Repeats of early IDs land in a later batch; m0 repeats twice, the last time in the final partial batch.
    for (let i = 0; i < 150; i++) rows.push(`m${i},u1,2024-01-02,second,${i + 1000},`);
    rows.push('m0,u2,2024-01-03,third,7,last');
    await ws.put('events/e.csv', EVENTS_HEADER + rows.join('\n') + '\n');

    const report = await ws.sync(makeConfig(ws.server));
    expect(report.files[0]).toMatchObject({ status: 'imported', rows: unique + 151, created: unique, updated: 151 });
    expect(
      ws.query(
        `SELECT message_id, user_id, event, occurred_at, properties, sync_count FROM events WHERE message_id IN ('m0', 'm1', 'm299') ORDER BY 1`,
      ),
    ).toEqual([
      {
        message_id: 'm0',
        user_id: 'u2',
        event: 'third',
        occurred_at: '2024-01-03T00:00:00.000Z',
        properties: '{"n":7,"note":"last"}',
        sync_count: 3,
      },
      {
        message_id: 'm1',
        user_id: 'u1',
        event: 'second',
        occurred_at: '2024-01-02T00:00:00.000Z',
        properties: '{"n":1001}',
        sync_count: 2,
      },
      {
        message_id: 'm299',
        user_id: 'u1',
        event: 'first',
        occurred_at: '2024-01-01T00:00:00.000Z',
        properties: '{"n":299}',
        sync_count: 1,
      },
    ]);
    expect(ws.query('SELECT count(*) AS n FROM events')).toEqual([{ n: unique }]);
  });

  it('merge properties on update: explicit nulls set null, empty cells keep, in file order within a batch', async () => {
    const config = makeConfig(ws.server);
    await ws.put('events/1.csv', `${EVENTS_HEADER}m1,u1,2024-01-01,view,5,keep me\nm2,u1,2024-01-01,view,6,x\n`);
    await ws.sync(config);
    await ws.put(
      'events/2.csv',
      `${EVENTS_HEADER}m1,u1,2024-01-01,view,null,\n` + // n set to null, note kept
        `m2,u1,2024-01-01,view,null,y\n` +
        `m2,u1,2024-01-01,view,8,\n` + // the same ID again in the same batch: n back to a number, note kept
        `m3,u1,2024-01-01,view,,a:null\n`, // a value that merely mentions ":null" is an ordinary string
    );
    const report = await ws.sync(config);
    expect(report.files.find((f) => f.key.endsWith('2.csv'))).toMatchObject({ created: 1, updated: 3 });
    expect(ws.query('SELECT message_id, properties FROM events ORDER BY 1')).toEqual([
      { message_id: 'm1', properties: '{"n":null,"note":"keep me"}' },
      { message_id: 'm2', properties: '{"n":8,"note":"y"}' },
      { message_id: 'm3', properties: '{"note":"a:null"}' },
    ]);
  });

  it('merges traits of organizations, accounts and users the same way, keeping stored names for empty cells', async () => {
    const config = makeConfig(ws.server);
    await ws.put('orgs/1.csv', 'org_id,org_name,plan,seats,"say ""hi"""\no1,Acme,gold,10,x\n');
    await ws.sync(config);
    await ws.put('orgs/2.csv', 'org_id,org_name,plan,seats,"say ""hi"""\no1,,null,,y\no2,Globex,,3,\n');
    const report = await ws.sync(config);
    expect(report.files.find((f) => f.key.endsWith('2.csv'))).toMatchObject({ created: 1, updated: 1 });
    expect(ws.query('SELECT external_id, name, traits FROM organizations ORDER BY 1')).toEqual([
      { external_id: 'o1', name: 'Acme', traits: '{"plan":null,"seats":10,"say \\"hi\\"":"y"}' },
      { external_id: 'o2', name: 'Globex', traits: '{"seats":3}' },
    ]);
  });
});

describe('mergeTraits', () => {
  it('overwrites and appends keys, keeps nulls, and treats "__proto__" as a trait', () => {
    expect(mergeTraits('{"a":1,"b":"x","__proto__":1}', '{"b":null,"c":[1],"__proto__":2}')).toBe(
      '{"a":1,"b":null,"__proto__":2,"c":[1]}',
    );
  });
});

describe('dangling references', () => {
  it('are counted over the rows the file created and the existing rows it updated, nothing else', async () => {
    const config = makeConfig(ws.server);
    await ws.put('users/u.csv', 'user_id,account_id,full_name,email\nu1,,Ada,\n');
    await ws.put('events/1.csv', `${EVENTS_HEADER}m1,u1,2024-01-01,view,,\nm2,ghost-1,2024-01-01,view,,\n`);
    const first = await ws.sync(config);
    expect(first.files.find((f) => f.type === 'tracks')!.warnings).toEqual([
      '1 event refers to a user that does not exist (for example "ghost-1"); stored as given.',
    ]);
    // The second file updates m1 (now dangling) and creates m3 (dangling); m2 is not its row.
    await ws.put(
      'events/2.csv',
      `${EVENTS_HEADER}m1,ghost-2,2024-01-02,view,,\nm3,ghost-3,2024-01-02,view,,\nm4,u1,2024-01-02,view,,\n`,
    );
    const second = await ws.sync(config);
    expect(second.files.find((f) => f.key.endsWith('2.csv'))).toMatchObject({
      created: 2,
      updated: 1,
      warnings: ['2 events refer to a user that does not exist (for example "ghost-2"); stored as given.'],
    });
  });

  it('of events concern only the target the mapping names', async () => {
    await ws.put('events/e.csv', 'message_id,account_id,ts,event\nm1,acct-404,2024-01-01,view\n');
    const config = makeConfig(ws.server, {
      tracks: {
        fileRegex: '^events/',
        target: 'account',
        targetIdColumn: 'account_id',
        messageIdColumn: 'message_id',
        timestampColumn: 'ts',
        eventColumn: 'event',
      },
    });
    const report = await ws.sync(config);
    expect(report.files[0]!.warnings).toEqual([
      '1 event refers to an account that does not exist (for example "acct-404"); stored as given.',
    ]);
    expect(ws.query('SELECT user_id, account_id FROM events')).toEqual([{ user_id: null, account_id: 'acct-404' }]);
  });
});

describe('dangling references counted while writing', () => {
  it("give the same count and example as the query, with SQLite's byte order for the example", async () => {
    // Characters past U+FFFF sort after U+E000-U+FFFF in UTF-8 (SQLite's min) but before them in UTF-16.
    const ids = ['\u{1F600}-emoji', '\uFF21-fullwidth', 'z-ascii', 'u1'];
    await ws.put('users/u.csv', 'user_id,account_id,full_name,email\nu1,,Ada,\n');
    await ws.put(
      'events/1.csv',
      `message_id,user_id,ts,event\n${ids.map((id, i) => `m${i},${id},2024-01-01,view`).join('\n')}\n`,
    );
    const first = await ws.sync(makeConfig(ws.server));
    const counted = first.files.find((f) => f.type === 'tracks')!.warnings;
    expect(counted).toEqual(['3 events refer to a user that does not exist (for example "z-ascii"); stored as given.']);
    const [queried] = ws.query<{ n: number; example: string }>(
      `SELECT count(*) AS n, min(user_id) AS example FROM events WHERE user_id NOT IN (SELECT external_id FROM users)`,
    );
    expect(queried).toEqual({ n: 3, example: 'z-ascii' });
    const nonAscii = ids.slice(0, 2);
    await ws.put(
      'events/2.csv',
      `message_id,user_id,ts,event\n${nonAscii.map((id, i) => `n${i},${id},2024-01-01,view`).join('\n')}\n`,
    );
    const second = await ws.sync(makeConfig(ws.server));
    expect(second.files.find((f) => f.key.endsWith('2.csv'))!.warnings).toEqual([
      `2 events refer to a user that does not exist (for example "${ws.query<{ m: string }>(`SELECT min(user_id) AS m FROM events WHERE message_id LIKE 'n%'`)[0]!.m}"); stored as given.`,
    ]);
  });

  it('are not counted for update_only files, whose skipped rows are never written', async () => {
    await ws.put('users/1-seed.csv', 'user_id,account_id,full_name,email\nu1,a1,Ada,ada@x.io\n');
    await ws.sync(makeConfig(ws.server));
    await ws.put('users/2-update.csv', 'user_id,account_id,full_name,email\nu404,a404,Nobody,no@x.io\n');
    const config = makeConfig(ws.server, {
      users: {
        fileRegex: '^users/2',
        mode: 'update_only',
        idColumn: 'user_id',
        accountIdColumn: 'account_id',
        nameColumn: 'full_name',
        emailColumn: 'email',
      },
    });
    const report = await ws.sync(config);
    expect(report.files[0]).toMatchObject({ skipped: 1, updated: 0 });
    expect(report.files[0]!.warnings).toBeUndefined();
  });
});

describe('the database file', () => {
  it('is created with large pages, while an existing database keeps its page size', () => {
    expect(ws.query('PRAGMA page_size')).toEqual([{ page_size: NEW_DATABASE_PAGE_SIZE }]);
    const oldPath = join(ws.dir, 'old.sqlite');
    const old = new Database(oldPath);
    old.exec('CREATE TABLE t (x)');
    old.close();
    const reopened = openDatabase(oldPath);
    expect(reopened.pragma('page_size', { simple: true })).toBe(4096);
    expect(reopened.pragma('journal_mode', { simple: true })).toBe('wal');
    reopened.close();
  });
});
