// The words of an alert, built from a run report: an email's subject and text, and a webhook's JSON
// (a Slack-compatible `text` that Slack, Teams and Google Chat show, plus the structured report).
import type { AlertKind } from '../../shared/alerts';
import type { FileReport, RejectedRow, RunCounts } from '../../shared/domain';

/** Enough to act on without flooding a chat channel; the run log has the rest. */
export const MAX_FILES_LISTED = 20;
export const MAX_REJECTS_LISTED = 5;
const MAX_RAW_CHARS = 200;
const MAX_SUBJECT_REASON = 90;

export interface AlertRun {
  runId: number | null;
  status: 'succeeded' | 'partial' | 'failed' | 'interrupted';
  error: string | null;
  trigger: string;
  startedAt: string;
  finishedAt: string;
  counts: RunCounts;
  files: FileReport[];
  rejects: RejectedRow[];
  rejectedTotal: number;
}

export interface AlertContent {
  kind: AlertKind;
  run: AlertRun;
  /** "bucket/prefix", the place the sync reads. */
  source: string;
  /** Identical failures in a row, this run included (0 for a recovery). */
  streak: number;
  failingSince: string;
  /** How to open this run's log where it was recorded (the app's Sync log, or the CLI's database). */
  runLogHint: string;
  /** The computer that ran the sync. */
  host: string;
}

export interface AlertMessage {
  subject: string;
  text: string;
  webhookBody: Record<string, unknown>;
}

export function composeAlert(content: AlertContent): AlertMessage {
  const subject = `S3 CSV Sync: ${headline(content)}`;
  const failed = content.run.files.filter((f) => f.status === 'failed');
  const paragraphs = [
    opening(content),
    counts(content.run),
    failed.length ? failedFilesList(failed) : '',
    content.run.rejects.length ? rejectsList(content.run) : '',
    repeatNote(content),
    `To see the whole run: ${content.runLogHint}`,
    `Sent by S3 CSV Sync on ${content.host}.`,
  ].filter(Boolean);
  return {
    subject,
    text: `${paragraphs.join('\n\n')}\n`,
    webhookBody: {
      text: [subject, ...failed.slice(0, 5).map((f) => `• ${f.key}: ${f.error ?? 'failed'}`), content.runLogHint].join(
        '\n',
      ),
      kind: content.kind,
      source: content.source,
      host: content.host,
      failingSince: content.kind === 'test' ? null : content.failingSince,
      identicalFailuresInARow: content.streak,
      run: {
        runId: content.run.runId,
        status: content.run.status,
        error: content.run.error,
        trigger: content.run.trigger,
        startedAt: content.run.startedAt,
        finishedAt: content.run.finishedAt,
        counts: content.run.counts,
        failedFiles: failed
          .slice(0, MAX_FILES_LISTED)
          .map((f) => ({ type: f.type, key: f.key, error: f.error ?? null })),
        filesFailed: failed.length,
        firstRejectedRows: content.run.rejects.slice(0, MAX_REJECTS_LISTED).map(clipRaw),
        rejectedTotal: content.run.rejectedTotal,
      },
      runLog: content.runLogHint,
    },
  };
}

function headline({ kind, run, source, streak, failingSince }: AlertContent): string {
  if (kind === 'test') return `test alert for ${source}`;
  if (kind === 'recovery') return `syncing works again in ${source}`;
  const what = failureSummary(run, source);
  if (kind === 'still-failing') return `still failing (${streak} syncs in a row) — ${what}`;
  if (kind === 'reminder') return `reminder: failing since ${day(failingSince)} — ${what}`;
  return `sync ${run.status === 'partial' ? 'partly failed' : 'failed'} — ${what}`;
}

function failureSummary(run: AlertRun, source: string): string {
  const failed = run.files.filter((f) => f.status === 'failed').length;
  if (failed > 0) return `${plural(failed, 'file')} failed in ${source}`;
  const reason = (run.error ?? 'the sync could not run').replace(/\s+/g, ' ').trim();
  if (reason.length <= MAX_SUBJECT_REASON) return `${source}: ${reason}`;
  const cut = reason.slice(0, MAX_SUBJECT_REASON - 1);
  const short = `${cut.slice(0, cut.lastIndexOf(' ') > 0 ? cut.lastIndexOf(' ') : cut.length)}…`;
  return `${source}: ${short}`;
}

function opening({ kind, run, source, failingSince }: AlertContent): string {
  const which = `The sync of ${source} that started ${when(run.startedAt)} (${run.runId === null ? 'not in the run log' : `run #${run.runId}`}, ${run.trigger})`;
  if (kind === 'test')
    return 'This is a test alert from S3 CSV Sync: alerts about failing syncs will arrive here. Nothing has failed.';
  if (kind === 'recovery') return `${which} succeeded. Syncs had been failing since ${when(failingSince)}.`;
  const failed = run.files.filter((f) => f.status === 'failed').length;
  if (run.status === 'partial')
    return `${which} partly failed: ${failed} of ${run.files.length} files could not be imported.`;
  return `${which} failed${run.error ? `: ${run.error}` : failed ? `: none of its ${plural(failed, 'file')} could be imported.` : '.'}`;
}

function counts(run: AlertRun): string {
  if (run.runId === null && run.files.length === 0) return '';
  const by = (status: FileReport['status']) => run.files.filter((f) => f.status === status).length;
  const c = run.counts;
  return (
    `Files: ${by('imported')} imported, ${by('unchanged')} unchanged, ${by('failed')} failed. ` +
    `Rows: ${n(c.rows)} read — ${n(c.created)} created, ${n(c.updated)} updated, ${n(c.skipped)} skipped, ${n(c.rejected)} rejected.`
  );
}

function failedFilesList(failed: FileReport[]): string {
  const lines = failed.slice(0, MAX_FILES_LISTED).map((f) => `  - ${f.key} (${f.type}): ${f.error ?? 'failed'}`);
  if (failed.length > MAX_FILES_LISTED)
    lines.push(`  … and ${failed.length - MAX_FILES_LISTED} more (see the run log)`);
  return `Failed files:\n${lines.join('\n')}`;
}

function rejectsList(run: AlertRun): string {
  const lines = run.rejects
    .slice(0, MAX_REJECTS_LISTED)
    .map(clipRaw)
    .map((r) => `  - ${r.key}, line ${r.line}: ${r.reason}\n      ${r.raw}`);
  return `First rejected rows (${n(run.rejectedTotal)} in all):\n${lines.join('\n')}`;
}

function repeatNote({ kind, streak }: AlertContent): string {
  if (kind === 'still-failing')
    return `This sync has now failed the same way ${streak} times in a row. Until it changes (or works again), you will get one reminder a day instead of an alert for every sync.`;
  if (kind === 'reminder')
    return `It has failed the same way ${streak} times in a row. This is the daily reminder; an alert comes as soon as the failure changes or syncing works again.`;
  return '';
}

function clipRaw(reject: RejectedRow): RejectedRow {
  return reject.raw.length > MAX_RAW_CHARS ? { ...reject, raw: `${reject.raw.slice(0, MAX_RAW_CHARS - 1)}…` } : reject;
}

function when(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}

function plural(count: number, noun: string): string {
  return `${n(count)} ${noun}${count === 1 ? '' : 's'}`;
}
