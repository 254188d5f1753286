// Rows synced and rejected per run over time, drawn as SVG: a bar per run (synced below, rejected
// stacked on top in red) on a log scale, so a 2,000-row run still shows beside a 300,000-row one; a
// tooltip on hover, a caption, and a hidden table for screen readers.
import { useState } from 'react';
import type { RunChartPoint } from '../../../electron/shared/contract';
import { formatDateTime, formatNumber } from '../lib/format';

const WIDTH = 760;
const HEIGHT = 200;
const MARGIN = { top: 12, right: 12, bottom: 28, left: 56 };

/** The power of ten at or above the largest run (at least 10): the top of the log scale. */
export function logTop(value: number): number {
  return 10 ** Math.max(1, Math.ceil(Math.log10(Math.max(1, value))));
}

/** Ticks of the log scale: 0, then powers of ten up to the top (whole numbers only). */
export function logTicks(top: number): number[] {
  const ticks = [0];
  // Past 100 the tick at 1 sits on top of the 0: start at 10.
  for (let t = top > 100 ? 10 : 1; t <= top; t *= 10) ticks.push(t);
  return ticks;
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact' });
/** The smallest visible bar segment, in SVG units: grown upwards, never below the axis. */
const MIN_SEGMENT = 2;

export function RunChart({ points }: { points: RunChartPoint[] }) {
  const [hovered, setHovered] = useState<number | null>(null);
  if (points.length === 0) return null;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const top = logTop(Math.max(...points.map((p) => p.rows)));
  const first = Date.parse(points[0]!.startedAt);
  const last = Date.parse(points[points.length - 1]!.startedAt);
  // One slot per run, oldest on the left (runs come in bursts, so a time axis would pile them up).
  const slot = plotWidth / Math.max(points.length, 1);
  const barWidth = Math.max(2, Math.min(28, slot * 0.6));
  const x = (index: number) => MARGIN.left + slot * (index + 0.5);
  const base = MARGIN.top + plotHeight;
  const y = (value: number) => base - (Math.log10(1 + Math.max(0, value)) / Math.log10(1 + top)) * plotHeight;
  const ticks = logTicks(top);
  const totalRows = points.reduce((sum, p) => sum + p.rows, 0);
  const totalRejected = points.reduce((sum, p) => sum + p.rejected, 0);
  const summary =
    `${points.length} runs from ${formatDateTime(first)} to ${formatDateTime(last)}: ` +
    `${formatNumber(totalRows)} rows read, ${formatNumber(totalRejected)} rejected.`;

  return (
    <figure className="run-chart">
      <figcaption>
        <span className="chart-title">
          Rows per run <span className="muted">(log scale)</span>
        </span>
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
              {compact.format(tick)}
            </text>
          </g>
        ))}
        {points.map((p, i) => {
          const cx = x(i);
          const synced = Math.max(0, p.rows - p.rejected);
          // Each segment at least MIN_SEGMENT tall, stacked upwards from the axis.
          const syncedTop = synced > 0 ? Math.min(y(synced), base - MIN_SEGMENT) : base;
          const rejectedTop = p.rejected > 0 ? Math.min(y(p.rows), syncedTop - MIN_SEGMENT) : syncedTop;
          return (
            <g
              key={p.runId}
              className="chart-run"
              onMouseEnter={() => setHovered(i)}
              onMouseLeave={() => setHovered((current) => (current === i ? null : current))}
            >
              <rect x={cx - slot / 2} y={MARGIN.top} width={slot} height={plotHeight} className="chart-hit" />
              {synced > 0 && (
                <rect
                  x={cx - barWidth / 2}
                  y={syncedTop}
                  width={barWidth}
                  height={base - syncedTop}
                  className={`chart-bar chart-bar-${p.status}`}
                />
              )}
              {p.rejected > 0 && (
                <rect
                  x={cx - barWidth / 2}
                  y={rejectedTop}
                  width={barWidth}
                  height={syncedTop - rejectedTop}
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
      {hovered !== null && points[hovered] && (
        <div
          className="chart-tooltip"
          role="tooltip"
          style={{
            left: `${Math.min(85, Math.max(15, (x(hovered) / WIDTH) * 100))}%`,
          }}
        >
          <strong>Run {points[hovered].runId}</strong> · {formatDateTime(points[hovered].startedAt)}
          <br />
          {formatNumber(Math.max(0, points[hovered].rows - points[hovered].rejected))} rows synced,{' '}
          {formatNumber(points[hovered].rejected)} rejected ({points[hovered].status})
        </div>
      )}
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
