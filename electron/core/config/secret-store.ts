// Where the S3 secret access key lives: the environment (for scripted use) or the OS keychain.
// It is never written anywhere else, and never appears in a message.
import { createRequire } from 'node:module';
import type * as keytar from 'keytar';

export const KEYCHAIN_SERVICE_NAME = 's3-csv-sync';
export const SECRET_ENV_VARIABLE = 'AWS_SECRET_ACCESS_KEY';

/** Secret access keys, one per access key ID. */
export interface SecretStore {
  /** The stored secret for this access key ID, or null when none is stored. */
  get(accessKeyId: string): Promise<string | null>;
  set(accessKeyId: string, secret: string): Promise<void>;
  /** Removes the stored secret; false when there was none. */
  delete(accessKeyId: string): Promise<boolean>;
}

/** The OS keychain could not be used (no Secret Service, no D-Bus session, locked, keytar missing). */
export class KeychainUnavailableError extends Error {
  override readonly name = 'KeychainUnavailableError';

  constructor(
    /** Why, in the words of the keychain (never contains the secret). */
    readonly reason: string,
  ) {
    super(
      `The OS keychain could not be reached: ${reason.replace(/\.$/, '')}. ` +
        'Unlock the keychain (on Linux: start a Secret Service such as gnome-keyring inside a D-Bus session, and unlock it) and try again, ' +
        `or, for scripted use, set ${SECRET_ENV_VARIABLE} instead.`,
    );
  }
}

/** Neither the environment nor the keychain holds a secret for the access key ID. */
export class MissingSecretError extends Error {
  override readonly name = 'MissingSecretError';

  constructor(readonly accessKeyId: string) {
    super(
      `No secret access key found for ${accessKeyId}: ${SECRET_ENV_VARIABLE} is not set and the OS keychain has no entry for it. ` +
        `${howToStoreSecret(accessKeyId)} ` +
        // keytar reads a locked keyring as empty rather than failing, so a stored key can look missing.
        'If you stored one before, the keychain may be locked: unlock it and try again.',
    );
  }
}

export function howToStoreSecret(accessKeyId: string): string {
  return (
    `Store one with: npm run cli -- credentials set --access-key-id ${accessKeyId} ` +
    `(it reads the secret from standard input), or set ${SECRET_ENV_VARIABLE}.`
  );
}

export type SecretSource = 'environment' | 'keychain';

export interface ResolvedSecret {
  secret: string;
  /** Where the secret came from, for logs (never log the secret itself). */
  source: SecretSource;
}

/** The environment wins over the keychain, so scripts and CI need no keychain at all. */
export async function resolveSecret(
  accessKeyId: string,
  { env, store }: { env: Readonly<Record<string, string | undefined>>; store: SecretStore },
): Promise<ResolvedSecret> {
  const fromEnvironment = env[SECRET_ENV_VARIABLE];
  if (fromEnvironment) return { secret: fromEnvironment, source: 'environment' };

  const fromKeychain = await store.get(accessKeyId);
  if (fromKeychain) return { secret: fromKeychain, source: 'keychain' };

  throw new MissingSecretError(accessKeyId);
}

export function assertAccessKeyId(accessKeyId: string): void {
  if (accessKeyId.trim() === '') throw new Error('The access key ID is empty.');
}

export function assertSecret(secret: string): void {
  if (secret === '') throw new Error('The secret access key is empty.');
}

/** The part of keytar this store uses; tests pass a fake. */
export type KeytarApi = Pick<typeof keytar, 'getPassword' | 'setPassword' | 'deletePassword'>;

function requireKeytar(): KeytarApi {
  return createRequire(import.meta.url)('keytar') as KeytarApi;
}

/** The OS keychain via keytar: macOS Keychain, Windows Credential Manager, Linux Secret Service. */
export class KeytarSecretStore implements SecretStore {
  private keytar: KeytarApi | undefined;
  private readonly loadKeytar: () => KeytarApi;

  // keytar is a native module loaded on first use, so importing this file works where it is absent.
  constructor({ loadKeytar = requireKeytar }: { loadKeytar?: () => KeytarApi } = {}) {
    this.loadKeytar = loadKeytar;
  }

  async get(accessKeyId: string): Promise<string | null> {
    assertAccessKeyId(accessKeyId);
    return this.callKeychain((keytar) => keytar.getPassword(KEYCHAIN_SERVICE_NAME, accessKeyId));
  }

  async set(accessKeyId: string, secret: string): Promise<void> {
    assertAccessKeyId(accessKeyId);
    assertSecret(secret);
    return this.callKeychain((keytar) => keytar.setPassword(KEYCHAIN_SERVICE_NAME, accessKeyId, secret), secret);
  }

  async delete(accessKeyId: string): Promise<boolean> {
    assertAccessKeyId(accessKeyId);
    return this.callKeychain((keytar) => keytar.deletePassword(KEYCHAIN_SERVICE_NAME, accessKeyId));
  }

  private async callKeychain<T>(operation: (keytar: KeytarApi) => Promise<T>, secret?: string): Promise<T> {
    const keytar = this.loadedKeytar();
    try {
      return await operation(keytar);
    } catch (error) {
      // keytar's own messages never quote the secret; redact anyway, since a message may be logged.
      const reason = errorMessage(error);
      throw new KeychainUnavailableError(secret ? reason.split(secret).join('[redacted]') : reason);
    }
  }

  private loadedKeytar(): KeytarApi {
    if (!this.keytar) {
      try {
        this.keytar = this.loadKeytar();
      } catch (error) {
        // Node's message goes on with a multi-line "Require stack"; the first line says what failed.
        const firstLine = errorMessage(error).split('\n')[0];
        throw new KeychainUnavailableError(`the keytar module could not be loaded (${firstLine})`);
      }
    }
    return this.keytar;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
