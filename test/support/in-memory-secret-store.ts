// A SecretStore kept in memory, for tests (and the bench) that need one without a keychain. It
// refuses what the keychain store refuses (an empty access key ID or secret).
import { assertAccessKeyId, assertSecret, type SecretStore } from '../../electron/core/config/secret-store';

export class InMemorySecretStore implements SecretStore {
  private readonly secrets = new Map<string, string>();

  async get(accessKeyId: string): Promise<string | null> {
    assertAccessKeyId(accessKeyId);
    return this.secrets.get(accessKeyId) ?? null;
  }

  async set(accessKeyId: string, secret: string): Promise<void> {
    assertAccessKeyId(accessKeyId);
    assertSecret(secret);
    this.secrets.set(accessKeyId, secret);
  }

  async delete(accessKeyId: string): Promise<boolean> {
    assertAccessKeyId(accessKeyId);
    return this.secrets.delete(accessKeyId);
  }
}
