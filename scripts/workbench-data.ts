// A database of synced-looking records for the workbench's tests and benchmark, made in seconds with
// SQL (recursive CTEs) rather than a sync: organizations, accounts with MRR and plan traits, users with
// their account links, NPS responses over twelve months, and any number of events.
import { openDatabase } from '../electron/core/db/sqlite-database';

export interface WorkbenchDataSize {
  events: number;
  organizations?: number;
  accounts?: number;
  users?: number;
  npsResponses?: number;
}

export const EVENT_NAMES = ['login', 'page_view', 'report_exported', 'invite_sent', 'search'] as const;
export const PLANS = ['starter', 'growth', 'enterprise'] as const;

/** Writes the records into the database at dbPath (created and migrated when missing). */
export function fillWorkbenchDatabase(dbPath: string, size: WorkbenchDataSize): void {
  const { events, organizations = 50, accounts = 500, users = 5000, npsResponses = 2400 } = size;
  const db = openDatabase(dbPath);
  const sync = `'2024-06-01T00:00:00.000Z', '2024-06-01T00:00:00.000Z', 1, 'generated.csv'`;
  const syncColumns = 'first_synced_at, last_synced_at, last_run_id, last_file';
  try {
    db.transaction(() => {
      db.exec(`INSERT INTO sync_runs (trigger, status, started_at, finished_at, rows, rejected)
               VALUES ('manual', 'partial', '2024-06-01T00:00:00.000Z', '2024-06-01T00:01:00.000Z', ${events}, 2)`);
      db.exec(`INSERT INTO sync_rejects (run_id, key, line, reason, raw) VALUES
               (1, 'exports/accounts/a.csv', 7, 'mrr: "lots" is not a number', 'acc_x,Broken,org_1,growth,lots'),
               (1, 'exports/users/u.csv', 12, 'user_id is empty', ',acc_1,No One,none@example.com')`);
      db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${organizations})
        INSERT INTO organizations (external_id, name, traits, ${syncColumns})
        SELECT 'org_' || i, 'Organization ' || i, json_object('industry', 'Industry ' || (i % 7)), ${sync} FROM n`);
      db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${accounts})
        INSERT INTO accounts (external_id, name, organization_id, traits, ${syncColumns})
        SELECT 'acc_' || i, 'Account ' || i, 'org_' || (1 + i % ${organizations}),
               json_object('mrr', (i * 37) % 20000 + 0.5, 'plan', json_extract('${JSON.stringify(PLANS)}', '$[' || (i % 3) || ']'),
                           'health', (i * 13) % 100, 'trial', json(CASE WHEN i % 10 = 0 THEN 'true' ELSE 'false' END)),
               ${sync} FROM n`);
      db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${users})
        INSERT INTO users (external_id, name, email, organization_id, traits, ${syncColumns})
        SELECT 'u_' || i, 'User ' || i, 'user' || i || '@example.com', 'org_' || (1 + i % ${organizations}),
               json_object('role', CASE WHEN i % 5 = 0 THEN 'admin' ELSE 'member' END), ${sync} FROM n`);
      // Every user but each 50th is linked to an account.
      db.exec(`INSERT INTO user_accounts (user_id, account_id, first_synced_at, last_run_id, last_file)
        SELECT external_id, 'acc_' || (1 + CAST(substr(external_id, 3) AS INTEGER) % ${accounts}), '2024-06-01T00:00:00.000Z', 1, 'generated.csv'
        FROM users WHERE CAST(substr(external_id, 3) AS INTEGER) % 50 <> 0`);
      db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${npsResponses})
        INSERT INTO nps_responses (external_id, user_id, score, feedback, responded_at, ${syncColumns})
        SELECT 'nps_' || i, 'u_' || (1 + i % ${users}), (i * 7) % 11, CASE WHEN i % 4 = 0 THEN 'Feedback ' || i END,
               strftime('%Y-%m-%dT%H:%M:%fZ', '2024-01-01', '+' || (i % 360) || ' days', '+' || (i % 86400) || ' seconds'),
               ${sync} FROM n`);
      db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${events})
        INSERT INTO events (message_id, user_id, account_id, organization_id, event, occurred_at, properties, ${syncColumns})
        SELECT 'evt_' || printf('%08d', i), 'u_' || (1 + i % ${users}), 'acc_' || (1 + i % ${accounts}), 'org_' || (1 + i % ${organizations}),
               json_extract('${JSON.stringify(EVENT_NAMES)}', '$[' || (i % ${EVENT_NAMES.length}) || ']'),
               strftime('%Y-%m-%dT%H:%M:%fZ', '2024-01-01', '+' || (i % 31536000) || ' seconds'),
               json_object('page', '/p/' || (i % 100), 'duration_ms', i % 5000), ${sync} FROM n`);
    })();
  } finally {
    db.close();
  }
}
