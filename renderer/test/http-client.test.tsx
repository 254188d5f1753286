// The web preview's HTTP transport: the token on every request, errors in words, events over SSE.
import { describe, expect, it, vi } from 'vitest';
import { createHttpApi, takePreviewToken, TOKEN_HEADER } from '../src/api/http-client';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

class FakeEventSource {
  readonly listeners = new Map<string, (message: { data: string }) => void>();
  closed = false;
  constructor(readonly url: string) {}
  addEventListener(event: string, listener: (message: { data: string }) => void) {
    this.listeners.set(event, listener);
  }
  close() {
    this.closed = true;
  }
}

describe('the web preview client', () => {
  it('posts each request with the token as a header and the argument as JSON', async () => {
    const fetch = vi.fn(async () => jsonResponse(200, { result: [{ id: 1 }] }));
    const api = createHttpApi({ baseUrl: 'http://127.0.0.1:4000/', token: 'tok', fetch: fetch });
    expect(await api.listRuns({ limit: 5 })).toEqual([{ id: 1 }]);
    const [url, init] = fetch.mock.calls[0] as unknown as [URL, RequestInit];
    expect(String(url)).toBe('http://127.0.0.1:4000/api/listRuns');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>)[TOKEN_HEADER]).toBe('tok');
    expect(init.body).toBe('{"args":{"limit":5}}');
    await api.getOverview();
    expect((fetch.mock.calls[1] as unknown as [URL, RequestInit])[1].body).toBe('{}');
  });

  it('turns a refusal into a message that says what to do', async () => {
    const unauthorized = createHttpApi({
      baseUrl: 'http://127.0.0.1:4000/',
      token: 'bad',
      fetch: async () => jsonResponse(401, { error: 'Missing or wrong access token.' }),
    });
    await expect(unauthorized.getOverview()).rejects.toThrow(/Open the address that `npm run web` printed/);
    const invalid = createHttpApi({
      baseUrl: 'http://127.0.0.1:4000/',
      token: 't',
      fetch: async () => jsonResponse(400, { error: 'Invalid argument for listRuns: limit: too small' }),
    });
    await expect(invalid.listRuns({ limit: 0 })).rejects.toThrow('Invalid argument for listRuns: limit: too small');
    const down = createHttpApi({
      baseUrl: 'http://127.0.0.1:4000/',
      token: 't',
      fetch: async () => Promise.reject(new TypeError('fetch failed')),
    });
    await expect(down.getOverview()).rejects.toThrow(
      'The web preview server does not answer. Is `npm run web` still running?',
    );
  });

  it('subscribes to events over one EventSource carrying the token, and closes it when nobody listens', () => {
    const sources: FakeEventSource[] = [];
    const api = createHttpApi({
      baseUrl: 'http://127.0.0.1:4000/',
      token: 'tok en',
      fetch: vi.fn() as never,
      createEventSource: (url) => (sources.push(new FakeEventSource(url)), sources.at(-1) as never),
    });
    const progress = vi.fn();
    const finished = vi.fn();
    const offProgress = api.on('syncProgress', progress);
    const offFinished = api.on('runFinished', finished);
    expect(sources).toHaveLength(1);
    expect(sources[0]!.url).toBe('http://127.0.0.1:4000/api/events?token=tok+en');
    sources[0]!.listeners.get('syncProgress')!({ data: '{"rows":5}' });
    expect(progress).toHaveBeenCalledWith({ rows: 5 });
    expect(finished).not.toHaveBeenCalled();
    offProgress();
    expect(sources[0]!.closed).toBe(false);
    offFinished();
    expect(sources[0]!.closed).toBe(true);
  });

  it('takes the token from the address, keeps it for reloads in this tab, and clears it from the address bar', () => {
    window.history.replaceState(null, '', '/?token=abc#/data');
    window.sessionStorage.clear();
    expect(takePreviewToken(window.location, window.history, window.sessionStorage)).toBe('abc');
    expect(window.location.search).toBe('');
    expect(window.location.hash).toBe('#/data');
    expect(takePreviewToken(window.location, window.history, window.sessionStorage)).toBe('abc');
    window.sessionStorage.clear();
    expect(takePreviewToken(window.location, window.history, window.sessionStorage)).toBeNull();
  });
});
