// Writes one file's records into SQLite: multi-row upserts inside the file's transaction.
import type Database from 'better-sqlite3';
import type { ObjectMapping, ObjectType, TracksMapping } from '../../shared/config';
import { ROW_WIDTH, type RowValue } from '../mapping/record-rows';
import type { SqliteDatabase } from './sqlite-database';
import { TABLE_OF, type FileStamp, type WriteCounts, type WrittenRows } from './tables';
import { createReferenceCounter, REFERENCE_CHECKS, type CountedReferences } from './references';

export interface RecordWriter {
  /** Writes `count` records given as rows (see record-rows.ts), starting at values[from], or queues them
   * for the next multi-row statement (in file order: the last row wins). */
  writeRows(values: readonly RowValue[], from: number, count: number): void;
  /**
   * Writes what is queued; then the file's counts and which rows it wrote. Call once, inside the file's
   * transaction.
   */
  finish(): WriteCounts & WrittenRows & { references: CountedReferences };
}

/**
 * Rows per multi-row INSERT ... ON CONFLICT DO UPDATE statement: one call into SQLite per batch
 * rather than per row. (SQLite applies a multi-row upsert row by row, so a repeated ID still ends
 * with its last row.)
 */
export const UPSERT_BATCH_ROWS = 200;

/** The SQL function that merges traits when the incoming ones hold explicit nulls (see mergeTraits). */
const MERGE_TRAITS_FUNCTION = 's3sync_merge_traits';
const connectionsWithMerge = new WeakSet<SqliteDatabase>();

/**
 * Stored traits merged with incoming ones: json_patch, except that an explicit null sets the trait to
 * null (json_patch would delete it). The JavaScript merge only runs for incoming traits that mention
 * a null; the rest stay in SQLite's json_patch.
 */
function mergeTraitsSql(stored: string, incoming: string): string {
  return `CASE WHEN instr(${incoming}, ':null') THEN ${MERGE_TRAITS_FUNCTION}(${stored}, ${incoming}) ELSE json_patch(${stored}, ${incoming}) END`;
}

function ensureMergeFunction(db: SqliteDatabase): void {
  if (connectionsWithMerge.has(db)) return;
  db.function(MERGE_TRAITS_FUNCTION, { deterministic: true }, (stored, incoming) =>
    mergeTraits(String(stored), String(incoming)),
  );
  connectionsWithMerge.add(db);
}

/** Incoming traits over stored ones, keys in place, new ones appended, nulls kept as null. */
export function mergeTraits(storedJson: string, incomingJson: string): string {
  // Null-prototype objects: a trait named "__proto__" is a trait, not a prototype.
  const merged = Object.assign(Object.create(null) as Record<string, unknown>, JSON.parse(storedJson) as object);
  Object.assign(merged, JSON.parse(incomingJson));
  return JSON.stringify(merged);
}

/**
 * Writes one file's records of one object type. Upserts go in multi-row statements; update_only
 * mode (which must know, row by row, whether the record exists) updates one row at a time.
 * Created rows are counted by rowid (new rows get the largest rowid plus one), so no statement
 * needs to return anything.
 */
