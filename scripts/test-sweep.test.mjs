// The end-of-run sweep of `npm test`: finds processes by the run id in their environment, however
// they were started, and ends them, a process that ignores SIGTERM included.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { RUN_ENV, processesOfRun, sweep } from './test-sweep.mjs';
import { notLinux, skipTitle } from './system-deps.mjs';

const started = [];
afterEach(() => {
  for (const p of started.splice(0)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/** A grandchild in its own session (as a leaked server would be), ignoring SIGTERM; resolves once it runs. */
function startStubborn(runId) {
  const program = "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);";
  const p = spawn('sh', ['-c', `exec ${JSON.stringify(process.execPath)} -e ${JSON.stringify(program)}`], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, [RUN_ENV]: runId },
  });
  started.push(p);
  return new Promise((resolve) => p.stdout.once('data', () => resolve(p)));
}

describe.skipIf(notLinux)(skipTitle('test-run sweep', notLinux), () => {
  it("finds only the run's own processes and ends them, even one that ignores SIGTERM", async () => {
    const mine = randomUUID();
    const other = randomUUID();
    const a = await startStubborn(mine);
    const b = await startStubborn(other);
    expect(processesOfRun(mine).map((p) => p.pid)).toEqual([a.pid]);

    const found = await sweep(mine, { graceMs: 200 });
    expect(found.map((p) => p.pid)).toEqual([a.pid]);
    expect(found[0].cmd).toContain("process.on('SIGTERM'");
    await expect.poll(() => processesOfRun(mine)).toEqual([]);
    expect(processesOfRun(other).map((p) => p.pid)).toEqual([b.pid]);
  });
});
