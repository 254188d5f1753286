// How the app signs its S3 requests ("Sign in with" on the Connection screen). The config names the
// method and non-secret parts only (a profile by name, a role ARN); secret keys and session tokens
// live in the OS keychain or the environment. Resolved by the AWS SDK's own credential providers.
// No zod here: the renderer imports this file (the schema is in sign-in-schema.ts).
import { SIGN_IN_METHODS, type SignInMethod } from './sign-in-methods';
import type { AssumeRoleConfig, SignInConfig } from './sign-in-schema';

export type { AssumeRoleConfig, SignInConfig };

export { SIGN_IN_METHODS, type SignInMethod };

export const SIGN_IN_METHOD_LABELS: Record<SignInMethod, string> = {
  accessKey: 'Access key',
  temporaryKeys: 'Temporary keys (with a session token)',
  profile: 'AWS profile (~/.aws/config)',
  defaultChain: 'Default chain (environment, instance or container role)',
  public: 'Public bucket (unsigned requests)',
};

/** The methods whose signing key is typed in (and whose secret goes in the keychain). */
export const METHODS_WITH_KEYS: readonly SignInMethod[] = ['accessKey', 'temporaryKeys'];

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
