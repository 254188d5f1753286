const LABELS: Record<string, string> = {
  running: 'Running',
  succeeded: 'Succeeded',
  partial: 'Partial',
  failed: 'Failed',
  interrupted: 'Interrupted',
  imported: 'Imported',
  unchanged: 'Unchanged',
};

const TONES: Record<string, string> = {
  running: 'info',
  succeeded: 'success',
  imported: 'success',
  unchanged: 'neutral',
  partial: 'warning',
  interrupted: 'warning',
  failed: 'error',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${TONES[status] ?? 'neutral'}`}>{LABELS[status] ?? status}</span>;
}
