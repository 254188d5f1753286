// One file into PostgreSQL, in one transaction: its mapped rows stream with COPY into a temporary
// staging table, then one INSERT ... SELECT ... ON CONFLICT (or UPDATE ... FROM) merges them, and
// file_state, sync_files and the rejects are written before the commit. No row-by-row INSERTs.
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ObjectMapping, ObjectType } from '../../../shared/config';
import { ROW_WIDTH, type RowValue } from '../../mapping/record-rows';
import type { FileWrite } from '../sync-target';
import type { FileStamp } from '../tables';
import {
  copyStageSql,
  createStageSql,
  danglingReferenceSql,
  insertNewSql,
  linkUsersSql,
  mergeSql,
  STAGE,
  stageColumns,
} from './pg-merge-sql';
import { insertRejects, recordFileSql, saveFileStateSql } from './pg-run-log';
import type { RejectedRow } from '../../../shared/domain';

/** Characters COPY's text format escapes. */
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function copyValue(value: RowValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}

/** S3_CSV_SYNC_TIMINGS=1 prints where a file's time went (the PostgreSQL benchmark reads it). */
const TIMINGS = process.env.S3_CSV_SYNC_TIMINGS === '1';

/** What the process holds, for the timings line: where a peak RSS comes from. */
function memory(): string {
  const m = process.memoryUsage();
  const mb = (n: number) => `${Math.round(n / 1048576)} MB`;
  return `rss ${mb(m.rss)}, V8 heap ${mb(m.heapUsed)} used of ${mb(m.heapTotal)}, external ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)})`;
}

/** Text gathered before one write to the COPY stream: few, large writes. */
const COPY_CHUNK_CHARS = 256 * 1024;

