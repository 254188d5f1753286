// Rows as tab-separated text, the way Excel and Google Sheets paste it: a value holding a tab, a
// newline or a quote is quoted, with its quotes doubled.
import type { QueryValue } from '../../../electron/shared/contract';

export function toTsv(columns: string[], rows: QueryValue[][]): string {
  return [columns, ...rows].map((row) => row.map(tsvField).join('\t')).join('\n') + '\n';
}

function tsvField(value: QueryValue): string {
  const text = value === null ? '' : String(value);
  return /["\t\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The clipboard API where the page may use it; else the older copy command on a hidden text box. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    const box = document.createElement('textarea');
    box.value = text;
    box.setAttribute('readonly', '');
    box.className = 'visually-hidden';
    document.body.append(box);
    box.select();
    const copied = document.execCommand('copy');
    box.remove();
    if (!copied) throw new Error('The browser refused to copy: export the rows instead.');
  }
}
