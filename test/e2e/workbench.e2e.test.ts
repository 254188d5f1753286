// The analyst's workbench end to end: Debian's Chromium (playwright-core) on the web preview, over a
// real SQLite file of a million events. Write a query by keyboard and run it, page the grid to the
// middle of the result, see an error's place, cancel a slow query, chart a starter, save a query,
// and export CSV and XLSX, read back by independent readers (the sqlite3 shell's .import; SheetJS)
// and compared with the database. The page must need no exception to its Content-Security-Policy.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { openDatabase } from '../../electron/core/db/sqlite-database';
import { DATABASE_FILE_NAME } from '../../electron/core/service/sync-service';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { fillWorkbenchDatabase } from '../../scripts/workbench-data';
import { makeConfig } from '../support/fixtures';
import { InMemorySecretStore } from '../support/in-memory-secret-store';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCREENSHOTS = join(ROOT, 'docs/screenshots');
const EVENTS = 1_000_000;
const ROW_HEIGHT = 28;

let web: WebServer;
let dataDir: string;
let profileDir: string;
let outDir: string;
let context: BrowserContext;
let page: Page;
const browserErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does).`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 's3sync-e2e-workbench-'));
  outDir = mkdtempSync(join(tmpdir(), 's3sync-e2e-exports-'));
  fillWorkbenchDatabase(join(dataDir, DATABASE_FILE_NAME), { events: EVENTS });
  web = await startWebServer({ dataDir, port: 0, secretStore: new InMemorySecretStore(), env: {} });
  // Saved queries live with the configuration: one without a schedule, so nothing syncs.
  web.service.settings.setConfig(makeConfig({ endpoint: 'http://127.0.0.1:9', bucket: 'acme-exports' }));

  profileDir = mkdtempSync(join(tmpdir(), 's3sync-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
    acceptDownloads: true,
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  page.on('console', (message) => {
    if (message.type() === 'error') browserErrors.push(message.text());
  });
  page.on('pageerror', (error) => browserErrors.push(error.message));
  // A CSP refusal is reported as this event (and on the console): collect both.
  await page.addInitScript(
    'document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective}`))',
  );
}, 240_000);

afterAll(async () => {
  await context?.close();
  await web?.close();
  for (const dir of [dataDir, profileDir, outDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const editor = () => page.locator('.cm-content');
const summary = () => page.getByRole('status', { name: 'Result summary' });

/** Replaces the editor's text by typing, as a user would, then runs it with Ctrl+Enter. */
async function typeAndRun(sql: string): Promise<void> {
  await editor().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(sql);
  // Completion may be open after the last word: Escape closes it, Ctrl+Enter runs.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+Enter');
}

async function downloadFrom(button: string, name: string): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 180_000 }),
    page.getByRole('group', { name: 'Export the result' }).getByRole('button', { name: button }).click(),
  ]);
  const path = join(outDir, name);
  await download.saveAs(path);
  return path;
}

function sqlite(...args: string[]): string {
  return execFileSync('sqlite3', args, { maxBuffer: 64 * 1024 * 1024 }).toString();
}

