// Sync log: every run with its trigger, status, duration and counts, a chart of rows per run, and a
// run's detail: its files (imported, unchanged, failed with the reason) and its rejected rows.
import { useCallback, useEffect, useState } from 'react';
import type { RunChartPoint, RunDetail, RunSummary } from '../../../electron/shared/contract';
import { useApp } from '../app/app-context';
import { Banner } from '../components/Banner';
import { EmptyState } from '../components/EmptyState';
import { ExportButtons } from '../components/ExportButtons';
import { StatusBadge } from '../components/StatusBadge';
import { formatBytes, formatDateTime, formatDuration, formatNumber, formatShortDateTime, plural } from '../lib/format';
import { OBJECT_LABELS } from '../lib/object-types';
import { RunAlerts } from './RunAlerts';
import { RunChart } from './RunChart';
import { escapeHandler, useGridRows } from '../lib/use-grid-rows';

const RUNS_PAGE = 50;
const REJECTS_PAGE = 100;

const TRIGGERS: Record<string, string> = {
  manual: 'Sync now',
  schedule: 'Schedule',
  'settings-changed': 'Settings changed',
  startup: 'At start',
};

export function describeTrigger(trigger: string): string {
  return TRIGGERS[trigger] ?? trigger;
}

function duration(run: RunSummary): string {
  if (!run.finishedAt) return '—';
  return formatDuration(Date.parse(run.finishedAt) - Date.parse(run.startedAt));
}

/** What a run and a file both report about their rows; the two tables show them alike. */
interface RowCounts {
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
}

const ROW_COUNT_COLUMNS = ['Rows', 'Created', 'Updated', 'Skipped', 'Rejected'] as const;

function RowCountHeaders() {
  return (
    <>
      {ROW_COUNT_COLUMNS.map((label) => (
        <th key={label} scope="col" className="num">
          {label}
        </th>
      ))}
    </>
  );
}

function RowCountCells({ counts }: { counts: RowCounts }) {
  return (
    <>
      <td className="num">{formatNumber(counts.rows)}</td>
      <td className="num">{formatNumber(counts.created)}</td>
      <td className="num">{formatNumber(counts.updated)}</td>
      <td className="num">{formatNumber(counts.skipped)}</td>
      <td className={`num ${counts.rejected ? 'text-error' : ''}`}>{formatNumber(counts.rejected)}</td>
    </>
  );
}

