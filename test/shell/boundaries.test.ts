// Boundaries the issue asks for, checked in the sources: raw ipcMain/ipcRenderer only inside the
// typed wrappers, and no 'electron' import in the core, the contract, the CLI or the web preview.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(join(ROOT, path)).isDirectory()) found.push(...sources(path));
    else if (/\.(ts|tsx|js|cjs|mjs)$/.test(name)) found.push(path);
  }
  return found;
}

describe('IPC and Electron boundaries', () => {
  it('uses ipcMain and ipcRenderer only in the IPC wrapper and the preload', () => {
    const allowed = new Set([
      'electron/main/ipc.ts',
      'electron/shared/ipc-channels.ts',
      'electron/main/main.ts',
      'electron/preload/preload.ts',
      'electron/preload/bridge.ts',
    ]);
    const offenders = [...sources('electron'), ...sources('renderer')].filter(
      (path) =>
        !allowed.has(path.replaceAll('\\', '/')) &&
        /\bipc(Main|Renderer)\b/.test(readFileSync(join(ROOT, path), 'utf8')),
    );
    expect(offenders).toEqual([]);
    // main.ts only hands ipcMain to the wrapper; it calls none of its methods.
    expect(readFileSync(join(ROOT, 'electron/main/main.ts'), 'utf8')).not.toMatch(/ipcMain\s*\./);
  });

  it('keeps Electron out of the core, the contract, the CLI, the web preview and the renderer', () => {
    const offenders = ['electron/core', 'electron/shared', 'electron/cli', 'electron/web', 'renderer']
      .flatMap((dir) => sources(dir))
      .filter((path) =>
        /from\s+['"]electron['"]|require\(\s*['"]electron['"]\s*\)/.test(readFileSync(join(ROOT, path), 'utf8')),
      )
      .map((path) => relative(ROOT, join(ROOT, path)));
    expect(offenders).toEqual([]);
  });
});
