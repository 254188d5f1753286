// The S3 server goes away in the middle of a download, or stops answering, or drops a connection
// once. A small HTTP proxy in front of s3rver plays the network: it passes requests through, and
// for the big file's download it can cut the connection, or go silent, after part of the body.
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncConfig } from '../../electron/shared/config';
import { createS3Client } from '../../electron/core/s3/s3-source';
import { createWorkspace, eventsCsv, makeConfig, type Workspace } from '../support/fixtures';

const BIG_KEY = 'vitally/events/big.csv';
const BIG_ROWS = 200_000;
/**
 * A short idle timeout so a silent server is noticed in a test's time (the app's: 30 s). Only syncs
 * through a freezing proxy get it: on a busy machine a healthy download can pause longer than that,
 * and a sync that must succeed would then fail. Connecting keeps the app's 10 s for the same reason.
 */
const TIMEOUTS = { connectMs: 10_000, idleMs: 1500 };

type Mode =
  | { kind: 'pass' }
  /** Headers and this many body bytes of the big file, then the connection is destroyed. */
  | { kind: 'cut'; afterBytes: number }
  /** Headers and this many body bytes of the big file (0: not even headers when -1), then silence. */
  | { kind: 'freeze'; afterBytes: number }
  /** The first download of the big file is dropped before any answer; the rest pass. */
  | { kind: 'reset-first' };

let ws: Workspace;
let proxy: Server;
let proxyEndpoint: string;
let mode: Mode = { kind: 'pass' };
let bigDownloads = 0;
const frozen = new Set<IncomingMessage>();

function forward(req: IncomingMessage, res: ServerResponse): void {
  const target = new URL(ws.server.endpoint);
  const isBig = req.method === 'GET' && decodeURIComponent(req.url ?? '').includes(BIG_KEY);
  if (isBig) bigDownloads++;
  if (isBig && mode.kind === 'reset-first' && bigDownloads === 1) {
    req.socket.destroy();
    return;
  }
  if (isBig && mode.kind === 'freeze' && mode.afterBytes < 0) {
    frozen.add(req); // accepted, read, never answered
    return;
  }
  const upstream = httpRequest(
    // No pooled sockets to s3rver (agent: false): none is left open to hold up its close in afterAll.
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: false },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (!isBig || (mode.kind !== 'cut' && mode.kind !== 'freeze')) {
        up.pipe(res);
        return;
      }
      const limit = mode.afterBytes;
      const action = mode.kind;
      let sent = 0;
      up.on('data', (chunk: Buffer) => {
        if (sent >= limit) return;
        const part = chunk.subarray(0, limit - sent);
        sent += part.length;
        res.write(part);
        if (sent < limit) return;
        if (action === 'cut') {
          res.socket?.destroy(); // the server vanishes mid-body
        } else {
          up.destroy(); // nothing more will come; the client's connection stays open
          frozen.add(req);
        }
      });
    },
  );
  upstream.on('error', () => res.socket?.destroy());
  req.pipe(upstream);
}

beforeAll(async () => {
  ws = await createWorkspace();
  await ws.put('orgs/a.csv', 'org_id,org_name\no1,Acme\n');
  await ws.put('events/big.csv', eventsCsv(BIG_ROWS));
  proxy = createServer(forward);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyEndpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await ws.close();
});

function viaProxy(): { config: SyncConfig; client: ReturnType<typeof createS3Client> } {
  const base = makeConfig(ws.server);
  const config = { ...base, connection: { ...base.connection, endpoint: proxyEndpoint } };
  const client =
    mode.kind === 'freeze'
      ? createS3Client(config.connection, 'S3RVER', TIMEOUTS)
      : createS3Client(config.connection, 'S3RVER');
  return { config, client };
}

async function syncVia(m: Mode) {
  mode = m;
  bigDownloads = 0;
  const { config, client } = viaProxy();
  const started = Date.now();
  try {
    const report = await ws.sync(config, { s3Client: client, full: true });
    return { report, ms: Date.now() - started };
  } finally {
    client.destroy();
    for (const req of frozen) req.socket.destroy();
    frozen.clear();
  }
}

function expectPlain(message: string | undefined): void {
  expect(message).toBeDefined();
  // No stack, no SDK or socket jargon: sentences for an analyst.
  expect(message).not.toMatch(/\n\s+at |Error:|ECONN|ETIMEDOUT|socket hang up|TimeoutError|\$metadata|aborted/);
}

function eventCount(): number {
  return ws.query<{ n: number }>('SELECT count(*) AS n FROM events')[0]!.n;
}

