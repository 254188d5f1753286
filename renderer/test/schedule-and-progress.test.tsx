// Schedule screen, and what every screen shows while a sync runs: "Sync now", the progress bar with
// the current file, rows and bytes, and the outcome when the run finishes.
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createFakeApi, IDLE_SCHEDULER, makeConfig, makeOverview } from './fake-api';
import { emit, renderApp } from './render-app';

const HOUR = 3600_000;

describe('Schedule', () => {
  it('says there is nothing to schedule before a connection exists', async () => {
    await renderApp(createFakeApi(), 'schedule');
    expect(screen.getByText('Nothing to schedule yet')).toBeInTheDocument();
  });

  it('shows the next sync time, and saving a new schedule says a sync started', async () => {
    const now = Date.now();
    const scheduler = {
      ...IDLE_SCHEDULER,
      everyHours: 24 as const,
      lastRunStart: now - 2 * HOUR,
      nextRunAt: now + 22 * HOUR,
    };
    const api = createFakeApi(makeOverview({ config: makeConfig({}, 24), scheduler }));
    api.setSchedule.mockResolvedValue({
      ok: true,
      config: makeConfig({}, 6),
      scheduler: { ...scheduler, everyHours: 6, running: true },
    });
    const { user } = await renderApp(api, 'schedule');
    expect(screen.getByRole('radio', { name: /Every 24 hours/ })).toBeChecked();
    expect(screen.getByText('Next sync').nextElementSibling).toHaveTextContent(/\(in 22 h\)$/);
    expect(screen.getByText('Last sync started').nextElementSibling).toHaveTextContent(/\(2 h ago\)$/);
    expect(screen.getByRole('banner')).toHaveTextContent(/Next sync .* \(in 22 h\)/);
    expect(screen.getByRole('button', { name: 'Save schedule' })).toBeDisabled();

    await user.click(screen.getByRole('radio', { name: /Every 6 hours/ }));
    expect(screen.getByText('Saving starts a sync right away.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save schedule' }));
    expect(api.setSchedule).toHaveBeenCalledWith({ everyHours: 6 });
    expect(await screen.findByText('Schedule saved: every 6 hours. A sync has started.')).toBeInTheDocument();
  });

  it('turns the schedule off, and pauses and resumes it', async () => {
    const scheduler = { ...IDLE_SCHEDULER, everyHours: 12 as const, nextRunAt: Date.now() + HOUR };
    const api = createFakeApi(makeOverview({ config: makeConfig({}, 12), scheduler }));
    const { user } = await renderApp(api, 'schedule');
    await user.click(screen.getByRole('button', { name: 'Pause schedule' }));
    expect(api.pauseSchedule).toHaveBeenCalled();
    const dot = () => screen.getByRole('banner').querySelector('.status-dot')!;
    expect(dot()).toHaveClass('status-dot-idle');
    emit(api, 'schedulerChanged', { ...scheduler, paused: true, nextRunAt: null });
    expect(screen.getByText('Next sync').nextElementSibling).toHaveTextContent('Paused');
    // Paused has its own dot, not the green of a running schedule.
    expect(dot()).toHaveClass('status-dot-paused');
    expect(dot()).not.toHaveClass('status-dot-idle');
    expect(screen.getByRole('button', { name: 'Resume schedule' })).toBeInTheDocument();

    await user.click(screen.getByRole('radio', { name: /Off/ }));
    await user.click(screen.getByRole('button', { name: 'Save schedule' }));
    expect(api.setSchedule).toHaveBeenCalledWith({ everyHours: null });
  });
});

describe('Sync now and live progress', () => {
  it('shows the running sync on every screen: file, rows, bytes, then the outcome', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig() }));
    const { user } = await renderApp(api, 'data');
    await user.click(screen.getByRole('button', { name: 'Sync now' }));
    expect(api.syncNow).toHaveBeenCalled();
    expect(await screen.findByText('Sync started.')).toBeInTheDocument();

    emit(api, 'schedulerChanged', { ...IDLE_SCHEDULER, running: true, runningSince: Date.now() });
    expect(screen.getByRole('progressbar', { name: 'Sync progress' })).toHaveAttribute(
      'aria-valuetext',
      'Starting the sync…',
    );
    emit(api, 'syncProgress', { runId: 7, phase: 'listing', fileIndex: 0, fileCount: 0, rows: 0, bytes: 0, size: 0 });
    expect(screen.getByText('Listing the files in the bucket…')).toBeInTheDocument();
    emit(api, 'syncProgress', {
      runId: 7,
      phase: 'importing',
      type: 'accounts',
      key: 'vitally/accounts/b.csv',
      fileIndex: 2,
      fileCount: 4,
      rows: 12_345,
      bytes: 512 * 1024,
      size: 1024 * 1024,
    });
    const bar = screen.getByRole('progressbar', { name: 'Sync progress' });
    expect(bar).toHaveAttribute('aria-valuenow', '38'); // (1 file done + half of the second) of 4
    expect(screen.getByText('Accounts: vitally/accounts/b.csv')).toBeInTheDocument();
    expect(screen.getByText('File 2 of 4 · 12,345 rows · 512 KB of 1.0 MB')).toBeInTheDocument();
    expect(screen.getByText('Syncing now')).toBeInTheDocument();

    api.syncNow.mockResolvedValueOnce({
      started: false,
      reason: 'A sync is already running (since 10:00).',
      runningSince: Date.now(),
    });
    await user.click(screen.getByRole('button', { name: 'Sync now' }));
    expect(await screen.findByText('A sync is already running (since 10:00).')).toBeInTheDocument();

    emit(api, 'runFinished', {
      runId: 7,
      trigger: 'manual',
      status: 'partial',
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      counts: { files: 4, rows: 20_000, created: 19_000, updated: 900, skipped: 0, rejected: 100 },
    });
    emit(api, 'schedulerChanged', IDLE_SCHEDULER);
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    const notices = screen.getAllByRole('status').find((el) => el.classList.contains('notices'))!;
    expect(notices).toHaveTextContent(
      'Sync finished with failed files: 20,000 rows read, 19,000 created, 900 updated, 100 rejected. See the Sync log',
    );
    // "See the Sync log" is a link that goes there.
    await user.click(within(notices).getByRole('link', { name: 'See the Sync log' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Sync log' })).toBeInTheDocument();
  });

  it('says why a run failed', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig() }));
    await renderApp(api, 'log');
    emit(api, 'runFinished', {
      runId: 8,
      trigger: 'schedule',
      status: 'failed',
      error: 'The secret access key is wrong for AKIAEXAMPLE.',
      startedAt: new Date().toISOString(),
      finishedAt: new Date().toISOString(),
      counts: { files: 0, rows: 0, created: 0, updated: 0, skipped: 0, rejected: 0 },
    });
    expect(await screen.findByText('Sync failed: The secret access key is wrong for AKIAEXAMPLE.')).toBeInTheDocument();
  });

  it('lets go of its event subscriptions when closed', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig() }));
    const { unmount } = await renderApp(api, 'log');
    expect(api.listenerCount('syncProgress')).toBe(1);
    unmount();
    expect(api.listenerCount('syncProgress')).toBe(0);
    expect(api.listenerCount('schedulerChanged')).toBe(0);
  });
});
