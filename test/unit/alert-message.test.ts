// The words of an alert: subjects that say what failed, and the webhook's Slack-compatible body.
import { describe, expect, it } from 'vitest';
import { composeAlert, type AlertContent } from '../../electron/core/alerts/alert-message';

const base: AlertContent = {
  kind: 'failure',
  run: {
    runId: 12,
    status: 'failed',
    error: 'The bucket "acme-exports" cannot be listed: access denied (403). Check the access key\'s permissions.',
    trigger: 'schedule',
    startedAt: '2026-12-01T06:00:00.000Z',
    finishedAt: '2026-12-01T06:00:02.000Z',
    counts: { files: 0, rows: 0, created: 0, updated: 0, skipped: 0, rejected: 0 },
    files: [],
    rejects: [],
    rejectedTotal: 0,
  },
  source: 'acme-exports/vitally/',
  streak: 1,
  failingSince: '2026-12-01T06:00:00.000Z',
  runLogHint: 'open S3 CSV Sync on laptop and go to Sync log, run #12.',
  host: 'laptop',
};

describe('alert messages', () => {
  it('a run that failed before reading any file says why in the subject, shortened', () => {
    const message = composeAlert(base);
    expect(message.subject).toBe(
      'S3 CSV Sync: sync failed — acme-exports/vitally/: The bucket "acme-exports" cannot be listed: access denied (403). Check the access key\'s…',
    );
    expect(message.text).toContain('(run #12, schedule) failed: The bucket "acme-exports" cannot be listed');
    expect(message.text).toContain('To see the whole run: open S3 CSV Sync on laptop and go to Sync log, run #12.');
  });

  it('many failed files are listed up to 20, the rest counted; rejected rows are clipped', () => {
    const files = Array.from({ length: 25 }, (_, i) => ({
      type: 'users' as const,
      key: `vitally/users/${i}.csv`,
      status: 'failed' as const,
      rows: 0,
      created: 0,
      updated: 0,
      skipped: 0,
      rejected: 0,
      error: 'Access denied',
    }));
    const message = composeAlert({
      ...base,
      kind: 'reminder',
      streak: 9,
      run: {
        ...base.run,
        error: null,
        files,
        rejects: [{ key: 'k', line: 2, reason: 'missing user ID', raw: 'x'.repeat(500) }],
        rejectedTotal: 40,
      },
    });
    expect(message.subject).toBe(
      'S3 CSV Sync: reminder: failing since 2026-12-01 — 25 files failed in acme-exports/vitally/',
    );
    expect(message.text).toContain('  - vitally/users/19.csv (users): Access denied\n  … and 5 more (see the run log)');
    expect(message.text).not.toContain('vitally/users/20.csv');
    expect(message.text).toContain(
      `First rejected rows (40 in all):\n  - k, line 2: missing user ID\n      ${'x'.repeat(199)}…`,
    );
    expect(message.webhookBody.text).toMatch(
      /^S3 CSV Sync: reminder: .*\n(• vitally\/users\/\d\.csv: Access denied\n){5}open S3 CSV Sync/,
    );
  });

  it('a test alert says nothing failed', () => {
    const message = composeAlert({
      ...base,
      kind: 'test',
      run: { ...base.run, runId: null, status: 'succeeded', error: null },
    });
    expect(message.subject).toBe('S3 CSV Sync: test alert for acme-exports/vitally/');
    expect(message.text).toMatch(/^This is a test alert from S3 CSV Sync: .* Nothing has failed\./);
    expect(message.webhookBody).toMatchObject({ kind: 'test', run: { status: 'succeeded' } });
  });
});
