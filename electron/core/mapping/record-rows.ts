// A mapped record as the flat row of values the store writes, in the order of its statement's
// parameters.
import type { ObjectType } from '../../shared/config';

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
