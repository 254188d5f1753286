// The tray: icon per state (and per platform and menu colour), tooltip, and what its menu does.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Menu, MenuItemConstructorOptions, NativeImage, NativeTheme } from 'electron';
import type { SchedulerState, SyncRequestResult } from '../../electron/shared/contract';
import {
  defaultFormatTime,
  lastRunFromReport,
  lastRunFromSummary,
  TOOLTIP_MAX,
  trayIconPath,
  TrayService,
  trayStatus,
  trayTooltip,
  type LastRun,
  type TrayLike,
} from '../../electron/main/tray';

const ICON_DIR = join(import.meta.dirname, '..', '..', 'resources', 'tray');
const T0 = Date.parse('2026-03-02T09:00:00Z');
const utc = (ms: number) => new Date(ms).toISOString().slice(11, 16);

const scheduler = (overrides: Partial<SchedulerState> = {}): SchedulerState => ({
  everyHours: 6,
  paused: false,
  running: false,
  runningSince: null,
  lastRunStart: T0,
  nextRunAt: T0 + 6 * 3600_000,
  heldReason: null,
  ...overrides,
});
const succeeded: LastRun = { status: 'succeeded', finishedAt: '2026-03-02T09:04:00.000Z', error: null };
const failed: LastRun = {
  status: 'failed',
  finishedAt: '2026-03-02T09:01:00.000Z',
  error: 'The secret access key is wrong for AKIA…',
};

class FakeTray extends EventEmitter {
  image: NativeImage | null = null;
  tooltip = '';
  menu: MenuItemConstructorOptions[] = [];
  destroyed = false;
  setImage(image: NativeImage | string) {
    this.image = image as NativeImage;
  }
  setToolTip(text: string) {
    this.tooltip = text;
  }
  setContextMenu(menu: Menu | null) {
    this.menu = menu as unknown as MenuItemConstructorOptions[];
  }
  destroy() {
    this.destroyed = true;
  }
  item(id: string) {
    const item = this.menu.find((entry) => entry.id === id);
    if (!item) throw new Error(`No menu item ${id}: ${this.menu.map((entry) => entry.id ?? entry.type).join(', ')}`);
    return item;
  }
  click(id: string) {
    const item = this.item(id);
    if (item.enabled === false) throw new Error(`${id} is disabled`);
    (item.click as () => void)();
  }
  /** The icon file behind the current image (the fake image is its path). */
  get iconFile() {
    return (this.image as unknown as { path: string }).path;
  }
}

