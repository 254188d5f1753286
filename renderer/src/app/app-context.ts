// What every screen shares: the API, the overview (config, secret status, database path), the
// scheduler's state and live progress (kept current by the API's events), and navigation.
import { createContext, useContext } from 'react';
import type { Overview, RunReport, S3SyncApi, SchedulerState, SyncProgress } from '../../../electron/shared/contract';

export const SCREENS = [
  { id: 'connection', label: 'Connection' },
  { id: 'objects', label: 'Objects' },
  { id: 'schedule', label: 'Schedule' },
  { id: 'log', label: 'Sync log' },
  { id: 'data', label: 'Data' },
  { id: 'query', label: 'Query' },
] as const;
export type ScreenId = (typeof SCREENS)[number]['id'];

export interface Notice {
  id: number;
  tone: 'info' | 'success' | 'warning' | 'error';
  text: string;
  /** A screen the notice points to, shown as a link after the text. */
  link?: { label: string; screen: ScreenId };
}

export interface AppContextValue {
  api: S3SyncApi;
  overview: Overview;
  refreshOverview(): Promise<Overview>;
  scheduler: SchedulerState;
  progress: SyncProgress | null;
  /** The latest run that finished while the window was open; screens refresh when it changes. */
  lastFinished: RunReport | null;
  syncNow(): Promise<void>;
  navigate(screen: ScreenId): void;
  /** A run the Sync log should open (the desktop app asks for one when its notification is clicked). */
  focusRun: { runId: number | null } | null;
  notify(tone: Notice['tone'], text: string, link?: Notice['link']): void;
  /** Unsaved Objects drafts by type, kept while the analyst visits other screens. */
  objectDrafts: Map<string, unknown>;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp() outside <App>');
  return value;
}
