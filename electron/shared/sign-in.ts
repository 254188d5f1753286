// How the app signs its S3 requests ("Sign in with" on the Connection screen). The config names the
// method and non-secret parts only (a profile by name, a role ARN); secret keys and session tokens
// live in the OS keychain or the environment. Resolved by the AWS SDK's own credential providers.
import { z } from 'zod';

export const SIGN_IN_METHODS = ['accessKey', 'temporaryKeys', 'profile', 'defaultChain', 'public'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

export const SIGN_IN_METHOD_LABELS: Record<SignInMethod, string> = {
  accessKey: 'Access key',
  temporaryKeys: 'Temporary keys (with a session token)',
  profile: 'AWS profile (~/.aws/config)',
  defaultChain: 'Default chain (environment, instance or container role)',
  public: 'Public bucket (unsigned requests)',
};

/** The methods whose signing key is typed in (and whose secret goes in the keychain). */
export const METHODS_WITH_KEYS: readonly SignInMethod[] = ['accessKey', 'temporaryKeys'];

export const assumeRoleSchema = z.strictObject({
  roleArn: z
    .string()
    .trim()
    .regex(/^arn:aws[a-z-]*:iam::\d{0,12}:role\/.+$/, {
      error: 'must be a role ARN, for example "arn:aws:iam::123456789012:role/vitally-exports-reader"',
    }),
  // AWS accepts 2 to 1224 characters from this set.
  externalId: z
    .string()
    .trim()
    .regex(/^[\w+=,.@:/-]{2,1224}$/, {
      error: 'must be 2 to 1224 letters, digits or any of + = , . @ : / - _ (as the role owner gave it to you)',
    })
    .optional(),
  sessionName: z
    .string()
    .regex(/^[\w+=,.@-]{2,64}$/, { error: 'must be 2 to 64 letters, digits or any of + = , . @ - _' })
    .optional(),
});
export type AssumeRoleConfig = z.infer<typeof assumeRoleSchema>;

const assumeRole = assumeRoleSchema.optional();

export const signInSchema = z.discriminatedUnion(
  'method',
  [
    z.strictObject({ method: z.literal('accessKey'), assumeRole }),
    z.strictObject({
      method: z.literal('temporaryKeys'),
      /** When the keys stop working, as their issuer said (not secret); lets the app say so plainly. */
      expiresAt: z.iso
        .datetime({ offset: true, error: 'must be a date and time, for example "2026-12-01T14:05:00Z"' })
        .optional(),
      assumeRole,
    }),
    z.strictObject({
      method: z.literal('profile'),
      profile: z
        .string()
        .trim()
        .regex(/^[\w.@+-]{1,128}$/, { error: 'must name a profile of ~/.aws/config, for example "analytics"' }),
      assumeRole,
    }),
    z.strictObject({ method: z.literal('defaultChain'), assumeRole }),
    z.strictObject({ method: z.literal('public') }),
  ],
  {
    error: `must have a method: ${SIGN_IN_METHODS.map((m) => `"${m}"`).join(', ')}`,
  },
);
export type SignInConfig = z.infer<typeof signInSchema>;

/** The secret parts of a sign-in (from the keychain or the environment), passed to the worker with the config. */
export interface SignInSecrets {
  secretAccessKey?: string;
  sessionToken?: string;
}

/** A profile of ~/.aws/config or ~/.aws/credentials, by name only (its keys never leave the back end). */
export interface AwsProfileSummary {
  name: string;
  kind: 'keys' | 'sso' | 'role' | 'process' | 'other';
  /** SSO profiles: the AWS CLI's cached sign-in is missing or past its time (run `aws sso login`). */
  ssoSignInExpired?: boolean;
}

/** The command that renews an SSO profile's sign-in, for the user to copy. */
export function ssoLoginCommand(profile: string): string {
  return `aws sso login --profile ${profile}`;
}

/** Without a signIn section the connection signs with its access key, as before sign-in methods existed. */
export function signInOf(connection: { signIn?: SignInConfig }): SignInConfig {
  return connection.signIn ?? { method: 'accessKey' };
}

export function assumedRoleOf(signIn: SignInConfig): AssumeRoleConfig | undefined {
  return signIn.method === 'public' ? undefined : signIn.assumeRole;
}

/** "14:05 UTC" for today's date, else "2026-12-01 14:05 UTC": the moment keys stop working, readably. */
export function formatExpiry(iso: string, now = new Date()): string {
  const at = new Date(iso);
  const time = at.toISOString().slice(11, 16);
  return at.toISOString().slice(0, 10) === now.toISOString().slice(0, 10)
    ? `${time} UTC`
    : `${at.toISOString().slice(0, 10)} ${time} UTC`;
}
