// The typed IPC wrapper (main) and the preload bridge (renderer side), driven through fakes wired
// together the way Electron wires them: an invoke from the bridge reaches the wrapper's handler with
// the sender the test chose.
import { describe, expect, it } from 'vitest';
import { API_EVENTS, API_METHODS, type ApiEvent, type SchedulerState } from '../../electron/shared/contract';
import type { ApiHandlers } from '../../electron/core/service/app-api';
import {
  forwardApiEvents,
  plainMessage,
  pushEvent,
  registerApiHandlers,
  type EventSource,
  type SenderPolicy,
} from '../../electron/main/ipc';
import { createBridge } from '../../electron/preload/bridge';
import { isAppUrl } from '../../electron/main/app-protocol';
import { FakeIpc, FakeWebContents, recordingApi } from './fakes';

const WINDOW_ID = 7;
const policy: SenderPolicy = { windowContentsId: () => WINDOW_ID, isAppUrl: (url) => isAppUrl(url) };

function setUp(api = recordingApi().api, logs: string[] = []) {
  const ipc = new FakeIpc();
  ipc.sender = { sender: { id: WINDOW_ID }, senderFrame: { url: 'app://s3-csv-sync/index.html#/runs', parent: null } };
  const unregister = registerApiHandlers(ipc.main, api, policy, { log: (message) => logs.push(message) });
  return { ipc, bridge: createBridge(ipc.renderer), unregister, logs };
}

describe('registerApiHandlers', () => {
  it('registers one channel per API method, named after it, and removes them all again', () => {
    const { ipc, unregister } = setUp();
    expect([...ipc.handlers.keys()].sort()).toEqual(API_METHODS.map((method) => `api:${method}`).sort());
    unregister();
    expect(ipc.handlers.size).toBe(0);
  });

  it('passes a valid argument to the API and returns its result', async () => {
    const { api, calls } = recordingApi();
    const { bridge } = setUp(api);
    await expect(bridge.listRuns({ limit: 20 })).resolves.toEqual({ answeredBy: 'listRuns', args: { limit: 20 } });
    await expect(bridge.getOverview()).resolves.toEqual({ answeredBy: 'getOverview', args: undefined });
    expect(calls.map((call) => call.method)).toEqual(['listRuns', 'getOverview']);
  });

  it('refuses malformed arguments with a message naming the problem, without calling the API', async () => {
    const { api, calls } = recordingApi();
    const { bridge, ipc } = setUp(api);
    await expect(bridge.listRuns({ limit: 0 })).rejects.toThrow(/^Invalid argument for listRuns: limit: /);
    await expect(bridge.getRun({ runId: 'one' as unknown as number })).rejects.toThrow(
      /Invalid argument for getRun: runId/,
    );
    await expect(bridge.setSchedule({ everyHours: 5 as 6 })).rejects.toThrow(
      /Invalid argument for setSchedule: everyHours/,
    );
    // Extra keys (strict schemas), an argument to a method that takes none, and extra arguments.
    await expect(
      bridge.queryRecords({ table: 'accounts', offset: 0, limit: 10, sql: 'DROP TABLE' } as never),
    ).rejects.toThrow(/Invalid argument for queryRecords/);
    await expect((bridge.syncNow as (args: unknown) => Promise<unknown>)({ force: true })).rejects.toThrow(
      /Invalid argument for syncNow/,
    );
    const reply = await ipc.renderer.invoke('api:listRuns', { limit: 1 }, { limit: 2 });
    expect(reply).toEqual({
      ok: false,
      message: 'Invalid argument for listRuns: it takes at most one argument, 2 were sent.',
    });
    expect(calls).toEqual([]);
  });

  it('refuses requests from another webContents, a sub-frame, a foreign page or a vanished frame', async () => {
    const { api, calls } = recordingApi();
    const { ipc, bridge, logs } = setUp(api);
    const attempts = [
      { sender: { id: WINDOW_ID + 1 }, senderFrame: { url: 'app://s3-csv-sync/index.html', parent: null } },
      {
        sender: { id: WINDOW_ID },
        senderFrame: { url: 'app://s3-csv-sync/index.html', parent: { url: 'app://s3-csv-sync/' } },
      },
      { sender: { id: WINDOW_ID }, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: { id: WINDOW_ID }, senderFrame: { url: 'app://s3-csv-sync.evil.example/index.html', parent: null } },
      { sender: { id: WINDOW_ID }, senderFrame: { url: 'file:///etc/passwd', parent: null } },
      { sender: { id: WINDOW_ID }, senderFrame: null },
    ];
    for (const attempt of attempts) {
      ipc.sender = attempt;
      await expect(bridge.exportConfig()).rejects.toThrow(/^Request refused: /);
    }
    expect(calls).toEqual([]);
    expect(logs).toHaveLength(attempts.length);
    expect(logs[0]).toBe('Refused the IPC request exportConfig: it did not come from the S3 CSV Sync window.');
  });

  it('refuses everything while there is no window', async () => {
    const { api, calls } = recordingApi();
    const ipc = new FakeIpc();
    registerApiHandlers(ipc.main, api, { windowContentsId: () => null, isAppUrl: () => true }, { log: () => {} });
    await expect(createBridge(ipc.renderer).getOverview()).rejects.toThrow('Request refused');
    expect(calls).toEqual([]);
  });

  it('returns a failing handler’s message without its stack, and never the secret it was given', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const { api } = recordingApi();
    const failing: ApiHandlers = {
      ...api,
      async testConnection(input) {
        throw new Error(
          `Signature mismatch for ${input.secretAccessKey}\n    at sign (s3.js:1:1)\n    at main (main.js:2:2)`,
        );
      },
    };
    const logs: string[] = [];
    const { bridge } = setUp(failing, logs);
    const connection = { bucket: 'acme-exports', prefix: '', region: 'us-east-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' };
    const error = await bridge.testConnection({ connection, secretAccessKey: secret }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('Signature mismatch for [redacted]');
    expect(logs.join('\n')).not.toContain(secret);
  });

  it('says something plain when a handler throws a non-Error', () => {
    expect(plainMessage('boom')).toBe('The request failed unexpectedly; see the application log.');
    expect(plainMessage(new Error('Bucket "x" does not exist.'))).toBe('Bucket "x" does not exist.');
  });
});

