// The main window, hardened after Bitwarden's window.main.ts and Electron's security checklist:
// isolated, sandboxed, no Node in the page, web security on, no insecure content, dev tools only in
// development; it may not navigate, open windows or attach webviews; links to a few known https
// sites open in the user's browser. Closing it hides it to the tray; it remembers where it was.
import type { BrowserWindow, BrowserWindowConstructorOptions, Display, HandlerDetails, WebContents } from 'electron';
import { MIN_SIZE, placeWindow, type WindowBoundsFile } from './window-bounds';

/** The only sites a link in the app may open, in the user's browser. */
export const EXTERNAL_LINK_HOSTS: readonly string[] = [
  'docs.vitally.io',
  'docs.aws.amazon.com',
  'aws.amazon.com',
  'console.aws.amazon.com',
];

/** https, a host on the allow-list, the default port, no credentials in the URL. */
export function isAllowedExternalUrl(url: string, hosts: readonly string[] = EXTERNAL_LINK_HOSTS): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'https:' &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === '' &&
    hosts.includes(parsed.hostname)
  );
}

export interface WindowOptionsInput {
  preloadPath: string;
  isDevelopment: boolean;
  placement: { x?: number; y?: number; width: number; height: number };
  icon?: string;
}

export function mainWindowOptions({
  preloadPath,
  isDevelopment,
  placement,
  icon,
}: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    ...placement,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: 'S3 CSV Sync',
    show: false,
    backgroundColor: '#ffffff',
    ...(icon ? { icon } : {}),
    webPreferences: {
      preload: preloadPath,
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
      devTools: isDevelopment,
    },
  };
}

/**
 * Denies navigation (of the page and of any frame in it), server redirects, new windows and webviews
 * on any webContents; allow-listed https links go to the browser.
 */
export function hardenWebContents(
  contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  openExternal: (url: string) => Promise<void>,
): void {
  const openIfAllowed = (url: string) => {
    if (!isAllowedExternalUrl(url)) return;
    openExternal(url).catch((error: unknown) => console.warn(`Could not open ${url} in the browser:`, error));
  };
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    openIfAllowed(event.url);
  });
  // will-navigate covers the top frame only; a frame inside the page may not navigate either. (The
  // top frame's own navigation is left to will-navigate, which opens allow-listed links.)
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) event.preventDefault();
  });
  // The app's own pages never redirect: a redirect can only lead somewhere else.
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }: HandlerDetails) => {
    openIfAllowed(url);
    return { action: 'deny' };
  });
}

export interface MainWindowDeps {
  createWindow: (options: BrowserWindowConstructorOptions) => BrowserWindow;
  screen: { getAllDisplays(): Pick<Display, 'workArea'>[]; getPrimaryDisplay(): Pick<Display, 'workArea'> };
  boundsFile: Pick<WindowBoundsFile, 'load' | 'save'>;
  /** The page to load: app://s3-csv-sync/index.html, or the dev server in development. */
  url: string;
  preloadPath: string;
  isDevelopment: boolean;
  openExternal: (url: string) => Promise<void>;
  icon?: string;
  /** Delay before a moved or resized window's bounds are written (they are written on close too). */
  saveDelayMs?: number;
  /**
   * What closing the window does: hide it to the tray (the default), or quit the app, where no tray
   * icon would bring it back (see close-policy.ts). Asked on every close, as the tray may come and go.
   */
  onClose?: () => 'hide' | 'quit';
  /** app.quit(), for onClose's 'quit'. */
  quit?: () => void;
  /**
   * Windows shuts down or logs off (the window's query-session-end and session-end): Electron emits
   * no before-quit then, so this must stop the sync cleanly itself.
   */
  onSessionEnd?: () => void;
  /** Wayland: the compositor places windows, so a saved position is neither applied nor stored. */
  wayland?: boolean;
}

/** Owns the one main window: creates it on demand, hides it on close, remembers its bounds. */
export class MainWindow {
  private window: BrowserWindow | null = null;
  private quitting = false;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly deps: MainWindowDeps) {}

  /** Shows the window (creating it if needed), restored and focused: for the tray, notifications and a second instance. */
  show(): void {
    const window = this.window;
    // A new window shows itself once its page is ready (no blank flash).
    if (window === null) {
      this.create();
      return;
    }
    if (window.isMinimized()) window.restore();
    if (!window.isVisible()) window.show();
    window.focus();
  }

  /** The window's webContents, while there is a window. */
  webContents(): WebContents | null {
    return this.window && !this.window.isDestroyed() ? this.window.webContents : null;
  }

  /** From now on, closing the window closes it (the app is quitting) instead of hiding it to the tray. */
  allowClose(): void {
    this.quitting = true;
  }

  /** Runs once the page has loaded (at once if it already has), so a message sent then finds the page's listeners. */
  whenLoaded(action: (contents: WebContents) => void): void {
    const contents = this.webContents();
    if (!contents) return;
    if (contents.isLoading()) contents.once('did-finish-load', () => action(contents));
    else action(contents);
  }

  private create(): BrowserWindow {
    const { deps } = this;
    const placement = placeWindow(
      deps.boundsFile.load(),
      deps.screen.getAllDisplays().map((display) => display.workArea),
      deps.screen.getPrimaryDisplay().workArea,
      { positions: !deps.wayland },
    );
    const window = deps.createWindow(
      mainWindowOptions({
        preloadPath: deps.preloadPath,
        isDevelopment: deps.isDevelopment,
        placement,
        icon: deps.icon,
      }),
    );
    this.window = window;
    hardenWebContents(window.webContents, deps.openExternal);

    const scheduleSave = () => {
      if (this.saveTimer) clearTimeout(this.saveTimer);
      this.saveTimer = setTimeout(() => this.saveBounds(window), deps.saveDelayMs ?? 500);
    };
    window.on('resize', scheduleSave);
    window.on('move', scheduleSave);
    window.on('close', (event) => {
      this.saveBounds(window);
      if (this.quitting) return;
      // The app lives on in the tray (Quit is in its menu), or quits where there is no tray to come back from.
      event.preventDefault();
      window.hide();
      if (deps.onClose?.() === 'quit') deps.quit?.();
    });
    // Not prevented (that would hold up the user's shutdown): stopping now rolls back the file being imported.
    window.on('query-session-end', () => deps.onSessionEnd?.());
    window.on('session-end', () => deps.onSessionEnd?.());
    window.on('closed', () => {
      if (this.saveTimer) clearTimeout(this.saveTimer);
      if (this.window === window) this.window = null;
    });
    // maximize() also shows the window: before ready-to-show that would be a blank white window.
    window.once('ready-to-show', () => {
      if (placement.maximized) window.maximize();
      window.show();
      window.focus();
    });
    window.loadURL(deps.url).catch((error: unknown) => console.error(`Could not load ${deps.url}:`, error));
    return window;
  }

  private saveBounds(window: BrowserWindow): void {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
    }
    if (window.isDestroyed()) return;
    const { x, y, width, height } = window.getNormalBounds();
    // Wayland reports no real position: store the size only, so a later X11 session centres the window.
    const position = this.deps.wayland ? {} : { x, y };
    this.deps.boundsFile.save({ ...position, width, height, maximized: window.isMaximized() });
  }
}
