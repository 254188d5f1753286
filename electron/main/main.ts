// The Electron main process: wires the plain-Node back end (SyncService, the API object) to the
// shell's small modules. Each module takes the Electron objects it uses as parameters and is unit
// tested with fakes; this file only connects them. Built by scripts/build-shell.ts into dist/main/main.cjs.
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  nativeTheme,
  Notification,
  powerMonitor,
  protocol,
  screen,
  session,
  shell,
  Tray,
} from 'electron';
import { createAppApi } from '../core/service/app-api';
import { KeytarSecretStore } from '../core/config/secret-store';
import { SyncService } from '../core/service/sync-service';
import { APP_ID } from './app-id';
import { saveDialogDestination } from './export-dialog';
import { APP_INDEX_URL, createRendererHandler, isAppUrl, registerAppScheme, APP_SCHEME } from './app-protocol';
import { forwardApiEvents, pushEvent, registerApiHandlers } from './ipc';
import { detectTrayPresence, isWaylandSession, type TrayPresence } from './desktop-session';
import {
  checkScheduleOnWake,
  claimSingleInstance,
  closeAction,
  keepRunningInTray,
  quitAfterStopping,
} from './lifecycle';
import { NotificationService } from './notifications';
import { restrictPermissions } from './permissions';
import { applySystemProxy } from './system-proxy';
import { lastRunFromReport, lastRunFromSummary, TrayService } from './tray';
import { MainWindow } from './window';
import { WindowBoundsFile } from './window-bounds';

const isDevelopment = !app.isPackaged;
/** In development only, the renderer may come from Vite's dev server (loopback http only). */
const devServerOrigin = devServer(process.env.S3SYNC_RENDERER_URL);

// Before ready: app:// must be known as a secure, standard scheme.
registerAppScheme(protocol);

let mainWindow: MainWindow | null = null;

if (!claimSingleInstance(app, () => mainWindow?.show())) {
  // Another instance is running and has been asked to show its window.
  app.quit();
} else {
  keepRunningInTray(app);
  app.whenReady().then(start).catch(fail);
}

async function start(): Promise<void> {
  const appRoot = app.getAppPath();
  // Installed: icons are extraResources beside app.asar; from a checkout: resources/.
  const resourcesDir = app.isPackaged ? process.resourcesPath : join(appRoot, 'resources');
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

  protocol.handle(APP_SCHEME, createRendererHandler(join(appRoot, 'dist', 'renderer')));

  // Before the back end starts: its workers take a copy of the environment.
  console.log(await applySystemProxy((url) => session.defaultSession.resolveProxy(url), process.env));
  const secretStore = new KeytarSecretStore();
  const service = new SyncService({ dataDir: app.getPath('userData'), secretStore });
  const api = createAppApi({
    service,
    secretStore,
    openFolder: async (path) => shell.showItemInFolder(path),
    chooseExportDestination: saveDialogDestination(
      (options) => {
        const contents = mainWindow?.webContents();
        const owner = contents ? BrowserWindow.fromWebContents(contents) : null;
        return owner ? dialog.showSaveDialog(owner, options) : dialog.showSaveDialog(options);
      },
      () => app.getPath('downloads'),
    ),
  });

  // Probed once at start (in the background): whether closing the window can hide it to a tray icon the user sees.
  let trayPresence: TrayPresence = 'unknown';
  void detectTrayPresence(process.platform, process.env).then((found) => {
    trayPresence = found;
  });
  let notifications: NotificationService | null = null;
  let stopThenQuit = () => app.quit();

  const window = new MainWindow({
    createWindow: (options) => new BrowserWindow(options),
    screen,
    boundsFile: new WindowBoundsFile(join(app.getPath('userData'), 'window-state.json')),
    url: devServerOrigin ?? APP_INDEX_URL,
    preloadPath: join(appRoot, 'dist', 'preload', 'preload.cjs'),
    isDevelopment,
    openExternal: (url) => shell.openExternal(url),
    icon: process.platform === 'linux' ? join(resourcesDir, 'icon.png') : undefined,
    wayland: isWaylandSession(process.platform, process.env, app.commandLine.getSwitchValue('ozone-platform')),
    onClose: closeAction(
      () => trayPresence,
      () => notifications?.tellRunningInBackground() ?? false,
    ),
    quit: () => app.quit(),
    onSessionEnd: () => stopThenQuit(),
  });
  mainWindow = window;
  // Only "Copy path"'s clipboard write, and only from this window's own page.
  restrictPermissions(session.defaultSession, {
    windowContentsId: () => window.webContents()?.id ?? null,
    isAppUrl: (url) => isAppUrl(url, devServerOrigin),
  });

  registerApiHandlers(ipcMain, api, {
    windowContentsId: () => window.webContents()?.id ?? null,
    isAppUrl: (url) => isAppUrl(url, devServerOrigin),
  });
  forwardApiEvents(api, () => window.webContents());

  const lastRun = lastRunFromSummary((await api.listRuns({ limit: 1 }))[0]);
  const tray = new TrayService(
    {
      createTray: (image) => new Tray(image),
      buildMenu: (template) => Menu.buildFromTemplate(template),
      loadImage: (path) => nativeImage.createFromPath(path),
      theme: nativeTheme,
      iconDir: join(resourcesDir, 'tray'),
      platform: process.platform,
      actions: {
        syncNow: () => api.syncNow(),
        pauseSchedule: () => api.pauseSchedule(),
        resumeSchedule: () => api.resumeSchedule(),
        openWindow: () => window.show(),
        quit: () => app.quit(),
      },
    },
    service.scheduler.getState(),
  );
  tray.setLastRun(lastRun);
  tray.start();

  notifications = new NotificationService(
    {
      createNotification: (options) => new Notification(options),
      isSupported: () => Notification.isSupported(),
      isEnabled: () => service.settings.getConfig()?.alerts?.desktop !== false,
      openRunLog: (runId) => {
        window.show();
        window.whenLoaded((contents) => pushEvent(contents, 'navigate', { screen: 'log', runId }));
      },
      icon: join(resourcesDir, 'icon.png'),
      platform: process.platform,
      // macOS shows notifications only from a signed app: the tray's icon and tooltip carry the news then.
      onUndeliverable: (error) =>
        console.warn(`Notifications cannot be shown (${error}); the tray icon shows each sync's state instead.`),
    },
    lastRun,
  );
  const shownNotifications = notifications;

  api.on('schedulerChanged', (state) => tray.setSchedulerState(state));
  api.on('runFinished', (report) => {
    tray.setLastRun(lastRunFromReport(report));
    shownNotifications.onRunFinished(report);
  });
  checkScheduleOnWake(powerMonitor, service.scheduler);
  stopThenQuit = quitAfterStopping(app, {
    onQuitting: () => window.allowClose(),
    stop: async () => {
      await service.stop();
      api.close();
      tray.destroy();
    },
  });

  service.start();
  window.show();
}

function devServer(url: string | undefined): string | null {
  if (!url || app.isPackaged) return null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname))
      return parsed.origin;
  } catch {
    // ignored below
  }
  console.warn(`Ignoring S3SYNC_RENDERER_URL=${url}: only a loopback http address is allowed.`);
  return null;
}

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error('S3 CSV Sync could not start:', error);
  dialog.showErrorBox('S3 CSV Sync could not start', message);
  app.exit(1);
}
