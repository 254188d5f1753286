// Bundles the Electron shell with esbuild: the main process into dist/main/main.cjs, the sync worker
// beside it (dist/main/sync-worker.cjs, where the worker client looks for it), and the preload into
// dist/preload/preload.cjs. The preload runs sandboxed, where require() knows only 'electron' and a
// few built-ins, so it must be one self-contained file. Native modules (better-sqlite3, keytar) and
// electron itself stay outside the bundle: they are loaded from node_modules (unpacked from the asar
// archive in the installed app).
// Run: npm run build:shell
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

export const NATIVE_EXTERNALS = ['electron', 'better-sqlite3', 'keytar'] as const;

const IMPORT_META_URL = '__s3sync_import_meta_url';

/**
 * The sources are ES modules; the bundles are CommonJS, where import.meta.url does not exist: give it the bundle's own
 * URL.
 */
const commonJsFromEsm: Pick<BuildOptions, 'format' | 'define' | 'banner'> = {
  format: 'cjs',
  define: { 'import.meta.url': IMPORT_META_URL },
  banner: { js: `const ${IMPORT_META_URL} = require('node:url').pathToFileURL(__filename).href;` },
};

export interface BuiltShell {
  main: string;
  preload: string;
  worker: string;
  queryWorker: string;
}

export async function buildShell({
  root = projectRoot(),
  outDir = join(root, 'dist'),
}: { root?: string; outDir?: string } = {}): Promise<BuiltShell> {
  const shared: BuildOptions = {
    bundle: true,
    platform: 'node',
    // Electron 45 ships Node 24, as do the tooling and the CLI (package.json engines).
    target: 'node24',
    sourcemap: true,
    logLevel: 'warning',
    absWorkingDir: root,
  };
  const mainDir = join(outDir, 'main');
  rmSync(mainDir, { recursive: true, force: true });
  rmSync(join(outDir, 'preload'), { recursive: true, force: true });
  mkdirSync(mainDir, { recursive: true });

  const main = join(mainDir, 'main.cjs');
  const preload = join(outDir, 'preload', 'preload.cjs');
  const workerSource = join(root, 'electron', 'core', 'worker', 'sync-worker.ts');
  // A missing worker entry would build an app whose first sync fails: stop the build instead.
  if (!existsSync(workerSource))
    throw new Error(`The sync worker's entry ${workerSource} is missing: the app cannot sync without it.`);
  const worker = join(mainDir, 'sync-worker.cjs');
  // The Query screen's and the exports' worker, beside it (query-worker-client.ts looks for it there).
  const queryWorkerSource = join(root, 'electron', 'core', 'worker', 'query-worker.ts');
  const queryWorker = join(mainDir, 'query-worker.cjs');

  await Promise.all([
    build({
      ...shared,
      ...commonJsFromEsm,
      entryPoints: [join(root, 'electron', 'main', 'main.ts')],
      outfile: main,
      external: [...NATIVE_EXTERNALS],
    }),
    build({
      ...shared,
      ...commonJsFromEsm,
      entryPoints: [workerSource],
      outfile: worker,
      external: [...NATIVE_EXTERNALS],
    }),
    build({
      ...shared,
      ...commonJsFromEsm,
      entryPoints: [queryWorkerSource],
      outfile: queryWorker,
      external: [...NATIVE_EXTERNALS],
    }),
    // Sandboxed preload: everything but 'electron' inlined; no Node built-in may be left to require.
    build({
      ...shared,
      platform: 'browser',
      format: 'cjs',
      target: 'chrome150', // Electron 45: Chromium 15x
      entryPoints: [join(root, 'electron', 'preload', 'preload.ts')],
      outfile: preload,
      external: ['electron'],
    }),
  ]);
  return { main, preload, worker, queryWorker };
}

function projectRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outDirAt = process.argv.indexOf('--out-dir');
  const built = await buildShell(
    outDirAt > 0 && process.argv[outDirAt + 1] ? { outDir: process.argv[outDirAt + 1] } : {},
  );
  console.log(`Built the shell: ${[built.main, built.worker, built.queryWorker, built.preload].join(', ')}`);
}
