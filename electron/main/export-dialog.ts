// Where the desktop app saves an export: the OS save dialog, opened in the Downloads folder with the
// suggested name and a filter for its format. Kept apart from main.ts so a test can pass a fake dialog.
import { join } from 'node:path';
import type { ExportDestination } from '../core/service/workbench-api';

export interface SaveDialogOptions {
  title: string;
  defaultPath: string;
  filters: { name: string; extensions: string[] }[];
}

/** Electron's dialog.showSaveDialog, bound to the app's window. */
export type ShowSaveDialog = (options: SaveDialogOptions) => Promise<{ canceled: boolean; filePath?: string }>;

const FILTERS = {
  csv: { name: 'CSV (comma-separated values)', extensions: ['csv'] },
  xlsx: { name: 'Excel workbook', extensions: ['xlsx'] },
};

/** defaultDir is asked at each export (the Downloads folder; asked late, as Electron knows it only once ready). */
export function saveDialogDestination(showSaveDialog: ShowSaveDialog, defaultDir: () => string): ExportDestination {
  return async (fileName, format) => {
    const { canceled, filePath } = await showSaveDialog({
      title: format === 'xlsx' ? 'Export to Excel' : 'Export to CSV',
      defaultPath: join(defaultDir(), fileName),
      filters: [FILTERS[format]],
    });
    if (canceled || !filePath) return null;
    // A name typed without its extension still gets one: Excel opens files by it.
    return { path: filePath.toLowerCase().endsWith(`.${format}`) ? filePath : `${filePath}.${format}` };
  };
}
