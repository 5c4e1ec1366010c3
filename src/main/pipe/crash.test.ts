// The pipe across a real SIGKILL of the process reading it, with the default configuration: the
// reader is frozen (SIGSTOP: busy, as an app can be) while the game writes, then killed outright.
// Whatever the game wrote must be read by the next start: no gaps, in order (a line may be read
// twice: the position is saved once a second; W&B dedups by cycle).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runWriter, statsLine } from './writers.fixture';
import { notLinux, skipTitle } from '../../../scripts/system-deps.mjs';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Reader {
  proc: ChildProcess;
  cycles: number[];
  ready: Promise<void>;
  exited: Promise<void>;
}

function reader(path: string, dataDir: string): Reader {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'reader-process.ts'), path, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(proc);
  const cycles: number[] = [];
  let buf = '';
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const ready = new Promise<void>((resolve, reject) => {
    void exited.then(() => reject(new Error('reader exited before it was ready')));
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'ready') resolve();
        else if (line.startsWith('c ')) cycles.push(Number(line.slice(2)));
      }
    });
  });
  return { proc, cycles, ready, exited };
}

/** Linux process state from /proc: 'T' once SIGSTOP has taken hold. */
const procState = (pid: number) => /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
const waitFor = (fn: () => void) => vi.waitFor(fn, { timeout: 15_000, interval: 20 });
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const lines = (a: number, b: number) => range(a, b).map((c) => statsLine(c));

describe.skipIf(notLinux)(
  skipTitle('the pipe (default configuration) across a SIGKILL of its reader', notLinux),
  () => {
    it('lines the game wrote while the reader was frozen and then killed are read after the restart: none lost, in order', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cr-pipe-kill-'));
      const path = join(dir, 'events.pipe');
      const data = join(dir, 'data');
      const a = reader(path, data);
      await a.ready;
      await runWriter('perLine', [path, lines(1, 10), 0]);
      await waitFor(() => expect(a.cycles).toEqual(range(1, 10)));

      a.proc.kill('SIGSTOP');
      await waitFor(() => expect(procState(a.proc.pid!)).toBe('T'));
      // The game goes on writing; each write returns at once (neither mode may stall it here).
      await runWriter('perLine', [path, lines(11, 20), 0]);
      a.proc.kill('SIGKILL');
      await a.exited;
      expect(a.cycles).toEqual(range(1, 10));

      const b = reader(path, data);
      await b.ready;
      await runWriter('perLine', [path, lines(21, 30), 0]);
      // No gaps: what the first run did not read, the second did, in order, up to the last line.
      await waitFor(() => expect(b.cycles.at(-1)).toBe(30));
      expect(b.cycles).toEqual(range(b.cycles[0], 30));
      expect(b.cycles[0]).toBeLessThanOrEqual(11);
      b.proc.kill('SIGTERM');
      await b.exited;
    });
  },
);