export function SyncLogScreen() {
  const { api, lastFinished, scheduler, overview, navigate, syncNow, focusRun } = useApp();
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [hasOlder, setHasOlder] = useState(false);
  const [chart, setChart] = useState<RunChartPoint[]>([]);
  const [selectedId, setSelectedId] = useState<number | null>(focusRun?.runId ?? null);
  useEffect(() => {
    if (focusRun) setSelectedId(focusRun.runId);
  }, [focusRun]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [latest, points] = await Promise.all([api.listRuns({ limit: RUNS_PAGE }), api.runChart({ limit: 100 })]);
      setRuns(latest);
      setHasOlder(latest.length === RUNS_PAGE);
      setChart(points);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [api]);

  // Reload when a run starts or finishes, so the list shows it.
  useEffect(() => {
    void load();
  }, [load, lastFinished, scheduler.running]);

  // One tab stop for the runs, as for the Data screen's records: arrow keys move, Enter opens a run.
  const grid = useGridRows(runs?.length ?? 0, (index) => {
    const id = runs![index]!.id;
    setSelectedId(id === selectedId ? null : id);
  });
  const closeRun = useCallback(() => {
    setSelectedId(null);
    grid.focusRow(grid.active);
  }, [grid]);

  async function loadOlder() {
    if (!runs?.length) return;
    const older = await api.listRuns({ limit: RUNS_PAGE, beforeId: runs[runs.length - 1]!.id });
    setRuns([...runs, ...older]);
    setHasOlder(older.length === RUNS_PAGE);
  }

  return (
    <section aria-labelledby="log-title" className="screen">
      <div className="screen-head">
        <h1 id="log-title" tabIndex={-1}>
          Sync log
        </h1>
        <p className="screen-lead">
          Every sync, what it read and what it refused. Select a run to see its files and rejected rows.
        </p>
      </div>
      {error && (
        <Banner tone="error" title="The run log could not be read">
          {error}
        </Banner>
      )}
      {runs && runs.length === 0 && (
        <EmptyState
          title="No syncs yet"
          action={
            overview.config ? (
              <button type="button" className="btn btn-primary" onClick={() => void syncNow()}>
                Sync now
              </button>
            ) : (
              <button type="button" className="btn btn-primary" onClick={() => navigate('connection')}>
                Go to Connection
              </button>
            )
          }
        >
          {overview.config
            ? 'Map at least one object type on the Objects screen, then press Sync now (or set a schedule).'
            : 'Start by connecting to your bucket.'}
        </EmptyState>
      )}
      {runs && runs.length > 0 && (
        <>
          <div className="card">
            <RunChart points={chart} />
          </div>
          <div className="card card-flush">
            <div className="table-wrap">
              <table className="table runs-table" role="grid" aria-describedby="runs-keys">
                <caption className="visually-hidden">Sync runs, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Started</th>
                    <th scope="col">Trigger</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">
                      Duration
                    </th>
                    <th scope="col" className="num">
                      Files
                    </th>
                    <RowCountHeaders />
                  </tr>
                </thead>
                <tbody>
                  {runs.map((run, index) => (
                    <tr
                      key={run.id}
                      className={`record-row ${run.id === selectedId ? 'row-selected' : ''}`}
                      aria-selected={run.id === selectedId}
                      {...grid.rowProps(index)}
                    >
                      <td className="run-started">
                        {formatShortDateTime(run.startedAt)}
                        <span className="visually-hidden">, run {run.id}</span>
                      </td>
                      <td>{describeTrigger(run.trigger)}</td>
                      <td>
                        <StatusBadge status={run.status} />
                      </td>
                      <td className="num">{duration(run)}</td>
                      <td className="num">
                        {formatNumber(run.filesImported)} imported
                        {run.filesUnchanged > 0 && (
                          <div className="cell-sub">{formatNumber(run.filesUnchanged)} unchanged</div>
                        )}
                        {run.filesFailed > 0 && (
                          <div className="cell-sub text-error">{formatNumber(run.filesFailed)} failed</div>
                        )}
                      </td>
                      <RowCountCells counts={run} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p id="runs-keys" className="visually-hidden">
              Arrow keys move between runs; Enter opens one; Esc closes it.
            </p>
            {hasOlder && (
              <div className="table-foot">
                <button type="button" className="btn btn-secondary" onClick={() => void loadOlder()}>
                  Show older runs
                </button>
              </div>
            )}
          </div>
          {selectedId !== null && <RunDetailView runId={selectedId} onClose={closeRun} refreshKey={lastFinished} />}
        </>
      )}
    </section>
  );
}

function RunDetailView({ runId, onClose, refreshKey }: { runId: number; onClose: () => void; refreshKey: unknown }) {
  const { api } = useApp();
  const [detail, setDetail] = useState<RunDetail | null | undefined>(undefined);
  const [moreRejects, setMoreRejects] = useState<RunDetail['rejects']['items']>([]);
  // Alerts are delivered after the run is recorded: reload when this run's arrive.
  const [alertsKey, setAlertsKey] = useState(0);
  useEffect(
    () => api.on('alertsRecorded', (event) => event.runId === runId && setAlertsKey((k) => k + 1)),
    [api, runId],
  );

  useEffect(() => {
    let current = true;
    setMoreRejects([]);
    api.getRun({ runId, rejectsLimit: REJECTS_PAGE }).then(
      (d) => current && setDetail(d),
      () => current && setDetail(null),
    );
    return () => {
      current = false;
    };
  }, [api, runId, refreshKey, alertsKey]);

  // Esc closes the run, as it closes a record on the Data screen.
  useEffect(() => {
    const onKey = escapeHandler(onClose);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  // Once the run is there, take the keyboard to it.
  const loadedId = detail?.run.id;
  useEffect(() => {
    if (loadedId !== undefined) document.getElementById('run-detail-title')?.focus();
  }, [loadedId]);

  if (detail === undefined)
    return (
      <p className="muted" role="status">
        Loading run {runId}…
      </p>
    );
  if (detail === null) return <Banner tone="error">Run {runId} is no longer in the log.</Banner>;
  const { run, files } = detail;
  const rejects = [...detail.rejects.items, ...moreRejects];
  const overCap = Object.entries(run.overCap).filter(([, n]) => (n ?? 0) > 0);
  const failedFiles = files.filter((f) => f.status === 'failed');

  async function showMoreRejects() {
    const next = await api.getRun({ runId, rejectsOffset: rejects.length, rejectsLimit: REJECTS_PAGE });
    if (next) setMoreRejects((current) => [...current, ...next.rejects.items]);
  }

  return (
    <section id="run-detail" className="card run-detail" aria-labelledby="run-detail-title">
      <div className="detail-head">
        <h2 id="run-detail-title" tabIndex={-1}>
          Run {run.id} — {formatDateTime(run.startedAt, true)}
        </h2>
        <button type="button" className="btn btn-ghost" onClick={onClose}>
          Close
        </button>
      </div>
      <p>
        <StatusBadge status={run.status} /> {describeTrigger(run.trigger)} · {duration(run)} · {plural(run.rows, 'row')}{' '}
        read: {formatNumber(run.created)} created, {formatNumber(run.updated)} updated, {formatNumber(run.skipped)}{' '}
        skipped, {formatNumber(run.rejected)} rejected.
      </p>
      {run.error && run.status === 'partial' && failedFiles.length > 0 ? (
        <Banner tone="error" title={`${plural(failedFiles.length, 'file')} of ${formatNumber(files.length)} failed`}>
          <ul>
            {failedFiles.map((f) => (
              <li key={`${f.objectType}-${f.key}`}>
                <span className="mono">{f.key}</span>: {f.error}
              </li>
            ))}
          </ul>
        </Banner>
      ) : (
        run.error && (
          <Banner tone="error" title={run.status === 'interrupted' ? 'Why the run stopped' : 'Why the run failed'}>
            {run.error}
          </Banner>
        )
      )}
      {overCap.length > 0 && (
        <Banner tone="warning" title="Files beyond the 1,000-file limit were not read">
          {overCap
            .map(([type, n]) => `${OBJECT_LABELS[type as keyof typeof OBJECT_LABELS]}: ${plural(n ?? 0, 'file')}`)
            .join('; ')}
          . Narrow the file pattern, or move old exports out of the prefix.
        </Banner>
      )}

      <RunAlerts alerts={detail.alerts} />
      {run.filesGone.length > 0 && (
        <Banner tone="warning" title={`${plural(run.filesGone.length, 'file')} left the sync in this run`}>
          <ul>
            {run.filesGone.map((f) => (
              <li key={`${f.objectType}-${f.key}`}>
                <span className="mono">{f.key}</span> ({OBJECT_LABELS[f.objectType]}):{' '}
                {f.reason === 'deleted' ? 'no longer in the bucket' : 'no longer selected by the file pattern'}
              </li>
            ))}
          </ul>
          Their records stay in the database; those that no other file holds are marked stale on the Data screen.
        </Banner>
      )}

      <h3>Files</h3>
      {files.length === 0 ? (
        <p className="muted">No file was read in this run.</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-compact">
            <caption className="visually-hidden">Files of run {run.id}</caption>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Key</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Size
                </th>
                <RowCountHeaders />
              </tr>
            </thead>
            <tbody>
              {files.map((file, i) => (
                <tr key={`${file.key}-${i}`}>
                  <td>{OBJECT_LABELS[file.objectType]}</td>
                  <td className="mono wrap">
                    {file.key}
                    {file.error && <div className="cell-error">{file.error}</div>}
                    {file.warnings.map((w) => (
                      <div key={w} className="cell-warning">
                        {w}
                      </div>
                    ))}
                  </td>
                  <td>
                    <StatusBadge status={file.status} />
                  </td>
                  <td className="num">{file.size === null ? '—' : formatBytes(file.size)}</td>
                  <RowCountCells counts={file} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h3>
        Rejected rows <span className="muted">({formatNumber(detail.rejects.total)})</span>
      </h3>
      {detail.rejects.total === 0 ? (
        <p className="muted">No row was rejected.</p>
      ) : (
        <>
          <ExportButtons
            source={{ kind: 'rejects', runId: run.id }}
            label={`Export the rejected rows of run ${run.id}`}
            traitsOption={false}
          />
          <div className="table-wrap">
            <table className="table table-compact rejects-table">
              <caption className="visually-hidden">Rejected rows of run {run.id}</caption>
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col" className="num">
                    Line
                  </th>
                  <th scope="col">Reason</th>
                  <th scope="col">Raw text</th>
                </tr>
              </thead>
              <tbody>
                {rejects.map((r, i) => (
                  <tr key={`${r.key}-${r.line}-${i}`}>
                    <td className="mono wrap">{r.key}</td>
                    <td className="num">{r.line}</td>
                    <td>{r.reason}</td>
                    <td>
                      <code className="raw">{r.raw}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rejects.length < detail.rejects.total && (
            <div className="table-foot">
              <span className="muted">
                Showing {formatNumber(rejects.length)} of {formatNumber(detail.rejects.total)}
              </span>
              <button type="button" className="btn btn-secondary" onClick={() => void showMoreRejects()}>
                Show more
              </button>
            </div>
          )}
          {rejects.length === detail.rejects.total && run.rejected > detail.rejects.total && (
            <p className="hint">
              Only the first 1,000 rejected rows of each file are kept; all {formatNumber(run.rejected)} are counted.
            </p>
          )}
        </>
      )}
    </section>
  );
}
