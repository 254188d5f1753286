// Data screen: tables with counts, debounced search, paging, a record's detail with its traits and
// origin, stale records, and the database's location.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type {
  DataTable,
  RecordColumns,
  RecordDetail,
  RecordPage,
  RecordsRequest,
} from '../../electron/shared/contract';
import { createFakeApi, makeConfig, makeOverview } from './fake-api';
import { renderApp } from './render-app';

const TOTALS: Record<DataTable, number> = {
  accounts: 1_000_000,
  organizations: 3,
  users: 0,
  nps_responses: 12,
  events: 250_000,
};

function page(table: DataTable, offset: number, count: number, total = TOTALS[table]): RecordPage {
  return {
    table,
    total,
    offset,
    rows: Array.from({ length: count }, (_, i) => ({
      id: `acc_${String(offset + i).padStart(7, '0')}`,
      fields: { name: `Account ${offset + i}`, organization_id: 'org_1' },
      lastSyncedAt: '2026-03-02T10:00:00.000Z',
      lastFile: 'vitally/accounts/a.csv',
      stale: offset + i === 1,
    })),
    staleCount: 1,
  };
}

function dataApi(overviewPatch = {}) {
  const api = createFakeApi(
    makeOverview({
      config: makeConfig({
        accounts: { enabled: true, fileRegex: '^a', mode: 'create_update', idColumn: 'id', nameColumn: 'name' },
      }),
      ...overviewPatch,
    }),
  );
  api.queryRecords.mockImplementation(async ({ table, page: { offset, limit }, search, columns }: RecordsRequest) =>
    withTraits(
      search
        ? page(table, offset, 2, search === 'acme' ? 10_001 : 2)
        : page(table, offset, Math.min(limit, TOTALS[table] - offset)),
      columns ?? [],
    ),
  );
  api.getRecordColumns.mockImplementation(async ({ table }: { table: DataTable }): Promise<RecordColumns> => ({
    table,
    fields: [
      { column: { field: 'id' }, type: 'text' },
      { column: { field: 'name' }, type: 'text' },
      { column: { field: 'organization_id' }, type: 'text' },
      { column: { field: 'last_synced_at' }, type: 'date' },
    ],
    traits: [
      { column: { trait: 'mrr' }, type: 'number' },
      { column: { trait: 'plan' }, type: 'text' },
      { column: { trait: 'trial' }, type: 'boolean' },
    ],
  }));
  return api;
}

/** The chosen trait columns' values, as the back end adds them to each row. */
function withTraits(records: RecordPage, columns: string[]): RecordPage {
  if (!columns.length) return records;
  const values: Record<string, (i: number) => string | number> = {
    mrr: (i) => i * 100,
    plan: (i) => (i % 2 ? 'growth' : 'starter'),
    trial: (i) => String(i % 3 === 0),
  };
  return {
    ...records,
    rows: records.rows.map((row, i) => ({
      ...row,
      traitValues: Object.fromEntries(columns.map((key) => [key, values[key]!(records.offset + i)])),
    })),
  };
}

const headers = (grid: HTMLElement) =>
  within(grid)
    .getAllByRole('columnheader')
    .map((h) => h.textContent);

