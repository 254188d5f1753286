// An HTTP proxy in front of the test S3 server that can slow one object's download on purpose, so a
// test sees a sync in progress as a state it waits for, not a moment it hopes to catch. The held body
// trickles (a few bytes a second) so the client's idle timeout never fires; release() lets it flow.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowProxy {
  endpoint: string;
  /** Slows the next download whose path ends with `pathSuffix`, after its first `afterBytes` bytes. */
  slowDown(pathSuffix: string, afterBytes: number): void;
  /** Resolves once a slowed download has passed its fast bytes: the client is now in the middle of it. */
  whenSlowed(): Promise<void>;
  /** Lets a slowed download run at full speed again (and stops slowing the next one). */
  release(): void;
  close(): Promise<void>;
}

const TRICKLE_BYTES = 16;
const TRICKLE_EVERY_MS = 250;

export async function startSlowProxy(targetEndpoint: string): Promise<SlowProxy> {
  const target = new URL(targetEndpoint);
  let armed: { pathSuffix: string; afterBytes: number } | null = null;
  const releases = new Set<() => void>();
  let slowed: () => void = () => {};
  let slowedPromise = new Promise<void>((resolve) => (slowed = resolve));

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const slow = armed && req.method === 'GET' && req.url?.split('?')[0]!.endsWith(armed.pathSuffix) ? armed : null;
    if (slow) armed = null;
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (!slow) return void up.pipe(res);
        let sent = 0;
        let queue: Buffer[] = [];
        let upstreamDone = false;
        let released = false;
        const timer = setInterval(() => {
          // Trickle what is held; end once everything was written and upstream has finished.
          const next = Buffer.concat(queue);
          res.write(next.subarray(0, TRICKLE_BYTES));
          queue = next.length > TRICKLE_BYTES ? [next.subarray(TRICKLE_BYTES)] : [];
          if (queue.length === 0 && upstreamDone) finish();
        }, TRICKLE_EVERY_MS);
        const finish = () => {
          clearInterval(timer);
          releases.delete(release);
          res.end();
        };
        const release = () => {
          released = true;
          clearInterval(timer);
          for (const part of queue) res.write(part);
          queue = [];
          if (upstreamDone) finish();
        };
        releases.add(release);
        up.on('data', (chunk: Buffer) => {
          if (released) return void res.write(chunk);
          const fast = chunk.subarray(0, Math.max(0, slow.afterBytes - sent));
          sent += chunk.length;
          if (fast.length) res.write(fast);
          if (fast.length < chunk.length) {
            queue.push(chunk.subarray(fast.length));
            slowed();
          }
        });
        up.on('end', () => {
          upstreamDone = true;
          if (released || queue.length === 0) finish();
        });
        res.on('close', () => clearInterval(timer));
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  };

  const server = createServer(forward);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    slowDown(pathSuffix, afterBytes) {
      armed = { pathSuffix, afterBytes };
    },
    whenSlowed: () => slowedPromise,
    release() {
      armed = null;
      slowedPromise = new Promise<void>((resolve) => (slowed = resolve));
      for (const release of [...releases]) release();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
