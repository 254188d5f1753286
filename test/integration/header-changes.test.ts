// Monthly files whose header drifts, synced from s3rver: March renames "Account Name" to "Account name"
// and "MRR" to "MRR (USD)". The file still syncs (names match ignoring case), the run log says which
// columns changed, and an alias makes "MRR (USD)" the same trait as "MRR".
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkspace, makeConfig, type Workspace } from '../support/fixtures';

let ws: Workspace;

const accountsConfig = (extra: Record<string, unknown> = {}) =>
  makeConfig(ws.server, {
    organizations: undefined,
    users: undefined,
    nps: undefined,
    tracks: undefined,
    accounts: {
      fileRegex: '^accounts/',
      mode: 'create_update',
      idColumn: 'Account ID',
      nameColumn: 'Account Name',
      organizationIdColumn: null,
      ...extra,
    },
  });

beforeEach(async () => {
  ws = await createWorkspace();
  await ws.put('accounts/2024-01.csv', 'Account ID,Account Name,MRR\na1,Acme,100\na2,Globex,200\n');
  await ws.put('accounts/2024-02.csv', 'Account ID,Account Name,MRR\na1,Acme,110\n');
});
afterEach(async () => ws.close());

describe('header changes between monthly files', () => {
  it('syncs a file whose mapped header changed case, and notes the columns that appeared and disappeared', async () => {
    const first = await ws.sync(accountsConfig());
    expect(first.files.map((f) => f.warnings ?? [])).toEqual([[], []]);
    await ws.put('accounts/2024-03.csv', 'Account ID,Account name,MRR (USD)\na3,Initech,300\n');
    const report = await ws.sync(accountsConfig());
    expect(report.status).toBe('succeeded');
    const march = report.files.find((f) => f.key.endsWith('2024-03.csv'))!;
    expect(march).toMatchObject({ status: 'imported', created: 1 });
    expect(march.warnings).toEqual([
      'Columns changed since vitally/accounts/2024-02.csv: new “MRR (USD)”; gone “MRR”. New columns become traits; records keep the traits of gone columns. A renamed column can be given its old name as an alias (columnAliases).',
    ]);
    expect(ws.query(`SELECT name, traits FROM accounts WHERE external_id = 'a3'`)).toEqual([
      { name: 'Initech', traits: '{"MRR (USD)":300}' },
    ]);
  });

  it('reads an aliased column as its old name: the same trait, and no notice', async () => {
    await ws.put('accounts/2024-03.csv', 'Account ID,Account name,MRR (USD)\na3,Initech,300\n');
    const report = await ws.sync(accountsConfig({ columnAliases: { MRR: ['MRR (USD)'] } }));
    expect(report.files.flatMap((f) => f.warnings ?? [])).toEqual([]);
    expect(ws.query(`SELECT traits FROM accounts WHERE external_id = 'a3'`)).toEqual([{ traits: '{"MRR":300}' }]);
  });
});
