// The stale rule (docs/stale-records.md), case by case against s3rver, into a real SQLite file and into
// a real PostgreSQL server: a record is stale only when no file still in the bucket, and still selected
// by its type's pattern, holds it. Each engine's Data screen (its TargetReader) must show exactly what
// the rule's SQL from the docs says (read with better-sqlite3; with psql), and the same counts on both.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TargetReader } from '../../electron/core/db/target-reader';
import type { FileGone } from '../../electron/shared/domain';
import { makeConfig } from '../support/fixtures';
import { TARGET_KINDS, useTargetWorkspaces, type TargetWorkspace } from '../support/target-workspaces';

const USERS_JAN = 'user_id,account_id,full_name,email\nu1,a1,Ada,ada@x.io\nu3,a1,Cy,cy@x.io\n';
const USERS_FEB = 'user_id,account_id,full_name,email\nu1,a1,Ada,ada@x.io\nu2,a1,Bo,bo@x.io\n';

/** docs/stale-records.md's query, for every user (stale or not). */
const STALE_USERS_SQL = `SELECT u.external_id AS id, NOT EXISTS (
  SELECT 1 FROM @schema.record_files r JOIN @schema.file_state f ON f.object_type = r.object_type AND f.key = r.key
  WHERE r.object_type = 'users' AND r.record_id = u.external_id
    AND f.missing_since IS NULL AND f.unselected_since IS NULL) AS stale
  FROM @schema.users u ORDER BY 1`;
const STALE_EVENTS_SQL = `SELECT e.message_id AS id, EXISTS (
  SELECT 1 FROM @schema.file_state f WHERE f.object_type = 'tracks' AND f.key = e.last_file
    AND (f.missing_since IS NOT NULL OR f.unselected_since IS NOT NULL)) AS stale
  FROM @schema.events e ORDER BY 1`;

