// The Objects screen checks a file pattern with the engine that matches it (RE2 rules), as the user
// types: RE2 syntax JavaScript refuses is accepted and previewed, JavaScript syntax RE2 refuses is
// refused at once, without listing, in the back end's words with what to write instead; on every
// object type's tab. (test/integration/file-pattern-agreement.test.ts checks the back end says the same.)
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { compileFilePattern } from '../../electron/shared/file-pattern';
import { OBJECT_TYPES, type ObjectType } from '../../electron/shared/config';
import { PATTERN_CASES, PATTERN_KEYS } from '../../test/support/file-pattern-cases';
import { createFakeApi, makeConfig, makeOverview } from './fake-api';
import { renderApp } from './render-app';

const LOOKBEHIND =
  'The file pattern uses a lookbehind ((?<=…) or (?<!…)): file patterns are matched in linear time (RE2 rules), ' +
  'so that no pattern can freeze the app, and that engine has no lookaround. Write the text to match itself, and ' +
  'leave files out by narrowing what the pattern matches (for example ^accounts/[^_][^/]*\\.csv$ skips names that ' +
  'start with "_").';
const BACKREFERENCE =
  'The file pattern uses a backreference (\\1): file patterns are matched in linear time (RE2 rules), so that no ' +
  'pattern can freeze the app, and that engine has no backreferences. Write the repeated part out again (for ' +
  'example (csv|tsv)/.*\\.(csv|tsv)$ instead of (csv|tsv)/.*\\.\\1$).';

/** A back end that lists PATTERN_KEYS and selects with the engine, as the real one does. */
function connectedApi() {
  const api = createFakeApi(makeOverview({ config: makeConfig({}), secretStored: true }));
  api.previewFiles.mockImplementation(async ({ fileRegex }: { fileRegex: string }) => {
    const pattern = compileFilePattern(fileRegex);
    const selected = PATTERN_KEYS.filter((key) => pattern.test(key)).map((key) => ({
      key,
      size: 10,
      lastModified: '2026-01-31T23:00:00.000Z',
    }));
    return { ok: true as const, selected, overCap: 0, listedCount: PATTERN_KEYS.length };
  });
  return api;
}

/** user-event reads `{` and `[` as key names: doubled, they are typed as themselves. */
const typed = (text: string) => text.replace(/[{[]/g, (c) => c + c);

async function setup() {
  const api = connectedApi();
  const { user } = await renderApp(api, 'objects');
  async function enter(type: ObjectType, pattern: string) {
    await user.click(screen.getByRole('tab', { name: new RegExp(`^${tabName(type)}\\b`) }));
    const field = within(screen.getByRole('tabpanel')).getByLabelText('File pattern');
    await user.clear(field);
    await user.type(field, typed(pattern));
    expect(field).toHaveValue(pattern);
    return field;
  }
  return { api, enter };
}

const tabName = (type: ObjectType) =>
  ({ organizations: 'Organizations', accounts: 'Accounts', users: 'Users', nps: 'NPS', tracks: 'Tracks' })[type];

function errorOf(field: HTMLElement): string | null {
  return document.getElementById(`${field.id}-error`)?.textContent ?? null;
}

/** The listed keys of the preview table, once it shows them. */
async function previewedKeys(): Promise<string[]> {
  const table = await within(screen.getByRole('tabpanel')).findByRole('table', { name: /Files the pattern selects/ });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) => within(row).getAllByRole('cell')[0]!.textContent ?? '');
}

describe('Objects: the file pattern is checked by the engine that matches it', () => {
  it('accepts RE2 syntax and refuses lookbehind and backreferences in the engine’s words, on every tab', async () => {
    const { api, enter } = await setup();
    for (const type of OBJECT_TYPES) {
      const month = await enter(type, '^accounts/(?P<month>\\d{4}-\\d{2})\\.csv$');
      expect(await previewedKeys()).toEqual(['accounts/2024-06.csv']);
      expect(month).not.toHaveAttribute('aria-invalid');
      expect(errorOf(month)).toBeNull();

      const calls = api.previewFiles.mock.calls.length;
      const lookbehind = await enter(type, '^(?<!x)a\\.csv$');
      await waitFor(() => expect(errorOf(lookbehind)).toBe(LOOKBEHIND));
      expect(lookbehind).toHaveAttribute('aria-invalid', 'true');

      const backreference = await enter(type, '(a)\\1');
      await waitFor(() => expect(errorOf(backreference)).toBe(BACKREFERENCE));
      // Refused on the screen: the bucket is not listed for them.
      expect(api.previewFiles.mock.calls.length).toBe(calls);
    }
  });

  it('agrees with the engine on every pattern of the shared table', async () => {
    const { enter } = await setup();
    for (const testCase of PATTERN_CASES) {
      const field = await enter('accounts', testCase.pattern);
      if ('selects' in testCase) {
        await waitFor(async () => expect(await previewedKeys()).toEqual(testCase.selects));
        expect(errorOf(field)).toBeNull();
      } else {
        // No message stands while typing; the one that comes once typing pauses is about this text.
        await waitFor(() => expect(errorOf(field)).toMatch(/^The file pattern /));
        const problem = errorOf(field)!.replace(/^The file pattern /, '');
        expect(problem).toMatch(testCase.refusedFor);
        expect(problem).toContain(testCase.advice);
      }
    }
  });
});
