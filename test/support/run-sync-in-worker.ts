// One sync on a worker thread of its own, for tests of the worker: the app keeps one SyncWorker.
import type { SyncReport } from '../../electron/shared/domain';
import {
  SyncWorker,
  type SyncWorkerOptions,
  type WorkerRunOptions,
} from '../../electron/core/worker/sync-worker-client';
import type { WorkerSyncRequest } from '../../electron/core/worker/sync-worker-protocol';

export interface RunSyncInWorkerRequest extends WorkerSyncRequest, WorkerRunOptions {}

/** Runs one sync on a worker thread of its own, which ends with the run. */
export async function runSyncInWorker(
  request: RunSyncInWorkerRequest,
  options: SyncWorkerOptions = {},
): Promise<SyncReport> {
  const worker = new SyncWorker(options);
  try {
    return await worker.run(request, request);
  } finally {
    await worker.close();
  }
}
