// Which desktop the app is on: Wayland or not, and whether a tray icon can show. The tray probe asks
// a real D-Bus session bus (the one scripts/with-test-keyring.sh starts for the tests), where no
// StatusNotifierWatcher runs, as on GNOME without the AppIndicator extension.
import { describe, expect, it } from 'vitest';
import { detectTrayPresence, isWaylandSession, runCommand } from '../../electron/main/desktop-session';

const onTestBus = Boolean(process.env.DBUS_SESSION_BUS_ADDRESS);

describe('the tray probe', () => {
  it.runIf(onTestBus)('finds no tray on a session bus without a StatusNotifierWatcher (GNOME)', async () => {
    expect(await detectTrayPresence('linux', { ...process.env, XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' })).toBe('absent');
    // Another X11 desktop may still show an old XEmbed icon: it cannot be told.
    expect(await detectTrayPresence('linux', { XDG_CURRENT_DESKTOP: 'XFCE' })).toBe('unknown');
  });

  it('finds a tray where a watcher owns its bus name (KDE, GNOME with AppIndicator)', async () => {
    const reply = 'method return time=1 sender=org.freedesktop.DBus -> destination=:1.5 serial=3\n   boolean true\n';
    expect(await detectTrayPresence('linux', { XDG_CURRENT_DESKTOP: 'GNOME' }, async () => reply)).toBe('shown');
  });

  it('cannot tell without a session bus or dbus-send, and trusts Windows and macOS to show one', async () => {
    expect(await detectTrayPresence('linux', {}, async () => null)).toBe('unknown');
    // The real dbus-send, pointed at a bus that is not there.
    const noBus = (command: string, args: string[]) =>
      runCommand(command, args, { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
    expect(await detectTrayPresence('linux', { XDG_CURRENT_DESKTOP: 'GNOME' }, noBus)).toBe('unknown');
    expect(await detectTrayPresence('win32', {})).toBe('shown');
    expect(await detectTrayPresence('darwin', {})).toBe('shown');
  });
});

describe('Wayland', () => {
  it('is where Electron draws on Linux in a Wayland session, unless X11 is asked for', () => {
    expect(isWaylandSession('linux', { WAYLAND_DISPLAY: 'wayland-0' })).toBe(true);
    expect(isWaylandSession('linux', { XDG_SESSION_TYPE: 'wayland' })).toBe(true);
    expect(isWaylandSession('linux', { WAYLAND_DISPLAY: 'wayland-0', ELECTRON_OZONE_PLATFORM_HINT: 'x11' })).toBe(
      false,
    );
    expect(isWaylandSession('linux', { WAYLAND_DISPLAY: 'wayland-0' }, 'x11')).toBe(false);
    expect(isWaylandSession('linux', { DISPLAY: ':0', XDG_SESSION_TYPE: 'x11' })).toBe(false);
    expect(isWaylandSession('win32', { WAYLAND_DISPLAY: 'wayland-0' })).toBe(false);
  });
});
