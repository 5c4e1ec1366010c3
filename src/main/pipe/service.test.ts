// The pipe against real FIFOs and files, fed by separate writer processes.
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  statSync,
  mkdtempSync,
  renameSync,
  truncateSync,
  appendFileSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigSchema } from '../../shared/config';
import type { PipeEvent, Stats } from '../../shared/events';
import { silentLogger } from '../log';
import { EventCache } from '../lib/cache';
import { PipeService } from './service';
import { runWriter, statsLine } from './writers.fixture';
import { notLinux, noFifo, skipTitle } from '../../../scripts/system-deps.mjs';

const linux = process.platform === 'linux';
const started: PipeService[] = [];

function setup(
  opts: {
    capacity?: number;
    mode?: 'auto' | 'fifo' | 'file';
    startAt?: 'start' | 'end';
    file?: string;
    dir?: string;
    mirror?: boolean;
  } = {},
) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'cr-pipe-'));
  const path = join(dir, opts.file ?? 'events.pipe');
  const cache = new EventCache<PipeEvent>(opts.capacity ?? 10_000, (e) => e.line);
  const make = () => {
    const svc = new PipeService({
      path,
      config: {
        ...ConfigSchema.parse({}).pipe,
        capacity: cache.capacity,
        mode: opts.mode ?? 'auto',
        startAt: opts.startAt ?? 'end',
        ...(opts.mirror
          ? { mirrorLogPath: join(dir, 'mirror', 'raw.log'), mirrorMaxBytes: 2048, mirrorFiles: 20 }
          : {}),
      },
      dataDir: join(dir, 'data'),
      cache,
      logger: silentLogger(),
      statusChanged() {},
      push() {},
      retryMs: 50,
    });
    started.push(svc);
    return svc;
  };
  return { dir, path, cache, make };
}

const cycles = (cache: EventCache<PipeEvent>) => cache.getAll().map((e) => (e.event as Stats).cycle);
const waitFor = (fn: () => void) => vi.waitFor(fn, { timeout: 15_000, interval: 20 });

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

