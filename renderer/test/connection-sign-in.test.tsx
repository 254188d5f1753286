// Connection screen, "Sign in with": each method asks only for what it needs, sends no secret it does
// not need, says when temporary keys have expired, gives the SSO login command to copy, and a test
// result names the identity it signed in as.
import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CONNECTION, createFakeApi, makeConfig, makeOverview } from './fake-api';
import { renderApp } from './render-app';

const BUCKET = { bucket: 'acme-exports', prefix: '', region: 'us-east-1' };

async function fillBucket(user: Awaited<ReturnType<typeof renderApp>>['user']) {
  await user.type(screen.getByLabelText('Bucket name'), BUCKET.bucket);
  await user.type(screen.getByLabelText('Region'), BUCKET.region);
}

describe('Sign in with', () => {
  it('defaults to an access key, and names the identity a test signed in as', async () => {
    const api = createFakeApi();
    const { user } = await renderApp(api);
    expect(screen.getByLabelText('Sign in with')).toHaveValue('accessKey');
    await fillBucket(user);
    await user.type(screen.getByLabelText('Access key ID'), 'AKIAEXAMPLE');
    await user.type(screen.getByLabelText('Secret access key'), 'typed-secret');
    api.testConnection.mockResolvedValueOnce({
      ok: true,
      fileCount: 3,
      more: false,
      identity: 'arn:aws:iam::123456789012:user/ana',
    });
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(
      await screen.findByText('Connected as arn:aws:iam::123456789012:user/ana. It sees 3 files in the bucket.'),
    ).toBeInTheDocument();
  });

  it('temporary keys: asks for the secret and the session token together, and sends the expiry', async () => {
    const api = createFakeApi();
    const { user } = await renderApp(api);
    await fillBucket(user);
    await user.selectOptions(screen.getByLabelText('Sign in with'), 'temporaryKeys');
    await user.type(screen.getByLabelText('Access key ID'), 'ASIAEXAMPLE');
    await user.type(screen.getByLabelText('Secret access key'), 'temp-secret');
    expect(screen.getByLabelText('Session token')).toHaveAttribute('type', 'password');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(screen.getByLabelText('Session token')).toHaveAccessibleDescription(
      /Enter the session token that came with these keys/,
    );
    expect(api.saveConnection).not.toHaveBeenCalled();

    await user.type(screen.getByLabelText('Session token'), 'token-value');
    await user.type(screen.getByLabelText('Expires at (optional)'), '2030-01-02T14:05');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.saveConnection).toHaveBeenCalledWith({
      connection: {
        ...BUCKET,
        accessKeyId: 'ASIAEXAMPLE',
        signIn: { method: 'temporaryKeys', expiresAt: new Date('2030-01-02T14:05').toISOString() },
      },
      secretAccessKey: 'temp-secret',
      sessionToken: 'token-value',
    });
    expect(
      await screen.findByText('Connection saved; the secret access key and session token are stored in the keychain.'),
    ).toBeInTheDocument();
  });

  it('temporary keys that have expired say so, with the time', async () => {
    const expiresAt = '2026-03-02T14:05:00.000Z';
    const config = makeConfig();
    config.connection = { ...CONNECTION, signIn: { method: 'temporaryKeys', expiresAt } };
    const api = createFakeApi(makeOverview({ config, secretStored: true, sessionTokenStored: true }));
    await renderApp(api, 'connection');
    expect(screen.getByText('These keys expired at 2026-03-02 14:05 UTC')).toBeInTheDocument();
    expect(screen.getByRole('group', { name: 'Secret access key and session token' })).toHaveTextContent(
      'Stored in the keychain for AKIAEXAMPLE.',
    );
    expect(screen.getByRole('button', { name: 'Enter new keys' })).toBeInTheDocument();
  });

  it('AWS profile: lists the profiles by name, sends no key, and gives the SSO login command to copy', async () => {
    const api = createFakeApi(
      makeOverview({
        awsProfiles: [
          { name: 'analytics', kind: 'keys' },
          { name: 'sso-dev', kind: 'sso', ssoSignInExpired: true },
        ],
      }),
    );
    const { user } = await renderApp(api);
    await fillBucket(user);
    await user.selectOptions(screen.getByLabelText('Sign in with'), 'profile');
    expect(screen.queryByLabelText('Access key ID')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Secret access key')).not.toBeInTheDocument();
    expect(screen.getByLabelText('AWS profile')).toHaveAccessibleDescription(
      'From ~/.aws/config: analytics, sso-dev (SSO).',
    );
    await user.type(screen.getByLabelText('AWS profile'), 'sso-dev');
    expect(screen.getByText('The SSO sign-in of “sso-dev” has expired')).toBeInTheDocument();
    expect(screen.getByText('aws sso login --profile sso-dev')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Copy command' }));
    expect(await screen.findByRole('button', { name: 'Copied' })).toBeInTheDocument();
    // user-event stands in for the system clipboard.
    expect(await navigator.clipboard.readText()).toBe('aws sso login --profile sso-dev');

    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.saveConnection).toHaveBeenCalledWith({
      connection: { ...BUCKET, signIn: { method: 'profile', profile: 'sso-dev' } },
    });
  });

  it('assume a role on top of a profile: the role ARN is required, the external ID optional', async () => {
    const api = createFakeApi();
    const { user } = await renderApp(api);
    await fillBucket(user);
    await user.selectOptions(screen.getByLabelText('Sign in with'), 'profile');
    await user.type(screen.getByLabelText('AWS profile'), 'analytics');
    await user.click(screen.getByLabelText('Assume a role (in the bucket owner’s account)'));
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(screen.getByLabelText('Role ARN')).toHaveAccessibleDescription(/Enter the ARN of the role to assume/);
    expect(api.saveConnection).not.toHaveBeenCalled();
    await user.type(screen.getByLabelText('Role ARN'), 'arn:aws:iam::123456789012:role/vitally-reader');
    await user.type(screen.getByLabelText('External ID (optional)'), 'ext-42');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.saveConnection).toHaveBeenCalledWith({
        connection: {
          ...BUCKET,
          signIn: {
            method: 'profile',
            profile: 'analytics',
            assumeRole: { roleArn: 'arn:aws:iam::123456789012:role/vitally-reader', externalId: 'ext-42' },
          },
        },
      }),
    );
  });

  it('public bucket and default chain ask for no keys, and a public bucket offers no role', async () => {
    const api = createFakeApi();
    const { user } = await renderApp(api);
    await fillBucket(user);
    await user.selectOptions(screen.getByLabelText('Sign in with'), 'public');
    expect(screen.queryByLabelText('Access key ID')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Assume a role (in the bucket owner’s account)')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.saveConnection).toHaveBeenLastCalledWith({ connection: { ...BUCKET, signIn: { method: 'public' } } });

    await user.selectOptions(screen.getByLabelText('Sign in with'), 'defaultChain');
    expect(screen.getByText(/For servers: the keys in AWS_ACCESS_KEY_ID/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.saveConnection).toHaveBeenLastCalledWith({
      connection: { ...BUCKET, signIn: { method: 'defaultChain' } },
    });
  });
});
