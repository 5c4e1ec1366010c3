// The relay reading the server's main log as well as its console log: `ready` and `save` are only
// in the main log; join and chat are in both (a headless server's stdout carries them too) and
// must reach Discord once. Real files, a local server speaking Discord's webhook protocol.
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConfigInput } from '../../shared/config';
import { makeRelay, stopRelays } from './harness.fixture';
import { DiscordTestServer } from './server.fixture';

let server: DiscordTestServer;

beforeEach(async () => {
  server = new DiscordTestServer({ limit: 50, windowMs: 100 });
  await server.start();
});
afterEach(async () => {
  await stopRelays();
  await server.stop();
});

const make = (dataDir: string, discord: ConfigInput['discord']) => makeRelay(server, dataDir, discord);

const waitFor = (fn: () => void) => vi.waitFor(fn, { timeout: 15_000, interval: 20 });
const sorted = () => [...server.lines()].sort();

// Line shapes from real servers (sources in parse.test.ts).
const MAIN =
  [
    '   0.000 2024-04-10 02:28:40; Factorio 1.1.104 (build 62227, linux64, headless)',
    '   0.578 Info ServerMultiplayerManager.cpp:808: updateTick(926) changing state from(CreatingGame) to(InGame)',
    '2024-04-10 02:28:53 [JOIN] Alice joined the game',
    '2024-04-10 02:28:55 [CHAT] Alice: hello',
    '4802.763 Info AppManager.cpp:287: Saving to _autosave4 (blocking).',
    '4802.900 Info AppManagerStates.cpp:1802: Saving finished',
  ].join('\n') + '\n';
const CONSOLE =
  ['2024-04-10 02:28:53 [JOIN] Alice joined the game', '2024-04-10 02:28:55 [CHAT] Alice: hello'].join('\n') + '\n';

describe('DiscordService with discord.mainLogPath', () => {
  it('with both logs, ready and save come from the main log and every event reaches Discord once, also across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cr-discord-main-'));
    const consoleLog = join(dir, 'console.log');
    const mainLog = join(dir, 'factorio-current.log');
    writeFileSync(consoleLog, CONSOLE);
    writeFileSync(mainLog, MAIN);
    const a = make(join(dir, 'data'), { consoleLogPath: consoleLog, mainLogPath: mainLog });
    await a.start();
    const first = [
      '✅ **Alice** joined the game',
      '💬 **Alice:** hello',
      '💾 Saving finished',
      '💾 Saving to \\_autosave4',
      '🟢 Server is ready: the game is running',
    ];
    await waitFor(() => expect(sorted()).toEqual(first));
    await a.stop();

    appendFileSync(mainLog, '  10.806 Info AppManager.cpp:394: Saving game as /srv/factorio/saves/world.zip\n');
    await make(join(dir, 'data'), { consoleLogPath: consoleLog, mainLogPath: mainLog }).start();
    await waitFor(() => expect(sorted()).toEqual([...first, '💾 Saving to world.zip'].sort()));
  });

  it('with the main log alone (a headless server’s stdout), every event comes from it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cr-discord-main-'));
    const mainLog = join(dir, 'server.out');
    writeFileSync(mainLog, MAIN);
    await make(join(dir, 'data'), { mainLogPath: mainLog }).start();
    await waitFor(() =>
      expect(sorted()).toEqual([
        '✅ **Alice** joined the game',
        '💬 **Alice:** hello',
        '💾 Saving finished',
        '💾 Saving to \\_autosave4',
        '🟢 Server is ready: the game is running',
      ]),
    );
  });
});
