// The built shell: scripts/build-shell.ts bundles the main process and the preload; the preload needs
// nothing but 'electron' (it runs sandboxed), and the built main process, run under Node with a fake
// 'electron', wires the real back end to a hardened window, IPC, the tray and the quit sequence.
import { execFile } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_METHODS } from '../../electron/shared/contract';
import { startLocalS3Server, LOCAL_S3_SECRET } from '../../scripts/local-s3-server';
import { SAMPLE_PREFIX, sampleConfig } from '../../scripts/sample-config';
import { buildShell, type BuiltShell } from '../../scripts/build-shell';

const ROOT = join(import.meta.dirname, '..', '..');
let appRoot: string;
let built: BuiltShell;

beforeAll(async () => {
  appRoot = mkdtempSync(join(tmpdir(), 's3sync-shell-'));
  symlinkSync(join(ROOT, 'node_modules'), join(appRoot, 'node_modules'));
  symlinkSync(join(ROOT, 'resources'), join(appRoot, 'resources'));
  built = await buildShell({ root: ROOT, outDir: join(appRoot, 'dist') });
}, 120_000);

describe('the preload bundle', () => {
  it('requires nothing but electron, so it runs in the sandbox', () => {
    const code = readFileSync(built.preload, 'utf8');
    const required = [...code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((match) => match[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
  });

  it('exposes window.s3sync with the named methods and on(), over ipcRenderer', () => {
    const exposed: Record<string, Record<string, unknown>> = {};
    const invoked: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => (exposed[key] = api) },
      ipcRenderer: { invoke: async (...args: unknown[]) => invoked.push(args), on: () => {}, removeListener: () => {} },
    };
    const sandboxRequire = (name: string) => {
      if (name !== 'electron') throw new Error(`module not found: ${name}`);
      return electron;
    };
    const module = { exports: {} };
    runInNewContext(readFileSync(built.preload, 'utf8'), {
      require: sandboxRequire,
      module,
      exports: module.exports,
      queueMicrotask,
    });
    expect(Object.keys(exposed)).toEqual(['s3sync']);
    expect(Object.keys(exposed.s3sync!).sort()).toEqual([...API_METHODS, 'on'].sort());
    void (exposed.s3sync!.listRuns as (args: unknown) => Promise<unknown>)({ limit: 5 }).catch(() => {});
    expect(invoked).toEqual([['api:listRuns', { limit: 5 }]]);
  });
});

/** Runs the built main process under Node with the fake electron; returns what the fixture reports. */
async function runBuiltMain(env: Record<string, string> = {}) {
  const userData = mkdtempSync(join(tmpdir(), 's3sync-userdata-'));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(import.meta.dirname, 'fixtures', 'run-built-main.cjs'), built.main],
    {
      env: { ...process.env, FAKE_APP_ROOT: appRoot, FAKE_USER_DATA: userData, ...env },
      timeout: 60_000,
    },
  );
  return { run: JSON.parse(stdout.trim().split('\n').at(-1)!), userData };
}