describe.skipIf(noFifo)(skipTitle('PipeService on a FIFO', noFifo), () => {
  it('creates the FIFO, reads writers that open/write/close per line, and counts hang-ups', async () => {
    const { path, cache, make } = setup();
    const svc = make();
    await svc.start();
    expect(lstatSync(path).isFIFO()).toBe(true);
    const lines = Array.from({ length: 50 }, (_, i) => statsLine(i + 1));
    await runWriter('perLine', [path, lines, 2]);
    await waitFor(() => expect(cache.size()).toBe(50));
    expect(cycles(cache)).toEqual(lines.map((_, i) => i + 1));
    const c = svc.counters();
    expect(c).toMatchObject({ mode: 'fifo', linesRead: 50, accepted: 50, rejectedTotal: 0, createdFifo: true });
    if (linux) expect(c.writerHangups).toBeGreaterThan(0);
    expect(svc.status().state).toBe('running');
  });

  it.skipIf(notLinux)(
    skipTitle(
      'counts hang-ups (every writer gone), not writes: a writer holding the FIFO for 1,000 lines is one, an open and close without data is one',
      notLinux,
    ),
    async () => {
      const { path, cache, make } = setup({ capacity: 2000 });
      const svc = make();
      await svc.start();
      expect(svc.counters().writerHangups).toBe(0);
      await runWriter('burst', [path, 1000]);
      await waitFor(() => expect(cache.size()).toBe(1000));
      await waitFor(() => expect(svc.counters().writerHangups).toBe(1));
      await runWriter('pieces', [path, [], 0]);
      await waitFor(() => expect(svc.counters().writerHangups).toBe(2));
      for (let i = 1; i <= 3; i++) {
        await runWriter('perLine', [path, [statsLine(1000 + i)], 0]);
        await waitFor(() => expect(svc.counters().writerHangups).toBe(2 + i));
      }
      expect(svc.counters()).toMatchObject({ accepted: 1003, linesRead: 1003 });
    },
    30_000,
  );

  it('waits for a writer that is absent at start and reads it when it comes', async () => {
    const { path, cache, make } = setup();
    await make().start();
    await new Promise((r) => setTimeout(r, 100));
    expect(cache.size()).toBe(0);
    await runWriter('perLine', [path, [statsLine(1), statsLine(2)], 0]);
    await waitFor(() => expect(cycles(cache)).toEqual([1, 2]));
  });

  it('joins a line split across writes with pauses, including a multi-byte character', async () => {
    const { path, cache, make } = setup();
    await make().start();
    const line = Buffer.from(
      JSON.stringify({ type: 'session_init', session_id: 'ü✓🚀', tick: 0, level_name: 'nauvis' }) + '\n',
    );
    const cut1 = line.indexOf(Buffer.from('✓')) + 1; // inside the 3-byte character
    const pieces = [line.subarray(0, cut1), line.subarray(cut1, cut1 + 5), line.subarray(cut1 + 5)].map((b) =>
      b.toString('base64'),
    );
    await runWriter('pieces', [path, pieces, 30]);
    await waitFor(() => expect(cache.size()).toBe(1));
    expect(cache.getLatest()!.event).toMatchObject({ session_id: 'ü✓🚀' });
  });

  it('loses nothing in a burst of 100,000 lines below capacity', async () => {
    const { path, cache, make } = setup({ capacity: 200_000 });
    const svc = make();
    await svc.start();
    await runWriter('burst', [path, 100_000]);
    await waitFor(() => expect(cache.size()).toBe(100_000));
    const got = cycles(cache);
    expect(got[0]).toBe(1);
    expect(got.every((c, i) => c === i + 1)).toBe(true);
    expect(svc.counters()).toMatchObject({ accepted: 100_000, rejectedTotal: 0, evicted: 0 });
  }, 60_000);

  it('rejects each kind of bad line with its reason while the good lines around it arrive', async () => {
    const { path, cache, make } = setup();
    const svc = make();
    await svc.start();
    const good = (n: number) => statsLine(n);
    const big = 'x'.repeat(5 * 1024 * 1024);
    const garbage = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff, 0x00, 0x7b]).toString('latin1');
    await runWriter('perLine', [
      path,
      [
        good(1),
        '{"type":"stats", nope',
        good(2),
        '{"type":"stats","session_id":"s"}',
        good(3),
        '{"type":"stats","session_id":"s","cycle":1,"tick":1,"products_production":{"a":1e999},"materials_consumption":{}}',
        good(4),
        '{"type":"stats","x":NaN}',
        good(5),
        statsLine(6).replace('"iron-ore":6', '"iron-ore":-6'),
        good(7),
        `{"type":"stats","pad":"${big}"}`,
        good(8),
      ],
      0,
    ]);
    await runWriter('pieces', [
      path,
      [Buffer.concat([Buffer.from(garbage, 'latin1'), Buffer.from('\n' + good(9) + '\n')]).toString('base64')],
      0,
    ]);
    await waitFor(() => expect(cycles(cache)).toEqual([1, 2, 3, 4, 5, 7, 8, 9]));
    await waitFor(() => expect(svc.counters().rejectedTotal).toBe(7));
    expect(svc.counters().rejected).toEqual({
      invalid_json: 2,
      schema: 1,
      non_finite: 1,
      negative: 1,
      too_long: 1,
      invalid_utf8: 1,
    });
    expect(svc.counters().recentRejected.map((r) => r.reason)).toEqual([
      'invalid_json',
      'schema',
      'non_finite',
      'invalid_json',
      'negative',
      'too_long',
      'invalid_utf8',
    ]);
  }, 30_000);

  it('removes the FIFO it created on stop, and leaves one it did not create', async () => {
    const a = setup();
    const svc = a.make();
    await svc.start();
    await svc.stop();
    expect(existsSync(a.path)).toBe(false);

    const b = setup();
    execFileSync('mkfifo', [b.path]);
    const other = b.make();
    await other.start();
    await other.stop();
    expect(lstatSync(b.path).isFIFO()).toBe(true);
  });

  it('never blocks a writer while running: a non-blocking open for writing always finds a reader', async () => {
    const { path, cache, make } = setup();
    await make().start();
    // One writer process, probing right after each of its writes closes (process start-up is not
    // part of what this proves, and twenty of them cost more than the test's budget on a busy machine).
    const lines = Array.from({ length: 20 }, (_, i) => statsLine(i + 1));
    await runWriter('perLineProbe', [path, lines]);
    await waitFor(() => expect(cycles(cache)).toEqual(lines.map((_, i) => i + 1)));
  });

  it('after stop, lines the game writes to a regular file at the path are read on restart exactly once', async () => {
    const s = setup();
    const first = s.make();
    await first.start();
    await runWriter('perLine', [s.path, [statsLine(1)], 0]);
    await waitFor(() => expect(cycles(s.cache)).toEqual([1]));
    await first.stop();
    // The app is closed: the game's write creates a plain file.
    await runWriter('perLine', [s.path, [statsLine(2), statsLine(3)], 0]);
    expect(lstatSync(s.path).isFile()).toBe(true);

    const second = s.make();
    await second.start();
    await waitFor(() => expect(cycles(s.cache)).toEqual([1, 2, 3]));
    expect(second.counters().mode).toBe('file');
    await second.stop();

    appendFileSync(s.path, statsLine(4) + '\n');
    const third = s.make();
    await third.start();
    await waitFor(() => expect(cycles(s.cache)).toEqual([1, 2, 3, 4]));
    // A later line, once read, proves nothing before it was read twice (the reader is sequential).
    appendFileSync(s.path, statsLine(5) + '\n');
    await waitFor(() => expect(cycles(s.cache)).toEqual([1, 2, 3, 4, 5]));
  });
});

