// Around one file's write into PostgreSQL (pg-file-write.ts), in its transaction, what SQLite's target
// does around its record writer: which records the file holds (the stale rule), the notice when its
// header differs from the file read before it, and the header remembered for the next file.
import type pg from 'pg';
import type { ObjectMapping, ObjectType } from '../../../shared/config';
import type { FileWrite } from '../sync-target';
import type { FileStamp } from '../tables';
import { describeColumnChangePg, rememberColumnsPg } from './pg-file-columns';
import { beginPostgresFile } from './pg-file-write';
import { recordFileHoldingsPg } from './pg-record-files';

/** S3_CSV_SYNC_TIMINGS=1: what the holdings and the header check add to a file (scripts/bench-postgres-holdings.ts). */
const TIMINGS = process.env.S3_CSV_SYNC_TIMINGS === '1';

export async function beginPostgresFileWithBookkeeping(
  client: pg.Client,
  type: ObjectType,
  mapping: ObjectMapping,
  stamp: FileStamp,
): Promise<FileWrite> {
  let header: readonly string[] | null = null;
  const write = await beginPostgresFile(client, type, mapping, stamp, {
    // After file_state's row is written: a new file has none before.
    beforeCommit: async () => {
      if (header) await rememberColumnsPg(client, type, stamp.key, header);
    },
  });
  return {
    ...write,
    async finish(fileHeader) {
      const began = performance.now();
      const written = await write.finish(fileHeader);
      const finished = performance.now();
      header = fileHeader;
      await recordFileHoldingsPg(client, type, mapping, stamp.key);
      const held = performance.now();
      const columnChange = (header && (await describeColumnChangePg(client, type, stamp.key, header))) || undefined;
      if (TIMINGS)
        process.stderr.write(
          `timings: finish ${Math.round(finished - began)} ms, holdings ${Math.round(held - finished)} ms, header check ${Math.round(performance.now() - held)} ms\n`,
        );
      return { ...written, columnChange };
    },
  };
}
