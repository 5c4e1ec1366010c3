// `SCREENSHOTS=1 npm test` refreshes docs/screenshots/ (every view, both themes, 1440x900); a
// plain run never writes there.
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { root } from './harness';
import { openView, pickTheme, THEMES, VIEW_IDS } from './views';

test.describe('screenshots', () => {
  test.skip(
    ({ target }) => target !== 'web' || process.env.SCREENSHOTS !== '1',
    'only with SCREENSHOTS=1, in the web project',
  );

  test('every view in both themes, into docs/screenshots/', async ({ ui }) => {
    test.setTimeout(120_000);
    await ui.setViewportSize({ width: 1440, height: 900 });
    await expect(ui.getByTestId('connection')).toHaveAttribute('data-state', 'open');
    // The demo feed fills Production and Events: wait for a minute of game time (30 stats lines)
    // so the charts have lines to show.
    await expect(ui.locator('[data-testid^="readout-"]').first()).toBeVisible({ timeout: 30_000 });
    const tick = async () =>
      Number(
        (/tick ([\d,.\s]+)/.exec((await ui.getByTestId('session-tick').textContent()) ?? '')?.[1] ?? '0').replace(
          /\D/g,
          '',
        ),
      );
    await expect.poll(tick, { timeout: 60_000 }).toBeGreaterThanOrEqual(3600);
    for (const theme of THEMES) {
      await pickTheme(ui, theme);
      for (const id of VIEW_IDS) {
        await openView(ui, id);
        await ui.screenshot({
          path: join(root, 'docs/screenshots', `${id}-${theme}.png`),
          animations: 'disabled',
          caret: 'hide',
        });
      }
    }
  });
});
