// Rows synced and rejected per run over time, drawn as SVG: a bar per run (synced below, rejected
// stacked on top in red), runs placed by start time, with a caption and a hidden table for screen readers.
import type { RunChartPoint } from '../../../electron/shared/contract';
import { formatDateTime, formatNumber } from '../lib/format';

const WIDTH = 760;
const HEIGHT = 200;
const MARGIN = { top: 12, right: 12, bottom: 28, left: 56 };

function niceMax(value: number): number {
  if (value <= 0) return 10;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * magnitude >= value)!;
  return step * magnitude;
}

export function RunChart({ points }: { points: RunChartPoint[] }) {
  if (points.length === 0) return null;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const max = niceMax(Math.max(...points.map((p) => p.rows)));
  const first = Date.parse(points[0]!.startedAt);
  const last = Date.parse(points[points.length - 1]!.startedAt);
  // One slot per run, oldest on the left (runs come in bursts, so a time axis would pile them up).
  const slot = plotWidth / Math.max(points.length, 1);
  const barWidth = Math.max(2, Math.min(28, slot * 0.6));
  const x = (index: number) => MARGIN.left + slot * (index + 0.5);
  const y = (value: number) => MARGIN.top + plotHeight - (value / max) * plotHeight;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  const totalRows = points.reduce((sum, p) => sum + p.rows, 0);
  const totalRejected = points.reduce((sum, p) => sum + p.rejected, 0);
  const summary =
    `${points.length} runs from ${formatDateTime(first)} to ${formatDateTime(last)}: ` +
    `${formatNumber(totalRows)} rows read, ${formatNumber(totalRejected)} rejected.`;

  return (
    <figure className="run-chart">
      <figcaption>
        <span className="chart-title">Rows per run</span>
        <span className="legend">
          <span className="legend-swatch legend-synced" aria-hidden="true" /> Synced
          <span className="legend-swatch legend-rejected" aria-hidden="true" /> Rejected
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(tick)} y2={y(tick)} className="chart-grid" />
            <text x={MARGIN.left - 8} y={y(tick)} dy="0.32em" textAnchor="end" className="chart-tick">
              {formatNumber(Math.round(tick))}
            </text>
          </g>
        ))}
        {points.map((p, i) => {
          const cx = x(i);
          const synced = Math.max(0, p.rows - p.rejected);
          const syncedTop = y(synced);
          const rejectedTop = y(p.rows);
          return (
            <g key={p.runId}>
              <title>
                {`Run ${p.runId}, ${formatDateTime(p.startedAt)}: ` +
                  `${formatNumber(synced)} rows synced, ${formatNumber(p.rejected)} rejected (${p.status})`}
              </title>
              <rect
                x={cx - barWidth / 2}
                y={syncedTop}
                width={barWidth}
                height={Math.max(0, y(0) - syncedTop)}
                className={`chart-bar chart-bar-${p.status}`}
              />
              {p.rejected > 0 && (
                <rect
                  x={cx - barWidth / 2}
                  y={rejectedTop}
                  width={barWidth}
                  height={Math.max(1.5, syncedTop - rejectedTop)}
                  className="chart-bar-rejected"
                />
              )}
            </g>
          );
        })}
        <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(0)} y2={y(0)} className="chart-axis" />
        <text x={MARGIN.left} y={HEIGHT - 8} className="chart-tick">
          {formatDateTime(first)}
        </text>
        {points.length > 1 && (
          <text x={WIDTH - MARGIN.right} y={HEIGHT - 8} textAnchor="end" className="chart-tick">
            {formatDateTime(last)}
          </text>
        )}
      </svg>
      <table className="visually-hidden">
        <caption>Rows per run</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Started</th>
            <th scope="col">Rows synced</th>
            <th scope="col">Rejected</th>
          </tr>
        </thead>
        <tbody>
          {points.map((p) => (
            <tr key={p.runId}>
              <td>{p.runId}</td>
              <td>{formatDateTime(p.startedAt)}</td>
              <td>{Math.max(0, p.rows - p.rejected)}</td>
              <td>{p.rejected}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
