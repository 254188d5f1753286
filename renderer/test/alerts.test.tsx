// The Schedule screen's "When a sync fails, notify": the settings as the user fills them in, what is
// sent to the back end (secrets only when typed), the test alert's plain answer, refused settings, and
// a run's alert deliveries on the Sync log.
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../../electron/shared/contract';
import { createFakeApi, makeConfig, makeOverview, makeRun } from './fake-api';
import { emit, renderApp } from './render-app';

const EMAIL_ALERTS = {
  desktop: true,
  email: {
    to: ['cs-lead@acme.io'],
    from: 's3-csv-sync@acme.io',
    smtp: { host: 'smtp.acme.io', port: 587, security: 'starttls' as const, user: 'sync' },
  },
};

describe('alert settings on the Schedule screen', () => {
  it('fills in email and webhook, sends the typed secrets once, and clears them after saving', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig() }));
    const { user } = await renderApp(api, 'schedule');
    const form = screen.getByRole('form', { name: 'When a sync fails, notify' });
    expect(within(form).getByRole('checkbox', { name: 'This computer' })).toBeChecked();
    expect(within(form).queryByLabelText('Send to')).not.toBeInTheDocument();

    await user.click(within(form).getByRole('checkbox', { name: 'Email addresses' }));
    await user.type(within(form).getByLabelText('Send to'), 'cs-lead@acme.io, oncall@acme.io');
    await user.type(within(form).getByLabelText('From'), 's3-csv-sync@acme.io');
    await user.type(within(form).getByLabelText('SMTP server'), 'smtp.acme.io');
    await user.selectOptions(within(form).getByLabelText('Security'), 'tls');
    expect(within(form).getByLabelText('Port')).toHaveValue('465'); // follows the usual port
    await user.type(within(form).getByLabelText('User'), 'sync');
    await user.type(within(form).getByLabelText('Password'), 'hunter2');
    await user.click(within(form).getByRole('checkbox', { name: 'Webhook' }));
    await user.type(within(form).getByLabelText('Webhook URL'), 'https://hooks.slack.com/services/T/B/x');
    await user.click(within(form).getByRole('checkbox', { name: 'This computer' }));
    await user.click(within(form).getByRole('button', { name: 'Save alerts' }));

    expect(api.saveAlerts).toHaveBeenCalledWith({
      alerts: {
        desktop: false,
        email: {
          to: ['cs-lead@acme.io', 'oncall@acme.io'],
          from: 's3-csv-sync@acme.io',
          smtp: { host: 'smtp.acme.io', port: 465, security: 'tls', user: 'sync' },
        },
        webhook: { enabled: true },
      },
      smtpPassword: 'hunter2',
      webhookUrl: 'https://hooks.slack.com/services/T/B/x',
    });
    expect(await screen.findByText('Alert settings saved.')).toBeInTheDocument();
    expect(within(form).getByLabelText('Password')).toHaveValue('');
    expect(within(form).getByLabelText('Webhook URL')).toHaveValue('');
  });

  it('shows saved settings, says a secret is stored without showing it, and leaves it out unless retyped', async () => {
    const api = createFakeApi(
      makeOverview({
        config: { ...makeConfig(), alerts: EMAIL_ALERTS },
        alertSecrets: { smtpPassword: true, webhookUrl: false },
      }),
    );
    const { user } = await renderApp(api, 'schedule');
    expect(screen.getByLabelText('Send to')).toHaveValue('cs-lead@acme.io');
    expect(screen.getByLabelText('Password')).toHaveAttribute('placeholder', 'Stored in the keychain');
    await user.click(screen.getByRole('button', { name: 'Save alerts' }));
    expect(api.saveAlerts).toHaveBeenCalledWith({ alerts: EMAIL_ALERTS });
  });

  it('"Send a test alert" says plainly whether each channel got it', async () => {
    const api = createFakeApi(
      makeOverview({ config: { ...makeConfig(), alerts: { ...EMAIL_ALERTS, webhook: { enabled: true } } } }),
    );
    api.sendTestAlert.mockResolvedValue({
      ok: true,
      results: [
        {
          channel: 'email',
          ok: false,
          message:
            'the SMTP server smtp.acme.io:587 refused the login for user "sync" (it said: 535 Authentication failed): check the user and password',
        },
        { channel: 'webhook', ok: true, message: 'posted to the webhook at hooks.slack.com (it answered 200)' },
      ],
    });
    const { user } = await renderApp(api, 'schedule');
    await user.click(screen.getByRole('button', { name: 'Send a test alert' }));
    expect(api.sendTestAlert).toHaveBeenCalledWith({ alerts: { ...EMAIL_ALERTS, webhook: { enabled: true } } });
    const results = await screen.findByRole('list', { name: 'Test alert results' });
    expect(
      within(results)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      'Email: did not arrive — the SMTP server smtp.acme.io:587 refused the login for user "sync" (it said: 535 Authentication failed): check the user and password',
      'Webhook: arrived — posted to the webhook at hooks.slack.com (it answered 200)',
    ]);
  });

  it('shows each refused field as the back end names it', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig() }));
    api.saveAlerts.mockResolvedValue({
      ok: false,
      message: 'The configuration is not valid',
      problems: [
        'alerts.email.to.0: must be an email address, for example "cs-lead@acme.io"',
        'alerts.email.smtp.port: must be between 1 and 65535',
      ],
    });
    const { user } = await renderApp(api, 'schedule');
    await user.click(screen.getByRole('checkbox', { name: 'Email addresses' }));
    await user.type(screen.getByLabelText('Send to'), 'cs-lead');
    await user.clear(screen.getByLabelText('Port'));
    await user.type(screen.getByLabelText('Port'), '0');
    await user.click(screen.getByRole('button', { name: 'Save alerts' }));
    const banner = await screen.findByRole('alert');
    expect(banner).toHaveTextContent('The alert settings were not accepted');
    expect(banner).toHaveTextContent('alerts.email.to.0: must be an email address');
    expect(banner).toHaveTextContent('alerts.email.smtp.port: must be between 1 and 65535');
  });
});

