// Writes rows as RFC 4180 CSV, streamed: a row is formatted and handed to the file as it comes, and
// the writer waits whenever the file stream's buffer is full, so a million rows never sit in memory.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { ExportValue } from './export-columns';

/** Excel opens a UTF-8 CSV as UTF-8 only when it starts with this mark. */
const UTF8_BOM = '\uFEFF';
/** Rows joined per write: one write per row costs more than the formatting. */
const ROWS_PER_WRITE = 500;

export interface CsvOptions {
  bom: boolean;
  onRows?: (written: number) => void;
}

export async function writeCsvFile(
  path: string,
  header: string[],
  rows: Iterable<ExportValue[]>,
  { bom, onRows }: CsvOptions,
): Promise<number> {
  const file = createWriteStream(path);
  const failed = once(file, 'error').then(([error]) => Promise.reject(error as Error));
  failed.catch(() => undefined);
  let written = 0;
  let chunk = (bom ? UTF8_BOM : '') + csvLine(header);
  for (const row of rows) {
    chunk += csvLine(row);
    written++;
    if (written % ROWS_PER_WRITE === 0) {
      if (!file.write(chunk)) await Promise.race([once(file, 'drain'), failed]);
      chunk = '';
      onRows?.(written);
    }
  }
  file.end(chunk);
  await Promise.race([once(file, 'finish'), failed]);
  return written;
}

export function csvLine(values: readonly ExportValue[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

function csvField(value: ExportValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Tab-separated text as Excel and Google Sheets paste it: a field with a tab, newline or quote is quoted. */
export function tsvLine(values: readonly ExportValue[]): string {
  return (
    values
      .map((value) => {
        const text = value === null ? '' : String(value);
        return /["\t\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
      })
      .join('\t') + '\n'
  );
}
