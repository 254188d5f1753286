// "When a sync fails, notify": this computer, email addresses through the team's SMTP server, and a
// Slack-compatible webhook. The SMTP password and the webhook URL go to the keychain and are never shown
// again. "Send a test alert" tries the settings as typed and says plainly whether each one got through.
import { useEffect, useState, type FormEvent } from 'react';
import type { AlertsConfig, AlertsInput, ChannelResult, SyncConfig } from '../../../electron/shared/contract';
import { useApp } from '../app/app-context';
import { ProblemsBanner } from '../components/Banner';
import { SelectField, TextField } from '../components/Field';

type Security = 'starttls' | 'tls' | 'none';

interface AlertForm {
  desktop: boolean;
  email: boolean;
  to: string;
  from: string;
  host: string;
  port: string;
  security: Security;
  user: string;
  password: string;
  webhook: boolean;
  webhookUrl: string;
}

const DEFAULT_PORTS: Record<Security, string> = { starttls: '587', tls: '465', none: '25' };

function toForm(alerts: SyncConfig['alerts']): AlertForm {
  const email = alerts?.email;
  return {
    desktop: alerts?.desktop ?? true,
    email: email !== undefined,
    to: email?.to.join(', ') ?? '',
    from: email?.from ?? '',
    host: email?.smtp.host ?? '',
    port: String(email?.smtp.port ?? 587),
    security: email?.smtp.security ?? 'starttls',
    user: email?.smtp.user ?? '',
    password: '',
    webhook: alerts?.webhook?.enabled ?? false,
    webhookUrl: '',
  };
}

function toInput(form: AlertForm): AlertsInput {
  const alerts: AlertsConfig = { desktop: form.desktop };
  if (form.email) {
    alerts.email = {
      to: form.to
        .split(/[,;\s]+/)
        .map((a) => a.trim())
        .filter(Boolean),
      from: form.from.trim(),
      smtp: {
        host: form.host.trim(),
        port: form.port.trim() === '' ? Number.NaN : Number(form.port),
        security: form.security,
        ...(form.user.trim() ? { user: form.user.trim() } : {}),
      },
    };
  }
  if (form.webhook) alerts.webhook = { enabled: true };
  return {
    alerts,
    ...(form.email && form.password ? { smtpPassword: form.password } : {}),
    ...(form.webhook && form.webhookUrl.trim() ? { webhookUrl: form.webhookUrl.trim() } : {}),
  };
}

const CHANNEL_NAMES: Record<ChannelResult['channel'], string> = { email: 'Email', webhook: 'Webhook' };
/** What success proves: the SMTP server took the message (the mailbox is beyond what it can tell). */
const OK_WORDS: Record<ChannelResult['channel'], string> = {
  email: 'accepted by the SMTP server',
  webhook: 'arrived',
};

