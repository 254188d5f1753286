// Notifications: one per failing run with its reason, one when syncing recovers, none otherwise;
// a click opens the window on that run's log.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { NotificationConstructorOptions } from 'electron';
import type { RunReport } from '../../electron/shared/contract';
import { NotificationService, type NotificationLike } from '../../electron/main/notifications';
import type { LastRun } from '../../electron/main/tray';

class FakeNotification extends EventEmitter {
  shown = false;
  constructor(readonly options: NotificationConstructorOptions) {
    super();
  }
  show() {
    this.shown = true;
  }
}

let nextRunId = 1;
function report(status: RunReport['status'], overrides: Partial<RunReport> = {}): RunReport {
  return {
    runId: nextRunId++,
    trigger: 'schedule',
    status,
    startedAt: '2026-03-02T09:00:00.000Z',
    finishedAt: '2026-03-02T09:01:00.000Z',
    counts: { files: 3, rows: 1200, created: 10, updated: 1190, skipped: 0, rejected: 0 },
    ...(status === 'failed'
      ? { error: 'The secret access key is wrong for AKIAIOSFODNN7EXAMPLE: S3 refused the signature.' }
      : {}),
    ...(status === 'partial'
      ? { error: '1 of 3 files failed. accounts/emea.csv: the column "account_id" is not in the header.' }
      : {}),
    ...overrides,
  };
}

function setUp(lastRun: LastRun | null = null, supported = true) {
  const shown: FakeNotification[] = [];
  const opened: (number | null)[] = [];
  const service = new NotificationService(
    {
      createNotification: (options) => {
        const notification = new FakeNotification(options);
        shown.push(notification);
        return notification as NotificationLike;
      },
      isSupported: () => supported,
      openRunLog: (runId) => opened.push(runId),
    },
    lastRun,
  );
  return { service, shown, opened, texts: () => shown.map((n) => `${n.options.title}: ${n.options.body}`) };
}

describe('notifications', () => {
  it('tell of a failed run, with the reason in plain words', () => {
    const { service, shown, texts } = setUp();
    service.onRunFinished(report('failed'));
    expect(texts()).toEqual([
      'Sync failed: The secret access key is wrong for AKIAIOSFODNN7EXAMPLE: S3 refused the signature.',
    ]);
    expect(shown[0]!.shown).toBe(true);
  });

  it('say that scheduled syncs stopped when the sign-in expired, with the reason', () => {
    const { service, texts } = setUp();
    const error =
      'These temporary keys (ASIAEXAMPLE) expired at 14:05 UTC. Get new ones (key ID, secret and session token) from whoever issued them and enter them on the Connection screen.';
    service.onRunFinished(report('failed', { error, credentialsExpired: true }));
    expect(texts()).toEqual([`Sync stopped: the sign-in has expired: ${error}`]);
  });

  it('tell of a partial run, naming the file that failed', () => {
    const { service, texts } = setUp();
    service.onRunFinished(report('partial'));
    expect(texts()).toEqual([
      'Sync partly failed: 1 of 3 files failed. accounts/emea.csv: the column "account_id" is not in the header.',
    ]);
  });

  it('come once per failing run, even if its report arrives twice, and for each new failing run', () => {
    const { service, texts } = setUp();
    const first = report('failed');
    service.onRunFinished(first);
    service.onRunFinished(first);
    service.onRunFinished(report('failed'));
    // A run that failed before it reached the run log is told apart by when it started.
    service.onRunFinished(report('failed', { runId: null, error: 'There is no connection set up yet.' }));
    service.onRunFinished(report('failed', { runId: null, error: 'There is no connection set up yet.' }));
    service.onRunFinished(
      report('failed', {
        runId: null,
        startedAt: '2026-03-02T15:00:00.000Z',
        error: 'There is no connection set up yet.',
      }),
    );
    expect(texts()).toHaveLength(4);
  });

  it('say once that syncing works again, on the first success after a failure', () => {
    const { service, texts } = setUp();
    service.onRunFinished(report('succeeded'));
    expect(texts()).toEqual([]);
    service.onRunFinished(report('failed'));
    service.onRunFinished(report('partial'));
    service.onRunFinished(report('interrupted'));
    service.onRunFinished(report('succeeded'));
    service.onRunFinished(report('succeeded'));
    expect(texts()).toEqual([
      expect.stringMatching(/^Sync failed: /),
      expect.stringMatching(/^Sync partly failed: /),
      'Syncing works again: The last sync succeeded: 1,200 rows from 3 files.',
    ]);
  });

  it('count a failure before the app restarted, so the next success says it recovered', () => {
    const { service, texts } = setUp({ status: 'failed', finishedAt: '2026-03-01T09:00:00.000Z', error: 'x' });
    service.onRunFinished(
      report('succeeded', { counts: { files: 1, rows: 1, created: 1, updated: 0, skipped: 0, rejected: 0 } }),
    );
    expect(texts()).toEqual(['Syncing works again: The last sync succeeded: 1 row from 1 file.']);
  });

  it('say nothing about interrupted runs', () => {
    const { service, texts } = setUp();
    service.onRunFinished(report('interrupted', { error: 'The sync was stopped before it finished.' }));
    expect(texts()).toEqual([]);
  });

  it('open the window on the log of the run they are about when clicked', () => {
    const { service, shown, opened } = setUp();
    const failed = report('failed');
    service.onRunFinished(failed);
    service.onRunFinished(report('failed', { runId: null }));
    shown[0]!.emit('click');
    shown[1]!.emit('click');
    expect(opened).toEqual([failed.runId, null]);
  });

  it('shorten a very long reason, and fall back to words of their own when there is none', () => {
    const { service, texts } = setUp();
    service.onRunFinished(report('failed', { error: `Access denied. ${'x'.repeat(1000)}` }));
    service.onRunFinished(report('partial', { error: undefined }));
    const [long, none] = texts();
    expect(long!.length).toBeLessThan(270);
    expect(long!.endsWith('…')).toBe(true);
    expect(none).toBe('Sync partly failed: Some files could not be imported. Open the sync log to see which.');
  });

  it('are skipped where the desktop has no notification service', () => {
    const { service, shown } = setUp(null, false);
    service.onRunFinished(report('failed'));
    expect(shown).toEqual([]);
  });
});
