// Secrets for a server without a keychain: NAME_FILE names a file holding NAME (a systemd credential,
// a mounted Kubernetes or Docker secret). The variable itself, when set, wins.
import { readFile } from 'node:fs/promises';

const FILE_SECRETS = ['AWS_SECRET_ACCESS_KEY'] as const;

export async function readSecretFiles(env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const result = { ...env };
  for (const name of FILE_SECRETS) {
    const file = env[`${name}_FILE`];
    if (!file || env[name]) continue;
    try {
      result[name] = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      throw new SecretFileError(
        `${name}_FILE names ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code}). Check the path and its permissions.`,
      );
    }
  }
  return result;
}

export class SecretFileError extends Error {
  override readonly name = 'MissingSecretError';
}
