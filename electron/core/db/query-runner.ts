// The analyst's own SQL, run read-only by construction: a connection opened readonly with
// PRAGMA query_only, and a statement refused unless SQLite itself says it only reads. Used by the
// query worker (core/worker/query-worker.ts), never on the thread that serves the window.
import Database from 'better-sqlite3';
import type { QueryErrorPosition, QueryValue } from '../../shared/contract';

export type ReadOnlyConnection = Database.Database;

export function openReadOnlyConnection(dbPath: string): ReadOnlyConnection {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  // readonly already refuses writes; query_only also refuses them through ATTACHed files and pragmas.
  db.pragma('query_only = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** A query the user must change: the message says what is wrong and, when known, where. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    message: string,
    readonly position?: QueryErrorPosition,
  ) {
    super(message);
  }
}

/** The statement without trailing semicolons and blank space, so it can be wrapped in a subquery. */
export function trimStatement(sql: string): string {
  return sql.replace(/[\s;]+$/u, '');
}

/**
 * Checks that `sql` is one statement that reads rows, and gives it back trimmed. Wrapping it as
 * `SELECT … FROM (sql)` lets us count and page any SELECT or WITH; the newline before the closing
 * parenthesis keeps a trailing `-- comment` from swallowing it.
 */
export function checkReadOnly(db: ReadOnlyConnection, sql: string): string {
  const statement = trimStatement(sql);
  if (statement.trim() === '') throw new QueryError('The query is empty: write a SELECT statement, then Run.');
  let prepared: Database.Statement;
  try {
    prepared = db.prepare(statement);
  } catch (error) {
    throw explainSqliteError(error, statement);
  }
  if (!prepared.readonly) {
    const verb = /^\s*(\w+)/.exec(stripLeadingComments(statement))?.[1]?.toUpperCase() ?? 'This statement';
    throw new QueryError(
      `${verb} changes the database, and queries here only read it. Use SELECT (or WITH … SELECT); the data changes only through a sync.`,
      positionAt(statement, 0),
    );
  }
  if (!prepared.reader)
    throw new QueryError(
      'This statement returns no rows. Write a SELECT (or WITH … SELECT) whose result you want to see.',
      positionAt(statement, 0),
    );
  return statement;
}

export interface QueryPageRows {
  columns: string[];
  rows: QueryValue[][];
}

/** One page of the query's result, in the query's own order. */
export function queryPage(db: ReadOnlyConnection, sql: string, offset: number, limit: number): QueryPageRows {
  const statement = checkReadOnly(db, sql);
  const prepared = db.prepare(`SELECT * FROM (${statement}\n) LIMIT ? OFFSET ?`).raw(true);
  const columns = prepared.columns().map((c) => c.name);
  const rows = (prepared.all(limit, offset) as SqliteValue[][]).map((row) => row.map(toQueryValue));
  return { columns, rows };
}

export function countRows(db: ReadOnlyConnection, sql: string): number {
  const statement = checkReadOnly(db, sql);
  return db.prepare(`SELECT count(*) FROM (${statement}\n)`).pluck().get() as number;
}

export function resultColumns(db: ReadOnlyConnection, sql: string): string[] {
  return db
    .prepare(checkReadOnly(db, sql))
    .columns()
    .map((c) => c.name);
}

/** Every row of the query, one at a time (exports); `params` for the statements the app builds. */
export function iterateRows(
  db: ReadOnlyConnection,
  sql: string,
  params: readonly unknown[] = [],
): { columns: string[]; rows: IterableIterator<QueryValue[]> } {
  const statement = checkReadOnly(db, sql);
  const prepared = db.prepare(statement).raw(true);
  const columns = prepared.columns().map((c) => c.name);
  const iterator = prepared.iterate(...params) as IterableIterator<SqliteValue[]>;
  function* converted(): IterableIterator<QueryValue[]> {
    for (const row of iterator) yield row.map(toQueryValue);
  }
  return { columns, rows: converted() };
}

/** The keys found in a JSON column of the query's result (traits, properties), for export columns. */
export function jsonKeysOf(
  db: ReadOnlyConnection,
  sql: string,
  params: readonly unknown[],
  column: string,
  max = 200,
): string[] {
  const statement = checkReadOnly(db, sql);
  const quoted = `"${column.replaceAll('"', '""')}"`;
  return db
    .prepare(
      `SELECT DISTINCT j.key FROM (${statement}\n) q, json_each(CASE WHEN json_valid(q.${quoted}) THEN q.${quoted} ELSE '{}' END) j
       WHERE j.key IS NOT NULL ORDER BY j.key LIMIT ${max}`,
    )
    .pluck()
    .all(...params) as string[];
}

/** Binary values cannot cross to the window or into a CSV as they are: say what they are. */
/** What better-sqlite3 hands back for a column: BLOBs as Buffers, integers as BigInt when read as such. */
type SqliteValue = null | number | bigint | string | Buffer;

function toQueryValue(value: SqliteValue): QueryValue {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (Buffer.isBuffer(value)) return `<blob, ${value.length} bytes>`;
  return String(value);
}

function stripLeadingComments(sql: string): string {
  return sql.replace(/^(\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)+/u, '');
}

/** SQLite's message, with a hint and the place in the statement it points at. */
export function explainSqliteError(error: unknown, sql: string): QueryError {
  const message = (error as Error).message ?? String(error);
  if (/more than one statement/i.test(message))
    return new QueryError('The query holds more than one statement: run one SELECT at a time.');
  const near = /near "((?:[^"]|"")*)": syntax error/.exec(message);
  if (near) {
    const token = near[1]!.replaceAll('""', '"');
    return new QueryError(`Syntax error near "${token}".`, positionOfToken(sql, token));
  }
  if (/incomplete input/.test(message))
    return new QueryError(
      'The statement ends too early (a parenthesis or quote left open?).',
      positionAt(sql, sql.length),
    );
  const named = /^(no such (?:column|table|function)|ambiguous column name): (.+)$/.exec(message);
  if (named) {
    const name = named[2]!;
    const hint = named[1] === 'no such table' ? ' The Tables list beside the editor shows which tables there are.' : '';
    return new QueryError(`${capitalize(named[1]!)}: ${name}.${hint}`, positionOfToken(sql, name.split('.').pop()!));
  }
  return new QueryError(capitalize(message.replace(/\.?$/, '.')));
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** SQLite names the token, not its place: the first occurrence outside string literals is the likely one. */
function positionOfToken(sql: string, token: string): QueryErrorPosition | undefined {
  if (token === '') return positionAt(sql, sql.length);
  const masked = sql.replace(/'(?:[^']|'')*'/g, (literal) => ' '.repeat(literal.length));
  const pattern = new RegExp(`(?<![\\w.])${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\w)`, 'i');
  const found = pattern.exec(masked) ?? pattern.exec(sql);
  return found ? positionAt(sql, found.index) : undefined;
}

export function positionAt(sql: string, offset: number): QueryErrorPosition {
  const before = sql.slice(0, offset).split('\n');
  return { offset, line: before.length, column: before.at(-1)!.length + 1 };
}
