// Single instance, staying in the tray, wake-up checks and quitting during a sync.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { App, PowerMonitor } from 'electron';
import {
  checkScheduleOnWake,
  claimSingleInstance,
  keepRunningInTray,
  quitAfterStopping,
} from '../../electron/main/lifecycle';
import { MainWindow } from '../../electron/main/window';
import { electronEvent, FakeBrowserWindow } from './fakes';

/** An app whose quit() emits before-quit like Electron's, and quits unless that was prevented. */
class FakeApp extends EventEmitter {
  quitRequests = 0;
  quit = false;
  constructor(private readonly hasLock = true) {
    super();
  }
  requestSingleInstanceLock() {
    return this.hasLock;
  }
  requestQuit() {
    this.quitRequests++;
    const event = electronEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.quit = true;
  }
}

function fakeApp(hasLock = true) {
  const app = new FakeApp(hasLock);
  // quit() is what the module calls to quit for real.
  const electronApp = {
    on: app.on.bind(app),
    requestSingleInstanceLock: () => app.requestSingleInstanceLock(),
    quit: () => app.requestQuit(),
  } as unknown as App;
  return { app, electronApp };
}

function windowController() {
  const windows: FakeBrowserWindow[] = [];
  const controller = new MainWindow({
    createWindow: (options) => {
      const window = new FakeBrowserWindow(options);
      windows.push(window);
      return window.asBrowserWindow();
    },
    screen: {
      getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
      getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
    },
    boundsFile: { load: () => null, save: () => {} },
    url: 'app://s3-csv-sync/index.html',
    preloadPath: '/p.cjs',
    isDevelopment: false,
    openExternal: async () => {},
  });
  return { controller, windows };
}

describe('single instance', () => {
  it('a second start focuses the running window (restoring it from the tray)', () => {
    const { app, electronApp } = fakeApp();
    const { controller, windows } = windowController();
    expect(claimSingleInstance(electronApp, () => controller.show())).toBe(true);
    controller.show();
    const window = windows[0]!;
    window.becomeReady();
    window.close(); // hidden to the tray
    expect(window.visible).toBe(false);
    app.emit('second-instance', electronEvent(), ['s3-csv-sync'], '/home/user', {});
    expect(window).toMatchObject({ visible: true, focused: true });
    expect(windows).toHaveLength(1);
  });

  it('the second instance is told to quit', () => {
    const { app, electronApp } = fakeApp(false);
    const focused: string[] = [];
    expect(claimSingleInstance(electronApp, () => focused.push('focus'))).toBe(false);
    app.emit('second-instance');
    expect(focused).toEqual([]);
  });

  it('the Dock icon (macOS activate) shows the window too', () => {
    const { app, electronApp } = fakeApp();
    const focused: string[] = [];
    claimSingleInstance(electronApp, () => focused.push('focus'));
    app.emit('activate');
    expect(focused).toEqual(['focus']);
  });
});

describe('staying alive', () => {
  it('keeps running when every window is closed', () => {
    const { app, electronApp } = fakeApp();
    keepRunningInTray(electronApp);
    expect(app.listenerCount('window-all-closed')).toBe(1);
  });

  it('checks the schedule on wake from sleep', () => {
    const powerMonitor = new EventEmitter();
    const checks: string[] = [];
    checkScheduleOnWake(powerMonitor as unknown as PowerMonitor, { checkNow: () => checks.push('check') });
    powerMonitor.emit('suspend');
    expect(checks).toEqual([]);
    powerMonitor.emit('resume');
    expect(checks).toEqual(['check']);
  });
});

describe('quitting during a sync', () => {
  afterEach(() => vi.useRealTimers());

  /** A back end whose stop() finishes when the test says the sync has rolled back. */
  function backEnd() {
    const events: string[] = [];
    let finish!: () => void;
    const stop = () => {
      events.push('stop requested: running sync aborted');
      return new Promise<void>((resolve) => {
        finish = () => {
          events.push('sync stopped: current file rolled back');
          resolve();
        };
      });
    };
    return { events, stop, finish: () => finish() };
  }

  it('waits for the sync to stop before the app quits, and quits then', async () => {
    const { app, electronApp } = fakeApp();
    const { events, stop, finish } = backEnd();
    const { controller, windows } = windowController();
    controller.show();
    quitAfterStopping(electronApp, { stop, onQuitting: () => controller.allowClose() });

    app.requestQuit();
    expect(app.quit).toBe(false);
    expect(events).toEqual(['stop requested: running sync aborted']);
    // Quit pressed again while waiting: still waiting, stop not asked twice.
    app.requestQuit();
    await Promise.resolve();
    expect(app.quit).toBe(false);
    expect(events).toHaveLength(1);

    finish();
    await vi.waitFor(() => expect(app.quit).toBe(true));
    expect(events).toEqual(['stop requested: running sync aborted', 'sync stopped: current file rolled back']);
    expect(app.quitRequests).toBe(3);
    // The window now closes instead of hiding to the tray.
    expect(windows[0]!.close()).toBe(true);
  });

  it('quits anyway when stopping fails, or takes longer than the time limit', async () => {
    const failing = fakeApp();
    const logs: string[] = [];
    quitAfterStopping(failing.electronApp, {
      stop: async () => Promise.reject(new Error('database is locked')),
      onQuitting: () => {},
      log: (message) => logs.push(message),
    });
    failing.app.requestQuit();
    await vi.waitFor(() => expect(failing.app.quit).toBe(true));
    expect(logs).toEqual(['Stopping the sync service failed:']);

    vi.useFakeTimers();
    const hanging = fakeApp();
    quitAfterStopping(hanging.electronApp, {
      stop: () => new Promise(() => {}),
      onQuitting: () => {},
      timeoutMs: 5000,
      log: (message) => logs.push(message),
    });
    hanging.app.requestQuit();
    await vi.advanceTimersByTimeAsync(4999);
    expect(hanging.app.quit).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(hanging.app.quit).toBe(true);
    expect(logs.at(-1)).toMatch(/did not stop within 5 s; quitting anyway/);
  });
});
