// Sync log: every run with trigger, status, duration and counts; a run's files and rejected rows; the chart.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../../electron/shared/contract';
import { App } from '../src/app/App';
import { createFakeApi, makeConfig, makeOverview, makeRun } from './fake-api';
import { emit, renderApp } from './render-app';
import { render } from '@testing-library/react';

const DETAIL: RunDetail = {
  run: makeRun({
    id: 2,
    status: 'partial',
    filesImported: 1,
    filesUnchanged: 1,
    filesFailed: 1,
    overCap: { accounts: 4 },
  }),
  files: [
    {
      objectType: 'accounts',
      key: 'vitally/accounts/a.csv',
      size: 1024,
      status: 'imported',
      rows: 120,
      created: 100,
      updated: 15,
      skipped: 2,
      rejected: 3,
      error: null,
      warnings: ['2 accounts refer to an organization that does not exist'],
    },
    {
      objectType: 'accounts',
      key: 'vitally/accounts/b.csv',
      size: 10,
      status: 'unchanged',
      rows: 0,
      created: 0,
      updated: 0,
      skipped: 0,
      rejected: 0,
      error: null,
      warnings: [],
    },
    {
      objectType: 'users',
      key: 'vitally/users/u.csv',
      size: 99,
      status: 'failed',
      rows: 0,
      created: 0,
      updated: 0,
      skipped: 0,
      rejected: 0,
      error: 'The column "email" is not in the file; its columns are: id, name.',
      warnings: [],
    },
  ],
  rejects: {
    total: 3,
    items: [{ key: 'vitally/accounts/a.csv', line: 7, reason: 'missing account ID', raw: ',Nameless Inc,org_1' }],
  },
  alerts: [],
};

