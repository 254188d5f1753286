// The repeat rule of alerts (docs/alerts.md): one alert per failing run, "still failing" at the third
// identical one, then one reminder a day; a different failure starts afresh; recovery once.
import { describe, expect, it } from 'vitest';
import type { PastRun } from '../../electron/core/db/alert-log';
import { decideAlert, REMINDER_INTERVAL_MS, type RunToJudge } from '../../electron/core/alerts/repeat-rule';

const badFile = [{ key: 'vitally/accounts/bad.csv', error: 'The name column "account_name" is not in the file.' }];
const partial: RunToJudge = {
  status: 'partial',
  error: null,
  startedAt: '2026-12-01T12:00:00.000Z',
  failedFiles: badFile,
};

function past(id: number, run: Partial<PastRun> = {}): PastRun {
  return {
    id,
    status: 'partial',
    error: null,
    startedAt: `2026-11-${String(id).padStart(2, '0')}T06:00:00.000Z`,
    failedFiles: badFile,
    ...run,
  };
}

const NOW = new Date('2026-12-01T12:00:00.000Z');
const never = () => null;

describe('when a run is alerted about', () => {
  it('the first failure, and the second identical one, each send an alert', () => {
    expect(decideAlert(partial, [], never, NOW)).toMatchObject({ send: true, kind: 'failure', streak: 1 });
    expect(decideAlert(partial, [past(9)], never, NOW)).toMatchObject({
      send: true,
      kind: 'failure',
      streak: 2,
      failingSince: '2026-11-09T06:00:00.000Z',
    });
  });

  it('the third identical failure in a row says "still failing"; the fourth is held back within a day', () => {
    expect(decideAlert(partial, [past(9), past(8)], never, NOW)).toMatchObject({ kind: 'still-failing', streak: 3 });
    const stillFailingAt = new Date(NOW.getTime() - 6 * 3600_000).toISOString();
    const decision = decideAlert(
      partial,
      [past(9), past(8), past(7)],
      (ids) => (ids.includes(9) ? stillFailingAt : null),
      NOW,
    );
    expect(decision).toEqual({
      send: false,
      heldBack: expect.stringContaining(
        `failed exactly as the 3 before it (since 2026-11-07T06:00:00.000Z). Identical failures get one reminder a day; the next one is due after ${new Date(Date.parse(stillFailingAt) + REMINDER_INTERVAL_MS).toISOString()}.`,
      ),
    });
  });

  it('a day after the last "still failing" or reminder, a reminder goes out', () => {
    const dayAndAMinuteAgo = new Date(NOW.getTime() - REMINDER_INTERVAL_MS - 60_000).toISOString();
    expect(decideAlert(partial, [past(9), past(8), past(7), past(6)], () => dayAndAMinuteAgo, NOW)).toMatchObject({
      send: true,
      kind: 'reminder',
      streak: 5,
      failingSince: '2026-11-06T06:00:00.000Z',
    });
  });

  it('a failure that differs (another reason, another file, another status) starts afresh', () => {
    const otherReason = { ...partial, failedFiles: [{ key: badFile[0]!.key, error: 'Access denied' }] };
    expect(decideAlert(otherReason, [past(9), past(8), past(7)], never, NOW)).toMatchObject({
      kind: 'failure',
      streak: 1,
    });
    const failed: RunToJudge = {
      status: 'failed',
      error: 'The bucket cannot be listed',
      startedAt: NOW.toISOString(),
      failedFiles: [],
    };
    expect(decideAlert(failed, [past(9), past(8)], never, NOW)).toMatchObject({ kind: 'failure', streak: 1 });
  });

  it('a success right after a failure says "works again" once; a success after a success says nothing', () => {
    const ok: RunToJudge = { status: 'succeeded', error: null, startedAt: NOW.toISOString(), failedFiles: [] };
    expect(
      decideAlert(ok, [past(9), past(8), past(7, { status: 'succeeded', failedFiles: [] })], never, NOW),
    ).toMatchObject({
      send: true,
      kind: 'recovery',
      failingSince: '2026-11-08T06:00:00.000Z',
    });
    expect(decideAlert(ok, [past(9, { status: 'succeeded', failedFiles: [] }), past(8)], never, NOW)).toEqual({
      send: false,
      heldBack: null,
    });
    expect(decideAlert(ok, [], never, NOW)).toEqual({ send: false, heldBack: null });
  });

  it('an interrupted run is neither a failure nor a recovery', () => {
    expect(decideAlert({ ...partial, status: 'interrupted' }, [past(9)], never, NOW)).toEqual({
      send: false,
      heldBack: null,
    });
  });
});
