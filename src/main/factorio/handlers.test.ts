// The set-up path through the app: factorio.installMod over the contract (validated like any call)
// puts the mod into a temporary user data folder, points the real pipe reader at its script-output,
// and the first lines the mod writes (the packaged zip, played under the Lua double) arrive.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { skipTitle, TOOLS, toolSkipReason } from '../../../scripts/system-deps.mjs';
import { ControlRoomApp } from '../app';
import { ConfigStore } from '../config';
import { silentLogger } from '../log';
import { SecretStore } from '../secrets';
import { dispatch } from '../transport/dispatch';
import { findLuaSources } from './modPackage';

const noLua = toolSkipReason('lua5.2');
const lua = TOOLS.find((t) => t.id === 'lua5.2')!.find();
const runner = join(findLuaSources().sharedDir, '..', 'tests', 'run_scenario.lua');
const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function setUp(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cr-factorio-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const factorio = join(dir, 'factorio');
  mkdirSync(join(factorio, 'mods'), { recursive: true });
  const otherMods = {
    mods: [
      { name: 'base', enabled: true },
      { name: 'space-age', enabled: true },
      { name: 'helmod', enabled: false },
    ],
  };
  writeFileSync(join(factorio, 'mods', 'mod-list.json'), JSON.stringify(otherMods, null, 2));
  const path = join(dir, 'config.json');
  // Before set-up the pipe reads somewhere else, as it would with no Factorio found.
  mkdirSync(join(dir, 'elsewhere'));
  writeFileSync(
    path,
    JSON.stringify({ pipe: { path: join(dir, 'elsewhere', 'events.pipe'), mode: 'file', startAt: 'start' } }),
  );
  const secrets = new SecretStore({}, dir);
  const store = new ConfigStore({ path, env, secrets, appHome: dir, keepLastGood: false });
  store.load();
  const app = new ControlRoomApp({
    mode: 'headless',
    version: 't',
    configStore: store,
    secrets,
    logger: silentLogger(),
  });
  cleanup.push(() => app.stop());
  return { dir, factorio, otherMods, store, app, configPath: path };
}

const client = { markReady() {}, reset() {}, detach() {}, dropped: 0 };
const call = (app: ControlRoomApp, method: string, payload?: unknown) =>
  dispatch(app.handlers, method, payload, { client });

describe('factorio.* through the app', () => {
  it('refuses a malformed request before touching anything', async () => {
    const { app } = setUp();
    const r = await call(app, 'factorio.installMod', { userDataDir: 5 });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it.skipIf(noLua)(
    skipTitle(
      "install: zip in mods/, the other entries kept, the pipe moved to script-output, and the mod's first stats line is read",
      noLua,
    ),
    async () => {
      const { factorio, otherMods, store, app, configPath } = setUp();
      await app.start();
      const detected = await call(app, 'factorio.detect');
      expect(detected).toMatchObject({ ok: true, value: { mod: null } });
      const r = await call(app, 'factorio.installMod', { userDataDir: factorio, gameVersion: '2.0' });
      if (!r.ok) throw new Error(r.error.message);
      const result = r.value as { zipPath: string; pipePath: string; backupPath: string };
      expect(result.zipPath).toBe(join(factorio, 'mods', 'control-room_0.1.0.zip'));
      expect(JSON.parse(readFileSync(join(factorio, 'mods', 'mod-list.json'), 'utf8'))).toEqual({
        mods: [...otherMods.mods, { name: 'control-room', enabled: true }],
      });
      expect(result.pipePath).toBe(join(factorio, 'script-output', 'events.pipe'));
      expect(store.effective.pipe.path).toBe(result.pipePath);
      expect(JSON.parse(readFileSync(configPath, 'utf8'))).toMatchObject({
        factorio: { userDataDir: factorio },
        pipe: { path: result.pipePath },
      });

      // The game: the installed zip, unpacked, added to a running save, writing where the app now reads.
      const unpacked = join(factorio, 'unpacked');
      for (const [p, content] of Object.entries(unzipSync(readFileSync(result.zipPath)))) {
        mkdirSync(dirname(join(unpacked, p)), { recursive: true });
        writeFileSync(join(unpacked, p), content);
      }
      const game = spawnSync(
        lua!,
        [
          runner,
          '--out',
          join(factorio, 'script-output'),
          '--mod-dir',
          join(unpacked, 'control-room_0.1.0'),
          '--ticks',
          '400',
          '--added-at',
          '130',
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(game.stderr).toBe('');
      await vi.waitFor(
        async () => {
          const q = await call(app, 'pipe.query', { types: ['stats'] });
          expect(q.ok && (q.value as { total: number }).total).toBeGreaterThan(0);
        },
        { timeout: 15_000, interval: 50 },
      );
      const q = await call(app, 'pipe.query', {});
      const events = (
        q.ok ? (q.value as { events: { event: { type: string; level_name?: string } }[] }).events : []
      ).map((e) => e.event);
      expect(events[0]).toMatchObject({ type: 'session_init', level_name: 'freeplay', tick: 130 });
      expect(events[1]).toMatchObject({ type: 'stats', cycle: 1, tick: 240 });
      const after = await call(app, 'factorio.detect');
      expect(after).toMatchObject({
        ok: true,
        value: { userDataDir: factorio, source: 'config', mod: { versions: ['0.1.0'], enabled: true } },
      });
    },
  );

  it('an environment variable that sets the pipe path is named, not silently overruled', async () => {
    const { factorio, app } = setUp({ FACTORIO_PIPE_PATH: '/somewhere/events.pipe' });
    const r = await call(app, 'factorio.installMod', { userDataDir: factorio });
    expect(r.ok && (r.value as { notes: string[]; pipePath: string })).toMatchObject({
      pipePath: '/somewhere/events.pipe',
      notes: [expect.stringMatching(/FACTORIO_PIPE_PATH/)],
    });
  });
});
