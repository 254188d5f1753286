// "Where the data goes" end to end: Debian's Chromium (playwright-core) on the web preview, a real
// S3-compatible server and a real PostgreSQL server (a throwaway cluster). The analyst chooses the
// shared database, is told plainly that the typed password is wrong, corrects it, saves, syncs, and
// finds the run in the Sync log and the rows in Data; psql confirms what landed.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../electron/core/config/settings-store';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { LOCAL_S3_SECRET, startLocalS3Server, type LocalS3Server } from '../../scripts/local-s3-server';
import { startLocalPostgresServer, SYNC_PASSWORD, type LocalPostgresServer } from '../../scripts/local-postgres-server';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium';
import { makeConfig, PREFIX } from '../support/fixtures';
import { InMemorySecretStore } from '../support/in-memory-secret-store';

const SCREENSHOTS = join(fileURLToPath(new URL('../..', import.meta.url)), 'docs/screenshots');
const SCHEMA = 'team_sync';

let pg: LocalPostgresServer;
let s3: LocalS3Server;
let web: WebServer;
let browser: Browser;
let page: Page;
let dataDir: string;
const secrets = new InMemorySecretStore();

beforeAll(async () => {
  [pg, s3] = await Promise.all([startLocalPostgresServer(), startLocalS3Server('acme-exports')]);
  await s3.put(`${PREFIX}orgs/a.csv`, 'org_id,org_name,tier\no1,Acme,gold\no2,Globex,silver\n,No ID,bronze\n');
  dataDir = mkdtempSync(join(tmpdir(), 's3sync-e2e-pg-'));
  new SettingsStore({ cwd: dataDir }).setConfig(makeConfig(s3));
  // No PGPASSWORD and no .pgpass: the password is the one typed on the screen.
  web = await startWebServer({
    dataDir,
    secretStore: secrets,
    env: { AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET, HOME: dataDir },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 860 }, locale: 'en-US', timezoneId: 'UTC' });
  page.setDefaultTimeout(30_000);
  await page.goto(web.url);
  await page.getByRole('navigation', { name: 'Screens' }).waitFor();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await Promise.all([s3?.close(), pg?.stop()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function goTo(screen: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: screen }).click();
  await page.getByRole('heading', { level: 1, name: screen }).waitFor();
}

describe('a shared PostgreSQL database, chosen in Chromium on the web preview', { timeout: 120_000 }, () => {
  it('says plainly that the typed password is wrong, then connects and saves', async () => {
    await goTo('Connection');
    const section = page.getByRole('form', { name: 'Where the data goes' });
    await section.getByRole('radio', { name: /A shared PostgreSQL database/ }).check();
    await section.getByLabel('Database address').fill(pg.url);
    await section.getByLabel('Schema').fill(SCHEMA);
    await section.getByLabel('Password').fill('not-the-password');
    await section.getByRole('button', { name: 'Test database' }).click();
    await section
      .getByText(
        `PostgreSQL at 127.0.0.1:${pg.port} refused the password of user "sync". Check the password you typed.`,
      )
      .waitFor();

    await section.getByLabel('Password').fill(SYNC_PASSWORD);
    await section.getByRole('button', { name: 'Test database' }).click();
    await section
      .getByText(
        `Connected to postgres://sync@127.0.0.1:${pg.port}/cs (schema ${SCHEMA}) as user "sync": the schema is ready and no sync has written to it yet.`,
      )
      .waitFor();
    mkdirSync(SCREENSHOTS, { recursive: true });
    await section.screenshot({ path: join(SCREENSHOTS, 'where-the-data-goes.png'), animations: 'disabled' });

    await section.getByRole('button', { name: 'Save database' }).click();
    await page.getByText('Syncs write into the PostgreSQL database; its password is stored in the keychain.').waitFor();
    expect(await secrets.get(`postgres://sync@127.0.0.1:${pg.port}/cs`)).toBe(SYNC_PASSWORD);
    expect(await section.getByLabel('Password').inputValue()).toBe('');
  });

  it('syncs into PostgreSQL and shows the run in the Sync log and the rows in Data', async () => {
    await page.getByRole('button', { name: 'Sync now' }).click();
    const notice = page.locator('.notice', { hasText: /^Sync (finished|failed|interrupted)/ }).first();
    await notice.waitFor({ timeout: 60_000 });
    expect(await notice.textContent()).toMatch(/^Sync finished/);

    const runs = await pg.psql<{ id: number; status: string; rows: number; rejected: number }>(
      `SELECT id, status, rows, rejected FROM ${SCHEMA}.sync_runs ORDER BY id`,
    );
    expect(runs).toEqual([{ id: 1, status: 'succeeded', rows: 3, rejected: 1 }]);
    expect(
      await pg.psql(`SELECT external_id, name, traits->>'tier' AS tier FROM ${SCHEMA}.organizations ORDER BY 1`),
    ).toEqual([
      { external_id: 'o1', name: 'Acme', tier: 'gold' },
      { external_id: 'o2', name: 'Globex', tier: 'silver' },
    ]);

    await goTo('Sync log');
    const rows = page.locator('.runs-table tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    await rows.first().click();
    const detail = page.getByRole('region', { name: /^Run 1 — / });
    await detail.getByRole('cell', { name: 'vitally/orgs/a.csv' }).first().waitFor();
    expect(await detail.locator('.rejects-table tbody tr').first().locator('td').first().textContent()).toBe(
      'vitally/orgs/a.csv',
    );

    await goTo('Data');
    await expect.poll(() => page.getByRole('tab', { name: /^Organizations/ }).textContent()).toBe('Organizations, 2');
    await page.getByRole('tab', { name: /^Organizations/ }).click();
    await page.getByRole('row', { name: /o2/ }).click();
    const record = page.getByRole('region', { name: /o2/ });
    await record.getByText('Globex').first().waitFor();
    expect(await record.getByRole('row', { name: /tier/ }).textContent()).toBe('tiersilver');
    expect(await page.getByLabel('PostgreSQL database').inputValue()).toBe(
      `postgres://sync@127.0.0.1:${pg.port}/cs (schema ${SCHEMA})`,
    );
  });
});
