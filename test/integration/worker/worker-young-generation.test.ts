// The engine's workers keep the young generation V8 had before Node 22. Node 24's V8 lets it grow to
// 192 MB on a machine with a few GB of memory, and an import's steady survivors make it grow and stay
// there: the sync host's peak RSS went from ~150 to ~260 MB (docs/performance.md).
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { startWorker, WORKER_YOUNG_GENERATION_MB } from '../../../electron/core/worker/worker-start';

const YOUNG_GENERATION_WORKER = new URL('../../support/young-generation-worker.ts', import.meta.url);

describe('startWorker', () => {
  it("bounds a worker's young generation however long it allocates", async () => {
    const worker = startWorker(YOUNG_GENERATION_WORKER);
    const [{ largestNewSpaceMb }] = (await once(worker, 'message')) as [{ largestNewSpaceMb: number }];
    await worker.terminate();
    // The new space is two of the three semi-spaces the limit is made of.
    expect(largestNewSpaceMb).toBeGreaterThan(0);
    expect(largestNewSpaceMb).toBeLessThanOrEqual((WORKER_YOUNG_GENERATION_MB * 2) / 3);
  });

  it('keeps limits a caller sets itself', async () => {
    const worker = startWorker(YOUNG_GENERATION_WORKER, { resourceLimits: { maxOldGenerationSizeMb: 512 } });
    expect(worker.resourceLimits).toMatchObject({
      maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
      maxOldGenerationSizeMb: 512,
    });
    await worker.terminate();
  });
});
