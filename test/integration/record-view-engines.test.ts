// The Data screen's views (sort, per-column filters, chosen trait columns) give the same rows, in the
// same order, with the same trait values, from a SQLite file and from a real PostgreSQL server synced
// from the same bucket contents. Typed traits on purpose: numbers, booleans, dates as text, plain text,
// a number column holding text in one row, and empty cells.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordsRequest } from '../../electron/shared/contract';
import type { TargetReader } from '../../electron/core/db/target-reader';
import { makeConfig } from '../support/fixtures';
import { useTargetWorkspaces, type TargetWorkspace } from '../support/target-workspaces';

const ORGS = [
  'org_id,org_name,tier,seats,active,renewal,regions',
  'o1,acme,gold,120,true,2024-05-01,"[""eu"",""us""]"',
  'o2,Globex,silver,8,false,2024-06-15,',
  'o3,Initech,Gold,,true,2023-12-31,',
  'o4,Umbrella,bronze,unknown,false,,',
  'o5,Hooli,,45.5,,2024-05-31,',
  'o6,acme labs,gold,120,true,2024-06-01,',
].join('\n');

const sqlite = useTargetWorkspaces('sqlite');
const postgres = useTargetWorkspaces('postgres');
const engines: { ws: TargetWorkspace; reader: TargetReader }[] = [];

beforeAll(async () => {
  for (const targets of [sqlite, postgres]) {
    const ws = await targets.create();
    await ws.put('orgs/orgs.csv', `${ORGS}\n`);
    const report = await ws.sync(makeConfig(ws.server));
    expect(report.status).toBe('succeeded');
    engines.push({ ws, reader: await ws.openReader() });
  }
}, 90_000);
afterAll(async () => {
  for (const { ws, reader } of engines) {
    await reader.close();
    await ws.close();
  }
});

const page = { offset: 0, limit: 50 };
const requests: [string, RecordsRequest, string[]][] = [
  [
    'a number trait, descending (as SQLite orders types: text above numbers, empty last)',
    { table: 'organizations', page, sort: { column: { trait: 'seats' }, direction: 'desc' }, columns: ['seats'] },
    ['o4', 'o1', 'o6', 'o5', 'o2', 'o3'],
  ],
  [
    'a text trait, ascending (byte order: capitals first)',
    {
      table: 'organizations',
      page,
      sort: { column: { trait: 'tier' }, direction: 'asc' },
      columns: ['tier', 'active', 'regions'],
    },
    ['o3', 'o4', 'o1', 'o6', 'o2', 'o5'],
  ],
  [
    'the name, descending (byte order: lower case above capitals)',
    { table: 'organizations', page, sort: { column: { field: 'name' }, direction: 'desc' } },
    ['o6', 'o1', 'o4', 'o3', 'o5', 'o2'],
  ],
  [
    'a number range',
    {
      table: 'organizations',
      page,
      filters: [{ kind: 'number', column: { trait: 'seats' }, min: 10, max: 120 }],
      columns: ['seats'],
    },
    ['o1', 'o5', 'o6'],
  ],
  [
    'a date range (the last day whole)',
    {
      table: 'organizations',
      page,
      filters: [{ kind: 'date', column: { trait: 'renewal' }, from: '2024-05-01', to: '2024-05-31' }],
      columns: ['renewal'],
    },
    ['o1', 'o5'],
  ],
  [
    'a boolean',
    {
      table: 'organizations',
      page,
      filters: [{ kind: 'boolean', column: { trait: 'active' }, is: false }],
      columns: ['active'],
    },
    ['o2', 'o4'],
  ],
  [
    'text that contains, any case, with a search and a sort',
    {
      table: 'organizations',
      page,
      search: 'acme',
      filters: [{ kind: 'text', column: { trait: 'tier' }, contains: 'GOLD' }],
      sort: { column: { trait: 'renewal' }, direction: 'desc' },
      columns: ['renewal'],
    },
    ['o6', 'o1'],
  ],
  [
    'an own column filter and a second page',
    {
      table: 'organizations',
      page: { offset: 2, limit: 2 },
      filters: [{ kind: 'text', column: { field: 'name' }, contains: 'E' }],
      sort: { column: { field: 'id' }, direction: 'desc' },
    },
    ['o3', 'o2'],
  ],
];

describe('the same view, the same rows on SQLite and PostgreSQL', () => {
  it.each(requests)('%s', async (_label, request, expectedIds) => {
    const [fromSqlite, fromPostgres] = await Promise.all(
      engines.map(({ reader }) => Promise.resolve(reader.queryRecords(request))),
    );
    expect(fromSqlite!.rows.map((r) => r.id)).toEqual(expectedIds);
    const shown = (p: typeof fromSqlite) =>
      p!.rows.map((r) => ({ id: r.id, fields: r.fields, stale: r.stale, traits: r.traitValues }));
    expect(shown(fromPostgres)).toEqual(shown(fromSqlite));
    expect([fromPostgres!.total, fromPostgres!.staleCount]).toEqual([fromSqlite!.total, fromSqlite!.staleCount]);
  });

  it('offers the same trait columns, typed alike', async () => {
    const [fromSqlite, fromPostgres] = await Promise.all(
      engines.map(({ reader }) => Promise.resolve(reader.getRecordColumns({ table: 'organizations' }))),
    );
    expect(fromSqlite!.traits.map((t) => [('trait' in t.column && t.column.trait) || '', t.type])).toEqual([
      ['active', 'boolean'],
      ['regions', 'text'],
      ['renewal', 'date'],
      ['seats', 'number'],
      ['tier', 'text'],
    ]);
    expect(fromPostgres).toEqual(fromSqlite);
  });

  it('refuses a column the table does not have, in the same words', async () => {
    const request: RecordsRequest = {
      table: 'nps_responses',
      page,
      sort: { column: { trait: 'x' }, direction: 'asc' },
    };
    const [a, b] = await Promise.all(
      engines.map(({ reader }) =>
        Promise.resolve()
          .then(() => reader.queryRecords(request))
          .catch((e: Error) => e.message),
      ),
    );
    expect(a).toMatch(/^nps_responses has no traits: sort and filter it by /);
    expect(b).toBe(a);
  });
});
