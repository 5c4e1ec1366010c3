import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { expect, headlessOf, test } from './fixtures';
import { root } from './harness';

/** A port nobody listens on right now (the engine takes it a moment later). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const VIEWS = ['production', 'events', 'sessions', 'discord', 'engine', 'slots', 'settings'];

test.describe('app shell', () => {
  test('every view opens from the navigation', async ({ ui }) => {
    for (const id of VIEWS) {
      await ui.getByTestId(`nav-${id}`).click();
      await expect(ui.getByTestId(`view-${id}`)).toBeVisible();
      await expect(ui.getByTestId('view-error')).toHaveCount(0);
    }
  });

  test('the status bar shows each service state from main', async ({ ui }) => {
    await expect(ui.getByTestId('connection')).toHaveAttribute('data-state', 'open');
    // No Factorio on the test machine: the demo feed starts and the pipe reads it.
    await expect(ui.getByTestId('status-pipe')).toHaveAttribute('data-state', 'running');
    for (const name of ['wandb', 'discord', 'engine', 'slots'])
      await expect(ui.getByTestId(`status-${name}`)).toHaveAttribute('data-state', 'disabled');
    await expect(ui.getByTestId('status-wandb')).toHaveAttribute('title', 'off: wandb.enabled is false');
    await expect(ui.getByTestId('status-overall')).toHaveAttribute('data-state', 'ok');
  });

  test('settings saves a valid change to the file, and the status bar follows it live', async ({ ui }, testInfo) => {
    await ui.getByTestId('nav-settings').click();
    const configPath = await ui.getByTestId('config-path').textContent();
    await ui.getByTestId('setting-wandb.project').fill('e2e-project');
    await ui.getByTestId('setting-engine.enabled').check();
    await ui.getByTestId('setting-engine.port').fill(String(await freePort()));
    await ui.getByTestId('settings-save').click();
    await expect(ui.getByTestId('settings-message')).toContainText('Saved');
    const saved = JSON.parse(readFileSync(configPath!, 'utf8'));
    expect(saved.wandb.project).toBe('e2e-project');
    expect(saved.engine.enabled).toBe(true);
    // engine.enabled now true: the engine server starts, and the status bar follows.
    await expect(ui.getByTestId('status-engine')).toHaveAttribute('data-state', 'running');
    if (testInfo.project.name === 'web') {
      await ui.getByTestId('view-settings').evaluate((el) => el.scrollTo(0, 0));
      const shot = testInfo.outputPath('settings.png');
      await ui.screenshot({ path: shot });
      if (process.env.SCREENSHOTS === '1') copyFileSync(shot, join(root, 'docs/screenshot.png'));
    }
  });

  test("settings edits the pipe's line limit, start position and mirror rotation, W&B's mode and pace, the relay's start and the join test's client", async ({
    ui,
  }) => {
    await ui.getByTestId('nav-settings').click();
    const configPath = await ui.getByTestId('config-path').textContent();
    await ui.getByTestId('setting-pipe.maxLineBytes').fill('2048');
    await ui.getByTestId('setting-pipe.startAt').selectOption('start');
    await ui.getByTestId('setting-pipe.mirrorMaxBytes').fill('65536');
    await ui.getByTestId('setting-pipe.mirrorFiles').fill('3');
    await ui.getByTestId('setting-wandb.mode').selectOption('offline');
    await ui.getByTestId('setting-wandb.flushSeconds').fill('0.5');
    await ui.getByTestId('setting-discord.startAt').selectOption('start');
    await ui.getByTestId('setting-joinTest.clientPath').fill('/opt/factorio/bin/x64/factorio');
    await ui.getByTestId('setting-joinTest.timeoutSeconds').fill('90');
    // A pattern that does not compile is named before saving; a good one is saved.
    await ui.getByTestId('patterns-form-add').click();
    await ui.getByTestId('setting-discord.patterns.0.name').fill('launch');
    await ui.getByTestId('setting-discord.patterns.0.regex').fill('^\\[LAUNCH\\] (?P<who>\\S+');
    await ui.getByTestId('setting-discord.patterns.0.template').fill('{who}');
    await expect(ui.getByTestId('issue-discord.patterns.0.regex')).toContainText('not a valid RE2 regular expression');
    await expect(ui.getByTestId('settings-save')).toBeDisabled();
    await ui.getByTestId('setting-discord.patterns.0.regex').fill('^\\[LAUNCH\\] (?P<who>\\S+)');
    await ui.getByTestId('setting-discord.patterns.0.template').fill('{who} launched');
    await expect(ui.getByTestId('issue-discord.patterns.0.regex')).toHaveCount(0);
    await ui.getByTestId('settings-save').click();
    await expect(ui.getByTestId('settings-message')).toContainText('Saved');
    const saved = JSON.parse(readFileSync(configPath!, 'utf8'));
    expect(saved.pipe).toMatchObject({ maxLineBytes: 2048, startAt: 'start', mirrorMaxBytes: 65536, mirrorFiles: 3 });
    expect(saved.wandb).toMatchObject({ mode: 'offline', flushSeconds: 0.5 });
    expect(saved.discord).toMatchObject({
      startAt: 'start',
      patterns: [{ name: 'launch', regex: '^\\[LAUNCH\\] (?P<who>\\S+)', template: '{who} launched' }],
    });
    expect(saved.joinTest).toEqual({ clientPath: '/opt/factorio/bin/x64/factorio', timeoutSeconds: 90 });
    // Discord refuses webhook names with "discord" in them: the form says so before saving.
    await ui.getByTestId('setting-discord.botName').fill('Discord Bridge');
    await expect(ui.getByTestId('issue-discord.botName')).toContainText('does not allow');
    await ui.getByTestId('setting-discord.botName').fill('Factorio');
    // The same schema as main: out of range is named and not saved.
    await ui.getByTestId('setting-wandb.flushSeconds').fill('0');
    await expect(ui.getByTestId('issue-wandb.flushSeconds')).toContainText('wandb.flushSeconds');
    await expect(ui.getByTestId('settings-save')).toBeDisabled();
  });

  test('settings names invalid fields and will not save them', async ({ ui }) => {
    await ui.getByTestId('nav-settings').click();
    const configPath = await ui.getByTestId('config-path').textContent();
    const before = readFileSync(configPath!, 'utf8');
    await ui.getByTestId('setting-pipe.capacity').fill('-3');
    await expect(ui.getByTestId('issue-pipe.capacity')).toContainText('pipe.capacity');
    await expect(ui.getByTestId('issue-pipe.capacity')).toContainText('-3');
    await expect(ui.getByTestId('settings-save')).toBeDisabled();
    await ui.getByTestId('setting-pipe.capacity').fill('5000');
    await ui.getByTestId('slots-form-add').click();
    await ui.getByTestId('setting-slots.0.id').fill('Bad Id');
    await expect(ui.getByTestId('issue-slots.0.id')).toContainText('slots.0.id');
    await expect(ui.getByTestId('settings-save')).toBeDisabled();
    expect(readFileSync(configPath!, 'utf8')).toBe(before);
  });

  test('secrets are write-only: the UI learns only that one is set', async ({ ui }) => {
    const secret = 'https://discord.com/api/webhooks/42/e2e-secret-token-xyz';
    await ui.getByTestId('nav-settings').click();
    await expect(ui.getByTestId('setting-discord.webhookUrl-status')).toHaveText('not set');
    await ui.getByTestId('setting-discord.webhookUrl').fill(secret);
    await ui.getByTestId('settings-save').click();
    await expect(ui.getByTestId('settings-message')).toContainText('Saved');
    await expect(ui.getByTestId('setting-discord.webhookUrl-status')).toHaveText(
      /^set \((in config file|encrypted)\)$/,
    );
    await expect(ui.getByTestId('setting-discord.webhookUrl')).toHaveValue('');
    await ui.reload();
    await ui.getByTestId('nav-settings').click();
    await expect(ui.getByTestId('setting-discord.webhookUrl-status')).toHaveText(/^set/);
    expect(await ui.content()).not.toContain('e2e-secret-token-xyz');
  });

  test('the theme follows the system setting until one is picked, and the pick is remembered', async ({ ui }) => {
    const html = ui.locator('html');
    await ui.emulateMedia({ colorScheme: 'light' });
    await expect(html).toHaveAttribute('data-theme', 'light');
    await ui.emulateMedia({ colorScheme: 'dark' });
    await expect(html).toHaveAttribute('data-theme', 'dark');
    const bg = () => ui.locator('body').evaluate((el) => getComputedStyle(el).backgroundColor);
    const darkBg = await bg();
    await ui.getByRole('combobox', { name: 'Theme' }).selectOption('light');
    await expect(html).toHaveAttribute('data-theme', 'light');
    expect(await bg()).not.toBe(darkBg);
    // A pick outlasts a reload and the system changing its mind.
    await ui.reload();
    await expect(html).toHaveAttribute('data-theme', 'light');
    await ui.emulateMedia({ colorScheme: 'dark' });
    await expect(html).toHaveAttribute('data-theme', 'light');
    await ui.getByTestId('theme-switch').selectOption('system');
    await expect(html).toHaveAttribute('data-theme', 'dark');
  });

  test('landmarks, a skip link to the view, and the demo feed labelled as a demo', async ({ ui }) => {
    await expect(ui.getByRole('navigation', { name: 'Views' })).toBeVisible();
    await expect(ui.getByRole('main')).toBeVisible();
    await expect(ui.getByRole('contentinfo')).toBeVisible();
    // No Factorio on the test machine: the demo feed runs, and the status bar says so.
    await expect(ui.getByTestId('status-demo')).toHaveText(/demo/i);
    await ui.getByTestId('nav-events').click();
    // The first Tab on a fresh page reaches the skip link.
    await ui.reload();
    await expect(ui.getByTestId('view-events')).toBeVisible();
    await ui.keyboard.press('Tab');
    const skip = ui.getByTestId('skip-link');
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await ui.keyboard.press('Enter');
    await expect(ui.getByTestId('view-events')).toBeFocused();
    // The skip link moved focus only: the view stays the same.
    await expect(ui.getByTestId('nav-events')).toHaveAttribute('aria-current', 'page');
  });

  test('a lost connection is announced once, greys the status bar and marks the root', async ({ ui }) => {
    const live = ui.getByTestId('status-announcement');
    await expect(ui.getByTestId('connection')).toHaveAttribute('data-state', 'open');
    await expect(live).toHaveAttribute('role', 'status');
    await expect(live).toHaveAttribute('aria-live', 'polite');
    // The demo session has begun (its first stats line is on screen): the sentence is complete.
    const readout = ui.locator('[data-testid^="readout-"]').first();
    await expect(readout).toBeVisible();
    await expect(live).toHaveText('All services ok. Game data is live.');
    // The live region changes with the situation, not with every tick of the status bar's clock:
    // while three new demo stats reach the page (the bar re-renders many times meanwhile), it stays.
    await live.evaluate((el) => {
      const w = window as unknown as { __liveChanges: number };
      w.__liveChanges = 0;
      new MutationObserver(() => w.__liveChanges++).observe(el, {
        childList: true,
        subtree: true,
        characterData: true,
      });
    });
    for (let i = 0; i < 3; i++) {
      const before = await readout.getAttribute('data-value');
      await expect(readout).not.toHaveAttribute('data-value', before ?? '', { timeout: 15_000 });
    }
    expect(await ui.evaluate(() => (window as unknown as { __liveChanges: number }).__liveChanges)).toBe(0);
    await headlessOf(ui).stop();
    await expect(ui.getByTestId('app')).toHaveAttribute('data-disconnected', 'true');
    await expect(live).toContainText('not current');
    const color = (id: string) => ui.getByTestId(id).evaluate((el) => getComputedStyle(el).color);
    expect(await color('status-pipe')).toBe(await ui.locator('.overall').evaluate((el) => getComputedStyle(el).color));
  });
});
