// Who hears about a failing sync, in the configuration file and the app's settings alike. The SMTP
// password and the webhook URL (a Slack URL carries its token) are secrets: never part of this shape.
import { z } from 'zod';

export const SMTP_SECURITY = ['tls', 'starttls', 'none'] as const;
export type SmtpSecurity = (typeof SMTP_SECURITY)[number];

const emailAddress = z
  .string()
  .trim()
  .regex(/^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/, {
    error: 'must be an email address, for example "cs-lead@acme.io"',
  });

const smtpSchema = z.strictObject({
  host: z
    .string()
    .trim()
    .regex(/^[a-zA-Z0-9.-]+$|^\[[0-9a-fA-F:.]+\]$/, { error: 'must be a host name, for example "smtp.acme.io"' }),
  port: z
    .number({ error: 'must be a port number, for example 587 (STARTTLS), 465 (TLS) or 25' })
    .int()
    .min(1, { error: 'must be between 1 and 65535' })
    .max(65535, { error: 'must be between 1 and 65535' }),
  security: z.enum(SMTP_SECURITY, {
    error: 'must be "tls" (port 465), "starttls" (port 587) or "none" (a relay on a trusted network)',
  }),
  /** Left out: the server takes mail without a login (a relay inside the network). */
  user: z.string().trim().min(1, { error: 'must not be empty (leave it out to send without a login)' }).optional(),
});

export const alertsSchema = z.strictObject({
  /** "This computer": the desktop app's OS notification. */
  desktop: z.boolean().default(true),
  email: z
    .strictObject({
      to: z.array(emailAddress).min(1, { error: 'must list at least one address' }).max(20),
      from: emailAddress,
      smtp: smtpSchema,
    })
    .optional(),
  /** The URL itself is a secret: the keychain in the app, S3_CSV_SYNC_WEBHOOK_URL(_FILE) for the CLI. */
  webhook: z.strictObject({ enabled: z.boolean() }).optional(),
});

export type AlertsConfig = z.infer<typeof alertsSchema>;
export type EmailAlertConfig = NonNullable<AlertsConfig['email']>;
export type SmtpConfig = EmailAlertConfig['smtp'];

/** The hint for a secret put in the configuration by mistake, or undefined for other unknown fields. */
export function misplacedAlertSecretHint(keys: string[]): string | undefined {
  if (keys.some((k) => /pass/i.test(k)))
    return ' (the SMTP password never goes in the configuration: set S3_CSV_SYNC_SMTP_PASSWORD or store it in the keychain from the Schedule screen)';
  if (keys.some((k) => /url/i.test(k)))
    return ' (the webhook URL is a secret and never goes in the configuration: set S3_CSV_SYNC_WEBHOOK_URL or store it in the keychain from the Schedule screen)';
  return undefined;
}
