// Delivering one alert on one channel: a time limit per attempt and a few retries, and failures told
// in plain words. A refusal that another try cannot change (a wrong password, a 404) is not retried.

export interface DeliveryPolicy {
  attempts: number;
  /** Longest wait for one attempt, connection and answer included. */
  timeoutMs: number;
  /** Pause before each retry (the last value repeats). */
  backoffMs: number[];
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = { attempts: 3, timeoutMs: 20_000, backoffMs: [2_000, 10_000] };

/** Why a delivery failed, in words for the user; permanent: retrying cannot help. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';

  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}

export type DeliveryResult =
  { ok: true; attempts: number; detail: string } | { ok: false; attempts: number; detail: string };

/** Runs attempt() until it succeeds, fails for good, or the attempts run out; never throws. */
export async function deliverWithRetries(
  attempt: (timeoutMs: number) => Promise<string>,
  policy: DeliveryPolicy,
  describe: (error: unknown) => DeliveryError,
): Promise<DeliveryResult> {
  let last: DeliveryError = new DeliveryError('it was not tried');
  for (let n = 1; n <= policy.attempts; n++) {
    try {
      return { ok: true, attempts: n, detail: await withTimeout(attempt(policy.timeoutMs), policy.timeoutMs) };
    } catch (error) {
      last = error instanceof DeliveryError ? error : describe(error);
      if (last.permanent || n === policy.attempts) return { ok: false, attempts: n, detail: last.message };
      await sleep(policy.backoffMs[Math.min(n - 1, policy.backoffMs.length - 1)] ?? 0);
    }
  }
  return { ok: false, attempts: policy.attempts, detail: last.message };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeliveryError(`no answer within ${seconds(ms)}`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The network error code under a wrapper (fetch's TypeError has it in cause). */
export function networkCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = e?.cause?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Network failures as a user would say them; where: "the SMTP server smtp.acme.io:587". */
export function describeNetworkFailure(code: string | undefined, where: string): string | undefined {
  if (code === undefined) return undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return `${where} is unreachable: nothing accepts connections there (is the host and port right, and the server running?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${where} is unreachable: its host name cannot be found (check the spelling, or the network's DNS)`;
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${where} is unreachable (${code}): check the network, a firewall or a proxy between here and there`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `${where} presented a certificate this computer does not trust (${code}): use the server's real host name, or have its certificate fixed`;
    default:
      return undefined;
  }
}

export function seconds(ms: number): string {
  const n = Math.max(1, Math.round(ms / 1000));
  return `${n} second${n === 1 ? '' : 's'}`;
}
