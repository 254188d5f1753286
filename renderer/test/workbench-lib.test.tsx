// The Query screen's pure helpers: which chart a result makes, its series, and TSV for pasting.
import { describe, expect, it } from 'vitest';
import { chartData, chartShape } from '../src/lib/chart-shape';
import { toTsv } from '../src/lib/tsv';

describe('chartShape', () => {
  it('draws a line over months, the last number column, one series per event name', () => {
    const columns = ['day', 'event', 'events'];
    const rows = [
      ['2024-01-01', 'login', 3],
      ['2024-01-01', 'search', 1],
      ['2024-01-02', 'login', 4],
    ];
    const shape = chartShape(columns, rows);
    expect(shape).toEqual({ kind: 'line', x: 0, y: 2, series: 1 });
    expect(chartData(columns, rows, shape!)).toEqual({
      labels: ['2024-01-01', '2024-01-02'],
      datasets: [
        { label: 'login', data: [3, 4] },
        { label: 'search', data: [1, null] },
      ],
    });
  });

  it('draws bars for categories, plots the chosen number column, and refuses a result with no number', () => {
    const columns = ['month', 'responses', 'nps'];
    const rows = [['2024-01', 10, -20]];
    expect(chartShape(columns, rows)).toMatchObject({ kind: 'line', y: 2 });
    expect(chartShape(columns, rows, 1)).toMatchObject({ y: 1 });
    expect(chartShape(['plan', 'n'], [['growth', 3]])).toMatchObject({ kind: 'bar', x: 0, y: 1, series: null });
    expect(chartShape(['a', 'b'], [['x', 'y']])).toBeNull();
    expect(chartShape(['a', 'b'], [])).toBeNull();
  });
});

describe('toTsv', () => {
  it('quotes values holding tabs, newlines or quotes, so they paste into one cell', () => {
    expect(
      toTsv(
        ['name', 'note', 'n'],
        [
          ['Acme', 'two\tparts "quoted"\nlines', 3],
          ['Globex', null, 0.5],
        ],
      ),
    ).toBe('name\tnote\tn\nAcme\t"two\tparts ""quoted""\nlines"\t3\nGlobex\t\t0.5\n');
  });
});