export function createRecordWriter(
  db: SqliteDatabase,
  type: ObjectType,
  mapping: ObjectMapping,
  stamp: FileStamp,
): RecordWriter {
  ensureMergeFunction(db);
  const table = TABLE_OF[type];
  const width = ROW_WIDTH[type];
  const constants = { run: stamp.runId, file: stamp.key, now: stamp.syncedAt };
  const maxRowid = db.prepare(`SELECT coalesce(max(rowid), 0) FROM ${table}`).pluck();
  const rowidBefore = maxRowid.get() as number;
  const touch = `last_synced_at = excluded.last_synced_at, last_run_id = excluded.last_run_id, last_file = excluded.last_file, sync_count = sync_count + 1`;
  const syncColumns = `first_synced_at, last_synced_at, last_run_id, last_file`;
  const syncValues = `@now, @now, @run, @file`;
  let upserted = 0;
  let updatedOnly = 0;
  let skipped = 0;
  const statements: BatchedStatement[] = [];
  /** Writes one row (values[at] .. values[at + width - 1]). */
  let writeRow: (values: readonly RowValue[], at: number) => void;
  const upsertInto =
    (statement: BatchedStatement, then?: (values: readonly RowValue[], at: number) => void) =>
    (values: readonly RowValue[], at: number): void => {
      statement.addRow(values, at);
      upserted++;
      then?.(values, at);
    };

  if (type === 'tracks') {
    const target = (mapping as TracksMapping).target;
    const slot = (t: TracksMapping['target']) => (t === target ? '?' : 'NULL');
    const events = new BatchedStatement(db, {
      head: `INSERT INTO events (message_id, user_id, account_id, organization_id, event, occurred_at, properties, ${syncColumns}) VALUES`,
      row: `(?, ${slot('user')}, ${slot('account')}, ${slot('organization')}, ?, ?, ?, ${syncValues})`,
      tail: `ON CONFLICT (message_id) DO UPDATE SET user_id = excluded.user_id, account_id = excluded.account_id,
        organization_id = excluded.organization_id, event = excluded.event, occurred_at = excluded.occurred_at,
        properties = ${mergeTraitsSql('properties', 'excluded.properties')}, ${touch}`,
      paramsPerRow: 5,
      constants,
      insertFirst: { table, idColumn: 'message_id', maxRowid: rowidBefore },
    });
    statements.push(events);
    writeRow = upsertInto(events);
  } else if (type === 'nps') {
    const responses = new BatchedStatement(db, {
      head: `INSERT INTO nps_responses (external_id, user_id, score, feedback, responded_at, ${syncColumns}) VALUES`,
      row: `(?, ?, ?, ?, ?, ${syncValues})`,
      tail: `ON CONFLICT (external_id) DO UPDATE SET user_id = excluded.user_id, score = excluded.score,
        feedback = COALESCE(excluded.feedback, feedback), responded_at = excluded.responded_at, ${touch}`,
      paramsPerRow: 5,
      constants,
      insertFirst: { table, idColumn: 'external_id', maxRowid: rowidBefore },
    });
    statements.push(responses);
    writeRow = upsertInto(responses);
  } else {
    // Organizations, accounts, users: the columns between ID and traits, in row order (record-rows.ts).
    const columns =
      type === 'organizations'
        ? ['name']
        : type === 'accounts'
          ? ['name', 'organization_id']
          : ['name', 'email', 'organization_id'];
    const traitsAt = columns.length + 1;
    const links =
      type === 'users'
        ? new BatchedStatement(db, {
            head: `INSERT INTO user_accounts (user_id, account_id, first_synced_at, last_run_id, last_file) VALUES`,
            row: `(?, ?, @now, @run, @file)`,
            tail: `ON CONFLICT (user_id, account_id) DO UPDATE SET last_run_id = excluded.last_run_id, last_file = excluded.last_file`,
            paramsPerRow: 2,
            constants,
          })
        : null;
    // Users: the account ID follows the traits; a row with one links the user to that account.
    const link = (values: readonly RowValue[], at: number) => {
      if (links && values[at + traitsAt + 1] !== null) links.add2(values[at]!, values[at + traitsAt + 1]!);
    };

    if ('mode' in mapping && mapping.mode === 'update_only') {
      // An empty mapped cell leaves the stored value alone: COALESCE with the old value.
      const keepOld = columns.map((column) => `${column} = COALESCE(@${column}, ${column})`).join(', ');
      const update = db.prepare(`
        UPDATE ${table} SET ${keepOld}, traits = ${mergeTraitsSql('traits', '@traits')},
          last_synced_at = @now, last_run_id = @run, last_file = @file, sync_count = sync_count + 1
        WHERE external_id = @id`);
      writeRow = (values, at) => {
        const params: Record<string, unknown> = { ...constants, id: values[at], traits: values[at + traitsAt] };
        columns.forEach((column, i) => (params[column] = values[at + 1 + i]));
        if (update.run(params).changes === 0) {
          skipped++;
          return;
        }
        updatedOnly++;
        link(values, at);
      };
    } else {
      const keepOld = columns.map((column) => `${column} = COALESCE(excluded.${column}, ${column})`).join(', ');
      const records = new BatchedStatement(db, {
        head: `INSERT INTO ${table} (external_id, ${columns.join(', ')}, traits, ${syncColumns}) VALUES`,
        row: `(?, ${columns.map(() => '?').join(', ')}, ?, ${syncValues})`,
        tail: `ON CONFLICT (external_id) DO UPDATE SET ${keepOld}, traits = ${mergeTraitsSql('traits', 'excluded.traits')}, ${touch}`,
        paramsPerRow: traitsAt + 1,
        constants,
        insertFirst: { table, idColumn: 'external_id', maxRowid: rowidBefore },
      });
      statements.push(records);
      writeRow = upsertInto(records, link);
    }
    if (links) statements.push(links);
  }

  // update_only files update (or skip) rows: their references are checked by query.
  const references = createReferenceCounter(
    db,
    'mode' in mapping && mapping.mode === 'update_only' ? [] : REFERENCE_CHECKS[type],
    mapping,
  );
  if (references.active) {
    const write = writeRow;
    writeRow = (values, at) => {
      references.see(values, at);
      write(values, at);
    };
  }
  return {
    writeRows(values, from, count) {
      for (let i = 0, at = from; i < count; i++, at += width) writeRow(values, at);
    },
    finish() {
      for (const statement of statements) statement.flush();
      const created = (maxRowid.get() as number) - rowidBefore;
      const updated = upserted - created + updatedOnly;
      return { created, updated, skipped, rowidBefore, updatedExisting: updated > 0, references: references.result() };
    },
  };
}