export async function beginPostgresFile(
  client: pg.Client,
  type: ObjectType,
  mapping: ObjectMapping,
  stamp: FileStamp,
  /** beforeCommit: more of the file's bookkeeping, in its transaction (pg-file-bookkeeping.ts). */
  hooks: { beforeCommit?: () => Promise<void> } = {},
): Promise<FileWrite> {
  const columns = stageColumns(type, mapping);
  const width = ROW_WIDTH[type];
  await client.query('BEGIN');
  await client.query(createStageSql(columns));
  const copy = client.query(copyFrom(copyStageSql(columns)));
  const began = performance.now();
  let failure: Error | null = null;
  let waiting: { resolve: () => void; reject: (e: Error) => void } | null = null;
  copy.on('error', (error: Error) => {
    failure = error;
    waiting?.reject(error);
    waiting = null;
  });
  /** Time the reader spent waiting for the server to take the COPY's text (its backpressure). */
  let blockedMs = 0;
  let blockedSince = 0;
  copy.on('drain', () => {
    if (TIMINGS) blockedMs += performance.now() - blockedSince;
    waiting?.resolve();
    waiting = null;
  });
  const copied = new Promise<void>((resolve, reject) => {
    copy.on('finish', resolve);
    copy.on('error', reject);
  });
  copied.catch(() => {}); // awaited in finish(); a failure before then is thrown from writeRows
  let pending = '';
  let written = 0;
  const rejects: RejectedRow[] = [];

  const flush = (): void | Promise<void> => {
    const chunk = pending;
    pending = '';
    if (copy.write(chunk)) return;
    if (TIMINGS) blockedSince = performance.now();
    return new Promise<void>((resolve, reject) => (waiting = { resolve, reject }));
  };

  return {
    writeRows(values, from, count) {
      if (failure) throw failure;
      for (let r = 0, at = from; r < count; r++, at += width) {
        let line = `${++written}\t${copyValue(values[at]!)}`;
        for (let i = 1; i < width; i++) line += `\t${copyValue(values[at + i]!)}`;
        pending += `${line}\n`;
      }
      if (pending.length >= COPY_CHUNK_CHARS) return flush();
    },
    recordReject(reject) {
      rejects.push(reject);
    },
    async finish() {
      if (failure) throw failure;
      const readAt = performance.now();
      copy.end(pending);
      pending = '';
      await copied;
      const copiedAt = performance.now();
      const params = [stamp.syncedAt, stamp.runId, stamp.key];
      let referencesFromStage = false;
      /**
       * New records are first tried with a plain INSERT, in a savepoint: the common case for events
       * (new message IDs) and a first sync. It fails (23505) when an ID is stored already or repeats
       * in the file, at the first such row; then the upsert tries the staged rows as they are: ON
       * CONFLICT refuses a key proposed twice in one statement (21000), and only then are the rows
       * of each ID combined (a GROUP BY over the file). UPDATE … FROM has no such check, so
       * update-only files look for repeats first.
       */
      const merge = async (): Promise<{ rows: Record<string, string>[]; repeats: boolean; how: string }> => {
        if ('mode' in mapping && mapping.mode === 'update_only') {
          const check = await client.query<{ repeats: boolean }>(
            `SELECT EXISTS (SELECT 1 FROM ${STAGE} GROUP BY id HAVING count(*) > 1) AS repeats`,
          );
          const repeats = check.rows[0]!.repeats;
          return {
            rows: (await client.query<Record<string, string>>(mergeSql(type, mapping, repeats), params)).rows,
            repeats,
            how: 'update',
          };
        }
        const inSavepoint = async <T>(work: () => Promise<T>, code: string): Promise<T | null> => {
          await client.query('SAVEPOINT s3sync_merge');
          try {
            const result = await work();
            await client.query('RELEASE SAVEPOINT s3sync_merge');
            return result;
          } catch (error) {
            if ((error as { code?: string }).code !== code) throw error;
            await client.query('ROLLBACK TO SAVEPOINT s3sync_merge');
            return null;
          }
        };
        const inserted = await inSavepoint(() => client.query(insertNewSql(type, mapping), params), '23505');
        if (inserted) return { rows: [{ created: String(inserted.rowCount) }], repeats: false, how: 'insert' };
        const upserted = await inSavepoint(
          () => client.query<Record<string, string>>(mergeSql(type, mapping, false), params),
          '21000',
        );
        if (upserted) return { rows: upserted.rows, repeats: false, how: 'insert tried, upsert' };
        return {
          rows: (await client.query<Record<string, string>>(mergeSql(type, mapping, true), params)).rows,
          repeats: true,
          how: 'insert and upsert tried, grouped upsert',
        };
      };
      let created = 0;
      let updated = 0;
      let skipped = 0;
      let mergedAt = copiedAt;
      let how = 'nothing to merge';
      if (written > 0) {
        const merged = await merge();
        const { rows, repeats } = merged;
        how = merged.how;
        if (type === 'users') await client.query(linkUsersSql(mapping), params);
        mergedAt = performance.now();
        referencesFromStage = !repeats;
        if ('mode' in mapping && mapping.mode === 'update_only') {
          updated = Number(rows[0]!.updated);
          skipped = written - updated;
        } else {
          created = Number(rows[0]!.created);
          updated = written - created;
        }
      }
      const warnings: string[] = [];
      if (written > 0) {
        for (const check of danglingReferenceSql(type, mapping, referencesFromStage)) {
          const { rows } = await client.query<{ n: string; example: string | null }>(check.sql, [
            stamp.runId,
            stamp.key,
          ]);
          const n = Number(rows[0]!.n);
          if (n > 0) warnings.push(`${check.describe(n, rows[0]!.example ?? '')}; stored as given.`);
        }
      }
      if (TIMINGS) {
        const ms = (from: number, to: number) => `${Math.round(to - from)} ms`;
        process.stderr.write(
          `timings: read+COPY ${ms(began, copiedAt)} (waiting for the server ${ms(0, blockedMs)}, the COPY's end ${ms(readAt, copiedAt)}), ` +
            `merge ${ms(copiedAt, mergedAt)} (${how}), references ${ms(mergedAt, performance.now())}\n` +
            `timings: memory at the end of the file: ${memory()}\n`,
        );
      }
      return { created, updated, skipped, warnings };
    },
    async commit(state, file) {
      await client.query(saveFileStateSql, [
        state.type,
        state.key,
        state.etag,
        state.size,
        state.mappingHash,
        state.runId,
        state.importedAt,
      ]);
      await client.query(recordFileSql.text, recordFileSql.values(stamp.runId, file));
      await insertRejects(client, stamp.runId, rejects);
      await hooks.beforeCommit?.();
      await client.query('COMMIT');
    },
    async rollback() {
      if (!failure && copy.writable) copy.destroy(new Error('The import of this file was stopped.'));
      await copied.catch(() => {});
      await client.query('ROLLBACK');
    },
  };
}
