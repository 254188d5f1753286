// The window end to end, as an analyst uses it: Debian's Chromium (driven by playwright-core) on the
// web preview (the same API object the desktop app serves), a real S3-compatible server, a real
// SQLite file and the real keychain (the test keyring of `npm test`). Connect, test the connection,
// set a file pattern and see its preview, map columns, sync, read the log and a rejected row, find a
// record in Data. Every screen is saved to docs/screenshots/ (shown in the README).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYCHAIN_SERVICE_NAME, KeytarSecretStore } from '../../electron/core/config/secret-store';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { LOCAL_S3_ACCESS_KEY_ID, startLocalS3Server, type LocalS3Server } from '../../scripts/local-s3-server';
import { startSlowProxy, type SlowProxy } from '../support/slow-proxy';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/chromium';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCREENSHOTS = join(ROOT, 'docs/screenshots');
const SAMPLES = join(ROOT, 'resources/demo');
const PREFIX = 'vitally/';
/** s3rver checks access key IDs but not signatures, so a distinctive secret can be looked for everywhere. */
const TYPED_SECRET = 'e2e-secret-5b1d9c';
/** Rows in a generated events file; its download is slowed on purpose (SlowProxy) to show a sync's progress. */
const BIG_EVENTS_ROWS = 30_000;

const execFileAsync = promisify(execFile);

let s3: LocalS3Server;
/** Between the window and s3rver: slows one download so a running sync can be seen, whatever the load. */
let proxy: SlowProxy;
let web: WebServer;
let dataDir: string;
let profileDir: string;
let context: BrowserContext;
let page: Page;
const browserErrors: string[] = [];

function bigEventsCsv(rows: number): string {
  const lines = ['message_id,user_id,ts,event,page,duration_ms'];
  for (let i = 0; i < rows; i++)
    lines.push(
      `big_${i},u_${i % 500},2024-06-01T00:00:${String(i % 60).padStart(2, '0')}Z,page_viewed,/page/${i % 40},${i % 1000}`,
    );
  return `${lines.join('\n')}\n`;
}

/** The screen scrolls inside the window (as in the desktop app): grow the window to fit it, then shoot. */
async function screenshot(name: string): Promise<void> {
  const viewport = page.viewportSize()!;
  const contentHeight = await page.evaluate<number>("document.querySelector('.main').scrollHeight");
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, contentHeight) });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
  await page.setViewportSize(viewport);
}

async function goTo(screen: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: screen }).click();
  await page.getByRole('heading', { level: 1, name: screen }).waitFor();
}

/** Waits for the toast that a run finished, and dismisses it. */
async function waitForSyncFinished(): Promise<string> {
  const notice = page.locator('.notice', { hasText: /^Sync (finished|failed|interrupted)/ }).first();
  await notice.waitFor({ timeout: 60_000 });
  const text = (await notice.textContent()) ?? '';
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await page.getByRole('progressbar').waitFor({ state: 'detached' });
  return text;
}

