import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCredentialsCommand, type CredentialsCommandIo } from '../../../electron/cli/credentials-command';
import { InMemorySecretStore } from '../../support/in-memory-secret-store';
import {
  KeychainUnavailableError,
  KeytarSecretStore,
  MissingSecretError,
  resolveSecret,
  type KeytarApi,
  type SecretStore,
} from '../../../electron/core/config/secret-store';

const ACCESS_KEY_ID = 'AKIAUNITTEST0000';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYUNITTEST';

describe('resolveSecret', () => {
  it('prefers AWS_SECRET_ACCESS_KEY over the keychain', async () => {
    const store = new InMemorySecretStore();
    await store.set(ACCESS_KEY_ID, 'from-keychain');

    const resolved = await resolveSecret(ACCESS_KEY_ID, { env: { AWS_SECRET_ACCESS_KEY: 'from-env' }, store });

    expect(resolved).toEqual({ secret: 'from-env', source: 'environment' });
  });

  it('uses the keychain entry when AWS_SECRET_ACCESS_KEY is unset or empty', async () => {
    const store = new InMemorySecretStore();
    await store.set(ACCESS_KEY_ID, 'from-keychain');

    for (const env of [{}, { AWS_SECRET_ACCESS_KEY: '' }]) {
      expect(await resolveSecret(ACCESS_KEY_ID, { env, store })).toEqual({
        secret: 'from-keychain',
        source: 'keychain',
      });
    }
  });

  it('throws MissingSecretError that says how to store a secret', async () => {
    const attempt = resolveSecret(ACCESS_KEY_ID, { env: {}, store: new InMemorySecretStore() });

    await expect(attempt).rejects.toThrow(MissingSecretError);
    await expect(attempt).rejects.toThrow(
      `npm run cli -- credentials set --access-key-id ${ACCESS_KEY_ID} (it reads the secret from standard input), or set AWS_SECRET_ACCESS_KEY`,
    );
  });

  it('does not hide an unreachable keychain behind MissingSecretError', async () => {
    const store = new KeytarSecretStore({
      loadKeytar: () => failingKeytar('Cannot autolaunch D-Bus without X11 $DISPLAY'),
    });

    await expect(resolveSecret(ACCESS_KEY_ID, { env: {}, store })).rejects.toThrow(KeychainUnavailableError);
  });
});

describe('InMemorySecretStore', () => {
  it('stores, reads and deletes per access key ID', async () => {
    const store = new InMemorySecretStore();
    expect(await store.get(ACCESS_KEY_ID)).toBeNull();

    await store.set(ACCESS_KEY_ID, SECRET);
    await store.set('AKIAOTHER', 'other-secret');
    expect(await store.get(ACCESS_KEY_ID)).toBe(SECRET);

    expect(await store.delete(ACCESS_KEY_ID)).toBe(true);
    expect(await store.delete(ACCESS_KEY_ID)).toBe(false);
    expect(await store.get(ACCESS_KEY_ID)).toBeNull();
    expect(await store.get('AKIAOTHER')).toBe('other-secret');
  });

  it('rejects an empty access key ID or secret', async () => {
    const store = new InMemorySecretStore();
    await expect(store.set('', SECRET)).rejects.toThrow('The access key ID is empty.');
    await expect(store.set(ACCESS_KEY_ID, '')).rejects.toThrow('The secret access key is empty.');
  });
});

function failingKeytar(message: string): KeytarApi {
  const fail = () => Promise.reject(new Error(message));
  return { getPassword: fail, setPassword: fail, deletePassword: fail };
}

