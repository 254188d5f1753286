// The tray icon (after Signal's SystemTrayService: a small class over injected factories, so tests
// pass fakes). Its icon says the state at a glance: syncing, error, paused or idle; its tooltip says
// how the last sync went and when the next one is due; its menu syncs, pauses or resumes the
// schedule, opens the window and quits.
import { join } from 'node:path';
import type { Menu, MenuItemConstructorOptions, NativeImage, NativeTheme, Tray } from 'electron';
import type { RunReport, RunSummary, SchedulerState, SyncRequestResult } from '../shared/contract';

export type TrayStatus = 'idle' | 'syncing' | 'error' | 'paused';

/** What the tray remembers of the last finished run. */
export interface LastRun {
  status: Exclude<RunSummary['status'], 'running'>;
  finishedAt: string | null;
  error: string | null;
}

export function lastRunFromReport(report: Pick<RunReport, 'status' | 'finishedAt' | 'error'>): LastRun {
  return { status: report.status, finishedAt: report.finishedAt, error: report.error ?? null };
}

export function lastRunFromSummary(run: RunSummary | undefined): LastRun | null {
  if (!run || run.status === 'running') return null;
  return { status: run.status, finishedAt: run.finishedAt, error: run.error };
}

/**
 * Which icon: a running sync first (it is what is happening now), then a failed or partial last run
 * (the user should notice it even while paused; the tooltip still says "paused"), then paused, else
 * idle. An interrupted run (the app was quit mid-sync) is not an error.
 */
export function trayStatus(scheduler: SchedulerState, lastRun: LastRun | null): TrayStatus {
  if (scheduler.running) return 'syncing';
  if (lastRun?.status === 'failed' || lastRun?.status === 'partial') return 'error';
  if (scheduler.paused) return 'paused';
  return 'idle';
}

const LAST_RUN_WORDS: Record<LastRun['status'], string> = {
  succeeded: 'Last sync succeeded',
  partial: 'Last sync partly failed',
  failed: 'Last sync failed',
  interrupted: 'Last sync was interrupted',
};

/** Windows cuts tray tooltips at 127 characters. */
export const TOOLTIP_MAX = 127;

/** "S3 CSV Sync" / last sync result and time (and why it failed, as room allows) / next sync. */
export function trayTooltip(
  scheduler: SchedulerState,
  lastRun: LastRun | null,
  formatTime: (epochMs: number) => string,
): string {
  const title =
    scheduler.running && scheduler.runningSince !== null
      ? `S3 CSV Sync: syncing since ${formatTime(scheduler.runningSince)}`
      : 'S3 CSV Sync';
  let last = 'No sync yet';
  if (lastRun) {
    last = LAST_RUN_WORDS[lastRun.status];
    if (lastRun.finishedAt) last += ` ${formatTime(Date.parse(lastRun.finishedAt))}`;
  }
  let next: string;
  if (scheduler.paused) next = 'Schedule paused';
  else if (scheduler.everyHours === null) next = 'Scheduled syncs off';
  else next = scheduler.nextRunAt === null ? 'Next sync: not planned' : `Next sync ${formatTime(scheduler.nextRunAt)}`;

  const lines = [title, last, next];
  const reason =
    lastRun && (lastRun.status === 'failed' || lastRun.status === 'partial')
      ? lastRun.error?.replace(/\s+/g, ' ').trim()
      : undefined;
  if (reason) {
    const room = TOOLTIP_MAX - lines.join('\n').length - 2; // ": " after the result
    if (room >= 12) lines[1] = `${last}: ${reason.length > room ? `${reason.slice(0, room - 1)}…` : reason}`;
  }
  return lines.join('\n').slice(0, TOOLTIP_MAX);
}