describe.each(TARGET_KINDS)('stale records (%s)', (kind) => {
  const targets = useTargetWorkspaces(kind);
  let ws: TargetWorkspace;
  /** The Data screen's and the Sync log's reads from this engine. */
  let reader: TargetReader;

  const usersOnly = (fileRegex = '^users/', mode = 'create_update') =>
    makeConfig(ws.server, {
      organizations: {
        enabled: false,
        fileRegex: '^orgs/',
        mode: 'create_update',
        idColumn: 'org_id',
        nameColumn: 'x',
      },
      accounts: { enabled: false, fileRegex: '^accounts/', mode: 'create_update', idColumn: 'a', nameColumn: 'b' },
      nps: undefined,
      tracks: undefined,
      users: {
        fileRegex,
        mode,
        idColumn: 'user_id',
        accountIdColumn: 'account_id',
        nameColumn: 'full_name',
        emailColumn: 'email',
      },
    });

  /**
   * Each record's staleness as the Data screen shows it, checked against the documented SQL, with the
   * screen's "stale only" filter and a record's own page agreeing. (Its stale count is checked case by
   * case: it counts only once a file of the type has gone.)
   */
  async function stale(table: 'users' | 'events'): Promise<Record<string, boolean>> {
    const rows = await ws.query<{ id: string; stale: boolean | number }>(
      table === 'users' ? STALE_USERS_SQL : STALE_EVENTS_SQL,
    );
    const bySql = Object.fromEntries(rows.map((r) => [r.id, r.stale === true || r.stale === 1]));
    const page = await reader.queryRecords({ table, page: { offset: 0, limit: 50 } });
    const shown = Object.fromEntries(page.rows.map((r) => [r.id, r.stale]));
    expect(shown).toEqual(bySql);
    const staleIds = Object.keys(bySql).filter((id) => bySql[id]);
    const onlyStale = await reader.queryRecords({ table, staleOnly: true, page: { offset: 0, limit: 50 } });
    expect([onlyStale.total, onlyStale.rows.map((r) => r.id)]).toEqual([staleIds.length, staleIds]);
    for (const id of Object.keys(bySql)) expect((await reader.getRecord({ table, id }))!.stale).toBe(bySql[id]);
    return shown;
  }

  /** What the run log keeps of the files that left the sync in a run. */
  async function filesGoneOfRun(runId: number): Promise<FileGone[]> {
    const [row] = await ws.query<{ files_gone: FileGone[] }>(
      `SELECT files_gone FROM @schema.sync_runs WHERE id = ${runId}`,
      ['files_gone'],
    );
    return row!.files_gone;
  }

  beforeEach(async () => {
    ws = await targets.create();
    await ws.put('users/users_2024-01.csv', USERS_JAN);
    await ws.put('users/users_2024-02.csv', USERS_FEB);
    expect((await ws.sync(usersOnly())).status).toBe('succeeded');
    reader = await ws.openReader();
  });
  afterEach(async () => {
    await reader?.close();
    await ws.close();
  });

  it('a record in two files, one deleted: only the records no remaining file holds are stale', async () => {
    await ws.remove('users/users_2024-02.csv');
    const report = await ws.sync(usersOnly());
    expect(report.filesGone).toEqual([
      { objectType: 'users', key: 'vitally/users/users_2024-02.csv', reason: 'deleted' },
    ]);
    // u1 is still in January's file (February's was the last it came from); u2 was only in February's.
    expect(await stale('users')).toEqual({ u1: false, u2: true, u3: false });
    // The run's log names the file that disappeared.
    expect(await filesGoneOfRun(report.runId)).toEqual(report.filesGone);
    // The Sync log names it too, in the run's line and its details.
    expect((await reader.listRuns({ limit: 1 }))[0]).toMatchObject({ id: report.runId, filesGone: report.filesGone });
    expect((await reader.getRun({ runId: report.runId }))!.run.filesGone).toEqual(report.filesGone);
    // The Data screen's count and filter.
    const onlyStale = await reader.queryRecords({ table: 'users', staleOnly: true, page: { offset: 0, limit: 50 } });
    expect([onlyStale.staleCount, onlyStale.total, onlyStale.rows.map((r) => r.id)]).toEqual([1, 1, ['u2']]);
  });

  it('the file reappears: its records are current again, and the run names no file gone', async () => {
    await ws.remove('users/users_2024-02.csv');
    await ws.sync(usersOnly());
    await ws.put('users/users_2024-02.csv', USERS_FEB);
    const report = await ws.sync(usersOnly());
    expect(report.filesGone).toEqual([]);
    expect(await filesGoneOfRun(report.runId)).toEqual([]);
    expect(await stale('users')).toEqual({ u1: false, u2: false, u3: false });
    expect((await reader.queryRecords({ table: 'users', page: { offset: 0, limit: 50 } })).staleCount).toBe(0);
    expect((await reader.listRuns({ limit: 1 }))[0]!.filesGone).toEqual([]);
  });

  it('the pattern changes so that a file is no longer selected: its records are stale unless another file holds them', async () => {
    const report = await ws.sync(usersOnly('^users/.*-02\\.csv$'));
    expect(report.filesGone).toEqual([
      { objectType: 'users', key: 'vitally/users/users_2024-01.csv', reason: 'unselected' },
    ]);
    expect(await stale('users')).toEqual({ u1: false, u2: false, u3: true });
    expect((await reader.queryRecords({ table: 'users', page: { offset: 0, limit: 50 } })).staleCount).toBe(1);
    expect((await reader.getRun({ runId: report.runId }))!.run.filesGone).toEqual(report.filesGone);
    expect(
      await ws.query<{ key: string; unselected: boolean }>(
        `SELECT key, unselected_since IS NOT NULL AS unselected FROM @schema.file_state ORDER BY key`,
      ),
    ).toEqual([
      { key: 'vitally/users/users_2024-01.csv', unselected: kind === 'sqlite' ? 1 : true },
      { key: 'vitally/users/users_2024-02.csv', unselected: kind === 'sqlite' ? 0 : false },
    ]);
    // Selected again: current again.
    await ws.sync(usersOnly());
    expect(await stale('users')).toEqual({ u1: false, u2: false, u3: false });
  });

  it('a record dropped from a file that is re-exported is held only by the files that still have it', async () => {
    await ws.put('users/users_2024-02.csv', 'user_id,account_id,full_name,email\nu1,a1,Ada,ada@x.io\n');
    await ws.sync(usersOnly());
    expect(await stale('users')).toEqual({ u1: false, u2: true, u3: false });
    expect(
      await ws.query(`SELECT record_id, key FROM @schema.record_files WHERE object_type = 'users' ORDER BY 1, 2`),
    ).toEqual([
      { record_id: 'u1', key: 'vitally/users/users_2024-01.csv' },
      { record_id: 'u1', key: 'vitally/users/users_2024-02.csv' },
      { record_id: 'u3', key: 'vitally/users/users_2024-01.csv' },
    ]);
  });

  it('an update-only file holds only the records it updated', async () => {
    await ws.put(
      'users/users_2024-03.csv',
      'user_id,account_id,full_name,email\nu1,a1,Ada L.,ada@x.io\nu9,a1,Nobody,\n',
    );
    const report = await ws.sync(usersOnly('^users/', 'update_only'));
    expect(report.files.find((f) => f.key.endsWith('2024-03.csv'))).toMatchObject({ updated: 1, skipped: 1 });
    expect(
      await ws.query(`SELECT record_id FROM @schema.record_files WHERE key = 'vitally/users/users_2024-03.csv'`),
    ).toEqual([{ record_id: 'u1' }]);
  });

  it('an event is stale when the file it came from is gone', async () => {
    const withEvents = makeConfig(ws.server);
    await ws.put('events/2024-05.csv', 'message_id,user_id,ts,event\ne1,u1,2024-05-01T00:00:00Z,login\n');
    await ws.put('events/2024-06.csv', 'message_id,user_id,ts,event\ne2,u1,2024-06-01T00:00:00Z,login\n');
    await ws.sync(withEvents);
    await ws.remove('events/2024-05.csv');
    const report = await ws.sync(withEvents);
    expect(report.filesGone).toEqual([{ objectType: 'tracks', key: 'vitally/events/2024-05.csv', reason: 'deleted' }]);
    expect(await stale('events')).toEqual({ e1: true, e2: false });
    expect((await reader.queryRecords({ table: 'events', page: { offset: 0, limit: 50 } })).staleCount).toBe(1);
  });
});
