// The fakes behave as Electron's documentation says, so the shell's tests cannot pass on kindness:
// IPC uses the structured clone algorithm, maximize() shows a window, a page is loading until loaded.
import { describe, expect, it } from 'vitest';
import { FakeBrowserWindow, FakeIpc } from './fakes';

describe('FakeIpc', () => {
  it('structured-clones arguments and results: Dates, Maps and undefined survive; a function throws', async () => {
    const ipc = new FakeIpc();
    const received: unknown[] = [];
    ipc.main.handle('api:echo', (_event, ...args) => {
      received.push(...args);
      return { at: new Date(0), tags: new Map([['a', 1]]), missing: undefined };
    });
    const answer = (await ipc.renderer.invoke('api:echo', new Date(5), new Map([['k', 'v']]), undefined)) as Record<
      string,
      unknown
    >;
    expect(received[0]).toEqual(new Date(5));
    expect(received[1]).toEqual(new Map([['k', 'v']]));
    expect(received).toHaveLength(3);
    expect(answer.at).toBeInstanceOf(Date);
    expect(answer.tags).toBeInstanceOf(Map);
    expect('missing' in answer).toBe(true);
    await expect(ipc.renderer.invoke('api:echo', { callback: () => {} })).rejects.toThrow(/could not be cloned/);
  });
});

describe('FakeBrowserWindow', () => {
  it('is shown by maximize() (Electron: "also shows the window"), blank if its page is not ready', () => {
    const window = new FakeBrowserWindow({ show: false });
    window.maximize();
    expect(window).toMatchObject({ visible: true, maximized: true, shownBeforeReady: true });
  });

  it('is loading from loadURL until its page has loaded', async () => {
    const window = new FakeBrowserWindow({ show: false });
    await window.loadURL('app://s3-csv-sync/index.html');
    expect(window.webContents.isLoading()).toBe(true);
    window.webContents.finishLoad();
    expect(window.webContents.isLoading()).toBe(false);
  });
});
