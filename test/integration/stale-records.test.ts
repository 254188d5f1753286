// The stale rule (docs/stale-records.md), case by case against s3rver and a real SQLite file: a record
// is stale only when no file still in the bucket, and still selected by its type's pattern, holds it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseQueries } from '../../electron/core/db/data-queries';
import { createWorkspace, makeConfig, type Workspace } from '../support/fixtures';

let ws: Workspace;
let queries: DatabaseQueries;

const USERS_JAN = 'user_id,account_id,full_name,email\nu1,a1,Ada,ada@x.io\nu3,a1,Cy,cy@x.io\n';
const USERS_FEB = 'user_id,account_id,full_name,email\nu1,a1,Ada,ada@x.io\nu2,a1,Bo,bo@x.io\n';

const usersOnly = (fileRegex = '^users/') =>
  makeConfig(ws.server, {
    organizations: { enabled: false, fileRegex: '^orgs/', mode: 'create_update', idColumn: 'org_id', nameColumn: 'x' },
    accounts: { enabled: false, fileRegex: '^accounts/', mode: 'create_update', idColumn: 'a', nameColumn: 'b' },
    nps: undefined,
    tracks: undefined,
    users: {
      fileRegex,
      mode: 'create_update',
      idColumn: 'user_id',
      accountIdColumn: 'account_id',
      nameColumn: 'full_name',
      emailColumn: 'email',
    },
  });

function staleUsers(): Record<string, boolean> {
  const page = queries.queryRecords({ table: 'users', page: { offset: 0, limit: 50 } });
  return Object.fromEntries(page.rows.map((r) => [r.id, r.stale]));
}

beforeEach(async () => {
  ws = await createWorkspace();
  await ws.put('users/users_2024-01.csv', USERS_JAN);
  await ws.put('users/users_2024-02.csv', USERS_FEB);
  expect((await ws.sync(usersOnly())).status).toBe('succeeded');
  queries = new DatabaseQueries(ws.dbPath);
});
afterEach(async () => {
  queries.close();
  await ws.close();
});

describe('stale records', () => {
  it('a record in two files, one deleted: only the records no remaining file holds are stale', async () => {
    await ws.remove('users/users_2024-02.csv');
    const report = await ws.sync(usersOnly());
    expect(report.filesGone).toEqual([
      { objectType: 'users', key: 'vitally/users/users_2024-02.csv', reason: 'deleted' },
    ]);
    // u1 is still in January's file (February's was the last it came from); u2 was only in February's.
    expect(staleUsers()).toEqual({ u1: false, u2: true, u3: false });
    // The run's log names the file that disappeared.
    expect(queries.getRun(report.runId)!.run.filesGone).toEqual(report.filesGone);
    // The Data screen's count and filter.
    const stale = queries.queryRecords({ table: 'users', staleOnly: true, page: { offset: 0, limit: 50 } });
    expect([stale.staleCount, stale.total, stale.rows.map((r) => r.id)]).toEqual([1, 1, ['u2']]);
    expect(queries.getRecord('users', 'u1')!.stale).toBe(false);
  });

  it('the file reappears: its records are current again, and the run names no file gone', async () => {
    await ws.remove('users/users_2024-02.csv');
    await ws.sync(usersOnly());
    await ws.put('users/users_2024-02.csv', USERS_FEB);
    const report = await ws.sync(usersOnly());
    expect(report.filesGone).toEqual([]);
    expect(staleUsers()).toEqual({ u1: false, u2: false, u3: false });
    expect(queries.queryRecords({ table: 'users', page: { offset: 0, limit: 50 } }).staleCount).toBe(0);
  });

  it('the pattern changes so that a file is no longer selected: its records are stale unless another file holds them', async () => {
    const report = await ws.sync(usersOnly('^users/.*-02\\.csv$'));
    expect(report.filesGone).toEqual([
      { objectType: 'users', key: 'vitally/users/users_2024-01.csv', reason: 'unselected' },
    ]);
    expect(staleUsers()).toEqual({ u1: false, u2: false, u3: true });
    // Selected again: current again.
    await ws.sync(usersOnly());
    expect(staleUsers()).toEqual({ u1: false, u2: false, u3: false });
  });

  it('a record dropped from a file that is re-exported is held only by the files that still have it', async () => {
    await ws.put('users/users_2024-02.csv', 'user_id,account_id,full_name,email\nu1,a1,Ada,ada@x.io\n');
    await ws.sync(usersOnly());
    expect(staleUsers()).toEqual({ u1: false, u2: true, u3: false });
  });

  it('an event is stale when the file it came from is gone', async () => {
    const withEvents = makeConfig(ws.server);
    await ws.put('events/2024-05.csv', 'message_id,user_id,ts,event\ne1,u1,2024-05-01T00:00:00Z,login\n');
    await ws.put('events/2024-06.csv', 'message_id,user_id,ts,event\ne2,u1,2024-06-01T00:00:00Z,login\n');
    await ws.sync(withEvents);
    await ws.remove('events/2024-05.csv');
    const report = await ws.sync(withEvents);
    expect(report.filesGone).toEqual([{ objectType: 'tracks', key: 'vitally/events/2024-05.csv', reason: 'deleted' }]);
    const page = queries.queryRecords({ table: 'events', page: { offset: 0, limit: 50 } });
    expect(page.rows.map((r) => [r.id, r.stale])).toEqual([
      ['e1', true],
      ['e2', false],
    ]);
    expect(page.staleCount).toBe(1);
  });
});
