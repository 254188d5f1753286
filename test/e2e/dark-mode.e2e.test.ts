// Dark mode follows the OS: with Chromium told the system prefers dark (emulateMedia), no screen shows a
// light surface, and text stays light on dark. Measured on every screen of the web preview with demo data.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goToScreen, startDemoWindow, type DemoWindow } from '../support/web-window';

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots', import.meta.url));

let demo: DemoWindow;
let page: Page;

beforeAll(async () => {
  demo = await startDemoWindow();
  page = await demo.open({ width: 1280, height: 820, colorScheme: 'dark' });
}, 60_000);
afterAll(async () => {
  await demo?.close();
});

/**
 * Visible surfaces (400 px² and more) painted with a light background (relative luminance above 0.4),
 * and the body's text luminance.
 */
async function lightSurfaces(): Promise<{ light: string[]; textLuminance: number }> {
  return page.evaluate(`(() => {
    const luminance = (color) => {
      const m = color.match(/rgba?\\(([\\d.]+),? ([\\d.]+),? ([\\d.]+)(?:,? \\/? ?([\\d.]+))?/);
      if (!m) return null;
      if (m[4] !== undefined && Number(m[4]) < 0.5) return null;
      const [r, g, b] = [m[1], m[2], m[3]].map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const light = [...document.querySelectorAll('body *')]
      .filter((el) => el.getClientRects().length > 0 && !el.closest('.visually-hidden'))
      // Surfaces, not indicators: a status dot may be bright.
      .filter((el) => { const r = el.getBoundingClientRect(); return r.width * r.height >= 400; })
      .filter((el) => { const l = luminance(getComputedStyle(el).backgroundColor); return l !== null && l > 0.4; })
      .map((el) => el.tagName.toLowerCase() + '.' + el.className);
    return { light: [...new Set(light)], textLuminance: luminance(getComputedStyle(document.body).color) ?? 0 };
  })()`);
}

async function expectDark(): Promise<void> {
  const { light, textLuminance } = await lightSurfaces();
  expect(light).toEqual([]);
  expect(textLuminance).toBeGreaterThan(0.6);
}

describe('dark mode, following the OS', { timeout: 60_000 }, () => {
  it('is light when the OS is light', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    const { light } = await lightSurfaces();
    expect(light.length).toBeGreaterThan(0);
    await page.emulateMedia({ colorScheme: 'dark' });
  });

  it('Connection, Schedule', async () => {
    for (const screen of ['Connection', 'Schedule']) {
      await goToScreen(page, screen);
      await expectDark();
    }
  });

  it('Objects, on every tab', async () => {
    await goToScreen(page, 'Objects');
    for (const tab of ['Organizations', 'Accounts', 'Users', 'NPS', 'Tracks']) {
      await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
      await page
        .getByRole('tabpanel', { name: new RegExp(`^${tab}`) })
        .getByText(/files? match/)
        .waitFor();
      await expectDark();
    }
  });

  it('Sync log with a run open', async () => {
    await goToScreen(page, 'Sync log');
    await page.locator('.runs-table tbody tr').last().click();
    await page
      .getByRole('region', { name: /^Run 1 — / })
      .getByRole('heading', { name: /^Rejected rows/ })
      .waitFor();
    await expectDark();
    await page.screenshot({ path: join(SCREENSHOTS, 'sync-log-dark.png'), animations: 'disabled' });
  });

  it('Data with a record open', async () => {
    await goToScreen(page, 'Data');
    await page.locator('.records-table tbody tr').first().click();
    await page.getByRole('region', { name: /^Account / }).waitFor();
    await expectDark();
  });
});
