// The columns of an exported file: the result's own, with a traits/properties JSON column replaced,
// on request, by one column per key it holds ("traits.mrr", "traits.plan"), values keeping their type.
import type { QueryValue } from '../../shared/contract';

/** A cell before it is written: JSON booleans stay booleans (XLSX has a boolean cell; CSV writes true/false). */
export type ExportValue = QueryValue | boolean;

/** Column names that hold a JSON object of traits (accounts, organizations, users) or properties (events). */
export const JSON_COLUMNS = new Set(['traits', 'properties']);

export interface ExportColumns {
  header: string[];
  toCells(row: QueryValue[]): ExportValue[];
}

/** `keysOf(column)` lists a JSON column's keys; called only when expanding. */
export function planColumns(columns: string[], expand: boolean, keysOf: (column: string) => string[]): ExportColumns {
  const expanded = new Map<number, string[]>();
  if (expand)
    columns.forEach((name, index) => {
      if (JSON_COLUMNS.has(name.toLowerCase())) expanded.set(index, keysOf(name));
    });
  if (expanded.size === 0) return { header: columns, toCells: (row) => row };
  const header = columns.flatMap((name, index) =>
    expanded.has(index) ? expanded.get(index)!.map((key) => `${name}.${key}`) : [name],
  );
  return {
    header,
    toCells(row) {
      const cells: ExportValue[] = [];
      row.forEach((value, index) => {
        const keys = expanded.get(index);
        if (!keys) return cells.push(value);
        const object = parseObject(value);
        for (const key of keys) cells.push(toCell(object[key]));
      });
      return cells;
    },
  };
}

function parseObject(value: QueryValue): Record<string, unknown> {
  if (typeof value !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function toCell(value: unknown): ExportValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}
