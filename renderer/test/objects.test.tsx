// Objects screen: the live (debounced) preview of a file pattern, the inline message for an invalid
// one, column pickers from the first file, mappings that cannot work flagged before saving.
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { PreviewResult, SampleResult } from '../../electron/shared/contract';
import { createFakeApi, makeConfig, makeOverview } from './fake-api';
import { renderApp } from './render-app';

const ACCOUNT_FILES: PreviewResult = {
  ok: true,
  selected: [
    { key: 'vitally/accounts/2026-01.csv', size: 2048, lastModified: '2026-01-31T23:00:00.000Z' },
    { key: 'vitally/accounts/2026-02.csv', size: 3 * 1024 * 1024, lastModified: '2026-02-28T23:00:00.000Z' },
  ],
  overCap: 3,
  listedCount: 1250,
};
const ACCOUNT_SAMPLE: SampleResult = {
  ok: true,
  key: 'vitally/accounts/2026-01.csv',
  columns: ['account_id', 'account_name', 'org', 'plan'],
  rows: [
    ['acc_1', 'Acme', 'org_1', 'enterprise'],
    ['acc_2', 'Globex', 'org_2', 'growth'],
  ],
  delimiter: ',',
};

function connectedApi(objects = {}) {
  const api = createFakeApi(makeOverview({ config: makeConfig(objects), secretStored: true }));
  api.previewFiles.mockResolvedValue(ACCOUNT_FILES);
  api.sampleFile.mockResolvedValue(ACCOUNT_SAMPLE);
  return api;
}

