// A full disk under the journal, for real: the data folder is a tiny tmpfs (mounting needs root;
// skipped with the reason otherwise), filled to ENOSPC. W&B goes degraded with the reason, keeps
// the lines it could not write in memory, retries, and delivers every one once space is back.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { init, makeService, range, stats, stepsOf, stopAllServices } from './harness.fixture';
import { WandbTestServer } from './server.fixture';
import { TinyDisk, tinyDiskUnavailable } from '../lib/tiny-disk.fixture';
import { skipTitle } from '../../../scripts/system-deps.mjs';

let server: WandbTestServer;
let disk: TinyDisk | null = null;

beforeEach(async () => {
  server = new WandbTestServer();
  await server.start();
});
afterEach(async () => {
  try {
    await stopAllServices();
    await server.stop();
  } finally {
    disk?.unmount();
    disk = null;
  }
});

const waitFor = (fn: () => void) => vi.waitFor(fn, { timeout: 15_000, interval: 20 });

function tinyDisk(): string {
  disk = new TinyDisk(256 * 1024);
  return disk.dir;
}

describe.skipIf(tinyDiskUnavailable)(
  skipTitle('W&B journal on a full disk (tmpfs, needs root)', tinyDiskUnavailable),
  () => {
    it('ENOSPC: degraded with the reason, lines held in memory and retried, nothing lost, never thrown', async () => {
      const dataDir = tinyDisk();
      const listenerErrors: unknown[] = [];
      const { svc, events } = makeService(server, { dataDir, listenerErrors, service: { journalRetryMs: 50 } });
      await svc.start();
      events.push(init('full'));
      for (let c = 1; c <= 10; c++) events.push(stats('full', c, { 'iron-plate': c }));
      const runId = svc.snapshot().active!.runId;
      await waitFor(() => expect(server.run(runId)?.history).toHaveLength(10));

      disk!.fill();
      for (let c = 11; c <= 50; c++) events.push(stats('full', c, { 'iron-plate': c }));
      expect(listenerErrors).toEqual([]);
      expect(svc.status().state).toBe('degraded');
      // The journal file's last page may still take a few lines; the rest wait in memory.
      const active = svc.snapshot().active!;
      expect(active.linesUnwritten).toBeGreaterThan(0);
      expect(active.linesJournaled + active.linesUnwritten).toBe(50);
      expect(active.lastStep).toBe(50);
      expect(svc.status().summary).toBe(
        `journal write failed (ENOSPC: no space left on device, write): ${active.linesUnwritten} line(s) held in memory, retrying`,
      );
      expect(svc.snapshot()).toMatchObject({ journalError: expect.stringContaining('ENOSPC'), droppedLines: 0 });

      // A new session while the disk is still full: its run folder cannot even be made yet.
      events.push(init('full-2'));
      events.push(stats('full-2', 1));
      expect(svc.status().state).toBe('degraded');

      disk!.free();
      await waitFor(() => expect(svc.status().state).toBe('running'));
      await svc.stop();
      expect(stepsOf(server, runId)).toEqual(range(1, 50));
      expect(server.run(runId)!.writes.every((n) => n === 1)).toBe(true);
      expect(server.run(runId)!.complete).toBe(true);
      const second = svc.snapshot().runs.find((r) => r.sessionId === 'full-2')!;
      expect(stepsOf(server, second.runId)).toEqual([1]);
      expect(svc.snapshot().runs.every((r) => r.linesUnwritten === 0)).toBe(true);
    });

    it('past the memory bound, lines are dropped counted and said, not silently', async () => {
      const dataDir = tinyDisk();
      const { svc, events } = makeService(server, {
        dataDir,
        service: { journalRetryMs: 50, maxUnwrittenBytes: 2000 },
      });
      await svc.start();
      events.push(init('bound'));
      events.push(stats('bound', 1));
      const runId = svc.snapshot().active!.runId;
      await waitFor(() => expect(server.run(runId)?.history).toHaveLength(1));
      disk!.fill();
      for (let c = 2; c <= 101; c++) events.push(stats('bound', c));
      const dropped = svc.snapshot().droppedLines;
      expect(dropped).toBeGreaterThan(0);
      expect(svc.status().summary).toContain(`${dropped} stats line(s) dropped`);
      disk!.free();
      await svc.stop();
      expect(server.run(runId)!.history).toHaveLength(101 - dropped);
      expect(svc.status().details).toMatchObject({ droppedLines: dropped });
    });
  },
);
