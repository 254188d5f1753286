// The bench's sync host: a child process that holds only what the app's main process holds for a
// sync, a SyncWorker, so its peak RSS is the sync's memory and not the bench's (the CSV generator,
// the S3 client that uploads the file, the bookkeeping). scripts/bench.ts forks it (bundled by
// esbuild, run by plain node) and asks it for syncs over IPC; it times each one as the app's main
// thread would see it: up to the report, with the event loop watched, then the checkpoint after it.
import { readFileSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { SyncReport } from '../electron/shared/domain';
import { SyncWorker, type WorkerSyncRequest } from '../electron/core/worker/sync-worker-client';

export type ToSyncHost = { type: 'run'; id: number; request: WorkerSyncRequest; measure: boolean } | { type: 'close' };

export interface MeasuredSync {
  ms: number;
  checkpointMs: number;
  /** CPU time (user + system) of this process, i.e. mostly the sync worker's thread, up to the report. */
  cpuMs: number;
  peakRssMb: number;
  baselineRssMb: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

export type FromSyncHost =
  | { type: 'ready'; rssMb: number }
  | { type: 'result'; id: number; report: SyncReport; measured: MeasuredSync | null }
  | { type: 'error'; id: number; message: string };

const EVENT_LOOP_RESOLUTION_MS = 10;
const MEMORY_SAMPLE_MS = 20;

if (process.send) await serve();

async function serve(): Promise<void> {
  const workerUrl = process.env.BENCH_WORKER_URL ? new URL(process.env.BENCH_WORKER_URL) : undefined;
  const worker = new SyncWorker({ workerUrl });
  const send = (message: FromSyncHost) => process.send!(message);
  process.on('message', async (message: ToSyncHost) => {
    if (message.type === 'close') {
      await worker.close();
      process.disconnect();
      return;
    }
    try {
      if (!message.measure) {
        send({ type: 'result', id: message.id, report: await worker.run(message.request), measured: null });
        return;
      }
      const { report, measured } = await measuredSync(worker, message.request);
      send({ type: 'result', id: message.id, report, measured });
    } catch (error) {
      send({ type: 'error', id: message.id, message: (error as Error).message });
    }
  });
  global.gc?.();
  send({ type: 'ready', rssMb: process.memoryUsage.rss() / 2 ** 20 });
}

async function measuredSync(
  worker: SyncWorker,
  request: WorkerSyncRequest,
): Promise<{ report: SyncReport; measured: MeasuredSync }> {
  global.gc?.();
  await new Promise((r) => setTimeout(r, 200));
  const baselineRss = process.memoryUsage.rss();
  resetPeakRss();
  let sampledPeak = baselineRss;
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss())), MEMORY_SAMPLE_MS);
  const loop = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  loop.enable();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  let report: SyncReport;
  let settled!: Promise<number>;
  try {
    let onSettled!: (settled: { checkpointMs: number }) => void;
    settled = new Promise((resolve) => (onSettled = ({ checkpointMs }) => resolve(checkpointMs)));
    report = await worker.run(request, { onSettled });
  } finally {
    loop.disable();
  }
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  // The next turn must not run alongside the worker's checkpoint: wait for it, and time it apart.
  const checkpointMs = await settled;
  clearInterval(sampler);
  const peakRss = Math.max(sampledPeak, process.memoryUsage.rss(), peakRssSinceReset() ?? 0);
  const beyondInterval = (ns: number) => Math.max(0, ns / 1e6 - EVENT_LOOP_RESOLUTION_MS);
  return {
    report,
    measured: {
      ms,
      checkpointMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      peakRssMb: peakRss / 2 ** 20,
      baselineRssMb: baselineRss / 2 ** 20,
      loopP99Ms: beyondInterval(loop.percentile(99)),
      loopMaxMs: beyondInterval(loop.max),
    },
  };
}

/** Linux: the kernel's own high-water mark (VmHWM) restarts from the current RSS. Elsewhere sampling alone counts. */
function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux, or not allowed: the sampled peak stands alone.
  }
}

/** VmHWM in bytes, or null where /proc is not there. */
function peakRssSinceReset(): number | null {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
