// The IPC channel names and the reply envelope, shared by the main process (electron/main/ipc.ts) and
// the preload (electron/preload/bridge.ts). Derived from the one contract, so a method or event added
// there has its channel here without further edits. No Electron import: the preload bundle stays small.
import type { ApiEvent, ApiEvents, ApiMethod, DesktopEvent, DesktopEvents } from './contract';

export type RequestChannel = `api:${ApiMethod}`;
/** Every event the main process pushes: the API's, and the desktop shell's own. */
export type ShellEvent = ApiEvent | DesktopEvent;
export type ShellEvents = ApiEvents & DesktopEvents;

export type EventChannel = `event:${ShellEvent}`;

export function requestChannel(method: ApiMethod): RequestChannel {
  return `api:${method}`;
}

export function eventChannel(event: ShellEvent): EventChannel {
  return `event:${event}`;
}

/**
 * What every request channel answers. A failure carries only a plain message: an Error thrown across
 * ipcMain.handle would reach the renderer wrapped in Electron's own words ("Error invoking remote
 * method ..."), so failures travel as data and the preload turns them back into an Error.
 */
export type IpcReply<T = unknown> = { ok: true; value: T } | { ok: false; message: string };
