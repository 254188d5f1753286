// electron-builder.yml: valid for electron-builder's own schema, with the promised ids, targets,
// icons and Linux dependency; and, packed for real by electron-builder around a stand-in Electron
// binary (the real one cannot be downloaded here), an app that holds the bundles and only the native
// modules, unpacked from the asar archive, with its fuses flipped, and that starts.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_ID } from '../../electron/main/app-id';
import { buildShell } from '../../scripts/build-shell';
import { LOCAL_S3_SECRET, startLocalS3Server } from '../../scripts/local-s3-server';
import { SAMPLE_PREFIX, sampleConfig } from '../../scripts/sample-config';

const ROOT = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load: (text: string) => unknown };
/** The parts of electron-builder.yml these tests read. */
interface BuilderConfig {
  [field: string]: unknown;
  linux: { target: string[]; icon: string };
  deb: { depends: string[] };
  mac: { target: string; icon: string };
  win: { target: string; icon: string };
  extraResources: { from: string }[];
}
const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('is valid for electron-builder’s own configuration schema', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration: (config: unknown, debugLogger: { isEnabled: boolean; add(): void }) => Promise<void>;
    };
    await expect(
      validateConfiguration(structuredClone(config), { isEnabled: false, add() {} }),
    ).resolves.toBeUndefined();
    // The validator does catch mistakes:
    await expect(
      validateConfiguration(
        { ...structuredClone(config), linux: { targets: ['deb'] } },
        { isEnabled: false, add() {} },
      ),
    ).rejects.toThrow(/does not match the API schema/);
  });

  it('names the app and its id (the one main.ts registers for Windows notifications)', () => {
    expect(config.appId).toBe('com.s3csvsync.app');
    expect(config.appId).toBe(APP_ID);
    expect(config.productName).toBe('S3 CSV Sync');
  });

  it('builds the deb first (needing libsecret), then the AppImage, dmg and nsis', () => {
    expect(config.linux.target).toEqual(['deb', 'AppImage']);
    expect(config.deb.depends).toContain('libsecret-1-0');
    expect(config.mac.target).toBe('dmg');
    expect(config.win.target).toBe('nsis');
  });

  it('leaves rebuilding the native modules to scripts/native-modules.ts, and unpacks them from the asar archive', () => {
    expect(config.npmRebuild).toBe(false);
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.dist).toMatch(/npm run rebuild:electron && electron-builder/);
    expect(scripts['rebuild:electron']).toMatch(/scripts\/native-modules\.ts electron$/);
    expect(scripts.pretest).toMatch(/rebuild:node/);
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['node_modules/better-sqlite3/**', 'node_modules/keytar/**']),
    );
  });

  it('points at icon files that exist', () => {
    for (const icon of [config.linux.icon, config.mac.icon, config.win.icon])
      expect(existsSync(join(ROOT, icon)), icon).toBe(true);
    for (const resource of config.extraResources)
      expect(existsSync(join(ROOT, resource.from)), resource.from).toBe(true);
  });

  it('turns off the fuses the app does not need', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      grantFileProtocolExtraPrivileges: false,
      onlyLoadAppFromAsar: true,
    });
  });
});

