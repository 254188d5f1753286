// The Content-Security-Policy of the BUILT renderer (what `npm run build:renderer` writes and the app
// ships), not only of its source: the meta tag survives the build, the app:// protocol serves the
// policy as a header on every file, the web preview does too, and the policy forbids inline script,
// eval and every remote origin. The build itself must need no exception to it: no inline script,
// style or event handler, no eval, no remote URL.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ORIGIN, createRendererHandler, RENDERER_CSP } from '../../electron/main/app-protocol';
import { InMemorySecretStore } from '../support/in-memory-secret-store';
import { isAllowedExternalUrl } from '../../electron/main/window';
import { startWebServer } from '../../electron/web/server';

const ROOT = join(import.meta.dirname, '..', '..');
const DIST_RENDERER = join(ROOT, 'dist', 'renderer');

let rendererDir: string;
let builtHere: string | null = null;

beforeAll(async () => {
  // `npm test` builds the renderer before the tests; run alone, this test builds its own copy.
  if (existsSync(join(DIST_RENDERER, 'index.html'))) {
    rendererDir = DIST_RENDERER;
    return;
  }
  builtHere = mkdtempSync(join(tmpdir(), 's3sync-built-renderer-'));
  const { build } = await import('vite');
  // Vitest sets NODE_ENV=test, which would give React's development build: build as npm run build:renderer does.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: join(ROOT, 'renderer', 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: builtHere, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  rendererDir = builtHere;
}, 120_000);
afterAll(() => {
  if (builtHere) rmSync(builtHere, { recursive: true, force: true });
});

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)],
  );
}

function metaPolicy(html: string): string | null {
  return /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html)?.[1] ?? null;
}

/** A policy as directive -> sources. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...sources]) => [name!.toLowerCase(), sources]),
  );
}

/** Forbids inline script, eval and every remote origin; only the app's own files (and data: images). */
function expectStrict(policy: string): void {
  const parsed = directives(policy);
  expect(parsed.get('default-src'), policy).toEqual(["'self'"]);
  expect(parsed.get('script-src'), policy).toEqual(["'self'"]);
  expect(parsed.get('connect-src'), policy).toEqual(["'self'"]);
  expect(parsed.get('object-src'), policy).toEqual(["'none'"]);
  expect(parsed.get('base-uri'), policy).toEqual(["'none'"]);
  expect(parsed.get('form-action'), policy).toEqual(["'none'"]);
  for (const [name, sources] of parsed) {
    for (const source of sources) {
      const allowed = ["'self'", "'none'"].includes(source) || (name === 'img-src' && source === 'data:');
      // No 'unsafe-inline', 'unsafe-eval', 'wasm-unsafe-eval', nonces, hashes, '*', schemes (https:, blob:, ...) or
      // hosts.
      expect(allowed, `${name} ${source} in ${policy}`).toBe(true);
    }
  }
  // script-src and style-src fall back to nothing looser.
  for (const name of ['script-src-elem', 'script-src-attr', 'style-src-attr', 'worker-src', 'frame-src', 'child-src']) {
    expect(parsed.get(name) ?? ["'self'"], name).not.toContain("'unsafe-inline'");
  }
}

