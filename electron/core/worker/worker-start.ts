// Starting the engine's worker threads, from TypeScript sources (tsx: tests, CLI, bench) or from a
// build where each worker entry is a separate .js file next to the module that starts it.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `./<name>.ts` next to `fromUrl` when that is a TypeScript source, else `./<name>.js`. */
export function workerEntryUrl(name: string, fromUrl: string): URL {
  const fromSources = /\.[cm]?ts$/.test(new URL(fromUrl).pathname);
  // Built workers are .cjs: CommonJS by their name, with no package.json to look up inside app.asar.
  return new URL(`./${name}.${fromSources ? 'ts' : 'cjs'}`, fromUrl);
}

/**
 * The young generation each engine worker may grow to, in MB: V8's bound before Node 22 (16 MB
 * semi-spaces). Node 24's V8 sizes it from the machine's memory, up to 192 MB (64 MB semi-spaces),
 * and a long import's steady survivors (the rows in flight) make it grow to that and stay: the sync
 * worker's peak RSS went from ~150 to ~260 MB. Measured with scripts/measure-worker-memory.ts
 * (docs/performance.md): 48 MB keeps it flat, for no more CPU.
 */
export const WORKER_YOUNG_GENERATION_MB = 48;

export function startWorker(url: URL, options: WorkerOptions = {}): Worker {
  options = {
    ...options,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB, ...options.resourceLimits },
  };
  if (!/\.[cm]?ts$/.test(url.pathname)) return new Worker(url, options);
  // A worker does not inherit the parent's module hooks, and `--import tsx` in its execArgv is
  // registered too late for its entry module on Node 20: register tsx first, then import the entry.
  const bootstrap = `import(${JSON.stringify(tsxApiUrl())}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

function tsxApiUrl(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = require(manifestPath) as { exports: Record<string, { import: { default: string } }> };
  return new URL(manifest.exports['./esm/api']!.import.default, pathToFileURL(manifestPath)).href;
}
