// The SQL that merges one file's staged rows into a record table: one statement per file, with the
// same rules as SQLite's row-by-row upsert (last row wins, an empty cell keeps the stored value,
// traits merged, update-only skips unknown IDs) and exact created/updated counts.
import type { ObjectMapping, ObjectType, TracksMapping } from '../../../shared/config';
import { REFERENCE_CHECKS } from '../references';
import { TABLE_OF } from '../tables';

export const STAGE = 'pg_temp.s3sync_stage';

interface Column {
  name: string;
  type: string;
  /** How repeats of an ID in one file combine: the last row's value, the last non-empty one, or merged JSON. */
  combine: 'last' | 'lastNonNull' | 'merge';
  /** How the combined value meets the stored one: replace it, keep it when empty, or merge JSON. */
  store: 'replace' | 'keepWhenNull' | 'merge';
}

/** The record-row columns after the ID (record-rows.ts), as staged and stored. */
export function stageColumns(type: ObjectType, mapping: ObjectMapping): Column[] {
  const keep = (name: string): Column => ({ name, type: 'text', combine: 'lastNonNull', store: 'keepWhenNull' });
  const traits: Column = { name: 'traits', type: 'jsonb', combine: 'merge', store: 'merge' };
  switch (type) {
    case 'organizations':
      return [keep('name'), traits];
    case 'accounts':
      return [keep('name'), keep('organization_id'), traits];
    case 'users':
      // The account ID is not a users column: it links the user to an account (user_accounts).
      return [
        keep('name'),
        keep('email'),
        keep('organization_id'),
        traits,
        { ...keep('account_id'), store: 'replace' },
      ];
    case 'nps':
      return [
        { name: 'user_id', type: 'text', combine: 'last', store: 'replace' },
        { name: 'score', type: 'smallint', combine: 'last', store: 'replace' },
        keep('feedback'),
        { name: 'responded_at', type: 'timestamptz', combine: 'last', store: 'replace' },
      ];
    case 'tracks':
      return [
        { name: `${(mapping as TracksMapping).target}_id`, type: 'text', combine: 'last', store: 'replace' },
        { name: 'event', type: 'text', combine: 'last', store: 'replace' },
        { name: 'occurred_at', type: 'timestamptz', combine: 'last', store: 'replace' },
        { name: 'properties', type: 'jsonb', combine: 'merge', store: 'merge' },
      ];
  }
}

export function createStageSql(columns: Column[]): string {
  const defs = columns.map((c) => `${c.name} ${c.type}`).join(', ');
  // Temporary: not written to the WAL, dropped with the transaction.
  return `CREATE TEMP TABLE s3sync_stage (seq bigint NOT NULL, id text NOT NULL, ${defs}) ON COMMIT DROP`;
}

export function copyStageSql(columns: Column[]): string {
  return `COPY ${STAGE} (seq, id, ${columns.map((c) => c.name).join(', ')}) FROM STDIN`;
}

/** One row per ID: the plain stage when no ID repeats, else the rows of each ID combined in file order. */
function sourceSql(columns: Column[], repeats: boolean): string {
  if (!repeats) return `SELECT id, ${columns.map((c) => c.name).join(', ')}, 1 AS n FROM ${STAGE}`;
  const combined = columns.map((c) =>
    c.combine === 'merge'
      ? `s3sync_merge_traits(${c.name} ORDER BY seq) AS ${c.name}`
      : c.combine === 'last'
        ? `(array_agg(${c.name} ORDER BY seq DESC))[1] AS ${c.name}`
        : `(array_agg(${c.name} ORDER BY seq DESC) FILTER (WHERE ${c.name} IS NOT NULL))[1] AS ${c.name}`,
  );
  return `SELECT id, ${combined.join(', ')}, count(*) AS n FROM ${STAGE} GROUP BY id`;
}

function storedValue(c: Column, incoming: string): string {
  if (c.store === 'merge') return `t.${c.name} || ${incoming}`;
  if (c.store === 'keepWhenNull') return `COALESCE(${incoming}, t.${c.name})`;
  return incoming;
}

const ID_COLUMN: Record<ObjectType, string> = {
  organizations: 'external_id',
  accounts: 'external_id',
  users: 'external_id',
  nps: 'external_id',
  tracks: 'message_id',
};

