// Listing a prefix with many objects: each page's matches are reported as soon as that page is
// listed (a preview shows them before the listing ends), and only the selected keys are held.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  compileFilePatterns,
  createS3Client,
  listSelectedFiles,
  type Selection,
} from '../../electron/core/s3/s3-source';
import { createWorkspace, makeConfig, type Workspace } from '../support/fixtures';
import { describeOnEachS3Server } from '../support/s3-servers';

describeOnEachS3Server('listing', (kind) => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await createWorkspace(kind);
  });
  afterEach(async () => {
    await ws.close();
  });

  describe('listSelectedFiles', () => {
    it('reports each page of matches before the listing has finished', async () => {
      const keys = Array.from(
        { length: 45 },
        (_, i) => `events/${String(i).padStart(3, '0')}.${i % 3 === 0 ? 'txt' : 'csv'}`,
      );
      for (let i = 0; i < keys.length; i += 15)
        await Promise.all(keys.slice(i, i + 15).map((key) => ws.put(key, 'message_id\n')));
      const config = makeConfig(ws.server);
      const client = createS3Client(config.connection, ws.server.secret);
      try {
        let finished = false;
        const pages: { matched: number; listed: number; finishedYet: boolean; firstKey: string | undefined }[] = [];
        const lastFlags: boolean[] = [];
        const listing = listSelectedFiles(
          client,
          config.connection,
          compileFilePatterns({ tracks: { ...config.objects.tracks!, fileRegex: '\\.csv$' } }),
          {
            pageSize: 10,
            onPage: (selection: Selection, last: boolean) => {
              lastFlags.push(last);
              pages.push({
                matched: selection.selected.tracks.length,
                listed: selection.listedCount,
                finishedYet: finished,
                firstKey: selection.selected.tracks[0]?.key,
              });
            },
          },
        );
        const selection = await listing.finally(() => (finished = true));
        expect(pages.map((p) => p.listed)).toEqual([10, 20, 30, 40, 45]);
        expect(lastFlags).toEqual([false, false, false, false, true]);
        // The first page's six matches (keys 001, 002, 004, 005, 007, 008) were out before the rest was listed.
        expect(pages[0]).toEqual({ matched: 6, listed: 10, finishedYet: false, firstKey: 'vitally/events/001.csv' });
        expect(pages.every((p) => !p.finishedYet)).toBe(true);
        expect(selection.selected.tracks).toHaveLength(30);
        expect(selection.listedCount).toBe(45);
      } finally {
        client.destroy();
      }
    });
  });
});
