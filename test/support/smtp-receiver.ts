// A real SMTP server on loopback for the alert tests (smtp-server, from nodemailer's authors): STARTTLS
// with a self-signed certificate made by the openssl CLI, AUTH PLAIN/LOGIN required, and every
// message parsed by mailparser as a mail client would show it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  mail: ParsedMail;
  /** The message as it came over the wire (headers and encoded body). */
  raw: Buffer;
  /** The session had switched to TLS (STARTTLS) before the message. */
  secure: boolean;
  user: string | undefined;
  envelopeTo: string[];
}

export interface SmtpReceiver {
  port: number;
  /** The self-signed certificate (PEM): the client trusts it as its certificate authority. */
  cert: string;
  user: string;
  password: string;
  messages: ReceivedMail[];
  /** Login attempts, accepted or not. */
  logins: { user: string; accepted: boolean }[];
  /** Resolves with the nth message (1-based) once it has arrived. */
  waitForMessage(n?: number, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export function makeSelfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 's3sync-cert-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost'].concat([
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]),
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startSmtpReceiver({
  user = 'sync',
  password = 'smtp-pass-Correct-1',
  tls = makeSelfSignedCert(),
}: { user?: string; password?: string; tls?: { key: string; cert: string } } = {}): Promise<SmtpReceiver> {
  const messages: ReceivedMail[] = [];
  const logins: SmtpReceiver['logins'] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    secure: false,
    key: tls.key,
    cert: tls.cert,
    authMethods: ['PLAIN', 'LOGIN'],
    // No login before STARTTLS: a client that sent the password in the clear would be refused.
    allowInsecureAuth: false,
    logger: false,
    onAuth(auth, _session, callback) {
      const accepted = auth.username === user && auth.password === password;
      logins.push({ user: auth.username ?? '', accepted });
      if (!accepted) return callback(new Error('Invalid username or password'));
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      simpleParser(stream)
        .then((mail) => {
          messages.push({
            mail,
            raw: Buffer.concat(chunks),
            secure: session.secure,
            user: session.user as string | undefined,
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          });
          waiters.forEach((wake) => wake());
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server as unknown as { server: { address(): AddressInfo } }).server.address().port;
  return {
    port,
    cert: tls.cert,
    user,
    password,
    messages,
    logins,
    waitForMessage(n = 1, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < n) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(messages[n - 1]!);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`message ${n} did not arrive within ${timeoutMs} ms (${messages.length} arrived)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
