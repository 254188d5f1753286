// Which chart a query result makes, if any: an x column (a time or a category), a number column to
// plot, and optionally a second text column that splits the rows into series (one line per event).
import type { QueryValue } from '../../../electron/shared/contract';

export interface ChartShape {
  kind: 'line' | 'bar';
  x: number;
  y: number;
  series: number | null;
}

const TIME_LIKE = /^\d{4}-\d{2}(-\d{2})?([T ]\d{2}:\d{2}.*)?$/;
/** More series than this is a table, not a chart. */
const MAX_SERIES = 12;

/** numericColumns lists the columns a chart could plot; the last one is plotted unless `y` picks another. */
export function numericColumns(columns: string[], rows: QueryValue[][]): number[] {
  return columns.map((_, i) => i).filter((i) => rows.every((r) => r[i] === null || typeof r[i] === 'number'));
}

export function chartShape(columns: string[], rows: QueryValue[][], preferredY?: number): ChartShape | null {
  if (rows.length === 0 || columns.length < 2) return null;
  const isNumeric = (index: number) => rows.every((r) => r[index] === null || typeof r[index] === 'number');
  const isText = (index: number) => rows.every((r) => r[index] === null || typeof r[index] === 'string');
  const indexes = columns.map((_, i) => i);
  const x = indexes.find(isText) ?? 0;
  // The value column usually comes last (day, event, count): plot the last number unless asked for another.
  const candidates = indexes.filter((i) => i !== x && isNumeric(i));
  const y = preferredY !== undefined && candidates.includes(preferredY) ? preferredY : candidates.at(-1);
  if (y === undefined) return null;
  const other = indexes.find((i) => i !== x && i !== y && isText(i));
  const series = other !== undefined && new Set(rows.map((r) => r[other])).size <= MAX_SERIES ? other : null;
  const timeLike = rows.every((r) => typeof r[x] === 'string' && TIME_LIKE.test(r[x]));
  return { kind: timeLike ? 'line' : 'bar', x, y, series };
}

export interface ChartData {
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
}

/** The labels in the result's order, one dataset per series value (null where a series has no row). */
export function chartData(columns: string[], rows: QueryValue[][], shape: ChartShape): ChartData {
  const labels = [...new Set(rows.map((r) => String(r[shape.x] ?? '')))];
  const position = new Map(labels.map((label, i) => [label, i]));
  const bySeries = new Map<string, (number | null)[]>();
  for (const row of rows) {
    const name = shape.series === null ? columns[shape.y]! : String(row[shape.series] ?? '(none)');
    let data = bySeries.get(name);
    if (!data) bySeries.set(name, (data = labels.map(() => null)));
    data[position.get(String(row[shape.x] ?? ''))!] = row[shape.y] as number | null;
  }
  return { labels, datasets: [...bySeries].map(([label, data]) => ({ label, data })) };
}
