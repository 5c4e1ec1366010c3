// The Events view: the table fills the view's height, a row opens its raw JSON (mouse and
// keyboard), filters have accessible names, and a lost connection greys the view and disables
// its actions with the reason shown.
import { mkdtempSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, headlessOf, test } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'cr-e2e-views-events-'));
const pipePath = join(dir, 'events.pipe');
writeFileSync(pipePath, '');
const long = 'a-very-long-item-name-'.repeat(8);
const lines = [
  JSON.stringify({ type: 'session_init', session_id: 'views-session', tick: 0, level_name: 'open_world' }),
  JSON.stringify({
    type: 'stats',
    session_id: 'views-session',
    cycle: 1,
    tick: 120,
    products_production: { [long]: 42, 'iron-plate': 7 },
    materials_consumption: {},
  }),
];

test.describe('Events view', () => {
  test.use({ appConfig: { pipe: { path: pipePath, startAt: 'start' } } });

  test('a row opens its raw JSON; the summary is cut but whole in the details; filters are named', async ({ ui }) => {
    await ui.setViewportSize({ width: 1024, height: 700 });
    for (const l of lines) appendFileSync(pipePath, l + '\n');
    await ui.getByTestId('nav-events').click();
    await expect(ui.getByTestId('event-row')).toHaveCount(2);
    await expect(ui.getByLabel('Filter events by type')).toBeVisible();
    await expect(ui.getByLabel('Filter events by text in the line')).toBeVisible();

    const stats = ui.locator('[data-testid="event-row"][data-type="stats"]');
    // The summary cell ellipsizes inside the row (no overflow of the view), its full text in the title.
    await expect(stats.locator('.summary')).toHaveAttribute('title', new RegExp(long));
    const overflow = await ui.getByTestId('view-events').evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    await stats.click();
    const details = ui.getByTestId('event-details');
    await expect(details).toBeFocused();
    await expect(details.getByTestId('event-details-json')).toContainText(`"${long}": 42`);
    await ui.keyboard.press('Escape');
    await expect(details).toHaveCount(0);

    // Keyboard only: Tab to a row and open it with Enter.
    const init = ui.locator('[data-testid="event-row"][data-type="session_init"]');
    await init.focus();
    await ui.keyboard.press('Enter');
    await expect(ui.getByTestId('event-details-json')).toContainText('"level_name": "open_world"');
  });

  test('the table fills the height of the view', async ({ ui }) => {
    await ui.setViewportSize({ width: 1440, height: 1400 });
    await ui.getByTestId('nav-events').click();
    const table = ui.getByTestId('events-table');
    await expect(table).toBeVisible();
    const main = await ui.getByTestId('view-events').boundingBox();
    // Its bottom reaches the view's bottom (less the rejected-lines area and padding), not a fixed 360 px.
    await expect
      .poll(async () => {
        const box = await table.boundingBox();
        return main!.y + main!.height - (box!.y + box!.height);
      })
      .toBeLessThan(60);
  });

  test('losing the server greys the figures and disables actions, saying why', async ({ ui }) => {
    await ui.getByTestId('nav-events').click();
    await expect(ui.getByTestId('demo-toggle')).toBeEnabled();
    await headlessOf(ui).stop();
    await expect(ui.getByTestId('view-disconnected')).toBeVisible();
    await expect(ui.getByTestId('demo-toggle')).toBeDisabled();
    await expect(ui.getByTestId('demo-toggle-reason')).toHaveText(/Disconnected from the Control Room server/);
    await expect(ui.getByTestId('demo-toggle')).toHaveAttribute('aria-describedby', /.+/);
  });
});
