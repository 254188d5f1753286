// The profiles of ~/.aws/config and ~/.aws/credentials, listed by name for the Connection screen, with
// what kind each is and, for SSO profiles, whether the AWS CLI's cached sign-in has expired. Only names
// and kinds leave this file: the keys in ~/.aws/credentials are never read into the result.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AwsProfileSummary } from '../../shared/sign-in';

type Env = Readonly<Record<string, string | undefined>>;
type Sections = Map<string, Map<string, string>>;

/** INI sections and their keys, as the AWS CLI reads them (comments start with # or ;). */
export function parseIni(text: string): Sections {
  const sections: Sections = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      const name = header[1]!.trim();
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (pair && current) current.set(pair[1]!.trim().toLowerCase(), pair[2]!.trim());
  }
  return sections;
}

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

export function awsConfigPaths(env: Env): { config: string; credentials: string; ssoCache: string } {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  return {
    config: env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'),
    ssoCache: join(home, '.aws', 'sso', 'cache'),
  };
}

/**
 * The AWS CLI caches an SSO sign-in under the SHA-1 of the sso-session name (or, for older profiles, the start
 * URL).
 */
async function ssoSignInExpired(cacheDir: string, cacheKey: string, now: Date): Promise<boolean> {
  const file = join(cacheDir, `${createHash('sha1').update(cacheKey).digest('hex')}.json`);
  try {
    const token = JSON.parse(await readFile(file, 'utf8')) as { expiresAt?: string };
    return !token.expiresAt || new Date(token.expiresAt).getTime() <= now.getTime();
  } catch {
    return true; // never signed in on this machine
  }
}

export async function listAwsProfiles(env: Env = process.env, now = new Date()): Promise<AwsProfileSummary[]> {
  const paths = awsConfigPaths(env);
  const config = parseIni(await readIfPresent(paths.config));
  const credentials = parseIni(await readIfPresent(paths.credentials));
  const profiles = new Map<string, Map<string, string>>();
  for (const [section, keys] of config) {
    const name = section === 'default' ? 'default' : /^profile\s+(.+)$/.exec(section)?.[1]?.trim();
    if (name) profiles.set(name, keys);
  }
  for (const [name, keys] of credentials) profiles.set(name, new Map([...(profiles.get(name) ?? []), ...keys]));

  const summaries: AwsProfileSummary[] = [];
  for (const [name, keys] of profiles) {
    const ssoSession = keys.get('sso_session');
    const ssoStartUrl = keys.get('sso_start_url');
    if (ssoSession || ssoStartUrl) {
      const expired = await ssoSignInExpired(paths.ssoCache, ssoSession ?? ssoStartUrl!, now);
      summaries.push({ name, kind: 'sso', ssoSignInExpired: expired });
    } else if (keys.has('role_arn')) summaries.push({ name, kind: 'role' });
    else if (keys.has('credential_process')) summaries.push({ name, kind: 'process' });
    else if (keys.has('aws_access_key_id')) summaries.push({ name, kind: 'keys' });
    else summaries.push({ name, kind: 'other' });
  }
  return summaries.sort((a, b) => a.name.localeCompare(b.name));
}
