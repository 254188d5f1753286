// Entry point of `npm run web -- --data-dir DIR [--port N]`: the web preview of the window, with the
// secret in the OS keychain exactly as in the desktop app.
import { parseArgs } from 'node:util';
import { KeytarSecretStore } from '../core/config/secret-store';
import { startWebServer } from './server';

// The SDK warns that its 2027 releases will need Node 22; irrelevant here and it would clutter the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = 'Usage: npm run web -- --data-dir DIR [--port N]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

let values: { 'data-dir'?: string; port?: string };
try {
  ({ values } = parseArgs({ options: { 'data-dir': { type: 'string' }, port: { type: 'string' } }, strict: true }));
} catch (error) {
  fail((error as Error).message);
}
const dataDir = values['data-dir'];
if (!dataDir) fail('--data-dir is required: the folder that holds the settings and the database.');
const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port must be a port number (0 to 65535), not "${values.port}".`);

let server: Awaited<ReturnType<typeof startWebServer>>;
try {
  server = await startWebServer({ dataDir, port, secretStore: new KeytarSecretStore() });
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
process.stdout.write(`Listening on ${server.url}\n`);

let stopping = false;
const stop = () => {
  if (stopping) process.exit(130);
  stopping = true;
  // A sync in progress is stopped cleanly: its current file is rolled back and the run marked interrupted.
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
