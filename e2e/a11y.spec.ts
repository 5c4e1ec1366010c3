import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures';
import { openView, pickTheme, THEMES, VIEW_IDS } from './views';

test.describe('accessibility', () => {
  test.skip(({ target }) => target !== 'web', 'scanned once, in the web project');

  for (const theme of THEMES) {
    test(`every view in the ${theme} theme has no serious or critical axe violation`, async ({ ui }) => {
      await ui.setViewportSize({ width: 1440, height: 900 });
      await expect(ui.getByTestId('connection')).toHaveAttribute('data-state', 'open');
      await pickTheme(ui, theme);
      await expect(ui.locator('html')).toHaveAttribute('data-theme', theme);
      const found: string[] = [];
      for (const id of VIEW_IDS) {
        await openView(ui, id);
        const { violations } = await new AxeBuilder({ page: ui })
          .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
          .analyze();
        for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
          found.push(
            `${id}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes
              .map((n) => n.target.join(' '))
              .slice(0, 5)
              .join(', ')}`,
          );
        }
      }
      expect(found).toEqual([]);
    });
  }
});