/** $1 sync time, $2 run id, $3 file key. Returns one row: created (upsert) or updated (update-only). */
export function mergeSql(type: ObjectType, mapping: ObjectMapping, repeats: boolean): string {
  const table = TABLE_OF[type];
  const idColumn = ID_COLUMN[type];
  const all = stageColumns(type, mapping);
  const stored = type === 'users' ? all.filter((c) => c.name !== 'account_id') : all;
  const src = sourceSql(all, repeats);
  if ('mode' in mapping && mapping.mode === 'update_only') {
    const sets = stored.map((c) => `${c.name} = ${storedValue(c, `src.${c.name}`)}`).join(', ');
    return `WITH src AS (${src}), w AS (
      UPDATE ${table} AS t SET ${sets}, last_synced_at = $1, last_run_id = $2, last_file = $3, sync_count = t.sync_count + src.n
      FROM src WHERE t.${idColumn} = src.id RETURNING src.n)
      SELECT coalesce(sum(n), 0)::bigint AS updated FROM w`;
  }
  const { names, values, nullTargets } = insertColumns(type, stored);
  const sets = [
    ...stored.map((c) => `${c.name} = ${storedValue(c, `EXCLUDED.${c.name}`)}`),
    ...nullTargets.map((c) => `${c} = NULL`),
  ].join(', ');
  return `WITH src AS (${src}), w AS (
    INSERT INTO ${table} AS t (${idColumn}, ${names.join(', ')}, first_synced_at, last_synced_at, last_run_id, last_file, sync_count)
    SELECT id, ${values.join(', ')}, $1, $1, $2, $3, n FROM src
    ON CONFLICT (${idColumn}) DO UPDATE SET ${sets}, last_synced_at = EXCLUDED.last_synced_at,
      last_run_id = EXCLUDED.last_run_id, last_file = EXCLUDED.last_file, sync_count = t.sync_count + EXCLUDED.sync_count
    RETURNING (xmax = 0) AS created)
    SELECT count(*) FILTER (WHERE created)::bigint AS created FROM w`;
}

/**
 * The staged rows as new records, with a plain INSERT ($1 time, $2 run, $3 file): its row count is
 * the created count. It fails with 23505 when an ID is stored already or repeats in the file; then
 * mergeSql's upsert does the work. A plain INSERT is about 2.6x faster than ON CONFLICT, whose
 * speculative insertion takes a lock and writes one more WAL record per row (docs/postgres.md, "Speed").
 */
export function insertNewSql(type: ObjectType, mapping: ObjectMapping): string {
  const all = stageColumns(type, mapping);
  const stored = type === 'users' ? all.filter((c) => c.name !== 'account_id') : all;
  const { names, values } = insertColumns(type, stored);
  return `INSERT INTO ${TABLE_OF[type]} (${ID_COLUMN[type]}, ${names.join(', ')}, first_synced_at, last_synced_at, last_run_id, last_file, sync_count)
    SELECT id, ${values.join(', ')}, $1, $1, $2, $3, 1 FROM ${STAGE}`;
}

/** The inserted columns and their values; events set only their target's column (the other two NULL, as in SQLite). */
function insertColumns(type: ObjectType, stored: Column[]) {
  const nullTargets =
    type === 'tracks'
      ? ['user_id', 'account_id', 'organization_id'].filter((c) => c !== stored[0]!.name)
      : ([] as string[]);
  return {
    names: [...stored.map((c) => c.name), ...nullTargets],
    values: [...stored.map((c) => c.name), ...nullTargets.map(() => 'NULL')],
    nullTargets,
  };
}

/** Users' rows with an account ID link the user to that account ($1 time, $2 run, $3 file). */
export function linkUsersSql(mapping: ObjectMapping): string {
  const onlyUpdated =
    'mode' in mapping && mapping.mode === 'update_only'
      ? `AND EXISTS (SELECT 1 FROM users u WHERE u.external_id = s.id)`
      : '';
  return `INSERT INTO user_accounts AS t (user_id, account_id, first_synced_at, last_run_id, last_file)
    SELECT DISTINCT s.id, s.account_id, $1::timestamptz, $2::bigint, $3::text FROM ${STAGE} s
    WHERE s.account_id IS NOT NULL ${onlyUpdated}
    ON CONFLICT (user_id, account_id) DO UPDATE SET last_run_id = EXCLUDED.last_run_id, last_file = EXCLUDED.last_file`;
}

/** Per reference check: its SQL ($1 run, $2 file; one row n, example) and how to say it. */
export function danglingReferenceSql(
  type: ObjectType,
  mapping: ObjectMapping,
  fromStage: boolean,
): { sql: string; describe: (n: number, example: string) => string }[] {
  const target = 'target' in mapping ? mapping.target : undefined;
  const replaced = new Set(
    stageColumns(type, mapping)
      .filter((c) => c.store === 'replace')
      .map((c) => c.name),
  );
  return REFERENCE_CHECKS[type]
    .filter((check) => !check.target || check.target === target)
    .map((check) => {
      // No ID repeated, and the column stored as the file gives it: the staged rows are the stored ones
      // (a scan of the stage instead of a join with the whole table).
      if (fromStage && check.table === TABLE_OF[type] && replaced.has(check.column)) {
        return {
          sql: `SELECT count(*)::bigint AS n, min(s.${check.column} COLLATE "C") AS example FROM ${STAGE} s
            WHERE $1::bigint IS NOT NULL AND $2::text IS NOT NULL AND s.${check.column} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM ${check.refersTo} r WHERE r.external_id = s.${check.column})`,
          describe: check.describe,
        };
      }
      const idColumn = check.table === 'user_accounts' ? 'user_id' : ID_COLUMN[type];
      // COLLATE "C": the example is the smallest by bytes of UTF-8, as SQLite's min() picks it.
      return {
        sql: `SELECT count(*)::bigint AS n, min(t.${check.column} COLLATE "C") AS example FROM ${check.table} t
          WHERE t.${idColumn} IN (SELECT id FROM ${STAGE}) AND t.last_run_id = $1 AND t.last_file = $2
            AND t.${check.column} IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM ${check.refersTo} r WHERE r.external_id = t.${check.column})`,
        describe: check.describe,
      };
    });
}
