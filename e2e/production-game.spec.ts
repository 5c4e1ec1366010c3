// The Production view beside a player's own game: item icons from a (temporary) Factorio folder,
// a line of play after loading an earlier save, and the demo feed labelled as a demo.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { iconStrip } from '../src/main/history/png.fixture';
import { expect, test } from './fixtures';
import { run } from './harness';

const stats = (session: string, cycle: number, prod: Record<string, number>) =>
  JSON.stringify({
    type: 'stats',
    session_id: session,
    cycle,
    tick: cycle * 120,
    products_production: prod,
    materials_consumption: {},
  });
const init = (session: string, extra: object = {}) =>
  JSON.stringify({ type: 'session_init', session_id: session, tick: 0, level_name: 'nauvis', ...extra });

/** Writes lines from a separate process that opens, writes and closes per line, as the game does. */
async function write(path: string, lines: string[]): Promise<void> {
  const w = run([
    '-e',
    `const fs=require('fs');for(const l of ${JSON.stringify(lines)})fs.appendFileSync(${JSON.stringify(path)}, l+'\\n')`,
  ]);
  expect(await w.exited).toBe(0);
}

test.describe('Production view and the player’s game', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cr-e2e-game-'));
  const pipePath = join(dir, 'events.pipe');
  // A "Factorio install" of our own making: one icon, a mipmap strip (red full-size square, then
  // blue halves), and nothing for coal.
  const factorioDir = join(dir, 'factorio');
  const icons = join(factorioDir, 'data', 'base', 'graphics', 'icons');
  mkdirSync(icons, { recursive: true });
  const strip = iconStrip(64, 4, [220, 30, 30], [30, 30, 220]);
  writeFileSync(join(icons, 'iron-plate.png'), strip);
  test.use({ appConfig: { pipe: { path: pipePath }, history: { factorioDir } } });

  test("shows the game's icon for an item (its first square only) and the swatch for an item without one", async ({
    ui,
  }) => {
    const lines = [init('icons')];
    for (let c = 1; c <= 20; c++) lines.push(stats('icons', c, { 'iron-plate': 100 + c, coal: 50 }));
    await write(pipePath, lines);
    const legendIcon = ui.getByTestId('legend-iron-plate').getByTestId('icon-iron-plate');
    await expect(legendIcon).toBeVisible();
    // The game's file, as it is on disk.
    const src = (await legendIcon.getAttribute('src'))!;
    expect(Buffer.from(src.replace(/^data:image\/png;base64,/, ''), 'base64').equals(strip)).toBe(true);
    await expect(ui.getByTestId('legend-coal').locator('.swatch')).toBeVisible();
    await expect(ui.getByTestId('legend-coal').getByTestId('icon-coal')).toHaveCount(0);
    await expect(ui.locator('.readout').getByTestId('icon-iron-plate')).toBeVisible();

    // What is on screen is the red full-size square: no blue of the smaller mipmaps.
    const box = (await legendIcon.boundingBox())!;
    const shot = await ui.screenshot({ clip: { x: box.x, y: box.y, width: 18, height: 18 } });
    const colours = await ui.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      [c.width, c.height] = [img.width, img.height];
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, img.width, img.height).data;
      let red = 0;
      let blue = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i] > 150 && d[i + 2] < 100) red++;
        if (d[i + 2] > 150 && d[i] < 100) blue++;
      }
      return { red, blue, pixels: d.length / 4 };
    }, shot.toString('base64'));
    expect(colours.blue).toBe(0);
    expect(colours.red).toBeGreaterThan(colours.pixels * 0.9);

    // The hover readout and the item picker show it too.
    const chart = (await ui.getByTestId('chart').boundingBox())!;
    await ui.mouse.move(chart.x + chart.width * 0.6, chart.y + 150);
    await expect(ui.getByTestId('chart-tooltip').getByTestId('icon-iron-plate')).toBeVisible();
    await ui.mouse.move(0, 0);
    await ui.getByTestId('item-picker').click();
    await expect(ui.locator('.picker-list').getByTestId('icon-iron-plate')).toBeVisible();
  });

  test('loading an earlier save starts a new line at that game time, marked, not joined to the old one', async ({
    ui,
  }) => {
    const lines = [init('rewind')];
    for (let c = 1; c <= 10; c++) lines.push(stats('rewind', c, { 'iron-plate': 100 + c }));
    await write(pipePath, lines);
    await expect(ui.getByTestId('readout-iron-plate')).toHaveAttribute('data-value', '110');
    // The player loads the autosave of cycle 4 (tick 480) and plays on.
    await write(pipePath, [
      init('rewind', { tick: 480, resumed: true, cycle: 4 }),
      stats('rewind', 5, { 'iron-plate': 7 }),
      stats('rewind', 6, { 'iron-plate': 8 }),
      stats('rewind', 7, { 'iron-plate': 9 }),
    ]);
    await expect(ui.getByTestId('readout-iron-plate')).toHaveAttribute('data-value', '9');
    await expect(ui.getByTestId('marker').filter({ hasText: 'loaded an earlier save' })).toHaveText(
      'loaded an earlier save at 0:00:08',
    );
    await expect(ui.getByTestId('chart').locator('svg text', { hasText: 'loaded an earlier save' })).toBeVisible();
    // Two lines: the one played before the load (all 10 samples) and the new one (3 samples).
    const current = ui.locator('.series-line[data-key="iron-plate"]');
    const earlier = ui.locator('.series-line[data-key="iron-plate (before load 1)"]');
    await expect(earlier).toHaveAttribute('d', /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){9}$/);
    await expect(current).toHaveAttribute('d', /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){2}$/);
    // The new line starts right of the marker, at the first sample after the load (t = 10 s).
    const startX = Number(/^M([\d.]+),/.exec((await current.getAttribute('d'))!)![1]);
    const firstEarlierX = Number(/^M([\d.]+),/.exec((await earlier.getAttribute('d'))!)![1]);
    expect(startX).toBeGreaterThan(firstEarlierX);
    // Every line written is in the CSV of what is on screen.
    const download = ui.waitForEvent('download');
    await ui.getByTestId('export-csv').click();
    const csv = await (await (await download).createReadStream()).toArray();
    const text = Buffer.concat(csv).toString();
    expect(text.split('\n')[0]).toBe('game_seconds,iron-plate,iron-plate (before load 1)');
    for (let c = 1; c <= 10; c++) expect(text).toContain(`${2 * c},`);
    for (const v of ['101', '110', '7', '8', '9']) expect(text).toMatch(new RegExp(`,${v}(,|\\n)`));
  });

  test('the demo feed is labelled as a demo in the header, with the way to connect the game', async ({ ui }) => {
    await expect(ui.getByTestId('production-empty')).toBeVisible();
    await ui.getByTestId('production-start-demo').click();
    await expect(ui.getByTestId('session-id')).toBeVisible();
    await expect(ui.getByTestId('demo-badge')).toHaveText('Demo - simulated factory');
    const link = ui.getByRole('link', { name: 'connect Factorio (Events view, set-up)' });
    await expect(link).toHaveAttribute('href', '#/events');
    await link.click();
    await expect(ui.getByTestId('factorio-setup')).toBeVisible();
  });
});
