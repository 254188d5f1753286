// Connection screen: labels, plain-word test results, the secret never shown once stored, problems
// put under their fields, and the overview's warnings.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CONNECTION, createFakeApi, makeConfig, makeOverview } from './fake-api';
import { renderApp } from './render-app';

describe('Connection', () => {
  it('starts here when nothing is set up, with every field labelled and Advanced for S3-compatible stores', async () => {
    const api = createFakeApi();
    const { user } = await renderApp(api);
    expect(screen.getByRole('heading', { level: 1, name: 'Connection' })).toBeInTheDocument();
    for (const label of ['Bucket name', 'Prefix', 'Region', 'Access key ID', 'Secret access key'])
      expect(screen.getByLabelText(label)).toHaveValue('');
    expect(screen.getByLabelText('Secret access key')).toHaveAttribute('type', 'password');
    expect(screen.getByLabelText('Custom endpoint')).not.toBeVisible();
    await user.click(screen.getByText('Advanced'));
    expect(screen.getByLabelText('Custom endpoint')).toBeVisible();
    expect(screen.getByLabelText('Path-style addressing')).not.toBeChecked();
    expect(screen.getByText('Not connected yet: start on the Connection screen')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sync now' })).toBeDisabled();
  });

  it('says what is missing before asking the back end', async () => {
    const api = createFakeApi();
    const { user } = await renderApp(api);
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(screen.getByLabelText('Bucket name')).toHaveAccessibleDescription(
      'Enter the name of the bucket that holds the CSV files.',
    );
    expect(screen.getByLabelText('Bucket name')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Region')).toHaveAccessibleDescription(/Enter the bucket’s AWS region/);
    expect(screen.getByLabelText('Bucket name')).toHaveFocus();
    expect(api.saveConnection).not.toHaveBeenCalled();
  });

  it('tests the typed connection and answers with how many files it sees, or what is wrong', async () => {
    const api = createFakeApi();
    const { user } = await renderApp(api);
    await user.type(screen.getByLabelText('Bucket name'), 'acme-exports');
    await user.type(screen.getByLabelText('Prefix'), 'vitally/');
    await user.type(screen.getByLabelText('Region'), 'us-east-1');
    await user.type(screen.getByLabelText('Access key ID'), 'AKIAEXAMPLE');
    await user.type(screen.getByLabelText('Secret access key'), 'typed-secret');
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('Connected. It sees 12 files under “vitally/”.')).toBeInTheDocument();
    expect(api.testConnection).toHaveBeenCalledWith({
      connection: { bucket: 'acme-exports', prefix: 'vitally/', region: 'us-east-1', accessKeyId: 'AKIAEXAMPLE' },
      secretAccessKey: 'typed-secret',
    });

    api.testConnection.mockResolvedValueOnce({ ok: true, fileCount: 1000, more: true });
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('Connected. It sees more than 1,000 files under “vitally/”.')).toBeInTheDocument();

    api.testConnection.mockResolvedValueOnce({
      ok: false,
      message: 'The bucket "acme-exports" is in eu-west-1, not us-east-1: set the region to eu-west-1.',
    });
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('set the region to eu-west-1');
  });

  it('saves the secret with the connection, then only says that one is stored, with a way to replace it', async () => {
    const api = createFakeApi();
    const { user } = await renderApp(api);
    await user.type(screen.getByLabelText('Bucket name'), CONNECTION.bucket);
    await user.type(screen.getByLabelText('Region'), CONNECTION.region);
    await user.type(screen.getByLabelText('Access key ID'), CONNECTION.accessKeyId);
    await user.type(screen.getByLabelText('Secret access key'), 'typed-secret');
    await user.click(screen.getByText('Advanced'));
    await user.type(screen.getByLabelText('Custom endpoint'), CONNECTION.endpoint);
    await user.click(screen.getByLabelText('Path-style addressing'));
    api.getOverview.mockResolvedValue(makeOverview({ config: makeConfig(), secretStored: true }));
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(api.saveConnection).toHaveBeenCalledWith({
      connection: {
        bucket: 'acme-exports',
        prefix: '',
        region: 'us-east-1',
        accessKeyId: 'AKIAEXAMPLE',
        endpoint: 'http://127.0.0.1:9000',
        forcePathStyle: true,
      },
      secretAccessKey: 'typed-secret',
    });
    expect(await screen.findByText(/Stored in the keychain for/)).toBeInTheDocument();
    expect(document.querySelector('input[type="password"]')).toBeNull();
    expect(screen.getByRole('group', { name: 'Secret access key' })).toHaveTextContent(
      'Stored in the keychain for AKIAEXAMPLE.',
    );
    expect(document.body.textContent).not.toContain('typed-secret');
    expect(
      await screen.findByText('Connection saved; the secret access key is stored in the keychain.'),
    ).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Replace secret' }));
    const secret = screen.getByLabelText('Secret access key');
    expect(secret).toHaveValue('');
    await waitFor(() => expect(secret).toHaveFocus());
    await user.type(secret, 'new-secret');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.saveConnection).toHaveBeenLastCalledWith(expect.objectContaining({ secretAccessKey: 'new-secret' }));
  });

  it('keeps the stored secret when saving without typing one, and asks for one for a new access key ID', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig(), secretStored: true }));
    const { user } = await renderApp(api, 'connection');
    expect(screen.getByLabelText('Bucket name')).toHaveValue('acme-exports');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.saveConnection).toHaveBeenCalledWith({ connection: CONNECTION });

    await user.clear(screen.getByLabelText('Access key ID'));
    await user.type(screen.getByLabelText('Access key ID'), 'AKIAOTHER');
    expect(screen.getByLabelText('Secret access key')).toHaveAccessibleDescription(
      /Leave it empty if the keychain already holds the secret for this access key ID/,
    );
  });

  it('puts the back end’s problems under their fields', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig(), secretStored: true }));
    api.saveConnection.mockResolvedValueOnce({
      ok: false,
      message: 'The configuration is not valid',
      problems: ['connection.endpoint: must be an http:// or https:// address, for example "http://127.0.0.1:9000"'],
    });
    const { user } = await renderApp(api, 'connection');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText(/This must be an http:\/\/ or https:\/\/ address/)).toBeInTheDocument();
    expect(screen.getByLabelText('Custom endpoint')).toHaveAttribute('aria-invalid', 'true');
  });

  it('shows a damaged settings file that was set aside, and a keychain that cannot be used', async () => {
    const api = createFakeApi(
      makeOverview({
        settingsNotice:
          'settings.json was not valid JSON; it was kept as settings.damaged-2026-03-02.json and the app started with empty settings.',
        keychainProblem: 'The OS keychain could not be reached: no Secret Service. Unlock the keychain and try again.',
      }),
    );
    const { user } = await renderApp(api);
    const notice = screen.getByText('Your settings file was damaged and set aside').closest('.banner') as HTMLElement;
    expect(notice).toHaveTextContent('settings.damaged-2026-03-02.json');
    expect(screen.getByRole('alert')).toHaveTextContent('The keychain cannot be used');
    await user.click(within(notice).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText('Your settings file was damaged and set aside')).not.toBeInTheDocument();
  });

  it('exports the configuration to a file and imports one, naming what is wrong in a bad one', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig(), secretStored: true }));
    api.exportConfig.mockResolvedValue({ json: '{"connection":{}}\n' });
    const created: Blob[] = [];
    URL.createObjectURL = (blob: Blob) => (created.push(blob), 'blob:config');
    URL.revokeObjectURL = () => undefined;
    const { user } = await renderApp(api, 'connection');
    await user.click(screen.getByRole('button', { name: 'Export configuration' }));
    await waitFor(() => expect(created).toHaveLength(1));
    expect(await created[0]!.text()).toBe('{"connection":{}}\n');

    api.importConfig.mockResolvedValueOnce({
      ok: false,
      message: 'not valid',
      problems: ['schedule.everyHours: must be 6, 12, 24 or null (off)'],
    });
    await user.upload(
      screen.getByLabelText('Configuration file to import'),
      new File(['{"schedule":{"everyHours":5}}'], 'team.json', { type: 'application/json' }),
    );
    expect(api.importConfig).toHaveBeenCalledWith({ json: '{"schedule":{"everyHours":5}}' });
    expect(await screen.findByText('schedule.everyHours: must be 6, 12, 24 or null (off)')).toBeInTheDocument();

    await user.upload(
      screen.getByLabelText('Configuration file to import'),
      new File(['{}'], 'team.json', { type: 'application/json' }),
    );
    expect(await screen.findByText('Configuration imported from team.json.')).toBeInTheDocument();
  });
});
