// References to records that do not exist (yet): stored as given, counted and reported as warnings.
import type { ObjectMapping, ObjectType, TracksMapping } from '../../shared/config';
import type { RowValue } from '../mapping/record-rows';
import type { SqliteDatabase } from './sqlite-database';
import { TABLE_OF, type FileStamp, type WrittenRows } from './tables';

export interface ReferenceCheck {
  /** The table holding the reference, the referring column and the table it refers to. */
  table: string;
  column: string;
  refersTo: string;
  /** What refers, in words. */
  describe: (count: number, example: string) => string;
  /** For tracks: the target this check concerns (a file's events only set their target's column). */
  target?: TracksMapping['target'];
  /** Where the reference sits in the type's record row (record-rows.ts). */
  rowIndex: number;
}

export const REFERENCE_CHECKS: Record<ObjectType, ReferenceCheck[]> = {
  organizations: [],
  accounts: [
    {
      table: 'accounts',
      column: 'organization_id',
      refersTo: 'organizations',
      rowIndex: 2,
      describe: (n, ex) =>
        `${n} account${n > 1 ? 's refer' : ' refers'} to an organization that does not exist (for example "${ex}")`,
    },
  ],
  users: [
    {
      table: 'users',
      column: 'organization_id',
      refersTo: 'organizations',
      rowIndex: 3,
      describe: (n, ex) =>
        `${n} user${n > 1 ? 's refer' : ' refers'} to an organization that does not exist (for example "${ex}")`,
    },
    {
      table: 'user_accounts',
      column: 'account_id',
      refersTo: 'accounts',
      rowIndex: 5,
      describe: (n, ex) =>
        `${n} user-account link${n > 1 ? 's refer' : ' refers'} to an account that does not exist (for example "${ex}")`,
    },
  ],
  nps: [
    {
      table: 'nps_responses',
      column: 'user_id',
      refersTo: 'users',
      rowIndex: 1,
      describe: (n, ex) =>
        `${n} NPS response${n > 1 ? 's refer' : ' refers'} to a user that does not exist (for example "${ex}")`,
    },
  ],
  tracks: (
    [
      ['user_id', 'users', 'user'],
      ['account_id', 'accounts', 'account'],
      ['organization_id', 'organizations', 'organization'],
    ] as const
  ).map(([column, refersTo, noun]) => ({
    table: 'events',
    column,
    refersTo,
    target: noun,
    rowIndex: 1,
    describe: (n: number, ex: string) =>
      `${n} event${n > 1 ? 's refer' : ' refers'} to a${noun === 'organization' || noun === 'account' ? 'n' : ''} ${noun} that does not exist (for example "${ex}")`,
  })),
};

export interface ReferenceScope {
  /** Which rows of the type's own table the file wrote: lets the check read only those. */
  written?: WrittenRows;
  /** What the writer counted as it went (exact when the file only created records). */
  counted?: CountedReferences;
  /** The tracks target of the file: its events refer only through that column. */
  target?: TracksMapping['target'];
}

/** References to records that do not exist yet: stored as given, reported as warnings. */
export function findDanglingReferences(
  db: SqliteDatabase,
  type: ObjectType,
  stamp: FileStamp,
  scope: ReferenceScope = {},
): string[] {
  const warnings: string[] = [];
  for (const check of REFERENCE_CHECKS[type]) {
    if (check.target && scope.target && check.target !== scope.target) continue;
    const counted = scope.written && !scope.written.updatedExisting ? scope.counted?.get(check) : undefined;
    if (counted) {
      if (counted.count > 0) warnings.push(`${check.describe(counted.count, counted.example ?? '')}; stored as given.`);
      continue;
    }
    const written = check.table === TABLE_OF[type] ? scope.written : undefined;
    const row = db
      .prepare(referenceCheckSql(check, written))
      .get({ run: stamp.runId, file: stamp.key, rowidBefore: written?.rowidBefore ?? 0 }) as {
      n: number;
      example: string | null;
    };
    if (row.n > 0) warnings.push(`${check.describe(row.n, row.example ?? '')}; stored as given.`);
  }
  return warnings;
}

