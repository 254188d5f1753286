// What the page may ask the browser for: one thing only, writing text to the clipboard ("Copy path"
// uses navigator.clipboard.writeText, which Chromium gates behind 'clipboard-sanitized-write'), and
// only the app's own window showing the app's own page. Camera, notifications, reading the
// clipboard and every other permission are refused; notifications come from the main process.
import type { Session } from 'electron';

export const ALLOWED_PERMISSION = 'clipboard-sanitized-write';

export interface PermissionPolicy {
  /** The id of the main window's webContents, or null while there is no window. */
  windowContentsId(): number | null;
  /** Whether a URL or origin is the app's own page (app://s3-csv-sync, or the dev server in development). */
  isAppUrl(url: string): boolean;
}

type SessionLike = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;

export function restrictPermissions(session: SessionLike, policy: PermissionPolicy): void {
  const fromAppWindow = (contents: { id: number } | null, url: string | undefined, isMainFrame: boolean) =>
    contents !== null &&
    contents.id === policy.windowContentsId() &&
    isMainFrame &&
    url !== undefined &&
    policy.isAppUrl(url);
  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    const requestingUrl = 'requestingUrl' in details ? details.requestingUrl : undefined;
    callback(permission === ALLOWED_PERMISSION && fromAppWindow(contents, requestingUrl, details.isMainFrame));
  });
  session.setPermissionCheckHandler(
    (contents, permission, requestingOrigin, details) =>
      permission === ALLOWED_PERMISSION &&
      fromAppWindow(contents, details.requestingUrl ?? requestingOrigin, details.isMainFrame),
  );
}
