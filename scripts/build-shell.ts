// Bundles the Electron shell with esbuild: the main process into dist/main/main.cjs, the sync worker
// beside it (dist/main/sync-worker.js, where the worker host looks for it) with the CSV parsing
// worker it starts for big files (dist/main/csv-parse-worker.js, beside it), and the preload into
// dist/preload/preload.cjs. The preload runs sandboxed, where require() knows only 'electron' and a
// few built-ins, so it must be one self-contained file. Native modules (better-sqlite3, keytar) and
// electron itself stay outside the bundle: they are loaded from node_modules (unpacked from the asar
// archive in the installed app).
// Run: npm run build:shell
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

export const NATIVE_EXTERNALS = ['electron', 'better-sqlite3', 'keytar'] as const;

const IMPORT_META_URL = '__s3sync_import_meta_url';

/** The sources are ES modules; the bundles are CommonJS, where import.meta.url does not exist: give it the bundle's own URL. */
const commonJsFromEsm: Pick<BuildOptions, 'format' | 'define' | 'banner'> = {
  format: 'cjs',
  define: { 'import.meta.url': IMPORT_META_URL },
  banner: { js: `const ${IMPORT_META_URL} = require('node:url').pathToFileURL(__filename).href;` },
};

export interface BuiltShell {
  main: string;
  preload: string;
  worker: string | null;
  parseWorker: string | null;
}

export async function buildShell({ root = projectRoot(), outDir = join(root, 'dist') }: { root?: string; outDir?: string } = {}): Promise<BuiltShell> {
  const shared: BuildOptions = {
    bundle: true,
    platform: 'node',
    // Electron 41 ships Node 24.
    target: 'node22',
    sourcemap: true,
    logLevel: 'warning',
    absWorkingDir: root,
  };
  const mainDir = join(outDir, 'main');
  rmSync(mainDir, { recursive: true, force: true });
  rmSync(join(outDir, 'preload'), { recursive: true, force: true });
  mkdirSync(mainDir, { recursive: true });
  // The package is "type": "module"; the bundles in dist/main are CommonJS, whatever their extension.
  writeFileSync(join(mainDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);

  const main = join(mainDir, 'main.cjs');
  const preload = join(outDir, 'preload', 'preload.cjs');
  const workerSource = join(root, 'electron', 'core', 'sync-worker.ts');
  const worker = existsSync(workerSource) ? join(mainDir, 'sync-worker.js') : null;
  const parseWorkerSource = join(root, 'electron', 'core', 'csv-parse-worker.ts');
  const parseWorker = existsSync(parseWorkerSource) ? join(mainDir, 'csv-parse-worker.js') : null;

  await Promise.all([
    build({ ...shared, ...commonJsFromEsm, entryPoints: [join(root, 'electron', 'main', 'main.ts')], outfile: main, external: [...NATIVE_EXTERNALS] }),
    worker ? build({ ...shared, ...commonJsFromEsm, entryPoints: [workerSource], outfile: worker, external: [...NATIVE_EXTERNALS] }) : null,
    parseWorker ? build({ ...shared, ...commonJsFromEsm, entryPoints: [parseWorkerSource], outfile: parseWorker, external: [...NATIVE_EXTERNALS] }) : null,
    // Sandboxed preload: everything but 'electron' inlined; no Node built-in may be left to require.
    build({ ...shared, platform: 'browser', format: 'cjs', target: 'chrome130', entryPoints: [join(root, 'electron', 'preload', 'preload.ts')], outfile: preload, external: ['electron'] }),
  ]);
  return { main, preload, worker, parseWorker };
}

function projectRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outDirAt = process.argv.indexOf('--out-dir');
  const built = await buildShell(outDirAt > 0 && process.argv[outDirAt + 1] ? { outDir: process.argv[outDirAt + 1] } : {});
  console.log(`Built the shell: ${[built.main, built.worker, built.parseWorker, built.preload].filter(Boolean).join(', ')}`);
}