interface BatchedStatementSql {
  /** `INSERT INTO t (...) VALUES` */
  head: string;
  /** One row's values, with ? for each per-row parameter and @names for the constants. */
  row: string;
  /** `ON CONFLICT ... DO UPDATE ...` */
  tail: string;
  paramsPerRow: number;
  constants: Record<string, unknown>;
  /**
   * Try each batch as a plain INSERT OR IGNORE first, and upsert only the rows it skipped (IDs that
   * exist already, or repeat within the batch). A plain insert needs no statement journal, which a
   * multi-row upsert must keep (measured: ~10% less SQLite time for new rows). The rowid of the
   * table's last row and its ID column tell which rows went in.
   */
  insertFirst?: { table: string; idColumn: string; maxRowid: number };
}

/** Collects rows and runs them UPSERT_BATCH_ROWS at a time in one multi-row statement. */
class BatchedStatement {
  private readonly params: unknown[];
  private length = 0;
  private readonly statements = new Map<number, Database.Statement>();
  private insertedIdsQuery: Database.Statement | null = null;
  private maxRowid: number;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly sql: BatchedStatementSql,
  ) {
    this.params = new Array(UPSERT_BATCH_ROWS * sql.paramsPerRow);
    this.maxRowid = sql.insertFirst?.maxRowid ?? 0;
  }

  /** Queues one row: paramsPerRow values from values[at]. */
  addRow(values: readonly RowValue[], at: number): void {
    const params = this.params;
    let n = this.length;
    for (let i = at, end = at + this.sql.paramsPerRow; i < end; i++) params[n++] = values[i];
    this.length = n;
    if (n === params.length) this.flush();
  }

  add2(a: RowValue, b: RowValue): void {
    this.params[this.length++] = a;
    this.params[this.length++] = b;
    if (this.length === this.params.length) this.flush();
  }

  // Statements are run with their parameters spread as arguments: better-sqlite3 reads an array
  // argument element by element through the V8 API, which measured ~9% slower for these batches.
  flush(): void {
    const perRow = this.sql.paramsPerRow;
    const rows = this.length / perRow;
    if (rows === 0) return;
    const params = this.length === this.params.length ? this.params : this.params.slice(0, this.length);
    this.length = 0;
    const insertFirst = this.sql.insertFirst;
    if (!insertFirst) {
      this.statement('upsert', rows).run(...params, this.sql.constants);
      return;
    }
    const inserted = this.statement('insert', rows).run(...params, this.sql.constants).changes;
    const firstNewRowid = this.maxRowid + 1;
    this.maxRowid += inserted;
    if (inserted === rows) return;
    // The IDs that went in; the first row with each of them is the one that did. The others, in
    // file order, are upserts (SQLite applies a multi-row upsert row by row: the last one wins).
    this.insertedIdsQuery ??= this.db
      .prepare(`SELECT ${insertFirst.idColumn} FROM ${insertFirst.table} WHERE rowid >= ?`)
      .pluck();
    const insertedIds = new Set(this.insertedIdsQuery.all(firstNewRowid));
    const rest: unknown[] = [];
    for (let r = 0; r < rows; r++) {
      const at = r * perRow;
      if (insertedIds.delete(params[at])) continue;
      for (let i = at; i < at + perRow; i++) rest.push(params[i]);
    }
    this.statement('upsert', rest.length / perRow).run(...rest, this.sql.constants);
  }

  /** Prepared once per kind and row count for this file (in practice: the batch size, and a few for the rest). */
  private statement(kind: 'insert' | 'upsert', rows: number): Database.Statement {
    const key = kind === 'insert' ? rows : -rows;
    let statement = this.statements.get(key);
    if (!statement) {
      const values = Array.from({ length: rows }, () => this.sql.row).join(', ');
      statement = this.db.prepare(
        kind === 'insert'
          ? `${this.sql.head.replace(/^INSERT INTO /, 'INSERT OR IGNORE INTO ')} ${values}`
          : `${this.sql.head} ${values} ${this.sql.tail}`,
      );
      this.statements.set(key, statement);
    }
    return statement;
  }
}
