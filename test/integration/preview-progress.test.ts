// The Objects screen's preview of a large prefix, through the app's API object and the web preview's
// Server-Sent Events, against the real s3rver: the first page's matches (previewProgress) arrive
// before previewFiles has answered, the events are throttled, a cancelled preview stops listing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewProgress, PreviewResult } from '../../electron/shared/contract';
import { createAppApi, PREVIEW_PROGRESS_MS, type AppApi } from '../../electron/core/service/app-api';
import { InMemorySecretStore } from '../support/in-memory-secret-store';
import { SyncService } from '../../electron/core/service/sync-service';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { LOCAL_S3_SECRET, startLocalS3Server, type LocalS3Server } from '../../scripts/local-s3-server';
import { makeConfig } from '../support/fixtures';

/** Five pages of S3's 1000 keys: every one matches ^events/, so 4000 are beyond the cap. */
const OBJECTS = 5000;

let server: LocalS3Server;
let dataDir: string;
let service: SyncService;
let api: AppApi;

beforeAll(async () => {
  server = await startLocalS3Server();
  await server.putMany(
    Array.from({ length: OBJECTS }, (_, j) => `vitally/events/e-${String(j).padStart(5, '0')}.csv`),
    'message_id,user_id,ts,event\n',
  );
  dataDir = mkdtempSync(join(tmpdir(), 's3sync-preview-'));
  const secrets = new InMemorySecretStore();
  service = new SyncService({ dataDir, secretStore: secrets, env: {} });
  service.start();
  api = createAppApi({ service, secretStore: secrets, env: {} });
  expect(
    await api.saveConnection({ connection: makeConfig(server).connection, secretAccessKey: LOCAL_S3_SECRET }),
  ).toMatchObject({ ok: true });
});
afterAll(async () => {
  api.close();
  await service.stop();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('previewFiles with a previewId', () => {
  it('pushes the first page of matches before it answers, then at most a few a second, and answers with the full count', async () => {
    const events: { progress: PreviewProgress; at: number; answeredYet: boolean }[] = [];
    let answeredYet = false;
    const off = api.on('previewProgress', (progress) => events.push({ progress, at: performance.now(), answeredYet }));
    const start = performance.now();
    const result = await api
      .previewFiles({ type: 'tracks', fileRegex: '^events/', previewId: 'big-1' })
      .finally(() => (answeredYet = true));
    const totalMs = performance.now() - start;
    off();

    expect(result).toMatchObject({ ok: true, overCap: OBJECTS - 1000, listedCount: OBJECTS });
    const final = result as Extract<PreviewResult, { ok: true }>;
    expect(final.selected).toHaveLength(1000);

    // The first page's matches, complete (key order), before the listing and the count had ended.
    expect(events.length).toBeGreaterThanOrEqual(1);
    const first = events[0]!;
    expect(first.answeredYet).toBe(false);
    expect(first.progress).toMatchObject({ previewId: 'big-1', type: 'tracks', overCap: 0, listedCount: 1000 });
    expect(first.progress.selected).toHaveLength(1000);
    // The final answer also carries the first files' headers (read once the listing is done).
    const { columns: _columns, ...finalFirst } = final.selected[0]!;
    expect(first.progress.selected[0]).toEqual(finalFirst);
    expect(first.progress.selected.at(-1)!.key).toBe('vitally/events/e-00999.csv');
    expect(Object.keys(first.progress.selected[0]!).sort()).toEqual(['key', 'lastModified', 'size']);
    expect(events.every((e) => !e.answeredYet)).toBe(true);

    // Throttled: never two events closer than PREVIEW_PROGRESS_MS, so at most one per page here.
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.at - events[i - 1]!.at).toBeGreaterThanOrEqual(PREVIEW_PROGRESS_MS - 1);
    expect(events.length).toBeLessThanOrEqual(OBJECTS / 1000);
    // Counts only grow.
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.progress.listedCount).toBeGreaterThan(events[i - 1]!.progress.listedCount);
    console.log(
      `preview of ${OBJECTS} objects: first previewProgress after ` +
        `${(first.at - start).toFixed(0)} ms, the answer after ${totalMs.toFixed(0)} ms ` +
        `(${events.length} events)`,
    );
  });

  it('pushes nothing for a preview without an id (the command line, scripts)', async () => {
    const events: PreviewProgress[] = [];
    const off = api.on('previewProgress', (progress) => events.push(progress));
    expect(await api.previewFiles({ type: 'tracks', fileRegex: 'e-0000' })).toMatchObject({
      ok: true,
      listedCount: OBJECTS,
    });
    off();
    expect(events).toEqual([]);
  });

  it('pushes nothing for a prefix listed in one page: the answer comes as soon', async () => {
    await Promise.all(['small/a.csv', 'small/b.csv'].map((key) => server.put(key, 'message_id\n')));
    const connection = makeConfig(server).connection;
    expect(await api.saveConnection({ connection: { ...connection, prefix: 'small/' } })).toMatchObject({ ok: true });
    const events: PreviewProgress[] = [];
    const off = api.on('previewProgress', (progress) => events.push(progress));
    try {
      expect(await api.previewFiles({ type: 'tracks', fileRegex: '', previewId: 'small-1' })).toMatchObject({
        ok: true,
        listedCount: 2,
        overCap: 0,
      });
    } finally {
      off();
      await api.saveConnection({ connection });
    }
    expect(events).toEqual([]);
  });

  it('stops listing when cancelled: no further events, and the answer says it was cancelled', async () => {
    const events: PreviewProgress[] = [];
    const cancels: Promise<{ cancelled: boolean }>[] = [];
    const off = api.on('previewProgress', (progress) => {
      events.push(progress);
      if (events.length === 1) cancels.push(api.cancelPreview({ previewId: progress.previewId }));
    });
    const result = await api.previewFiles({ type: 'tracks', fileRegex: '^events/', previewId: 'big-2' });
    off();
    expect(await cancels[0]).toEqual({ cancelled: true });
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/cancelled/) });
    expect(events).toHaveLength(1);
    // Ended: nothing left to cancel.
    expect(await api.cancelPreview({ previewId: 'big-2' })).toEqual({ cancelled: false });
  });
});