describe('Objects', () => {
  it('asks for a connection first when there is none', async () => {
    const api = createFakeApi();
    const { user } = await renderApp(api, 'objects');
    expect(screen.getByText('Connect to your bucket first')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Go to Connection' }));
    expect(screen.getByRole('heading', { level: 1, name: 'Connection' })).toHaveFocus();
  });

  it('has a tab per object type, moved along with the arrow keys', async () => {
    const api = connectedApi();
    const { user } = await renderApp(api, 'objects');
    const tabs = screen.getAllByRole('tab');
    expect(tabs.map((t) => t.textContent)).toEqual([
      'Accounts, Off',
      'Organizations, Off',
      'Users, Off',
      'NPS, Off',
      'Tracks, Off',
    ]);
    expect(tabs[0]).toHaveAttribute('aria-selected', 'true');
    tabs[0]!.focus();
    await user.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: /Organizations/ })).toHaveFocus();
    expect(screen.getByRole('tab', { name: /Organizations/ })).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tabpanel')).toHaveAccessibleName(/Organizations/);
    await user.keyboard('{End}');
    expect(screen.getByRole('tabpanel')).toHaveAccessibleName(/Tracks/);
    await user.keyboard('{ArrowRight}');
    expect(screen.getByRole('tabpanel')).toHaveAccessibleName(/Accounts/);
  });

  it('flags an invalid pattern inline without listing, and previews a valid one once typing pauses', async () => {
    const api = connectedApi();
    const { user } = await renderApp(api, 'objects');
    const pattern = screen.getByLabelText('File pattern');
    await user.type(pattern, '^accounts/(');
    // In the engine's words, once typing pauses.
    await waitFor(() =>
      expect(pattern).toHaveAccessibleDescription(
        /The file pattern is not a valid regular expression: missing closing \): `\^accounts\/\(`\./,
      ),
    );
    expect(pattern).toHaveAttribute('aria-invalid', 'true');
    await new Promise((r) => setTimeout(r, 600));
    expect(api.previewFiles).not.toHaveBeenCalled();

    await user.clear(pattern);
    await user.type(pattern, '^accounts/.*\\.csv');
    expect(await screen.findByText('5 files match')).toBeInTheDocument();
    // Debounced: one listing for the whole typed pattern, not one per keystroke.
    expect(api.previewFiles).toHaveBeenCalledTimes(1);
    expect(api.previewFiles).toHaveBeenCalledWith({
      type: 'accounts',
      fileRegex: '^accounts/.*\\.csv',
      previewId: expect.any(String),
    });
    expect(screen.getByText('3 files beyond the 1,000-file limit will not be read')).toBeInTheDocument();
    expect(screen.getByText('out of 1,250 files under the prefix')).toBeInTheDocument();
    const rows = within(screen.getByRole('table', { name: /Files the pattern selects/ }))
      .getAllByRole('row')
      .slice(1);
    expect(
      rows.map((r) =>
        within(r)
          .getAllByRole('cell')
          .slice(0, 2)
          .map((c) => c.textContent),
      ),
    ).toEqual([
      ['vitally/accounts/2026-01.csv', '2.0 KB'],
      ['vitally/accounts/2026-02.csv', '3.0 MB'],
    ]);
  });

  it('shows the matches as the bucket is listed, still counting, then the final count; a newer pattern cancels the older listing', async () => {
    const api = connectedApi();
    const answers: ((result: PreviewResult) => void)[] = [];
    api.previewFiles.mockImplementation(() => new Promise<PreviewResult>((resolve) => answers.push(resolve)));
    const { user } = await renderApp(api, 'objects');
    const panel = screen.getByRole('tabpanel', { name: /Accounts/ });
    await user.type(within(panel).getByLabelText('File pattern'), '^old/');
    await waitFor(() => expect(api.previewFiles).toHaveBeenCalledTimes(1));
    const oldId = (api.previewFiles.mock.lastCall as unknown as [{ previewId: string }])[0].previewId;
    expect(within(panel).getByText('Listing the bucket…')).toBeInTheDocument();

    // A newer pattern: the older listing is cancelled, and its late events and answer are ignored.
    await user.clear(within(panel).getByLabelText('File pattern'));
    await user.type(within(panel).getByLabelText('File pattern'), '^accounts/');
    await waitFor(() => expect(api.previewFiles).toHaveBeenCalledTimes(2));
    expect(api.cancelPreview).toHaveBeenCalledWith({ previewId: oldId });
    const call = (
      api.previewFiles.mock.lastCall as unknown as [{ type: string; fileRegex: string; previewId: string }]
    )[0];
    expect(call).toEqual({ type: 'accounts', fileRegex: '^accounts/', previewId: expect.any(String) });
    expect(call.previewId).not.toBe(oldId);

    const [first, second] = ACCOUNT_FILES.selected;
    act(() =>
      api.emit('previewProgress', {
        previewId: oldId,
        type: 'accounts',
        selected: [{ key: 'vitally/old/x.csv', size: 1, lastModified: first!.lastModified }],
        overCap: 0,
        listedCount: 900,
      }),
    );
    act(() =>
      api.emit('previewProgress', {
        previewId: call.previewId,
        type: 'accounts',
        selected: [first!],
        overCap: 0,
        listedCount: 1000,
      }),
    );
    expect(await within(panel).findByText('1 file matches so far')).toBeInTheDocument();
    expect(within(panel).getByText('— still counting: 1,000 of the keys under the prefix listed…')).toBeInTheDocument();
    const rowsOf = () =>
      within(within(panel).getByRole('table', { name: /Files the pattern selects/ }))
        .getAllByRole('row')
        .slice(1)
        .map((r) => within(r).getAllByRole('cell')[0]!.textContent);
    expect(rowsOf()).toEqual(['vitally/accounts/2026-01.csv']);
    // The column pickers need not wait for the count: the first match is the first file.
    await waitFor(() =>
      expect(api.sampleFile).toHaveBeenCalledWith({ type: 'accounts', key: 'vitally/accounts/2026-01.csv' }),
    );

    act(() =>
      api.emit('previewProgress', {
        previewId: call.previewId,
        type: 'accounts',
        selected: [first!, second!],
        overCap: 0,
        listedCount: 41_000,
      }),
    );
    expect(await within(panel).findByText('2 files match so far')).toBeInTheDocument();
    expect(
      within(panel).getByText('— still counting: 41,000 of the keys under the prefix listed…'),
    ).toBeInTheDocument();
    expect(rowsOf()).toEqual(['vitally/accounts/2026-01.csv', 'vitally/accounts/2026-02.csv']);
    expect(within(panel).queryByText(/old\/x\.csv/)).not.toBeInTheDocument();

    // The older listing's late answer changes nothing; the newer one's is the final state.
    act(() => answers[0]!({ ok: true, selected: [], overCap: 0, listedCount: 7 }));
    act(() => answers[1]!({ ...ACCOUNT_FILES, listedCount: 100_000 }));
    expect(await within(panel).findByText('5 files match')).toBeInTheDocument();
    expect(within(panel).getByText('out of 100,000 files under the prefix')).toBeInTheDocument();
    expect(within(panel).queryByText(/so far|still counting/)).not.toBeInTheDocument();
    // The finished preview is not cancelled, and nothing listens for its events any more.
    expect(api.cancelPreview).toHaveBeenCalledTimes(1);
    expect(api.listenerCount('previewProgress')).toBe(0);
  });

  it('fills the column pickers from the first selected file, shows its first rows, and says what becomes traits', async () => {
    const api = connectedApi();
    const { user } = await renderApp(api, 'objects');
    await user.type(screen.getByLabelText('File pattern'), '^accounts/');
    const idPicker = await screen.findByRole('combobox', { name: 'Account ID column' });
    await waitFor(() =>
      expect(
        within(idPicker)
          .getAllByRole('option')
          .map((o) => o.textContent),
      ).toEqual(['Choose a column…', 'account_id', 'account_name', 'org', 'plan']),
    );
    expect(api.sampleFile).toHaveBeenCalledWith({ type: 'accounts', key: 'vitally/accounts/2026-01.csv' });
    // Names that suggest themselves are chosen for a type never saved before; the others wait.
    await waitFor(() => expect(idPicker).toHaveValue('account_id'));
    expect(screen.getByRole('combobox', { name: 'Name column' })).toHaveValue('account_name');
    expect(screen.getByRole('combobox', { name: 'Organization ID column (optional)' })).toHaveValue('');
    const sample = screen.getByRole('table', { name: 'First rows of the file' });
    expect(within(sample).getByRole('cell', { name: 'Globex' })).toBeInTheDocument();
    expect(screen.getByText('Other columns become traits: org, plan.')).toBeInTheDocument();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Organization ID column (optional)' }), 'org');
    expect(screen.getByText('Other columns become traits: plan.')).toBeInTheDocument();
  });

  it('flags a required column not chosen and refuses to save; saves a complete mapping and says a sync started', async () => {
    const api = connectedApi();
    api.saveMapping.mockResolvedValue({
      ok: true,
      config: makeConfig(),
      scheduler: { ...makeOverview().scheduler, running: true },
    });
    const { user } = await renderApp(api, 'objects');
    await user.click(screen.getByRole('switch', { name: 'Sync accounts' }));
    await user.type(screen.getByLabelText('File pattern'), '^accounts/');
    const name = await screen.findByRole('combobox', { name: 'Name column' });
    await waitFor(() => expect(name).toHaveValue('account_name'));
    await user.selectOptions(name, '');
    expect(name).toHaveAccessibleDescription('Choose the column that holds the name: it is required.');
    expect(screen.getByText('This mapping cannot work yet')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save Accounts' }));
    expect(api.saveMapping).not.toHaveBeenCalled();

    await user.selectOptions(name, 'account_name');
    await user.click(screen.getByRole('radio', { name: /Update only/ }));
    await user.click(screen.getByRole('button', { name: 'Save Accounts' }));
    expect(api.saveMapping).toHaveBeenCalledWith({
      type: 'accounts',
      mapping: {
        enabled: true,
        fileRegex: '^accounts/',
        mode: 'update_only',
        idColumn: 'account_id',
        nameColumn: 'account_name',
        organizationIdColumn: null,
      },
    });
    expect(await screen.findByText('Accounts mapping saved. A sync has started to apply it.')).toBeInTheDocument();
  });

  it('flags a saved column that is missing from the file', async () => {
    const api = connectedApi({
      accounts: {
        enabled: true,
        fileRegex: '^accounts/',
        mode: 'create_update',
        idColumn: 'account_id',
        nameColumn: 'name',
        organizationIdColumn: null,
      },
    });
    const { user } = await renderApp(api, 'objects');
    const name = await screen.findByRole('combobox', { name: 'Name column' });
    await waitFor(() =>
      expect(name).toHaveAccessibleDescription('“name” is not a column of vitally/accounts/2026-01.csv.'),
    );
    expect(within(name).getByRole('option', { name: 'name (not in this file)' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save Accounts' }));
    expect(api.saveMapping).not.toHaveBeenCalled();
  });

  it('maps tracks to the kind of object the events relate to, with the delimiter chosen', async () => {
    const api = connectedApi();
    api.sampleFile.mockResolvedValue({
      ok: true,
      key: 'vitally/events/a.csv',
      columns: ['message_id', 'account_id', 'ts', 'event'],
      rows: [],
      delimiter: ';',
    });
    const { user } = await renderApp(api, 'objects');
    await user.click(screen.getByRole('tab', { name: /Tracks/ }));
    const panel = screen.getByRole('tabpanel', { name: /Tracks/ });
    await user.click(within(panel).getByRole('switch', { name: 'Sync tracks' }));
    await user.type(within(panel).getByLabelText('File pattern'), '^events/');
    await user.click(within(panel).getByRole('radio', { name: 'Accounts' }));
    const target = await within(panel).findByRole('combobox', { name: 'Account ID column' });
    await waitFor(() => expect(within(target).getAllByRole('option')).toHaveLength(5));
    await user.selectOptions(target, 'account_id');
    await user.selectOptions(within(panel).getByRole('combobox', { name: 'Message ID column' }), 'message_id');
    await user.selectOptions(within(panel).getByRole('combobox', { name: 'Event name column' }), 'event');
    await user.selectOptions(within(panel).getByRole('combobox', { name: 'Timestamp column' }), 'ts');
    await user.selectOptions(within(panel).getByRole('combobox', { name: 'Delimiter' }), ';');
    await waitFor(() =>
      expect(api.sampleFile).toHaveBeenLastCalledWith({
        type: 'tracks',
        key: 'vitally/accounts/2026-01.csv',
        delimiter: ';',
      }),
    );
    expect(within(panel).queryByRole('radio', { name: /Update only/ })).not.toBeInTheDocument();
    await user.click(within(panel).getByRole('button', { name: 'Save Tracks' }));
    expect(api.saveMapping).toHaveBeenCalledWith({
      type: 'tracks',
      mapping: {
        enabled: true,
        fileRegex: '^events/',
        delimiter: ';',
        target: 'account',
        targetIdColumn: 'account_id',
        messageIdColumn: 'message_id',
        eventColumn: 'event',
        timestampColumn: 'ts',
      },
    });
  });

  it('offers the encoding for files without a BOM: the sample is read with it, and it is saved (UTF-8 is left out)', async () => {
    const saved = {
      enabled: true,
      fileRegex: '^accounts/',
      mode: 'create_update' as const,
      idColumn: 'account_id',
      nameColumn: 'account_name',
    };
    const api = connectedApi({ accounts: saved });
    const { user } = await renderApp(api, 'objects');
    const panel = screen.getByRole('tabpanel', { name: /Accounts/ });
    const encoding = within(panel).getByRole('combobox', { name: 'Encoding' });
    expect(encoding).toHaveValue('');
    expect(
      within(encoding)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['UTF-8 (default)', 'UTF-16 LE', 'Windows-1252 (older Windows and Excel exports)']);
    await waitFor(() =>
      expect(api.sampleFile).toHaveBeenLastCalledWith({ type: 'accounts', key: 'vitally/accounts/2026-01.csv' }),
    );
    await user.selectOptions(encoding, 'windows-1252');
    await waitFor(() =>
      expect(api.sampleFile).toHaveBeenLastCalledWith({
        type: 'accounts',
        key: 'vitally/accounts/2026-01.csv',
        encoding: 'windows-1252',
      }),
    );
    await user.click(within(panel).getByRole('button', { name: 'Save Accounts' }));
    expect(api.saveMapping).toHaveBeenLastCalledWith({
      type: 'accounts',
      mapping: expect.objectContaining({ ...saved, encoding: 'windows-1252' }),
    });
    await user.selectOptions(encoding, '');
    await user.click(within(panel).getByRole('button', { name: 'Save Accounts' }));
    expect((api.saveMapping.mock.lastCall as unknown as [{ mapping: object }])[0].mapping).not.toHaveProperty(
      'encoding',
    );
  });

  it('warns when the prefix lacks its trailing slash and the pattern selects fewer files because of it', async () => {
    const api = connectedApi();
    const warning =
      'The prefix "vitally" does not end with "/", so the pattern is tested against keys such as "/accounts/2026-01.csv".';
    api.previewFiles.mockResolvedValue({ ok: true, selected: [], overCap: 0, listedCount: 2, warning });
    const { user } = await renderApp(api, 'objects');
    const panel = screen.getByRole('tabpanel', { name: /Accounts/ });
    await user.type(within(panel).getByLabelText('File pattern'), '^accounts/');
    expect(await within(panel).findByText(warning)).toBeInTheDocument();
    expect(within(panel).getByText('Check the prefix')).toBeInTheDocument();
  });

  it('shows a saved encoding', async () => {
    const api = connectedApi({
      accounts: {
        enabled: true,
        fileRegex: '^a/',
        mode: 'create_update',
        idColumn: 'account_id',
        nameColumn: 'account_name',
        encoding: 'utf-16le',
      },
    });
    await renderApp(api, 'objects');
    expect(
      within(screen.getByRole('tabpanel', { name: /Accounts/ })).getByRole('combobox', { name: 'Encoding' }),
    ).toHaveValue('utf-16le');
  });

  it('switches organizations off entirely: an incomplete mapping is dropped rather than refused', async () => {
    const api = connectedApi();
    const { user } = await renderApp(api, 'objects');
    await user.click(screen.getByRole('tab', { name: /Organizations/ }));
    const panel = screen.getByRole('tabpanel', { name: /Organizations/ });
    expect(within(panel).getByRole('switch', { name: 'Sync organizations' })).not.toBeChecked();
    expect(within(panel).getByRole('switch', { name: 'Sync organizations' })).toHaveAccessibleDescription(
      /Not every workspace uses organizations/,
    );
    await user.click(within(panel).getByRole('button', { name: 'Save Organizations' }));
    expect(api.saveMapping).toHaveBeenCalledWith({ type: 'organizations', mapping: null });
    expect(await screen.findByText('Organizations switched off: nothing is synced for them.')).toBeInTheDocument();
  });

  it('keeps a complete mapping when switched off, and shows the back end’s refusal', async () => {
    const saved = {
      enabled: true,
      fileRegex: '^orgs/',
      mode: 'create_update' as const,
      idColumn: 'org_id',
      nameColumn: 'org_name',
    };
    const api = connectedApi({ organizations: saved });
    api.sampleFile.mockResolvedValue({
      ok: true,
      key: 'vitally/orgs/a.csv',
      columns: ['org_id', 'org_name'],
      rows: [],
      delimiter: ',',
    });
    api.saveMapping.mockResolvedValueOnce({
      ok: false,
      message: 'not valid',
      problems: ['objects.organizations.fileRegex: is not a valid regular expression'],
    });
    const { user } = await renderApp(api, 'objects');
    expect(screen.getByRole('tab', { name: /Organizations/ })).toHaveTextContent('Organizations, On');
    await user.click(screen.getByRole('tab', { name: /Organizations/ }));
    const panel = screen.getByRole('tabpanel', { name: /Organizations/ });
    await user.click(within(panel).getByRole('switch', { name: 'Sync organizations' }));
    expect(within(panel).getByText('Unsaved changes')).toBeInTheDocument();
    await user.click(within(panel).getByRole('button', { name: 'Save Organizations' }));
    expect(api.saveMapping).toHaveBeenCalledWith({ type: 'organizations', mapping: { ...saved, enabled: false } });
    expect(
      await within(panel).findByText('objects.organizations.fileRegex: is not a valid regular expression'),
    ).toBeInTheDocument();
  });

  it('keeps an unsaved draft while the analyst visits another screen', async () => {
    const api = connectedApi();
    const { user } = await renderApp(api, 'objects');
    await user.type(screen.getByLabelText('File pattern'), '^accounts/2026');
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'Data' }));
    await screen.findByRole('heading', { level: 1, name: 'Data' });
    await user.click(screen.getByRole('link', { name: 'Objects' }));
    await screen.findByRole('heading', { level: 1, name: 'Objects' });
    expect(screen.getByLabelText('File pattern')).toHaveValue('^accounts/2026');
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();
    // Discarding forgets it for good.
    await user.click(screen.getByRole('button', { name: 'Discard changes' }));
    await user.click(screen.getByRole('link', { name: 'Data' }));
    await user.click(screen.getByRole('link', { name: 'Objects' }));
    expect(await screen.findByLabelText('File pattern')).toHaveValue('');
  });

  it('saving a mapping that is switched off says nothing will be synced, not that a sync started', async () => {
    const api = connectedApi();
    api.saveMapping.mockResolvedValue({
      ok: true,
      config: makeConfig(),
      scheduler: { ...makeOverview().scheduler, running: true },
    });
    const { user } = await renderApp(api, 'objects');
    await user.type(screen.getByLabelText('File pattern'), '^accounts/');
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Name column' })).toHaveValue('account_name'));
    await user.click(screen.getByRole('button', { name: 'Save Accounts' }));
    expect(api.saveMapping).toHaveBeenCalledWith({
      type: 'accounts',
      mapping: expect.objectContaining({ enabled: false }),
    });
    expect(
      await screen.findByText(
        'Accounts mapping saved, switched off: no account is synced until you switch it on and save.',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/A sync has started/)).not.toBeInTheDocument();
  });

  it('gives each tab an example pattern for its own type, and names NPS responses properly', async () => {
    const api = connectedApi();
    const { user } = await renderApp(api, 'objects');
    const placeholders: string[] = [];
    for (const tab of ['Accounts', 'Organizations', 'Users', 'NPS', 'Tracks']) {
      await user.click(screen.getByRole('tab', { name: new RegExp(`^${tab}`) }));
      const panel = screen.getByRole('tabpanel', { name: new RegExp(`^${tab}`) });
      placeholders.push(within(panel).getByLabelText('File pattern').getAttribute('placeholder')!);
    }
    expect(placeholders).toEqual([
      '^accounts/.*\\.csv$',
      '^organizations/.*\\.csv$',
      '^users/.*\\.csv$',
      '^nps/.*\\.csv$',
      '^events/.*\\.csv(\\.gz)?$',
    ]);
    await user.click(screen.getByRole('tab', { name: /^NPS/ }));
    expect(screen.getByRole('switch', { name: 'Sync NPS responses' })).toBeInTheDocument();
  });

  it('says that a wildcard pattern is not a regular expression, and offers the one it means', async () => {
    const api = connectedApi();
    const { user } = await renderApp(api, 'objects');
    const pattern = screen.getByLabelText('File pattern');
    await user.type(pattern, 'accounts/*.csv');
    const banner = screen.getByText('File patterns are regular expressions, not wildcards').closest('.banner')!;
    expect(banner).toHaveTextContent('The regular expression for that is ^accounts/[^/]*\\.csv$.');
    await user.click(within(banner as HTMLElement).getByRole('button', { name: 'Use ^accounts/[^/]*\\.csv$' }));
    expect(pattern).toHaveValue('^accounts/[^/]*\\.csv$');
    expect(screen.queryByText('File patterns are regular expressions, not wildcards')).not.toBeInTheDocument();
  });

  it('reads the pickers from the first file that can be a CSV, and flags the ones that cannot before any sync', async () => {
    const api = connectedApi();
    api.previewFiles.mockResolvedValue({
      ok: true,
      selected: [
        {
          key: 'vitally/accounts/README.txt',
          size: 120,
          lastModified: '2026-01-01T00:00:00.000Z',
          notCsv: 'Its first line has no comma, semicolon, tab or pipe: it reads as prose, not a CSV header.',
        },
        ...(ACCOUNT_FILES.ok ? ACCOUNT_FILES.selected : []),
      ],
      overCap: 0,
      listedCount: 3,
    });
    const { user } = await renderApp(api, 'objects');
    await user.type(screen.getByLabelText('File pattern'), '^accounts/');
    await screen.findByText('1 selected file is not CSV');
    expect(api.sampleFile).toHaveBeenCalledWith({ type: 'accounts', key: 'vitally/accounts/2026-01.csv' });
    expect(api.sampleFile).not.toHaveBeenCalledWith(expect.objectContaining({ key: 'vitally/accounts/README.txt' }));
    const row = screen.getByRole('row', { name: /README\.txt/ });
    expect(row).toHaveTextContent('Not a CSV Its first line has no comma');
  });

  it('shows which selected files have a header that differs from the first file’s', async () => {
    const api = connectedApi();
    const file = (key: string, columns: string[]) => ({
      key,
      size: 100,
      lastModified: '2026-03-01T00:00:00.000Z',
      columns,
    });
    api.previewFiles.mockResolvedValue({
      ok: true,
      selected: [
        file('vitally/accounts/2024-01.csv', ['Account ID', 'Account Name', 'MRR']),
        file('vitally/accounts/2024-02.csv', ['Account ID', 'account name', 'MRR']),
        file('vitally/accounts/2024-03.csv', ['Account ID', 'Account name', 'MRR (USD)']),
      ],
      overCap: 0,
      listedCount: 3,
    });
    const { user } = await renderApp(api, 'objects');
    await user.type(screen.getByLabelText('File pattern'), '^accounts/');
    expect(
      await screen.findByText('1 selected file has a different header from vitally/accounts/2024-01.csv'),
    ).toBeInTheDocument();
    expect(screen.getByRole('row', { name: /2024-03\.csv/ })).toHaveTextContent(
      'Header differs new “MRR (USD)”; missing “MRR”',
    );
    expect(screen.getByRole('row', { name: /2024-02\.csv/ })).not.toHaveTextContent('Header differs');
  });
});
