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
      const written = await write.finish(fileHeader);
      header = fileHeader;
      await recordFileHoldingsPg(client, type, mapping, stamp.key);
      const columnChange = (header && (await describeColumnChangePg(client, type, stamp.key, header))) || undefined;
      return { ...written, columnChange };
    },
  };
}
