// The CLI as a user runs it, for the fault tests: a real child process (optionally as another user,
// or with a file size limit), with its exit code and output.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { LOCAL_S3_SECRET } from './fixtures';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /**
   * Obey file permissions like any user: tests run as root, which ignores them. The process stays
   * root (so it can read the project wherever it is cloned, even under a private /root) but loses
   * the capabilities that override permissions (setpriv, util-linux): a 0444 file is read-only to it.
   */
  obeyFilePermissions?: boolean;
  /** RLIMIT_FSIZE in bytes: writes past it fail with EFBIG, as on a full disk. */
  maxFileBytes?: number;
  onStarted?: (child: ChildProcess) => void;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const cli = [process.execPath, '--import', 'tsx', join(ROOT, 'electron/cli/main.ts'), ...args];
  // (Not root: permissions apply anyway.)
  const node =
    options.obeyFilePermissions && process.getuid?.() === 0
      ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', ...cli]
      : cli;
  // sh's ulimit -f counts 512-byte blocks; SIGXFSZ ignored so the write fails (EFBIG) instead of killing.
  const [command, ...argv] =
    options.maxFileBytes === undefined
      ? node
      : ['sh', '-c', `ulimit -f ${Math.floor(options.maxFileBytes / 512)}; trap "" XFSZ; exec "$@"`, 'sh', ...node];
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command!, argv, {
      cwd: ROOT,
      env: { ...process.env, AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr, ms: Date.now() - started }));
    options.onStarted?.(child);
  });
}

/** Polls `check` every 10 ms until it returns true (errors count as false); rejects after `timeoutMs`. */
export function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolveWait, reject) => {
    const deadline = Date.now() + timeoutMs;
    const timer = setInterval(() => {
      let done = false;
      try {
        done = check();
      } catch {
        // Not there yet (the database or its tables do not exist).
      }
      if (done) {
        clearInterval(timer);
        resolveWait();
      } else if (Date.now() > deadline) {
        clearInterval(timer);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }
    }, 10);
  });
}

/** One query on a fresh read-only connection, closed at once. */
export function queryOnce<T>(dbPath: string, sql: string): T[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

export function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** Polls an async `check` every 50 ms until it resolves true (errors count as false); rejects after `timeoutMs`. */
export async function waitUntilAsync(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // Not there yet.
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
