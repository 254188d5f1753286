// The configuration's "alerts" (the shape the issue gives, for `sync`, `watch` and the app): accepted
// as written, and refused with the field and the fix when wrong, a secret put in it especially.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../electron/shared/config';
import { sampleConfig } from '../../scripts/sample-config';

const base = () =>
  JSON.parse(JSON.stringify(sampleConfig({ endpoint: 'http://127.0.0.1:9000', bucket: 'acme-exports' })));

function problemsOf(alerts: unknown): string[] {
  try {
    parseConfig({ ...base(), alerts });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('alerts in the configuration', () => {
  it('takes the shape of the issue, the desktop notification on unless said otherwise', () => {
    const alerts = {
      email: {
        to: ['cs-lead@acme.io'],
        from: 's3-csv-sync@acme.io',
        smtp: { host: 'smtp.acme.io', port: 587, security: 'starttls', user: 'sync' },
      },
      webhook: { enabled: true },
    };
    expect(parseConfig({ ...base(), alerts }).alerts).toEqual({ desktop: true, ...alerts });
    expect(parseConfig(base()).alerts).toBeUndefined();
  });

  it('names each wrong field and says how to fix it', () => {
    expect(
      problemsOf({
        email: { to: [], from: 'sync', smtp: { host: 'smtp acme', port: 70000, security: 'ssl' } },
        webhook: { enabled: 'yes' },
      }),
    ).toEqual([
      'alerts.email.to: must list at least one address',
      'alerts.email.from: must be an email address, for example "cs-lead@acme.io"',
      'alerts.email.smtp.host: must be a host name, for example "smtp.acme.io"',
      'alerts.email.smtp.port: must be between 1 and 65535',
      'alerts.email.smtp.security: must be "tls" (port 465), "starttls" (port 587) or "none" (a relay on a trusted network)',
      'alerts.webhook.enabled: must be a boolean',
    ]);
  });

  it('refuses a password or a webhook URL put in the file, saying where they belong', () => {
    const smtp = { host: 'smtp.acme.io', port: 587, security: 'starttls', user: 'sync', password: 'hunter2' };
    const [password] = problemsOf({ email: { to: ['a@acme.io'], from: 'b@acme.io', smtp } });
    expect(password).toBe(
      'alerts.email.smtp: unknown field "password" (the SMTP password never goes in the configuration: set S3_CSV_SYNC_SMTP_PASSWORD or store it in the keychain from the Schedule screen)',
    );
    expect(password).not.toContain('hunter2');
    const [url] = problemsOf({ webhook: { enabled: true, url: 'https://hooks.slack.com/services/T/B/x' } });
    expect(url).toMatch(
      /^alerts\.webhook: unknown field "url" \(the webhook URL is a secret .*S3_CSV_SYNC_WEBHOOK_URL/,
    );
  });
});
