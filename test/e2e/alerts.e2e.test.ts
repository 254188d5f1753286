// The alert settings end to end: Debian's Chromium (playwright-core) on the web preview, a real
// S3-compatible server, a real SQLite file, a real SMTP server (STARTTLS, AUTH) and a real webhook
// receiver. The analyst fills in "When a sync fails, notify", sends a test alert that says plainly
// what went wrong, fixes it, saves, and finds the sync's alert on the Sync log.
// The secrets go to an in-memory store here (the real keychain is covered by secret-scan.test.ts).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../electron/core/config/settings-store';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { LOCAL_S3_SECRET, startLocalS3Server, type LocalS3Server } from '../../scripts/local-s3-server';
import { makeConfig, PREFIX } from '../support/fixtures';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { InMemorySecretStore } from '../support/in-memory-secret-store';

const SCREENSHOTS = join(fileURLToPath(new URL('../..', import.meta.url)), 'docs/screenshots');

let s3: LocalS3Server;
let smtp: SmtpReceiver;
let hook: WebhookReceiver;
let web: WebServer;
let dataDir: string;
let profileDir: string;
let context: BrowserContext;
let page: Page;
const secrets = new InMemorySecretStore();

beforeAll(async () => {
  [s3, smtp, hook] = await Promise.all([
    startLocalS3Server('acme-exports'),
    startSmtpReceiver(),
    startWebhookReceiver(),
  ]);
  await s3.put(`${PREFIX}orgs/a.csv`, 'org_id,org_name\no1,Acme\n');
  await s3.put(`${PREFIX}accounts/emea.csv`, 'account_id,name\na1,Wrong header\n');
  dataDir = mkdtempSync(join(tmpdir(), 's3sync-e2e-alerts-'));
  new SettingsStore({ cwd: dataDir }).setConfig(makeConfig(s3));
  web = await startWebServer({
    dataDir,
    secretStore: secrets,
    env: { AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET },
    alertDelivery: { policy: { attempts: 2, timeoutMs: 15_000, backoffMs: [50] }, email: { tls: { ca: smtp.cert } } },
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  profileDir = mkdtempSync(join(tmpdir(), 's3sync-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'].concat([
      '--disable-sync',
      '--no-first-run',
    ]),
    viewport: { width: 1280, height: 860 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await context?.close();
  await web?.close();
  await Promise.all([s3?.close(), smtp?.close(), hook?.close()]);
  for (const dir of [dataDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

async function screenshot(name: string): Promise<void> {
  const viewport = page.viewportSize()!;
  const contentHeight = await page.evaluate<number>("document.querySelector('.main').scrollHeight");
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, contentHeight) });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
  await page.setViewportSize(viewport);
}

describe('alerts in Chromium, on the web preview', { timeout: 120_000 }, () => {
  it('a test alert says why it did not arrive, then that it did; saving keeps the secrets out of sight', async () => {
    await page.goto(web.url);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Schedule' }).click();
    const form = page.getByRole('form', { name: 'When a sync fails, notify' });
    await form.getByLabel('Email addresses').check();
    await form.getByLabel('Send to').fill('cs-lead@acme.io');
    await form.getByLabel('From').fill('s3-csv-sync@acme.io');
    await form.getByLabel('SMTP server').fill('127.0.0.1');
    await form.getByLabel('Port').fill(String(smtp.port));
    await form.getByLabel('User').fill(smtp.user);
    await form.getByLabel('Password').fill('not-the-password');
    await form.getByLabel('Webhook', { exact: true }).check();
    await form.getByLabel('Webhook URL').fill(hook.url);
    hook.answer = { status: 404, body: 'no_service' };

    await form.getByRole('button', { name: 'Send a test alert' }).click();
    const results = form.getByRole('list', { name: 'Test alert results' });
    await results
      .getByText(/^Email: did not arrive — the SMTP server 127\.0\.0\.1:\d+ refused the login for user "sync"/)
      .waitFor();
    await results
      .getByText(/^Webhook: did not arrive — the webhook at 127\.0\.0\.1:\d+ answered 404 Not Found/)
      .waitFor();
    expect(await results.textContent()).not.toContain('hook-token');

    hook.answer = { status: 200, body: 'ok' };
    await form.getByLabel('Password').fill(smtp.password);
    const mailsBefore = smtp.messages.length;
    await form.getByRole('button', { name: 'Send a test alert' }).click();
    await results
      .getByText(/^Email: accepted by the SMTP server — sent to cs-lead@acme\.io through 127\.0\.0\.1:\d+$/)
      .waitFor();
    await results
      .getByText(/^Webhook: arrived — posted to the webhook at 127\.0\.0\.1:\d+ \(it answered 200\)$/)
      .waitFor();
    expect((await smtp.waitForMessage(mailsBefore + 1)).mail.subject).toBe(
      'S3 CSV Sync: test alert for acme-exports/vitally/',
    );

    await form.getByRole('button', { name: 'Save alerts' }).click();
    await page.getByText('Alert settings saved.').waitFor();
    await expect.poll(() => form.getByLabel('Password').getAttribute('placeholder')).toBe('Stored in the keychain');
    expect(await form.getByLabel('Password').inputValue()).toBe('');
    expect(await form.getByLabel('Webhook URL').inputValue()).toBe('');
    expect(await page.locator('body').textContent()).not.toContain(smtp.password);
    expect(readFileSync(join(dataDir, 'settings.json'), 'utf8')).not.toMatch(new RegExp(`${smtp.password}|hook-token`));
    await screenshot('schedule-alerts');
  });

  it('a partly failed sync sends its alert, and the Sync log shows it was delivered', async () => {
    const mailsBefore = smtp.messages.length;
    await page.getByRole('button', { name: 'Sync now' }).first().click();
    await page
      .locator('.notice', { hasText: /^Sync finished with failed files/ })
      .first()
      .waitFor({ timeout: 60_000 });
    const { mail } = await smtp.waitForMessage(mailsBefore + 1);
    expect(mail.subject).toBe('S3 CSV Sync: sync partly failed — 1 file failed in acme-exports/vitally/');

    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Sync log' }).click();
    await page.locator('.runs-table tbody tr').first().click();
    const alerts = page.getByRole('list', { name: 'Alerts about this run' });
    await alerts.getByText('Failure alert by email: delivered').waitFor();
    await alerts.getByText('Failure alert to the webhook: delivered').waitFor();
    await alerts.getByText(/^sent to cs-lead@acme\.io through 127\.0\.0\.1:\d+$/).waitFor();
    const dismiss = page.locator('.notice').getByRole('button', { name: 'Dismiss' });
    // Notices also leave by themselves, so one may be gone before its button is clicked.
    while ((await dismiss.count()) > 0)
      await dismiss
        .first()
        .click({ timeout: 1000 })
        .catch(() => undefined);
    await screenshot('sync-log-alerts');
  });
});
