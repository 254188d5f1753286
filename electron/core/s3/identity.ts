// Which identity a connection signs in as, for "Test connection": STS GetCallerIdentity with the same
// credentials where the server offers it (AWS does; Ceph's gateway answers 405), else what the settings say.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { ConnectionConfig } from '../../shared/config';
import { signInOf, type SignInSecrets } from '../../shared/sign-in';
import { credentialsFor } from './credentials';
import { signerName } from './s3-errors';

type Env = Readonly<Record<string, string | undefined>>;

export async function describeIdentity(
  connection: ConnectionConfig,
  secrets: SignInSecrets,
  env: Env = process.env,
  timeoutMs = 5000,
): Promise<string> {
  const credentials = credentialsFor(connection, secrets, env);
  if (!credentials || signInOf(connection).method === 'public') return signerName(connection);
  const sts = new STSClient({
    region: connection.region,
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    credentials,
    maxAttempts: 1,
  });
  try {
    const { Arn } = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(timeoutMs) });
    return Arn ?? signerName(connection);
  } catch {
    return signerName(connection);
  } finally {
    sts.destroy();
  }
}
