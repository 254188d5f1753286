// CPU time and peak memory of processes, from Linux's /proc, for benchmarks on a shared machine:
// wall times there depend on what else runs, the CPU a step costs much less so.
import { readFileSync } from 'node:fs';

/** A process's own CPU so far in ms: utime + stime (fields 14, 15 of /proc/PID/stat, ticks of 10 ms); 0 once gone. */
export function processCpuMs(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(') ') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Its peak resident memory so far (VmHWM), in kB. */
export function peakRssKb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Samples the CPU of a PostgreSQL server's backends that serve one user (process title
 * "postgres: USER ..."), every 50 ms until stopped: what the step's own connections cost the
 * server, without the checkpointer, the WAL writer or autovacuum. stop() returns the sum in ms.
 */
export function sampleBackendsCpu(postmaster: number, user: string): { stop(): number } {
  const cpu = new Map<number, number>();
  const theirs = new Map<number, boolean>();
  const sample = () => {
    let children: string;
    try {
      children = readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8');
    } catch {
      return;
    }
    for (const pid of children.split(' ').filter(Boolean).map(Number)) {
      if (!theirs.has(pid)) {
        try {
          theirs.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith(`postgres: ${user} `));
        } catch {
          continue;
        }
      }
      // The largest value seen: an exited backend's last sample stands.
      if (theirs.get(pid)) cpu.set(pid, Math.max(cpu.get(pid) ?? 0, processCpuMs(pid)));
    }
  };
  sample();
  const timer = setInterval(sample, 50);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return [...cpu.values()].reduce((a, b) => a + b, 0);
    },
  };
}
