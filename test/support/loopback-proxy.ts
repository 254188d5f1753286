// A small forward proxy on loopback, as a corporate one behaves: CONNECT tunnels for https:// and
// absolute-form requests for http://. It records what passed through it, so a test can tell that the
// S3 client went through the proxy (or, for a NO_PROXY host, did not).
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface LoopbackProxy {
  url: string;
  /** "CONNECT host:port" for tunnels, "GET http://host/path" for forwarded requests. */
  seen: string[];
  close(): Promise<void>;
}

/** hosts: names only the proxy can resolve (a company's internal DNS), each to an address. */
export async function startLoopbackProxy({
  hosts = {},
}: { hosts?: Record<string, string> } = {}): Promise<LoopbackProxy> {
  const address = (host: string) => hosts[host] ?? host;
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((incoming, outgoing) => {
    seen.push(`${incoming.method} ${incoming.url}`);
    const target = new URL(incoming.url ?? '');
    const upstream = { host: address(target.hostname), port: target.port, path: `${target.pathname}${target.search}` };
    // s3rver reads a bucket from a non-IP Host name (virtual-host style): give it the address the name maps to.
    const headers = { ...incoming.headers, host: `${upstream.host}:${upstream.port}` };
    const forwarded = request({ ...upstream, method: incoming.method, headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  server.on('connect', (incoming, client: Socket, head) => {
    seen.push(`CONNECT ${incoming.url}`);
    const [host, port] = (incoming.url ?? '').split(':');
    const upstream = connect(Number(port), address(host!), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