describe('Data', () => {
  it('shows each table with its count, and pages through a million rows', async () => {
    const api = dataApi();
    const { user } = await renderApp(api, 'data');
    await waitFor(() =>
      expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual([
        'Accounts, 1,000,000',
        'Organizations, 3',
        'Users, 0',
        'NPS responses, 12',
        'Events, 250,000',
      ]),
    );
    expect(await screen.findByText('1–50 of 1,000,000')).toBeInTheDocument();
    const table = screen.getByRole('grid', { name: 'Accounts' });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['ID', 'Name', 'Organization', 'Last synced']);
    // The header, its row of filters, and fifty records.
    expect(within(table).getAllByRole('row')).toHaveLength(52);
    // A record whose file left the bucket is marked.
    expect(within(within(table).getAllByRole('row')[3]!).getByText('Stale')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('51–100 of 1,000,000')).toBeInTheDocument();
    expect(api.queryRecords).toHaveBeenLastCalledWith({ table: 'accounts', page: { offset: 50, limit: 50 } });
    expect(screen.getByText('Page 2 of 20,000')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Last' }));
    expect(await screen.findByText('999,951–1,000,000 of 1,000,000')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'First' }));
    expect(await screen.findByText('1–50 of 1,000,000')).toBeInTheDocument();
  });

  it('searches once typing pauses, and says when matches are too many to count', async () => {
    const api = dataApi();
    const { user } = await renderApp(api, 'data');
    await screen.findByText('1–50 of 1,000,000');
    api.queryRecords.mockClear();
    await user.type(screen.getByLabelText('Search accounts'), 'acme');
    expect(await screen.findByText('1–2 of more than 10,000 matches')).toBeInTheDocument();
    expect(api.queryRecords.mock.calls.filter(([args]) => (args as { search?: string }).search)).toEqual([
      [{ table: 'accounts', search: 'acme', page: { offset: 0, limit: 50 } }],
    ]);
    await user.clear(screen.getByLabelText('Search accounts'));
    await user.type(screen.getByLabelText('Search accounts'), 'zz');
    expect(await screen.findByText('2 matches')).toBeInTheDocument();
  });

  it('shows a record’s traits, and when and from which file it was last synced', async () => {
    const api = dataApi();
    const detail: RecordDetail = {
      ...page('accounts', 1, 1).rows[0]!,
      table: 'accounts',
      traits: { plan: 'enterprise', mrr: 12000.5, tags: ['priority'] },
      firstSyncedAt: '2026-03-01T08:00:00.000Z',
      lastRunId: 42,
      syncCount: 3,
    };
    api.getRecord.mockResolvedValue(detail);
    const { user } = await renderApp(api, 'data');
    await user.click(await screen.findByRole('row', { name: /acc_0000001/ }));
    expect(api.getRecord).toHaveBeenCalledWith({ table: 'accounts', id: 'acc_0000001' });
    const region = await screen.findByRole('region', { name: 'Account acc_0000001' });
    expect(within(region).getByText('Stale')).toBeInTheDocument();
    expect(within(region).getAllByText('vitally/accounts/a.csv').length).toBeGreaterThan(0);
    expect(within(region).getByText('(run 42)')).toBeInTheDocument();
    const traits = within(region).getByRole('table', { name: 'Traits' });
    expect(
      within(traits)
        .getAllByRole('row')
        .map((r) => r.textContent),
    ).toEqual(['planenterprise', 'mrr12000.5', 'tags["priority"]']);
  });

  it('says what to do when a table is empty, or a search finds nothing', async () => {
    const api = dataApi();
    const { user } = await renderApp(api, 'data');
    await user.click(await screen.findByRole('tab', { name: /Users/ }));
    expect(await screen.findByText('No users yet')).toBeInTheDocument();
    expect(
      screen.getByText('Map the Users files on the Objects screen and sync to fill this table.'),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('tab', { name: /Accounts/ }));
    api.queryRecords.mockResolvedValue({ table: 'accounts', total: 0, offset: 0, rows: [], staleCount: 0 });
    await user.type(screen.getByLabelText('Search accounts'), 'nothing-like-this');
    expect(await screen.findByText('No account matches “nothing-like-this”')).toBeInTheDocument();
  });

  it('shows the database path, and opens its folder where the back end can', async () => {
    const webApi = dataApi();
    const { unmount } = await renderApp(webApi, 'data');
    expect(screen.getByLabelText('Database file')).toHaveValue('/home/ana/.config/S3 CSV Sync/s3-csv-sync.sqlite');
    expect(screen.getByRole('button', { name: 'Open database folder' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Open database folder' })).toHaveAccessibleDescription(
      /The web preview cannot open folders/,
    );
    unmount();

    const desktopApi = dataApi({ canOpenDatabaseFolder: true });
    const { user } = await renderApp(desktopApi, 'data');
    await user.click(screen.getByRole('button', { name: 'Open database folder' }));
    expect(desktopApi.openDatabaseFolder).toHaveBeenCalled();
  });

  it('counts the stale records and filters on them', async () => {
    const api = dataApi();
    const { user } = await renderApp(api, 'data');
    const filter = await screen.findByRole('checkbox', { name: 'Stale only 1' });
    api.queryRecords.mockClear();
    await user.click(filter);
    await waitFor(() =>
      expect(api.queryRecords).toHaveBeenLastCalledWith({
        table: 'accounts',
        staleOnly: true,
        page: { offset: 0, limit: 50 },
      }),
    );
  });

  it('is one tab stop: arrow keys move along the records, Enter opens one, Esc closes it', async () => {
    const api = dataApi();
    api.getRecord.mockImplementation(async ({ id }: { id: string }) => ({
      ...page('accounts', 0, 1).rows[0]!,
      id,
      table: 'accounts' as const,
      traits: {},
      firstSyncedAt: '2026-03-01T08:00:00.000Z',
      lastRunId: 1,
      syncCount: 1,
    }));
    const { user } = await renderApp(api, 'data');
    const grid = await screen.findByRole('grid', { name: 'Accounts' });
    // The header sorts and filters; the records themselves are rows, not buttons.
    const body = within(grid).getAllByRole('rowgroup')[1]!;
    const rows = within(body).getAllByRole('row');
    expect(rows.filter((r) => r.tabIndex === 0)).toHaveLength(1);
    expect(within(body).queryAllByRole('button')).toEqual([]);
    rows[0]!.focus();
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(rows[2]).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('region', { name: 'Account acc_0000002' })).toBeInTheDocument();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('region', { name: /^Account / })).not.toBeInTheDocument());
    expect(rows[2]).toHaveFocus();
    await user.keyboard('{End}');
    expect(rows[49]).toHaveFocus();
  });

  it('names NPS responses in the search label as written', async () => {
    const api = dataApi();
    const { user } = await renderApp(api, 'data');
    await user.click(await screen.findByRole('tab', { name: /NPS responses/ }));
    expect(await screen.findByLabelText('Search NPS responses')).toBeInTheDocument();
  });
  it('shows the trait columns chosen for a table, and keeps the choice in the settings', async () => {
    const api = dataApi();
    const { user } = await renderApp(api, 'data');
    const grid = await screen.findByRole('grid', { name: 'Accounts' });
    expect(headers(grid)).toEqual(['ID', 'Name', 'Organization', 'Last synced']);
    await user.click(screen.getByText('Columns'));
    const chooser = screen.getByRole('group', { name: 'Trait columns' });
    expect(
      within(chooser)
        .getAllByRole('checkbox')
        .map((c) => c.parentElement!.textContent.trim()),
    ).toEqual(['mrr', 'plan', 'trial']);
    await user.click(within(chooser).getByRole('checkbox', { name: 'mrr' }));
    await user.click(within(chooser).getByRole('checkbox', { name: 'plan' }));
    expect(api.saveDataColumns).toHaveBeenLastCalledWith({ table: 'accounts', columns: ['mrr', 'plan'] });
    // Next to the name, before when it was last synced.
    await waitFor(() => expect(headers(grid)).toEqual(['ID', 'Name', 'Organization', 'mrr', 'plan', 'Last synced']));
    expect(api.queryRecords).toHaveBeenLastCalledWith({
      table: 'accounts',
      columns: ['mrr', 'plan'],
      page: { offset: 0, limit: 50 },
    });
    const second = within(grid).getAllByRole('row')[3]!;
    expect(
      within(second)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['acc_0000001Stale', 'Account 1', 'org_1', '100', 'growth', expect.any(String)]);
  });

  it('opens on the columns the settings remember', async () => {
    const api = dataApi({
      config: {
        ...makeConfig({
          accounts: { enabled: true, fileRegex: '^a', mode: 'create_update', idColumn: 'id', nameColumn: 'name' },
        }),
        dataColumns: { accounts: ['plan'] },
      },
    });
    await renderApp(api, 'data');
    const grid = await screen.findByRole('grid', { name: 'Accounts' });
    await waitFor(() => expect(headers(grid)).toEqual(['ID', 'Name', 'Organization', 'plan', 'Last synced']));
    expect(screen.getAllByRole('cell', { name: 'starter' }).length).toBeGreaterThan(0);
  });

  it('sorts by a clicked header and filters each column as fits it; the export takes the same view', async () => {
    const api = dataApi({
      config: {
        ...makeConfig({
          accounts: { enabled: true, fileRegex: '^a', mode: 'create_update', idColumn: 'id', nameColumn: 'name' },
        }),
        dataColumns: { accounts: ['mrr', 'trial'] },
      },
    });
    const { user } = await renderApp(api, 'data');
    const grid = await screen.findByRole('grid', { name: 'Accounts' });
    const header = (name: string) => within(grid).getByRole('columnheader', { name });
    await waitFor(() => expect(header('mrr')).toHaveAttribute('aria-sort', 'none'));
    expect(header('ID')).toHaveAttribute('aria-sort', 'ascending');

    await user.click(within(header('mrr')).getByRole('button'));
    expect(header('mrr')).toHaveAttribute('aria-sort', 'ascending');
    expect(header('ID')).toHaveAttribute('aria-sort', 'none');
    await waitFor(() =>
      expect(api.queryRecords).toHaveBeenLastCalledWith(
        expect.objectContaining({ sort: { column: { trait: 'mrr' }, direction: 'asc' } }),
      ),
    );
    await user.click(within(header('mrr')).getByRole('button'));
    expect(header('mrr')).toHaveAttribute('aria-sort', 'descending');

    await user.type(screen.getByLabelText('mrr at least'), '1,000');
    await user.type(screen.getByLabelText('Name contains'), 'acme');
    await user.type(screen.getByLabelText('Last synced from'), '2026-03-01');
    await user.selectOptions(screen.getByLabelText('trial is'), 'true');
    const view = {
      table: 'accounts',
      sort: { column: { trait: 'mrr' }, direction: 'desc' },
      filters: [
        { kind: 'text', column: { field: 'name' }, contains: 'acme' },
        { kind: 'date', column: { field: 'last_synced_at' }, from: '2026-03-01' },
        { kind: 'number', column: { trait: 'mrr' }, min: 1000 },
        { kind: 'boolean', column: { trait: 'trial' }, is: true },
      ],
      columns: ['mrr', 'trial'],
    };
    await waitFor(() => expect(api.queryRecords).toHaveBeenLastCalledWith({ ...view, page: { offset: 0, limit: 50 } }));

    await user.click(
      within(screen.getByRole('group', { name: 'Export accounts' })).getByRole('button', { name: 'Export CSV' }),
    );
    expect(api.exportData).toHaveBeenLastCalledWith(
      expect.objectContaining({ source: { kind: 'table', ...view }, format: 'csv' }),
    );

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() =>
      expect(api.queryRecords).toHaveBeenLastCalledWith({
        table: 'accounts',
        sort: view.sort,
        columns: view.columns,
        page: { offset: 0, limit: 50 },
      }),
    );
    // A third click goes back to the table's own order, by ID.
    await user.click(within(header('mrr')).getByRole('button'));
    expect(header('ID')).toHaveAttribute('aria-sort', 'ascending');
  });
  it('copies the page as shown as tab-separated text', async () => {
    const api = dataApi({
      config: {
        ...makeConfig({
          accounts: { enabled: true, fileRegex: '^a', mode: 'create_update', idColumn: 'id', nameColumn: 'name' },
        }),
        dataColumns: { accounts: ['plan'] },
      },
    });
    const { user } = await renderApp(api, 'data');
    const grid = await screen.findByRole('grid', { name: 'Accounts' });
    await waitFor(() => expect(headers(grid)).toContain('plan'));
    await user.click(screen.getByRole('button', { name: 'Copy page' }));
    const lines = (await navigator.clipboard.readText()).split('\n');
    expect(lines).toHaveLength(52);
    expect(lines.slice(0, 3)).toEqual([
      'ID\tName\tOrganization\tplan\tLast synced',
      'acc_0000000\tAccount 0\torg_1\tstarter\t2026-03-02T10:00:00.000Z',
      'acc_0000001\tAccount 1\torg_1\tgrowth\t2026-03-02T10:00:00.000Z',
    ]);
    expect(await screen.findByText('Copied 50 rows: paste them into Excel or Google Sheets.')).toBeInTheDocument();
  });
  it('still shows the chosen columns after a visit to another screen', async () => {
    const api = dataApi();
    // The back end keeps the choice in the settings, which the overview then carries.
    const initial = await api.getOverview();
    api.getOverview.mockClear();
    api.saveDataColumns.mockImplementation(async ({ table, columns }: { table: DataTable; columns: string[] }) => {
      const config = { ...initial.config!, dataColumns: { [table]: columns } };
      api.getOverview.mockResolvedValue({ ...initial, config });
      return { ok: true as const, config, scheduler: initial.scheduler };
    });
    const { user } = await renderApp(api, 'data');
    await screen.findByRole('grid', { name: 'Accounts' });
    await user.click(screen.getByText('Columns'));
    await user.click(
      within(screen.getByRole('group', { name: 'Trait columns' })).getByRole('checkbox', { name: 'mrr' }),
    );
    await waitFor(() => expect(api.getOverview).toHaveBeenCalledTimes(2));
    await user.click(screen.getByRole('link', { name: 'Query' }));
    await user.click(screen.getByRole('link', { name: 'Data' }));
    const grid = await screen.findByRole('grid', { name: 'Accounts' });
    await waitFor(() => expect(headers(grid)).toEqual(['ID', 'Name', 'Organization', 'mrr', 'Last synced']));
  });
  it('leaves a table’s filters behind when another table opens', async () => {
    const api = dataApi();
    const { user } = await renderApp(api, 'data');
    await screen.findByRole('grid', { name: 'Accounts' });
    await user.type(screen.getByLabelText('Name contains'), 'acme');
    await waitFor(() =>
      expect(api.queryRecords).toHaveBeenLastCalledWith(expect.objectContaining({ filters: expect.any(Array) })),
    );
    await user.click(screen.getByRole('tab', { name: /^Organizations/ }));
    await screen.findByRole('grid', { name: 'Organizations' });
    await waitFor(() =>
      expect(api.queryRecords).toHaveBeenLastCalledWith({ table: 'organizations', page: { offset: 0, limit: 50 } }),
    );
    const organizations = api.queryRecords.mock.calls.filter(
      ([args]) => (args as RecordsRequest).table === 'organizations' && (args as RecordsRequest).page.limit > 1,
    );
    expect(organizations.filter(([args]) => (args as RecordsRequest).filters)).toEqual([]);
  });
});
