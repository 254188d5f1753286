// The hardened main window: its options, denied navigation and window.open, external links on the
// allow-list, hide-on-close, and remembered bounds.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BrowserWindowConstructorOptions } from 'electron';
import { hardenWebContents, isAllowedExternalUrl, MainWindow, mainWindowOptions } from '../../electron/main/window';
import { DEFAULT_SIZE, placeWindow, WindowBoundsFile, type WindowBounds } from '../../electron/main/window-bounds';
import { electronEvent, FakeBrowserWindow, FakeWebContents } from './fakes';

const screenArea = { x: 0, y: 0, width: 1920, height: 1040 };

function setUp(
  options: { isDevelopment?: boolean; saved?: WindowBounds | null; displays?: (typeof screenArea)[] } = {},
) {
  const windows: FakeBrowserWindow[] = [];
  const opened: string[] = [];
  const saved: WindowBounds[] = [];
  const controller = new MainWindow({
    createWindow: (windowOptions: BrowserWindowConstructorOptions) => {
      const window = new FakeBrowserWindow(windowOptions);
      windows.push(window);
      return window.asBrowserWindow();
    },
    screen: {
      getAllDisplays: () => (options.displays ?? [screenArea]).map((workArea) => ({ workArea })),
      getPrimaryDisplay: () => ({ workArea: screenArea }),
    },
    boundsFile: { load: () => options.saved ?? null, save: (bounds) => saved.push(bounds) },
    url: 'app://s3-csv-sync/index.html',
    preloadPath: '/app/dist/preload/preload.cjs',
    isDevelopment: options.isDevelopment ?? false,
    openExternal: async (url) => {
      opened.push(url);
    },
    saveDelayMs: 50,
  });
  return { controller, windows, opened, saved };
}

describe('the main window options', () => {
  it('turn on every hardening flag and keep dev tools out of production', () => {
    const options = mainWindowOptions({
      preloadPath: '/p.cjs',
      isDevelopment: false,
      placement: { width: 1000, height: 700 },
    });
    expect(options.webPreferences).toEqual({
      preload: '/p.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: false,
    });
    expect(options.show).toBe(false);
    expect(
      mainWindowOptions({ preloadPath: '/p.cjs', isDevelopment: true, placement: { width: 1000, height: 700 } })
        .webPreferences?.devTools,
    ).toBe(true);
  });

  it('are what the controller creates the window with, loading the app page', () => {
    const { controller, windows } = setUp();
    controller.show();
    expect(windows).toHaveLength(1);
    expect(windows[0]!.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      devTools: false,
    });
    expect(windows[0]!.loadedUrl).toBe('app://s3-csv-sync/index.html');
  });
});

