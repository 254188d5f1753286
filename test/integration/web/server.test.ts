// The web preview's HTTP transport over the real API object: the token, the origin and host checks,
// argument validation, static files with their security headers, and events over Server-Sent Events.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySecretStore } from '../../support/in-memory-secret-store';
import { startWebServer, type WebServer } from '../../../electron/web/server';

let web: WebServer;
let dataDir: string;
let rendererDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 's3sync-web-'));
  // A stand-in renderer build, so this test does not depend on `npm run build:renderer`.
  rendererDir = mkdtempSync(join(tmpdir(), 's3sync-renderer-'));
  const { mkdirSync, writeFileSync } = await import('node:fs');
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>S3 CSV Sync</title>');
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1)');
  web = await startWebServer({ dataDir, port: 0, secretStore: new InMemorySecretStore(), rendererDir, env: {} });
});
afterAll(async () => {
  await web.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(rendererDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so Host and Origin can be anything (fetch would not let a test forge them). */
function send(
  path: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: web.port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const call = (method: string, args?: unknown, headers: Record<string, string> = {}) =>
  send(`/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-S3Sync-Token': web.token, ...headers },
    body: JSON.stringify(args === undefined ? {} : { args }),
  });

describe('the web preview server', () => {
  it('listens on 127.0.0.1 only, and gives the address with its token', () => {
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    expect(web.origin).toBe(`http://127.0.0.1:${web.port}/`);
  });

  it('answers API requests that carry the token, with the API object’s results', async () => {
    const answer = await call('getOverview');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).result).toMatchObject({
      config: null,
      databasePath: join(dataDir, 's3-csv-sync.sqlite'),
      canOpenDatabaseFolder: false,
    });
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(JSON.parse((await call('listRuns', { limit: 10 })).body)).toEqual({ result: [] });
  });

  it('refuses a missing or wrong token with 401, also for events', async () => {
    expect((await call('getOverview', undefined, { 'X-S3Sync-Token': '' })).status).toBe(401);
    // One character off (a different one: the random token may already end in the one we pick).
    const oneOff = `${web.token.slice(0, -1)}${web.token.endsWith('x') ? 'y' : 'x'}`;
    expect((await call('getOverview', undefined, { 'X-S3Sync-Token': oneOff })).status).toBe(401);
    expect(
      (await send('/api/getOverview', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }))
        .status,
    ).toBe(401);
    expect((await send('/api/events')).status).toBe(401);
    expect((await send('/api/events?token=wrong')).status).toBe(401);
  });

  it('refuses other origins, other sites and other host names (DNS rebinding)', async () => {
    expect((await call('getOverview', undefined, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await call('getOverview', undefined, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect(
      (
        await call('getOverview', undefined, {
          Origin: `http://127.0.0.1:${web.port}`,
          'Sec-Fetch-Site': 'same-origin',
        })
      ).status,
    ).toBe(200);
    expect((await call('getOverview', undefined, { Host: 'evil.example' })).status).toBe(421);
    expect((await send('/', { headers: { Host: `evil.example:${web.port}` } })).status).toBe(421);
    // No CORS headers: a browser on another origin never gets to read an answer.
    expect((await call('getOverview')).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('validates arguments with the contract’s schemas, and knows only the contract’s requests', async () => {
    const invalid = await call('listRuns', { limit: 0 });
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body).error).toBe(
      'Invalid argument for listRuns: limit: Too small: expected number to be >=1',
    );
    expect((await call('queryRecords', { table: 'sqlite_master', page: { offset: 0, limit: 5 } })).status).toBe(400);
    expect((await call('close')).status).toBe(404);
    expect((await call('constructor')).status).toBe(404);
    expect((await send('/api/getOverview', { headers: { 'X-S3Sync-Token': web.token } })).status).toBe(405);
    expect(
      (
        await send('/api/getOverview', {
          method: 'POST',
          headers: { 'X-S3Sync-Token': web.token, 'Content-Type': 'text/plain' },
          body: '{}',
        })
      ).status,
    ).toBe(415);
    expect(
      (
        await send('/api/getOverview', {
          method: 'POST',
          headers: { 'X-S3Sync-Token': web.token, 'Content-Type': 'application/json' },
          body: 'nope',
        })
      ).status,
    ).toBe(400);
  });

  it('reports a request the back end refuses as an error message', async () => {
    const answer = await call('setSchedule', { everyHours: 6 });
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body).error).toBe('Save a connection first.');
  });

  it('serves the renderer with a strict Content-Security-Policy, and nothing outside it', async () => {
    const page = await send('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await send('/assets/index-abc.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await send('/../../../etc/passwd')).status).toBe(404);
    expect((await send('/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
    expect((await send('/missing.js')).status).toBe(404);
  });

  it('streams events to a client with the token', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: web.port, path: `/api/events?token=${web.token}` }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          // Once connected (the server subscribes as it writes this), pausing the schedule makes the
          // scheduler announce its new state.
          if (!text.includes(': connected\n\n') && (text + chunk).includes(': connected\n\n'))
            void call('pauseSchedule');
          text += chunk;
          if (text.includes('event: schedulerChanged')) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    const data = /event: schedulerChanged\ndata: (.*)\n\n/.exec(received)![1]!;
    expect(JSON.parse(data)).toMatchObject({ paused: true, running: false });
  });
});
