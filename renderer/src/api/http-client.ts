// The API over the web preview's loopback HTTP (electron/web/server.ts): one POST per request, events
// over Server-Sent Events. Same S3SyncApi type as window.s3sync in Electron, so screens cannot tell.
import type { ApiEvent, ApiEvents, ApiMethod, S3SyncApi } from '../../../electron/shared/contract';

/** Every request of the contract; `satisfies` makes the compiler catch a request added there but not here. */
const METHODS = {
  getOverview: true,
  saveConnection: true,
  testConnection: true,
  testTarget: true,
  saveTarget: true,
  previewFiles: true,
  cancelPreview: true,
  sampleFile: true,
  saveMapping: true,
  setSchedule: true,
  syncNow: true,
  pauseSchedule: true,
  resumeSchedule: true,
  listRuns: true,
  getRun: true,
  runChart: true,
  queryRecords: true,
  getRecordColumns: true,
  saveDataColumns: true,
  getRecord: true,
  getRecordLinks: true,
  exportConfig: true,
  importConfig: true,
  openDatabaseFolder: true,
  saveAlerts: true,
  sendTestAlert: true,
  getQueryTools: true,
  runQuery: true,
  queryPage: true,
  cancelQuery: true,
  saveQuery: true,
  deleteQuery: true,
  exportData: true,
} as const satisfies Record<ApiMethod, true>;

const EVENTS = {
  syncProgress: true,
  runFinished: true,
  schedulerChanged: true,
  previewProgress: true,
  alertsRecorded: true,
} as const satisfies Record<ApiEvent, true>;

export const TOKEN_HEADER = 'X-S3Sync-Token';

/** The token travels as a header, never in a request URL, except for EventSource (which cannot set headers). */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface HttpApiOptions {
  /** Where the page came from, e.g. http://127.0.0.1:4173/ */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  createEventSource?: (url: string) => EventSource;
}

export function createHttpApi({
  baseUrl,
  token,
  fetch: fetchImpl = fetch.bind(globalThis),
  createEventSource = (url) => new EventSource(url),
}: HttpApiOptions): S3SyncApi {
  async function call(method: ApiMethod, args: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetchImpl(new URL(`api/${method}`, baseUrl), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: token },
        body: JSON.stringify(args === undefined ? {} : { args }),
      });
    } catch {
      throw new ApiRequestError('The web preview server does not answer. Is `npm run web` still running?', 0);
    }
    const body = (await response.json().catch(() => ({}))) as { result?: unknown; error?: string };
    if (response.status === 401) {
      throw new ApiRequestError(
        'This page has no valid access token. Open the address that `npm run web` printed (it ends in ?token=…).',
        401,
      );
    }
    if (!response.ok)
      throw new ApiRequestError(body.error ?? `The server answered ${response.status}.`, response.status);
    return body.result;
  }

  let source: EventSource | null = null;
  const listeners: { [E in ApiEvent]: Set<(payload: ApiEvents[E]) => void> } = {
    syncProgress: new Set(),
    runFinished: new Set(),
    schedulerChanged: new Set(),
    previewProgress: new Set(),
    alertsRecorded: new Set(),
  };

  function ensureSource(): void {
    if (source) return;
    const url = new URL('api/events', baseUrl);
    url.searchParams.set('token', token);
    source = createEventSource(url.toString());
    for (const event of Object.keys(EVENTS) as ApiEvent[]) {
      source.addEventListener(event, (message) => {
        const payload = JSON.parse((message as MessageEvent<string>).data) as never;
        for (const listener of [...listeners[event]]) (listener as (p: unknown) => void)(payload);
      });
    }
  }

  function closeSourceWhenUnused(): void {
    if (source && Object.values(listeners).every((set) => set.size === 0)) {
      source.close();
      source = null;
    }
  }

  const api: Record<string, unknown> = {
    on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
      listeners[event].add(listener);
      ensureSource();
      return () => {
        listeners[event].delete(listener);
        closeSourceWhenUnused();
      };
    },
  };
  for (const method of Object.keys(METHODS) as ApiMethod[]) {
    api[method] = (args?: unknown) => call(method, args);
  }
  return api as S3SyncApi;
}

const TOKEN_STORAGE_KEY = 's3sync.previewToken';

/**
 * Reads the token from ?token=… (as `npm run web` prints it), keeps it for reloads in this tab only,
 * and takes it out of the address bar so it is not left in the history or shared in a screenshot.
 */
export function takePreviewToken(location: Location, history: History, storage: Storage): string | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return storage.getItem(TOKEN_STORAGE_KEY);
}