describe('KeytarSecretStore errors (fake keytar)', () => {
  it('turns keychain failures into KeychainUnavailableError saying why and what to do', async () => {
    const reason = 'The name org.freedesktop.secrets was not provided by any .service files';
    const store = new KeytarSecretStore({ loadKeytar: () => failingKeytar(reason) });

    for (const operation of [
      () => store.get(ACCESS_KEY_ID),
      () => store.set(ACCESS_KEY_ID, SECRET),
      () => store.delete(ACCESS_KEY_ID),
    ]) {
      const error = await operation().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KeychainUnavailableError);
      expect((error as KeychainUnavailableError).reason).toBe(reason);
      expect((error as Error).message).toBe(
        `The OS keychain could not be reached: ${reason}. ` +
          'Unlock the keychain (on Linux: start a Secret Service such as gnome-keyring inside a D-Bus session, and unlock it) and try again, ' +
          'or, for scripted use, set AWS_SECRET_ACCESS_KEY instead.',
      );
    }
  });

  it('never lets the secret into the message, even if the keychain quotes it', async () => {
    const store = new KeytarSecretStore({ loadKeytar: () => failingKeytar(`could not store "${SECRET}"`) });

    const error = await store.set(ACCESS_KEY_ID, SECRET).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KeychainUnavailableError);
    expect((error as Error).message).not.toContain(SECRET);
    expect((error as Error).message).toContain('could not store "[redacted]"');
  });

  it('reports a keytar module that cannot be loaded, on first use rather than on import', async () => {
    let loadAttempts = 0;
    const store = new KeytarSecretStore({
      loadKeytar: () => {
        loadAttempts += 1;
        throw new Error("Cannot find module 'keytar'\nRequire stack:\n- /somewhere");
      },
    });
    expect(loadAttempts).toBe(0);

    await expect(store.get(ACCESS_KEY_ID)).rejects.toThrow(
      "The OS keychain could not be reached: the keytar module could not be loaded (Cannot find module 'keytar'). ",
    );
  });
});

interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function run(
  args: string[],
  {
    store = new InMemorySecretStore(),
    stdin = Readable.from([]),
  }: { store?: SecretStore; stdin?: CredentialsCommandIo['stdin'] } = {},
): Promise<CommandResult> {
  const stdout = collect();
  const stderr = collect();
  const exitCode = await runCredentialsCommand(args, { stdin, stdout: stdout.stream, stderr: stderr.stream }, store);
  return { exitCode, stdout: stdout.text(), stderr: stderr.text() };
}

function piped(text: string): Readable {
  return Readable.from([Buffer.from(text)]);
}

function expectSecretNotPrinted(result: CommandResult): void {
  expect(result.stdout).not.toContain(SECRET);
  expect(result.stderr).not.toContain(SECRET);
}

