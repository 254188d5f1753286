// The OS proxy settings (or PAC script) for the app: Node's http, which the S3 client uses, knows
// nothing of them, so the proxy Electron resolves is handed to the core as the HTTPS_PROXY /
// HTTP_PROXY / NO_PROXY variables the CLI reads too (electron/core/s3/network.ts). Proxy variables
// the user set themselves win.
import { PROXY_VARIABLES } from '../core/s3/network';

/** Where the proxy is looked up for: AWS's S3; a custom endpoint is asked for too when configured. */
export const PROXY_PROBE_URL = 'https://s3.amazonaws.com/';

/** The first usable proxy in a PAC-style answer ("PROXY host:port; DIRECT"), as a URL; null for DIRECT. */
export function proxyUrlFromRules(rules: string): { url: string | null; unsupported: string | null } {
  for (const rule of rules
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [kind, hostPort] = rule.split(/\s+/);
    const upper = kind!.toUpperCase();
    if (upper === 'DIRECT') return { url: null, unsupported: null };
    if ((upper === 'PROXY' || upper === 'HTTP') && hostPort) return { url: `http://${hostPort}`, unsupported: null };
    if (upper === 'HTTPS' && hostPort) return { url: `https://${hostPort}`, unsupported: null };
    if (upper.startsWith('SOCKS')) return { url: null, unsupported: rule };
  }
  return { url: null, unsupported: null };
}

/**
 * Sets the proxy variables from the system's answer for S3, unless the user set any. Loopback is
 * always exempt (a local MinIO). Returns what it did, for the log.
 */
export async function applySystemProxy(
  resolveProxy: (url: string) => Promise<string>,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  if (PROXY_VARIABLES.some((name) => env[name] || env[name.toLowerCase()]))
    return 'Using the proxy set in the environment (HTTPS_PROXY / HTTP_PROXY / NO_PROXY).';
  let rules: string;
  try {
    rules = await resolveProxy(PROXY_PROBE_URL);
  } catch (error) {
    return `Could not read the system proxy settings (${(error as Error).message}); connecting directly.`;
  }
  const { url, unsupported } = proxyUrlFromRules(rules);
  if (unsupported) return `The system proxy is ${unsupported}: SOCKS proxies are not supported; connecting directly.`;
  if (url === null) return 'No system proxy: connecting directly.';
  env.HTTPS_PROXY = url;
  env.HTTP_PROXY = url;
  env.NO_PROXY = 'localhost,127.0.0.1,::1';
  return `Using the system proxy ${url} for S3.`;
}
