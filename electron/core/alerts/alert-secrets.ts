// The two alert secrets: the SMTP password and the webhook URL (a Slack URL carries its token).
// From the environment (NAME, or NAME_FILE naming a file that holds it, for servers and containers),
// else from the OS keychain, where the app's Schedule screen stores them. Never in the configuration.
import { readFile } from 'node:fs/promises';
import type { SmtpConfig } from '../../shared/alerts-config';
import type { SecretStore } from '../config/secret-store';

export const SMTP_PASSWORD_ENV = 'S3_CSV_SYNC_SMTP_PASSWORD';
export const WEBHOOK_URL_ENV = 'S3_CSV_SYNC_WEBHOOK_URL';

export type AlertSecretKind = 'smtp-password' | 'webhook-url';

/** The keychain entry (account) under the app's service name; one SMTP password per user and host. */
export function alertSecretAccount(kind: AlertSecretKind, smtp?: Pick<SmtpConfig, 'host' | 'user'>): string {
  return kind === 'webhook-url' ? 'alerts:webhook-url' : `alerts:smtp-password:${smtp?.user ?? ''}@${smtp?.host ?? ''}`;
}

export interface AlertSecretSources {
  env: Readonly<Record<string, string | undefined>>;
  store: SecretStore;
}

/** The secret, or null when neither the environment nor the keychain holds one. Throws plain errors. */
export async function readAlertSecret(
  kind: AlertSecretKind,
  { env, store }: AlertSecretSources,
  smtp?: Pick<SmtpConfig, 'host' | 'user'>,
): Promise<string | null> {
  const name = kind === 'webhook-url' ? WEBHOOK_URL_ENV : SMTP_PASSWORD_ENV;
  if (env[name]) return env[name];
  const file = env[`${name}_FILE`];
  if (file) {
    try {
      // A trailing newline is what `echo secret > file` leaves; it is never part of the secret.
      return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      throw new Error(
        `${name}_FILE names ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): fix the path or its permissions.`,
        { cause: error },
      );
    }
  }
  return store.get(alertSecretAccount(kind, smtp));
}

/** Replaces every occurrence of the secrets in a message that may be logged or shown (belt and braces). */
export function redact(message: string, secrets: (string | null | undefined)[]): string {
  let text = message;
  for (const secret of secrets) {
    if (!secret) continue;
    text = text.split(secret).join('[redacted]');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) text = text.split(encoded).join('[redacted]');
  }
  return text;
}
