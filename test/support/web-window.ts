// A ready-made window for browser tests: s3rver with the demo files, the web preview over a fresh data
// folder with the sample configuration saved and synced once, and Debian's Chromium driven by
// playwright-core. Tests that need an analyst's full journey (typing the connection) use window.e2e.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunReport } from '../../electron/shared/contract';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { LOCAL_S3_SECRET, startLocalS3Server, type LocalS3Server } from '../../scripts/local-s3-server';
import { SAMPLE_PREFIX, sampleConfig } from '../../scripts/sample-config';
import { InMemorySecretStore } from './in-memory-secret-store';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium';

const SAMPLES = fileURLToPath(new URL('../../resources/demo', import.meta.url));

const DEMO_UPLOADS: [key: string, file: string, gzip?: boolean][] = [
  ['orgs/organizations.csv', 'organizations.csv'],
  ['accounts/emea.csv', 'accounts-emea.csv', true],
  ['accounts/americas.csv', 'accounts-americas.csv'],
  ['users/users.csv', 'users.csv'],
  ['nps/responses.csv', 'nps.csv'],
  ['events/2024-05.csv', 'events.csv'],
];

export interface DemoWindow {
  s3: LocalS3Server;
  web: WebServer;
  browser: Browser;
  /** A new page on the web preview, opened and past its loading state. */
  open(options?: { width?: number; height?: number; colorScheme?: 'light' | 'dark' }): Promise<Page>;
  /** Asks for a sync through the API and waits until it has finished. */
  sync(): Promise<RunReport>;
  close(): Promise<void>;
}

export async function startDemoWindow(): Promise<DemoWindow> {
  const s3 = await startLocalS3Server('acme-exports');
  for (const [key, file, gzip] of DEMO_UPLOADS) {
    const content = readFileSync(join(SAMPLES, file));
    await s3.put(SAMPLE_PREFIX + key, gzip ? gzipSync(content) : content);
  }
  await s3.put(`${SAMPLE_PREFIX}README.txt`, 'Exports for S3 CSV Sync.\nOne folder per object type.\n');
  const dataDir = mkdtempSync(join(tmpdir(), 's3sync-window-'));
  const web = await startWebServer({
    dataDir,
    port: 0,
    secretStore: new InMemorySecretStore(),
    env: { AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET },
  });
  // Saving mappings starts a sync by itself (as in the app): wait for it.
  const firstRun = nextRunFinished(web);
  const saved = await web.api.importConfig({ json: JSON.stringify(sampleConfig(s3)) });
  if (!saved.ok) throw new Error(saved.message);
  await firstRun;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });

  async function sync(): Promise<RunReport> {
    const finished = nextRunFinished(web);
    const result = await web.api.syncNow();
    if (!result.started) throw new Error(result.reason);
    return finished;
  }

  return {
    s3,
    web,
    browser,
    sync,
    async open({ width = 1280, height = 800, colorScheme = 'light' } = {}) {
      const page = await browser.newPage({
        viewport: { width, height },
        locale: 'en-US',
        timezoneId: 'UTC',
        colorScheme,
      });
      page.setDefaultTimeout(20_000);
      await page.goto(web.url);
      await page.getByRole('navigation', { name: 'Screens' }).waitFor();
      return page;
    },
    async close() {
      await browser.close();
      await web.close();
      await s3.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function nextRunFinished(web: WebServer): Promise<RunReport> {
  return new Promise((resolve) => {
    const off = web.api.on('runFinished', (report) => (off(), resolve(report)));
  });
}

/** Clicks a screen in the sidebar and waits for its heading. */
export async function goToScreen(page: Page, screen: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: screen }).click();
  await page.getByRole('heading', { level: 1, name: screen }).waitFor();
}
