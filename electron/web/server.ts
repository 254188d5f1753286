// The web preview: the built renderer and the app's API object over loopback HTTP, so the window can
// be used (and tested) in a browser without Electron. The transport is thin; the behaviour is the
// same createAppApi object the desktop shell serves over IPC.
//
// Guarded like a local admin page: it listens on 127.0.0.1 only; every API request carries a random
// token (header X-S3Sync-Token; EventSource, which cannot set headers, sends it as ?token=); requests
// from another origin or through another Host name (DNS rebinding) are refused; arguments are
// validated with the contract's schemas before they reach the API.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_EVENTS, API_METHODS, type ApiMethod } from '../shared/contract';
import { ApiArgumentError, validateApiArgs } from '../shared/schemas';
import { createAppApi, type AppApi } from '../core/service/app-api';
import type { SecretStore } from '../core/config/secret-store';
import { SyncService, type SyncServiceOptions } from '../core/service/sync-service';
import { DOWNLOAD_PATH, Downloads } from './downloads';

export const TOKEN_HEADER = 'x-s3sync-token';
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

/** The renderer's own policy, plus what only a header can say (no framing). */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

export interface WebServerOptions {
  /** Holds settings.json and the database. */
  dataDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The CLI passes the OS keychain; tests may pass another store. */
  secretStore: SecretStore;
  /** Where the built renderer is (npm run build:renderer). */
  rendererDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Alert delivery settings: a private certificate authority for a test SMTP server. */
  alertDelivery?: SyncServiceOptions['alertDelivery'];
}

export interface WebServer {
  /** http://127.0.0.1:PORT/ */
  origin: string;
  port: number;
  token: string;
  /** The address to open: origin with ?token=… */
  url: string;
  service: SyncService;
  api: AppApi;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startWebServer({
  dataDir,
  port = 0,
  secretStore,
  rendererDir = DEFAULT_RENDERER_DIR,
  env = process.env,
  alertDelivery,
}: WebServerOptions): Promise<WebServer> {
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(
      `The renderer is not built (no ${join(rendererDir, 'index.html')}): run npm run build:renderer first.`,
    );
  }
  const token = randomBytes(24).toString('base64url');
  const service = new SyncService({ dataDir, secretStore, env, alertDelivery });
  service.start();
  const downloads = new Downloads();
  const api = createAppApi({ service, secretStore, env, chooseExportDestination: downloads.destination });
  const eventStreams = new Set<ServerResponse>();
  let allowedHosts: Set<string> = new Set();
  let origins: Set<string> = new Set();

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (!response.headersSent)
        sendJson(response, status, { error: error instanceof Error ? error.message : String(error) });
      else response.end();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    setSecurityHeaders(response);
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example.
    if (!allowedHosts.has(request.headers.host ?? ''))
      throw new HttpError(421, 'This server answers only to 127.0.0.1.');
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/api/events') return streamEvents(request, response, url);
    if (url.pathname.startsWith('/api/')) return callApi(request, response, url.pathname.slice('/api/'.length));
    if (url.pathname.startsWith(DOWNLOAD_PATH)) return serveDownload(request, response, url.pathname);
    return serveStatic(request, response, url.pathname);
  }

  function checkOrigin(request: IncomingMessage): void {
    const origin = request.headers.origin;
    if (origin !== undefined && !origins.has(origin))
      throw new HttpError(403, 'Requests from other origins are refused.');
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none')
      throw new HttpError(403, 'Requests from other sites are refused.');
  }

  function checkToken(given: string | null | undefined): void {
    const expected = Buffer.from(token);
    const actual = Buffer.from(given ?? '');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
      throw new HttpError(401, 'Missing or wrong access token.');
  }

  async function callApi(request: IncomingMessage, response: ServerResponse, name: string): Promise<void> {
    checkOrigin(request);
    checkToken(request.headers[TOKEN_HEADER] as string | undefined);
    if (request.method !== 'POST') throw new HttpError(405, 'API requests are POST.');
    if (!API_METHODS.includes(name as ApiMethod)) throw new HttpError(404, `There is no API request "${name}".`);
    if (!/^application\/json\b/.test(request.headers['content-type'] ?? ''))
      throw new HttpError(415, 'API requests are JSON.');
    const body = await readJson(request);
    const method = name as ApiMethod;
    let args: unknown;
    try {
      args = validateApiArgs(method, body.args);
    } catch (error) {
      if (error instanceof ApiArgumentError) throw new HttpError(400, error.message);
      throw error;
    }
    const handler = api[method] as (args: unknown) => Promise<unknown>;
    let result: unknown;
    try {
      result = await handler(args);
    } catch (error) {
      throw new HttpError(500, error instanceof Error ? error.message : String(error));
    }
    sendJson(response, 200, { result });
  }

  function streamEvents(request: IncomingMessage, response: ServerResponse, url: URL): void {
    checkOrigin(request);
    checkToken(url.searchParams.get('token'));
    if (request.method !== 'GET') throw new HttpError(405, 'Events are read with GET.');
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    response.write(': connected\n\n');
    const offs = API_EVENTS.map((event) =>
      api.on(event, (payload: unknown) => response.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`)),
    );
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), HEARTBEAT_MS);
    eventStreams.add(response);
    request.on('close', () => {
      clearInterval(heartbeat);
      offs.forEach((off) => off());
      eventStreams.delete(response);
    });
  }

  /** An export's file, once; its random id was given only to the page that asked for the export. */
  async function serveDownload(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    checkOrigin(request);
    if (request.method !== 'GET') throw new HttpError(405, 'Downloads are read with GET.');
    const served = await downloads.serve(pathname.slice(DOWNLOAD_PATH.length), response);
    if (!served) throw new HttpError(404, 'This download was already fetched or has expired: export again.');
  }

  async function serveStatic(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError(405, 'Only GET.');
    const root = resolve(rendererDir);
    let relative: string;
    try {
      relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname));
    } catch {
      throw new HttpError(400, 'Bad path.');
    }
    const file = resolve(join(root, relative));
    if (file !== root && !file.startsWith(root + sep)) throw new HttpError(404, 'Not found.');
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) throw new HttpError(404, 'Not found.');
    const content = await readFile(file);
    response.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': content.length,
      // Hashed asset names never change content; the page itself is always fetched anew.
      'Cache-Control': relative.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : content);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolveListen());
  });
  const actualPort = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${actualPort}`, `localhost:${actualPort}`]);
  origins = new Set([`http://127.0.0.1:${actualPort}`, `http://localhost:${actualPort}`]);
  const origin = `http://127.0.0.1:${actualPort}/`;

  return {
    origin,
    port: actualPort,
    token,
    url: `${origin}?token=${token}`,
    service,
    api,
    async close() {
      for (const stream of eventStreams) stream.end();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      api.close();
      downloads.close();
      await service.stop();
    },
  };
}

function setSecurityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  // The page address carries the token: never send it on in a Referer.
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<{ args?: unknown }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'The request is too large.');
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as { args?: unknown };
  } catch {
    throw new HttpError(400, 'The request body is not a JSON object.');
  }
}
