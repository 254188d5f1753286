// The records linked to one record, by name, for the Data screen's detail: an account's
// organization, users, events and NPS responses; a user's accounts and organization; an event's
// user, account and organization. Each group gives its first few and a capped count.
import type Database from 'better-sqlite3';
import type { DataTable, RecordLinkGroup } from '../../shared/contract';

/** Items listed per group; the count says how many there are (up to COUNT_CAP). */
export const ITEMS = 10;
export const COUNT_CAP = 10_000;

export interface GroupQuery {
  label: string;
  table: DataTable;
  /** Selects id and name for the record's id as @id, in the order to list them. */
  sql: string;
}

const NAME = {
  organizations: `o.external_id AS id, o.name AS name FROM organizations o`,
  accounts: `a.external_id AS id, a.name AS name FROM accounts a`,
  users: `u.external_id AS id, coalesce(u.name, u.email) AS name FROM users u`,
  events: `e.message_id AS id, e.event || ' · ' || e.occurred_at AS name FROM events e`,
  nps_responses: `n.external_id AS id, 'score ' || n.score || ' · ' || n.responded_at AS name FROM nps_responses n`,
};

export const LINKS: Record<DataTable, GroupQuery[]> = {
  organizations: [
    {
      label: 'Accounts',
      table: 'accounts',
      sql: `SELECT ${NAME.accounts} WHERE a.organization_id = @id ORDER BY a.name`,
    },
    { label: 'Users', table: 'users', sql: `SELECT ${NAME.users} WHERE u.organization_id = @id ORDER BY u.name` },
  ],
  accounts: [
    {
      label: 'Organization',
      table: 'organizations',
      sql: `SELECT ${NAME.organizations} WHERE o.external_id = (SELECT organization_id FROM accounts WHERE external_id = @id)`,
    },
    {
      label: 'Users',
      table: 'users',
      sql: `SELECT ${NAME.users} JOIN user_accounts ua ON ua.user_id = u.external_id WHERE ua.account_id = @id ORDER BY u.name`,
    },
    {
      label: 'Events',
      table: 'events',
      sql: `SELECT ${NAME.events} WHERE e.account_id = @id ORDER BY e.occurred_at DESC`,
    },
    {
      label: 'NPS responses',
      table: 'nps_responses',
      sql: `SELECT ${NAME.nps_responses} JOIN user_accounts ua ON ua.user_id = n.user_id WHERE ua.account_id = @id ORDER BY n.responded_at DESC`,
    },
  ],
  users: [
    {
      label: 'Accounts',
      table: 'accounts',
      sql: `SELECT ${NAME.accounts} JOIN user_accounts ua ON ua.account_id = a.external_id WHERE ua.user_id = @id ORDER BY a.name`,
    },
    {
      label: 'Organization',
      table: 'organizations',
      sql: `SELECT ${NAME.organizations} WHERE o.external_id = (SELECT organization_id FROM users WHERE external_id = @id)`,
    },
    {
      label: 'Events',
      table: 'events',
      sql: `SELECT ${NAME.events} WHERE e.user_id = @id ORDER BY e.occurred_at DESC`,
    },
    {
      label: 'NPS responses',
      table: 'nps_responses',
      sql: `SELECT ${NAME.nps_responses} WHERE n.user_id = @id ORDER BY n.responded_at DESC`,
    },
  ],
  events: [
    {
      label: 'User',
      table: 'users',
      sql: `SELECT ${NAME.users} WHERE u.external_id = (SELECT user_id FROM events WHERE message_id = @id)`,
    },
    {
      label: 'Account',
      table: 'accounts',
      sql: `SELECT ${NAME.accounts} WHERE a.external_id = (SELECT account_id FROM events WHERE message_id = @id)`,
    },
    {
      label: 'Organization',
      table: 'organizations',
      sql: `SELECT ${NAME.organizations} WHERE o.external_id = (SELECT organization_id FROM events WHERE message_id = @id)`,
    },
  ],
  nps_responses: [
    {
      label: 'User',
      table: 'users',
      sql: `SELECT ${NAME.users} WHERE u.external_id = (SELECT user_id FROM nps_responses WHERE external_id = @id)`,
    },
  ],
};

export function recordLinks(db: Database.Database, table: DataTable, id: string): RecordLinkGroup[] {
  if (!Object.hasOwn(LINKS, table)) throw new Error(`Unknown table "${String(table)}".`);
  return LINKS[table].map(({ label, table: linked, sql }) => {
    const items = db.prepare(`${sql} LIMIT ${ITEMS}`).all({ id }) as { id: string; name: string | null }[];
    const total =
      items.length < ITEMS
        ? items.length
        : (db
            .prepare(`SELECT count(*) FROM (${sql} LIMIT ${COUNT_CAP + 1})`)
            .pluck()
            .get({ id }) as number);
    return { label, table: linked, total, items, more: total > COUNT_CAP };
  });
}
