// The app's life: one instance at a time, living on in the tray, checking the schedule on wake, and
// quitting only after the running sync has stopped (its current file rolled back, never half-written).
import type { App, PowerMonitor } from 'electron';
import type { TrayPresence } from './desktop-session';

/**
 * Claims the single-instance lock. False: another instance runs and has been told (it focuses its
 * window), so this one should quit at once.
 */
export function claimSingleInstance(
  app: Pick<App, 'requestSingleInstanceLock' | 'on'>,
  focusWindow: () => void,
): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', () => focusWindow());
  // macOS: clicking the Dock icon of the running app.
  app.on('activate', () => focusWindow());
  return true;
}

/** Closing the window hides it; should every window be gone anyway, the tray keeps the app running. */
export function keepRunningInTray(app: Pick<App, 'on'>): void {
  app.on('window-all-closed', () => {
    // Intentionally empty: without a listener Electron would quit here. Quit is in the tray menu.
  });
}

/**
 * What closing the window does. With a tray icon it hides the window there. With none (GNOME without
 * the AppIndicator extension) a hidden window could never come back, so closing quits. When it cannot
 * be told, it hides, and says once where the app went; if even that cannot be said, it quits.
 */
export function closeAction(trayPresence: () => TrayPresence, tellRunningInBackground: () => boolean) {
  let told = false;
  return (): 'hide' | 'quit' => {
    const presence = trayPresence();
    if (presence === 'shown') return 'hide';
    if (presence === 'absent') return 'quit';
    if (told) return 'hide';
    told = tellRunningInBackground();
    return told ? 'hide' : 'quit';
  };
}

/** A sleeping laptop misses its timer; on wake, run a sync that came due meanwhile. */
export function checkScheduleOnWake(powerMonitor: Pick<PowerMonitor, 'on'>, scheduler: { checkNow(): void }): void {
  powerMonitor.on('resume', () => scheduler.checkNow());
}

export interface QuitOptions {
  /** Stops the back end: aborts the running sync (its current file rolls back) and resolves once it has stopped. */
  stop(): Promise<void>;
  /** Called once when quitting begins, before waiting: the window may close now instead of hiding. */
  onQuitting(): void;
  /** How long to wait for stop() before quitting anyway (SQLite rolls back an unfinished transaction on next open). */
  timeoutMs?: number;
  log?: (message: string, error?: unknown) => void;
}

export const QUIT_TIMEOUT_MS = 15_000;

/**
 * On the first before-quit, prevent it, stop the back end, then quit for real. Quit requests while
 * stopping are held back too (the user pressing Quit twice does not cut the wait short). Returns the
 * same stop-then-quit for what is no before-quit: Windows' shutdown and log-off (see window.ts).
 */
export function quitAfterStopping(app: Pick<App, 'on' | 'quit'>, options: QuitOptions): () => void {
  const log = options.log ?? ((message, error) => console.error(message, error));
  let phase: 'running' | 'stopping' | 'stopped' = 'running';
  app.on('before-quit', (event) => {
    if (phase === 'stopped') return;
    event.preventDefault();
    stopThenQuit();
  });
  return stopThenQuit;

  function stopThenQuit(): void {
    if (phase !== 'running') return;
    phase = 'stopping';
    options.onQuitting();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log(
          `The sync did not stop within ${(options.timeoutMs ?? QUIT_TIMEOUT_MS) / 1000} s; quitting anyway (its unfinished file is rolled back when the database is next opened).`,
        );
        resolve();
      }, options.timeoutMs ?? QUIT_TIMEOUT_MS);
    });
    Promise.race([options.stop(), timeout])
      .catch((error: unknown) => log('Stopping the sync service failed:', error))
      .finally(() => {
        clearTimeout(timer);
        phase = 'stopped';
        app.quit();
      });
  }
}
