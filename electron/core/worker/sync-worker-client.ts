// Runs syncs on a worker thread (sync-worker.ts) and gives back the same SyncReport runSync returns,
// so the thread that serves the UI stays responsive: it only posts a request and receives progress
// (at most ten updates a second) and the report.
import type { Worker } from 'node:worker_threads';
import type { SyncProgress, SyncReport } from '../../shared/domain';
import { fromWorkerError, type HostToWorker, type WorkerSyncRequest, type WorkerToHost } from './sync-worker-protocol';
import { startWorker, workerEntryUrl } from './worker-start';

export type { WorkerSyncRequest } from './sync-worker-protocol';

export interface WorkerRunOptions {
  /** Stops the run: the file being imported is rolled back, the run is marked interrupted. */
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /**
   * After the report: the worker has copied the run's WAL into the database file and closed its
   * connection (the bench times this apart from the sync).
   */
  onSettled?: (settled: { checkpointMs: number }) => void;
}

export interface SyncWorkerOptions {
  /** The worker entry; by default sync-worker.ts or .js next to this file (the build keeps it a separate file). */
  workerUrl?: URL;
}

interface PendingRun {
  resolve: (report: SyncReport) => void;
  reject: (error: Error) => void;
  onProgress?: (progress: SyncProgress) => void;
}

/**
 * One worker thread, started on first use and kept for later runs (starting one costs a module load),
 * running one sync at a time. Idle, it does not keep the process alive.
 */
export class SyncWorker {
  private worker: Worker | null = null;
  private nextRunId = 1;
  private readonly pending = new Map<number, PendingRun>();
  /** Runs whose worker side has not settled yet (the checkpoint after the report: see sync-worker.ts). */
  private readonly settling = new Map<number, (checkpointMs: number) => void>();
  /** Told each time a run settles (close waits for the runs that have finished). */
  private onAnySettled: (() => void) | null = null;
  private readonly workerUrl: URL;

  constructor(options: SyncWorkerOptions = {}) {
    this.workerUrl = options.workerUrl ?? defaultWorkerUrl();
  }

  /** Runs one sync in the worker; resolves with its report, rejects only when no run could happen. */
  run(request: WorkerSyncRequest, options: WorkerRunOptions = {}): Promise<SyncReport> {
    const worker = this.ensureWorker();
    const runId = this.nextRunId++;
    const { signal, onProgress, onSettled } = options;
    this.settling.set(runId, (checkpointMs) => onSettled?.({ checkpointMs }));
    return new Promise<SyncReport>((resolve, reject) => {
      const onAbort = () => this.post({ type: 'stop', runId });
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(runId);
        if (this.pending.size === 0) this.worker?.unref();
      };
      this.pending.set(runId, {
        resolve: (report) => {
          done();
          resolve(report);
        },
        reject: (error) => {
          done();
          reject(error);
        },
        onProgress,
      });
      worker.ref();
      // Only data crosses: the signal and the callback stay on this side.
      const { config, secretAccessKey, sessionToken, dbPath, postgres, trigger, full } = request;
      this.post({
        type: 'start',
        runId,
        request: { config, secretAccessKey, sessionToken, dbPath, postgres, trigger, full },
      });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Ends the worker thread, once finished runs have checkpointed. A run still going is cut short
   * (its file is never committed).
   */
  close(): Promise<void> {
    // Once: a second close while the first waits shares its wait.
    this.closing ??= this.closeWorker().finally(() => (this.closing = null));
    return this.closing;
  }

  private closing: Promise<void> | null = null;

  private async closeWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const finished = [...this.settling.keys()].filter((runId) => !this.pending.has(runId));
    if (finished.length > 0) {
      worker.ref();
      await new Promise<void>((resolve) => {
        this.onAnySettled = () => {
          if (finished.every((runId) => !this.settling.has(runId))) resolve();
        };
      });
      this.onAnySettled = null;
    }
    if (this.worker !== worker) return;
    this.worker = null;
    await worker.terminate();
    this.failAll(new Error('The sync worker was closed while a sync was running.'));
  }

  private post(message: HostToWorker): void {
    this.worker?.postMessage(message);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(this.workerUrl);
    worker.on('message', (message: WorkerToHost) => this.onMessage(message));
    worker.on('error', (error: Error) => {
      if (this.worker === worker) this.worker = null;
      this.failAll(new Error(`The sync worker failed: ${error.message}`));
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      this.failAll(
        new Error(
          `The sync worker stopped unexpectedly (exit code ${code}). The file being imported was not committed.`,
        ),
      );
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private onMessage(message: WorkerToHost): void {
    if (message.type === 'settled') {
      const settled = this.settling.get(message.runId);
      this.settling.delete(message.runId);
      settled?.(message.checkpointMs);
      this.onAnySettled?.();
      return;
    }
    const run = this.pending.get(message.runId);
    if (!run) return;
    switch (message.type) {
      case 'progress':
        run.onProgress?.(message.progress);
        break;
      case 'finished':
        run.resolve(message.report);
        break;
      case 'error':
        run.reject(fromWorkerError(message.error));
        break;
    }
  }

  private failAll(error: Error): void {
    for (const run of [...this.pending.values()]) run.reject(error);
    // A worker that is gone will not checkpoint: nobody waits for it any more.
    this.settling.clear();
    this.onAnySettled?.();
  }
}

/** sync-worker.ts when running from TypeScript sources (tsx, vitest), sync-worker.cjs in a build. */
function defaultWorkerUrl(): URL {
  return workerEntryUrl('sync-worker', import.meta.url);
}
