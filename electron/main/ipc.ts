// The one place the main process speaks IPC (after GitHub Desktop's ipc-main.ts): each handler checks
// the sender, validates the argument with the contract's schema, and answers a plain message, never a
// stack or a secret. Raw ipcMain is used nowhere else; see docs/security.md (item 17).
import { API_EVENTS, API_METHODS, type ApiEvent, type ApiEvents, type ApiMethod } from '../shared/contract';
import { ApiArgumentError, validateApiArgs } from '../shared/schemas';
import type { ApiHandlers } from '../core/service/app-api';
import { eventChannel, requestChannel, type IpcReply, type ShellEvent, type ShellEvents } from '../shared/ipc-channels';

/** The part of an IPC invoke event the sender check reads (Electron's IpcMainInvokeEvent has more). */
export interface InvokeEventLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/** The part of Electron's ipcMain used here; tests pass a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** Where events are pushed: the main window's webContents. */
export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export interface SenderPolicy {
  /** The id of the main window's webContents, or null while there is no window. */
  windowContentsId(): number | null;
  /** Whether a URL is the app's own page (app://s3-csv-sync/..., or the dev server in development). */
  isAppUrl(url: string): boolean;
}

/** Why a sender is refused, or null when it is the app's own window. */
export function refuseSender(event: InvokeEventLike, policy: SenderPolicy): string | null {
  const frame = event.senderFrame;
  if (frame === null) return 'the sending frame no longer exists';
  if (frame.parent !== null) return 'it came from an embedded frame';
  const windowId = policy.windowContentsId();
  if (windowId === null || event.sender.id !== windowId) return 'it did not come from the S3 CSV Sync window';
  if (!policy.isAppUrl(frame.url)) return 'it came from a page that is not part of S3 CSV Sync';
  return null;
}

export interface RegisterOptions {
  /** Where refusals and unexpected failures are logged (main process console by default). */
  log?: (message: string, error?: unknown) => void;
}

/** Registers a handler for every API method; returns a function that removes them all. */
export function registerApiHandlers(
  ipcMain: IpcMainLike,
  api: ApiHandlers,
  policy: SenderPolicy,
  options: RegisterOptions = {},
): () => void {
  const log = options.log ?? ((message, error) => console.warn(message, ...(error === undefined ? [] : [error])));
  for (const method of API_METHODS) {
    const channel = requestChannel(method);
    ipcMain.handle(channel, (event, ...args) => handleRequest(method, event, args, api, policy, log));
  }
  return () => API_METHODS.forEach((method) => ipcMain.removeHandler(requestChannel(method)));
}

async function handleRequest(
  method: ApiMethod,
  event: InvokeEventLike,
  args: unknown[],
  api: ApiHandlers,
  policy: SenderPolicy,
  log: NonNullable<RegisterOptions['log']>,
): Promise<IpcReply> {
  const refusal = refuseSender(event, policy);
  if (refusal !== null) {
    log(`Refused the IPC request ${method}: ${refusal}.`);
    return { ok: false, message: `Request refused: ${refusal}.` };
  }
  if (args.length > 1)
    return {
      ok: false,
      message: `Invalid argument for ${method}: it takes at most one argument, ${args.length} were sent.`,
    };
  try {
    const valid = validateApiArgs(method, args[0]);
    // The schema fixed the shape; the handler map is indexed by the same method.
    const handler = api[method] as (args: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(valid) };
  } catch (error) {
    if (!(error instanceof ApiArgumentError))
      log(`The API request ${method} failed:`, redact(String((error as Error)?.stack ?? error), secretsIn(args[0])));
    return { ok: false, message: plainMessage(error, secretsIn(args[0])) };
  }
}

/** An error's message for the renderer: its first lines without any stack frame, secrets redacted. */
export function plainMessage(error: unknown, secrets: readonly string[] = []): string {
  if (!(error instanceof Error) || error.message.trim() === '')
    return 'The request failed unexpectedly; see the application log.';
  const lines = error.message.split('\n').filter((line) => !/^\s*at\s/.test(line));
  return redact(lines.join('\n').trim(), secrets);
}

/**
 * String values under secret-looking keys of a request argument (secretAccessKey), to keep out of messages and logs.
 */
function secretsIn(args: unknown): string[] {
  if (args === null || typeof args !== 'object') return [];
  return Object.entries(args)
    .filter(([key, value]) => /secret|password|token/i.test(key) && typeof value === 'string' && value !== '')
    .map(([, value]) => value as string);
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((result, secret) => result.split(secret).join('[redacted]'), text);
}

/** The API's event source (AppApi.on). */
export interface EventSource {
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

/** Sends one event to the main window, when there is one; false when there is none to send to. */
export function pushEvent<E extends ShellEvent>(
  target: EventTarget | null,
  event: E,
  payload: ShellEvents[E],
): boolean {
  if (target === null || target.isDestroyed()) return false;
  target.send(eventChannel(event), payload);
  return true;
}

/** Relays every contract event of the API to whichever window is current; returns the unsubscriber. */
export function forwardApiEvents(
  source: EventSource,
  currentTarget: () => EventTarget | null,
  events: readonly ApiEvent[] = API_EVENTS,
): () => void {
  const unsubscribers = events.map((event) =>
    source.on(event, (payload) => pushEvent(currentTarget(), event, payload)),
  );
  return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
}
