// A chart of a query result (chart.js on a canvas: no injected styles, so the page's CSP holds):
// a line for a time column, bars for categories, one series per value of a second text column.
import { useEffect, useRef } from 'react';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { QueryValue } from '../../../electron/shared/contract';
import { chartData, type ChartShape } from '../lib/chart-shape';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
);

const PALETTE = [
  '#2563eb',
  '#16a34a',
  '#dc2626',
  '#9333ea',
  '#ea580c',
  '#0891b2',
  '#ca8a04',
  '#db2777',
  '#4b5563',
  '#65a30d',
  '#7c3aed',
  '#0d9488',
];

interface ResultChartProps {
  columns: string[];
  rows: QueryValue[][];
  shape: ChartShape;
  title: string;
  /** Shown under the chart, e.g. that only the first rows are drawn. */
  note?: string;
}

export function ResultChart({ columns, rows, shape, title, note }: ResultChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const data = chartData(columns, rows, shape);
    const chart = new Chart(canvas.current!, {
      type: shape.kind,
      data: {
        labels: data.labels,
        datasets: data.datasets.map((d, i) => ({
          label: d.label,
          data: d.data,
          borderColor: PALETTE[i % PALETTE.length],
          backgroundColor: PALETTE[i % PALETTE.length],
          spanGaps: true,
          pointRadius: data.labels.length > 60 ? 0 : 2,
        })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { display: data.datasets.length > 1 } },
        scales: {
          y: { title: { display: true, text: columns[shape.y] } },
          x: { title: { display: true, text: columns[shape.x] } },
        },
      },
    });
    return () => chart.destroy();
  }, [columns, rows, shape]);

  const summary = `${title}: ${columns[shape.y]} by ${columns[shape.x]}${shape.series !== null ? ` for each ${columns[shape.series]}` : ''}, ${rows.length} rows.`;
  return (
    <figure className="result-chart">
      <figcaption className="chart-title">{title}</figcaption>
      <div className="result-chart-canvas">
        <canvas ref={canvas} role="img" aria-label={summary} />
      </div>
      {note && <p className="muted small">{note}</p>}
    </figure>
  );
}
