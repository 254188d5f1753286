// Fakes of the Electron objects the shell modules take as parameters. They record what the module
// did and let a test play the user's or the OS's part (close the window, click a menu item, ...).
import { EventEmitter } from 'node:events';
import type { BrowserWindow, BrowserWindowConstructorOptions, WebContents } from 'electron';
import { API_METHODS, type ApiMethod } from '../../electron/shared/contract';
import type { ApiHandlers } from '../../electron/core/service/app-api';
import type { InvokeEventLike, IpcMainLike } from '../../electron/main/ipc';
import type { IpcRendererLike } from '../../electron/preload/bridge';

/** A cancellable event like Electron's: records whether the handler prevented the default. */
export function electronEvent<T extends object>(
  params: T = {} as T,
): T & { preventDefault(): void; defaultPrevented: boolean } {
  const event = {
    ...params,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  destroyed = false;
  loading = true;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;

  isDestroyed() {
    return this.destroyed;
  }
  isLoading() {
    return this.loading;
  }
  send(channel: string, ...args: unknown[]) {
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }) {
    this.windowOpenHandler = handler;
  }
  finishLoad() {
    this.loading = false;
    this.emit('did-finish-load');
  }
  asWebContents(): WebContents {
    return this as unknown as WebContents;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  visible = false;
  minimized = false;
  maximized = false;
  focused = false;
  destroyed = false;
  loadedUrl: string | null = null;
  /** Whether ready-to-show has fired; a window shown before it shows a blank (white) page. */
  readyToShow = false;
  shownBeforeReady = false;
  bounds: { x: number; y: number; width: number; height: number };

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    this.bounds = {
      x: options.x ?? 100,
      y: options.y ?? 100,
      width: options.width ?? 800,
      height: options.height ?? 600,
    };
  }
  isMinimized() {
    return this.minimized;
  }
  isVisible() {
    return this.visible;
  }
  isMaximized() {
    return this.maximized;
  }
  isDestroyed() {
    return this.destroyed;
  }
  restore() {
    this.minimized = false;
  }
  show() {
    this.visible = true;
    this.shownBeforeReady ||= !this.readyToShow;
  }
  hide() {
    this.visible = false;
    this.focused = false;
  }
  focus() {
    this.focused = true;
  }
  /** Electron: maximize() also shows a hidden window (unfocused), blank if its page is not ready yet. */
  maximize() {
    this.maximized = true;
    this.visible = true;
    this.shownBeforeReady ||= !this.readyToShow;
  }
  getNormalBounds() {
    return { ...this.bounds };
  }
  async loadURL(url: string) {
    this.loadedUrl = url;
    this.webContents.loading = true;
  }
  /** The page has painted: Electron emits ready-to-show once (then did-finish-load follows). */
  becomeReady() {
    this.readyToShow = true;
    this.emit('ready-to-show');
  }
  /** The user (or the app) closes the window: 'close' may be prevented, else the window is gone. */
  close(): boolean {
    const event = electronEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
    return true;
  }
  asBrowserWindow(): BrowserWindow {
    return this as unknown as BrowserWindow;
  }
}

type Handler = (event: InvokeEventLike, ...args: unknown[]) => unknown;

/** ipcMain and ipcRenderer wired together, with the renderer's frame and webContents chosen by the test. */
export class FakeIpc {
  readonly handlers = new Map<string, Handler>();
  private readonly rendererListeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  /** Who the next invoke comes from. */
  sender: InvokeEventLike = { sender: { id: 1 }, senderFrame: { url: 'app://s3-csv-sync/index.html', parent: null } };

  readonly main: IpcMainLike = {
    handle: (channel, listener) => {
      if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      this.handlers.set(channel, listener);
    },
    removeHandler: (channel) => {
      this.handlers.delete(channel);
    },
  };

  readonly renderer: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      const handler = this.handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      // Electron sends arguments and results with the structured clone algorithm: Dates, Maps and
      // undefined survive, a function throws (as it does in ipcRenderer.invoke).
      const cloned = structuredClone(args);
      return structuredClone(await handler(this.sender, ...cloned));
    },
    on: (channel, listener) => {
      let set = this.rendererListeners.get(channel);
      if (!set) this.rendererListeners.set(channel, (set = new Set()));
      set.add(listener);
    },
    removeListener: (channel, listener) => {
      this.rendererListeners.get(channel)?.delete(listener);
    },
  };

  /** The main process sends on a channel (webContents.send). */
  deliver(channel: string, payload: unknown): void {
    for (const listener of this.rendererListeners.get(channel) ?? [])
      listener({ sender: 'ipc-renderer-event' }, structuredClone(payload));
  }

  listenerCount(channel: string): number {
    return this.rendererListeners.get(channel)?.size ?? 0;
  }
}

/** An API whose every method records its argument and answers with it. */
export function recordingApi(): { api: ApiHandlers; calls: { method: ApiMethod; args: unknown }[] } {
  const calls: { method: ApiMethod; args: unknown }[] = [];
  const api = Object.fromEntries(
    API_METHODS.map((method) => [
      method,
      async (args: unknown) => {
        calls.push({ method, args });
        return { answeredBy: method, args };
      },
    ]),
  ) as unknown as ApiHandlers;
  return { api, calls };
}
