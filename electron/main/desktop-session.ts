// Facts about the Linux desktop the app runs on that Electron cannot tell it: whether windows are on
// Wayland (Electron's default there since 38: the compositor places windows and decides focus) and
// whether a tray icon can be seen at all (GNOME shows none without the AppIndicator extension).
import { execFile } from 'node:child_process';

/** Whether Electron draws through Wayland: a Wayland session, unless X11 was asked for. */
export function isWaylandSession(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, ozoneSwitch = ''): boolean {
  if (platform !== 'linux') return false;
  const asked = (ozoneSwitch || env.ELECTRON_OZONE_PLATFORM_HINT || 'auto').toLowerCase();
  if (asked === 'x11') return false;
  if (asked === 'wayland') return true;
  return Boolean(env.WAYLAND_DISPLAY) || env.XDG_SESSION_TYPE === 'wayland';
}

/** shown: a tray icon is visible; absent: certainly not; unknown: cannot tell (say where the app went). */
export type TrayPresence = 'shown' | 'absent' | 'unknown';

/** Runs a command and gives its standard output, or null when it fails (missing, no bus, timeout). */
export type CommandRunner = (command: string, args: string[]) => Promise<string | null>;

export const runCommand = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  new Promise<string | null>((resolve) => {
    execFile(command, args, { env, timeout: 3000 }, (error, stdout) => resolve(error ? null : stdout));
  });

/** Electron's Linux tray is a StatusNotifierItem: it shows only if a StatusNotifierWatcher owns its bus name. */
const WATCHER = 'org.kde.StatusNotifierWatcher';

export async function detectTrayPresence(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  run: CommandRunner = runCommand,
): Promise<TrayPresence> {
  if (platform !== 'linux') return 'shown';
  const reply = await run('dbus-send', [
    '--session',
    '--print-reply',
    '--dest=org.freedesktop.DBus',
    '/org/freedesktop/DBus',
    'org.freedesktop.DBus.NameHasOwner',
    `string:${WATCHER}`,
  ]);
  if (reply === null) return 'unknown';
  if (/boolean true/.test(reply)) return 'shown';
  // Without a watcher, X11 panels may still show an old XEmbed tray icon; GNOME and Wayland never do.
  const gnome = /gnome/i.test(env.XDG_CURRENT_DESKTOP ?? '');
  return gnome || isWaylandSession(platform, env) ? 'absent' : 'unknown';
}
