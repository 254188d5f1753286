// The secret parts of a sign-in (secret access key, session token), found the way resolveSecret finds
// a secret key: the environment first (scripts, CI), else the OS keychain. Only the access key and
// temporary keys methods have any; profiles and the default chain are read by the AWS SDK itself.
import type { ConnectionConfig } from '../../shared/config';
import { signInOf, type SignInSecrets } from '../../shared/sign-in';
import { MissingSecretError, resolveSecret, SECRET_ENV_VARIABLE, type SecretStore } from './secret-store';

export const SESSION_TOKEN_ENV_VARIABLE = 'AWS_SESSION_TOKEN';

/** The keychain account of a temporary key's session token (the secret key's account is the key ID itself). */
export function sessionTokenAccount(accessKeyId: string): string {
  return `${accessKeyId}:session-token`;
}

export class MissingSessionTokenError extends Error {
  override readonly name = 'MissingSessionTokenError';

  constructor(readonly accessKeyId: string) {
    super(
      `No session token found for the temporary key ${accessKeyId}: ${SESSION_TOKEN_ENV_VARIABLE} is not set and the OS keychain has no entry for it. ` +
        'Enter the session token on the Connection screen (it came with the key ID and secret), ' +
        `store it with: npm run cli -- credentials set --access-key-id ${accessKeyId} --session-token, or set ${SESSION_TOKEN_ENV_VARIABLE}.`,
    );
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export async function resolveSignInSecrets(
  connection: ConnectionConfig,
  { env, store }: { env: Env; store: SecretStore },
): Promise<SignInSecrets> {
  const { method } = signInOf(connection);
  if (method !== 'accessKey' && method !== 'temporaryKeys') return {};
  const accessKeyId = connection.accessKeyId!; // the schema requires it for these methods
  const { secret, source } = await resolveSecret(accessKeyId, { env, store });
  if (method === 'accessKey') return { secretAccessKey: secret };
  // A secret from the environment goes with the environment's token, never with a stored one.
  const sessionToken =
    source === 'environment' ? env[SESSION_TOKEN_ENV_VARIABLE] : await store.get(sessionTokenAccount(accessKeyId));
  if (!sessionToken) throw new MissingSessionTokenError(accessKeyId);
  return { secretAccessKey: secret, sessionToken };
}

/** Whether the keychain holds what this connection's method needs (for the Connection screen). */
export async function storedSignInSecrets(
  connection: ConnectionConfig,
  store: SecretStore,
): Promise<{ secretAccessKey: boolean; sessionToken: boolean }> {
  const { method } = signInOf(connection);
  if ((method !== 'accessKey' && method !== 'temporaryKeys') || !connection.accessKeyId)
    return { secretAccessKey: false, sessionToken: false };
  return {
    secretAccessKey: (await store.get(connection.accessKeyId)) !== null,
    sessionToken: method === 'temporaryKeys' && (await store.get(sessionTokenAccount(connection.accessKeyId))) !== null,
  };
}

export { MissingSecretError, SECRET_ENV_VARIABLE, type SignInSecrets };
