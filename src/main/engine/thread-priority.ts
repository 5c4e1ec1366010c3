// Best-effort: lowers the scheduling priority of the calling thread only (Linux). A batch worker
// calls it so that, on a machine with few cores, the main thread (gRPC, the event pipe, the UI's
// transport) and the unary lanes win the CPU over a long BatchSimulate. On Linux nice values are
// per thread: setpriority(PRIO_PROCESS, tid) affects that thread alone, and /proc/thread-self
// names the calling thread's id. Elsewhere, or when refused, nothing changes.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The calling thread's Linux thread id, or null where /proc/thread-self does not exist. */
export function threadId(): number | null {
  try {
    const m = /\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Sets this thread's nice value (0-19); returns whether it took effect. */
export function lowerThreadPriority(nice: number): boolean {
  if (process.platform !== 'linux' || nice <= 0) return false;
  const tid = threadId();
  if (tid === null || tid === process.pid) return false; // never the whole process's main thread
  try {
    setPriority(tid, Math.min(19, nice));
    return true;
  } catch {
    return false;
  }
}
