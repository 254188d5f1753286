// The window: a sidebar of screens, a top bar with the sync status, "Sync now" and live progress,
// the overview's warnings, and the current screen.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type {
  DesktopS3SyncApi,
  Overview,
  RunReport,
  S3SyncApi,
  SchedulerState,
  SyncProgress,
} from '../../../electron/shared/contract';
import { Banner } from '../components/Banner';
import { formatNumber } from '../lib/format';
import { ConnectionScreen } from '../screens/ConnectionScreen';
import { DataScreen } from '../screens/DataScreen';
import { ObjectsScreen } from '../screens/ObjectsScreen';
import { ScheduleScreen } from '../screens/ScheduleScreen';
import { SyncLogScreen } from '../screens/SyncLogScreen';
import { AppContext, SCREENS, type AppContextValue, type Notice, type ScreenId } from './app-context';
import { SyncBar } from './SyncBar';

/** The Query screen brings CodeMirror along: loaded when first opened, not with the window. */
const QueryScreen = lazy(() => import('../screens/QueryScreen').then((m) => ({ default: m.QueryScreen })));

function screenFromHash(hash: string): ScreenId | null {
  const id = hash.replace(/^#\/?/, '');
  return SCREENS.some((s) => s.id === id) ? (id as ScreenId) : null;
}

/** Only the desktop app pushes `navigate`; the web preview passes no `desktop`. */
type DesktopEventSource = Pick<DesktopS3SyncApi, 'on'>;

export function App({ api, desktop }: { api: S3SyncApi; desktop?: DesktopEventSource }) {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [scheduler, setScheduler] = useState<SchedulerState | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  /** Counts schedulerChanged events, so an overview fetched before the latest one cannot undo it. */
  const schedulerEvents = useRef(0);

  const refreshOverview = useCallback(async () => {
    const eventsBefore = schedulerEvents.current;
    const next = await api.getOverview();
    setOverview(next);
    if (schedulerEvents.current === eventsBefore) setScheduler(next.scheduler);
    return next;
  }, [api]);

  useEffect(() => {
    refreshOverview().catch((error: Error) => setLoadError(error.message));
  }, [refreshOverview]);

  useEffect(
    () =>
      api.on('schedulerChanged', (state) => {
        schedulerEvents.current++;
        setScheduler(state);
      }),
    [api],
  );

  if (loadError) {
    return (
      <div className="startup">
        <Banner tone="error" title="The window could not reach the sync back end">
          {loadError}
        </Banner>
        <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
          Try again
        </button>
      </div>
    );
  }
  if (!overview || !scheduler) {
    return (
      <div className="startup" role="status">
        Loading…
      </div>
    );
  }
  return (
    <Shell api={api} desktop={desktop} overview={overview} scheduler={scheduler} refreshOverview={refreshOverview} />
  );
}

interface ShellProps {
  api: S3SyncApi;
  desktop: DesktopEventSource | undefined;
  overview: Overview;
  scheduler: SchedulerState;
  refreshOverview: () => Promise<Overview>;
}

function Shell({ api, desktop, overview, scheduler, refreshOverview }: ShellProps) {
  const [screen, setScreen] = useState<ScreenId>(
    () => screenFromHash(window.location.hash) ?? (overview.config ? 'log' : 'connection'),
  );
  const [progress, setProgress] = useState<SyncProgress | null>(null);
  const [lastFinished, setLastFinished] = useState<RunReport | null>(null);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [settingsNoticeDismissed, setSettingsNoticeDismissed] = useState(false);
  const [focusRun, setFocusRun] = useState<{ runId: number | null } | null>(null);
  const headingFocus = useRef(false);
  const objectDrafts = useRef(new Map<string, unknown>()).current;
  const noticeId = useRef(0);

  const notify = useCallback((tone: Notice['tone'], text: string, link?: Notice['link']) => {
    const id = ++noticeId.current;
    setNotices((current) => [...current.slice(-2), { id, tone, text, ...(link ? { link } : {}) }]);
    if (tone === 'success' || tone === 'info')
      window.setTimeout(() => setNotices((current) => current.filter((n) => n.id !== id)), 8000);
  }, []);

  useEffect(() => {
    const offs = [
      api.on('schedulerChanged', (state) => {
        if (!state.running) setProgress(null);
      }),
      api.on('syncProgress', setProgress),
      api.on('runFinished', (report) => {
        setProgress(null);
        setLastFinished(report);
        const counts = report.counts;
        const summary =
          `${formatNumber(counts.rows)} rows read, ${formatNumber(counts.created)} created, ` +
          `${formatNumber(counts.updated)} updated, ${formatNumber(counts.rejected)} rejected`;
        const toLog = { label: 'See the Sync log', screen: 'log' } as const;
        if (report.status === 'succeeded') notify('success', `Sync finished: ${summary}.`);
        else if (report.status === 'partial') notify('warning', `Sync finished with failed files: ${summary}.`, toLog);
        else notify('error', `Sync ${report.status}: ${report.error ?? 'the run read nothing.'}`, toLog);
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [api, notify]);

  useEffect(() => {
    const onHashChange = () => {
      const next = screenFromHash(window.location.hash);
      if (next) setScreen(next);
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);

  const navigate = useCallback((next: ScreenId) => {
    headingFocus.current = true;
    setScreen(next);
    if (window.location.hash !== `#/${next}`) window.history.replaceState(window.history.state, '', `#/${next}`);
  }, []);

  // The desktop app opens a run's log when its notification is clicked.
  useEffect(() => {
    if (!desktop) return;
    return desktop.on('navigate', (request) => {
      setFocusRun({ runId: request.runId });
      navigate(request.screen);
    });
  }, [desktop, navigate]);

  // After choosing a screen, move focus to its heading so keyboard and screen-reader users land there.
  useEffect(() => {
    if (!headingFocus.current) return;
    headingFocus.current = false;
    document.querySelector<HTMLElement>('#content h1')?.focus();
  }, [screen]);

  const syncNow = useCallback(async () => {
    try {
      const result = await api.syncNow();
      if (result.started) notify('info', 'Sync started.');
      else notify('warning', result.reason);
    } catch (error) {
      notify('error', (error as Error).message);
    }
  }, [api, notify]);

  const context = useMemo<AppContextValue>(
    () => ({
      api,
      overview,
      refreshOverview,
      scheduler,
      progress,
      lastFinished,
      syncNow,
      navigate,
      focusRun,
      notify,
      objectDrafts,
    }),
    [
      api,
      overview,
      refreshOverview,
      scheduler,
      progress,
      lastFinished,
      syncNow,
      navigate,
      focusRun,
      notify,
      objectDrafts,
    ],
  );

  return (
    <AppContext.Provider value={context}>
      <a
        className="skip-link"
        href="#content"
        onClick={(e) => (e.preventDefault(), document.getElementById('content')?.focus())}
      >
        Skip to content
      </a>
      <div className="app">
        <aside className="sidebar">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true" />
            S3 CSV Sync
          </div>
          <nav aria-label="Screens">
            <ul className="nav-list">
              {SCREENS.map((s) => (
                <li key={s.id}>
                  <a
                    href={`#/${s.id}`}
                    className="nav-item"
                    aria-current={s.id === screen ? 'page' : undefined}
                    onClick={(event) => {
                      event.preventDefault();
                      navigate(s.id);
                    }}
                  >
                    {s.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {overview.config && (
            <p className="sidebar-foot">
              <span className="muted">Bucket</span>
              <br />
              <span className="mono">
                {overview.config.connection.bucket}/{overview.config.connection.prefix}
              </span>
            </p>
          )}
        </aside>
        <div className="main">
          {/* The notices hang under the top bar, clear of the Save buttons at the foot of each screen. */}
          <div className="top">
            <SyncBar />
            <Notices
              notices={notices}
              onDismiss={(id) => setNotices((c) => c.filter((x) => x.id !== id))}
              onNavigate={navigate}
            />
          </div>
          <div className="banners">
            {overview.settingsNotice && !settingsNoticeDismissed && (
              <Banner
                tone="warning"
                title="Your settings file was damaged and set aside"
                onDismiss={() => setSettingsNoticeDismissed(true)}
              >
                {overview.settingsNotice}
              </Banner>
            )}
            {overview.keychainProblem && (
              <Banner tone="error" title="The keychain cannot be used">
                {overview.keychainProblem}
              </Banner>
            )}
          </div>
          <main id="content" className="content" tabIndex={-1}>
            {screen === 'connection' && <ConnectionScreen />}
            {screen === 'objects' && <ObjectsScreen />}
            {screen === 'schedule' && <ScheduleScreen />}
            {screen === 'log' && <SyncLogScreen />}
            {screen === 'data' && <DataScreen />}
            {screen === 'query' && (
              <Suspense fallback={<p role="status">Loading…</p>}>
                <QueryScreen />
              </Suspense>
            )}
          </main>
        </div>
      </div>
    </AppContext.Provider>
  );
}

function Notices({
  notices,
  onDismiss,
  onNavigate,
}: {
  notices: Notice[];
  onDismiss: (id: number) => void;
  onNavigate: (screen: ScreenId) => void;
}) {
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.tone}`}>
          <span>
            {n.text}
            {n.link && (
              <>
                {' '}
                <a
                  href={`#/${n.link.screen}`}
                  onClick={(event) => {
                    event.preventDefault();
                    onDismiss(n.id);
                    onNavigate(n.link!.screen);
                  }}
                >
                  {n.link.label}
                </a>
              </>
            )}
          </span>
          <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => onDismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
