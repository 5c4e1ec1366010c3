// `SCREENSHOTS=1 npm test` refreshes docs/screenshots/ (every view, both themes, 1440x900); a
// plain run never writes there.
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { root } from './harness';
import { openView, pickTheme, THEMES, VIEW_IDS } from './views';

test.describe('screenshots', () => {
  test.skip(({ target }) => target !== 'web' || process.env.SCREENSHOTS !== '1', 'only with SCREENSHOTS=1, in the web project');

  test('every view in both themes, into docs/screenshots/', async ({ ui }) => {
    await ui.setViewportSize({ width: 1440, height: 900 });
    await expect(ui.getByTestId('connection')).toHaveAttribute('data-state', 'open');
    // The demo feed fills Production and Events: wait for its charts before taking pictures.
    await expect(ui.locator('[data-testid^="readout-"]').first()).toBeVisible({ timeout: 30_000 });
    for (const theme of THEMES) {
      await pickTheme(ui, theme);
      for (const id of VIEW_IDS) {
        await openView(ui, id);
        await ui.screenshot({ path: join(root, 'docs/screenshots', `${id}-${theme}.png`), animations: 'disabled', caret: 'hide' });
      }
    }
  });
});
