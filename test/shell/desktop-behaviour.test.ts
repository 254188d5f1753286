// What real desktops do that a kind fake would hide (issue 18): a GNOME without a tray, maximize()
// showing a window before its page is ready, Wayland keeping window positions to itself, and
// Windows ending the session without a before-quit.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { App } from 'electron';
import type { TrayPresence } from '../../electron/main/desktop-session';
import { closeAction, quitAfterStopping } from '../../electron/main/lifecycle';
import { MainWindow, type MainWindowDeps } from '../../electron/main/window';
import type { WindowBounds } from '../../electron/main/window-bounds';
import { electronEvent, FakeBrowserWindow } from './fakes';

const screenArea = { x: 0, y: 0, width: 1920, height: 1040 };

function setUp(overrides: Partial<MainWindowDeps> & { saved?: WindowBounds | null } = {}) {
  const windows: FakeBrowserWindow[] = [];
  const saved: WindowBounds[] = [];
  const controller = new MainWindow({
    createWindow: (options) => {
      const window = new FakeBrowserWindow(options);
      windows.push(window);
      return window.asBrowserWindow();
    },
    screen: { getAllDisplays: () => [{ workArea: screenArea }], getPrimaryDisplay: () => ({ workArea: screenArea }) },
    boundsFile: { load: () => overrides.saved ?? null, save: (bounds) => saved.push(bounds) },
    url: 'app://s3-csv-sync/index.html',
    preloadPath: '/p.cjs',
    isDevelopment: false,
    openExternal: async () => {},
    ...overrides,
  });
  return { controller, windows, saved };
}

describe('a window last closed maximized', () => {
  it('stays hidden until its page is ready, then opens maximized (no blank white window)', () => {
    const { controller, windows } = setUp({ saved: { x: 10, y: 10, width: 1000, height: 700, maximized: true } });
    controller.show();
    const window = windows[0]!;
    expect(window.visible).toBe(false);
    window.becomeReady();
    expect(window).toMatchObject({ visible: true, maximized: true, shownBeforeReady: false });
  });
});

describe('closing the window', () => {
  function closing(presence: TrayPresence, canTell = true) {
    const quits: string[] = [];
    const told: string[] = [];
    const { controller, windows } = setUp({
      onClose: closeAction(
        () => presence,
        () => {
          if (canTell) told.push('still running');
          return canTell;
        },
      ),
      quit: () => quits.push('quit'),
    });
    controller.show();
    windows[0]!.becomeReady();
    return { window: windows[0]!, controller, quits, told };
  }

  it('hides it to the tray where a tray icon shows', () => {
    const { window, quits, told } = closing('shown');
    expect(window.close()).toBe(false);
    expect(window.visible).toBe(false);
    expect(quits).toEqual([]);
    expect(told).toEqual([]);
  });

  it('quits the app where no tray icon can show (GNOME without AppIndicator): it would be unreachable', () => {
    const { window, quits } = closing('absent');
    window.close();
    expect(window.visible).toBe(false);
    expect(quits).toEqual(['quit']);
  });

  it('says once where the app went when the tray cannot be told apart, and quits if it cannot even say that', () => {
    const unknown = closing('unknown');
    unknown.window.close();
    unknown.controller.show();
    unknown.window.close();
    expect(unknown.told).toEqual(['still running']);
    expect(unknown.quits).toEqual([]);
    const mute = closing('unknown', false);
    mute.window.close();
    expect(mute.quits).toEqual(['quit']);
  });
});

describe('Wayland', () => {
  it('opens at the saved size without a position (the compositor places it), and stores no position', () => {
    const { controller, windows, saved } = setUp({
      wayland: true,
      saved: { x: 300, y: 200, width: 1000, height: 700, maximized: false },
    });
    controller.show();
    const window = windows[0]!;
    expect(window.options).toMatchObject({ width: 1000, height: 700 });
    expect(window.options.x).toBeUndefined();
    expect(window.options.y).toBeUndefined();
    controller.allowClose();
    window.close();
    expect(saved).toEqual([{ width: 1000, height: 700, maximized: false }]);
  });

  it('leaves X11 and other systems as they were: the saved position is used and stored', () => {
    const { controller, windows, saved } = setUp({
      saved: { x: 300, y: 200, width: 1000, height: 700, maximized: false },
    });
    controller.show();
    expect(windows[0]!.options).toMatchObject({ x: 300, y: 200 });
    controller.allowClose();
    windows[0]!.close();
    expect(saved[0]).toMatchObject({ x: 300, y: 200 });
  });
});

describe('Windows shutting down or logging off', () => {
  it('stops the sync cleanly on query-session-end and session-end, once, as a quit would', async () => {
    const app = new EventEmitter();
    const events: string[] = [];
    let finish!: () => void;
    const stopThenQuit = quitAfterStopping(Object.assign(app, { quit: () => events.push('quit') }) as unknown as App, {
      onQuitting: () => events.push('closing allowed'),
      stop: () => {
        events.push('sync aborted');
        return new Promise<void>((resolve) => (finish = resolve));
      },
    });
    const { controller, windows } = setUp({ onSessionEnd: stopThenQuit });
    controller.show();
    const window = windows[0]!;
    const query = electronEvent({ reasons: ['shutdown'] });
    window.emit('query-session-end', query);
    window.emit('session-end', electronEvent({ reasons: ['shutdown'] }));
    // Windows' own choice stands: the shutdown is not held up.
    expect(query.defaultPrevented).toBe(false);
    expect(events).toEqual(['closing allowed', 'sync aborted']);
    finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['closing allowed', 'sync aborted', 'quit']);
  });
});
