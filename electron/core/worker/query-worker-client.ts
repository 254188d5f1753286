// Runs query jobs (pages, counts, exports) on worker threads (query-worker.ts). A job that is cancelled
// or passes its time limit has its thread terminated: better-sqlite3 has no interrupt, and a
// terminated thread cannot answer, so the caller hears "cancelled" at once and the next job gets a
// fresh thread. Idle threads are kept for later jobs and do not keep the process alive.
import type { Worker } from 'node:worker_threads';
import type { QueryErrorPosition } from '../../shared/contract';
import type { QueryJob, QueryJobResults, QueryWorkerToHost } from './query-worker-protocol';
import { startWorker, workerEntryUrl } from './worker-start';

/** The user's statement is at fault, or the job was stopped; the message says which and what to do. */
export class QueryJobError extends Error {
  override readonly name = 'QueryJobError';
  constructor(
    message: string,
    readonly reason: 'query' | 'cancelled' | 'timedOut',
    readonly position?: QueryErrorPosition,
  ) {
    super(message);
  }
}

export interface QueryJobOptions {
  signal?: AbortSignal;
  timeLimitMs?: number;
  onProgress?: (rows: number) => void;
}

export interface QueryWorkersOptions {
  workerUrl?: URL;
  /** Idle threads kept for the next jobs. */
  keepIdle?: number;
}

export class QueryWorkers {
  private readonly idle: Worker[] = [];
  private readonly busy = new Set<Worker>();
  private nextId = 1;
  private readonly workerUrl: URL;
  private readonly keepIdle: number;

  constructor(options: QueryWorkersOptions = {}) {
    this.workerUrl = options.workerUrl ?? workerEntryUrl('query-worker', import.meta.url);
    this.keepIdle = options.keepIdle ?? 2;
  }

  run<T extends QueryJob>(job: T, options: QueryJobOptions = {}): Promise<QueryJobResults[T['type']]> {
    const { signal, timeLimitMs, onProgress } = options;
    if (signal?.aborted) return Promise.reject(new QueryJobError('The query was cancelled.', 'cancelled'));
    const worker = this.idle.pop() ?? startWorker(this.workerUrl);
    this.busy.add(worker);
    worker.ref();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (keepWorker: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        this.busy.delete(worker);
        if (keepWorker && this.idle.length < this.keepIdle) {
          worker.unref();
          this.idle.push(worker);
        } else void worker.terminate();
      };
      const stop = (error: QueryJobError) => {
        finish(false);
        reject(error);
      };
      const onAbort = () => stop(new QueryJobError('The query was cancelled.', 'cancelled'));
      const onMessage = (message: QueryWorkerToHost) => {
        if (message.id !== id) return;
        if (message.type === 'progress') return onProgress?.(message.rows);
        finish(true);
        if (message.type === 'done') resolve(message.result as QueryJobResults[T['type']]);
        else if (message.queryError) reject(new QueryJobError(message.message, 'query', message.position));
        else reject(new Error(message.message));
      };
      const onError = (error: Error) => {
        finish(false);
        reject(error);
      };
      const onExit = (code: number) => {
        finish(false);
        reject(new Error(`The query thread stopped unexpectedly (exit code ${code}).`));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      if (timeLimitMs !== undefined)
        timer = setTimeout(
          () =>
            stop(
              new QueryJobError(
                `The query ran longer than its time limit (${formatSeconds(timeLimitMs)}) and was stopped: narrow it (a WHERE, a LIMIT) or raise the limit.`,
                'timedOut',
              ),
            ),
          timeLimitMs,
        );
      worker.postMessage({ id, job });
    });
  }

  /** Threads running a job right now (tests check that a cancelled one is gone). */
  get busyCount(): number {
    return this.busy.size;
  }

  async close(): Promise<void> {
    const all = [...this.idle, ...this.busy];
    this.idle.length = 0;
    this.busy.clear();
    await Promise.all(all.map((worker) => worker.terminate()));
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
