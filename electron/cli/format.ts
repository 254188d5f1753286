// Readable CLI output: the run summary, the preview table and a progress bar for terminals.
import type { RunReport, SyncProgress, SyncReport } from '../shared/domain';
import type { RunRow } from '../core/db/run-history';

const number = new Intl.NumberFormat('en-US');

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function plural(n: number, word: string): string {
  return `${number.format(n)} ${word}${n === 1 ? '' : 's'}`;
}

export function formatSyncReport(report: SyncReport, dbPath: string): string {
  const seconds = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  const by = (status: string) => report.files.filter((f) => f.status === status).length;
  const lines = [
    `Sync #${report.runId} ${report.status} in ${seconds.toFixed(1)} s: ${plural(report.files.length, 'file')} ` +
      `(${by('imported')} imported, ${by('unchanged')} unchanged, ${by('failed')} failed)`,
  ];
  if (report.error) lines.push(`  ${report.error}`);
  for (const file of report.files) {
    const counts =
      file.status === 'imported'
        ? `${plural(file.rows, 'row')}: ${file.created} created, ${file.updated} updated, ${file.skipped} skipped, ${file.rejected} rejected`
        : file.status === 'failed'
          ? (file.error ?? '')
          : 'not read again (same ETag, size and mapping as last import)';
    lines.push(`  ${file.type.padEnd(13)} ${file.status.padEnd(9)} ${file.key}  ${counts}`);
    for (const warning of file.warnings ?? []) lines.push(`    warning: ${warning}`);
  }
  for (const gone of report.filesGone ?? []) {
    const why = gone.reason === 'deleted' ? 'no longer in the bucket' : 'no longer selected by the file pattern';
    lines.push(`  ${gone.objectType.padEnd(13)} gone      ${gone.key}  ${why}; records no other file holds are stale`);
  }
  for (const [type, count] of Object.entries(report.overCap)) {
    if (count) lines.push(`  ${type}: ${plural(count, 'more matching file')} beyond the 1000-file limit were not read`);
  }
  const c = report.counts;
  lines.push(
    `Rows: ${number.format(c.rows)} read, ${number.format(c.created)} created, ` +
      `${number.format(c.updated)} updated, ${number.format(c.skipped)} skipped, ` +
      `${number.format(c.rejected)} rejected`,
  );
  if (c.rejected > 0)
    lines.push(
      `Rejected rows: sqlite3 "${dbPath}" "SELECT key, line, reason, raw FROM sync_rejects WHERE run_id = ${report.runId}"`,
    );
  lines.push(`Database: ${dbPath}`);
  return `${lines.join('\n')}\n`;
}

export function formatPreview(
  result: {
    type: string;
    selected: { key: string; size: number; lastModified: string }[];
    overCap: number;
    warning?: string;
  },
  pattern: string,
  listedCount: number,
): string {
  const lines = [
    `${result.type}: /${pattern}/ selects ${plural(result.selected.length, 'file')} of ${number.format(listedCount)} listed`,
  ];
  for (const file of result.selected) {
    lines.push(
      `  ${file.lastModified.slice(0, 19).replace('T', ' ')}  ${formatBytes(file.size).padStart(8)}  ${file.key}`,
    );
  }
  if (result.overCap)
    lines.push(
      `  + ${plural(result.overCap, 'more matching file')} beyond the 1000-file limit (a sync reads only the first 1000, in key order)`,
    );
  if (result.warning) lines.push(`Check the prefix: ${result.warning}`);
  return `${lines.join('\n')}\n`;
}

/** A one-line progress bar on a terminal (stderr), redrawn in place. */
export function createProgressBar(stream: NodeJS.WritableStream & { columns?: number }) {
  let drawn = false;
  return {
    update(p: SyncProgress): void {
      const width = Math.max(40, Math.min(stream.columns ?? 80, 120));
      let text: string;
      if (p.phase === 'listing') text = 'Listing the bucket...';
      else {
        const fraction = p.size > 0 ? Math.min(1, p.bytes / p.size) : 0;
        const barWidth = 20;
        const filled = Math.round(fraction * barWidth);
        text =
          `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ` +
          `file ${p.fileIndex}/${p.fileCount} ${number.format(p.rows)} rows ${p.key ?? ''}`;
      }
      stream.write(`\r${text.slice(0, width - 1).padEnd(width - 1)}`);
      drawn = true;
    },
    clear(): void {
      if (drawn) stream.write(`\r${' '.repeat(Math.max(40, Math.min(stream.columns ?? 80, 120)) - 1)}\r`);
      drawn = false;
    },
  };
}

/** One log line for a finished run (the watch command). */
export function formatRunLine(report: RunReport): string {
  const c = report.counts;
  const run = report.runId === null ? 'sync' : `sync #${report.runId}`;
  return (
    `${run} ${report.status}: ${plural(c.files, 'file')}, ${plural(c.rows, 'row')} (${c.created} created, ${c.updated} updated, ` +
    `${c.skipped} skipped, ${c.rejected} rejected)${report.error ? `. ${report.error}` : ''}`
  );
}

/** `status`: the last runs, newest first, and when the schedule runs the next one. */
export function formatStatus(target: string, runs: RunRow[], nextRunAt: string | null, knowsSchedule: boolean): string {
  const lines = [`Target: ${target}`];
  if (runs.length === 0) lines.push('No sync has run yet.');
  for (const run of runs) {
    const where = run.host ? ` on ${run.host} (pid ${run.pid})` : '';
    const alive = run.status === 'running' && run.heartbeatAt ? `, last heartbeat ${run.heartbeatAt}` : '';
    lines.push(
      `  #${run.id} ${run.status} (${run.trigger}) started ${run.startedAt}${where}${alive}: ` +
        `${plural(run.rows, 'row')}, ${run.created} created, ${run.updated} updated, ${run.rejected} rejected` +
        (run.error ? `. ${run.error}` : ''),
    );
  }
  lines.push(
    knowsSchedule
      ? nextRunAt
        ? `Next sync: ${nextRunAt}`
        : 'Next sync: none (the schedule is off)'
      : 'Next sync: give --config FILE to see it',
  );
  return `${lines.join('\n')}\n`;
}
