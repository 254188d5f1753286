// On every screen: what the scheduler is doing, "Sync now", and while a sync runs a progress bar
// with the current file, its rows and bytes.
import type { SchedulerState, SyncProgress } from '../../../electron/shared/contract';
import { formatBytes, formatDateTime, formatNumber, formatRelative } from '../lib/format';
import { OBJECT_LABELS } from '../lib/object-types';
import { useNow } from '../lib/use-now';
import { useApp } from './app-context';

export function describeSchedule(scheduler: SchedulerState, now: number): string {
  if (scheduler.running) return 'Syncing now';
  if (scheduler.everyHours === null) return 'Syncs only when you press Sync now';
  if (scheduler.paused) return `Every ${scheduler.everyHours} hours — paused`;
  if (scheduler.nextRunAt === null) return `Every ${scheduler.everyHours} hours`;
  return `Next sync ${formatDateTime(scheduler.nextRunAt)} (${formatRelative(scheduler.nextRunAt, now)})`;
}

function statusDot(scheduler: SchedulerState, connected: boolean): string {
  if (scheduler.running) return 'status-dot-running';
  if (!connected) return 'status-dot-off';
  return scheduler.paused ? 'status-dot-paused' : 'status-dot-idle';
}

export function SyncBar() {
  const { overview, scheduler, progress, syncNow } = useApp();
  const now = useNow();
  const connected = overview.config !== null;
  return (
    <header className="topbar">
      <div className="topbar-row">
        <p className="topbar-status">
          <span className={`status-dot ${statusDot(scheduler, connected)}`} aria-hidden="true" />
          {connected ? describeSchedule(scheduler, now) : 'Not connected yet: start on the Connection screen'}
        </p>
        <button type="button" className="btn btn-primary" onClick={() => void syncNow()} disabled={!connected}>
          Sync now
        </button>
      </div>
      {scheduler.running && <SyncProgressView progress={progress} />}
    </header>
  );
}

function SyncProgressView({ progress }: { progress: SyncProgress | null }) {
  let label: string;
  let detail = '';
  let fraction: number | null = null;
  if (!progress) {
    label = 'Starting the sync…';
  } else if (progress.phase === 'listing') {
    label = 'Listing the files in the bucket…';
  } else {
    const type = progress.type ? `${OBJECT_LABELS[progress.type]}: ` : '';
    label = `${type}${progress.key ?? ''}`;
    const fileShare = progress.size > 0 ? Math.min(1, progress.bytes / progress.size) : 0;
    fraction = progress.fileCount > 0 ? Math.min(1, (progress.fileIndex - 1 + fileShare) / progress.fileCount) : null;
    detail =
      `File ${formatNumber(progress.fileIndex)} of ${formatNumber(progress.fileCount)} · ` +
      `${formatNumber(progress.rows)} rows · ${formatBytes(progress.bytes)} of ${formatBytes(progress.size)}`;
  }
  const percent = fraction === null ? undefined : Math.round(fraction * 100);
  return (
    <div className="sync-progress">
      <div className="sync-progress-text">
        <span className="sync-progress-label mono" title={label}>
          {label}
        </span>
        {detail && <span className="sync-progress-detail">{detail}</span>}
      </div>
      <div
        className={`progress ${percent === undefined ? 'progress-indeterminate' : ''}`}
        role="progressbar"
        aria-label="Sync progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={percent === undefined ? label : `${percent}% — ${detail}`}
      >
        <div className="progress-fill" style={percent === undefined ? undefined : { width: `${percent}%` }} />
      </div>
    </div>
  );
}