/** Today: the time; another day: date and time; in the user's locale. */
export function defaultFormatTime(epochMs: number, now: number = Date.now()): string {
  const date = new Date(epochMs);
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/**
 * The icon file for a state: template images on macOS (the OS tints them), else light or dark by the taskbar's colour.
 */
export function trayIconPath(
  iconDir: string,
  status: TrayStatus,
  platform: NodeJS.Platform,
  darkMenus: boolean,
): string {
  if (platform === 'darwin') return join(iconDir, `${status}Template.png`);
  return join(iconDir, `${status}-${darkMenus ? 'dark' : 'light'}.png`);
}

export type TrayLike = Pick<Tray, 'setImage' | 'setToolTip' | 'setContextMenu' | 'on' | 'destroy'>;

export interface TrayActions {
  syncNow(): Promise<SyncRequestResult>;
  pauseSchedule(): Promise<unknown>;
  resumeSchedule(): Promise<unknown>;
  openWindow(): void;
  quit(): void;
}

export interface TrayServiceDeps {
  createTray(image: NativeImage): TrayLike;
  buildMenu(template: MenuItemConstructorOptions[]): Menu;
  /** nativeImage.createFromPath; it picks up the @2x file beside each icon by itself. */
  loadImage(path: string): NativeImage;
  theme: Pick<NativeTheme, 'shouldUseDarkColors' | 'shouldUseDarkColorsForSystemIntegratedUI' | 'on'>;
  iconDir: string;
  platform: NodeJS.Platform;
  actions: TrayActions;
  formatTime?: (epochMs: number) => string;
  log?: (message: string, error?: unknown) => void;
}

export class TrayService {
  private tray: TrayLike | null = null;
  private scheduler: SchedulerState;
  private lastRun: LastRun | null = null;
  private readonly images = new Map<string, NativeImage>();

  constructor(
    private readonly deps: TrayServiceDeps,
    initialScheduler: SchedulerState,
  ) {
    this.scheduler = initialScheduler;
  }

  start(): void {
    if (this.tray) return;
    this.tray = this.deps.createTray(this.image());
    // Windows and most Linux panels: a click opens the window (macOS opens the menu on click).
    this.tray.on('click', () => this.deps.actions.openWindow());
    this.deps.theme.on('updated', () => this.render());
    this.render();
  }

  setSchedulerState(state: SchedulerState): void {
    this.scheduler = state;
    this.render();
  }

  setLastRun(run: LastRun | null): void {
    this.lastRun = run;
    this.render();
  }

  status(): TrayStatus {
    return trayStatus(this.scheduler, this.lastRun);
  }

  destroy(): void {
    this.tray?.destroy();
    this.tray = null;
  }

  private render(): void {
    if (!this.tray) return;
    this.tray.setImage(this.image());
    this.tray.setToolTip(
      trayTooltip(this.scheduler, this.lastRun, this.deps.formatTime ?? ((ms) => defaultFormatTime(ms))),
    );
    this.tray.setContextMenu(this.deps.buildMenu(this.menuTemplate()));
  }

  private image(): NativeImage {
    const { theme, platform } = this.deps;
    // On Windows the taskbar follows the system theme, which may differ from the apps' theme.
    const darkMenus = platform === 'win32' ? theme.shouldUseDarkColorsForSystemIntegratedUI : theme.shouldUseDarkColors;
    const path = trayIconPath(this.deps.iconDir, this.status(), platform, darkMenus);
    let image = this.images.get(path);
    if (!image) {
      image = this.deps.loadImage(path);
      this.images.set(path, image);
    }
    return image;
  }

  private menuTemplate(): MenuItemConstructorOptions[] {
    const { actions } = this.deps;
    const { running, paused } = this.scheduler;
    return [
      {
        id: 'sync-now',
        label: running ? 'Syncing…' : 'Sync now',
        enabled: !running,
        click: () => this.run('Sync now', actions.syncNow()),
      },
      paused
        ? { id: 'resume', label: 'Resume schedule', click: () => this.run('Resume schedule', actions.resumeSchedule()) }
        : { id: 'pause', label: 'Pause schedule', click: () => this.run('Pause schedule', actions.pauseSchedule()) },
      { type: 'separator' },
      { id: 'open', label: 'Open S3 CSV Sync', click: () => actions.openWindow() },
      { type: 'separator' },
      { id: 'quit', label: 'Quit', click: () => actions.quit() },
    ];
  }

  private run(what: string, action: Promise<unknown>): void {
    const log = this.deps.log ?? ((message, error) => console.warn(message, error));
    action.then(
      (result) => {
        const refused = result as Partial<Extract<SyncRequestResult, { started: false }>> | undefined;
        if (refused?.started === false) log(`${what}: ${refused.reason}`);
      },
      (error: unknown) => log(`${what} failed:`, error),
    );
  }
}
