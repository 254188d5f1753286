// Monthly files whose header drifts, synced from s3rver: March renames "Account Name" to "Account name"
// and "MRR" to "MRR (USD)". The file still syncs (names match ignoring case), the run log says which
// columns changed, and an alias makes "MRR (USD)" the same trait as "MRR". The same into SQLite and
// into PostgreSQL (read through psql).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeConfig } from '../support/fixtures';
import { TARGET_KINDS, useTargetWorkspaces, type TargetWorkspace } from '../support/target-workspaces';

describe.each(TARGET_KINDS)('header changes between monthly files (%s)', (kind) => {
  const targets = useTargetWorkspaces(kind);
  let ws: TargetWorkspace;

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
    ws = await targets.create();
    await ws.put('accounts/2024-01.csv', 'Account ID,Account Name,MRR\na1,Acme,100\na2,Globex,200\n');
    await ws.put('accounts/2024-02.csv', 'Account ID,Account Name,MRR\na1,Acme,110\n');
  });
  afterEach(async () => ws.close());

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
    expect(await ws.query(`SELECT name, traits FROM @schema.accounts WHERE external_id = 'a3'`, ['traits'])).toEqual([
      { name: 'Initech', traits: { 'MRR (USD)': 300 } },
    ]);
    // The header each file was read with (mapped columns by their mapping's names), for the next file.
    expect(await ws.query(`SELECT key, columns FROM @schema.file_state ORDER BY key`, ['columns'])).toEqual([
      { key: 'vitally/accounts/2024-01.csv', columns: ['Account ID', 'Account Name', 'MRR'] },
      { key: 'vitally/accounts/2024-02.csv', columns: ['Account ID', 'Account Name', 'MRR'] },
      { key: 'vitally/accounts/2024-03.csv', columns: ['Account ID', 'Account Name', 'MRR (USD)'] },
    ]);
  });

  it('reads an aliased column as its old name: the same trait, and no notice', async () => {
    await ws.put('accounts/2024-03.csv', 'Account ID,Account name,MRR (USD)\na3,Initech,300\n');
    const report = await ws.sync(accountsConfig({ columnAliases: { MRR: ['MRR (USD)'] } }));
    expect(report.files.flatMap((f) => f.warnings ?? [])).toEqual([]);
    expect(await ws.query(`SELECT traits FROM @schema.accounts WHERE external_id = 'a3'`, ['traits'])).toEqual([
      { traits: { MRR: 300 } },
    ]);
  });
});
