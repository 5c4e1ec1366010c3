import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openView, VIEW_IDS } from './views';

/** scrollWidth beyond clientWidth of the document, the main area and the shown view (0 = none). */
async function overflow(page: Page, id: string) {
  return page.evaluate((view) => {
    const over = (el: Element | null) => (el ? el.scrollWidth - el.clientWidth : -1);
    return {
      document: over(document.documentElement),
      main: over(document.querySelector('main')),
      view: over(document.querySelector(`[data-testid="view-${view}"]`)),
    };
  }, id);
}

test.describe('layout', () => {
  test.skip(({ target }) => target !== 'web', 'checked once, in the web project');

  for (const [width, height, collapsed] of [
    [1024, 700, true],
    [1440, 900, false],
  ] as const) {
    test(`at ${width}x${height} no view overflows horizontally, and the sidebar is ${collapsed ? 'collapsed' : 'expanded'}`, async ({
      ui,
    }) => {
      await ui.setViewportSize({ width, height });
      await expect(ui.getByTestId('connection')).toHaveAttribute('data-state', 'open');
      await expect(ui.getByTestId('sidebar-toggle')).toHaveAttribute('aria-expanded', String(!collapsed));
      for (const id of VIEW_IDS) {
        await openView(ui, id);
        expect({ id, ...(await overflow(ui, id)) }).toEqual({ id, document: 0, main: 0, view: 0 });
      }
    });
  }

  test('the sidebar toggle collapses and expands it, with its state announced', async ({ ui }) => {
    await ui.setViewportSize({ width: 1440, height: 900 });
    const toggle = ui.getByRole('button', { name: 'Sidebar' });
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const wide = await ui.getByTestId('sidebar').evaluate((el) => el.getBoundingClientRect().width);
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect
      .poll(() => ui.getByTestId('sidebar').evaluate((el) => el.getBoundingClientRect().width))
      .toBeLessThan(wide / 2);
    // Collapsed links still carry each view's full name.
    await expect(ui.getByRole('link', { name: 'Sessions (W&B)' })).toBeVisible();
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    // Narrowing the window below 1200 px collapses it by itself.
    await ui.setViewportSize({ width: 1100, height: 800 });
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  });
});
