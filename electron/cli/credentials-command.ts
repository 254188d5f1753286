// `credentials set|status|delete --access-key-id ID [--session-token]`: manages the secret access key (or,
// with --session-token, the session token of temporary keys) in the OS keychain.
// The secret is only ever read from standard input (never from arguments, which leak into shell history
// and process listings) and never printed.
import { parseArgs } from 'node:util';
import { postgresKeychainAccount } from '../core/config/postgres-password';
import { loginOf } from '../core/db/postgres/pg-connection';
import { howToStoreSecret, KeychainUnavailableError, type SecretStore } from '../core/config/secret-store';
import { sessionTokenAccount } from '../core/config/sign-in-secrets';

export interface CredentialsCommandIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** What shells report for a command stopped by Ctrl-C. */
export const EXIT_ABORTED = 130;

const USAGE = `Usage: npm run cli -- credentials <command> --access-key-id <ID>

       npm run cli -- credentials <command> --postgres postgres://user@host:port/db

Commands:
  set      Store the secret access key for ID in the OS keychain.
           Reads it from standard input: typed without echo on a terminal, or piped.
  status   Say whether a secret access key for ID is stored (exit code 1 when not).
  delete   Remove the stored secret access key for ID.

With --session-token, the same for the session token of the temporary key ID.
`;

const COMMANDS = ['set', 'status', 'delete'] as const;
type Command = (typeof COMMANDS)[number];

function isCommand(value: string | undefined): value is Command {
  return (COMMANDS as readonly (string | undefined)[]).includes(value);
}

export async function runCredentialsCommand(
  args: string[],
  io: CredentialsCommandIo,
  store: SecretStore,
): Promise<number> {
  const usageError = (problem: string): number => {
    io.stderr.write(`${problem}\n\n${USAGE}`);
    return EXIT_USAGE;
  };

  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'access-key-id': { type: 'string' },
        postgres: { type: 'string' },
        'session-token': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;

  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const [command, ...extraPositionals] = positionals;
  if (command === undefined) return usageError('Missing command.');
  if (!isCommand(command)) return usageError(`Unknown command "${command}".`);
  if (extraPositionals.length > 0) {
    // `credentials set <secret>` is a natural mistake: never repeat that argument back.
    if (command === 'set') {
      return usageError(
        'Unexpected argument after "set": the secret access key is never given on the command line ' +
          '(it would stay in the shell history). Pipe it in, or type it at the prompt.',
      );
    }
    return usageError('Unexpected argument (not shown, in case it is a secret) after the command.');
  }
  // A PostgreSQL password lives in the same keychain service, under the login it opens.
  const accessKeyId = values.postgres
    ? postgresKeychainAccount(loginOf(values.postgres.trim()))
    : values['access-key-id']?.trim();
  if (!accessKeyId) {
    return usageError('Missing --access-key-id <ID>. (For a PostgreSQL password: --postgres postgres://user@host/db.)');
  }
  const what: StoredThing = values.postgres
    ? { account: accessKeyId, label: 'PostgreSQL password', accessKeyId: values.postgres.trim() }
    : values['session-token']
      ? { account: sessionTokenAccount(accessKeyId), label: 'session token', accessKeyId }
      : { account: accessKeyId, label: 'secret access key', accessKeyId };

  try {
    switch (command) {
      case 'set':
        return await setSecret(what, io, store);
      case 'status':
        return await showStatus(what, io, store);
      case 'delete':
        return await deleteSecret(what, io, store);
    }
  } catch (error) {
    if (!(error instanceof KeychainUnavailableError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return EXIT_FAILURE;
  }
}

/** A keychain entry: the secret access key of an ID (its account is the ID) or the session token of one. */
interface StoredThing {
  account: string;
  label: 'secret access key' | 'session token' | 'PostgreSQL password';
  accessKeyId: string;
}

async function setSecret(what: StoredThing, io: CredentialsCommandIo, store: SecretStore): Promise<number> {
  const input =
    io.stdin.isTTY && io.stdin.setRawMode
      ? await readHiddenLine(
          io,
          `${what.label === 'session token' ? 'Session token' : 'Secret access key'} for ${what.accessKeyId}: `,
        )
      : { aborted: false, text: withoutTrailingNewline(await readAll(io.stdin)) };

  if (input.aborted) {
    io.stderr.write('Aborted; nothing was stored.\n');
    return EXIT_ABORTED;
  }
  if (input.text === '') {
    io.stderr.write(
      `The ${what.label} is empty; nothing was stored. Type it at the prompt, or pipe it in on standard input.\n`,
    );
    return EXIT_USAGE;
  }
  await store.set(what.account, input.text);
  io.stdout.write(`Stored the ${what.label} for ${what.accessKeyId} in the OS keychain.\n`);
  return EXIT_OK;
}

async function showStatus(what: StoredThing, io: CredentialsCommandIo, store: SecretStore): Promise<number> {
  if ((await store.get(what.account)) !== null) {
    io.stdout.write(`A ${what.label} for ${what.accessKeyId} is stored in the OS keychain.\n`);
    return EXIT_OK;
  }
  const how =
    what.label === 'session token'
      ? `Store one with: npm run cli -- credentials set --access-key-id ${what.accessKeyId} --session-token, or set AWS_SESSION_TOKEN.`
      : howToStoreSecret(what.accessKeyId);
  io.stdout.write(`No ${what.label} is stored for ${what.accessKeyId}. ${how}\n`);
  return EXIT_FAILURE;
}

async function deleteSecret(what: StoredThing, io: CredentialsCommandIo, store: SecretStore): Promise<number> {
  if (await store.delete(what.account)) {
    io.stdout.write(`Deleted the ${what.label} for ${what.accessKeyId} from the OS keychain.\n`);
  } else {
    io.stdout.write(`No ${what.label} was stored for ${what.accessKeyId}; nothing to delete.\n`);
  }
  return EXIT_OK;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** `echo KEY | ...` and files end with one newline that is not part of the secret. */
function withoutTrailingNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

const ENTER = new Set(['\r', '\n']);
const END_OF_INPUT = '\u0004'; // Ctrl-D
const INTERRUPT = '\u0003'; // Ctrl-C
const BACKSPACE = new Set(['\u007f', '\b']);
// Arrow keys and the like arrive as escape sequences; they must not end up inside the secret.
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ESCAPE_SEQUENCE = /\u001b\[[0-9;]*[A-Za-z~]/g;

/** Reads one line from a terminal in raw mode, so the typed secret is not echoed. */
function readHiddenLine(io: CredentialsCommandIo, prompt: string): Promise<{ aborted: boolean; text: string }> {
  const { stdin, stderr } = io;
  stderr.write(prompt);
  stdin.setRawMode?.(true);
  stdin.setEncoding('utf8');
  stdin.resume();

  return new Promise((resolve, reject) => {
    // Array, not string: backspace removes one character even when it is outside the BMP.
    const typed: string[] = [];

    const finish = (aborted: boolean): void => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.removeListener('error', onError);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
      resolve({ aborted, text: typed.join('') });
    };
    const onEnd = (): void => finish(false);
    const onError = (error: Error): void => {
      stdin.setRawMode?.(false);
      reject(error);
    };
    const onData = (chunk: string | Buffer): void => {
      for (const character of String(chunk).replace(ESCAPE_SEQUENCE, '')) {
        if (character === INTERRUPT) return finish(true);
        if (ENTER.has(character) || character === END_OF_INPUT) return finish(false);
        if (BACKSPACE.has(character)) typed.pop();
        else if (character >= ' ') typed.push(character);
      }
    };

    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', onError);
  });
}