describe('runCredentialsCommand with piped standard input', () => {
  it('set stores the piped secret without its trailing newline, status finds it, delete removes it', async () => {
    const store = new InMemorySecretStore();

    const set = await run(['set', '--access-key-id', ACCESS_KEY_ID], { store, stdin: piped(`${SECRET}\n`) });
    expect(set).toEqual({
      exitCode: 0,
      stdout: `Stored the secret access key for ${ACCESS_KEY_ID} in the OS keychain.\n`,
      stderr: '',
    });
    expect(await store.get(ACCESS_KEY_ID)).toBe(SECRET);

    const stored = await run(['status', '--access-key-id', ACCESS_KEY_ID], { store });
    expect(stored).toEqual({
      exitCode: 0,
      stdout: `A secret access key for ${ACCESS_KEY_ID} is stored in the OS keychain.\n`,
      stderr: '',
    });

    const deleted = await run(['delete', '--access-key-id', ACCESS_KEY_ID], { store });
    expect(deleted).toEqual({
      exitCode: 0,
      stdout: `Deleted the secret access key for ${ACCESS_KEY_ID} from the OS keychain.\n`,
      stderr: '',
    });
    expect(await store.get(ACCESS_KEY_ID)).toBeNull();

    for (const result of [set, stored, deleted]) expectSecretNotPrinted(result);
  });

  it('trims exactly one trailing newline (LF or CRLF) and keeps everything else', async () => {
    const cases = [
      [`${SECRET}\r\n`, SECRET],
      [`${SECRET}\n\n`, `${SECRET}\n`],
      [` ${SECRET} `, ` ${SECRET} `],
      [SECRET, SECRET],
    ] as const;
    for (const [input, expected] of cases) {
      const store = new InMemorySecretStore();
      await run(['set', '--access-key-id', ACCESS_KEY_ID], { store, stdin: piped(input) });
      expect(await store.get(ACCESS_KEY_ID)).toBe(expected);
    }
  });

  it('status without a stored secret says how to store one and exits 1', async () => {
    const result = await run(['status', '--access-key-id', ACCESS_KEY_ID]);

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(
      `No secret access key is stored for ${ACCESS_KEY_ID}. Store one with: npm run cli -- ` +
        `credentials set --access-key-id ${ACCESS_KEY_ID} (it reads the secret from standard ` +
        `input), or set AWS_SECRET_ACCESS_KEY.\n`,
    );
  });

  it('delete without a stored secret says there was none', async () => {
    const result = await run(['delete', '--access-key-id', ACCESS_KEY_ID]);

    expect(result).toEqual({
      exitCode: 0,
      stdout: `No secret access key was stored for ${ACCESS_KEY_ID}; nothing to delete.\n`,
      stderr: '',
    });
  });

  it('refuses an empty secret with exit code 2 and stores nothing', async () => {
    const store = new InMemorySecretStore();
    for (const input of ['', '\n']) {
      const result = await run(['set', '--access-key-id', ACCESS_KEY_ID], { store, stdin: piped(input) });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('The secret access key is empty; nothing was stored.');
    }
    expect(await store.get(ACCESS_KEY_ID)).toBeNull();
  });

  it('reports an unreachable keychain with exit code 1 and without the secret', async () => {
    const reason = 'Could not connect: No such file or directory';
    const store = new KeytarSecretStore({ loadKeytar: () => failingKeytar(reason) });

    const result = await run(['set', '--access-key-id', ACCESS_KEY_ID], { store, stdin: piped(SECRET) });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`The OS keychain could not be reached: ${reason}.`);
    expect(result.stderr).toContain('AWS_SECRET_ACCESS_KEY');
    expectSecretNotPrinted(result);
  });

  it.each([
    { args: [], problem: 'Missing command.' },
    { args: ['rotate', '--access-key-id', ACCESS_KEY_ID], problem: 'Unknown command "rotate".' },
    { args: ['status'], problem: 'Missing --access-key-id <ID>.' },
    { args: ['status', '--access-key-id', '  '], problem: 'Missing --access-key-id <ID>.' },
    {
      args: ['status', 'extra', '--access-key-id', ACCESS_KEY_ID],
      problem: 'Unexpected argument (not shown, in case it is a secret) after the command.',
    },
    { args: ['status', '--access-key-id', ACCESS_KEY_ID, '--secret', SECRET], problem: "Unknown option '--secret'" },
  ])('usage error for $args: exit 2 with "$problem" and the usage text', async ({ args, problem }) => {
    const result = await run(args);

    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(problem);
    expect(result.stderr).toContain('Usage: npm run cli -- credentials <command> --access-key-id <ID>');
  });

  it('--help prints the usage on stdout and exits 0', async () => {
    const result = await run(['--help']);

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Usage: npm run cli -- credentials');
  });
});

/** A terminal stand-in: records raw mode switches; keystrokes are written to it. */
function fakeTerminal(): PassThrough & { isTTY: boolean; setRawMode: (mode: boolean) => void; rawModes: boolean[] } {
  const rawModes: boolean[] = [];
  return Object.assign(new PassThrough(), {
    isTTY: true,
    rawModes,
    setRawMode: (mode: boolean) => void rawModes.push(mode),
  });
}

describe('runCredentialsCommand on a terminal', () => {
  it('prompts on stderr, reads without echo, honours backspace and ignores arrow keys', async () => {
    const store = new InMemorySecretStore();
    const terminal = fakeTerminal();

    const pending = run(['set', '--access-key-id', ACCESS_KEY_ID], { store, stdin: terminal });
    terminal.write('wJalrXUtnFEMI/K7MDENG/bPxRfiCYUNITTESX');
    terminal.write('\u007f'); // backspace over the typo
    terminal.write('T\u001b[D\r');
    const result = await pending;

    expect(result.exitCode).toBe(0);
    expect(await store.get(ACCESS_KEY_ID)).toBe(SECRET);
    expect(result.stderr).toBe(`Secret access key for ${ACCESS_KEY_ID}: \n`);
    expect(terminal.rawModes).toEqual([true, false]);
    expectSecretNotPrinted(result);
  });

  it('Ctrl-C aborts without storing anything', async () => {
    const store = new InMemorySecretStore();
    const terminal = fakeTerminal();

    const pending = run(['set', '--access-key-id', ACCESS_KEY_ID], { store, stdin: terminal });
    terminal.write('half-typed\u0003');
    const result = await pending;

    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('Aborted; nothing was stored.');
    expect(await store.get(ACCESS_KEY_ID)).toBeNull();
    expect(terminal.rawModes).toEqual([true, false]);
  });
});