describe('the main bundle, run with a fake electron', () => {
  it('starts the back end, a hardened window, IPC and the tray, and quits after stopping the sync service', async () => {
    const { run, userData } = await runBuiltMain();

    expect(run.errors).toEqual([]);
    expect(run.windowOptions.webPreferences).toMatchObject({
      preload: join(appRoot, 'dist', 'preload', 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      devTools: true, // not packaged: development
    });
    expect(run.url).toBe('app://s3-csv-sync/index.html');
    expect(run.channels.sort()).toEqual(API_METHODS.map((method) => `api:${method}`).sort());

    // The real API object answered through the IPC wrapper, from the app's own page only.
    expect(run.overview.ok).toBe(true);
    expect(run.overview.value).toMatchObject({
      config: null,
      databasePath: join(userData, 's3-csv-sync.sqlite'),
      canOpenDatabaseFolder: true,
    });
    expect(run.refused).toEqual({
      ok: false,
      message: 'Request refused: it came from a page that is not part of S3 CSV Sync.',
    });
    expect(run.invalid.ok).toBe(false);
    expect(run.invalid.message).toMatch(/^Invalid argument for listRuns: limit/);
    expect(run.folder).toEqual({ ok: true, value: { opened: true, path: join(userData, 's3-csv-sync.sqlite') } });
    expect(run.shownInFolder).toEqual([join(userData, 's3-csv-sync.sqlite')]);

    expect(run.privilegedSchemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
    ]);
    expect(run.page.csp).toContain("default-src 'self'");
    expect(run.permission).toBe(false);
    expect(run.clipboard).toBe(true);
    expect(run.shownBeforeReady).toBe(false);
    expect(run.permissionCheck).toBe(false);

    // The built window denies navigation, frame navigation, redirects, webviews and new windows,
    // and its IPC refuses every method to a frame inside the page.
    expect(run.hardening).toMatchObject({
      willNavigate: true,
      willFrameNavigate: true,
      willRedirect: true,
      willAttachWebview: true,
      windowOpen: { action: 'deny' },
    });
    expect(run.hardening.fromSubframe).toEqual(
      API_METHODS.map(() => ({ ok: false, message: 'Request refused: it came from an embedded frame.' })),
    );
    expect(run.closedToTray).toBe(true);
    expect(run.tray.icon).toBe(join(appRoot, 'resources', 'tray', 'idle-light.png'));
    expect(run.tray.tooltip).toBe('S3 CSV Sync\nNo sync yet\nScheduled syncs off');
    expect(run.tray.menu).toEqual(['Sync now', 'Pause schedule', 'separator', 'Open S3 CSV Sync', 'separator', 'Quit']);
    // Quit: the service stopped, the tray went away, the window really closed.
    expect(run.tray.destroyed).toBe(true);
    expect(run.windowDestroyed).toBe(true);
  }, 90_000);

  it('syncs through the bundled worker, relaying progress and the finished run to the window and the tray', async () => {
    const server = await startLocalS3Server('acme-exports');
    try {
      await server.put(
        `${SAMPLE_PREFIX}orgs/organizations.csv`,
        readFileSync(join(ROOT, 'resources', 'demo', 'organizations.csv')),
      );
      const config = sampleConfig(server);
      const { run } = await runBuiltMain({
        FAKE_SYNC_CONFIG: JSON.stringify(config),
        AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET,
      });
      expect(run.errors).toEqual([]);
      expect(run.sync.imported).toBe(true);
      expect(run.sync.runFinished).toMatchObject({ status: 'succeeded', trigger: 'settings-changed' });
      expect(run.sync.runFinished).not.toHaveProperty('error');
      expect(run.sync.organizations).toBeGreaterThan(0);
      expect(run.sync.runFinished.counts.rows).toBeGreaterThanOrEqual(run.sync.organizations);
      expect(run.sync.progressEvents).toBeGreaterThan(0);
      expect(run.sync.schedulerStates).toContain(true);
      expect(run.sync.schedulerStates.at(-1)).toBe(false);
      expect(run.sync.tooltip).toMatch(/^S3 CSV Sync\nLast sync succeeded /);
      // No sync notification; the one the closed window gave (this desktop's tray cannot be told: no
      // StatusNotifierWatcher on the test's session bus, not GNOME) says where the app went.
      expect(run.sync.notifications).toEqual(['S3 CSV Sync is still running']);
    } finally {
      await server.close();
    }
  }, 90_000);

  it('quits during a sync only after the worker has stopped: the file being imported is rolled back, the run marked interrupted', async () => {
    const server = await startLocalS3Server('acme-exports');
    try {
      // Big enough that the import is still running when Quit comes.
      const rows = Array.from({ length: 400_000 }, (_, i) => `org-${i},Organization number ${i},${i % 7}`);
      await server.put(`${SAMPLE_PREFIX}orgs/big.csv`, `org_id,org_name,tier\n${rows.join('\n')}\n`);
      const { run, userData } = await runBuiltMain({
        FAKE_SYNC_CONFIG: JSON.stringify(sampleConfig(server)),
        FAKE_QUIT_DURING_SYNC: '1',
        AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET,
      });
      expect(run.quitDuringSync.runFinished).toEqual([expect.objectContaining({ status: 'interrupted' })]);
      expect(run.quitDuringSync.windowDestroyed).toBe(true);
      expect(run.quitDuringSync.trayDestroyed).toBe(true);
      const db = new Database(join(userData, 's3-csv-sync.sqlite'), { readonly: true });
      try {
        expect(db.prepare('SELECT status FROM sync_runs').all()).toEqual([{ status: 'interrupted' }]);
        expect(db.prepare('SELECT count(*) AS n FROM organizations').get()).toEqual({ n: 0 });
      } finally {
        db.close();
      }
    } finally {
      await server.close();
    }
  }, 120_000);

  it('says why in a dialog and exits when the back end cannot start', async () => {
    const notAFolder = join(mkdtempSync(join(tmpdir(), 's3sync-userdata-')), 'file');
    writeFileSync(notAFolder, 'not a folder');
    const { run } = await runBuiltMain({ FAKE_USER_DATA: notAFolder });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(/^S3 CSV Sync could not start: .*(EEXIST|ENOTDIR)/)]);
  });
});
