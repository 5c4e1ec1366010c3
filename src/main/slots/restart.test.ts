// The restart command run for real: /bin/sh locally, and over SSH exec on a real sshd.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runRestartCommand } from './restart';
import { startTestSshd, type TestSshd } from './sshd.fixture';
import { skipTitle, toolSkipReason } from '../../../scripts/system-deps.mjs';

const noSshd = toolSkipReason('sshd');

const temps: string[] = [];
const pids: number[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const p of pids.splice(0)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether a process whose command line contains `pattern` runs. */
function running(pattern: string): boolean {
  try {
    execFileSync('pgrep', ['-f', pattern]);
    return true;
  } catch {
    return false;
  }
}

/** Bounded wait for a condition that follows a kill (the kernel reaps asynchronously). */
async function eventually(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 300; i++) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

const slot = (restartCommand: string | undefined) => ({ id: 's1', restartCommand, deploy: undefined });

describe('restart command, locally', () => {
  it('streams stdout and stderr lines and returns the exit code', async () => {
    const seen: [string, string][] = [];
    const r = await runRestartCommand(slot('echo stopping; echo warn >&2; printf "no newline"; exit 3'), {
      onLine: (l, s) => seen.push([l, s]),
    });
    expect(r).toMatchObject({ exitCode: 3, signal: null, timedOut: false, where: 'local' });
    expect(r.output).toEqual(expect.arrayContaining(['stopping', 'warn', 'no newline']));
    expect(seen).toEqual(
      expect.arrayContaining([
        ['stopping', 'stdout'],
        ['warn', 'stderr'],
        ['no newline', 'stdout'],
      ]),
    );
  });

  it('keeps only the last lines (bounded), while the callback sees all', async () => {
    let count = 0;
    const r = await runRestartCommand(slot('seq 1 500'), { onLine: () => count++ });
    expect(r.exitCode).toBe(0);
    expect(count).toBe(500);
    expect(r.output).toHaveLength(200);
    expect(r.output[0]).toBe('301');
    expect(r.output.at(-1)).toBe('500');
  });

  it('kills the command and its children when stopped, even a child that ignores SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cr-restart-'));
    temps.push(dir);
    const pidFile = join(dir, 'child.pid');
    // The stop comes when the command says it has started its child, however slow the machine is.
    const stop = new AbortController();
    const onLine = (line: string) => line === 'started' && stop.abort();
    const r = await runRestartCommand(
      slot(`(trap '' TERM; exec sleep 30) & echo $! > ${pidFile}; echo started; wait`),
      { signal: stop.signal, onLine },
    );
    expect(r).toMatchObject({ cancelled: true, timedOut: false, exitCode: null });
    expect(r.output[0]).toBe('started');
    expect(r.output.at(-1)).toBe('restart command cancelled; killed');
    const child = Number(readFileSync(pidFile, 'utf8'));
    pids.push(child);
    expect(await eventually(() => !alive(child))).toBe(true);
  });

  it('kills the command on timeout and says so', async () => {
    const marker = `${40 + Math.floor(Math.random() * 1000) / 1000}`;
    const r = await runRestartCommand(slot(`exec sleep ${marker}`), { timeoutMs: 300 });
    expect(r).toMatchObject({ timedOut: true, cancelled: false, exitCode: null });
    expect(r.output.at(-1)).toBe('restart command timed out after 300 ms; killed');
    expect(await eventually(() => !running(`sleep ${marker}`))).toBe(true);
  });

  it('returns when the command exits even if a background child keeps its output open', async () => {
    // e.g. `nohup factorio --start-server … &` without redirecting output
    const r = await runRestartCommand(slot('sleep 30 & echo $!; echo launched'), { timeoutMs: 15_000 });
    pids.push(Number(r.output[0]));
    expect(r).toMatchObject({ exitCode: 0, timedOut: false });
    expect(r.output).toContain('launched');
  });

  it('refuses a slot without a restart command, and an SSH password it cannot resolve', async () => {
    await expect(runRestartCommand(slot(undefined))).rejects.toThrow(
      'slot s1 has no restart command (slots[].restartCommand)',
    );
    await expect(
      runRestartCommand({
        id: 's2',
        restartCommand: 'true',
        deploy: { kind: 'ssh', host: 'h', port: 22, user: 'u', dir: '/d', password: { env: 'X' } },
      }),
    ).rejects.toThrow('slot s2: slots.s2.deploy.password is set but no secret resolver was given');
  });
});

describe.skipIf(noSshd)(skipTitle('restart command over SSH', noSshd), () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startTestSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  const sshSlot = (restartCommand: string) => ({
    id: 's1',
    restartCommand,
    deploy: {
      kind: 'ssh' as const,
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      dir: '/unused',
      keyPath: sshd.clientKeyPath,
      hostFingerprint: sshd.hostFingerprint,
    },
  });

  it('runs on the deploy host, streaming output, and returns the exit code', async () => {
    const seen: [string, string][] = [];
    const r = await runRestartCommand(sshSlot('echo "on $(hostname)"; echo oops >&2; exit 4'), {
      onLine: (l, s) => seen.push([l, s]),
    });
    expect(r).toMatchObject({ exitCode: 4, timedOut: false, where: `${sshd.user}@127.0.0.1:${sshd.port}` });
    expect(r.output).toEqual(
      expect.arrayContaining([`on ${execFileSync('hostname', { encoding: 'utf8' }).trim()}`, 'oops']),
    );
    expect(seen).toContainEqual(['oops', 'stderr']);
  });

  it('kills the remote command and its children when stopped, even a child that ignores SIGTERM', async () => {
    // A distinctive argument so pgrep finds only this command.
    const marker = `${40 + Math.floor(Math.random() * 1000) / 1000}`;
    // The stop comes once the remote command says its child runs: connection set-up and a busy
    // machine cannot make the kill come before there is anything to kill.
    const stop = new AbortController();
    const onLine = (line: string) => line === 'started' && stop.abort();
    const r = await runRestartCommand(sshSlot(`(trap '' TERM; exec sleep ${marker}) & echo started; wait`), {
      signal: stop.signal,
      onLine,
    });
    expect(r).toMatchObject({ cancelled: true, exitCode: null });
    expect(r.output[0]).toBe('started');
    expect(await eventually(() => !running(`sleep ${marker}`))).toBe(true);
  });

  it('kills the remote command on timeout', async () => {
    const marker = `${40 + Math.floor(Math.random() * 1000) / 1000}`;
    const r = await runRestartCommand(sshSlot(`exec sleep ${marker}`), { timeoutMs: 500 });
    expect(r).toMatchObject({ timedOut: true, exitCode: null });
    expect(await eventually(() => !running(`sleep ${marker}`))).toBe(true);
  });

  it('refuses a host that fails the host key check', async () => {
    const s = sshSlot('true');
    const other = 'SHA256:' + Buffer.alloc(32, 1).toString('base64').replace(/=+$/, '');
    await expect(runRestartCommand({ ...s, deploy: { ...s.deploy, hostFingerprint: other } })).rejects.toThrow(
      `the server presented ssh-ed25519 ${sshd.hostFingerprint}`,
    );
  });
});
