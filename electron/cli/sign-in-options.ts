// How the command line picks the sign-in: --profile NAME wins; then AWS_ACCESS_KEY_ID with
// AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN: temporary keys) from the environment, as the AWS CLI
// reads them; then AWS_PROFILE for a config that signs in with a profile; else the config's own method.
import type { SyncConfig } from '../shared/config';
import { assumedRoleOf, signInOf, type SignInConfig } from '../shared/sign-in';

type Env = Readonly<Record<string, string | undefined>>;

export function withCliSignIn(config: SyncConfig, profileFlag: string | undefined, env: Env): SyncConfig {
  const current = signInOf(config.connection);
  const assumeRole = assumedRoleOf(current);
  const keep = assumeRole ? { assumeRole } : {};
  let signIn: SignInConfig | undefined;
  let accessKeyId = config.connection.accessKeyId;
  if (profileFlag) {
    signIn = { method: 'profile', profile: profileFlag, ...keep };
  } else if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && current.method !== 'public') {
    accessKeyId = env.AWS_ACCESS_KEY_ID;
    signIn = env.AWS_SESSION_TOKEN ? { method: 'temporaryKeys', ...keep } : { method: 'accessKey', ...keep };
  } else if (env.AWS_PROFILE && current.method === 'profile') {
    signIn = { method: 'profile', profile: env.AWS_PROFILE, ...keep };
  }
  if (!signIn) return config;
  return { ...config, connection: { ...config.connection, accessKeyId, signIn } };
}
