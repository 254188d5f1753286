// A mapped record as the flat row of values the store writes, in the order of its statement's
// parameters.
import type { ObjectType, TracksMapping } from '../../shared/config';
import type { MappedRecord } from './row-encoder';

export type RowValue = string | number | null;

/**
 * Values per record, by type:
 * organizations: id, name, traits
 * accounts:      id, name, organization ID, traits
 * users:         id, name, email, organization ID, traits, account ID (for the user-account link)
 * nps:           id, user ID, score, feedback, responded at
 * tracks:        message ID, target ID, event, occurred at, properties
 */
export const ROW_WIDTH: Readonly<Record<ObjectType, number>> = {
  organizations: 3,
  accounts: 4,
  users: 6,
  nps: 5,
  tracks: 5,
};

/** The record of the row at values[at] (the layout above); `target` is a tracks file's target. */
export function recordFromRow(
  type: ObjectType,
  target: TracksMapping['target'],
  values: readonly RowValue[],
  at: number,
): MappedRecord {
  const v = (i: number) => values[at + i] as string;
  const optional = (i: number) => values[at + i] as string | null;
  switch (type) {
    case 'organizations':
      return { type, id: v(0), name: optional(1), traits: v(2) };
    case 'accounts':
      return { type, id: v(0), name: optional(1), organizationId: optional(2), traits: v(3) };
    case 'users':
      return {
        type,
        id: v(0),
        name: optional(1),
        email: optional(2),
        organizationId: optional(3),
        traits: v(4),
        accountId: optional(5),
      };
    case 'nps':
      return {
        type,
        id: v(0),
        userId: v(1),
        score: values[at + 2] as number,
        feedback: optional(3),
        respondedAt: v(4),
      };
    case 'tracks':
      return { type, messageId: v(0), target, targetId: v(1), event: v(2), occurredAt: v(3), properties: v(4) };
  }
}
