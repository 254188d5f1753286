// When a run deserves an alert. The rule (docs/alerts.md, "When alerts are sent"):
// - a failed or partial run: one alert, unless it failed exactly as the runs before it did;
// - the SAME_FAILURE_LIMIT-th identical failure in a row: a "still failing" alert saying that from now
//   on only a daily reminder follows; later identical failures: a reminder once REMINDER_INTERVAL_MS
//   has passed since the last "still failing" or reminder, else nothing (the log says why);
// - a failure that differs (another error, other files) starts afresh;
// - a succeeded run after a failed or partial one: one "works again" alert;
// - interrupted runs (stopped by the user or by quitting) are skipped: neither failure nor recovery.
import type { AlertKind } from '../../shared/alerts';
import type { PastRun } from '../db/alert-log';

/** Identical failures in a row after which only the daily reminder is sent. */
export const SAME_FAILURE_LIMIT = 3;
export const REMINDER_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** How many earlier runs the rule looks at: at four runs a day, about four months. */
export const HISTORY_LIMIT = 500;

export interface RunToJudge {
  status: 'succeeded' | 'partial' | 'failed' | 'interrupted';
  error: string | null;
  startedAt: string;
  failedFiles: { key: string; error: string | null }[];
}

export type AlertDecision =
  | {
      send: true;
      kind: AlertKind;
      /** identical failures in a row, this one included */ streak: number;
      failingSince: string;
    }
  | {
      send: false;
      /** why nothing is sent, for the run log; null when there is nothing to tell */ heldBack: string | null;
    };

/** Two failures are the same when they have the same status, error and failed files with their reasons. */
export function failureSignature(run: Pick<RunToJudge, 'status' | 'error' | 'failedFiles'>): string {
  const files = run.failedFiles.map((f) => `${f.key}\u0000${f.error ?? ''}`).sort();
  return JSON.stringify([run.status, run.error ?? '', files]);
}

/**
 * previous: finished runs before this one, newest first, interrupted ones left out.
 * lastNoteAt: when the last "still failing" or reminder alert about one of these runs went out.
 */
export function decideAlert(
  run: RunToJudge,
  previous: PastRun[],
  lastNoteAt: (runIds: number[]) => string | null,
  now: Date,
): AlertDecision {
  if (run.status === 'interrupted') return { send: false, heldBack: null };
  const before = previous[0];
  if (run.status === 'succeeded') {
    if (before && before.status !== 'succeeded')
      return { send: true, kind: 'recovery', streak: 0, failingSince: failingSince(previous) };
    return { send: false, heldBack: null };
  }
  const signature = failureSignature(run);
  const sameBefore: PastRun[] = [];
  for (const past of previous) {
    if (past.status === 'succeeded' || failureSignature(past) !== signature) break;
    sameBefore.push(past);
  }
  const streak = sameBefore.length + 1;
  const since = sameBefore.at(-1)?.startedAt ?? run.startedAt;
  if (streak < SAME_FAILURE_LIMIT) return { send: true, kind: 'failure', streak, failingSince: since };
  if (streak === SAME_FAILURE_LIMIT) return { send: true, kind: 'still-failing', streak, failingSince: since };
  const last = lastNoteAt(sameBefore.map((p) => p.id));
  const nextReminder = last === null ? 0 : Date.parse(last) + REMINDER_INTERVAL_MS;
  if (now.getTime() >= nextReminder) return { send: true, kind: 'reminder', streak, failingSince: since };
  return {
    send: false,
    heldBack:
      `Not sent: this sync failed exactly as the ${streak - 1} before it (since ${since}). ` +
      `Identical failures get one reminder a day; the next one is due after ${new Date(nextReminder).toISOString()}.`,
  };
}

/** When the failures a recovery ends began: the oldest failed or partial run in the latest unbroken series. */
function failingSince(previous: PastRun[]): string {
  let since = previous[0]!.startedAt;
  for (const past of previous) {
    if (past.status === 'succeeded') break;
    since = past.startedAt;
  }
  return since;
}
