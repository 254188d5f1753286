// OS notifications about syncs the user did not watch: one for each failed or partial run, saying why
// in plain words, and one when syncing works again after a failure. Clicking one opens the window on
// that run's log. A small class over an injected Notification factory (after Signal's tray service),
// so tests pass fakes.
import type { NotificationConstructorOptions } from 'electron';
import type { RunReport } from '../shared/contract';
import type { LastRun } from './tray';

export interface NotificationLike {
  on(event: 'click', listener: () => void): unknown;
  on(event: 'close', listener: (details: { reason?: string }) => void): unknown;
  on(event: 'failed', listener: (event: unknown, error: string) => void): unknown;
  show(): void;
}

export interface NotificationServiceDeps {
  createNotification(options: NotificationConstructorOptions): NotificationLike;
  /** Notification.isSupported(): false on a Linux desktop without a notification server. */
  isSupported(): boolean;
  /** "When a sync fails, notify: this computer" (alerts.desktop); left out: always. */
  isEnabled?(): boolean;
  /** Shows the window on the log of this run (null: the log, no run in particular). */
  openRunLog(runId: number | null): void;
  icon?: string;
  /** Windows keeps a timed-out toast in the Action Center, where a click must still reach its handler. */
  platform?: NodeJS.Platform;
  /** The OS would not show a notification (macOS: the app is not signed): the tray's icon is all the user sees. */
  onUndeliverable?: (error: string) => void;
}

/** Windows: how many closed toasts stay clickable in the Action Center (the newest). */
const KEPT_IN_ACTION_CENTER = 20;

/** Longest reason shown; notification centres cut long bodies anyway, and a clipped sentence reads worse. */
const MAX_REASON = 240;

export class NotificationService {
  private readonly notifiedRuns = new Set<string>();
  private failing: boolean;
  /** Set when the OS refused one (emitted 'failed'): the others would fail the same way. */
  private undeliverable = false;
  /** Shown notifications are kept referenced until closed: one collected early loses its click handler. */
  private readonly visible = new Set<NotificationLike>();

  /** lastRun: the latest run in the log at start, so a failure before a restart is followed by a "works again". */
  constructor(
    private readonly deps: NotificationServiceDeps,
    lastRun: LastRun | null = null,
  ) {
    this.failing = isFailure(lastRun?.status);
  }

  onRunFinished(report: RunReport): void {
    if (isFailure(report.status)) {
      this.failing = true;
      const key = runKey(report);
      if (this.notifiedRuns.has(key)) return;
      this.notifiedRuns.add(key);
      this.show(title(report), reason(report), report.runId);
    } else if (report.status === 'succeeded' && this.failing) {
      this.failing = false;
      this.show('Syncing works again', recovered(report), report.runId);
    }
    // An interrupted run (the app was quit or the sync stopped) is neither a failure nor a recovery.
  }

  /** Says once that the closed window went on running (where no tray may show it); false if it cannot be said. */
  tellRunningInBackground(): boolean {
    return this.show(
      'S3 CSV Sync is still running',
      'It keeps syncing on schedule. No icon in your panel? Start S3 CSV Sync again to open its window.',
      null,
      false,
    );
  }

  private show(title: string, body: string, runId: number | null, openLogOnClick = true): boolean {
    if (this.undeliverable || !this.deps.isSupported() || this.deps.isEnabled?.() === false) return false;
    const notification = this.deps.createNotification({
      title,
      body,
      ...(this.deps.icon ? { icon: this.deps.icon } : {}),
    });
    this.visible.add(notification);
    notification.on('click', () => {
      this.visible.delete(notification);
      if (openLogOnClick) this.deps.openRunLog(runId);
    });
    notification.on('close', () => {
      // Windows also emits close when a toast times out into the Action Center: keep it clickable there.
      if (this.deps.platform === 'win32') this.keepNewest();
      else this.visible.delete(notification);
    });
    notification.on('failed', (_event, error) => {
      this.visible.delete(notification);
      if (this.undeliverable) return;
      this.undeliverable = true;
      this.deps.onUndeliverable?.(error);
    });
    notification.show();
    return true;
  }

  private keepNewest(): void {
    for (const old of this.visible) {
      if (this.visible.size <= KEPT_IN_ACTION_CENTER) break;
      this.visible.delete(old);
    }
  }

  /** Notifications still referenced (so their click handlers live), for tests. */
  referencedCount(): number {
    return this.visible.size;
  }
}

function title(report: RunReport): string {
  // Scheduled syncs then wait for new credentials (the scheduler holds them): say so, once.
  if (report.credentialsExpired) return 'Sync stopped: the sign-in has expired';
  return report.status === 'failed' ? 'Sync failed' : 'Sync partly failed';
}

function isFailure(status: string | undefined): boolean {
  return status === 'failed' || status === 'partial';
}

/** A run's identity: its id in the run log, or (when it never got one) when and how it started. */
function runKey(report: RunReport): string {
  return report.runId !== null ? `run ${report.runId}` : `${report.trigger} at ${report.startedAt}`;
}

function reason(report: RunReport): string {
  const text = (report.error ?? '').replace(/\s+/g, ' ').trim();
  if (text === '')
    return report.status === 'failed'
      ? 'The sync could not run. Open the sync log to see why.'
      : 'Some files could not be imported. Open the sync log to see which.';
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

function recovered(report: RunReport): string {
  const { files, rows } = report.counts;
  return `The last sync succeeded: ${rows.toLocaleString('en-US')} row${rows === 1 ? '' : 's'} from ${files} file${files === 1 ? '' : 's'}.`;
}
