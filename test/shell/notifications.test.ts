// Notifications: one per failing run with its reason, one when syncing recovers, none otherwise;
// a click opens the window on that run's log.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { NotificationConstructorOptions } from 'electron';
import type { RunReport } from '../../electron/shared/contract';
import { NotificationService } from '../../electron/main/notifications';
import type { LastRun } from '../../electron/main/tray';

/** Electron 42+ on macOS: an unsigned app's notification emits 'failed' instead of showing. */
class FakeNotification extends EventEmitter {
  shown = false;
  constructor(
    readonly options: NotificationConstructorOptions,
    private readonly signedApp = true,
  ) {
    super();
  }
  show() {
    if (this.signedApp) this.shown = true;
    else this.emit('failed', { preventDefault() {} }, 'Notifications are not allowed for this application');
  }
  /** Windows: the toast times out into the Action Center, emitting close (Electron's docs). */
  timeOut() {
    this.emit('close', { reason: 'timedOut' });
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

function setUp(
  lastRun: LastRun | null = null,
  supported = true,
  {
    platform = 'linux',
    signedApp = true,
    enabled = () => true,
  }: { platform?: NodeJS.Platform; signedApp?: boolean; enabled?: () => boolean } = {},
) {
  const shown: FakeNotification[] = [];
  const opened: (number | null)[] = [];
  const undeliverable: string[] = [];
  const service = new NotificationService(
    {
      createNotification: (options) => {
        const notification = new FakeNotification(options, signedApp);
        shown.push(notification);
        return notification;
      },
      isSupported: () => supported,
      isEnabled: enabled,
      openRunLog: (runId) => opened.push(runId),
      platform,
      onUndeliverable: (error) => undeliverable.push(error),
    },
    lastRun,
  );
  return {
    service,
    shown,
    opened,
    undeliverable,
    texts: () => shown.map((n) => `${n.options.title}: ${n.options.body}`),
  };
}

describe('notifications', () => {
  it('stay quiet while "this computer" is unticked on the Schedule screen, and still know a recovery after', () => {
    let enabled = false;
    const { service, texts } = setUp(null, true, { enabled: () => enabled });
    service.onRunFinished(report('failed'));
    expect(texts()).toEqual([]);
    enabled = true;
    service.onRunFinished(report('succeeded'));
    expect(texts()).toEqual(['Syncing works again: The last sync succeeded: 1,200 rows from 3 files.']);
  });

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

  it('stay clickable on Windows after a toast timed out into the Action Center', () => {
    const { service, shown, opened } = setUp(null, true, { platform: 'win32' });
    const failed = report('failed');
    service.onRunFinished(failed);
    shown[0]!.timeOut();
    // Still referenced, so its click handler lives (a collected notification's click does nothing).
    expect(service.referencedCount()).toBe(1);
    shown[0]!.emit('click');
    expect(opened).toEqual([failed.runId]);
    expect(service.referencedCount()).toBe(0);
  });

  it('are let go when closed elsewhere (nothing can click them later)', () => {
    const { service, shown } = setUp(null, true, { platform: 'linux' });
    service.onRunFinished(report('failed'));
    shown[0]!.emit('close', { reason: 'userCanceled' });
    expect(service.referencedCount()).toBe(0);
  });

  it('give up once the OS refuses them (macOS, unsigned app), leaving the news to the tray', () => {
    const { service, shown, undeliverable } = setUp(null, true, { platform: 'darwin', signedApp: false });
    service.onRunFinished(report('failed'));
    service.onRunFinished(report('failed'));
    expect(shown).toHaveLength(1);
    expect(undeliverable).toEqual(['Notifications are not allowed for this application']);
    expect(service.tellRunningInBackground()).toBe(false);
  });

  it('say once that the app is still running when asked (the close of a window without a known tray)', () => {
    const { service, texts } = setUp();
    expect(service.tellRunningInBackground()).toBe(true);
    expect(texts()[0]).toMatch(/^S3 CSV Sync is still running: It keeps syncing on schedule/);
  });

  it('are skipped where the desktop has no notification service', () => {
    const { service, shown } = setUp(null, false);
    service.onRunFinished(report('failed'));
    expect(shown).toEqual([]);
  });
});
