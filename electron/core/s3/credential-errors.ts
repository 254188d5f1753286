// Failures to sign in, in plain words: a profile that is not there, an SSO sign-in that has expired,
// temporary keys past their time, a role that may not be assumed (or a wrong external ID). The SDK's
// own messages are matched where it has no error codes for them (credential-provider-ini and -sso).
import type { ConnectionConfig } from '../../shared/config';
import { assumedRoleOf, formatExpiry, signInOf } from '../../shared/sign-in';
import { CredentialResolutionError, TemporaryKeysExpiredError } from './credentials';

export type CredentialProblemKind =
  'expired-credentials' | 'profile-missing' | 'sso-expired' | 'no-credentials' | 'role-not-assumable' | 'role-missing';

interface SdkError {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

export interface CredentialProblem {
  kind: CredentialProblemKind;
  message: string;
}

const AWS_FILES = '~/.aws/config or ~/.aws/credentials';

function profileProblem(profile: string, message: string): CredentialProblem | undefined {
  if (/SSO session .*(expired|invalid)|SSO session token .* not found or is invalid|Token is expired/i.test(message)) {
    return {
      kind: 'sso-expired',
      message: `The AWS sign-in (SSO) of the profile "${profile}" has expired or was never made. Run: aws sso login --profile ${profile}   then try again.`,
    };
  }
  if (/Could not resolve credentials using profile|Profile .*(was not found|could not be found)/.test(message)) {
    return {
      kind: 'profile-missing',
      message: `There is no AWS profile "${profile}" in ${AWS_FILES} (or the files named by AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE). Check its name (aws configure list-profiles lists them) or pick another on the Connection screen.`,
    };
  }
  return undefined;
}

function roleProblem(connection: ConnectionConfig, error: SdkError): CredentialProblem | undefined {
  const role = assumedRoleOf(signInOf(connection));
  if (!role) return undefined;
  const status = error.$metadata?.httpStatusCode;
  const code = error.name ?? error.Code ?? '';
  // AWS answers AccessDenied for a role that does not exist too; Ceph's gateway says NotFound.
  if (code === 'NoSuchEntity' || code === 'NotFound' || status === 404) {
    return {
      kind: 'role-missing',
      message: `The role ${role.roleArn} does not exist. Check the role ARN with the bucket owner, who created it.`,
    };
  }
  if (code === 'AccessDenied' || status === 403) {
    return {
      kind: 'role-not-assumable',
      message:
        `The role ${role.roleArn} may not be assumed by this identity: the role's trust policy does not allow it` +
        (role.externalId
          ? `, or the external ID "${role.externalId}" is not the one the role expects. Check the external ID with the bucket owner`
          : ', or the role expects an external ID. Ask the bucket owner for it (and for your identity to be trusted)') +
        '.',
    };
  }
  return undefined;
}

/** Explains a failure to sign in; undefined when the error is about something else. */
export function explainCredentialProblem(error: unknown, connection: ConnectionConfig): CredentialProblem | undefined {
  const signIn = signInOf(connection);
  if (error instanceof TemporaryKeysExpiredError) return { kind: 'expired-credentials', message: error.message };
  if (error instanceof CredentialResolutionError) {
    const cause = (error.cause ?? {}) as SdkError;
    const message = cause.message ?? '';
    if (error.stage === 'assume-role') {
      const problem = roleProblem(connection, cause);
      if (problem) return problem;
    }
    if (signIn.method === 'profile') {
      const problem = profileProblem(signIn.profile, message);
      if (problem) return problem;
    }
    if (signIn.method === 'defaultChain' && /Could not load credentials from any providers/.test(message)) {
      return {
        kind: 'no-credentials',
        message:
          'No AWS credentials were found: the environment has no AWS_ACCESS_KEY_ID or AWS_PROFILE, there is no default profile in ' +
          `${AWS_FILES}, and no instance or container role answered. Set one of these, or choose another way to sign in.`,
      };
    }
    return undefined;
  }
  return expiredBySigningService(error, connection);
}

/** The server refused a session token as expired (AWS's ExpiredToken; Ceph only says AccessDenied). */
function expiredBySigningService(error: unknown, connection: ConnectionConfig): CredentialProblem | undefined {
  const e = (error ?? {}) as SdkError;
  const signIn = signInOf(connection);
  const code = e.name ?? e.Code ?? '';
  const expiredCode =
    code === 'ExpiredToken' || code === 'TokenRefreshRequired' || /token has expired/i.test(e.message ?? '');
  const refusedTemporaryKeys =
    signIn.method === 'temporaryKeys' &&
    (code === 'AccessDenied' || code === 'InvalidToken') &&
    // Keys known to be valid still may lack a permission: that is an ordinary access-denied.
    !(signIn.expiresAt && new Date(signIn.expiresAt).getTime() > Date.now());
  if (!expiredCode && !refusedTemporaryKeys) return undefined;
  const when = signIn.method === 'temporaryKeys' && signIn.expiresAt ? ` at ${formatExpiry(signIn.expiresAt)}` : '';
  if (signIn.method === 'temporaryKeys') {
    return {
      kind: 'expired-credentials',
      message: expiredCode
        ? `These temporary keys (${connection.accessKeyId}) have expired${when}. Get new ones (key ID, secret and session token) and enter them on the Connection screen.`
        : `The server refused these temporary keys (${connection.accessKeyId}): they have most likely expired, or the session token does not belong to this key ID, or they may not read this bucket. ` +
          'Get new ones (key ID, secret and session token) and enter them on the Connection screen.',
    };
  }
  return {
    kind: 'expired-credentials',
    message:
      signIn.method === 'profile'
        ? `The credentials of the AWS profile "${signIn.profile}" have expired. Refresh them (for an SSO profile: aws sso login --profile ${signIn.profile}) and try again.`
        : 'The temporary credentials have expired. Refresh them where they come from and try again.',
  };
}
