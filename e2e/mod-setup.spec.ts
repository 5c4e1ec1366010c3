// A player's set-up: Factorio's user data folder (a temporary one, with a real mod-list.json of
// other mods), Install the mod, and the first stats line the installed mod writes — its zip
// unpacked and played under the Lua Factorio double — on the Production view.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { TOOLS, toolSkipReason } from '../scripts/system-deps.mjs';
import { expect, test } from './fixtures';
import { root, tempDir } from './harness';

const noLua = toolSkipReason('lua5.2');
const lua = TOOLS.find((t) => t.id === 'lua5.2')!.find();

const factorio = tempDir('cr-e2e-factorio-');
const elsewhere = tempDir('cr-e2e-pipe-');
const OTHER_MODS = {
  mods: [
    { name: 'base', enabled: true },
    { name: 'space-age', enabled: true },
    { name: 'quality', enabled: true },
    { name: 'helmod', enabled: false },
  ],
};
mkdirSync(join(factorio, 'mods'), { recursive: true });
writeFileSync(join(factorio, 'mods', 'mod-list.json'), JSON.stringify(OTHER_MODS, null, 2) + '\n');
writeFileSync(
  join(factorio, 'factorio-current.log'),
  '   0.000 2026-12-07 20:00:00; Factorio 2.0.72 (build 83000, linux64, full, space-age)\n',
);

test.describe('Setting up the mod from the app', () => {
  // Before set-up the pipe reads a folder of its own (so no demo feed starts).
  test.use({
    appConfig: {
      factorio: { userDataDir: factorio },
      pipe: { path: join(elsewhere, 'events.pipe'), mode: 'file', startAt: 'start' },
    },
  });

  test("Install puts the zip in mods/, keeps the other entries, and the mod's first stats line shows on Production", async ({
    ui,
  }) => {
    test.skip(Boolean(noLua), noLua ?? '');
    await ui.getByTestId('nav-events').click();
    await expect(ui.getByTestId('factorio-found')).toContainText(`Factorio found at ${factorio} (Factorio 2.0)`);
    await expect(ui.getByTestId('factorio-setup')).toContainText('achievements');
    await ui.getByTestId('factorio-install').click();
    await expect(ui.getByTestId('factorio-waiting')).toBeVisible();
    const zipPath = join(factorio, 'mods', 'control-room_0.1.0.zip');
    expect(existsSync(zipPath)).toBe(true);
    expect(JSON.parse(readFileSync(join(factorio, 'mods', 'mod-list.json'), 'utf8'))).toEqual({
      mods: [...OTHER_MODS.mods, { name: 'control-room', enabled: true }],
    });
    await expect(ui.getByTestId('factorio-pipe-path')).toHaveText(join(factorio, 'script-output', 'events.pipe'));

    // The game: the installed zip, added to a save at tick 130, played to tick 240 (one stats cycle).
    const unpacked = join(factorio, 'unpacked');
    for (const [p, content] of Object.entries(unzipSync(readFileSync(zipPath)))) {
      mkdirSync(dirname(join(unpacked, p)), { recursive: true });
      writeFileSync(join(unpacked, p), content);
    }
    const runner = join(root, 'scenario', 'tests', 'run_scenario.lua');
    const game = spawnSync(
      lua!,
      [
        runner,
        '--out',
        join(factorio, 'script-output'),
        '--mod-dir',
        join(unpacked, 'control-room_0.1.0'),
        '--ticks',
        '240',
        '--added-at',
        '130',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(game.stderr).toBe('');
    const written = readFileSync(join(factorio, 'script-output', 'events.pipe'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(written.map((e) => e.type)).toEqual(['session_init', 'stats']);
    const plate = written[1].products_production['iron-plate'] as number;

    // The panel hands over to Production, which shows exactly what the mod wrote.
    await expect(ui.getByTestId('view-production')).toBeVisible();
    await expect(ui.getByTestId('readout-iron-plate')).toHaveAttribute('data-value', String(plate));
    await expect(ui.getByTestId('session-id')).toHaveText(written[0].session_id);
    await expect(ui.getByTestId('session-level')).toHaveText('freeplay');
  });
});
