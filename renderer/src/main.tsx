// Entry point: the API comes from the Electron preload (window.s3sync) or, in the web preview, from
// loopback HTTP with the token the page address carries.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { DesktopS3SyncApi, S3SyncApi } from '../../electron/shared/contract';
import { createHttpApi, takePreviewToken } from './api/http-client';
import { App } from './app/App';
import { MissingTokenPage } from './app/MissingTokenPage';
import './styles/base.css';
import './styles/components.css';
import './styles/screens.css';
import './styles/workbench.css';

declare global {
  interface Window {
    /** Set by the desktop app's preload; absent in the web preview. */
    s3sync?: DesktopS3SyncApi;
  }
}

function chooseApi(): S3SyncApi | null {
  if (window.s3sync) return window.s3sync;
  const token = takePreviewToken(window.location, window.history, window.sessionStorage);
  if (!token) return null;
  return createHttpApi({ baseUrl: new URL('.', window.location.href).toString(), token });
}

const api = chooseApi();
createRoot(document.getElementById('root')!).render(
  <StrictMode>{api ? <App api={api} desktop={window.s3sync} /> : <MissingTokenPage />}</StrictMode>,
);
