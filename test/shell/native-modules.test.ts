// One mechanism switches better-sqlite3 and keytar between Node's and Electron's ABI, for npm start,
// npm run dist and npm test alike, and records the ABI (not only the runtime) it built for.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadsInNode, switchNativeModules, type Runtime } from '../../scripts/native-modules';

const ROOT = join(import.meta.dirname, '..', '..');
const ELECTRON_ABI = readFileSync(join(ROOT, 'node_modules', 'electron', 'abi_version'), 'utf8').trim();

function setUp(marker: string | null) {
  const dir = mkdtempSync(join(tmpdir(), 's3sync-native-'));
  const markerPath = join(dir, '.s3sync-native-target');
  if (marker !== null) writeFileSync(markerPath, marker);
  const rebuilt: Runtime[] = [];
  const run = (runtime: Runtime, loads = true) =>
    switchNativeModules(runtime, {
      root: ROOT,
      markerPath,
      rebuild: (target) => rebuilt.push(target) > 0,
      loads: () => loads,
      log: () => {},
    });
  return { run, rebuilt, marker: () => readFileSync(markerPath, 'utf8').trim() };
}

describe('switching the native modules', () => {
  it('rebuilds for Electron 45’s ABI after a Node build, once, and records it', () => {
    expect(ELECTRON_ABI).toBe('150');
    const { run, rebuilt, marker } = setUp(`node ${process.versions.modules}\n`);
    expect(run('electron')).toBe(true);
    expect(run('electron')).toBe(false);
    expect(rebuilt).toEqual(['electron']);
    expect(marker()).toBe('electron 150');
  });

  it('rebuilds for Electron when the marker names an older Electron or the old runtime-only format', () => {
    for (const old of ['electron 149', 'electron']) {
      const { run, rebuilt } = setUp(old);
      run('electron');
      expect(rebuilt, old).toEqual(['electron']);
    }
  });

  it('rebuilds for Node whenever this Node cannot load them (after npm run dist, or under another Node), whatever the marker says', () => {
    const afterDist = setUp('electron 150');
    expect(afterDist.run('node', false)).toBe(true);
    expect(afterDist.rebuilt).toEqual(['node']);
    expect(afterDist.marker()).toBe(`node ${process.versions.modules}`);
    const staleMarker = setUp(`node ${process.versions.modules}`);
    staleMarker.run('node', false);
    expect(staleMarker.rebuilt).toEqual(['node']);
  });

  it('leaves loadable Node builds alone and records them', () => {
    const { run, rebuilt, marker } = setUp(null);
    expect(run('node', true)).toBe(false);
    expect(rebuilt).toEqual([]);
    expect(marker()).toBe(`node ${process.versions.modules}`);
  });

  it('tells a loadable build from one for another ABI by really loading it in this Node', () => {
    expect(loadsInNode(ROOT)).toBe(true);
    // A module whose binary is for another ABI throws on require, as dlopen does.
    const other = mkdtempSync(join(tmpdir(), 's3sync-other-abi-'));
    mkdirSync(join(other, 'node_modules', 'other-abi'), { recursive: true });
    writeFileSync(
      join(other, 'node_modules', 'other-abi', 'index.js'),
      "throw new Error('was compiled against a different Node.js version using NODE_MODULE_VERSION 150');",
    );
    expect(loadsInNode(other, ['other-abi'])).toBe(false);
  });
});
