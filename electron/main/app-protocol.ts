// The renderer is served from a custom, privileged scheme (app://s3-csv-sync/...) rather than file://
// (Electron's security checklist: prefer custom protocols to file://, which grants a page the whole
// file system's origin). Owning the response also lets us send a Content-Security-Policy header,
// which file:// loads cannot carry; the renderer's index.html has the same policy as a meta tag.
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 's3-csv-sync';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * The renderer's own policy (the meta tag in renderer/index.html), plus frame-ancestors, which only a
 * header can carry: only the app's own scripts, styles, images and fonts; no plugins, frames, forms or
 * base-URI tricks. The renderer talks to the back end over IPC, so connect-src 'self' gives it no
 * network at all.
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'Content-Security-Policy': RENDERER_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Registers app:// as a standard (relative URLs resolve), secure (a secure context, like https)
 * scheme; must run before the app is ready. corsEnabled: Vite's module scripts are fetched in CORS
 * mode, which Chromium allows only on CORS-enabled schemes. It also lets other origins read app://,
 * but no other origin ever loads here: navigation and new windows are denied.
 */
export function registerAppScheme(protocol: {
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges?: Record<string, boolean> }[]): void;
}): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

/** Whether a URL is one of the app's own pages: app://s3-csv-sync/..., or the dev server's origin in development. */
export function isAppUrl(url: string, devServerOrigin: string | null = null): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.username === '' &&
    parsed.password === ''
  )
    return true;
  return devServerOrigin !== null && parsed.origin === devServerOrigin;
}

/** The page shown when the renderer has not been built yet (dist/renderer/index.html is missing). */
const NOT_BUILT_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>S3 CSV Sync</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3em"><h1>S3 CSV Sync</h1>
<p>The window's pages have not been built. Run <code>npm run build</code> (or <code>npm start</code>) and open the app again.</p></body></html>`;

export type FileReader = (path: string) => Promise<Uint8Array>;

/** The app:// handler: files under rendererDir, index.html for routes, 404 for anything else. */
export function createRendererHandler(
  rendererDir: string,
  read: FileReader = readFile,
): (request: Request) => Promise<Response> {
  const root = resolve(rendererDir);
  return async (request) => {
    const url = new URL(request.url);
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || request.method !== 'GET') return notFound();
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return notFound();
    }
    const file = resolve(join(root, path));
    const inside = relative(root, file);
    if (inside.startsWith('..') || isAbsolute(inside) || path.includes('\0')) return notFound();
    // Client-side routes (no file extension) get the single page; missing assets stay missing.
    const target = inside === '' || extname(file) === '' ? join(root, 'index.html') : file;
    try {
      return respond(await read(target), CONTENT_TYPES[extname(target)] ?? 'application/octet-stream');
    } catch (error) {
      if (target === join(root, 'index.html'))
        return respond(new TextEncoder().encode(NOT_BUILT_PAGE), CONTENT_TYPES['.html']!);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR')
        return notFound();
      throw error;
    }
  };
}

function respond(body: Uint8Array, contentType: string): Response {
  return new Response(body as ConstructorParameters<typeof Response>[0], {
    status: 200,
    headers: { 'Content-Type': contentType, ...SECURITY_HEADERS },
  });
}

function notFound(): Response {
  return new Response('Not found', {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS },
  });
}
