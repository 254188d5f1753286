// The SQL the analyst's workbench brings along: starter queries that teach the schema, the
// statement behind each export source (a query, a table with its search, a run's rejected rows), and
// the schema the editor completes names from.
import type { ExportSource, SchemaTable, StarterQuery } from '../../shared/contract';
import { recordViewSql } from './record-view';
import type { ReadOnlyConnection } from './query-runner';

export const STARTER_QUERIES: readonly StarterQuery[] = [
  {
    id: 'accounts-by-mrr',
    name: 'Accounts by MRR',
    sql: `-- Accounts by their "mrr" trait, highest first, with their organization's name
SELECT a.external_id AS account, a.name, o.name AS organization,
       json_extract(a.traits, '$.mrr') AS mrr, json_extract(a.traits, '$.plan') AS plan
FROM accounts a
LEFT JOIN organizations o ON o.external_id = a.organization_id
ORDER BY mrr DESC NULLS LAST;`,
  },
  {
    id: 'users-without-account',
    name: 'Users without an account',
    sql: `-- Users linked to no account (user_accounts holds the links)
SELECT u.external_id AS user, u.name, u.email, u.organization_id
FROM users u
WHERE NOT EXISTS (SELECT 1 FROM user_accounts ua WHERE ua.user_id = u.external_id)
ORDER BY u.name;`,
  },
  {
    id: 'events-per-day',
    name: 'Events per day by event name',
    sql: `-- How many events of each name happened each day (UTC)
SELECT date(occurred_at) AS day, event, count(*) AS events
FROM events
GROUP BY day, event
ORDER BY day, event;`,
  },
  {
    id: 'nps-by-month',
    name: 'NPS by month',
    sql: `-- NPS as Vitally computes it: % promoters (9-10) minus % detractors (0-6), from -100 to 100
SELECT strftime('%Y-%m', responded_at) AS month,
       count(*) AS responses,
       round(100.0 * sum(score >= 9) / count(*) - 100.0 * sum(score <= 6) / count(*), 1) AS nps
FROM nps_responses
GROUP BY month
ORDER BY month;`,
  },
  {
    id: 'last-run-rejects',
    name: 'Rejected rows of the last run',
    sql: `-- Rows the last sync refused, with the file, line and reason
SELECT r.key AS file, r.line, r.reason, r.raw
FROM sync_rejects r
WHERE r.run_id = (SELECT max(id) FROM sync_runs)
ORDER BY r.key, r.line;`,
  },
];

export interface ExportStatement {
  sql: string;
  params: unknown[];
  /** Suggested file name, without its extension. */
  baseName: string;
}

export function exportStatementFor(source: ExportSource): ExportStatement {
  switch (source.kind) {
    case 'query':
      return { sql: source.sql, params: [], baseName: 'query-result' };
    case 'table': {
      // What the Data screen shows, built by the same code as its pages: same rows, same order, same columns.
      const view = recordViewSql(source);
      const { shape } = view;
      // In the screen's order: the ID and own columns, the chosen traits, when it was last synced.
      const columns = [
        shape.idColumn,
        ...Object.keys(shape.fields),
        ...view.traitSelects.map((t) => `${t.sql} AS ${quoteName(`${shape.traitsColumn}.${t.key}`)}`),
        'last_synced_at',
      ];
      return {
        sql: `SELECT ${columns.join(', ')} FROM ${source.table} ${view.where} ${view.orderBy}`,
        params: [view.params],
        baseName: view.where !== '' ? `${source.table}-filtered` : source.table,
      };
    }
    case 'rejects':
      return {
        sql: `SELECT key AS file, line, reason, raw FROM sync_rejects WHERE run_id = ? ORDER BY id`,
        params: [source.runId],
        baseName: `run-${source.runId}-rejected-rows`,
      };
  }
}

/** A column name as SQL text: double quotes, doubled inside. */
function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The tables and their columns as the database has them now, for completion and the Tables list. */
export function describeSchema(db: ReadOnlyConnection): SchemaTable[] {
  const tables = db
    .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .pluck()
    .all() as string[];
  return tables.map((name) => ({
    name,
    columns: (
      db.prepare(`SELECT name, type FROM pragma_table_info(?)`).all(name) as { name: string; type: string }[]
    ).map((c) => ({ name: c.name, type: c.type })),
  }));
}
