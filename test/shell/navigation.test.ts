// Navigation and new windows, every way Electron offers a page to leave the app: the top frame
// navigating (will-navigate), a frame inside the page navigating (will-frame-navigate), a server
// redirect during a load (will-redirect), a <webview> (will-attach-webview) and window.open or a
// target=_blank link (setWindowOpenHandler). window.test.ts has the allow-list cases.
import { describe, expect, it } from 'vitest';
import { hardenWebContents, MainWindow } from '../../electron/main/window';
import { electronEvent, FakeBrowserWindow, FakeWebContents } from './fakes';

const HOSTILE = [
  'https://evil.example/',
  'http://localhost:5173/',
  'file:///etc/passwd',
  'app://s3-csv-sync/index.html',
  'javascript:alert(1)',
  'data:text/html,<h1>x</h1>',
];
const ALLOWED_LINK = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html';

function hardened() {
  const contents = new FakeWebContents();
  const opened: string[] = [];
  hardenWebContents(contents.asWebContents(), async (url) => {
    opened.push(url);
  });
  return { contents, opened };
}

describe('a hardened webContents', () => {
  it('prevents every top-frame navigation, even to the app’s own page', () => {
    const { contents, opened } = hardened();
    for (const url of [...HOSTILE, ALLOWED_LINK]) {
      const event = electronEvent({ url, isMainFrame: true });
      contents.emit('will-navigate', event);
      expect(event.defaultPrevented, url).toBe(true);
    }
    expect(opened).toEqual([ALLOWED_LINK]);
  });

  it('prevents every navigation of a frame inside the page, and opens nothing for it', () => {
    const { contents, opened } = hardened();
    for (const url of [...HOSTILE, ALLOWED_LINK]) {
      const event = electronEvent({ url, isMainFrame: false, isSameDocument: false, frame: null });
      contents.emit('will-frame-navigate', event);
      expect(event.defaultPrevented, url).toBe(true);
    }
    expect(opened).toEqual([]);
  });

  it('leaves the top frame’s will-frame-navigate to will-navigate (which prevents it), so an allow-listed link opens once', () => {
    const { contents, opened } = hardened();
    const frameEvent = electronEvent({ url: ALLOWED_LINK, isMainFrame: true, isSameDocument: false, frame: null });
    contents.emit('will-frame-navigate', frameEvent);
    const navigateEvent = electronEvent({ url: ALLOWED_LINK, isMainFrame: true });
    contents.emit('will-navigate', navigateEvent);
    expect(navigateEvent.defaultPrevented).toBe(true);
    expect(opened).toEqual([ALLOWED_LINK]);
  });

  it('prevents every server redirect (the app’s own pages never redirect), and opens nothing for it', () => {
    const { contents, opened } = hardened();
    for (const url of [...HOSTILE, ALLOWED_LINK]) {
      const event = electronEvent({ url, isMainFrame: true, isSameDocument: false, frame: null });
      contents.emit('will-redirect', event);
      expect(event.defaultPrevented, url).toBe(true);
    }
    expect(opened).toEqual([]);
  });

  it('refuses every webview and denies every new window', () => {
    const { contents, opened } = hardened();
    for (const src of [...HOSTILE, ALLOWED_LINK]) {
      const event = electronEvent();
      contents.emit('will-attach-webview', event, { nodeIntegration: true }, { src });
      expect(event.defaultPrevented, src).toBe(true);
      expect(contents.windowOpenHandler!({ url: src }), src).toEqual({ action: 'deny' });
    }
    // window.open of an allow-listed link opens it in the browser, never in a window of the app.
    expect(opened).toEqual([ALLOWED_LINK]);
  });
});

describe('the main window', () => {
  it('is created with every one of these handlers in place before its page loads', () => {
    let window: FakeBrowserWindow | undefined;
    let handlersAtLoad: Record<string, number> = {};
    const controller = new MainWindow({
      createWindow: (options) => {
        window = new FakeBrowserWindow(options);
        const load = window.loadURL.bind(window);
        window.loadURL = async (url: string) => {
          const contents = window!.webContents;
          handlersAtLoad = Object.fromEntries(
            ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview'].map((name) => [
              name,
              contents.listenerCount(name),
            ]),
          );
          handlersAtLoad.windowOpenHandler = contents.windowOpenHandler ? 1 : 0;
          return load(url);
        };
        return window.asBrowserWindow();
      },
      screen: {
        getAllDisplays: () => [],
        getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }),
      },
      boundsFile: { load: () => null, save: () => {} },
      url: 'app://s3-csv-sync/index.html',
      preloadPath: '/app/dist/preload/preload.cjs',
      isDevelopment: false,
      openExternal: async () => {},
    });
    controller.show();
    expect(window?.loadedUrl).toBe('app://s3-csv-sync/index.html');
    expect(handlersAtLoad).toEqual({
      'will-navigate': 1,
      'will-frame-navigate': 1,
      'will-redirect': 1,
      'will-attach-webview': 1,
      windowOpenHandler: 1,
    });
  });
});
