// The window holds still: on every screen, at 1280 and at 900 px, the document is never larger than the
// viewport (only the screen's own area scrolls, as in a desktop app), no tab strip shows a scrollbar,
// and toasts never cover the Save buttons. Measured in Chromium on the web preview with demo data.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goToScreen, startDemoWindow, type DemoWindow } from '../support/web-window';

let demo: DemoWindow;

beforeAll(async () => {
  demo = await startDemoWindow();
}, 60_000);

afterAll(async () => {
  await demo?.close();
});

interface Overflow {
  scrollHeight: number;
  clientHeight: number;
  scrollWidth: number;
  clientWidth: number;
  /** Tab strips whose content is taller than the strip (a stray vertical scrollbar). */
  scrollingTabStrips: string[];
}

async function measure(page: Page): Promise<Overflow> {
  // Wheel past the end of the screen first: that is when a document larger than the window slides away.
  await page.mouse.move(700, 500);
  await page.mouse.wheel(0, 20_000);
  return page.evaluate<Overflow>(`(() => {
    const doc = document.scrollingElement;
    return {
      scrollHeight: doc.scrollHeight,
      clientHeight: doc.clientHeight,
      scrollWidth: doc.scrollWidth,
      clientWidth: doc.clientWidth,
      scrollingTabStrips: [...document.querySelectorAll('[role=tablist]')]
        .filter((el) => el.scrollHeight > el.clientHeight)
        .map((el) => el.getAttribute('aria-label') + ': ' + el.scrollHeight + ' > ' + el.clientHeight),
    };
  })()`);
}

function expectFits(overflow: Overflow): void {
  expect(overflow.scrollHeight).toBeLessThanOrEqual(overflow.clientHeight);
  expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.clientWidth);
  expect(overflow.scrollingTabStrips).toEqual([]);
}

describe.each([1280, 900])('the window at %i px wide', { timeout: 90_000 }, (width) => {
  let page: Page;
  beforeAll(async () => {
    page = await demo.open({ width, height: 820 });
  });
  afterAll(async () => {
    await page?.close();
  });

  it('Connection fits the window', async () => {
    await goToScreen(page, 'Connection');
    expectFits(await measure(page));
  });

  it('Objects fits the window on every tab', async () => {
    await goToScreen(page, 'Objects');
    for (const tab of ['Organizations', 'Accounts', 'Users', 'NPS', 'Tracks']) {
      await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
      await page
        .getByRole('tabpanel', { name: new RegExp(`^${tab}`) })
        .getByText(/files? match/)
        .waitFor();
      expectFits(await measure(page));
    }
  });

  it('a notice never covers Save or Discard', async () => {
    await goToScreen(page, 'Objects');
    await page.getByRole('tab', { name: /^Accounts/ }).click();
    const panel = page.getByRole('tabpanel', { name: /^Accounts/ });
    await panel.getByLabel('File pattern').fill('^accounts/');
    const discard = panel.getByRole('button', { name: 'Discard changes' });
    const save = panel.getByRole('button', { name: 'Save Accounts' });
    // Two notices stacked ("Sync started", then "already running" or "finished"), the buttons at the window's foot.
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('.notice').first().waitFor();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('.notice').nth(1).waitFor();
    await save.evaluate((el) => el.scrollIntoView({ block: 'end' }));
    const noticesBox = (await page.locator('.notices').boundingBox())!;
    for (const button of [save, discard]) {
      const box = (await button.boundingBox())!;
      const overlaps =
        box.x < noticesBox.x + noticesBox.width &&
        noticesBox.x < box.x + box.width &&
        box.y < noticesBox.y + noticesBox.height &&
        noticesBox.y < box.y + box.height;
      expect(overlaps).toBe(false);
    }
    await discard.click();
  });

  it('Schedule fits the window', async () => {
    await goToScreen(page, 'Schedule');
    expectFits(await measure(page));
  });

  it('Sync log fits the window with a run and its rejected rows open', async () => {
    await goToScreen(page, 'Sync log');
    await page.locator('.runs-table tbody tr').last().click();
    await page
      .getByRole('region', { name: /^Run 1 — / })
      .getByRole('heading', { name: /^Rejected rows/ })
      .waitFor();
    expectFits(await measure(page));
  });

  it('Data fits the window with a record open', async () => {
    await goToScreen(page, 'Data');
    for (const tab of ['Organizations', 'Users', 'NPS responses', 'Events', 'Accounts']) {
      await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
      await page.locator('.records-table tbody tr').first().waitFor();
      expectFits(await measure(page));
    }
    await page.locator('.records-table tbody tr').first().click();
    await page.getByRole('region', { name: /^Account / }).waitFor();
    expectFits(await measure(page));
  });
});