function referenceCheckSql(check: ReferenceCheck, written: WrittenRows | undefined): string {
  const { table, column, refersTo } = check;
  const fromThisFile = `last_run_id = @run AND last_file = @file`;
  // The rows this file created lie above rowidBefore: a range of the table rather than all of it;
  // rows it updated can be anywhere below, so they are looked for only when there were some.
  const sources = written
    ? [
        `SELECT ${column} AS ref FROM ${table} WHERE rowid > @rowidBefore AND ${fromThisFile}`,
        ...(written.updatedExisting
          ? [`SELECT ${column} AS ref FROM ${table} WHERE rowid <= @rowidBefore AND ${fromThisFile}`]
          : []),
      ]
    : [`SELECT ${column} AS ref FROM ${table} WHERE ${fromThisFile}`];
  return `SELECT count(*) AS n, min(ref) AS example FROM (${sources.join(' UNION ALL ')})
          WHERE ref IS NOT NULL AND ref NOT IN (SELECT external_id FROM ${refersTo})`;
}

/** Dangling references counted by the writer, per check. */
export type CountedReferences = Map<ReferenceCheck, { count: number; example: string | null }>;

/** Referenced IDs remembered per check; past this the memory starts over (a file whose rows each name another ID). */
const MAX_REMEMBERED_REFERENCE_IDS = 200_000;

/**
 * Counts, as rows are written, the references to records that do not exist. When a file only
 * creates records (no row updated an existing one or repeated an ID), every row written is a record
 * of its own and the count is exact, and the check need not read the file's rows back from SQLite
 * (measured: ~0.4 s for 2M events). Otherwise findDanglingReferences queries as before.
 * Each distinct ID is looked up once, by the index: the cost follows the file, not the size of the
 * referenced table (a run of many small files must not load a big table's IDs for each).
 */
export function createReferenceCounter(db: SqliteDatabase, checks: readonly ReferenceCheck[], mapping: ObjectMapping) {
  const target = 'target' in mapping ? mapping.target : undefined;
  const counters = checks
    .filter((check) => !check.target || check.target === target)
    .map((check) => ({
      check,
      // An empty referenced table is common (events synced before users): then no ID need be looked up.
      empty: db.prepare(`SELECT NOT EXISTS (SELECT 1 FROM ${check.refersTo})`).pluck().get() === 1,
      exists: db.prepare(`SELECT EXISTS (SELECT 1 FROM ${check.refersTo} WHERE external_id = ?)`).pluck(),
      known: new Map<RowValue, boolean>(),
      count: 0,
      example: null as string | null,
    }));
  return {
    active: counters.length > 0,
    see(values: readonly RowValue[], at: number): void {
      for (const counter of counters) {
        const ref = values[at + counter.check.rowIndex];
        if (ref === null || ref === undefined) continue;
        let found = counter.empty ? false : counter.known.get(ref);
        if (found === undefined) {
          found = counter.exists.get(ref) === 1;
          if (counter.known.size >= MAX_REMEMBERED_REFERENCE_IDS) counter.known.clear();
          counter.known.set(ref, found);
        }
        if (found) continue;
        counter.count++;
        const text = String(ref);
        if (counter.example === null || compareUtf8(text, counter.example) < 0) counter.example = text;
      }
    },
    result(): CountedReferences {
      return new Map(counters.map(({ check, count, example }) => [check, { count, example }]));
    },
  };
}

/** Compares as SQLite's min() does (the bytes of UTF-8), which differs from UTF-16 order only past U+D7FF. */
export function compareUtf8(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (a character beyond U+FFFF, 4 bytes in UTF-8) sorts after U+E000-U+FFFF.
    const surrogateX = x >= 0xd800 && x <= 0xdfff;
    const surrogateY = y >= 0xd800 && y <= 0xdfff;
    if (surrogateX !== surrogateY && (surrogateX ? y : x) >= 0xe000) return surrogateX ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
