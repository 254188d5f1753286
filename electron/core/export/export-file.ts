// One export, start to end: the statement's rows read one at a time from the read-only connection,
// shaped into the file's columns and streamed into a CSV or XLSX file. Runs on the query worker.
import type { ExportRequest } from '../../shared/contract';
import { iterateRows, jsonKeysOf, resultColumns, type ReadOnlyConnection } from '../db/query-runner';
import type { ExportStatement } from '../db/workbench-statements';
import { planColumns } from './export-columns';
import { writeCsvFile } from './csv-file';
import { writeXlsxFile } from './xlsx-file';

export type ExportOptions = Pick<ExportRequest, 'format' | 'bom' | 'expandTraits'>;

export async function exportToFile(
  db: ReadOnlyConnection,
  statement: ExportStatement,
  options: ExportOptions,
  path: string,
  onRows?: (written: number) => void,
): Promise<number> {
  // The JSON keys are read before the rows: a connection runs nothing else while it iterates.
  const plan = planColumns(resultColumns(db, statement.sql), options.expandTraits === true, (column) =>
    jsonKeysOf(db, statement.sql, statement.params, column),
  );
  const { rows } = iterateRows(db, statement.sql, statement.params);
  const cells = (function* () {
    for (const row of rows) yield plan.toCells(row);
  })();
  if (options.format === 'csv') return writeCsvFile(path, plan.header, cells, { bom: options.bom !== false, onRows });
  return writeXlsxFile(path, plan.header, cells, { onRows });
}

export function exportFileName(baseName: string, format: ExportOptions['format'], now = new Date()): string {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  return `${baseName}-${stamp}.${format}`;
}
