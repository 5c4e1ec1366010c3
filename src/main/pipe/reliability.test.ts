// The pipe in file mode when the disk under its state fills up, and when the file it follows is
// rotated while the app is stopped: real tmpfs, real files, separate writer processes.
import {
  appendFileSync,
  copyFileSync,
  cpSync,
  readFileSync,
  readdirSync,
  renameSync,
  truncateSync,
  mkdtempSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigSchema } from '../../shared/config';
import type { PipeEvent, Stats } from '../../shared/events';
import { silentLogger } from '../log';
import { EventCache } from '../lib/cache';
import { PipeService } from './service';
import { TinyDisk, tinyDiskUnavailable } from '../lib/tiny-disk.fixture';
import { runWriter, statsLine } from './writers.fixture';
import { skipTitle } from '../../../scripts/system-deps.mjs';

const started: PipeService[] = [];
const disks: TinyDisk[] = [];

afterEach(async () => {
  try {
    await Promise.allSettled(started.splice(0).map((s) => s.stop()));
  } finally {
    for (const d of disks.splice(0)) d.unmount();
  }
});

function pipe(path: string, dataDir: string, cache: EventCache<PipeEvent>, startAt: 'start' | 'end' = 'start') {
  const svc = new PipeService({
    path,
    config: { ...ConfigSchema.parse({}).pipe, mode: 'file', startAt },
    dataDir,
    cache,
    logger: silentLogger(),
    statusChanged() {},
    push() {},
  });
  started.push(svc);
  return svc;
}

const cycles = (cache: EventCache<PipeEvent>) => cache.getAll().map((e) => (e.event as Stats).cycle);
const waitFor = (fn: () => void) => vi.waitFor(fn, { timeout: 15_000, interval: 20 });
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const lines = (a: number, b: number) => range(a, b).map((c) => statsLine(c));

describe.skipIf(tinyDiskUnavailable !== null)(
  skipTitle('PipeService with a full disk under its state', tinyDiskUnavailable),
  () => {
    it('keeps reading, reports degraded with the reason, and saves the position once there is room again', async () => {
      const disk = new TinyDisk(256 * 1024);
      disks.push(disk);
      const path = join(mkdtempSync(join(tmpdir(), 'cr-pipe-full-')), 'events.jsonl');
      writeFileSync(path, '');
      const cache = new EventCache<PipeEvent>(1000, (e) => e.line);
      const svc = pipe(path, disk.dir, cache);
      await svc.start();
      await runWriter('perLine', [path, lines(1, 3), 0]);
      await waitFor(() => expect(cycles(cache)).toEqual([1, 2, 3]));

      disk.fill();
      await runWriter('perLine', [path, lines(4, 10), 0]);
      await waitFor(() =>
        expect(svc.status()).toMatchObject({ state: 'degraded', summary: expect.stringMatching(/ENOSPC/) }),
      );
      expect(cycles(cache)).toEqual(range(1, 10));

      disk.free();
      await waitFor(() => expect(svc.status().state).toBe('running'));
      const saved = JSON.parse(readFileSync(join(disk.dir, 'pipe', readdirState(disk.dir)), 'utf8'));
      expect(saved.position.offset).toBe(readFileSync(path).length);
    });
  },
);

function readdirState(dataDir: string): string {
  // One state file per followed path, named by a hash of the path.
  return readdirSync(join(dataDir, 'pipe')).find((n) => n.startsWith('state-') && n.endsWith('.json'))!;
}

describe('PipeService after rotation while it was stopped', () => {
  async function firstRun() {
    const dir = mkdtempSync(join(tmpdir(), 'cr-pipe-rot-'));
    const path = join(dir, 'events.jsonl');
    writeFileSync(path, '');
    const cache = new EventCache<PipeEvent>(1000, (e) => e.line);
    const a = pipe(path, join(dir, 'data'), cache);
    await a.start();
    await runWriter('perLine', [path, lines(1, 3), 0]);
    await waitFor(() => expect(cycles(cache)).toEqual([1, 2, 3]));
    await a.stop();
    // Written after the app stopped, before the rotation: only the old file has these.
    await runWriter('perLine', [path, lines(4, 5), 0]);
    return { dir, path, cache };
  }

  it('copytruncate refilled past the saved offset: the copy is finished, then the path is read from its start, each line once', async () => {
    const { dir, path, cache } = await firstRun();
    copyFileSync(path, join(dir, 'events.jsonl.1'));
    truncateSync(path, 0);
    await runWriter('perLine', [path, lines(6, 40), 0]);
    await pipe(path, join(dir, 'data'), cache).start();
    await waitFor(() => expect(cycles(cache)).toEqual(range(1, 40)));
  });

  it('rename rotation: the old file under its new name is finished, then the new file, each line once', async () => {
    const { dir, path, cache } = await firstRun();
    renameSync(path, join(dir, 'events.jsonl.1'));
    await runWriter('perLine', [path, lines(6, 8), 0]);
    await pipe(path, join(dir, 'data'), cache).start();
    await waitFor(() => expect(cycles(cache)).toEqual(range(1, 8)));
    // Lines appended later to the path still arrive (the follower moved on to it).
    appendFileSync(path, statsLine(9) + '\n');
    await waitFor(() => expect(cycles(cache)).toEqual(range(1, 9)));
  });
  it('rename rotation with no new file yet at restart: the old file is finished once the game writes the new one', async () => {
    const { dir, path, cache } = await firstRun();
    renameSync(path, join(dir, 'events.jsonl.1'));
    const b = pipe(path, join(dir, 'data'), cache);
    await b.start();
    await waitFor(() => expect(b.status().summary).toMatch(/waiting for/));
    await runWriter('perLine', [path, lines(6, 8), 0]);
    await waitFor(() => expect(cycles(cache)).toEqual(range(1, 8)));
  });
});

describe('PipeService killed before its first periodic save, then rotated while down', () => {
  it('the file it opened is known from the moment it opened it, so its rotated lines are read on restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cr-pipe-early-'));
    const path = join(dir, 'events.jsonl');
    writeFileSync(path, statsLine(1) + '\n');
    // Only lines from now on (startAt end): nothing is read, so no periodic save is due.
    const a = pipe(path, join(dir, 'data'), new EventCache<PipeEvent>(1000, (e) => e.line), 'end');
    await a.start();
    // What a SIGKILL right now leaves on disk: the data folder as it is (copied before any stop).
    cpSync(join(dir, 'data'), join(dir, 'crashed'), { recursive: true });
    await runWriter('perLine', [path, lines(2, 5), 0]);
    renameSync(path, `${path}.1`);
    await runWriter('perLine', [path, lines(6, 8), 0]);
    const cache = new EventCache<PipeEvent>(1000, (e) => e.line);
    await pipe(path, join(dir, 'crashed'), cache).start();
    await waitFor(() => expect(cycles(cache)).toEqual(range(2, 8)));
  });
});
