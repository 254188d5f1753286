// KeytarSecretStore against a real Secret Service (gnome-keyring), checked with the real secret-tool CLI.
// Run inside a D-Bus session with an unlocked keyring:
//   dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null;
//     npx vitest run test/integration/keytar-secret-store.test.ts'
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEYCHAIN_SERVICE_NAME, KeytarSecretStore } from '../../electron/core/config/secret-store';

const execFileAsync = promisify(execFile);

const HOW_TO_RUN =
  "Run it inside a D-Bus session with an unlocked gnome-keyring: dbus-run-session -- sh -c 'echo -n pw | " +
  "gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run test/integration/keytar-secret-store.test.ts' " +
  '(needs the apt packages dbus, gnome-keyring and libsecret-tools), or set S3SYNC_SKIP_KEYCHAIN_TESTS=1 to skip it.';
const SKIP_REASON = 'S3SYNC_SKIP_KEYCHAIN_TESTS=1: the real keychain tests are skipped';
const skipRequested = process.env.S3SYNC_SKIP_KEYCHAIN_TESTS === '1';
// The default reporter does not print skip notes, so say it where a CI log shows it.
beforeAll(() => {
  if (skipRequested) console.warn(`${SKIP_REASON}.`);
});

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SECRET_STORE_MODULE = pathToFileURL(
  fileURLToPath(new URL('../../electron/core/config/secret-store.ts', import.meta.url)),
).href;

/** The secret as the real secret-tool CLI reads it from the keyring, or null when there is no entry. */
async function lookUpWithSecretTool(accessKeyId: string): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync('secret-tool', [
      'lookup',
      'service',
      KEYCHAIN_SERVICE_NAME,
      'account',
      accessKeyId,
    ]);
    return stdout;
  } catch (error) {
    // secret-tool exits 1 with no output when there is no matching entry.
    const { code, stdout, stderr } = error as { code?: number | string; stdout?: string; stderr?: string };
    if (code === 1 && stdout === '' && stderr === '') return null;
    if (code === 'ENOENT') throw new Error(`The secret-tool CLI is missing. ${HOW_TO_RUN}`, { cause: error });
    throw error;
  }
}

describe('KeytarSecretStore with a real Secret Service', () => {
  const store = new KeytarSecretStore();
  const accessKeyId = `AKIATEST${randomBytes(8).toString('hex').toUpperCase()}`;
  const secret = `test-secret/${randomBytes(24).toString('base64')}`;

  beforeEach((context) => context.skip(skipRequested, SKIP_REASON));

  beforeAll(() => {
    if (skipRequested) return;
    if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
      throw new Error(`This test needs a D-Bus session, and DBUS_SESSION_BUS_ADDRESS is not set. ${HOW_TO_RUN}`);
    }
  });

  afterAll(async () => {
    if (skipRequested || !process.env.DBUS_SESSION_BUS_ADDRESS) return;
    // The keyring lives on disk, so a failed run must not leave its entry behind.
    await store.delete(accessKeyId);
  });

  it('stores a secret that the store and secret-tool both read back, then deletes it', async () => {
    expect(await store.get(accessKeyId)).toBeNull();

    await store.set(accessKeyId, secret);
    expect(await store.get(accessKeyId)).toBe(secret);
    expect(await lookUpWithSecretTool(accessKeyId)).toBe(secret);

    expect(await store.delete(accessKeyId)).toBe(true);
    expect(await store.get(accessKeyId)).toBeNull();
    expect(await lookUpWithSecretTool(accessKeyId)).toBeNull();
    expect(await store.delete(accessKeyId)).toBe(false);
  });

  it('replaces the secret when set again for the same access key ID', async () => {
    await store.set(accessKeyId, 'first-secret');
    await store.set(accessKeyId, secret);

    expect(await lookUpWithSecretTool(accessKeyId)).toBe(secret);
    expect(await store.delete(accessKeyId)).toBe(true);
  });
});

interface ChildOutcome {
  name: string;
  message: string;
}

/**
 * Calls the store in a child process with the given D-Bus environment, so that the test process's own
 * D-Bus connection (libsecret keeps one per process) is not disturbed.
 */
async function setAndGetInChildProcess(
  dbusEnvironment: Record<string, string | undefined>,
  secret: string,
): Promise<ChildOutcome[]> {
  const script = `
    import { KeytarSecretStore } from ${JSON.stringify(SECRET_STORE_MODULE)};
    const store = new KeytarSecretStore();
    const outcomes = [];
    for (const attempt of [() => store.set('AKIACHILDPROCESS', process.env.PROBE_SECRET), () => store.get('AKIACHILDPROCESS')]) {
      try {
        await attempt();
        outcomes.push({ name: 'no error', message: '' });
      } catch (error) {
        outcomes.push({ name: error.name, message: error.message });
      }
    }
    console.log(JSON.stringify(outcomes));
  `;
  const env: Record<string, string | undefined> = { ...process.env, ...dbusEnvironment, PROBE_SECRET: secret };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];

  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPOSITORY_ROOT,
    env,
  });
  return JSON.parse(stdout) as ChildOutcome[];
}

describe('KeytarSecretStore without a reachable Secret Service', () => {
  beforeEach((context) => context.skip(skipRequested, SKIP_REASON));

  it.each([
    {
      situation: 'D-Bus address pointing at a socket that does not exist',
      dbusEnvironment: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent', DISPLAY: undefined },
      reason: 'Could not connect: No such file or directory',
    },
    {
      situation: 'no D-Bus session and no X11 display',
      dbusEnvironment: { DBUS_SESSION_BUS_ADDRESS: undefined, DISPLAY: undefined },
      reason: 'Cannot autolaunch D-Bus without X11 $DISPLAY',
    },
  ])('$situation: throws KeychainUnavailableError with a plain message', async ({ dbusEnvironment, reason }) => {
    const secret = `child-secret/${randomBytes(24).toString('base64')}`;

    const outcomes = await setAndGetInChildProcess(dbusEnvironment, secret);

    expect(outcomes).toHaveLength(2);
    for (const outcome of outcomes) {
      expect(outcome.name).toBe('KeychainUnavailableError');
      expect(outcome.message).toBe(
        `The OS keychain could not be reached: ${reason}. ` +
          'Unlock the keychain (on Linux: start a Secret Service such as gnome-keyring inside a D-Bus session, and unlock it) and try again, ' +
          'or, for scripted use, set AWS_SECRET_ACCESS_KEY instead.',
      );
      expect(outcome.message).not.toContain(secret);
    }
  });
});
