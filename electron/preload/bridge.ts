// The renderer-side twin of electron/main/ipc.ts (after Bitwarden's preload): builds window.s3sync
// from the contract. One named method per API method, each invoking its own channel; `on` accepts
// only the contract's events and returns the unsubscriber. No generic invoke or send is exposed, and
// listeners receive the payload only (never Electron's event object, which reaches into the sender).
// Plain code over an injected ipcRenderer, so it is unit-tested without Electron.
import { API_EVENTS, API_METHODS, DESKTOP_EVENTS, type DesktopS3SyncApi } from '../shared/contract';
import { eventChannel, requestChannel, type IpcReply, type ShellEvent, type ShellEvents } from '../shared/ipc-channels';

const EVENTS: readonly ShellEvent[] = [...API_EVENTS, ...DESKTOP_EVENTS];

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * Events that may arrive before the page has subscribed and must not be lost: the main process asks
 * for a screen (a notification was clicked) while the window is still loading. The latest one waits
 * for the first listener.
 */
const HELD_UNTIL_SUBSCRIBED: readonly ShellEvent[] = ['navigate'];

export function createBridge(ipcRenderer: IpcRendererLike): DesktopS3SyncApi {
  const api: Record<string, unknown> = {};
  for (const method of API_METHODS) {
    api[method] = async (...args: unknown[]) => unwrap(await ipcRenderer.invoke(requestChannel(method), ...args));
  }

  const held = new Map<ShellEvent, unknown>();
  const listenerCounts = new Map<ShellEvent, number>();
  for (const event of HELD_UNTIL_SUBSCRIBED) {
    ipcRenderer.on(eventChannel(event), (_event, payload) => {
      if (!listenerCounts.get(event)) held.set(event, payload);
    });
  }

  api.on = <E extends ShellEvent>(event: E, listener: (payload: ShellEvents[E]) => void): (() => void) => {
    if (!EVENTS.includes(event))
      throw new Error(`Unknown event "${String(event)}"; known events: ${EVENTS.join(', ')}.`);
    if (typeof listener !== 'function') throw new Error('The listener must be a function.');
    const relay = (_event: unknown, payload: unknown) => listener(payload as ShellEvents[E]);
    ipcRenderer.on(eventChannel(event), relay);
    listenerCounts.set(event, (listenerCounts.get(event) ?? 0) + 1);
    if (held.has(event)) {
      const payload = held.get(event);
      held.delete(event);
      queueMicrotask(() => listener(payload as ShellEvents[E]));
    }
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipcRenderer.removeListener(eventChannel(event), relay);
      listenerCounts.set(event, (listenerCounts.get(event) ?? 1) - 1);
    };
  };
  return Object.freeze(api) as unknown as DesktopS3SyncApi;
}

function unwrap(reply: unknown): unknown {
  const envelope = reply as IpcReply | undefined;
  if (envelope?.ok === true) return envelope.value;
  throw new Error(envelope?.ok === false ? envelope.message : 'The S3 CSV Sync back end sent an unreadable answer.');
}
