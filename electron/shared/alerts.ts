// What the back end reports about alerts: each delivery recorded in the run log (core/db/alert-log.ts)
// and the outcome of a test alert on each channel (core/alerts/alert-dispatcher.ts). Shared because
// the API contract (contract.ts) carries both to the renderer.

export const ALERT_KINDS = ['failure', 'still-failing', 'reminder', 'recovery', 'test'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
/** 'none': no channel was tried (the repeat rule held the alert back, or nothing is set up). */
export type AlertChannel = 'email' | 'webhook' | 'none';
export type AlertOutcome = 'sent' | 'failed' | 'held-back';

export interface AlertDelivery {
  runId: number | null;
  kind: AlertKind;
  channel: AlertChannel;
  outcome: AlertOutcome;
  /** Plain words: to whom it went, why it could not be delivered, or why it was held back. */
  detail: string;
  attempts: number;
  at: string;
}

export interface ChannelResult {
  channel: Exclude<AlertChannel, 'none'>;
  ok: boolean;
  /** Plain words: "sent to …", or why it did not arrive. */
  message: string;
}