describe('alerts on the Sync log', () => {
  it('lists a run’s deliveries, and reloads when its alerts are recorded', async () => {
    const run = makeRun({ id: 7, status: 'partial', filesFailed: 1 });
    const detail: RunDetail = { run, files: [], rejects: { total: 0, items: [] }, alerts: [] };
    const api = createFakeApi(makeOverview({ config: makeConfig() }));
    api.listRuns.mockResolvedValue([run]);
    api.getRun.mockResolvedValue(detail);
    const { user } = await renderApp(api, 'log');
    await user.click(await screen.findByRole('row', { name: /run 7/ }));
    const region = await screen.findByRole('region', { name: /^Run 7 — / });
    expect(within(region).queryByRole('list', { name: 'Alerts about this run' })).not.toBeInTheDocument();

    api.getRun.mockResolvedValue({
      ...detail,
      alerts: [
        {
          runId: 7,
          kind: 'failure',
          channel: 'email',
          outcome: 'sent',
          detail: 'sent to cs-lead@acme.io through smtp.acme.io:587',
          attempts: 1,
          at: '2026-03-02T10:00:05.000Z',
        },
        {
          runId: 7,
          kind: 'failure',
          channel: 'webhook',
          outcome: 'failed',
          detail: 'the webhook at hooks.slack.com answered 500 Internal Server Error',
          attempts: 3,
          at: '2026-03-02T10:00:20.000Z',
        },
      ],
    });
    emit(api, 'alertsRecorded', { runId: 7, deliveries: [] });
    const list = await within(region).findByRole('list', { name: 'Alerts about this run' });
    const items = within(list).getAllByRole('listitem');
    expect(items[0]).toHaveTextContent('Failure alert by email: delivered');
    expect(items[0]).toHaveTextContent('sent to cs-lead@acme.io through smtp.acme.io:587');
    expect(items[1]).toHaveTextContent('Failure alert to the webhook: NOT delivered');
    expect(items[1]).toHaveTextContent('3 attempts');
    expect(items[1]).toHaveTextContent('answered 500 Internal Server Error');
  });
});
