import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { root, run } from './harness';

test.describe('Events view', () => {
  test('with no Factorio installed, the demo feed fills the table and the counters', async ({ ui }, testInfo) => {
    await ui.getByTestId('nav-events').click();
    await expect(ui.getByTestId('demo-status')).toContainText('no Factorio was found');
    await expect(ui.getByTestId('event-row').first()).toBeVisible();
    await expect(ui.locator('[data-testid="event-row"][data-type="session_init"]')).toHaveCount(1);
    await expect(ui.getByTestId('counter-mode')).toHaveText('file');
    await expect(ui.getByTestId('counter-path')).toContainText(join('demo', 'events.pipe'));
    await expect(async () =>
      expect(Number(await ui.getByTestId('counter-accepted').textContent())).toBeGreaterThanOrEqual(2),
    ).toPass({ timeout: 15_000 });
    await expect(ui.locator('[data-testid="event-row"][data-type="stats"]').first()).toContainText('produced');
    if (testInfo.project.name === 'web') {
      const shot = testInfo.outputPath('events.png');
      await ui.screenshot({ path: shot });
      if (process.env.SCREENSHOTS === '1') copyFileSync(shot, join(root, 'docs/events.png'));
    }
    await ui.getByTestId('demo-toggle').click();
    await expect(ui.getByTestId('demo-toggle')).toHaveText('Start demo feed');
  });

  test.describe('with the pipe service down', () => {
    // A directory where a FIFO is demanded: the pipe service cannot start, so it has no counters.
    test.use({
      appConfig: { pipe: { path: mkdtempSync(join(tmpdir(), 'cr-e2e-notapipe-')), mode: 'fifo' }, wandb: {} },
    });

    test('the view still opens and says so (no counters is not a crash)', async ({ ui }) => {
      await expect(ui.getByTestId('status-pipe')).toHaveAttribute('data-state', 'error');
      await ui.getByTestId('nav-events').click();
      await expect(ui.getByTestId('view-events')).toBeVisible();
      await expect(ui.getByTestId('view-error')).toHaveCount(0);
      await ui.getByTestId('nav-production').click();
      await expect(ui.getByTestId('view-production')).toBeVisible();
    });
  });

  test.describe('fed by a game-like writer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cr-e2e-pipe-'));
    const pipePath = join(dir, 'events.pipe');
    test.use({ appConfig: { pipe: { path: pipePath } } });

    test('shows accepted rows, rejected lines with reasons, and filters', async ({ ui }) => {
      await ui.getByTestId('nav-events').click();
      await expect(ui.getByTestId('counter-mode')).toHaveText('file');
      const lines = [
        JSON.stringify({ type: 'session_init', session_id: 'e2e-session', tick: 0, level_name: 'open_world' }),
        JSON.stringify({
          type: 'stats',
          session_id: 'e2e-session',
          cycle: 1,
          tick: 120,
          products_production: { 'iron-plate': 42 },
          materials_consumption: { 'iron-ore': 40 },
        }),
        '{"type":"stats", this is not json',
        JSON.stringify({
          type: 'stats',
          session_id: 'e2e-session',
          cycle: 2,
          tick: 240,
          products_production: { 'copper-plate': 7 },
          materials_consumption: {},
        }),
      ];
      // A separate process that opens, writes and closes per line, as the game does.
      const w = run([
        '-e',
        `const fs=require('fs');for(const l of ${JSON.stringify(lines)})fs.appendFileSync(${JSON.stringify(pipePath)}, l+'\\n')`,
      ]);
      expect(await w.exited).toBe(0);
      await expect(ui.getByTestId('event-row')).toHaveCount(3);
      await expect(ui.getByTestId('counter-accepted')).toHaveText('3');
      await expect(ui.getByTestId('counter-rejected')).toHaveText('1');
      await expect(ui.getByTestId('rejected-row')).toHaveAttribute('data-reason', 'invalid_json');
      await expect(ui.getByTestId('counter-rejected-reasons')).toHaveText('invalid_json: 1');

      await ui.getByTestId('events-filter-text').fill('copper-plate');
      await expect(ui.getByTestId('event-row')).toHaveCount(1);
      await expect(ui.getByTestId('event-row')).toHaveAttribute('data-seq', '3');
      await ui.getByTestId('events-filter-text').fill('');
      await ui.getByTestId('events-filter-type').selectOption('session_init');
      await expect(ui.getByTestId('event-row')).toHaveCount(1);
      await expect(ui.getByTestId('event-row')).toContainText('open_world');
    });
  });
});