describe('the built renderer', () => {
  it('carries the CSP meta tag, the same policy as its source', () => {
    const built = readFileSync(join(rendererDir, 'index.html'), 'utf8');
    const source = readFileSync(join(ROOT, 'renderer', 'index.html'), 'utf8');
    const policy = metaPolicy(built);
    expect(policy).not.toBeNull();
    expect(policy).toBe(metaPolicy(source));
    expectStrict(policy!);
    // The header adds what only a header can say.
    expect(RENDERER_CSP).toBe(`${policy}; frame-ancestors 'none'`);
    expectStrict(RENDERER_CSP);
  });

  it('needs no exception to it: no inline script, handler or style, no eval, no remote URL', () => {
    const all = files(rendererDir);
    expect(all.some((file) => extname(file) === '.js')).toBe(true);
    for (const file of all) {
      const name = relative(rendererDir, file);
      const text = readFileSync(file, 'utf8');
      if (extname(file) === '.html') {
        const scripts = [...text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
        expect(scripts.length, name).toBeGreaterThan(0);
        for (const [, attributes, body] of scripts) {
          expect(attributes, `${name}: every script is a file`).toMatch(/\bsrc="\.\/assets\/[\w.-]+\.js"/);
          expect(body!.trim(), `${name}: no inline script`).toBe('');
        }
        expect(text, `${name}: no inline event handler`).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
        expect(text, `${name}: no style attribute or element`).not.toMatch(/<[^>]+\sstyle\s*=|<style\b/i);
        expect(text, `${name}: no <base>`).not.toMatch(/<base\b/i);
        expect(text, `${name}: no remote resource`).not.toMatch(/\s(?:src|href)="(?:[a-z]+:)?\/\//i);
      }
      if (extname(file) === '.js') {
        // A call of the global eval, not a method named eval (re2js's prefilter has one: `x.eval(input, pos)`
        // and its definition `eval(t,n){`).
        const evalCall =
          /(?<![.\w$])eval\s*\((?![^()]*\)\s*\{)|\b(?:window|globalThis|self)\.eval\s*\(|new Function\s*\(/;
        expect(text, `${name}: no eval`).not.toMatch(evalCall);
        // URLs in the bundle are XML namespaces, React's error-page links, the endpoint field's
        // placeholder and links to the allow-listed documentation sites: nothing is loaded from them.
        const urls = [...new Set(text.match(/\b(?:https?|wss?):\/\/[^\s"'`)\\]+/g) ?? [])];
        const harmless = (url: string) =>
          /^http:\/\/www\.w3\.org\/|^https:\/\/react\.dev\/errors\/|^http:\/\/127\.0\.0\.1(:\d+)?$/.test(url) ||
          isAllowedExternalUrl(url);
        expect(
          urls.filter((url) => !harmless(url)),
          name,
        ).toEqual([]);
      }
      if (extname(file) === '.css')
        expect(text, `${name}: no remote stylesheet, font or image`).not.toMatch(
          /@import|url\(\s*["']?(?:[a-z]+:)?\/\//i,
        );
    }
  });

  it('is served by the app:// protocol with the policy as a header on every file', async () => {
    const handler = createRendererHandler(rendererDir);
    for (const file of files(rendererDir)) {
      const url = `${APP_ORIGIN}/${relative(rendererDir, file).split('\\').join('/')}`;
      const response = await handler(new Request(url));
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-security-policy'), url).toBe(RENDERER_CSP);
    }
    const page = await handler(new Request(`${APP_ORIGIN}/index.html`));
    expect(metaPolicy(await page.text())).not.toBeNull();
  });

  it('is served by the web preview with a policy just as strict', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 's3sync-csp-web-'));
    const web = await startWebServer({ dataDir, secretStore: new InMemorySecretStore(), rendererDir, env: {} });
    try {
      const response = await fetch(web.origin);
      expect(response.status).toBe(200);
      expect(metaPolicy(await response.text())).not.toBeNull();
      const header = response.headers.get('content-security-policy')!;
      expectStrict(header);
      expect(directives(header).get('frame-ancestors')).toEqual(["'none'"]);
    } finally {
      await web.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the renderer on Vite’s dev server (S3SYNC_RENDERER_URL)', () => {
  it('renders in Chromium: the dev-only policy lets React’s refresh preamble and Vite’s styles run', async () => {
    const { createServer } = await import('vite');
    const { chromium } = await import('playwright-core');
    const server = await createServer({
      configFile: join(ROOT, 'renderer', 'vite.config.ts'),
      server: { host: '127.0.0.1', port: 0, strictPort: false },
      logLevel: 'warn',
    });
    await server.listen();
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    try {
      const origin = server.resolvedUrls!.local[0]!;
      const html = await (await fetch(origin)).text();
      expect(html, 'the preamble is inline').toMatch(/<script type="module">[^<]*react-refresh/);
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(origin);
      // Not blank: without a preload (a plain browser) the app says how to open it.
      await page.locator('#root :first-child').first().waitFor({ timeout: 60_000 });
      expect((await page.locator('#root').innerText()).trim()).not.toBe('');
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 120_000);
});
