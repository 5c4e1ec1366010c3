// Production history across a restart of the app: the 10 h window still shows the earlier lines,
// the hover readout and the CSV export hold exactly what was written, an item keeps its colour
// while ranks change, and a lost connection is shown as such.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { root, run, stopChild, waitForLine, type ChildRun } from './harness';

const stats = (cycle: number, prod: Record<string, number>) =>
  JSON.stringify({
    type: 'stats',
    session_id: 'alpha',
    cycle,
    tick: cycle * 120,
    products_production: prod,
    materials_consumption: {},
  });
/** Cycle c: iron-plate leads; copper-plate is small. */
const early = (c: number) => ({ 'iron-plate': 500 + c + 0.25, 'copper-plate': 10 + c / 4, coal: 100 + c });

async function write(path: string, lines: string[]): Promise<void> {
  const w = run([
    '-e',
    `const fs=require('fs');for(const l of ${JSON.stringify(lines)})fs.appendFileSync(${JSON.stringify(path)}, l+'\\n')`,
  ]);
  expect(await w.exited).toBe(0);
}

test.describe('Production history', () => {
  test('after a restart the 10 h window shows the earlier lines, exactly, in the same colours', async ({
    launchChromium,
  }, testInfo) => {
    test.skip(testInfo.project.name !== 'web', 'restarts the headless app itself: web project only');
    const dir = mkdtempSync(join(tmpdir(), 'cr-e2e-history-'));
    const pipePath = join(dir, 'events.pipe');
    const config = join(dir, 'config.json');
    // A Factorio folder of the test's own making: one locale file naming one item.
    const factorioDir = join(dir, 'factorio');
    mkdirSync(join(factorioDir, 'data', 'base', 'locale', 'en'), { recursive: true });
    writeFileSync(
      join(factorioDir, 'data', 'base', 'locale', 'en', 'base.cfg'),
      '[item-name]\niron-plate=Iron plate\n',
    );
    writeFileSync(config, JSON.stringify({ web: { port: 0 }, pipe: { path: pipePath }, history: { factorioDir } }));
    const env = { HOME: dir, CONTROL_ROOM_HOME: dir };
    const start = async (): Promise<[ChildRun, string]> => {
      const r = run([join(root, 'out/main/headless.js'), '--config', config, '--data-dir', join(dir, 'data')], env);
      const [, url] = await waitForLine(r, /Control Room UI: (\S+)/);
      return [r, url];
    };
    const browser = await launchChromium();
    const open = async (url: string): Promise<Page> => {
      const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
      page.on('pageerror', (e) => console.log(`[pageerror] ${e.stack ?? e.message}`));
      page.on('console', (m) => m.type() === 'error' && console.log(`[console.error] ${m.text()}`));
      await page.goto(url);
      return page;
    };

    const [first, firstUrl] = await start();
    let page = await open(firstUrl);
    const lines = [JSON.stringify({ type: 'session_init', session_id: 'alpha', tick: 0, level_name: 'open_world' })];
    for (let c = 1; c <= 30; c++) lines.push(stats(c, early(c)));
    await write(pipePath, lines);
    await expect(page.getByTestId('readout-iron-plate')).toHaveAttribute('data-value', String(early(30)['iron-plate']));
    const copperColor = await page.getByTestId('legend-copper-plate').getAttribute('data-color');
    expect(await stopChild(first)).toBe(0);
    // The app is gone: the page says so and greys the numbers it still shows.
    await expect(page.getByTestId('connection')).toContainText('disconnected');
    await expect(page.getByTestId('status-overall')).toHaveAttribute('data-state', 'disconnected');
    await expect(page.locator('.production')).toHaveAttribute('data-connected', 'false');
    await page.context().close();

    const [second, secondUrl] = await start();
    try {
      page = await open(secondUrl);
      await expect(page.getByTestId('session-id')).toHaveText('alpha');
      // The English name from the player's Factorio folder; ids without one stay ids.
      await expect(page.getByTestId('readout-name-iron-plate')).toHaveText('Iron plate');
      await expect(page.getByTestId('readout-name-coal')).toHaveText('coal');
      await page.getByTestId('window-36000').click();
      const chart = page.getByTestId('chart');
      await expect(chart).toHaveAttribute('data-source', 'history-raw');
      await expect(chart).toHaveAttribute('data-rows', '30');
      await expect(page.locator('.series-line')).toHaveCount(3);
      await expect(page.getByTestId('legend-copper-plate')).toHaveAttribute('data-color', copperColor!);

      // Hover: the exact values of the line written at that game time.
      const box = (await chart.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.5, box.y + 150);
      const tip = page.getByTestId('chart-tooltip');
      await expect(tip).toBeVisible();
      const text = (await tip.textContent())!;
      const [, h, m, s] = /game time (\d+):(\d+):(\d+)/.exec(text)!.map(Number);
      const cycle = (h * 3600 + m * 60 + s) / 2;
      expect(text).toContain(`iron-plate: ${early(cycle)['iron-plate'].toLocaleString('en-US')} /min`);
      expect(text).toContain(`copper-plate: ${early(cycle)['copper-plate'].toLocaleString('en-US')} /min`);

      // CSV export: the rows on screen are the lines written.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
      const csv = readFileSync((await download.path())!, 'utf8')
        .trim()
        .split('\n');
      const header = csv[0].split(',');
      expect(header[0]).toBe('game_seconds');
      expect(csv).toHaveLength(31);
      csv.slice(1).forEach((row, i) => {
        const cells = row.split(',');
        const c = i + 1;
        expect(Number(cells[0])).toBe(c * 2);
        header
          .slice(1)
          .forEach((item, k) => expect(Number(cells[k + 1])).toBe(early(c)[item as keyof ReturnType<typeof early>]));
      });

      // Ranks change (copper-plate now leads): its colour stays.
      await write(pipePath, [stats(31, { 'iron-plate': 1, 'copper-plate': 9000, coal: 2 })]);
      await expect(page.getByTestId('readout-copper-plate')).toHaveAttribute('data-value', '9000');
      await expect(page.getByTestId('legend-copper-plate')).toHaveAttribute('data-color', copperColor!);
      await page.context().close();
    } finally {
      await stopChild(second);
    }
  });
});