function setUp({ platform = 'linux' as NodeJS.Platform, dark = false, state = scheduler() } = {}) {
  const tray = new FakeTray();
  const theme = Object.assign(new EventEmitter(), {
    shouldUseDarkColors: dark,
    shouldUseDarkColorsForSystemIntegratedUI: dark,
  });
  const done: string[] = [];
  let syncResult: SyncRequestResult = { started: true, startedAt: T0 };
  const logs: string[] = [];
  const loaded: string[] = [];
  const service = new TrayService(
    {
      createTray: (image) => {
        tray.setImage(image);
        return tray as unknown as TrayLike;
      },
      buildMenu: (template) => template as unknown as Menu,
      loadImage: (path) => {
        loaded.push(path);
        return { path } as unknown as NativeImage;
      },
      theme: theme as unknown as Pick<
        NativeTheme,
        'shouldUseDarkColors' | 'shouldUseDarkColorsForSystemIntegratedUI' | 'on'
      >,
      iconDir: ICON_DIR,
      platform,
      formatTime: utc,
      log: (message) => logs.push(message),
      actions: {
        syncNow: async () => {
          done.push('syncNow');
          return syncResult;
        },
        pauseSchedule: async () => done.push('pause'),
        resumeSchedule: async () => done.push('resume'),
        openWindow: () => done.push('open'),
        quit: () => done.push('quit'),
      },
    },
    state,
  );
  service.start();
  return {
    service,
    tray,
    theme,
    done,
    logs,
    loaded,
    refuseSync: (reason: string) => (syncResult = { started: false, reason }),
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('tray state', () => {
  it('is syncing while a sync runs, error after a failed or partial run, paused when paused, else idle', () => {
    expect(trayStatus(scheduler(), null)).toBe('idle');
    expect(trayStatus(scheduler(), succeeded)).toBe('idle');
    expect(trayStatus(scheduler({ paused: true }), succeeded)).toBe('paused');
    expect(trayStatus(scheduler(), failed)).toBe('error');
    expect(trayStatus(scheduler(), { ...failed, status: 'partial' })).toBe('error');
    expect(trayStatus(scheduler({ paused: true }), failed)).toBe('error');
    expect(trayStatus(scheduler({ running: true, runningSince: T0 }), failed)).toBe('syncing');
    expect(trayStatus(scheduler(), { ...failed, status: 'interrupted' })).toBe('idle');
  });

  it('shows the icon of each state, changing as syncs start and end', () => {
    const { service, tray } = setUp();
    expect(tray.iconFile).toBe(join(ICON_DIR, 'idle-light.png'));
    service.setSchedulerState(scheduler({ running: true, runningSince: T0 }));
    expect(tray.iconFile).toBe(join(ICON_DIR, 'syncing-light.png'));
    service.setLastRun(failed);
    service.setSchedulerState(scheduler());
    expect(tray.iconFile).toBe(join(ICON_DIR, 'error-light.png'));
    service.setLastRun(succeeded);
    service.setSchedulerState(scheduler({ paused: true, nextRunAt: null }));
    expect(tray.iconFile).toBe(join(ICON_DIR, 'paused-light.png'));
  });

  it('uses template images on macOS, light glyphs on dark menus, and follows theme changes', () => {
    expect(setUp({ platform: 'darwin' }).tray.iconFile).toBe(join(ICON_DIR, 'idleTemplate.png'));
    const { tray, theme, loaded } = setUp({ platform: 'win32' });
    expect(tray.iconFile).toBe(join(ICON_DIR, 'idle-light.png'));
    theme.shouldUseDarkColorsForSystemIntegratedUI = true;
    theme.emit('updated');
    expect(tray.iconFile).toBe(join(ICON_DIR, 'idle-dark.png'));
    theme.emit('updated');
    expect(loaded.filter((path) => path.endsWith('idle-dark.png'))).toHaveLength(1); // images are loaded once
  });

  it('has an icon file (1x and 2x) for every state, platform and menu colour', () => {
    for (const status of ['idle', 'syncing', 'error', 'paused'] as const) {
      for (const [platform, dark] of [
        ['darwin', false],
        ['linux', false],
        ['linux', true],
        ['win32', true],
      ] as const) {
        const path = trayIconPath(ICON_DIR, status, platform, dark);
        expect(existsSync(path), path).toBe(true);
        expect(existsSync(path.replace(/\.png$/, '@2x.png')), path).toBe(true);
      }
    }
  });
});

describe('tray tooltip', () => {
  it('gives the last sync result and time and the next sync time', () => {
    expect(trayTooltip(scheduler(), succeeded, utc)).toBe('S3 CSV Sync\nLast sync succeeded 09:04\nNext sync 15:00');
    expect(trayTooltip(scheduler({ lastRunStart: null }), null, utc)).toBe('S3 CSV Sync\nNo sync yet\nNext sync 15:00');
    expect(trayTooltip(scheduler({ paused: true, nextRunAt: null }), succeeded, utc)).toBe(
      'S3 CSV Sync\nLast sync succeeded 09:04\nSchedule paused',
    );
    expect(trayTooltip(scheduler({ everyHours: null, nextRunAt: null }), succeeded, utc)).toBe(
      'S3 CSV Sync\nLast sync succeeded 09:04\nScheduled syncs off',
    );
    expect(trayTooltip(scheduler({ running: true, runningSince: T0 + 60_000 }), succeeded, utc)).toBe(
      'S3 CSV Sync: syncing since 09:01\nLast sync succeeded 09:04\nNext sync 15:00',
    );
  });

  it('says why the last sync failed, cut to the 127 characters Windows shows', () => {
    expect(trayTooltip(scheduler(), failed, utc)).toBe(
      'S3 CSV Sync\nLast sync failed 09:01: The secret access key is wrong for AKIA…\nNext sync 15:00',
    );
    const long = trayTooltip(
      scheduler(),
      { ...failed, status: 'partial', error: `3 of 9 files failed. ${'accounts/x.csv: '.repeat(20)}` },
      utc,
    );
    expect(long.length).toBeLessThanOrEqual(TOOLTIP_MAX);
    expect(long).toMatch(
      /^S3 CSV Sync\nLast sync partly failed 09:01: 3 of 9 files failed\. accounts.*…\nNext sync 15:00$/,
    );
  });

  it('is what the tray shows, updated when a run finishes', () => {
    const { service, tray } = setUp();
    service.setLastRun(
      lastRunFromReport({
        status: 'failed',
        finishedAt: '2026-03-02T09:01:00.000Z',
        error: 'Bucket "acme" does not exist.',
      }),
    );
    expect(tray.tooltip).toBe('S3 CSV Sync\nLast sync failed 09:01: Bucket "acme" does not exist.\nNext sync 15:00');
  });

  it('formats today as a time and other days with the date', () => {
    const now = new Date(2026, 2, 2, 18, 0).getTime();
    expect(defaultFormatTime(new Date(2026, 2, 2, 9, 5).getTime(), now)).not.toMatch(/Mar|2026/);
    expect(defaultFormatTime(new Date(2026, 2, 1, 9, 5).getTime(), now)).toMatch(/Mar|3/);
  });

  it('takes the last run from the run log at start, ignoring a run still in progress', () => {
    expect(lastRunFromSummary(undefined)).toBeNull();
    expect(lastRunFromSummary({ status: 'running' } as never)).toBeNull();
    expect(lastRunFromSummary({ status: 'partial', finishedAt: 'f', error: 'e' } as never)).toEqual({
      status: 'partial',
      finishedAt: 'f',
      error: 'e',
    });
  });
});

describe('tray menu', () => {
  it('offers Sync now, Pause schedule, Open S3 CSV Sync and Quit', () => {
    const { tray } = setUp();
    expect(tray.menu.map((item) => item.label ?? item.type)).toEqual([
      'Sync now',
      'Pause schedule',
      'separator',
      'Open S3 CSV Sync',
      'separator',
      'Quit',
    ]);
  });

  it('runs each action', async () => {
    const { tray, done } = setUp();
    tray.click('sync-now');
    tray.click('pause');
    tray.click('open');
    tray.click('quit');
    tray.emit('click');
    await flush();
    expect(done).toEqual(['syncNow', 'pause', 'open', 'quit', 'open']);
  });

  it('offers Resume when paused, and no Sync now while a sync runs', async () => {
    const { service, tray, done } = setUp();
    service.setSchedulerState(scheduler({ paused: true, nextRunAt: null }));
    expect(() => tray.item('pause')).toThrow();
    tray.click('resume');
    service.setSchedulerState(scheduler({ running: true, runningSince: T0 }));
    expect(tray.item('sync-now')).toMatchObject({ label: 'Syncing…', enabled: false });
    await flush();
    expect(done).toEqual(['resume']);
  });

  it('logs why a sync was not started', async () => {
    const { tray, logs, refuseSync } = setUp();
    refuseSync('A sync is already running (started at 2026-03-02T09:00:00.000Z)');
    tray.click('sync-now');
    await flush();
    expect(logs).toEqual(['Sync now: A sync is already running (started at 2026-03-02T09:00:00.000Z)']);
  });

  it('removes the icon when destroyed', () => {
    const { service, tray } = setUp();
    service.destroy();
    expect(tray.destroyed).toBe(true);
  });
});