describe('the web preview', () => {
  let web: WebServer;
  let webData: string;
  let rendererDir: string;
  beforeAll(async () => {
    webData = mkdtempSync(join(tmpdir(), 's3sync-preview-web-'));
    rendererDir = mkdtempSync(join(tmpdir(), 's3sync-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>S3 CSV Sync</title>');
    web = await startWebServer({
      dataDir: webData,
      port: 0,
      secretStore: new InMemorySecretStore(),
      rendererDir,
      env: {},
    });
    await web.api.saveConnection({ connection: makeConfig(server).connection, secretAccessKey: LOCAL_S3_SECRET });
  });
  afterAll(async () => {
    await web.close();
    rmSync(webData, { recursive: true, force: true });
    rmSync(rendererDir, { recursive: true, force: true });
  });

  it('streams the first matches over Server-Sent Events before the previewFiles request is answered', async () => {
    let answered = false;
    let firstEventBeforeAnswer: boolean | undefined;
    let connected: () => void = () => {};
    const streamConnected = new Promise<void>((resolve) => (connected = resolve));
    const firstEvent = new Promise<PreviewProgress>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: web.port, path: `/api/events?token=${web.token}` }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (text.includes(': connected\n\n')) connected(); // the server subscribes as it writes this
          const match = /event: previewProgress\ndata: (.*)\n\n/.exec(text);
          if (match) {
            firstEventBeforeAnswer = !answered;
            req.destroy();
            resolve(JSON.parse(match[1]!) as PreviewProgress);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    // The event stream is connected (a state, not a pause) before the preview starts.
    await streamConnected;
    const response = await fetch(`${web.origin}api/previewFiles`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-S3Sync-Token': web.token },
      body: JSON.stringify({ args: { type: 'tracks', fileRegex: '^events/', previewId: 'web-1' } }),
    });
    const body = (await response.json()) as { result: PreviewResult };
    answered = true;
    const progress = await firstEvent;
    expect(firstEventBeforeAnswer).toBe(true);
    expect(progress).toMatchObject({ previewId: 'web-1', type: 'tracks', listedCount: 1000 });
    expect(progress.selected).toHaveLength(1000);
    expect(body.result).toMatchObject({ ok: true, listedCount: OBJECTS, overCap: OBJECTS - 1000 });
  });
});
