// CPU time and peak memory of processes, from Linux's /proc, for benchmarks on a shared machine:
// wall times there depend on what else runs, the CPU a step costs much less so.
import { readdirSync, readFileSync } from 'node:fs';

/** utime, stime, cutime, cstime of a process, in ms (fields 14-17 of /proc/PID/stat; ticks of 10 ms). */
function stat(pid: number): { ppid: number; selfMs: number; childrenMs: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(') ') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      selfMs: (Number(fields[11]) + Number(fields[12])) * 10,
      childrenMs: (Number(fields[13]) + Number(fields[14])) * 10,
    };
  } catch {
    return null; // exited
  }
}

/** A process's own CPU so far, in ms (0 once it has exited). */
export function processCpuMs(pid: number): number {
  return stat(pid)?.selfMs ?? 0;
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
 * The CPU of a server and its child processes so far, in ms: a PostgreSQL postmaster and its
 * backends. A backend that has exited counts in the postmaster's children's time once reaped.
 */
export function processTreeCpuMs(root: number): { ms: number; children: number } {
  const top = stat(root);
  let ms = top ? top.selfMs + top.childrenMs : 0;
  let children = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s?.ppid === root) {
      ms += s.selfMs + s.childrenMs;
      children++;
    }
  }
  return { ms, children };
}
