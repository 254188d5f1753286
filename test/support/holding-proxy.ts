// A proxy in front of the S3 server that holds the download of one object after a number of its
// bytes, until the test releases it: a sync is then observably in the middle of that file.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldingProxy {
  endpoint: string;
  /** Resolves once the held download has sent its first `afterBytes` bytes and stopped. */
  held: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

export async function startHoldingProxy(
  upstream: string,
  /** afterBytes null: the request itself waits, before the S3 server sees it (nothing of the file has begun). */
  options: { match: (url: string) => boolean; afterBytes: number | null },
): Promise<HoldingProxy> {
  let markHeld!: () => void;
  const held = new Promise<void>((resolve) => (markHeld = resolve));
  let releaseHold: (() => void) | null = null;
  let released = false;
  let holding = false;
  const target = new URL(upstream);
  const server: Server = createServer((req, res) => {
    const hold = req.method === 'GET' && options.match(req.url ?? '') && !holding;
    if (hold) holding = true;
    if (hold && options.afterBytes === null) {
      releaseHold = () => {
        releaseHold = null;
        released = true;
        forward(false);
      };
      markHeld();
      return;
    }
    forward(hold);
    function forward(hold: boolean) {
      const up = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (response) => {
          res.writeHead(response.statusCode ?? 502, response.headers);
          if (!hold) return void response.pipe(res);
          let sent = 0;
          const afterBytes = options.afterBytes ?? 0;
          response.on('data', (chunk: Buffer) => {
            if (released || sent + chunk.length <= afterBytes) {
              sent += chunk.length;
              res.write(chunk);
              return;
            }
            const head = chunk.subarray(0, Math.max(0, afterBytes - sent));
            res.write(head);
            sent += head.length;
            response.pause();
            releaseHold = () => {
              releaseHold = null;
              res.write(chunk.subarray(head.length));
              released = true;
              response.resume();
              if (ended) res.end();
            };
            markHeld();
          });
          // The body's last chunk may be the held one: 'end' can come while it waits.
          let ended = false;
          response.on('end', () => {
            ended = true;
            if (!releaseHold) res.end();
          });
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    release: () => {
      released = true;
      releaseHold?.();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
