// The S3 client's credentials for each sign-in method, from the AWS SDK's own providers (fromIni for
// profiles, SSO included; fromNodeProviderChain for env and instance/container roles; fromTemporaryCredentials
// to assume a role on top of any of them). Each layer tags its failures, so they can be explained plainly.
import { fromIni, fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ConnectionConfig } from '../../shared/config';
import { assumedRoleOf, formatExpiry, signInOf, type SignInSecrets } from '../../shared/sign-in';

type Env = Readonly<Record<string, string | undefined>>;

/** The stage of signing in that failed: finding the base identity, or assuming the role on top of it. */
export type CredentialStage = 'keys-expired' | 'base' | 'assume-role';

export class CredentialResolutionError extends Error {
  override readonly name = 'CredentialResolutionError';

  constructor(
    readonly stage: CredentialStage,
    override readonly cause: unknown,
    message = (cause as Error)?.message ?? String(cause),
  ) {
    super(message);
  }
}

export class TemporaryKeysExpiredError extends CredentialResolutionError {
  constructor(
    readonly accessKeyId: string,
    readonly expiresAt: string,
  ) {
    super(
      'keys-expired',
      undefined,
      `These temporary keys (${accessKeyId}) expired at ${formatExpiry(expiresAt)}. ` +
        'Get new ones (key ID, secret and session token) from whoever issued them and enter them on the Connection screen.',
    );
  }
}

function tagged(stage: CredentialStage, provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  return async (options) => {
    try {
      return await provider(options);
    } catch (error) {
      throw error instanceof CredentialResolutionError ? error : new CredentialResolutionError(stage, error);
    }
  };
}

/** The identity before any role is assumed. */
function baseCredentials(
  connection: ConnectionConfig,
  secrets: SignInSecrets,
  env: Env,
): AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined {
  const signIn = signInOf(connection);
  switch (signIn.method) {
    case 'accessKey':
      return { accessKeyId: connection.accessKeyId!, secretAccessKey: secrets.secretAccessKey ?? '' };
    case 'temporaryKeys': {
      const expiration = signIn.expiresAt ? new Date(signIn.expiresAt) : undefined;
      const keys: AwsCredentialIdentity = {
        accessKeyId: connection.accessKeyId!,
        secretAccessKey: secrets.secretAccessKey ?? '',
        sessionToken: secrets.sessionToken,
        expiration,
      };
      return async () => {
        if (expiration && expiration.getTime() <= Date.now())
          throw new TemporaryKeysExpiredError(connection.accessKeyId!, signIn.expiresAt!);
        return keys;
      };
    }
    case 'profile':
      // The SDK reads ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE).
      return tagged(
        'base',
        fromIni({
          profile: signIn.profile,
          configFilepath: env.AWS_CONFIG_FILE,
          filepath: env.AWS_SHARED_CREDENTIALS_FILE,
          ignoreCache: true,
        }),
      );
    case 'defaultChain':
      return tagged('base', fromNodeProviderChain({ ignoreCache: true }));
    case 'public':
      return undefined;
  }
}

export const DEFAULT_ROLE_SESSION_NAME = 's3-csv-sync';

/** The credentials the S3 client signs with; undefined for a public bucket (unsigned requests). */
export function credentialsFor(
  connection: ConnectionConfig,
  secrets: SignInSecrets,
  env: Env = process.env,
): AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined {
  const base = baseCredentials(connection, secrets, env);
  const role = assumedRoleOf(signInOf(connection));
  if (!role || !base) return base;
  return tagged(
    'assume-role',
    fromTemporaryCredentials({
      params: {
        RoleArn: role.roleArn,
        RoleSessionName: role.sessionName ?? DEFAULT_ROLE_SESSION_NAME,
        ExternalId: role.externalId,
      },
      masterCredentials: base,
      // An S3-compatible store (Ceph, MinIO) serves STS at its own endpoint.
      clientConfig: { region: connection.region, ...(connection.endpoint ? { endpoint: connection.endpoint } : {}) },
    }),
  );
}
