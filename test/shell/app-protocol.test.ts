// The app:// scheme that serves the renderer: its files with a Content-Security-Policy header, the
// single page for client-side routes, nothing outside the renderer folder.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_INDEX_URL,
  createRendererHandler,
  isAppUrl,
  RENDERER_CSP,
  registerAppScheme,
} from '../../electron/main/app-protocol';

function rendererDir(): string {
  const root = mkdtempSync(join(tmpdir(), 's3sync-renderer-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>S3 CSV Sync</title>');
  writeFileSync(join(root, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(root, '..', 'secret-next-to-renderer.txt'), 'not for the page');
  return root;
}

const get = (handler: (request: Request) => Promise<Response>, url: string) => handler(new Request(url));

describe('the app:// renderer protocol', () => {
  it('serves the renderer files with their type and the CSP header', async () => {
    const handler = createRendererHandler(rendererDir());
    const page = await get(handler, APP_INDEX_URL);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>S3 CSV Sync</title>');
    const script = await get(handler, 'app://s3-csv-sync/assets/app-1234.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');
  });

  it('has the renderer’s own policy (its meta tag) plus frame-ancestors', () => {
    const meta = readFileSync(join(import.meta.dirname, '..', '..', 'renderer', 'index.html'), 'utf8').match(
      /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/,
    );
    expect(meta).not.toBeNull();
    expect(RENDERER_CSP).toBe(`${meta![1]}; frame-ancestors 'none'`);
  });

  it('has a policy that allows only the app’s own scripts and no plugins or framing', () => {
    expect(RENDERER_CSP).toContain("default-src 'self'");
    expect(RENDERER_CSP).toContain("script-src 'self';");
    expect(RENDERER_CSP).not.toMatch(/script-src[^;]*unsafe/);
    expect(RENDERER_CSP).toContain("object-src 'none'");
    expect(RENDERER_CSP).toContain("frame-ancestors 'none'");
  });

  it('answers client-side routes with the single page, and missing assets with 404', async () => {
    const handler = createRendererHandler(rendererDir());
    expect(await (await get(handler, 'app://s3-csv-sync/')).text()).toContain('S3 CSV Sync');
    expect(await (await get(handler, 'app://s3-csv-sync/runs/42')).text()).toContain('S3 CSV Sync');
    expect((await get(handler, 'app://s3-csv-sync/assets/missing.js')).status).toBe(404);
  });

  it('never serves anything outside the renderer folder, nor for another host', async () => {
    const handler = createRendererHandler(rendererDir());
    for (const url of [
      'app://s3-csv-sync/../secret-next-to-renderer.txt',
      'app://s3-csv-sync/%2e%2e/secret-next-to-renderer.txt',
      'app://s3-csv-sync/assets/%2e%2e%2f%2e%2e%2fsecret-next-to-renderer.txt',
      'app://s3-csv-sync/%E0%A4%A',
      'app://other-host/index.html',
    ]) {
      const response = await get(handler, url);
      const body = await response.text();
      expect(body, url).not.toContain('not for the page');
      expect(response.status, url).toBe(404);
    }
  });

  it('shows a page saying how to build the renderer when it has not been built', async () => {
    const handler = createRendererHandler(join(tmpdir(), 's3sync-no-renderer-here'));
    const page = await get(handler, APP_INDEX_URL);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('npm run build');
  });

  it('registers app:// as a standard, secure scheme', () => {
    const registered: unknown[] = [];
    registerAppScheme({ registerSchemesAsPrivileged: (schemes) => registered.push(...schemes) });
    expect(registered).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
    ]);
  });

  it('recognises the app’s own pages and, in development only, the dev server', () => {
    expect(isAppUrl('app://s3-csv-sync/index.html')).toBe(true);
    expect(isAppUrl('app://s3-csv-sync.evil.example/index.html')).toBe(false);
    expect(isAppUrl('app://user:pw@s3-csv-sync/index.html')).toBe(false);
    expect(isAppUrl('file:///index.html')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
    expect(isAppUrl('http://localhost:5173/')).toBe(false);
    expect(isAppUrl('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
  });
});