describe('the packed app (electron-builder --dir around a stand-in Electron)', () => {
  const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
  let project: string;
  let unpacked: string;

  beforeAll(async () => {
    // Packed from the project itself, as `npm run dist` does (electron-builder reads the real
    // node_modules tree to pick the production dependencies); only the output goes elsewhere.
    project = mkdtempSync(join(tmpdir(), 's3sync-pack-'));
    await buildShell();
    // Only when run without `npm test` (which builds first). NODE_ENV as the release build has it: vitest's
    // NODE_ENV=test would make vite write a development React build, which the CSP test then reads.
    if (!existsSync(join(ROOT, 'dist', 'renderer', 'index.html')))
      await promisify(execFile)('npm', ['run', 'build:renderer'], {
        cwd: ROOT,
        timeout: 120_000,
        env: { ...process.env, NODE_ENV: 'production' },
      });
    // The stand-in Electron: a file with an unflipped fuse wire (version 1, nine fuses) where electron-builder looks
    // for one.
    const electronDist = join(project, 'fake-electron-dist');
    mkdirSync(electronDist);
    writeFileSync(
      join(electronDist, 'electron'),
      Buffer.concat([Buffer.from('#!/bin/sh\n'), Buffer.from(SENTINEL), Buffer.from([1, 9]), Buffer.from('111111111')]),
      { mode: 0o755 },
    );
    const builder = join(ROOT, 'node_modules', '.bin', 'electron-builder');
    await promisify(execFile)(
      builder,
      [
        '--linux',
        'dir',
        '--publish',
        'never',
        `-c.electronDist=${electronDist}`,
        `-c.directories.output=${join(project, 'release')}`,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, CI: 'true' },
        timeout: 180_000,
      },
    );
    unpacked = join(project, 'release', 'linux-unpacked');
  }, 240_000);

  it('holds the bundles and only the native modules, with no source maps', () => {
    const asar = require('@electron/asar') as { listPackage(path: string): string[] };
    const files = asar.listPackage(join(unpacked, 'resources', 'app.asar')).map((path) => path.replaceAll('\\', '/'));
    for (const file of [
      '/package.json',
      '/dist/main/main.cjs',
      '/dist/main/sync-worker.cjs',
      '/dist/preload/preload.cjs',
      '/dist/renderer/index.html',
    ])
      expect(files).toContain(file);
    const packages = new Set(
      files.filter((path) => path.startsWith('/node_modules/')).map((path) => path.split('/')[2]),
    );
    expect([...packages].sort()).toEqual(['better-sqlite3', 'keytar']);
    expect(files.filter((path) => path.endsWith('.map'))).toEqual([]);
    expect(files.some((path) => path.includes('/deps/') || path.includes('/src/'))).toBe(false);
  });

  it('unpacks the native modules from the archive and ships the icons beside it', () => {
    const resources = join(unpacked, 'resources');
    const unpackedModules = join(resources, 'app.asar.unpacked', 'node_modules');
    // better-sqlite3 13: its Node-API prebuild for this platform (Node and Electron load the same file).
    expect(
      existsSync(join(unpackedModules, 'better-sqlite3', 'prebuilds', `${process.platform}-${process.arch}.node`)),
    ).toBe(true);
    expect(existsSync(join(unpackedModules, 'keytar', 'build', 'Release', 'keytar.node'))).toBe(true);
    expect(existsSync(join(resources, 'icon.png'))).toBe(true);
    expect(existsSync(join(resources, 'tray', 'syncing-dark@2x.png'))).toBe(true);
    expect(existsSync(join(resources, 'tray', 'errorTemplate.png'))).toBe(true);
  });

  it('flips the fuses in the Electron binary', () => {
    const binary = readFileSync(join(unpacked, 's3-csv-sync'));
    const wire = binary.subarray(binary.indexOf(SENTINEL) + SENTINEL.length + 2).toString('latin1', 0, 8);
    // 0 runAsNode, 1 cookie encryption, 2 NODE_OPTIONS, 3 --inspect, 4 asar integrity (left as built), 5 only app.asar,
    // 6 v8 snapshot (left), 7 file:// privileges
    expect(wire).toBe('01001110');
  });

  it('starts from app.asar itself as an installed app and syncs in its worker, loading the native modules from app.asar.unpacked: no dev tools, icons from the resources folder', async () => {
    // The archive as Electron reads it (fixtures/asar-support.cjs plays Electron's asar support, in
    // the worker too), run from outside any folder with a node_modules: what it loads is in the package.
    const resources = join(unpacked, 'resources');
    const appRoot = join(resources, 'app.asar');
    const userData = mkdtempSync(join(tmpdir(), 's3sync-userdata-'));
    const server = await startLocalS3Server('acme-exports');
    try {
      await server.put(`${SAMPLE_PREFIX}orgs/organizations.csv`, 'org_id,org_name\no-1,Acme\no-2,Globex\n');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--require',
          join(import.meta.dirname, 'fixtures', 'asar-support.cjs'),
          join(import.meta.dirname, 'fixtures', 'run-built-main.cjs'),
          join(appRoot, 'dist', 'main', 'main.cjs'),
        ],
        {
          cwd: tmpdir(),
          env: {
            ...process.env,
            FAKE_APP_ROOT: appRoot,
            FAKE_USER_DATA: userData,
            FAKE_PACKAGED: '1',
            FAKE_RESOURCES_PATH: resources,
            FAKE_SYNC_CONFIG: JSON.stringify(sampleConfig(server)),
            AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET,
          },
          timeout: 90_000,
        },
      );
      const run = JSON.parse(stdout.trim().split('\n').at(-1)!);
      expect(run.errors).toEqual([]);
      // The sync worker (sync-worker.cjs inside app.asar) opened SQLite from app.asar.unpacked.
      expect(run.sync.runFinished.error ?? null).toBeNull();
      expect(run.sync.runFinished).toMatchObject({ status: 'succeeded' });
      expect(run.sync.organizations).toBe(2);
      expect(run.windowOptions.webPreferences).toMatchObject({
        devTools: false,
        sandbox: true,
        contextIsolation: true,
        preload: join(appRoot, 'dist', 'preload', 'preload.cjs'),
      });
      expect(run.overview.ok).toBe(true);
      expect(run.tray.icon).toBe(join(resources, 'tray', 'idle-light.png'));
      // The page itself, read from inside the archive (not the "not built" page).
      expect(run.page.status).toBe(200);
      expect(run.page.builtRenderer).toBe(true);
      expect(run.windowDestroyed).toBe(true);
    } finally {
      await server.close();
    }
  }, 150_000);
});
