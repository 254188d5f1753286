// Issue 11 on the Objects screen, in Chromium on the web preview (the same API object the desktop app
// serves) over s3rver: a pattern is checked as it is typed by the engine that matches it. RE2's named
// group (?P<…>), which JavaScript refuses, is accepted and previews the right keys; a lookbehind and a
// backreference, which JavaScript accepts, are refused at once in the engine's words, with what to
// write instead, and the bucket is not listed for them.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_PREFIX } from '../../scripts/sample-config';
import { goToScreen, startDemoWindow, type DemoWindow } from '../support/web-window';

const MONTHLY = 'event_id,user_id,ts,event\ne1,u1,2024-06-01T00:00:00Z,login\n';
const LOOKBEHIND =
  'The file pattern uses a lookbehind ((?<=…) or (?<!…)): file patterns are matched in linear time (RE2 rules), ' +
  'so that no pattern can freeze the app, and that engine has no lookaround. Write the text to match itself, and ' +
  'leave files out by narrowing what the pattern matches (for example ^accounts/[^_][^/]*\\.csv$ skips names that ' +
  'start with "_").';
const BACKREFERENCE =
  'The file pattern uses a backreference (\\1): file patterns are matched in linear time (RE2 rules), so that no ' +
  'pattern can freeze the app, and that engine has no backreferences. Write the repeated part out again (for ' +
  'example (csv|tsv)/.*\\.(csv|tsv)$ instead of (csv|tsv)/.*\\.\\1$).';

let demo: DemoWindow;
let page: Page;
/** Listings the page asked the back end for, by pattern. */
const previewed: string[] = [];

beforeAll(async () => {
  demo = await startDemoWindow();
  // Monthly exports at the top of the prefix, and one name the month pattern must leave out.
  for (const key of ['2024-06.csv', '2024-07.csv', '2024-07-old.csv']) await demo.s3.put(SAMPLE_PREFIX + key, MONTHLY);
  page = await demo.open();
  page.on('request', (request) => {
    if (request.url().endsWith('/api/previewFiles'))
      previewed.push((JSON.parse(request.postData() ?? '{}') as { args: { fileRegex: string } }).args.fileRegex);
  });
  await goToScreen(page, 'Objects');
}, 90_000);

afterAll(async () => {
  await demo?.close();
});

describe('Objects: file patterns checked by the engine that matches them', { timeout: 90_000 }, () => {
  it('previews (?P<month>…) and refuses a lookbehind and a backreference in the engine’s words', async () => {
    for (const tab of ['Tracks', 'Accounts']) {
      await page.getByRole('tab', { name: new RegExp(`^${tab}\\b`) }).click();
      const panel = page.getByRole('tabpanel', { name: new RegExp(tab) });
      const pattern = panel.getByLabel('File pattern');
      // The pattern's own message (aria-describedby), not a column picker's.
      const message = page.locator(`#map-${tab.toLowerCase()}-pattern-error`);

      // Typed key by key, as a user does: the check runs once typing pauses, never at every key.
      await pattern.fill('');
      await pattern.pressSequentially('^(?P<month>\\d{4}-\\d{2})\\.csv$');
      await panel.getByText('2 files match').waitFor();
      const keys = await panel.locator('.preview-table tbody tr td:first-child').allTextContents();
      expect(keys).toEqual([`${SAMPLE_PREFIX}2024-06.csv`, `${SAMPLE_PREFIX}2024-07.csv`]);
      await expect.poll(() => message.count()).toBe(0);
      expect(previewed.at(-1)).toBe('^(?P<month>\\d{4}-\\d{2})\\.csv$');

      const listings = previewed.length;
      await pattern.fill('');
      await pattern.pressSequentially('^(?<!x)a\\.csv$');
      await message.getByText(LOOKBEHIND, { exact: true }).waitFor();
      expect(await pattern.getAttribute('aria-invalid')).toBe('true');
      expect(await panel.locator('.preview-table').count()).toBe(0);

      await pattern.fill('');
      await pattern.pressSequentially('(a)\\1');
      await message.getByText(BACKREFERENCE, { exact: true }).waitFor();
      // Refused on the screen: the bucket was not listed for either.
      expect(previewed.slice(listings)).toEqual([]);
    }
  });
});
