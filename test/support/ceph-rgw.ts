// A throwaway one-node Ceph cluster with a RADOS Gateway on loopback: a production S3 server that checks
// SigV4 signatures and session tokens, unlike s3rver. Daemons run in the foreground in a temp folder
// (memstore: nothing on disk but logs) and are stopped by their recorded pids. See docs/credentials.md.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const CEPH_PACKAGES = 'ceph-mon ceph-osd radosgw ceph-common';

export interface CephGatewayOptions {
  /**
   * Turns on the gateway's STS (AssumeRole, session tokens). Ceph 16 then answers a wrong secret with
   * AccessDenied instead of SignatureDoesNotMatch, so suites that check that answer use a gateway without it.
   */
  sts?: boolean;
}

export interface CephGateway {
  endpoint: string;
  /** The owner of the buckets the tests make: a local user with full rights. */
  accessKeyId: string;
  secret: string;
  /** The user's ARN as the gateway names it in trust policies. */
  userArn: string;
  /** Runs radosgw-admin against this cluster and returns its stdout. */
  admin(args: string[]): Promise<string>;
  /** Creates a role that `trusted` (user ARNs; default the owner) may assume, with full S3 rights; returns its ARN. */
  createRole(name: string, trusted?: string[]): Promise<string>;
  /** Creates another local user with keys of its own and no buckets; returns its ARN. */
  createUser(uid: string, accessKeyId: string, secret: string): Promise<string>;
  /** The daemons' pids (mon, osd, radosgw), for tests of the harness itself. */
  pids: number[];
  /** The cluster's temp folder (conf, logs), removed by stop(). */
  directory: string;
  stop(): Promise<void>;
}