describe('the S3 server fails during a sync', { timeout: 45_000 }, () => {
  it('disappears mid-download: the file fails with a plain message, none of its rows land, and a later sync completes', async () => {
    const { report, ms } = await syncVia({ kind: 'cut', afterBytes: 1024 * 1024 });
    const big = report.files.find((f) => f.key === BIG_KEY)!;
    expect(big.status).toBe('failed');
    expectPlain(big.error);
    expect(big.error).toBe(
      `Could not reach ${proxyEndpoint}: the connection was lost while reading ${BIG_KEY}. Check ` +
        `the custom endpoint and your network connection. Nothing of this file was stored; it will ` +
        `be read again next sync.`,
    );
    expect(report.status).toBe('partial'); // the small file before it was imported
    expect(eventCount()).toBe(0);
    expect(ws.query(`SELECT status FROM sync_files WHERE run_id = ? AND key = ?`, report.runId, BIG_KEY)).toEqual([
      { status: 'failed' },
    ]);
    expect(ws.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    console.log(`cut mid-download: the run ended after ${ms} ms`);

    const later = await syncVia({ kind: 'pass' });
    expect(later.report.status).toBe('succeeded');
    expect(eventCount()).toBe(BIG_ROWS);
  });

  it('stops sending mid-download (headers and part of the body, then silence): the file fails after the idle timeout, nothing lands', async () => {
    ws.db.exec('DELETE FROM events; DELETE FROM file_state;');
    const { report, ms } = await syncVia({ kind: 'freeze', afterBytes: 1024 * 1024 });
    const big = report.files.find((f) => f.key === BIG_KEY)!;
    expect(big.status).toBe('failed');
    expectPlain(big.error);
    expect(big.error).toBe(
      `${proxyEndpoint} stopped answering (timed out) while reading ${BIG_KEY}. Check your ` +
        `network connection and try again. Nothing of this file was stored; it will be read again ` +
        `next sync.`,
    );
    expect(eventCount()).toBe(0);
    // Bounded: the idle timeout once (a body is never re-requested), not a hang.
    expect(ms).toBeLessThan(15_000);
    console.log(`frozen mid-download: the run ended after ${ms} ms (idle timeout ${TIMEOUTS.idleMs} ms)`);

    const later = await syncVia({ kind: 'pass' });
    expect(later.report.status).toBe('succeeded');
    expect(eventCount()).toBe(BIG_ROWS);
  });

  it('accepts the request and never answers: retried, then the file fails with a plain message, and the run is not stuck', async () => {
    ws.db.exec('DELETE FROM events; DELETE FROM file_state;');
    const { report, ms } = await syncVia({ kind: 'freeze', afterBytes: -1 });
    const big = report.files.find((f) => f.key === BIG_KEY)!;
    expect(big.status).toBe('failed');
    expectPlain(big.error);
    expect(big.error).toBe(
      `${proxyEndpoint} stopped answering (timed out) while reading ${BIG_KEY}. Check your ` +
        `network connection and try again. Nothing of this file was stored; it will be read again ` +
        `next sync.`,
    );
    expect(bigDownloads).toBe(4); // the SDK's four attempts
    expect(eventCount()).toBe(0);
    expect(ms).toBeLessThan(30_000);
    console.log(
      `never answered: the run ended after ${ms} ms (${bigDownloads} attempts, idle timeout ${TIMEOUTS.idleMs} ms)`,
    );
  });

  it('stopped (Ctrl-C) while the download is frozen: the run stops at once, not after the idle timeout', async () => {
    ws.db.exec('DELETE FROM events; DELETE FROM file_state;');
    mode = { kind: 'freeze', afterBytes: 1024 * 1024 };
    const base = makeConfig(ws.server);
    const config = { ...base, connection: { ...base.connection, endpoint: proxyEndpoint } };
    const client = createS3Client(config.connection, 'S3RVER', { connectMs: 1000, idleMs: 30_000 });
    const stop = new AbortController();
    let stoppedAt = 0;
    const poll = setInterval(() => {
      if (frozen.size > 0 && !stoppedAt) {
        stoppedAt = Date.now();
        stop.abort();
      }
    }, 10);
    try {
      const report = await ws.sync(config, { s3Client: client, full: true, signal: stop.signal });
      const ms = Date.now() - stoppedAt;
      console.log(`stopped while frozen: the run ended ${ms} ms after the stop`);
      expect(stoppedAt).toBeGreaterThan(0);
      expect(ms).toBeLessThan(5_000);
      expect(report.status).toBe('interrupted');
      expect(report.files.find((f) => f.key === BIG_KEY)).toMatchObject({
        status: 'failed',
        error: 'The sync was stopped while this file was being read; nothing of it was stored.',
      });
      expect(eventCount()).toBe(0);
    } finally {
      clearInterval(poll);
      client.destroy();
      for (const req of frozen) req.socket.destroy();
      frozen.clear();
    }
  });

  it('drops the connection once (reset before any answer): retried with backoff, and the file lands once', async () => {
    ws.db.exec('DELETE FROM events; DELETE FROM file_state;');
    const { report } = await syncVia({ kind: 'reset-first' });
    expect(bigDownloads).toBe(2);
    expect(report.status).toBe('succeeded');
    expect(report.files.find((f) => f.key === BIG_KEY)).toMatchObject({
      status: 'imported',
      rows: BIG_ROWS,
      created: BIG_ROWS,
      updated: 0,
    });
    expect(
      ws.query('SELECT count(*) AS n, count(DISTINCT message_id) AS ids, max(sync_count) AS syncs FROM events'),
    ).toEqual([{ n: BIG_ROWS, ids: BIG_ROWS, syncs: 1 }]);
    expect(ws.query(`SELECT status FROM sync_files WHERE run_id = ? AND key = ?`, report.runId, BIG_KEY)).toEqual([
      { status: 'imported' },
    ]);
  });
});
