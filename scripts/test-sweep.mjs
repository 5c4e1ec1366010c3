// Every process a test run starts carries the run's id in its environment (CONTROL_ROOM_TEST_RUN):
// app instances, writers, local protocol servers, sshd, Chromium, and their children, however deep.
// After the runners end (passed, failed or interrupted) whatever still carries it is ended here, and
// named, so a fixture that forgets to clean up shows in the run's output instead of living on.
// Linux reads other processes' environments from /proc; elsewhere the sweep finds nothing.
import { readdirSync, readFileSync } from 'node:fs';

export const RUN_ENV = 'CONTROL_ROOM_TEST_RUN';

/** Processes (not this one) whose environment holds `CONTROL_ROOM_TEST_RUN=<runId>`. */
export function processesOfRun(runId) {
  if (process.platform !== 'linux') return [];
  const needle = Buffer.from(`\0${RUN_ENV}=${runId}\0`);
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const env = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${name}/environ`)]);
      if (!env.includes(needle)) continue;
      // A zombie has exited already; its parent has yet to reap it.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      found.push({ pid: Number(name), cmd });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Ends every process of the run: SIGTERM, then SIGKILL for those still there after `graceMs`.
 * Returns what it found, for the caller to report.
 */
export async function sweep(runId, { graceMs = 3000 } = {}) {
  const found = processesOfRun(runId);
  for (const p of found) signal(p.pid, 'SIGTERM');
  for (let waited = 0; waited < graceMs && processesOfRun(runId).length > 0; waited += 100) await pause(100);
  for (const p of processesOfRun(runId)) signal(p.pid, 'SIGKILL');
  return found;
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