export function AlertSettings({ config }: { config: SyncConfig }) {
  const { api, overview, refreshOverview, notify } = useApp();
  const [form, setForm] = useState<AlertForm>(() => toForm(config.alerts));
  const [busy, setBusy] = useState<'saving' | 'testing' | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [tested, setTested] = useState<ChannelResult[] | null>(null);
  useEffect(() => setForm(toForm(config.alerts)), [config.alerts]);
  const update = <K extends keyof AlertForm>(key: K, value: AlertForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const stored = overview.alertSecrets;

  async function run(kind: 'saving' | 'testing', work: () => Promise<void>) {
    setBusy(kind);
    setProblems([]);
    try {
      await work();
    } catch (error) {
      setProblems([(error as Error).message]);
    } finally {
      setBusy(null);
    }
  }

  const onSave = (event: FormEvent) => {
    event.preventDefault();
    void run('saving', async () => {
      const result = await api.saveAlerts(toInput(form));
      if (!result.ok) return setProblems(result.problems.length ? result.problems : [result.message]);
      await refreshOverview();
      setForm((f) => ({ ...f, password: '', webhookUrl: '' }));
      notify('success', 'Alert settings saved.');
    });
  };

  const onTest = () =>
    void run('testing', async () => {
      setTested(null);
      const result = await api.sendTestAlert(toInput(form));
      if (!result.ok) return setProblems(result.problems.length ? result.problems : [result.message]);
      setTested(result.results);
    });

  return (
    <form className="card alert-settings" onSubmit={onSave} aria-labelledby="alerts-title">
      <h2 id="alerts-title">When a sync fails, notify</h2>
      <p className="hint">
        One alert per failing sync and one when syncing works again. After 3 identical failures in a row, a “still
        failing” alert, then one reminder a day until something changes.
      </p>
      <div className="field checkbox-field">
        <input
          id="alerts-desktop"
          type="checkbox"
          checked={form.desktop}
          onChange={(e) => update('desktop', e.target.checked)}
        />
        <label htmlFor="alerts-desktop">This computer</label>
        <span className="hint">A notification on this desktop, while the app runs.</span>
      </div>

      <div className="field checkbox-field">
        <input
          id="alerts-email"
          type="checkbox"
          checked={form.email}
          onChange={(e) => update('email', e.target.checked)}
        />
        <label htmlFor="alerts-email">Email addresses</label>
        <span className="hint">Through your team’s own SMTP server.</span>
      </div>
      {form.email && (
        <div className="form-grid">
          <TextField
            id="alerts-to"
            label="Send to"
            value={form.to}
            onChange={(e) => update('to', e.target.value)}
            placeholder="cs-lead@acme.io, oncall@acme.io"
            hint="One or more addresses, separated by commas."
            autoComplete="off"
          />
          <TextField
            id="alerts-from"
            label="From"
            value={form.from}
            onChange={(e) => update('from', e.target.value)}
            placeholder="s3-csv-sync@acme.io"
            autoComplete="off"
          />
          <TextField
            id="alerts-smtp-host"
            label="SMTP server"
            value={form.host}
            onChange={(e) => update('host', e.target.value)}
            placeholder="smtp.acme.io"
            autoComplete="off"
            spellCheck={false}
          />
          <SelectField
            id="alerts-smtp-security"
            label="Security"
            value={form.security}
            onChange={(e) => {
              const security = e.target.value as Security;
              // Follow the usual port for the chosen security, unless the user typed another one.
              setForm((f) => ({
                ...f,
                security,
                port: Object.values(DEFAULT_PORTS).includes(f.port) ? DEFAULT_PORTS[security] : f.port,
              }));
            }}
          >
            <option value="starttls">STARTTLS (usually port 587)</option>
            <option value="tls">TLS (usually port 465)</option>
            <option value="none">None (a relay on a trusted network)</option>
          </SelectField>
          <TextField
            id="alerts-smtp-port"
            label="Port"
            inputMode="numeric"
            value={form.port}
            onChange={(e) => update('port', e.target.value)}
          />
          <TextField
            id="alerts-smtp-user"
            label="User"
            value={form.user}
            onChange={(e) => update('user', e.target.value)}
            hint="Leave empty if the server takes mail without a login."
            autoComplete="off"
          />
          <TextField
            id="alerts-smtp-password"
            label="Password"
            type="password"
            value={form.password}
            onChange={(e) => update('password', e.target.value)}
            placeholder={stored.smtpPassword ? 'Stored in the keychain' : ''}
            hint={
              stored.smtpPassword
                ? 'Stored in the keychain; type a new one to replace it.'
                : 'Kept in the OS keychain, never in the settings or an export.'
            }
            autoComplete="new-password"
          />
        </div>
      )}

      <div className="field checkbox-field">
        <input
          id="alerts-webhook"
          type="checkbox"
          checked={form.webhook}
          onChange={(e) => update('webhook', e.target.checked)}
        />
        <label htmlFor="alerts-webhook">Webhook</label>
        <span className="hint">Slack, Microsoft Teams or Google Chat incoming webhooks, or your own receiver.</span>
      </div>
      {form.webhook && (
        <TextField
          id="alerts-webhook-url"
          label="Webhook URL"
          type="password"
          value={form.webhookUrl}
          onChange={(e) => update('webhookUrl', e.target.value)}
          placeholder={
            stored.webhookUrl
              ? 'Stored in the keychain'
              : 'The incoming webhook’s address, from Slack, Teams or Google Chat'
          }
          hint={
            stored.webhookUrl
              ? 'Stored in the keychain (it carries its token); paste a new one to replace it.'
              : 'It carries its token: kept in the OS keychain, never in the settings or an export.'
          }
          autoComplete="off"
          spellCheck={false}
        />
      )}

      <ProblemsBanner title="The alert settings were not accepted" problems={problems} />
      <div aria-live="polite">
        {tested && (
          <ul className="test-alert-results" aria-label="Test alert results">
            {tested.map((r) => (
              <li key={r.channel} className={r.ok ? 'test-ok' : 'test-failed'}>
                <strong>
                  {CHANNEL_NAMES[r.channel]}: {r.ok ? OK_WORDS[r.channel] : 'did not arrive'}
                </strong>{' '}
                — {r.message}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="form-actions">
        <button type="button" className="btn btn-secondary" onClick={onTest} disabled={busy !== null}>
          {busy === 'testing' ? 'Sending…' : 'Send a test alert'}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy !== null}>
          {busy === 'saving' ? 'Saving…' : 'Save alerts'}
        </button>
      </div>
    </form>
  );
}
