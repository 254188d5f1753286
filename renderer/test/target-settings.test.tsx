// "Where the data goes" on the Connection screen: this computer or a shared PostgreSQL database, a test
// answered in the back end's plain words, problems under their fields, the password never shown again.
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createFakeApi, makeConfig, makeOverview } from './fake-api';
import { renderApp } from './render-app';

const URL = 'postgres://sync@db.internal:5432/cs';

function section() {
  return within(screen.getByRole('form', { name: 'Where the data goes' }));
}

describe('Where the data goes', () => {
  it('shows only once a connection is saved, with this computer chosen', async () => {
    const first = await renderApp(createFakeApi(), 'connection');
    expect(screen.queryByRole('form', { name: 'Where the data goes' })).not.toBeInTheDocument();
    first.unmount();

    await renderApp(createFakeApi(makeOverview({ config: makeConfig() })), 'connection');
    expect(section().getByRole('radio', { name: /This computer/ })).toBeChecked();
    expect(section().getByText(/s3-csv-sync\.sqlite/)).toBeInTheDocument();
    expect(section().queryByLabelText('Database address')).not.toBeInTheDocument();
  });

  it('tests a PostgreSQL database with the typed password and shows what the back end says', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig() }));
    const { user } = await renderApp(api, 'connection');
    await user.click(section().getByRole('radio', { name: /A shared PostgreSQL database/ }));
    await user.click(section().getByRole('button', { name: 'Test database' }));
    expect(section().getByLabelText('Database address')).toHaveAccessibleDescription(
      /Enter the database’s address, for example postgres:\/\/sync@db.internal:5432\/cs\./,
    );
    expect(api.testTarget).not.toHaveBeenCalled();

    await user.type(section().getByLabelText('Database address'), URL);
    expect(section().getByLabelText('Schema')).toHaveValue('s3sync');
    await user.type(section().getByLabelText('Password'), 'wrong-pw');
    expect(section().getByLabelText('Password')).toHaveAttribute('type', 'password');
    const refused = 'PostgreSQL at db.internal:5432 refused the password of user "sync". Check the password you typed.';
    api.testTarget.mockResolvedValueOnce({ ok: false, message: refused, problems: [] });
    await user.click(section().getByRole('button', { name: 'Test database' }));
    expect(await section().findByText(refused)).toBeInTheDocument();
    expect(api.testTarget).toHaveBeenCalledWith({
      target: { kind: 'postgres', url: URL, schema: 's3sync' },
      password: 'wrong-pw',
    });
  });

  it('gives TLS and a CA file, saves, and clears the typed password', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig() }));
    const { user } = await renderApp(api, 'connection');
    await user.click(section().getByRole('radio', { name: /A shared PostgreSQL database/ }));
    await user.type(section().getByLabelText('Database address'), URL);
    await user.clear(section().getByLabelText('Schema'));
    await user.type(section().getByLabelText('Schema'), 'cs_sync');
    await user.type(section().getByLabelText('Password'), 'sync-pw');
    expect(section().queryByLabelText('CA certificate file (optional)')).not.toBeInTheDocument();
    await user.selectOptions(section().getByLabelText('TLS'), 'verify-full');
    await user.type(section().getByLabelText('CA certificate file (optional)'), '/etc/ssl/db-ca.pem');
    await user.click(section().getByRole('button', { name: 'Save database' }));
    const target = {
      kind: 'postgres',
      url: URL,
      schema: 'cs_sync',
      sslmode: 'verify-full',
      sslRootCert: '/etc/ssl/db-ca.pem',
    };
    expect(api.saveTarget).toHaveBeenCalledWith({ target, password: 'sync-pw' });
    expect(
      await screen.findByText('Syncs write into the PostgreSQL database; its password is stored in the keychain.'),
    ).toBeInTheDocument();
    expect(api.getOverview).toHaveBeenCalledTimes(2);
    expect(section().getByLabelText('Password')).toHaveValue('');
  });

  it('puts the back end’s problems under their fields', async () => {
    const api = createFakeApi(makeOverview({ config: makeConfig() }));
    const { user } = await renderApp(api, 'connection');
    await user.click(section().getByRole('radio', { name: /A shared PostgreSQL database/ }));
    await user.type(section().getByLabelText('Database address'), 'postgres://sync:secret@db/cs');
    api.saveTarget.mockResolvedValueOnce({
      ok: false,
      message: 'The configuration is not valid',
      problems: ['target.url: must not contain a password: store it in the OS keychain'],
    });
    await user.click(section().getByRole('button', { name: 'Save database' }));
    expect(await section().findByText('This must not contain a password: store it in the OS keychain')).toBeVisible();
    expect(section().getByLabelText('Database address')).toHaveAttribute('aria-invalid', 'true');
  });

  it('says a stored password is kept unless one is typed', async () => {
    const config = { ...makeConfig(), target: { kind: 'postgres' as const, url: URL, schema: 's3sync' } };
    const api = createFakeApi(makeOverview({ config, targetPasswordStored: true }));
    await renderApp(api, 'connection');
    expect(section().getByRole('radio', { name: /A shared PostgreSQL database/ })).toBeChecked();
    expect(section().getByLabelText('Database address')).toHaveValue(URL);
    expect(section().getByLabelText('Password')).toHaveValue('');
    expect(section().getByLabelText('Password')).toHaveAccessibleDescription(
      'A password for this address is stored in the keychain; type one only to replace it.',
    );
  });

  it('the Data screen names the PostgreSQL database, and the Query screen says it reads the local file only', async () => {
    const config = { ...makeConfig(), target: { kind: 'postgres' as const, url: URL, schema: 's3sync' } };
    const label = 'postgres://sync@db.internal:5432/cs (schema s3sync)';
    const api = createFakeApi(makeOverview({ config, targetLabel: label }));
    const { user, unmount } = await renderApp(api, 'data');
    expect(screen.getByLabelText('PostgreSQL database')).toHaveValue(label);
    expect(screen.queryByLabelText('Database file')).not.toBeInTheDocument();
    expect(screen.getByText('What the syncs wrote to the shared PostgreSQL database.')).toBeInTheDocument();
    // The insights come from workbench starters, which read the SQLite file: not asked for.
    expect(api.runQuery).not.toHaveBeenCalled();
    await user.click(screen.getByRole('link', { name: 'Query' }));
    expect(await screen.findByText('The Query screen reads this computer’s SQLite file only')).toBeInTheDocument();
    expect(screen.getByText(label)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Run/ })).not.toBeInTheDocument();
    unmount();
  });
});
