/** The app's id: electron-builder's appId, and the Windows AppUserModelID (notifications need them equal). */
export const APP_ID = 'com.s3csvsync.app';
