// The relay when the disk under its outbox fills up, and when its console log is rotated while it
// is stopped: real tmpfs, real files, a local server speaking Discord's webhook protocol.
import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConfigInput } from '../../shared/config';
import { TinyDisk, tinyDiskUnavailable } from '../lib/tiny-disk.fixture';
import { makeRelay, stopRelays } from './harness.fixture';
import { DiscordTestServer } from './server.fixture';
import { skipTitle } from '../../../scripts/system-deps.mjs';

let server: DiscordTestServer;
const disks: TinyDisk[] = [];

beforeEach(async () => {
  server = new DiscordTestServer({ limit: 50, windowMs: 100 });
  await server.start();
});
afterEach(async () => {
  try {
    await stopRelays();
    await server.stop();
  } finally {
    for (const d of disks.splice(0)) d.unmount();
  }
});

const make = (dataDir: string, discord: ConfigInput['discord']) => makeRelay(server, dataDir, discord);

const waitFor = (fn: () => void) => vi.waitFor(fn, { timeout: 15_000, interval: 20 });
const chat = (i: number) => `2024-04-10 02:28:53 [CHAT] player${i % 7}: message number ${i}\n`;
const chats = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, k) => chat(a + k)).join('');
/** The message numbers Discord received, in order. */
const received = () => server.lines().map((l) => Number(/message number (\d+)/.exec(l)?.[1]));
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe.skipIf(tinyDiskUnavailable !== null)(
  skipTitle('DiscordService with a full disk under its outbox', tinyDiskUnavailable),
  () => {
    function setup() {
      const disk = new TinyDisk(256 * 1024);
      disks.push(disk);
      const log = join(mkdtempSync(join(tmpdir(), 'cr-discord-full-')), 'console.log');
      writeFileSync(log, '');
      return { disk, log };
    }

    it('keeps relaying from memory, reports degraded with the reason, and writes the journal once there is room', async () => {
      const { disk, log } = setup();
      const svc = make(disk.dir, { consoleLogPath: log });
      await svc.start();
      appendFileSync(log, chats(1, 3));
      await waitFor(() => expect(received()).toEqual(range(1, 3)));
      disk.fill();
      server.faults = Array.from({ length: 1_000_000 }, () => ({ status: 503 }));
      // Enough lines to need new pages on the disk (the journal's last page may still have room).
      appendFileSync(log, chats(4, 100));
      await waitFor(() =>
        expect(svc.status()).toMatchObject({
          state: 'degraded',
          summary: expect.stringMatching(/cannot write the outbox journal .*ENOSPC; [1-9]\d* events held in memory/),
        }),
      );
      disk.free();
      await waitFor(() => expect(svc.status().summary).not.toMatch(/ENOSPC/));
      const journal = readFileSync(join(disk.dir, 'discord', 'outbox.jsonl'), 'utf8');
      for (const i of range(4, 100)) expect(journal).toContain(`message number ${i}"`);
      server.faults = [];
      await waitFor(() => expect(received()).toEqual(range(1, 100)));
    });

    it('stopped while the disk is still full, it loses nothing: the next start reads those lines again', async () => {
      const { disk, log } = setup();
      const a = make(disk.dir, { consoleLogPath: log });
      await a.start();
      appendFileSync(log, chats(1, 3));
      await waitFor(() => expect(received()).toEqual(range(1, 3)));
      disk.fill();
      server.faults = Array.from({ length: 1_000_000 }, () => ({ status: 503 }));
      appendFileSync(log, chats(4, 100));
      await waitFor(() =>
        expect(a.status().summary).toMatch(/cannot write the outbox journal .*ENOSPC; [1-9]\d* events held in memory/),
      );
      await a.stop();
      disk.free();
      server.faults = [];
      await make(disk.dir, { consoleLogPath: log }).start();
      await waitFor(() => expect(received()).toEqual(range(1, 100)));
    });
  },
);

describe('DiscordService after its console log was rotated while it was stopped', () => {
  async function firstRun() {
    const dir = mkdtempSync(join(tmpdir(), 'cr-discord-rot-'));
    const log = join(dir, 'console.log');
    writeFileSync(log, '');
    const a = make(join(dir, 'data'), { consoleLogPath: log });
    await a.start();
    appendFileSync(log, chats(1, 3));
    await waitFor(() => expect(received()).toEqual(range(1, 3)));
    await a.stop();
    // Written after the relay stopped, before the rotation: only the old file has these.
    appendFileSync(log, chats(4, 5));
    return { dir, log };
  }

  it('copytruncate refilled past the saved offset: every line is relayed once', async () => {
    const { dir, log } = await firstRun();
    copyFileSync(log, join(dir, 'console.log.1'));
    truncateSync(log, 0);
    appendFileSync(log, chats(6, 40));
    await make(join(dir, 'data'), { consoleLogPath: log }).start();
    await waitFor(() => expect(received()).toEqual(range(1, 40)));
  });

  it('rename rotation: the old file is finished under its new name, then the new one, every line once', async () => {
    const { dir, log } = await firstRun();
    renameSync(log, join(dir, 'console.log.1'));
    appendFileSync(log, chats(6, 8));
    await make(join(dir, 'data'), { consoleLogPath: log }).start();
    await waitFor(() => expect(received()).toEqual(range(1, 8)));
  });
});