describe('the Query screen in Chromium, on a million events', { timeout: 240_000 }, () => {
  it('runs a query typed by keyboard, counts and times it, and pages the grid from the back end', async () => {
    await page.goto(web.url);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Query' }).click();
    await page.getByRole('heading', { level: 1, name: 'Query' }).waitFor();
    await typeAndRun('SELECT message_id, event, occurred_at FROM events ORDER BY message_id');
    await expect.poll(() => summary().textContent(), { timeout: 60_000 }).toMatch(/^1,000,000 rows · \d+\.\d\d s$/);
    const grid = page.getByRole('grid', { name: 'Query result' });
    await grid.getByRole('gridcell', { name: 'evt_00000001', exact: true }).waitFor();
    // Only the rows in view are in the page, never the million.
    expect(await grid.getByRole('row').count()).toBeLessThan(100);
    await page.screenshot({ path: join(SCREENSHOTS, 'query.png'), caret: 'initial' });

    // The middle of the result: its rows are fetched when scrolled to.
    await grid.evaluate((element, top) => element.scrollTo({ top }), 499_999 * ROW_HEIGHT);
    await grid.getByRole('gridcell', { name: 'evt_00500000', exact: true }).waitFor();
    await grid.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    await grid.getByRole('gridcell', { name: 'evt_01000000', exact: true }).waitFor();
  });

  it('shows where a statement is wrong, and puts the cursor there', async () => {
    await typeAndRun('SELECT nme FROM accounts');
    const alert = page.locator('.banner', { hasText: 'No such column: nme.' });
    await alert.waitFor();
    await alert.getByRole('button', { name: 'Line 1, column 8' }).click();
    // The cursor sits before "nme": one step right and an "a" fix the statement.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.type('a');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => summary().textContent()).toMatch(/^500 rows/);
  });

  it('cancels a slow query', async () => {
    await typeAndRun(
      'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000) SELECT x FROM c WHERE x > (SELECT count(*) FROM accounts)',
    );
    await page.getByRole('status').filter({ hasText: 'Running…' }).waitFor();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.locator('.banner', { hasText: 'The query was cancelled.' }).waitFor();
    await expect(page.getByRole('button', { name: 'Run', exact: true }).isEnabled()).resolves.toBe(true);
  });

  it('charts a starter query, and saves a query by name', async () => {
    await page.getByRole('complementary', { name: 'Queries' }).getByRole('button', { name: 'NPS by month' }).click();
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => summary().textContent()).toMatch(/^12 rows/);
    await page.getByRole('button', { name: 'Chart', exact: true }).click();
    await page.getByRole('img', { name: /^Query result: nps by month, 12 rows\.$/ }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'query-chart.png'), caret: 'initial' });

    await page.getByLabel('Save this query as').fill('Monthly NPS');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page
      .getByRole('complementary', { name: 'Queries' })
      .getByRole('button', { name: 'Monthly NPS', exact: true })
      .waitFor();
    expect(web.service.settings.getConfig()?.savedQueries?.map((q) => q.name)).toEqual(['Monthly NPS']);
  });

  it('exports a million rows to CSV that the sqlite3 shell imports back equal to the database', async () => {
    const sql = 'SELECT message_id, user_id, event, occurred_at, properties FROM events';
    await typeAndRun(sql);
    await expect.poll(() => summary().textContent(), { timeout: 60_000 }).toMatch(/^1,000,000 rows/);
    // Plain UTF-8 for the shell (the BOM is for Excel; the integration test checks it).
    await page.getByLabel('CSV for Excel (BOM)').uncheck();
    const csv = await downloadFrom('Export CSV', 'events.csv');
    const scratch = join(outDir, 'imported.sqlite');
    sqlite(scratch, '.mode csv', `.import ${csv} t`);
    const database = join(dataDir, DATABASE_FILE_NAME);
    const compared = sqlite(
      scratch,
      `ATTACH '${database}' AS db`,
      `SELECT count(*) FROM t`,
      `SELECT count(*) FROM (SELECT * FROM t EXCEPT ${sql.replace('FROM events', 'FROM db.events')})`,
    );
    expect(compared.trim().split('\n')).toEqual([String(EVENTS), '0']);
  });

  it('exports to XLSX with typed cells and traits as columns, read back by SheetJS equal to the database', async () => {
    const sql = `SELECT external_id, name, traits, first_synced_at FROM accounts ORDER BY external_id`;
    await typeAndRun(sql);
    await expect.poll(() => summary().textContent()).toMatch(/^500 rows/);
    await page.getByLabel('Traits as columns').check();
    const xlsx = await downloadFrom('Export XLSX', 'accounts.xlsx');
    const book = XLSX.read(readFileSync(xlsx), { cellDates: true });
    const read = XLSX.utils.sheet_to_json<Record<string, unknown>>(book.Sheets[book.SheetNames[0]!]!);
    const db = openDatabase(join(dataDir, DATABASE_FILE_NAME));
    const rows = db.prepare(sql).all() as {
      external_id: string;
      name: string;
      traits: string;
      first_synced_at: string;
    }[];
    db.close();
    expect(read).toEqual(
      rows.map((row) => {
        const traits = JSON.parse(row.traits) as Record<string, unknown>;
        return {
          external_id: row.external_id,
          name: row.name,
          ...Object.fromEntries(
            Object.keys(traits)
              .sort()
              .map((key) => [`traits.${key}`, traits[key]]),
          ),
          first_synced_at: new Date(row.first_synced_at),
        };
      }),
    );
    expect(browserErrors).toEqual([]);
  });

  it('opens the Data screen on the NPS trend and events per day; links records by name; exports a table with its search', async () => {
    // The page as a user opens it (this test also runs alone, with -t).
    await page.goto(web.url);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Data' }).click();
    await page.getByRole('img', { name: /^NPS by month: nps by month, 12 rows\.$/ }).waitFor();
    // A GROUP BY over the million events, then its count: seconds on a loaded machine.
    await page
      .getByRole('img', { name: /^Events per day: events by day for each event, 60 rows\.$/ })
      .waitFor({ timeout: 60_000 });
    // Trait columns next to the name, chosen from the keys the stored traits hold.
    const chooser = page.locator('.column-chooser > summary');
    await chooser.click();
    for (const key of ['mrr', 'plan', 'health'])
      await page.getByRole('group', { name: 'Trait columns' }).getByRole('checkbox', { name: key }).check();
    await chooser.click();
    await page.getByRole('columnheader', { name: 'health' }).waitFor();
    await page.getByLabel('Search accounts').fill('Account 12');
    // Data rows are one grid (rows, not buttons): the record opens from its row.
    await page.getByRole('row', { name: /\bacc_12\b/ }).click();
    const links = page.locator('.record-links');
    await links.getByRole('button', { name: 'Organization 13' }).waitFor();
    // The screen scrolls inside the window: grow the window to fit it, then shoot.
    const viewport = page.viewportSize()!;
    const height = await page.evaluate<number>("document.querySelector('.main').scrollHeight");
    await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
    await page.screenshot({ path: join(SCREENSHOTS, 'data-workbench.png'), caret: 'initial' });
    await page.setViewportSize(viewport);

    await page.getByLabel('CSV for Excel (BOM)').uncheck();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      page.getByRole('group', { name: 'Export accounts' }).getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = join(outDir, 'accounts-search.csv');
    await download.saveAs(csv);
    const scratch = join(outDir, 'accounts.sqlite');
    sqlite(scratch, '.mode csv', `.import ${csv} t`);
    const database = join(dataDir, DATABASE_FILE_NAME);
    expect(
      sqlite(
        scratch,
        `ATTACH '${database}' AS db`,
        `SELECT group_concat(external_id) FROM (SELECT external_id FROM t ORDER BY 1)`,
      ).trim(),
    ).toBe(
      sqlite(
        database,
        `SELECT group_concat(external_id) FROM (SELECT external_id FROM accounts WHERE name LIKE '%Account 12%' ORDER BY 1)`,
      ).trim(),
    );

    // A linked record opens in its own table.
    await links.getByRole('button', { name: 'Organization 13' }).click();
    await page.getByRole('heading', { level: 2, name: 'Organization org_13' }).waitFor();
    expect(browserErrors).toEqual([]);
  });
  it('sorts the Data screen by a trait, filters it by column, and exports just what it shows', async () => {
    await page.goto(web.url);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Data' }).click();
    const grid = page.getByRole('grid', { name: 'Accounts' });
    // Chosen in the test before (kept in the settings, so already ticked then) or here when run alone.
    const chooser = page.locator('.column-chooser > summary');
    await chooser.click();
    for (const key of ['mrr', 'plan', 'health'])
      await page.getByRole('group', { name: 'Trait columns' }).getByRole('checkbox', { name: key }).check();
    await chooser.click();
    const mrr = grid.getByRole('columnheader', { name: 'mrr' });
    await mrr.getByRole('button').click();
    await mrr.getByRole('button').click();
    await expect.poll(() => mrr.getAttribute('aria-sort')).toBe('descending');
    await page.getByLabel('mrr at least').fill('15000');
    await page.getByLabel('plan contains').fill('grow');

    const database = join(dataDir, DATABASE_FILE_NAME);
    const shownInDatabase = `SELECT external_id, json_extract(traits, '$.mrr') AS mrr, json_extract(traits, '$.plan') AS plan
      FROM accounts WHERE json_extract(traits, '$.mrr') >= 15000 AND json_extract(traits, '$.plan') LIKE '%grow%'
      ORDER BY json_extract(traits, '$.mrr') DESC, external_id`;
    const expected = sqlite(
      database,
      `SELECT group_concat(external_id || ' ' || mrr || ' ' || plan, ';') FROM (${shownInDatabase})`,
    ).trim();
    const [firstId, firstMrr] = expected.split(';')[0]!.split(' ');
    // Numbers sorted as numbers: the highest MRR first, on the screen as in the database.
    // Rows 0 and 1 are the header and its filters.
    await grid.getByRole('row').nth(2).getByRole('gridcell').first().filter({ hasText: firstId! }).waitFor();
    await grid.getByRole('row').nth(2).getByRole('gridcell', { name: firstMrr! }).waitFor();
    const count = expected.split(';').length;
    await page
      .getByRole('status')
      .filter({ hasText: `${count} matches` })
      .waitFor();

    await page.getByLabel('CSV for Excel (BOM)').uncheck();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      page.getByRole('group', { name: 'Export accounts' }).getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = join(outDir, 'accounts-view.csv');
    await download.saveAs(csv);
    const scratch = join(outDir, 'accounts-view.sqlite');
    sqlite(scratch, '.mode csv', `.import ${csv} t`);
    // The shown columns, in the shown order, and the shown rows in the shown order.
    expect(sqlite(scratch, `SELECT group_concat(name, ',') FROM pragma_table_info('t')`).trim()).toBe(
      'external_id,name,organization_id,traits.mrr,traits.plan,traits.health,last_synced_at',
    );
    expect(
      sqlite(
        scratch,
        `SELECT group_concat(external_id || ' ' || "traits.mrr" || ' ' || "traits.plan", ';') FROM t`,
      ).trim(),
    ).toBe(expected);
    expect(browserErrors).toEqual([]);
  });
});