describe('PipeService on a regular file', () => {
  it('starts at the end by default, then follows appends', async () => {
    const { path, cache, make } = setup({ file: 'events.jsonl' });
    writeFileSync(path, statsLine(1) + '\n');
    await make().start();
    appendFileSync(path, statsLine(2) + '\n');
    await waitFor(() => expect(cycles(cache)).toEqual([2]));
  });

  it('reads what is there with startAt "start", and waits for a missing file', async () => {
    const a = setup({ file: 'events.jsonl', startAt: 'start' });
    writeFileSync(a.path, statsLine(1) + '\n' + statsLine(2) + '\n');
    await a.make().start();
    await waitFor(() => expect(cycles(a.cache)).toEqual([1, 2]));

    const b = setup({ file: 'later.jsonl', mode: 'file' });
    await b.make().start();
    await new Promise((r) => setTimeout(r, 150));
    writeFileSync(b.path, statsLine(7) + '\n');
    await waitFor(() => expect(cycles(b.cache)).toEqual([7]));
  });

  it('survives truncation', async () => {
    const { path, cache, make } = setup({ file: 'events.jsonl' });
    writeFileSync(path, '');
    await make().start();
    appendFileSync(path, statsLine(1) + '\n' + statsLine(2) + '\n');
    await waitFor(() => expect(cycles(cache)).toEqual([1, 2]));
    truncateSync(path, 0);
    await new Promise((r) => setTimeout(r, 250));
    appendFileSync(path, statsLine(3) + '\n');
    await waitFor(() => expect(cycles(cache)).toEqual([1, 2, 3]));
  });

  it('survives rename-away rotation and replacement, draining the old file first', async () => {
    const { dir, path, cache, make } = setup({ file: 'events.jsonl' });
    writeFileSync(path, '');
    await make().start();
    appendFileSync(path, statsLine(1) + '\n');
    await waitFor(() => expect(cycles(cache)).toEqual([1]));
    renameSync(path, join(dir, 'events.jsonl.1'));
    appendFileSync(join(dir, 'events.jsonl.1'), statsLine(2) + '\n');
    writeFileSync(path, statsLine(3) + '\n');
    await waitFor(() => expect(cycles(cache)).toEqual([1, 2, 3]));
    // Replacement by a new file (new inode) at the same path.
    writeFileSync(join(dir, 'next'), statsLine(4) + '\n');
    renameSync(join(dir, 'next'), path);
    await waitFor(() => expect(cycles(cache)).toEqual([1, 2, 3, 4]));
  });

  it('mirrors every raw line to a size-rotated log', async () => {
    const { dir, path, make } = setup({ file: 'events.jsonl', mirror: true });
    writeFileSync(path, '');
    const svc = make();
    await svc.start();
    const lines = Array.from({ length: 60 }, (_, i) => statsLine(i + 1));
    appendFileSync(path, lines.join('\n') + '\nnot json\n');
    await waitFor(() => expect(svc.counters().linesRead).toBe(61));
    await svc.stop();
    const files = readdirSync(join(dir, 'mirror'));
    expect(files.length).toBeGreaterThan(2);
    const all = files.map((f) => readFileSync(join(dir, 'mirror', f), 'utf8')).join('');
    for (const l of [...lines, 'not json']) expect(all).toContain(l + '\n');
    for (const f of files) expect(statSync(join(dir, 'mirror', f)).size).toBeLessThanOrEqual(2048 + 200);
  });

  it('refuses a mode that contradicts what is at the path', async () => {
    const { path, make } = setup({ file: 'events.jsonl', mode: 'fifo' });
    writeFileSync(path, '');
    const svc = make();
    await svc.start();
    expect(svc.status()).toMatchObject({ state: 'error' });
    expect(svc.status().summary).toContain('pipe.mode is "fifo"');
  });

  it('waits, degraded, for a parent folder that does not exist yet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cr-pipe-'));
    const { cache, make } = setup({ dir, file: 'script-output/events.jsonl', mode: 'file', startAt: 'start' });
    const svc = make();
    await svc.start();
    expect(svc.status().state).toBe('degraded');
    execFileSync('mkdir', [join(dir, 'script-output')]);
    writeFileSync(join(dir, 'script-output/events.jsonl'), statsLine(5) + '\n');
    await waitFor(() => expect(cycles(cache)).toEqual([5]));
    expect(svc.status().state).toBe('running');
  });
});