async function dismissNotices(): Promise<void> {
  const buttons = page.locator('.notice').getByRole('button', { name: 'Dismiss' });
  // Notices also leave by themselves after a while, so one may be gone before its button is clicked.
  while ((await buttons.count()) > 0)
    await buttons
      .first()
      .click({ timeout: 1000 })
      .catch(() => undefined);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does).`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  s3 = await startLocalS3Server('acme-exports');
  const uploads: [string, string, boolean?][] = [
    ['orgs/organizations.csv', 'organizations.csv'],
    ['accounts/emea.csv', 'accounts-emea.csv', true],
    ['accounts/americas.csv', 'accounts-americas.csv'],
    ['users/users.csv', 'users.csv'],
    ['nps/responses.csv', 'nps.csv'],
    ['events/2024-05.csv', 'events.csv'],
  ];
  for (const [key, file, gzip] of uploads) {
    const content = readFileSync(join(SAMPLES, file));
    await s3.put(PREFIX + key, gzip ? gzipSync(content) : content);
  }
  await s3.put(`${PREFIX}events/2024-06.csv`, bigEventsCsv(BIG_EVENTS_ROWS));
  await s3.put(`${PREFIX}README.txt`, 'Exports for S3 CSV Sync.\n');
  proxy = await startSlowProxy(s3.endpoint);

  dataDir = mkdtempSync(join(tmpdir(), 's3sync-e2e-'));
  // The real keychain, as `npm run web` uses it; env without AWS_SECRET_ACCESS_KEY so the keychain is asked.
  // An ~/.aws of its own: one SSO profile never signed in on this machine, one with keys.
  mkdirSync(join(dataDir, 'home', '.aws'), { recursive: true });
  writeFileSync(
    join(dataDir, 'home', '.aws', 'config'),
    '[profile analytics]\nregion = us-east-1\n[profile sso-analyst]\nsso_session = acme\n[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\n',
  );
  const env = { HOME: join(dataDir, 'home') };
  web = await startWebServer({ dataDir, port: 0, secretStore: new KeytarSecretStore(), env });

  profileDir = mkdtempSync(join(tmpdir(), 's3sync-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 860 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  page.on('console', (message) => {
    if (message.type() === 'error') browserErrors.push(message.text());
  });
  page.on('pageerror', (error) => browserErrors.push(error.message));
});

afterAll(async () => {
  await context?.close();
  await web?.close();
  await proxy?.close();
  await s3?.close();
  await new KeytarSecretStore().delete(LOCAL_S3_ACCESS_KEY_ID).catch(() => false);
  for (const dir of [dataDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the window in Chromium, on the web preview', { timeout: 120_000 }, () => {
  it('opens on Connection, tests the connection in plain words, and saves the secret to the keychain only', async () => {
    await page.goto(web.url);
    await page.getByRole('heading', { level: 1, name: 'Connection' }).waitFor();
    // The token leaves the address bar once read.
    expect(page.url()).not.toContain('token=');
    await screenshot('connection-empty');

    await page.getByLabel('Bucket name').fill('acme-exports');
    await page.getByLabel('Prefix').fill(PREFIX);
    await page.getByLabel('Region').fill('us-east-1');
    await page.getByLabel('Access key ID').fill(LOCAL_S3_ACCESS_KEY_ID);
    await page.getByLabel('Secret access key').fill(TYPED_SECRET);
    await page.getByText('Advanced').click();
    await page.getByLabel('Custom endpoint').fill('http://127.0.0.1:1');
    await page.getByLabel('Path-style addressing').check();

    await page.getByRole('button', { name: 'Test connection' }).click();
    await page
      .getByText(/could not reach|unreachable|connect/i)
      .first()
      .waitFor();

    await page.getByLabel('Custom endpoint').fill(proxy.endpoint);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Connected as the access key "S3RVER". It sees 8 files under “vitally/”.').waitFor();

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Stored in the keychain for').waitFor();
    expect(await page.locator('input[type="password"]').count()).toBe(0);
    expect(await page.locator('body').textContent()).not.toContain(TYPED_SECRET);

    // The secret is in the real keyring (read back with secret-tool), and nowhere in the data folder.
    const { stdout } = await execFileAsync('secret-tool', [
      'lookup',
      'service',
      KEYCHAIN_SERVICE_NAME,
      'account',
      LOCAL_S3_ACCESS_KEY_ID,
    ]);
    expect(stdout).toBe(TYPED_SECRET);
    expect(readFileSync(join(dataDir, 'settings.json'), 'utf8')).not.toContain(TYPED_SECRET);
    await dismissNotices();
    await screenshot('connection');
  });

  it('previews a file pattern live, flags an invalid one, maps columns from the first file and syncs on save', async () => {
    await goTo('Objects');
    const panel = page.getByRole('tabpanel', { name: /Accounts/ });
    await panel.getByRole('switch', { name: 'Sync accounts' }).check();
    const pattern = panel.getByLabel('File pattern');
    await pattern.fill('^accounts/(');
    await panel
      .getByText('The file pattern is not a valid regular expression: missing closing ): `^accounts/(`.')
      .waitFor();
    // Valid for JavaScript, refused by the linear-time engine the app matches with: said plainly, with what to write.
    await pattern.fill('^(?!tmp/)accounts/');
    await panel.getByText(/The file pattern uses a lookahead .* Write the text to match itself/).waitFor();

    await pattern.fill('^accounts/.*\\.csv$');
    await panel.getByText('2 files match').waitFor();
    const keys = await panel.locator('.preview-table tbody tr td:first-child').allTextContents();
    expect(keys).toEqual(['vitally/accounts/americas.csv', 'vitally/accounts/emea.csv']); // S3 key order

    // Pickers are filled from the first file's header; choose each one explicitly.
    await panel.getByLabel('Account ID column').selectOption('account_id');
    await panel.getByLabel('Name column').selectOption('account_name');
    await panel.getByLabel('Organization ID column (optional)').selectOption('org_id');
    expect(await panel.getByLabel('Name column').locator('option').allTextContents()).toEqual([
      'Choose a column…',
      'account_id',
      'account_name',
      'org_id',
      'plan',
      'mrr',
      'is_trial',
      'zip',
      'tags',
    ]);
    await panel.getByRole('cell', { name: 'Globex Texas' }).waitFor(); // the first rows, to see what each column holds
    await panel.getByText('Other columns become traits: plan, mrr, is_trial, zip, tags.').waitFor();

    // A required column left unchosen is flagged, and nothing is saved.
    await panel.getByLabel('Name column').selectOption('');
    await panel.getByRole('button', { name: 'Save Accounts' }).click();
    await panel.getByText('This mapping cannot work yet').waitFor();
    await panel.getByLabel('Name column').selectOption('account_name');
    await panel.getByText('This mapping cannot work yet').waitFor({ state: 'detached' });
    await screenshot('objects');

    await panel.getByRole('button', { name: 'Save Accounts' }).click();
    await page.getByText('Accounts mapping saved. A sync has started to apply it.').waitFor();
    expect(await waitForSyncFinished()).toMatch(/^Sync finished: 8 rows read, 7 created, 0 updated, 1 rejected/);
  });

  it('maps organizations and tracks, and shows a running sync with its file, rows and bytes on every screen', async () => {
    await page.getByRole('tab', { name: /Organizations/ }).click();
    const orgs = page.getByRole('tabpanel', { name: /Organizations/ });
    await orgs.getByRole('switch', { name: 'Sync organizations' }).check();
    await orgs.getByLabel('File pattern').fill('^orgs/');
    await orgs.getByText('1 file matches').waitFor();
    await orgs.getByRole('cell', { name: 'Acme Corporation' }).waitFor();
    expect(await orgs.getByLabel('Organization ID column').inputValue()).toBe('org_id'); // suggested from the header
    await orgs.getByRole('button', { name: 'Save Organizations' }).click();
    await waitForSyncFinished();

    // Keyboard: arrow keys move along the tabs.
    await page.getByRole('tab', { name: /Organizations/ }).focus();
    await page.keyboard.press('End');
    const tracks = page.getByRole('tabpanel', { name: /Tracks/ });
    await tracks.waitFor();
    await tracks.getByRole('switch', { name: 'Sync tracks' }).check();
    await tracks.getByLabel('File pattern').fill('^events/');
    await tracks.getByText('2 files match').waitFor();
    await tracks.getByRole('radio', { name: 'Users' }).check();
    await tracks.getByLabel('User ID column').selectOption('user_id');
    await tracks.getByLabel('Message ID column').selectOption('message_id');
    await tracks.getByLabel('Event name column').selectOption('event');
    await tracks.getByLabel('Timestamp column').selectOption('ts');
    // The big events file's download trickles after its first 64 KB until released: the sync stays
    // in the middle of that file, with rows read, for as long as the test looks at it.
    proxy.slowDown(`/${PREFIX}events/2024-06.csv`, 64 * 1024);
    await tracks.getByRole('button', { name: 'Save Tracks' }).click();

    const bar = page.getByRole('progressbar', { name: 'Sync progress' });
    await page.locator('.sync-progress-label', { hasText: 'Tracks: vitally/events/2024-06.csv' }).waitFor();
    await page.locator('.sync-progress-detail', { hasText: /^File \d of \d · [1-9][\d,]* rows · / }).waitFor();
    expect(await bar.getAttribute('aria-valuetext')).toMatch(
      /^\d+% — File \d of \d · [\d,]+ rows · [\d.]+ (B|KB|MB) of [\d.]+ MB$/,
    );
    expect(await page.locator('.sync-progress-label').textContent()).toBe('Tracks: vitally/events/2024-06.csv');
    await screenshot('sync-progress');
    proxy.release();
    await waitForSyncFinished();
    await dismissNotices();
  });

  it('sets a schedule, which syncs at once and shows the next sync time', async () => {
    await goTo('Schedule');
    await page.getByRole('radio', { name: /Every 12 hours/ }).check();
    await page.getByText('Saving starts a sync right away.').waitFor();
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByText('Schedule saved: every 12 hours.').waitFor();
    await waitForSyncFinished();
    await dismissNotices();
    const next = page.locator('.facts dd').first();
    await expect.poll(() => next.textContent()).toMatch(/\(in 12 h\)$/);
    expect(await page.locator('.topbar-status').textContent()).toMatch(/^Next sync .*\(in 12 h\)$/);
    await screenshot('schedule');
  });

  it('lists every run in the Sync log, with a chart, and a run’s files and rejected rows', async () => {
    await goTo('Sync log');
    const rows = page.locator('.runs-table tbody tr');
    expect(await rows.count()).toBe(4);
    expect(await rows.first().locator('td').nth(1).textContent()).toBe('Settings changed');
    await page.getByRole('img', { name: /^4 runs from .*: [\d,]+ rows read, 2 rejected\.$/ }).waitFor();

    // The first run (the last row) imported the accounts and rejected the row without an ID.
    await rows.last().click();
    const detail = page.getByRole('region', { name: /^Run 1 — / });
    await detail.getByRole('cell', { name: 'vitally/accounts/americas.csv' }).first().waitFor();
    const reject = detail.locator('.rejects-table tbody tr').first();
    expect(await reject.locator('td').allTextContents()).toEqual([
      'vitally/accounts/americas.csv',
      '4',
      expect.stringMatching(/ID/),
      ',Account without an ID,org_acme,starter,10,true,,',
    ]);
    await screenshot('sync-log');
  });

  it('finds a record in Data, with its traits and the file it came from', async () => {
    await goTo('Data');
    await expect.poll(() => page.getByRole('tab', { name: /^Accounts/ }).textContent()).toBe('Accounts, 7');
    await expect.poll(() => page.getByRole('tab', { name: /^Events/ }).textContent()).toBe('Events, 30,005');
    await page.getByLabel('Search accounts').fill('initech');
    await page.getByText('2 matches').waitFor();
    await page.getByRole('row', { name: /acc_102/ }).click();
    const detail = page.getByRole('region', { name: 'Account acc_102' });
    await detail.getByText('Initech, Zürich Office').waitFor();
    expect(await detail.getByRole('row', { name: /zip/ }).textContent()).toBe('zip8001');
    await detail.getByText('vitally/accounts/emea.csv').waitFor();
    expect(await page.getByLabel('Database file').inputValue()).toBe(join(dataDir, 's3-csv-sync.sqlite'));

    // The file disappears from the bucket: after the next sync its records are marked stale.
    await s3.client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: `${PREFIX}accounts/emea.csv` }));
    await page.getByRole('button', { name: 'Sync now' }).click();
    await waitForSyncFinished();
    await dismissNotices();
    await page
      .getByRole('row', { name: /acc_102/ })
      .getByText('Stale')
      .waitFor();
    expect(
      await page
        .getByRole('row', { name: /acc_202/ })
        .getByText('Stale')
        .count(),
    ).toBe(0);
    await detail.getByText(/is no longer in the bucket/).waitFor();
    await screenshot('data');

    // Paging through a big table.
    await page.getByRole('tab', { name: /Events/ }).click();
    await page.getByText(/^1–50 of 30,005$/).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText(/^51–100 of 30,005$/).waitFor();
  });

  it('lays the screens out at 900 px wide, and logged no browser error', async () => {
    await page.setViewportSize({ width: 900, height: 800 });
    await goTo('Objects');
    await page.getByRole('tab', { name: /Accounts/ }).click();
    await page
      .getByRole('tabpanel', { name: /Accounts/ })
      .getByText('1 file matches')
      .waitFor(); // emea.csv was deleted above
    const overflowing = await page.evaluate<string[]>(`[...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5 && !el.closest('.table-wrap'))
      .map((el) => el.tagName + '.' + el.className)`);
    expect(overflowing).toEqual([]);
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBe(0);
    await screenshot('objects-900px');
    expect(browserErrors).toEqual([]);
  });

  it('signs in with a profile from ~/.aws, gives the SSO login command, and assumes a role on top', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    await goTo('Connection');
    await page.getByLabel('Sign in with').selectOption('profile');
    await expect(page.getByLabel('Access key ID').count()).resolves.toBe(0);
    await page.getByText('From ~/.aws/config: analytics, sso-analyst (SSO).').waitFor();
    await page.getByLabel('AWS profile').fill('sso-analyst');
    await page.getByText('The SSO sign-in of “sso-analyst” has expired').waitFor();
    await page.getByText('aws sso login --profile sso-analyst').waitFor();
    await page.getByLabel('Assume a role (in the bucket owner’s account)').check();
    await page.getByLabel('Role ARN').fill('arn:aws:iam::123456789012:role/vitally-exports-reader');
    await screenshot('connection-sign-in');
    // Not saved: after a reload the connection still signs in with its access key.
    await page.reload();
    await expect(page.getByLabel('Sign in with').inputValue()).resolves.toBe('accessKey');
    expect(browserErrors).toEqual([]);
  });
});
