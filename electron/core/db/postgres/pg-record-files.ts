// The stale rule's bookkeeping in PostgreSQL (docs/stale-records.md), as db/record-files.ts keeps it in
// SQLite: which files hold each record, and which known files are missing from the bucket or no longer
// selected. Set-based: one statement per file for its holdings, one per run for the files' states.
import type pg from 'pg';
import type { ObjectMapping, ObjectType } from '../../../shared/config';
import type { FileGone } from '../../../shared/domain';
import { HELD_TABLES, presenceChanges, type KnownFile } from '../record-files';
import { STAGE } from './pg-merge-sql';

export async function knownFilesPg(client: pg.Client): Promise<KnownFile[]> {
  const { rows } = await client.query<{ object_type: ObjectType; key: string; missing: boolean; unselected: boolean }>(
    `SELECT object_type, key, missing_since IS NOT NULL AS missing, unselected_since IS NOT NULL AS unselected FROM file_state`,
  );
  return rows.map((r) => ({ objectType: r.object_type, key: r.key, missing: r.missing, unselected: r.unselected }));
}

/** Marks the known files present or missing and selected or not, in one statement; returns those that left. */
export async function markFilePresencePg(
  client: pg.Client,
  isListed: (key: string) => boolean,
  isSelected: (type: ObjectType, key: string) => boolean,
  at: string,
): Promise<FileGone[]> {
  const { changes, gone } = presenceChanges(await knownFilesPg(client), isListed, isSelected);
  if (changes.length === 0) return gone;
  await client.query(
    `UPDATE file_state f SET missing_since = CASE WHEN c.missing THEN coalesce(f.missing_since, $1) END,
       unselected_since = CASE WHEN c.unselected THEN coalesce(f.unselected_since, $1) END
     FROM unnest($2::text[], $3::text[], $4::boolean[], $5::boolean[]) AS c(object_type, key, missing, unselected)
     WHERE f.object_type = c.object_type AND f.key = c.key`,
    [
      at,
      changes.map((c) => c.objectType),
      changes.map((c) => c.key),
      changes.map((c) => c.missing),
      changes.map((c) => c.unselected),
    ],
  );
  return gone;
}

/**
 * Inside the file's transaction, after its merge and while its staging table still exists: the file
 * now holds exactly the records it wrote. Those are the staged IDs (update-only: the ones that exist,
 * which the merge updated), so the record table itself is not scanned. Only the difference is written:
 * a re-imported file mostly holds what it held (measured: scripts/bench-postgres-holdings.ts).
 */
export async function recordFileHoldingsPg(
  client: pg.Client,
  type: ObjectType,
  mapping: ObjectMapping,
  key: string,
): Promise<void> {
  if (!(type in HELD_TABLES)) return;
  const table = HELD_TABLES[type as keyof typeof HELD_TABLES];
  const updateOnly = 'mode' in mapping && mapping.mode === 'update_only';
  // A temporary table has no statistics until analyzed: without them the planner took the anti-join
  // below for a nested loop over the stage (a 250k-row re-import ran for minutes; analyzed, seconds).
  await client.query(`ANALYZE ${STAGE}`);
  // A held record exists (records are never deleted): not staged means no longer in the file.
  await client.query(
    `DELETE FROM record_files r WHERE r.object_type = $1 AND r.key = $2
       AND NOT EXISTS (SELECT 1 FROM ${STAGE} s WHERE s.id = r.record_id)`,
    [type, key],
  );
  // ON CONFLICT DO NOTHING also skips an ID staged twice (DO UPDATE would refuse it).
  await client.query(
    `INSERT INTO record_files (object_type, record_id, key)
     SELECT $1::text, s.id, $2::text FROM ${STAGE} s
     ${updateOnly ? `WHERE EXISTS (SELECT 1 FROM ${table} t WHERE t.external_id = s.id)` : ''}
     ON CONFLICT DO NOTHING`,
    [type, key],
  );
}