describe('createBridge (window.s3sync)', () => {
  it('exposes exactly the named API methods and on(): no generic invoke or send', () => {
    const { bridge } = setUp();
    expect(Object.keys(bridge).sort()).toEqual([...API_METHODS, 'on'].sort());
    expect(Object.isFrozen(bridge)).toBe(true);
    for (const name of ['invoke', 'send', 'sendSync', 'ipcRenderer', 'postMessage'])
      expect(bridge).not.toHaveProperty(name);
  });

  it('delivers subscribed events (payload only) until unsubscribed, and refuses unknown events', () => {
    const { ipc, bridge } = setUp();
    const received: unknown[][] = [];
    const unsubscribe = bridge.on('schedulerChanged', (...args: unknown[]) => received.push(args));
    ipc.deliver('event:schedulerChanged', { paused: true });
    unsubscribe();
    unsubscribe();
    ipc.deliver('event:schedulerChanged', { paused: false });
    expect(received).toEqual([[{ paused: true }]]);
    expect(ipc.listenerCount('event:schedulerChanged')).toBe(0);
    expect(() => bridge.on('api:getOverview' as ApiEvent, () => {})).toThrow(/Unknown event "api:getOverview"/);
    expect(() => bridge.on('schedulerChanged', 'not a function' as never)).toThrow('The listener must be a function.');
  });
});

describe('the desktop navigate event', () => {
  it('is kept until the page subscribes, so a click on a notification during load is not lost', async () => {
    const { ipc, bridge } = setUp();
    ipc.deliver('event:navigate', { screen: 'log', runId: 3 });
    ipc.deliver('event:navigate', { screen: 'log', runId: 4 });
    const seen: unknown[] = [];
    const unsubscribe = bridge.on('navigate', (request) => seen.push(request));
    await Promise.resolve();
    expect(seen).toEqual([{ screen: 'log', runId: 4 }]);
    ipc.deliver('event:navigate', { screen: 'log', runId: 5 });
    expect(seen).toEqual([
      { screen: 'log', runId: 4 },
      { screen: 'log', runId: 5 },
    ]);
    // Delivered ones are not replayed to a later subscriber.
    unsubscribe();
    const later: unknown[] = [];
    bridge.on('navigate', (request) => later.push(request));
    await Promise.resolve();
    expect(later).toEqual([]);
  });

  it('is pushed on event:navigate like the API events', () => {
    const contents = new FakeWebContents();
    expect(pushEvent(contents, 'navigate', { screen: 'log', runId: 9 })).toBe(true);
    expect(contents.sent).toEqual([{ channel: 'event:navigate', args: [{ screen: 'log', runId: 9 }] }]);
  });
});

describe('forwardApiEvents', () => {
  it('pushes each API event to the current window on event:<name>, and nothing when there is none', () => {
    const listeners = new Map<ApiEvent, (payload: unknown) => void>();
    const source: EventSource = {
      on(event, listener) {
        listeners.set(event, listener as (payload: unknown) => void);
        return () => listeners.delete(event);
      },
    };
    let target: FakeWebContents | null = new FakeWebContents();
    const first = target;
    const stop = forwardApiEvents(source, () => target);
    expect([...listeners.keys()].sort()).toEqual([...API_EVENTS].sort());
    const state = { paused: false } as SchedulerState;
    listeners.get('schedulerChanged')!(state);
    target = null;
    listeners.get('schedulerChanged')!(state);
    const destroyed = new FakeWebContents();
    destroyed.destroyed = true;
    target = destroyed;
    listeners.get('runFinished')!({});
    expect(first.sent).toEqual([{ channel: 'event:schedulerChanged', args: [state] }]);
    expect(destroyed.sent).toEqual([]);
    stop();
    expect(listeners.size).toBe(0);
  });
});
