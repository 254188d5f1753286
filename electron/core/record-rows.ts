// A mapped record as the flat row of values the store writes, in the order of its statement's
// parameters. Rows are what crosses from the parsing thread to the writing one (see
// csv-parse-worker.ts), so one layout serves both.
import type { ObjectType } from './config';
import type { MappedRecord } from './mapping';

export type RowValue = string | number | null;

/**
 * Values per record, by type:
 * organizations: id, name, traits
 * accounts:      id, name, organization ID, traits
 * users:         id, name, email, organization ID, traits, account ID (for the user-account link)
 * nps:           id, user ID, score, feedback, responded at
 * tracks:        message ID, target ID, event, occurred at, properties
 */
export const ROW_WIDTH: Readonly<Record<ObjectType, number>> = { organizations: 3, accounts: 4, users: 6, nps: 5, tracks: 5 };

/** Appends the record's row to `out`. */
export function pushRecordRow(record: MappedRecord, out: RowValue[]): void {
  switch (record.type) {
    case 'organizations':
      out.push(record.id, record.name, record.traits);
      return;
    case 'accounts':
      out.push(record.id, record.name, record.organizationId, record.traits);
      return;
    case 'users':
      out.push(record.id, record.name, record.email, record.organizationId, record.traits, record.accountId);
      return;
    case 'nps':
      out.push(record.id, record.userId, record.score, record.feedback, record.respondedAt);
      return;
    case 'tracks':
      out.push(record.messageId, record.targetId, record.event, record.occurredAt, record.properties);
      return;
  }
}
