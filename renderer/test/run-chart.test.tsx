// The Sync log's chart of rows per run: a log scale (small runs stay visible beside big ones), bars
// that never reach below the axis, a tooltip per run, and whole-number ticks when every run is empty.
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { RunChartPoint } from '../../electron/shared/contract';
import { RunChart } from '../src/screens/RunChart';

const point = (runId: number, rows: number, rejected = 0): RunChartPoint => ({
  runId,
  startedAt: `2026-03-0${runId}T10:00:00.000Z`,
  status: rejected ? 'partial' : 'succeeded',
  rows,
  rejected,
});

const height = (el: Element) => Number(el.getAttribute('height'));
const bottom = (el: Element) => Number(el.getAttribute('y')) + height(el);
const axisY = () => Number(document.querySelector('.chart-axis')!.getAttribute('y1'));
const ticks = () => [...document.querySelectorAll('text.chart-tick')].slice(0, -2).map((t) => t.textContent);

describe('RunChart', () => {
  it('keeps a small run visible next to a 300,000-row run (log scale)', () => {
    render(<RunChart points={[point(1, 300_000), point(2, 2_000), point(3, 40)]} />);
    const [big, small, tiny] = [...document.querySelectorAll('.chart-bar')];
    expect(height(small!) / height(big!)).toBeGreaterThan(0.5);
    expect(height(tiny!)).toBeGreaterThan(0.25 * height(big!));
    expect(ticks()).toEqual(['0', '10', '100', '1K', '10K', '100K', '1M']);
    expect(screen.getByText('(log scale)')).toBeInTheDocument();
  });

  it('never draws a segment below the axis, however small', () => {
    render(<RunChart points={[point(1, 100_000, 1), point(2, 3, 3), point(3, 1, 0)]} />);
    const bars = [...document.querySelectorAll('.chart-bar, .chart-bar-rejected')];
    expect(bars.length).toBe(4);
    for (const bar of bars) {
      expect(bottom(bar)).toBeLessThanOrEqual(axisY() + 0.001);
      expect(height(bar)).toBeGreaterThanOrEqual(2);
    }
  });

  it('shows a tooltip for the run under the pointer', async () => {
    const user = userEvent.setup();
    render(<RunChart points={[point(1, 1_200, 7), point(2, 30)]} />);
    await user.hover(document.querySelectorAll('.chart-hit')[0]!);
    expect(screen.getByRole('tooltip')).toHaveTextContent('Run 1');
    expect(screen.getByRole('tooltip')).toHaveTextContent('1,193 rows synced, 7 rejected (partial)');
    await user.unhover(document.querySelectorAll('.chart-hit')[0]!);
    expect(screen.queryByRole('tooltip')).not.toBeInTheDocument();
  });

  it('labels whole numbers when every run read nothing', () => {
    render(<RunChart points={[point(1, 0), point(2, 0)]} />);
    expect(ticks()).toEqual(['0', '1', '10']);
  });
});
