// A real HTTP receiver for alert webhooks on loopback: records each POST's JSON body, and answers as
// told: a status, never (to see a delivery time out), or once released (to see a delivery in flight).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** body: a text, or one made from the request's path (a receiver that quotes the URL back). */
export type WebhookAnswer = { status: number; body?: string | ((path: string) => string) } | 'never' | 'hold';

export interface WebhookReceiver {
  /** The URL to give the app; its path stands for a Slack-style token. */
  url: string;
  answer: WebhookAnswer;
  received: { path: string; contentType: string | undefined; body: unknown; raw: string }[];
  waitForPosts(n: number, timeoutMs?: number): Promise<void>;
  /** Answers the posts held so far (answer 'hold') with this status; later posts get `answer`. */
  releaseHeld(status: number, body?: string): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(token = 'T000/B000/hook-token'): Promise<WebhookReceiver> {
  const received: WebhookReceiver['received'] = [];
  const waiters = new Set<() => void>();
  const receiver: Partial<WebhookReceiver> = { answer: { status: 200, body: 'ok' }, received };
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = null;
      }
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body, raw });
      waiters.forEach((wake) => wake());
      const answer = receiver.answer!;
      if (answer === 'never') return; // the socket stays open until the client gives up
      if (answer === 'hold') return void held.push(res);
      const text = typeof answer.body === 'function' ? answer.body(req.url ?? '') : (answer.body ?? '');
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/services/${token}`,
    waitForPosts(n: number, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (received.length < n) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${n} webhook posts did not arrive within ${timeoutMs} ms (${received.length} did)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    releaseHeld(status: number, body = '') {
      for (const res of held.splice(0)) res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as WebhookReceiver;
}
