// Export what is shown (a query result, a table with its search, a run's rejected rows) to CSV or
// XLSX. The back end writes the file on a worker thread: the desktop app asks where with a save
// dialog, the web preview hands back a one-time download the browser streams to disk.
import { useState } from 'react';
import type { ExportRequest, ExportSource } from '../../../electron/shared/contract';
import { useApp } from '../app/app-context';
import { startDownload } from '../lib/download';
import { formatNumber } from '../lib/format';

let exportsStarted = 0;

export function ExportButtons({
  source,
  label = 'Export',
  traitsOption = true,
}: {
  source: ExportSource;
  label?: string;
  traitsOption?: boolean;
}) {
  const { api, notify } = useApp();
  const [busy, setBusy] = useState<{ format: ExportRequest['format']; queryId: string } | null>(null);
  const [bom, setBom] = useState(true);
  const [expandTraits, setExpandTraits] = useState(false);

  async function exportAs(format: ExportRequest['format']) {
    const queryId = `export-${Date.now()}-${++exportsStarted}`;
    setBusy({ format, queryId });
    try {
      const result = await api.exportData({ source, format, bom, expandTraits, queryId });
      if (!result.ok) {
        if (!result.cancelled) notify('error', `The export failed: ${result.message}`);
        return;
      }
      if (result.downloadUrl) startDownload(result.downloadUrl, result.fileName);
      notify(
        'success',
        `Exported ${formatNumber(result.rows)} rows${result.path ? ` to ${result.path}` : ` as ${result.fileName}`}.`,
      );
    } catch (error) {
      notify('error', `The export failed: ${(error as Error).message}`);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="export-buttons" role="group" aria-label={label}>
      <button
        type="button"
        className="btn btn-secondary btn-small"
        disabled={busy !== null}
        onClick={() => void exportAs('csv')}
      >
        {busy?.format === 'csv' ? 'Exporting CSV…' : 'Export CSV'}
      </button>
      <button
        type="button"
        className="btn btn-secondary btn-small"
        disabled={busy !== null}
        onClick={() => void exportAs('xlsx')}
      >
        {busy?.format === 'xlsx' ? 'Exporting XLSX…' : 'Export XLSX'}
      </button>
      {busy && (
        <button
          type="button"
          className="btn btn-ghost btn-small"
          onClick={() => void api.cancelQuery({ queryId: busy.queryId })}
        >
          Cancel export
        </button>
      )}
      <label className="check-inline">
        <input type="checkbox" checked={bom} onChange={(e) => setBom(e.target.checked)} /> CSV for Excel (BOM)
      </label>
      {traitsOption && (
        <label className="check-inline">
          <input type="checkbox" checked={expandTraits} onChange={(e) => setExpandTraits(e.target.checked)} /> Traits as
          columns
        </label>
      )}
    </div>
  );
}
