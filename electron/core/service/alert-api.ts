// The Schedule screen's alert requests: save the settings (the secrets into the keychain, never into
// the settings file) and send a test alert that says plainly whether it arrived on each channel.
import type { AlertsInput, SaveResult, TestAlertResult } from '../../shared/contract';
import { ConfigError, parseConfig, type SyncConfig } from '../../shared/config';
import type { AlertsConfig } from '../../shared/alerts-config';
import { alertSecretAccount, readAlertSecret } from '../alerts/alert-secrets';
import { webhookUrlProblem } from '../alerts/webhook-channel';
import { KeychainUnavailableError, type SecretStore } from '../config/secret-store';
import type { SyncService } from './sync-service';

export interface AlertApiDeps {
  service: SyncService;
  secretStore: SecretStore;
  env: Readonly<Record<string, string | undefined>>;
  requireConfig: () => SyncConfig;
  save: (next: unknown) => SaveResult;
}

type Refusal = { ok: false; message: string; problems: string[] };

/** Plain functions over the deps (no `this`): the API object takes them as they are. */
export interface AlertHandlers {
  saveAlerts: (input: AlertsInput) => Promise<SaveResult>;
  sendTestAlert: (input: AlertsInput) => Promise<TestAlertResult>;
  alertSecretsStored: (config: SyncConfig | null) => Promise<{ smtpPassword: boolean; webhookUrl: boolean }>;
}

export function createAlertHandlers({ service, secretStore, env, requireConfig, save }: AlertApiDeps): AlertHandlers {
  /** The configuration with these alert settings, validated; or why not. */
  function withAlerts(input: AlertsInput): { config: SyncConfig; alerts: AlertsConfig | undefined } | Refusal {
    const { alerts: _old, ...current } = requireConfig();
    const next = input.alerts === null ? current : { ...current, alerts: input.alerts };
    let config: SyncConfig;
    try {
      config = parseConfig(next);
    } catch (error) {
      if (error instanceof ConfigError) return { ok: false, message: error.message, problems: error.problems };
      throw error;
    }
    const urlProblem = input.webhookUrl ? webhookUrlProblem(input.webhookUrl) : null;
    if (urlProblem) return { ok: false, message: urlProblem, problems: [urlProblem] };
    if (input.smtpPassword && !config.alerts?.email?.smtp.user) {
      const problem = 'alerts.email.smtp.user: is required with a password (the SMTP login it belongs to)';
      return { ok: false, message: `The alert settings are not valid:\n  - ${problem}`, problems: [problem] };
    }
    return { config, alerts: config.alerts };
  }

  return {
    async saveAlerts(input: AlertsInput): Promise<SaveResult> {
      const checked = withAlerts(input);
      if ('ok' in checked) return checked;
      try {
        if (input.smtpPassword)
          await secretStore.set(alertSecretAccount('smtp-password', checked.alerts!.email!.smtp), input.smtpPassword);
        if (input.webhookUrl) await secretStore.set(alertSecretAccount('webhook-url'), input.webhookUrl);
      } catch (error) {
        if (error instanceof KeychainUnavailableError) return { ok: false, message: error.message, problems: [] };
        throw error;
      }
      return save(checked.config);
    },

    async sendTestAlert(input: AlertsInput): Promise<TestAlertResult> {
      const checked = withAlerts(input);
      if ('ok' in checked) return checked;
      const { alerts } = checked;
      if (!alerts?.email && !alerts?.webhook?.enabled) {
        const message = 'Nothing to test: add an email address or turn on the webhook first.';
        return { ok: false, message, problems: [] };
      }
      const results = await service.alerts.sendTest(checked.config, alerts, {
        smtpPassword: input.smtpPassword,
        webhookUrl: input.webhookUrl,
      });
      return { ok: true, results };
    },

    /** Whether each alert secret is at hand (environment or keychain); a locked keychain reads as not stored. */
    async alertSecretsStored(config: SyncConfig | null): Promise<{ smtpPassword: boolean; webhookUrl: boolean }> {
      const stored = async (read: () => Promise<string | null>) => {
        try {
          return (await read()) !== null;
        } catch {
          return false;
        }
      };
      const smtp = config?.alerts?.email?.smtp;
      return {
        smtpPassword: smtp?.user
          ? await stored(() => readAlertSecret('smtp-password', { env, store: secretStore }, smtp))
          : false,
        webhookUrl: await stored(() => readAlertSecret('webhook-url', { env, store: secretStore })),
      };
    },
  };
}
