// How the S3 client reaches the network on a corporate one: through the proxy named by HTTPS_PROXY /
// HTTP_PROXY (NO_PROXY exempts hosts), as curl and the AWS CLI do, and trusting an extra CA file
// (connection.caFile: a TLS-inspecting proxy's or the company's root certificate) besides Node's
// own roots. The desktop app turns the OS proxy settings into the same variables (electron/main/system-proxy.ts).
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { getCACertificates } from 'node:tls';
import type { ConnectionConfig } from '../../shared/config';

export const PROXY_VARIABLES = ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY'] as const;

/** The proxy variables, upper or lower case (the upper case wins, as in curl). */
export function proxyEnvironment(env: NodeJS.ProcessEnv): Partial<Record<(typeof PROXY_VARIABLES)[number], string>> {
  const found: Partial<Record<(typeof PROXY_VARIABLES)[number], string>> = {};
  for (const name of PROXY_VARIABLES) {
    const value = env[name] ?? env[name.toLowerCase()];
    if (value) found[name] = value;
  }
  return found;
}

/** Checks a proxy address up front, so a typo is named instead of surfacing as a network error. */
export function checkProxyAddress(name: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `${name}=${value} is not an address. Set it to the proxy's URL, for example http://proxy.example.com:3128.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`${name}=${value}: only http:// and https:// proxies are supported (not ${url.protocol}//).`);
}

/** Node's roots plus the CA file's certificates; the file's path and what is wrong with it on failure. */
export function trustedCertificates(caFile: string | undefined): string[] | undefined {
  if (!caFile) return undefined;
  let text: string;
  try {
    text = readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new Error(
      `The CA file ${caFile} (connection.caFile) cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Give the path of a PEM file with your company's root certificate.`,
      { cause: error },
    );
  }
  const certificates = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!certificates)
    throw new Error(
      `The CA file ${caFile} (connection.caFile) holds no PEM certificate ("-----BEGIN CERTIFICATE-----"). Export the root certificate as Base64/PEM.`,
    );
  return [...getCACertificates('default'), ...certificates];
}

/** The agents for the S3 client: Node's own proxy support (proxyEnv, Node 24) and the trusted roots. */
export function networkAgents(
  connection: Pick<ConnectionConfig, 'caFile'>,
  env: NodeJS.ProcessEnv = process.env,
): { httpAgent?: HttpAgent; httpsAgent?: HttpsAgent } {
  const proxyEnv = proxyEnvironment(env);
  for (const name of ['HTTPS_PROXY', 'HTTP_PROXY'] as const)
    if (proxyEnv[name]) checkProxyAddress(name, proxyEnv[name]);
  const ca = trustedCertificates(connection.caFile);
  // Without proxy variables, the handler's own agents, as before.
  if (Object.keys(proxyEnv).length === 0 && !ca) return {};
  const proxy = Object.keys(proxyEnv).length > 0 ? { proxyEnv } : {};
  return {
    httpAgent: new HttpAgent({ keepAlive: true, ...proxy }),
    httpsAgent: new HttpsAgent({ keepAlive: true, ...proxy, ...(ca ? { ca } : {}) }),
  };
}
