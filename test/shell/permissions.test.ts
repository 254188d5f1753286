// The page may ask for one permission only, 'clipboard-sanitized-write' (navigator.clipboard.writeText
// behind "Copy path"), and only from the app's own window showing the app's own page.
import { describe, expect, it } from 'vitest';
import type { Session } from 'electron';
import { isAppUrl } from '../../electron/main/app-protocol';
import { ALLOWED_PERMISSION, restrictPermissions } from '../../electron/main/permissions';

type RequestHandler = Parameters<Session['setPermissionRequestHandler']>[0] & {};
type CheckHandler = Parameters<Session['setPermissionCheckHandler']>[0] & {};

function setUp(windowId: number | null = 7) {
  let request!: RequestHandler;
  let check!: CheckHandler;
  restrictPermissions(
    {
      setPermissionRequestHandler: (handler) => (request = handler!),
      setPermissionCheckHandler: (handler) => (check = handler!),
    },
    { windowContentsId: () => windowId, isAppUrl: (url) => isAppUrl(url) },
  );
  /** Electron asks the request handler and waits for its callback. */
  const ask = (contentsId: number, permission: string, url = 'app://s3-csv-sync/index.html', isMainFrame = true) => {
    let answer: boolean | undefined;
    request({ id: contentsId } as never, permission as never, (granted) => (answer = granted), {
      requestingUrl: url,
      isMainFrame,
    });
    return answer;
  };
  const checks = (contentsId: number | null, permission: string, origin = 'app://s3-csv-sync') =>
    check(contentsId === null ? null : ({ id: contentsId } as never), permission as never, origin, {
      isMainFrame: true,
      requestingUrl: `${origin}/index.html`,
    });
  return { ask, checks };
}

describe('permissions', () => {
  it('grant writing to the clipboard to the app’s own window and page, on request and on check', () => {
    const { ask, checks } = setUp();
    expect(ALLOWED_PERMISSION).toBe('clipboard-sanitized-write');
    expect(ask(7, 'clipboard-sanitized-write')).toBe(true);
    expect(checks(7, 'clipboard-sanitized-write')).toBe(true);
  });

  it('refuse every other permission, reading the clipboard included', () => {
    const { ask, checks } = setUp();
    for (const permission of ['clipboard-read', 'notifications', 'media', 'geolocation', 'openExternal', 'unknown']) {
      expect(ask(7, permission), permission).toBe(false);
      expect(checks(7, permission), permission).toBe(false);
    }
  });

  it('refuse the clipboard to another webContents, another page, a frame, or when there is no window', () => {
    expect(setUp().ask(8, 'clipboard-sanitized-write')).toBe(false);
    expect(setUp().ask(7, 'clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(setUp().ask(7, 'clipboard-sanitized-write', 'app://s3-csv-sync/index.html', false)).toBe(false);
    expect(setUp().checks(null, 'clipboard-sanitized-write')).toBe(false);
    expect(setUp().checks(7, 'clipboard-sanitized-write', 'https://evil.example')).toBe(false);
    expect(setUp(null).ask(7, 'clipboard-sanitized-write')).toBe(false);
  });
});
