// Writes rows as an XLSX workbook with typed cells, through exceljs's streaming WorkbookWriter: each
// row is committed to the zip as it comes, and the writer waits whenever the zip's compressor is behind,
// so the workbook is never whole in memory. Numbers stay numbers, ISO dates and timestamps become
// Excel dates, JSON booleans become booleans.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ExportValue } from './export-columns';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
export const DATE_FORMAT = 'yyyy-mm-dd';
export const TIMESTAMP_FORMAT = 'yyyy-mm-dd hh:mm:ss';
/** Rows between progress reports. */
const ROWS_PER_REPORT = 2000;
/** Excel's own limit. */
export const XLSX_MAX_ROWS = 1_048_575;

export interface XlsxOptions {
  sheetName?: string;
  onRows?: (written: number) => void;
}

export async function writeXlsxFile(
  path: string,
  header: string[],
  rows: Iterable<ExportValue[]>,
  { sheetName = 'Result', onRows }: XlsxOptions = {},
): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = header.map((name) => ({ header: name, width: Math.min(40, Math.max(10, name.length + 2)) }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  let written = 0;
  for (const values of rows) {
    if (written >= XLSX_MAX_ROWS)
      throw new Error(
        `The result has more than ${XLSX_MAX_ROWS.toLocaleString('en-US')} rows, Excel's limit for one sheet: export it as CSV, or narrow the query.`,
      );
    const cells = values.map(toXlsxValue);
    const row = sheet.addRow(cells);
    cells.forEach((cell, index) => {
      if (cell instanceof Date)
        row.getCell(index + 1).numFmt = ISO_DATE.test(values[index] as string) ? DATE_FORMAT : TIMESTAMP_FORMAT;
    });
    row.commit();
    written++;
    await compressorCaughtUp(sheet);
    if (written % ROWS_PER_REPORT === 0) onRows?.(written);
  }
  sheet.commit();
  await workbook.commit();
  return written;
}

/**
 * exceljs hands the sheet's XML to the zip's compressor in 64 KB pieces without looking at what write()
 * answers, so a fast reader outruns deflate and the pieces pile up in memory (770 MB for a million rows).
 * Its sheet stream lists the compressor it feeds as `pipes`: wait for it to drain, as a pipe would.
 */
async function compressorCaughtUp(sheet: ExcelJS.Worksheet): Promise<void> {
  const feeds = (sheet as unknown as { stream?: { pipes?: Feed[] } }).stream?.pipes;
  const feed = feeds?.[0];
  // archiver's PassThrough comes from readable-stream 2, which predates writableNeedDrain.
  if (feed && (feed.writableNeedDrain ?? feed._writableState?.needDrain)) await once(feed, 'drain');
}

type Feed = Writable & { _writableState?: { needDrain?: boolean } };

export function toXlsxValue(value: ExportValue): string | number | boolean | Date | null {
  if (typeof value !== 'string') return value;
  if (ISO_DATE.test(value)) return new Date(`${value}T00:00:00Z`);
  if (ISO_TIMESTAMP.test(value)) {
    // A timestamp without a zone is taken as UTC, as the sync stores them.
    const date = new Date(/(?:Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return value;
}
