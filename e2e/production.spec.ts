import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { root, run } from './harness';

const stats = (session: string, cycle: number, prod: Record<string, number>, cons: Record<string, number> = {}) =>
  JSON.stringify({
    type: 'stats',
    session_id: session,
    cycle,
    tick: cycle * 120,
    products_production: prod,
    materials_consumption: cons,
  });
const init = (session: string, level: string) =>
  JSON.stringify({ type: 'session_init', session_id: session, tick: 0, level_name: level });

/** Writes lines from a separate process that opens, writes and closes per line, as the game does. */
async function write(path: string, lines: string[]): Promise<void> {
  const w = run([
    '-e',
    `const fs=require('fs');for(const l of ${JSON.stringify(lines)})fs.appendFileSync(${JSON.stringify(path)}, l+'\\n')`,
  ]);
  expect(await w.exited).toBe(0);
}

/** Ten items, iron-plate largest; `k` varies the values. */
const items = (k: number) =>
  Object.fromEntries(
    Array.from({ length: 10 }, (_, i) => [i === 0 ? 'iron-plate' : `item-${i}`, i === 0 ? 1000 + k : 10 * i + k]),
  );

test.describe('Production view', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cr-e2e-prod-'));
  const pipePath = join(dir, 'events.pipe');
  test.use({ appConfig: { pipe: { path: pipePath } } });

  test('shows the exact value written, and mode, window and picker change what is drawn', async ({ ui }) => {
    await expect(ui.getByTestId('production-empty')).toBeVisible();
    const lines = [init('alpha', 'open_world')];
    for (let c = 1; c <= 400; c++) lines.push(stats('alpha', c, items(c), { 'iron-plate': 7.25, 'item-1': 3 }));
    lines.push(stats('alpha', 401, { ...items(401), 'iron-plate': 1234.56 }, { 'iron-plate': 34.5, 'item-1': 3 }));
    await write(pipePath, lines);

    const readout = ui.getByTestId('readout-iron-plate');
    await expect(readout).toHaveAttribute('data-value', '1234.56');
    await expect(readout).toHaveText('1,234.56');
    await expect(ui.getByTestId('session-id')).toHaveText('alpha');
    await expect(ui.getByTestId('session-level')).toHaveText('open_world');
    const chart = ui.getByTestId('chart');
    // Default: the top 8 items by current rate, production, last hour of game time.
    await expect(chart).toHaveAttribute('data-series', 'iron-plate,item-9,item-8,item-7,item-6,item-5,item-4,item-3');
    await expect(ui.locator('.series-line')).toHaveCount(8);
    await expect(chart).toHaveAttribute('data-to', '802');
    await expect(chart).toHaveAttribute('data-from', '0');

    // Hovering shows the exact values written at that game time (cycle c wrote iron-plate = 1000 + c).
    const box = (await chart.boundingBox())!;
    await ui.mouse.move(box.x + box.width * 0.6, box.y + 150);
    // The readout is on screen, not only in the DOM.
    await expect(ui.getByTestId('chart-tooltip')).toBeVisible();
    const tip = await ui.getByTestId('chart-tooltip').textContent();
    const [, h, m, sec] = /game time (\d+):(\d+):(\d+)/.exec(tip!)!.map(Number);
    const cycle = (h * 3600 + m * 60 + sec) / 2;
    expect(tip).toContain(`iron-plate: ${(1000 + cycle).toLocaleString('en-US')} /min`);
    expect(tip).toContain(`item-9: ${90 + cycle} /min`);

    // Consumption over production, dashed in the same colour; the hover readout has both.
    await ui.getByTestId('overlay-consumption').check();
    await expect(ui.locator('.series-line')).toHaveCount(16);
    await expect(ui.locator('.series-line[data-key="iron-plate (consumed)"]')).toHaveAttribute(
      'stroke-dasharray',
      '5 3',
    );
    await ui.mouse.move(box.x + box.width * 0.6, box.y + 160);
    await expect(ui.getByTestId('chart-tooltip')).toContainText('iron-plate (consumed): 7.25 /min');
    await ui.getByTestId('overlay-consumption').uncheck();
    await expect(ui.locator('.series-line')).toHaveCount(8);

    await ui.getByTestId('mode-net').click();
    await expect(chart).toHaveAttribute('data-mode', 'net');
    await expect(readout).toHaveAttribute('data-value', String(1234.56 - 34.5));
    await ui.getByTestId('mode-consumption').click();
    await expect(readout).toHaveText('34.5');

    await ui.getByTestId('window-600').click();
    await expect(chart).toHaveAttribute('data-from', '202');

    await ui.getByTestId('mode-production').click();
    await ui.getByTestId('item-picker').click();
    await ui.getByTestId('item-picker-search').fill('item-1');
    await ui.getByTestId('item-option-item-1').check();
    await expect(chart).toHaveAttribute(
      'data-series',
      'iron-plate,item-9,item-8,item-7,item-6,item-5,item-4,item-3,item-1',
    );
    await expect(ui.locator('.series-line')).toHaveCount(9);
    // A legend click hides a line and keeps its item selected.
    await ui.getByTestId('legend-item-9').click();
    await expect(chart).toHaveAttribute('data-series', 'iron-plate,item-8,item-7,item-6,item-5,item-4,item-3,item-1');
    await ui.getByTestId('legend-item-9').click();
    await expect(chart).toHaveAttribute(
      'data-series',
      'iron-plate,item-9,item-8,item-7,item-6,item-5,item-4,item-3,item-1',
    );
    await ui.getByTestId('item-picker-search').fill('iron');
    await ui.getByTestId('item-option-iron-plate').uncheck();
    await expect(ui.getByTestId('readout-iron-plate')).toHaveCount(0);
    await expect(ui.locator('.series-line')).toHaveCount(8);
  });

  test('a new session starts its own series with a marker; the picker revisits the earlier one', async ({ ui }) => {
    await write(pipePath, [init('first', 'nauvis'), stats('first', 1, { coal: 5 }), stats('first', 2, { coal: 6 })]);
    await expect(ui.getByTestId('session-id')).toHaveText('first');
    await write(pipePath, [init('second', 'deathworld'), stats('second', 1, { stone: 9 })]);
    await expect(ui.getByTestId('session-id')).toHaveText('second');
    await expect(ui.getByTestId('session-level')).toHaveText('deathworld');
    await expect(ui.getByTestId('marker')).toHaveText('session start at 0:00:00');
    await expect(ui.locator('.recharts-reference-line')).toHaveCount(1);
    await expect(ui.getByTestId('readout-stone')).toHaveText('9');
    await ui.getByTestId('session-picker').selectOption('first');
    await expect(ui.getByTestId('session-id')).toHaveText('first');
    await expect(ui.getByTestId('readout-coal')).toHaveText('6');
  });

  test('the stale marker appears when the writer pauses', async ({ ui }) => {
    // Seven stats lines 150 ms apart, then silence: stale after three typical gaps.
    const program = `const fs = require('fs'); const [path, init] = JSON.parse(process.argv[1]); let c = 0;
      fs.appendFileSync(path, init + '\\n');
      const t = setInterval(() => { c++;
        fs.appendFileSync(path, JSON.stringify({ type: 'stats', session_id: 'live', cycle: c, tick: c * 120, products_production: { 'iron-plate': c }, materials_consumption: {} }) + '\\n');
        if (c >= 7) clearInterval(t); }, 150);`;
    const w = run(['-e', program, JSON.stringify([pipePath, init('live', 'open_world')])]);
    await expect(ui.getByTestId('readout-iron-plate')).toHaveText('7');
    await expect(ui.getByTestId('stale-marker')).toHaveCount(0);
    expect(await w.exited).toBe(0);
    await expect(ui.getByTestId('stale-marker')).toBeVisible();
    // The status bar says it too, instead of "all ok".
    await expect(ui.getByTestId('status-game')).toHaveAttribute('data-state', 'stale');
    await expect(ui.getByTestId('status-overall')).toHaveText('needs attention');
  });

  test('draws an hour of the demo factory, about one point per pixel', async ({ ui }, testInfo) => {
    // 1,800 stats lines (one hour of game time, 20 items) from the feed program, as fast as it can.
    const feed = run([
      join(root, 'out/main/feed.js'),
      '--path',
      pipePath,
      '--lines',
      '1801',
      '--rate',
      '0',
      '--seed',
      '42',
      '--keep-open',
      '--session-every',
      '0',
    ]);
    expect(await feed.exited).toBe(0);
    await expect(ui.getByTestId('session-tick')).toContainText('1:00:00');
    await ui.getByTestId('window-0').click();
    const chart = ui.getByTestId('chart');
    await expect(ui.locator('.series-line')).toHaveCount(8);
    await expect(ui.locator('.readout')).toHaveCount(8);
    const width = (await chart.boundingBox())!.width;
    const rows = Number(await chart.getAttribute('data-rows'));
    expect(rows).toBeGreaterThan(100);
    expect(rows).toBeLessThanOrEqual(width);
    if (testInfo.project.name === 'web') {
      const shot = testInfo.outputPath('production.png');
      await ui.screenshot({ path: shot });
      if (process.env.SCREENSHOTS === '1') copyFileSync(shot, join(root, 'docs/production.png'));
    }
  });

  test('items named like Object members, __proto__ included, chart like any other', async ({ ui }) => {
    const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];
    // JSON.stringify of an object built with fromEntries keeps `__proto__` as an ordinary key.
    const first = Object.fromEntries([['coal', 5], ...names.map((n, i) => [n, 10 * (i + 1)])]);
    // The second line lacks them: their rate is 0 there, not an inherited member of Object.
    await write(pipePath, [init('proto', 'open_world'), stats('proto', 1, first), stats('proto', 2, { coal: 6 })]);
    await expect(ui.getByTestId('readout-coal')).toHaveAttribute('data-value', '6');
    for (const n of names) await expect(ui.getByTestId(`readout-${n}`)).toHaveAttribute('data-value', '0');
    await expect(ui.locator('.series-line')).toHaveCount(6);
    for (const n of names)
      await expect(ui.locator(`.series-line[data-key="${n}"]`)).toHaveAttribute('d', /^M[\d.]+,[\d.]+L[\d.]+,[\d.]+$/);
  });
});
