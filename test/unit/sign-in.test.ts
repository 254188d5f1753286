// The sign-in section of the configuration, how the CLI overrides it, and the profiles listed from
// ~/.aws/config: checked as a user meets them (a config accepted or refused with a message, a list of names).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConfigError, parseConfig } from '../../electron/shared/config';
import { withCliSignIn } from '../../electron/cli/sign-in-options';
import { listAwsProfiles } from '../../electron/core/config/aws-profiles';

const BASE = { bucket: 'acme-exports', region: 'us-east-1' };

function problemsOf(connection: Record<string, unknown>): string[] {
  try {
    parseConfig({ connection, objects: {} });
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
}

describe('the sign-in configuration', () => {
  it('keeps configurations from before sign-in methods valid, and needs a key ID only for key methods', () => {
    expect(problemsOf({ ...BASE, accessKeyId: 'AKIAEXAMPLE' })).toEqual([]);
    expect(problemsOf({ ...BASE, signIn: { method: 'profile', profile: 'analytics' } })).toEqual([]);
    expect(problemsOf({ ...BASE, signIn: { method: 'public' } })).toEqual([]);
    expect(problemsOf({ ...BASE, signIn: { method: 'defaultChain' } })).toEqual([]);
    expect(problemsOf({ ...BASE })).toEqual(['connection.accessKeyId: is required']);
    expect(problemsOf({ ...BASE, signIn: { method: 'temporaryKeys' } })).toEqual([
      'connection.accessKeyId: is required',
    ]);
  });

  it('says what is wrong with a method, a role ARN, an expiry or a profile name', () => {
    expect(problemsOf({ ...BASE, signIn: { method: 'sso' } })).toEqual([
      'connection.signIn.method: must have a method: "accessKey", "temporaryKeys", "profile", "defaultChain", "public"',
    ]);
    expect(
      problemsOf({ ...BASE, accessKeyId: 'AKIA1', signIn: { method: 'accessKey', assumeRole: { roleArn: 'reader' } } }),
    ).toEqual([
      'connection.signIn.assumeRole.roleArn: must be a role ARN, for example "arn:aws:iam::123456789012:role/vitally-exports-reader"',
    ]);
    expect(
      problemsOf({ ...BASE, accessKeyId: 'ASIA1', signIn: { method: 'temporaryKeys', expiresAt: 'tomorrow' } }),
    ).toEqual(['connection.signIn.expiresAt: must be a date and time, for example "2026-12-01T14:05:00Z"']);
    expect(problemsOf({ ...BASE, signIn: { method: 'profile', profile: 'has spaces' } })).toEqual([
      'connection.signIn.profile: must name a profile of ~/.aws/config, for example "analytics"',
    ]);
  });

  it('refuses a session token or secret put in the configuration, saying where it belongs', () => {
    expect(problemsOf({ ...BASE, accessKeyId: 'AKIA1', secretAccessKey: 'x' })[0]).toMatch(
      /unknown field "secretAccessKey" \(the secret access key never goes in the configuration/,
    );
    expect(
      problemsOf({ ...BASE, accessKeyId: 'ASIA1', signIn: { method: 'temporaryKeys', sessionToken: 't' } }),
    ).toEqual([
      'connection.signIn: unknown field "sessionToken" (a session token never goes in the configuration: set AWS_SESSION_TOKEN or store it in the keychain)',
    ]);
  });
});

describe('the command line sign-in', () => {
  const config = parseConfig({
    connection: {
      ...BASE,
      accessKeyId: 'AKIACONFIG',
      signIn: { method: 'accessKey', assumeRole: { roleArn: 'arn:aws:iam::123456789012:role/reader' } },
    },
    objects: {},
  });
  const role = { assumeRole: { roleArn: 'arn:aws:iam::123456789012:role/reader' } };

  it('--profile wins, and keeps the role to assume', () => {
    expect(
      withCliSignIn(config, 'analytics', { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 's' }).connection
        .signIn,
    ).toEqual({
      method: 'profile',
      profile: 'analytics',
      ...role,
    });
  });

  it('AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY replace the configured key; with AWS_SESSION_TOKEN, as temporary keys', () => {
    const keys = withCliSignIn(config, undefined, { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 's' });
    expect(keys.connection).toMatchObject({ accessKeyId: 'AKIAENV', signIn: { method: 'accessKey', ...role } });
    const temporary = withCliSignIn(config, undefined, {
      AWS_ACCESS_KEY_ID: 'ASIAENV',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_SESSION_TOKEN: 't',
    });
    expect(temporary.connection).toMatchObject({
      accessKeyId: 'ASIAENV',
      signIn: { method: 'temporaryKeys', ...role },
    });
  });

  it('leaves the configuration alone with only AWS_SECRET_ACCESS_KEY (the configured key ID pairs with it)', () => {
    expect(withCliSignIn(config, undefined, { AWS_SECRET_ACCESS_KEY: 's' })).toBe(config);
  });
});

describe('the profiles listed from ~/.aws', () => {
  const home = mkdtempSync(join(tmpdir(), 's3sync-aws-home-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('lists every profile by name and kind, and tells an SSO profile whose sign-in expired', async () => {
    mkdirSync(join(home, '.aws', 'sso', 'cache'), { recursive: true });
    writeFileSync(
      join(home, '.aws', 'config'),
      [
        '[default]',
        'region = us-east-1',
        '[profile analytics]',
        'role_arn = arn:aws:iam::123456789012:role/reader',
        'source_profile = default',
        '[profile sso-fresh]',
        'sso_session = acme',
        '[profile sso-stale]',
        'sso_session = old',
        '; a comment',
        '[sso-session acme]',
        'sso_start_url = https://acme.awsapps.com/start',
      ].join('\n'),
    );
    writeFileSync(
      join(home, '.aws', 'credentials'),
      '[default]\naws_access_key_id = AKIA1\naws_secret_access_key = never-listed\n',
    );
    const cache = (name: string) =>
      join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update(name).digest('hex')}.json`);
    const now = new Date('2026-12-01T10:00:00Z');
    writeFileSync(cache('acme'), JSON.stringify({ expiresAt: '2026-12-01T18:00:00Z' }));
    writeFileSync(cache('old'), JSON.stringify({ expiresAt: '2026-11-30T18:00:00Z' }));

    const profiles = await listAwsProfiles({ HOME: home }, now);
    expect(profiles).toEqual([
      { name: 'analytics', kind: 'role' },
      { name: 'default', kind: 'keys' },
      { name: 'sso-fresh', kind: 'sso', ssoSignInExpired: false },
      { name: 'sso-stale', kind: 'sso', ssoSignInExpired: true },
    ]);
    expect(JSON.stringify(profiles)).not.toContain('never-listed');
  });

  it('is empty when there is no ~/.aws folder', async () => {
    expect(await listAwsProfiles({ HOME: join(home, 'nobody') })).toEqual([]);
  });
});
