// Views whose service is off lead to the Settings section that turns it on: the link opens
// Settings scrolled to that section, with focus on it (keyboard and screen-reader users land there).
import { expect, test } from './fixtures';

const OFF = [
  { nav: 'sessions', off: 'wandb-off', section: 'wandb', field: 'setting-wandb.enabled' },
  { nav: 'discord', off: 'discord-off', section: 'discord', field: 'setting-discord.enabled' },
  { nav: 'engine', off: 'engine-off', section: 'engine', field: 'setting-engine.enabled' },
  { nav: 'slots', off: 'slots-off', section: 'slots', field: 'slots-form-add' },
];

test.describe('off views', () => {
  for (const v of OFF) {
    test(`${v.nav}: the off state links to the ${v.section} section of Settings, focused`, async ({ ui }) => {
      await ui.setViewportSize({ width: 1024, height: 700 });
      await ui.getByTestId(`nav-${v.nav}`).click();
      const off = ui.getByTestId(v.off);
      await expect(off).toBeVisible();
      // Keyboard: focus the link and press Enter.
      await off.getByTestId(`${v.off}-settings-link`).focus();
      await ui.keyboard.press('Enter');
      await expect(ui.getByTestId('view-settings')).toBeVisible();
      const section = ui.getByTestId(`settings-section-${v.section}`);
      await expect(section).toBeFocused();
      await expect(section).toBeInViewport();
      await expect(section.getByTestId(v.field)).toBeVisible();
    });
  }
});
