// better-sqlite3 and keytar are native modules, built for one runtime and ABI at a time: Node (tests,
// the CLI, the web preview) or Electron (npm start, npm run dist). This is the one place that switches
// them; it records what they were built for ("node 137", "electron 150") in
// node_modules/.s3sync-native-target. For Node it also loads them, so binaries rebuilt behind its back
// (an older Node, a manual electron-builder run) are caught.
// Run: node --import tsx scripts/native-modules.ts electron|node
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const NATIVE_MODULES = ['better-sqlite3', 'keytar'] as const;

export type Runtime = 'node' | 'electron';

export interface NativeTarget {
  runtime: Runtime;
  abi: string;
}

export function formatTarget(target: NativeTarget): string {
  return `${target.runtime} ${target.abi}`;
}

/** The marker's target, or null when there is none or it is from an older version of this script. */
export function parseTarget(text: string | null): NativeTarget | null {
  const match = /^(node|electron) (\d+)\s*$/.exec(text ?? '');
  return match ? { runtime: match[1] as Runtime, abi: match[2]! } : null;
}

/** The ABI to build for: this Node's, or the installed Electron's (its package's abi_version). */
export function wantedTarget(runtime: Runtime, root: string): NativeTarget {
  if (runtime === 'node') return { runtime, abi: process.versions.modules };
  const file = join(root, 'node_modules', 'electron', 'abi_version');
  if (!existsSync(file))
    throw new Error(`${file} is missing: run npm install first (it comes with the electron package).`);
  return { runtime, abi: readFileSync(file, 'utf8').trim() };
}

/** Whether this Node can load the native modules (run in a child process: a failed dlopen can abort). */
export function loadsInNode(root: string, modules: readonly string[] = NATIVE_MODULES): boolean {
  const probe = modules.map((name) => `require(${JSON.stringify(name)});`).join('');
  const check = `${probe} new (require('better-sqlite3'))(':memory:').close();`;
  const result = spawnSync(process.execPath, ['-e', modules.includes('better-sqlite3') ? check : probe], {
    cwd: root,
    stdio: 'ignore',
  });
  return result.status === 0;
}

export interface SwitchOptions {
  root: string;
  markerPath?: string;
  /** Rebuilds for the runtime; false when it failed. */
  rebuild?: (runtime: Runtime) => boolean;
  loads?: () => boolean;
  log?: (message: string) => void;
}

/** Rebuilds the native modules for the runtime unless they are already built for its ABI; true when it did. */
export function switchNativeModules(runtime: Runtime, options: SwitchOptions): boolean {
  const { root } = options;
  const markerPath = options.markerPath ?? join(root, 'node_modules', '.s3sync-native-target');
  const wanted = wantedTarget(runtime, root);
  const recorded = parseTarget(existsSync(markerPath) ? readFileSync(markerPath, 'utf8') : null);
  const upToDate =
    runtime === 'node'
      ? (options.loads ?? (() => loadsInNode(root)))()
      : recorded !== null && formatTarget(recorded) === formatTarget(wanted);
  if (upToDate) {
    if (recorded === null || formatTarget(recorded) !== formatTarget(wanted))
      writeFileSync(markerPath, `${formatTarget(wanted)}\n`);
    return false;
  }
  (options.log ?? console.log)(
    `Rebuilding ${NATIVE_MODULES.join(' and ')} for ${runtime === 'electron' ? 'Electron' : 'Node'} (ABI ${wanted.abi}; they were built for ${recorded ? formatTarget(recorded) : 'an unknown runtime'})…`,
  );
  if (!(options.rebuild ?? rebuildWithNpm)(runtime))
    throw new Error(`Rebuilding the native modules for ${runtime} failed (see the output above).`);
  writeFileSync(markerPath, `${formatTarget(wanted)}\n`);
  return true;
}

function rebuildWithNpm(runtime: Runtime): boolean {
  const root = projectRoot();
  // electron-builder's install-app-deps rebuilds for the installed Electron's headers (it downloads them).
  const [command, args] =
    runtime === 'electron'
      ? ['npx', ['electron-builder', 'install-app-deps']]
      : ['npm', ['rebuild', ...NATIVE_MODULES]]; // better-sqlite3 13 (Node-API prebuilds) has nothing to rebuild
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  return result.status === 0;
}

function projectRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runtime = process.argv[2];
  if (runtime !== 'electron' && runtime !== 'node') {
    console.error('Usage: native-modules.ts electron|node');
    process.exit(2);
  }
  try {
    switchNativeModules(runtime, { root: projectRoot() });
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