describe('Sync log', () => {
  it('says what to do when there is no run yet', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig() }));
    const { user } = await renderApp(api, 'log');
    expect(await screen.findByText('No syncs yet')).toBeInTheDocument();
    await user.click(screen.getAllByRole('button', { name: 'Sync now' })[1]!);
    expect(api.syncNow).toHaveBeenCalled();
  });

  it('lists runs with trigger, status, duration and counts, draws the chart, and opens a run’s files and rejected rows', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig() }));
    api.listRuns.mockResolvedValue([
      DETAIL.run,
      makeRun({
        id: 1,
        trigger: 'settings-changed',
        rejected: 0,
        finishedAt: '2026-03-02T11:05:00.000Z',
        startedAt: '2026-03-02T10:00:00.000Z',
      }),
    ]);
    api.runChart.mockResolvedValue([
      { runId: 1, startedAt: '2026-03-02T10:00:00.000Z', status: 'succeeded', rows: 120, rejected: 0 },
      { runId: 2, startedAt: '2026-03-02T10:00:00.000Z', status: 'partial', rows: 120, rejected: 3 },
    ]);
    api.getRun.mockResolvedValue(DETAIL);
    const { user } = await renderApp(api, 'log');
    const table = await screen.findByRole('grid', { name: 'Sync runs, newest first' });
    const [, first, second] = within(table).getAllByRole('row');
    expect(
      within(first!)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual([
      expect.stringContaining(', run 2'),
      'Sync now',
      'Partial',
      '4.5 s',
      '1 imported1 unchanged1 failed',
      '120',
      '100',
      '15',
      '2',
      '3',
    ]);
    expect(within(second!).getAllByRole('cell')[1]).toHaveTextContent('Settings changed');
    expect(within(second!).getAllByRole('cell')[3]).toHaveTextContent('1 h 5 min');
    expect(screen.getByRole('img', { name: /^2 runs from .*: 240 rows read, 3 rejected\.$/ })).toBeInTheDocument();
    expect(document.querySelectorAll('.chart-bar-rejected')).toHaveLength(1);

    await user.click(first!);
    expect(api.getRun).toHaveBeenCalledWith({ runId: 2, rejectsLimit: 100 });
    const detail = await screen.findByRole('region', { name: /^Run 2 — / });
    expect(within(detail).getByRole('heading', { level: 2 })).toHaveFocus();
    expect(within(detail).getByText(/Accounts: 4 files\. Narrow the file pattern/)).toBeInTheDocument();
    const files = within(detail).getByRole('table', { name: 'Files of run 2' });
    expect(
      within(files)
        .getAllByRole('row')
        .slice(1)
        .map((r) => within(r).getAllByRole('cell')[2]!.textContent),
    ).toEqual(['Imported', 'Unchanged', 'Failed']);
    expect(
      within(files)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['Type', 'Key', 'Status', 'Size', 'Rows', 'Created', 'Updated', 'Skipped', 'Rejected']);
    expect([...within(files).getAllByRole('row')[1]!.querySelectorAll('td.num')].map((c) => c.textContent)).toEqual([
      '1.0 KB',
      '120',
      '100',
      '15',
      '2',
      '3',
    ]);
    expect(
      within(files).getByText('The column "email" is not in the file; its columns are: id, name.'),
    ).toBeInTheDocument();
    expect(within(files).getByText('2 accounts refer to an organization that does not exist')).toBeInTheDocument();
    const rejects = within(detail).getByRole('table', { name: 'Rejected rows of run 2' });
    expect(within(rejects).getAllByRole('row')[1]!.textContent).toBe(
      'vitally/accounts/a.csv7missing account ID,Nameless Inc,org_1',
    );

    api.getRun.mockResolvedValueOnce({
      ...DETAIL,
      rejects: {
        total: 3,
        items: [
          { key: 'vitally/accounts/a.csv', line: 9, reason: 'bad', raw: 'x' },
          { key: 'vitally/accounts/a.csv', line: 11, reason: 'bad', raw: 'y' },
        ],
      },
    });
    await user.click(within(detail).getByRole('button', { name: 'Show more' }));
    expect(api.getRun).toHaveBeenLastCalledWith({ runId: 2, rejectsOffset: 1, rejectsLimit: 100 });
    expect(await within(rejects).findByText('y')).toBeInTheDocument();
    expect(within(detail).queryByRole('button', { name: 'Show more' })).not.toBeInTheDocument();
  });

  it('names every failed file of a partial run, and the files that left the sync', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig() }));
    const secondFailure = { ...DETAIL.files[2]!, key: 'vitally/users/v.csv', error: 'The file is empty.' };
    const run = makeRun({
      id: 2,
      status: 'partial',
      error:
        '2 of 4 files failed. vitally/users/u.csv: The column "email" is not in the file; its columns are: id, name.',
      filesGone: [
        { objectType: 'users', key: 'vitally/users/users_2024-02.csv', reason: 'deleted' },
        { objectType: 'accounts', key: 'vitally/accounts/old.csv', reason: 'unselected' },
      ],
    });
    api.listRuns.mockResolvedValue([run]);
    api.getRun.mockResolvedValue({ ...DETAIL, run, files: [...DETAIL.files, secondFailure] });
    const { user } = await renderApp(api, 'log');
    await user.click(await screen.findByRole('row', { name: /run 2/ }));
    const detail = await screen.findByRole('region', { name: /^Run 2 — / });
    expect(within(detail).queryByText('Why the run failed')).not.toBeInTheDocument();
    const failed = within(detail).getByText('2 files of 4 failed').closest('.banner')!;
    expect(failed).toHaveTextContent('vitally/users/u.csv: The column "email" is not in the file');
    expect(failed).toHaveTextContent('vitally/users/v.csv: The file is empty.');
    const gone = within(detail).getByText('2 files left the sync in this run').closest('.banner')!;
    expect(gone).toHaveTextContent('vitally/users/users_2024-02.csv (Users): no longer in the bucket');
    expect(gone).toHaveTextContent('vitally/accounts/old.csv (Accounts): no longer selected by the file pattern');
    // Esc closes the run.
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('region', { name: /^Run 2 — / })).not.toBeInTheDocument();
  });

  it('is one tab stop for all the runs: arrow keys move, Enter opens a run, Esc closes it and goes back to its row', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig() }));
    api.listRuns.mockResolvedValue([3, 2, 1].map((id) => makeRun({ id })));
    api.getRun.mockImplementation(async ({ runId }: { runId: number }) => ({
      ...DETAIL,
      run: makeRun({ id: runId }),
    }));
    const { user } = await renderApp(api, 'log');
    const grid = await screen.findByRole('grid', { name: 'Sync runs, newest first' });
    expect(grid).toHaveAccessibleDescription('Arrow keys move between runs; Enter opens one; Esc closes it.');
    const rows = within(grid).getAllByRole('row').slice(1);
    expect(rows.filter((r) => r.tabIndex === 0)).toEqual([rows[0]]);
    expect(within(grid).queryAllByRole('button')).toEqual([]);

    rows[0]!.focus();
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(rows[2]).toHaveFocus();
    await user.keyboard('{ArrowUp}');
    expect(rows[1]).toHaveFocus();
    expect(rows.filter((r) => r.tabIndex === 0)).toEqual([rows[1]]);
    await user.keyboard('{Enter}');
    const detail = await screen.findByRole('region', { name: /^Run 2 — / });
    expect(within(detail).getByRole('heading', { level: 2 })).toHaveFocus();
    expect(rows[1]).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('region', { name: /^Run 2 — / })).not.toBeInTheDocument());
    expect(rows[1]).toHaveFocus();
    await user.keyboard('{End}');
    expect(rows[2]).toHaveFocus();
  });

  it('reloads when a run finishes', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig() }));
    await renderApp(api, 'log');
    await screen.findByText('No syncs yet');
    api.listRuns.mockResolvedValue([makeRun({ id: 5 })]);
    emit(api, 'runFinished', {
      runId: 5,
      trigger: 'manual',
      status: 'succeeded',
      startedAt: '',
      finishedAt: '',
      counts: { files: 1, rows: 1, created: 1, updated: 0, skipped: 0, rejected: 0 },
    });
    expect(await screen.findByRole('grid', { name: 'Sync runs, newest first' })).toBeInTheDocument();
  });

  it('opens the run the desktop app asks for (a clicked notification)', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig() }));
    api.listRuns.mockResolvedValue([DETAIL.run]);
    api.getRun.mockResolvedValue(DETAIL);
    let navigate: ((request: { screen: 'log'; runId: number | null }) => void) | undefined;
    const desktop = {
      on: ((event: string, listener: (request: { screen: 'log'; runId: number | null }) => void) => {
        if (event === 'navigate') navigate = listener;
        return () => undefined;
      }) as never,
    };
    window.history.replaceState(null, '', '/#/data');
    render(<App api={api} desktop={desktop} />);
    await screen.findByRole('heading', { level: 1, name: 'Data' });
    emit(api, 'schedulerChanged', makeOverview().scheduler);
    const { act } = await import('@testing-library/react');
    act(() => navigate!({ screen: 'log', runId: 2 }));
    expect(await screen.findByRole('region', { name: /^Run 2 — / })).toBeInTheDocument();
  });
});
