// Alerts by email through the team's own SMTP server, with nodemailer (TLS, STARTTLS or neither).
import type { ConnectionOptions } from 'node:tls';
import type { EmailAlertConfig, SmtpConfig } from '../../shared/alerts-config';
import type { AlertMessage } from './alert-message';
import { DeliveryError, describeNetworkFailure, networkCode } from './delivery';

export interface EmailExtras {
  /** Extra TLS options, such as a private certificate authority (tests use a self-signed one). */
  tls?: ConnectionOptions;
}

/** Sends the message once; resolves with the plain detail of what happened ("sent to …"). */
export async function sendAlertEmail(
  email: EmailAlertConfig,
  password: string | null,
  message: AlertMessage,
  timeoutMs: number,
  extras: EmailExtras = {},
): Promise<string> {
  const { smtp } = email;
  if (smtp.user && !password) {
    throw new DeliveryError(
      `no SMTP password is stored for ${smtp.user} at ${smtp.host}: type it on the Schedule screen, or set S3_CSV_SYNC_SMTP_PASSWORD`,
      true,
    );
  }
  // Loaded on first use: every CLI start and the app's start would otherwise pay for it.
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    ...(smtp.user ? { auth: { user: smtp.user, pass: password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    ...(extras.tls ? { tls: extras.tls } : {}),
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  try {
    await transport.sendMail({ from: email.from, to: email.to, subject: message.subject, text: message.text });
    return `sent to ${email.to.join(', ')} through ${smtp.host}:${smtp.port}`;
  } catch (error) {
    throw describeSmtpFailure(error, smtp);
  } finally {
    transport.close();
  }
}

/** nodemailer's error codes and the server's reply, as the user would say them. */
export function describeSmtpFailure(error: unknown, smtp: SmtpConfig): DeliveryError {
  const where = `the SMTP server ${smtp.host}:${smtp.port}`;
  const e = error as { code?: string; responseCode?: number; response?: string; message?: string };
  const reply = e.response ? ` (it said: ${e.response.replace(/\s+/g, ' ').slice(0, 160)})` : '';
  // nodemailer labels socket errors with its own codes (ESOCKET, ECONNECTION); Node's code stays in the message.
  const nodeCode = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH)\b/.exec(
    e.message ?? '',
  )?.[1];
  const network = describeNetworkFailure(nodeCode ?? tlsCode(e.message) ?? networkCode(error), where);
  switch (e.code) {
    case 'EAUTH':
      return new DeliveryError(
        `${where} refused the login for user "${smtp.user}"${reply}: check the user and password`,
        true,
      );
    case 'ENOAUTH':
      return new DeliveryError(`${where} needs a login: fill in the SMTP user and password`, true);
    case 'EENVELOPE':
      return new DeliveryError(`${where} refused the sender or a recipient${reply}: check the addresses`, true);
    case 'ETLS':
      return new DeliveryError(
        network ??
          `${where} could not start an encrypted connection${reply}: check the security setting (STARTTLS on port 587, TLS on 465)`,
        true,
      );
    case 'EDNS':
      return new DeliveryError(describeNetworkFailure('ENOTFOUND', where)!);
    case 'ETIMEDOUT':
      return new DeliveryError(`${where} did not answer in time: check the host, port and security setting`);
    case 'EMESSAGE':
    case 'EPROTOCOL':
      return new DeliveryError(
        `${where} refused the message${reply}`,
        e.responseCode !== undefined && e.responseCode >= 500,
      );
    case undefined:
    default:
      // Not one of nodemailer's own codes: the network code and the message tell, below.
      break;
  }
  if (network) return new DeliveryError(network, network.includes('certificate'));
  if (/wrong version number|ssl3_get_record|packet length too long/i.test(e.message ?? ''))
    return new DeliveryError(
      `${where} does not speak TLS on this port: use "starttls" for port 587 or 25, "tls" for port 465`,
      true,
    );
  return new DeliveryError(`${where} could not take the message: ${e.message ?? String(error)}`);
}

/** Node's TLS errors carry their code in the message when nodemailer rewraps them. */
function tlsCode(message: string | undefined): string | undefined {
  if (!message) return undefined;
  if (/self[- ]signed certificate/i.test(message)) return 'DEPTH_ZERO_SELF_SIGNED_CERT';
  if (/unable to verify the first certificate/i.test(message)) return 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
  if (/certificate has expired/i.test(message)) return 'CERT_HAS_EXPIRED';
  if (/Hostname\/IP does not match/i.test(message)) return 'ERR_TLS_CERT_ALTNAME_INVALID';
  return undefined;
}
