// Alerts to a webhook: a JSON POST with a `text` field (Slack, Microsoft Teams and Google Chat incoming
// webhooks show it) and the structured run report beside it. The URL is a secret: messages name only its host.
import type { AlertMessage } from './alert-message';
import { redact } from './alert-secrets';
import { DeliveryError, describeNetworkFailure, networkCode, seconds } from './delivery';

/** Checks a typed webhook URL; the message never repeats it (its path is the token). */
export function webhookUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'The webhook URL is not a web address: paste the whole https://… address your chat tool gave you.';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return 'The webhook URL must start with https:// (or http:// for a receiver on your own network).';
  return null;
}

export async function postAlertWebhook(url: string, message: AlertMessage, timeoutMs: number): Promise<string> {
  const problem = webhookUrlProblem(url);
  if (problem) throw new DeliveryError(problem, true);
  const where = `the webhook at ${new URL(url).host}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'S3 CSV Sync alerts' },
      body: JSON.stringify(message.webhookBody),
      // A redirect could carry the body somewhere else: a webhook answers where it was given.
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if ((error as Error)?.name === 'TimeoutError')
      throw new DeliveryError(`${where} did not answer within ${seconds(timeoutMs)}`);
    const network = describeNetworkFailure(networkCode(error), where);
    throw new DeliveryError(network ?? `${where} could not be reached: ${(error as Error).message}`);
  }
  // Redacted before it is shortened: a receiver may quote the URL back, and a cut token is still a leak.
  const answer = redact(await response.text().catch(() => ''), webhookSecretParts(url));
  const body = answer.replace(/\s+/g, ' ').trim().slice(0, 120);
  if (response.ok) return `posted to ${where} (it answered ${response.status})`;
  const said = body ? ` (it said: ${body})` : '';
  // 408 and 429 (and 5xx) may pass; any other 4xx is the same on every try.
  const permanent =
    response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
  const hint =
    response.status === 404 || response.status === 410 || response.status === 403
      ? ': the URL may be mistyped or the webhook removed; paste it again'
      : '';
  throw new DeliveryError(
    `${where} answered ${response.status} ${response.statusText || ''}`.trimEnd() + said + hint,
    permanent,
  );
}

/** The URL and its path and query (the token), which a receiver's answer might quote back. */
export function webhookSecretParts(url: string): string[] {
  try {
    const { pathname, search } = new URL(url);
    return [url, ...[pathname, search].filter((part) => part.length > 1)];
  } catch {
    return [url];
  }
}
