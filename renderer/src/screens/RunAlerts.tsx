// A run's alerts on the Sync log: each email or webhook delivery with its outcome in plain words, or
// why none was sent (the repeat rule held it back). Nothing at all when no alert channel is set up.
import type { AlertDelivery } from '../../../electron/shared/contract';
import { formatDateTime } from '../lib/format';

const KINDS: Record<AlertDelivery['kind'], string> = {
  failure: 'Failure alert',
  'still-failing': '"Still failing" alert',
  reminder: 'Daily reminder',
  recovery: '"Works again" alert',
  test: 'Test alert',
};

const CHANNELS: Record<AlertDelivery['channel'], string> = { email: 'by email', webhook: 'to the webhook', none: '' };

export function RunAlerts({ alerts }: { alerts: AlertDelivery[] }) {
  if (alerts.length === 0) return null;
  return (
    <>
      <h3>Alerts</h3>
      <ul className="alert-deliveries" aria-label="Alerts about this run">
        {alerts.map((a, i) => (
          <li key={i} className={`alert-delivery alert-${a.outcome}`}>
            <span className="alert-delivery-what">
              {a.outcome === 'held-back'
                ? 'No alert sent'
                : `${KINDS[a.kind]} ${CHANNELS[a.channel]}: ${a.outcome === 'sent' ? 'delivered' : 'NOT delivered'}`}
            </span>{' '}
            <span className="muted">
              {formatDateTime(a.at, true)}
              {a.attempts > 1 ? ` · ${a.attempts} attempts` : ''}
            </span>
            <div className={a.outcome === 'failed' ? 'cell-error' : 'hint'}>{a.detail}</div>
          </li>
        ))}
      </ul>
    </>
  );
}