describe('navigation and new windows', () => {
  it('denies every navigation, and opens allow-listed https links in the browser instead', () => {
    const contents = new FakeWebContents();
    const opened: string[] = [];
    hardenWebContents(contents.asWebContents(), async (url) => {
      opened.push(url);
    });
    for (const url of [
      'https://evil.example/',
      'app://s3-csv-sync/other.html',
      'https://docs.vitally.io/pushing-data-to-vitally/s3',
    ]) {
      const event = electronEvent({ url });
      contents.emit('will-navigate', event);
      expect(event.defaultPrevented, url).toBe(true);
    }
    expect(opened).toEqual(['https://docs.vitally.io/pushing-data-to-vitally/s3']);
  });

  it('denies window.open; an allow-listed https link opens in the browser, nothing else does', () => {
    const contents = new FakeWebContents();
    const opened: string[] = [];
    hardenWebContents(contents.asWebContents(), async (url) => {
      opened.push(url);
    });
    const tried = [
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-keys.html',
      'http://docs.aws.amazon.com/insecure',
      'https://docs.aws.amazon.com.evil.example/',
      'https://user:pw@docs.aws.amazon.com/',
      'https://docs.aws.amazon.com:8443/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://server/share',
    ];
    for (const url of tried) expect(contents.windowOpenHandler!({ url }), url).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-keys.html']);
  });

  it('refuses to attach webviews', () => {
    const contents = new FakeWebContents();
    hardenWebContents(contents.asWebContents(), async () => {});
    const event = electronEvent();
    contents.emit('will-attach-webview', event, {}, { src: 'https://evil.example' });
    expect(event.defaultPrevented).toBe(true);
  });

  it('allow-lists exact host names over https only', () => {
    expect(isAllowedExternalUrl('https://docs.vitally.io/x')).toBe(true);
    expect(isAllowedExternalUrl('https://sub.docs.vitally.io/x')).toBe(false);
    expect(isAllowedExternalUrl('https://vitally.io/')).toBe(false);
    expect(isAllowedExternalUrl('not a url')).toBe(false);
  });

  it('hardens the window the controller creates', () => {
    const { controller, windows, opened } = setUp();
    controller.show();
    const contents = windows[0]!.webContents;
    const event = electronEvent({ url: 'https://evil.example/' });
    contents.emit('will-navigate', event);
    expect(event.defaultPrevented).toBe(true);
    expect(contents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(opened).toEqual([]);
  });
});

describe('showing, hiding and closing', () => {
  it('shows a new window when its page is ready, and focuses a hidden or minimised one', () => {
    const { controller, windows } = setUp();
    controller.show();
    const window = windows[0]!;
    expect(window.visible).toBe(false);
    window.becomeReady();
    expect(window.visible).toBe(true);
    window.hide();
    window.minimized = true;
    controller.show();
    expect(windows).toHaveLength(1);
    expect(window).toMatchObject({ visible: true, minimized: false, focused: true });
  });

  it('hides to the tray when closed, and really closes once the app quits', () => {
    const { controller, windows } = setUp();
    controller.show();
    const window = windows[0]!;
    window.becomeReady();
    expect(window.close()).toBe(false);
    expect(window.visible).toBe(false);
    expect(controller.webContents()).not.toBeNull();
    controller.allowClose();
    expect(window.close()).toBe(true);
    expect(controller.webContents()).toBeNull();
  });

  it('creates a new window if the old one was destroyed', () => {
    const { controller, windows } = setUp();
    controller.show();
    controller.allowClose();
    windows[0]!.close();
    controller.show();
    expect(windows).toHaveLength(2);
  });

  it('runs an action once the page has loaded', () => {
    const { controller, windows } = setUp();
    const seen: number[] = [];
    controller.whenLoaded((contents) => seen.push(contents.id));
    expect(seen).toEqual([]); // no window: nothing to do
    controller.show();
    const contents = windows[0]!.webContents;
    controller.whenLoaded((c) => seen.push(c.id));
    expect(seen).toEqual([]);
    contents.finishLoad();
    controller.whenLoaded((c) => seen.push(c.id));
    expect(seen).toEqual([contents.id, contents.id]);
  });
});

describe('remembered bounds', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('opens where it was when that is on a display', () => {
    const saved = { x: 200, y: 150, width: 1200, height: 800, maximized: false };
    const { controller, windows } = setUp({ saved });
    controller.show();
    expect(windows[0]!.options).toMatchObject({ x: 200, y: 150, width: 1200, height: 800 });
    expect(windows[0]!.maximized).toBe(false);
  });

  it('keeps the size but centres the window when its saved place is on no display', () => {
    const saved = { x: 3000, y: 200, width: 1200, height: 800, maximized: true };
    const { controller, windows } = setUp({ saved });
    controller.show();
    expect(windows[0]!.options).toMatchObject({ width: 1200, height: 800 });
    expect(windows[0]!.options.x).toBeUndefined();
    expect(windows[0]!.options.y).toBeUndefined();
    windows[0]!.becomeReady();
    expect(windows[0]!.maximized).toBe(true);
  });

  it('saves the bounds after a move or resize settles, and on close', () => {
    const { controller, windows, saved } = setUp();
    controller.show();
    const window = windows[0]!;
    window.bounds = { x: 10, y: 20, width: 900, height: 650 };
    window.emit('move');
    window.emit('resize');
    expect(saved).toEqual([]);
    vi.advanceTimersByTime(60);
    expect(saved).toEqual([{ x: 10, y: 20, width: 900, height: 650, maximized: false }]);
    window.maximized = true;
    window.close();
    expect(saved.at(-1)).toEqual({ x: 10, y: 20, width: 900, height: 650, maximized: true });
  });

  it('places by the title bar: partly off-screen is fine, unreachable is not', () => {
    const second = { x: 1920, y: 0, width: 1280, height: 1000 };
    const base = { width: 1000, height: 700, maximized: false };
    expect(placeWindow({ ...base, x: 1500, y: 100 }, [screenArea, second], screenArea)).toMatchObject({
      x: 1500,
      y: 100,
    });
    expect(placeWindow({ ...base, x: 2500, y: 100 }, [screenArea], screenArea).x).toBeUndefined();
    expect(placeWindow({ ...base, x: 100, y: -500 }, [screenArea], screenArea).x).toBeUndefined();
    expect(placeWindow({ ...base, x: 100, y: 1030 }, [screenArea], screenArea).x).toBeUndefined();
    expect(placeWindow(null, [screenArea], screenArea)).toEqual({ ...DEFAULT_SIZE, maximized: false });
    // A saved size larger than the display shrinks to fit it.
    expect(placeWindow({ ...base, width: 5000, height: 3000, x: 9000, y: 0 }, [screenArea], screenArea)).toEqual({
      width: 1920,
      height: 1040,
      maximized: false,
    });
  });
});

describe('the bounds file', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 's3sync-bounds-'));

  it('round-trips valid bounds', () => {
    const file = new WindowBoundsFile(join(dir(), 'window-state.json'));
    expect(file.load()).toBeNull();
    file.save({ x: -1200.4, y: 30, width: 1000, height: 700, maximized: true });
    expect(file.load()).toEqual({ x: -1200, y: 30, width: 1000, height: 700, maximized: true });
  });

  it('ignores a damaged or implausible file, and refuses to write implausible bounds', () => {
    const path = join(dir(), 'window-state.json');
    const logs: string[] = [];
    const file = new WindowBoundsFile(path, (message) => logs.push(message));
    for (const text of [
      '{not json',
      JSON.stringify({ x: 0, y: 0, width: 10, height: 10, maximized: false }),
      JSON.stringify({ x: 'a', y: 0, width: 900, height: 700, maximized: false }),
      JSON.stringify({ x: 0, y: 0, width: 900, height: 700, maximized: false, extra: 1 }),
    ]) {
      writeFileSync(path, text);
      expect(file.load(), text).toBeNull();
    }
    expect(logs).toHaveLength(4);
    writeFileSync(path, 'keep');
    file.save({ x: 0, y: 0, width: Number.NaN, height: 700, maximized: false });
    expect(readFileSync(path, 'utf8')).toBe('keep');
  });
});
