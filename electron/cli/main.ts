// Entry point of `npm run cli -- <command>`.
import { runCli } from './cli';

// The SDK warns that its 2027 releases will need Node 22; the desktop app ships its own newer Node,
// and the warning would only clutter the CLI's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// First Ctrl-C (or SIGTERM) stops cleanly: the file being imported is rolled back. A second one exits at once.
const stop = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (stop.signal.aborted) process.exit(130);
  process.stderr.write(`\nStopping (${signal}): the file being imported is rolled back...\n`);
  stop.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.exitCode = await runCli(
  process.argv.slice(2),
  { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env },
  { signal: stop.signal },
);