function missingBinaries(): string[] {
  return ['monmaptool', 'ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph'].filter(
    (bin) => !['/usr/bin', '/usr/local/bin'].some((dir) => existsSync(join(dir, bin))),
  );
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function cephConf(dir: string, fsid: string, monPort: number, rgwPort: number, sts: boolean): string {
  return `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${monPort}
# No cephx: a loopback cluster that lives for one test file. crc mode, else radosgw loops on auth -13.
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms bind msgr1 = false
# Start-up in about 2 s instead of 13 s.
paxos propose interval = 0.05
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 1
mon data avail crit = 0
osd objectstore = memstore
memstore device bytes = 1073741824
run dir = ${dir}/run
log file = ${dir}/log/$name.log
admin socket = ${dir}/run/$name.asok
pid file = ${dir}/run/$name.pid
mon data = ${dir}/mon/$cluster-$id
osd data = ${dir}/osd/$cluster-$id
keyring = /dev/null
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw data = ${dir}/rgw
rgw s3 auth use sts = ${sts}
# STS needs a 16-character key to seal session tokens; a 1 s minimum lets tests watch credentials expire.
rgw sts key = ${'sts-test-key-16c'}
rgw sts min session duration = 1
`;
}

const daemons = new Set<ChildProcess>();
// If the test process exits without stop() (a crash), take the daemons with it.
process.once('exit', () => {
  for (const child of daemons) child.kill('SIGKILL');
});

/**
 * A shell that reads daemon pids on its stdin, a pipe from this process. However this process ends (even
 * SIGKILL, when no 'exit' handler runs) the pipe closes, `read` sees its end, and the shell kills them.
 */
function startWatchdog(): ChildProcess {
  const watchdog = spawn('sh', ['-c', 'pids=; while read pid; do pids="$pids $pid"; done; kill -9 $pids 2>/dev/null'], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
  return watchdog;
}

function startDaemon(dir: string, name: string, command: string, args: string[], watchdog: ChildProcess): ChildProcess {
  const child = spawn(command, args, { stdio: 'ignore' });
  daemons.add(child);
  child.once('exit', () => daemons.delete(child));
  writeFileSync(join(dir, 'run', `${name}.started-pid`), String(child.pid));
  watchdog.stdin!.write(`${child.pid}\n`);
  return child;
}

async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function waitForHttp(url: string, daemon: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (daemon.exitCode !== null) throw new Error(`radosgw exited with ${daemon.exitCode}; see ${logFile}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`radosgw did not answer at ${url} within ${timeoutMs} ms; see ${logFile}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Starts mon, osd and radosgw (about 2 s) and creates the test user. */
export async function startCephGateway({ sts = false }: CephGatewayOptions = {}): Promise<CephGateway> {
  const missing = missingBinaries();
  if (missing.length) {
    throw new Error(
      `Ceph is not installed (missing ${missing.join(', ')}). The tests against a signature-checking S3 server need it: ` +
        `apt-get install --no-install-recommends ${CEPH_PACKAGES} (.ci/run does this).`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'ceph-rgw-'));
  for (const sub of ['run', 'log', 'mon/ceph-a', 'osd/ceph-0', 'rgw']) mkdirSync(join(dir, sub), { recursive: true });
  const fsid = randomUUID();
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'ceph.conf');
  writeFileSync(conf, cephConf(dir, fsid, monPort, rgwPort, sts));
  const started: ChildProcess[] = [];
  const watchdog = startWatchdog();
  const stop = async () => {
    watchdog.kill('SIGKILL'); // a clean stop: the daemons end by SIGTERM, below
    for (const child of started.reverse()) await stopDaemon(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const ceph = (args: string[]) => run('ceph', ['-c', conf, '--connect-timeout', '30', ...args]);
  const admin = async (args: string[]) => (await run('radosgw-admin', ['-c', conf, ...args])).stdout;
  try {
    await run('monmaptool', [
      '--create',
      '--fsid',
      fsid,
      '--addv',
      'a',
      `[v2:127.0.0.1:${monPort}]`,
      join(dir, 'monmap'),
    ]);
    await run('ceph-mon', ['-c', conf, '--mkfs', '-i', 'a', '--monmap', join(dir, 'monmap')]);
    started.push(startDaemon(dir, 'mon', 'ceph-mon', ['-c', conf, '-i', 'a', '-f'], watchdog));
    const osdUuid = randomUUID();
    const osdId = (await ceph(['osd', 'new', osdUuid])).stdout.trim();
    await run('ceph-osd', ['-c', conf, '-i', osdId, '--mkfs', '--osd-uuid', osdUuid]);
    started.push(startDaemon(dir, 'osd', 'ceph-osd', ['-c', conf, '-i', osdId, '-f'], watchdog));
    const rgw = startDaemon(dir, 'rgw', 'radosgw', ['-c', conf, '-n', 'client.rgw', '-f'], watchdog);
    started.push(rgw);
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await waitForHttp(endpoint, rgw, join(dir, 'log', 'client.rgw.log'), 60_000);

    const accessKeyId = 'CEPHTESTOWNER';
    const secret = `secret-${randomUUID()}`;
    await admin([
      'user',
      'create',
      '--uid',
      'owner',
      '--display-name',
      'Test owner',
      '--access-key',
      accessKeyId,
      '--secret',
      secret,
    ]);
    await admin(['caps', 'add', '--uid', 'owner', '--caps', 'roles=*']);
    const userArn = 'arn:aws:iam:::user/owner';
    return {
      endpoint,
      accessKeyId,
      secret,
      userArn,
      admin,
      pids: started.map((child) => child.pid!),
      directory: dir,
      async createUser(uid, userAccessKeyId, userSecret) {
        await admin([
          'user',
          'create',
          '--uid',
          uid,
          '--display-name',
          uid,
          '--access-key',
          userAccessKeyId,
          '--secret',
          userSecret,
        ]);
        return `arn:aws:iam:::user/${uid}`;
      },
      async createRole(name, trusted = [userArn]) {
        // Ceph 16 denies AssumeRole for any trust policy with an sts:ExternalId condition, even with the right ID.
        const trust = {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: trusted }, Action: ['sts:AssumeRole'] }],
        };
        const role = JSON.parse(
          await admin([
            'role',
            'create',
            '--role-name',
            name,
            '--path',
            '/',
            '--assume-role-policy-doc',
            JSON.stringify(trust),
          ]),
        ) as { Arn: string };
        const rights = {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: 'arn:aws:s3:::*' }],
        };
        await admin([
          'role-policy',
          'put',
          '--role-name',
          name,
          '--policy-name',
          's3-all',
          '--policy-doc',
          JSON.stringify(rights),
        ]);
        return role.Arn;
      },
      stop,
    };
  } catch (error) {
    const log = join(dir, 'log', 'client.rgw.log');
    const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '';
    await stop();
    throw new Error(`The Ceph test gateway did not start: ${(error as Error).message}${tail ? `\n${tail}` : ''}`, {
      cause: error,
    });
  }
}
